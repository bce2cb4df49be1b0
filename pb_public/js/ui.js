// Small DOM helpers shared by every page: element builder, dates in
// Beijing time, toasts, dialogs and per-field error display.

/**
 * h("div.card#x", {onclick, ...attrs}, ...children): builds an element.
 * Children may be strings, nodes, arrays, null/false (skipped).
 */
export function h(tag, attrs, ...children) {
  const m = /^([a-z0-9-]+)?((?:[.#][\w-]+)*)$/i.exec(tag);
  const el = document.createElement((m && m[1]) || "div");
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === ".") el.classList.add(part.slice(1));
      else el.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = [el.className, v].filter(Boolean).join(" ");
    else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else if (k === "value" || k === "checked" || k === "selected") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces the children of el. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const TZ = "Asia/Shanghai";
const dateFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" });
const dateTimeFmt = new Intl.DateTimeFormat("zh-CN", {
  timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
});
const timeFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: TZ, hour: "2-digit", minute: "2-digit", hour12: false });

/** Parses a PocketBase date ("2026-11-20 10:00:00.000Z") or ISO string. */
export function parseDate(s) {
  if (!s) return null;
  if (s instanceof Date) return s;
  const d = new Date(String(s).replace(" ", "T"));
  return isNaN(d) ? null : d;
}

/** YYYY-MM-DD in Beijing time. */
export function ymd(s) {
  const d = parseDate(s);
  if (!d) return "";
  const p = Object.fromEntries(dateFmt.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

/** 2026年11月20日 */
export function fmtDate(s) {
  const v = ymd(s);
  if (!v) return "";
  const [y, m, d] = v.split("-");
  return `${y}年${+m}月${+d}日`;
}

export function fmtDateTime(s) {
  const d = parseDate(s);
  return d ? dateTimeFmt.format(d) : "";
}

export function fmtTime(s) {
  const d = parseDate(s);
  return d ? timeFmt.format(d) : "";
}

/** A date input's value (YYYY-MM-DD, Beijing) as a PocketBase date at noon Beijing time. */
export function dateInputToPB(v) {
  return v ? new Date(`${v}T12:00:00+08:00`).toISOString().replace("T", " ") : "";
}

/** A datetime-local input's value, read as Beijing time, as a PocketBase date. */
export function dateTimeInputToPB(v) {
  return v ? new Date(`${v}:00+08:00`).toISOString().replace("T", " ") : "";
}

/** A PocketBase date as a datetime-local value in Beijing time. */
export function pbToDateTimeInput(s) {
  const d = parseDate(s);
  if (!d) return "";
  const b = new Date(d.getTime() + 8 * 3600 * 1000).toISOString();
  return b.slice(0, 16);
}

/** Today's date in Beijing, YYYY-MM-DD. */
export function todayYMD() {
  return ymd(new Date());
}

/** Adds calendar days to a YYYY-MM-DD date. */
export function addDays(v, n) {
  const d = new Date(`${v}T12:00:00+08:00`);
  d.setUTCDate(d.getUTCDate() + n);
  return ymd(d);
}

let toastBox;

/** Shows a short message; kind: "ok" | "error" | "info". */
export function toast(message, kind = "info", ms = 4000) {
  if (!toastBox) {
    toastBox = h("div.toasts", { role: "status", "aria-live": "polite" });
    document.body.append(toastBox);
  }
  const t = h(`div.toast.${kind}`, message);
  toastBox.append(t);
  setTimeout(() => t.remove(), ms);
}

/**
 * Opens a modal dialog. content: nodes; buttons: [{label, kind, onclick}]
 * (onclick may return false to keep the dialog open, or a promise).
 * Returns the dialog with a close() method.
 */
export function dialog(title, content, buttons = [{ label: "关闭" }]) {
  const dlg = h("dialog.dialog");
  const close = () => {
    dlg.close();
    dlg.remove();
  };
  const footer = h("div.dialog-buttons");
  for (const b of buttons) {
    const btn = h(`button.btn${b.kind ? "." + b.kind : ""}`, { type: "button" }, b.label);
    btn.addEventListener("click", async () => {
      if (!b.onclick) return close();
      btn.disabled = true;
      try {
        const r = await b.onclick();
        if (r !== false) close();
      } finally {
        btn.disabled = false;
      }
    });
    footer.append(btn);
  }
  mount(dlg, h("h2", title), h("div.dialog-body", content), footer);
  dlg.addEventListener("cancel", (e) => {
    e.preventDefault();
    close();
  });
  document.body.append(dlg);
  dlg.showModal();
  dlg.closeDialog = close;
  return dlg;
}

/** Asks yes/no; resolves true when confirmed. */
export function confirmDialog(title, message, okLabel = "确定") {
  return new Promise((resolve) => {
    dialog(title, h("p", message), [
      { label: "取消", onclick: () => resolve(false) },
      { label: okLabel, kind: "primary", onclick: () => resolve(true) },
    ]);
  });
}

/**
 * Shows an error on a form: the message at the top and each field's
 * message beside its input (inputs carry name=field).
 */
export function showFormError(form, err) {
  clearFormError(form);
  const box = form.querySelector(".form-error") || form.prepend(h("div.form-error")) || form.querySelector(".form-error");
  const fields = err && err.fieldMessages ? err.fieldMessages() : {};
  box.textContent = err.message || String(err);
  box.hidden = false;
  box.setAttribute("role", "alert");
  for (const [name, msg] of Object.entries(fields)) {
    if (!msg) continue;
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input) continue;
    const wrap = input.closest(".field") || input.parentElement;
    wrap.classList.add("invalid");
    wrap.append(h("div.field-error", msg));
  }
  box.scrollIntoView({ block: "nearest" });
}

export function clearFormError(form) {
  form.querySelectorAll(".field-error").forEach((e) => e.remove());
  form.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
  const box = form.querySelector(".form-error");
  if (box) box.hidden = true;
}

/** A labelled form field: field("标题", input, "说明"). */
export function field(label, input, hint) {
  const id = input.id || (input.name ? "f-" + input.name + "-" + Math.random().toString(36).slice(2, 7) : "");
  if (id && !input.id) input.id = id;
  return h("div.field", h("label", { for: id }, label, input.required ? h("span.req", " *") : null), input, hint ? h("div.hint", hint) : null);
}

/** <select> from [{value,label}] with an optional empty choice. */
export function select(name, options, value = "", { empty = "", required = false } = {}) {
  return h(
    "select",
    { name, required },
    empty !== null ? h("option", { value: "" }, empty || "请选择") : null,
    options.map((o) => h("option", { value: o.value, selected: o.value === value }, o.label)),
  );
}

/** Runs fn with the button disabled and a spinner; returns fn's result. */
export async function busy(button, fn, label = "处理中…") {
  const old = button.textContent;
  button.disabled = true;
  button.classList.add("busy");
  button.textContent = label;
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.classList.remove("busy");
    button.textContent = old;
  }
}

/** An empty-state box. */
export const empty = (text) => h("div.empty", text);

/** Debounces fn by ms. */
export function debounce(fn, ms) {
  let t;
  return (...a) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}
