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

// One format for dates and one for times, everywhere (the printed forms
// and the server's messages use the same): 2026年11月5日 and
// 2026年11月5日 14:08; a time alone is 14:08.
const TZ = "Asia/Shanghai";
const dateFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" });
const timeFmt = new Intl.DateTimeFormat("zh-CN", { timeZone: TZ, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

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

/** 2026年11月20日 14:08 */
export function fmtDateTime(s) {
  const d = parseDate(s);
  return d ? `${fmtDate(d)} ${fmtTime(d)}` : "";
}

/** 14:08 */
export function fmtTime(s) {
  const d = parseDate(s);
  if (!d) return "";
  const p = Object.fromEntries(timeFmt.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute}`;
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

/** Asks yes/no; resolves true when confirmed (kind: the confirming button's style, e.g. "danger"). */
export function confirmDialog(title, message, okLabel = "确定", { kind = "primary" } = {}) {
  return new Promise((resolve) => {
    const dlg = dialog(title, typeof message === "string" ? h("p", message) : message, [
      { label: "取消", onclick: () => resolve(false) },
      { label: okLabel, kind, onclick: () => resolve(true) },
    ]);
    dlg.addEventListener("close", () => resolve(false)); // Esc
  });
}

/** How far down the sticky header (and the field app's status bar) reaches on screen. */
export function stickyBottom() {
  let bottom = 0;
  for (const el of document.querySelectorAll(".topbar, .statusbar, .offline-banner")) {
    if (el.hidden) continue;
    const pos = getComputedStyle(el).position;
    if (pos !== "sticky" && pos !== "fixed") continue;
    const r = el.getBoundingClientRect();
    if (r.height && r.top <= bottom + 1) bottom = Math.max(bottom, r.bottom);
  }
  return bottom;
}

/** Scrolls el into view just below the sticky header, unless it is already in full view there. */
export function scrollBelowHeader(el) {
  const top = stickyBottom() + 12;
  const r = el.getBoundingClientRect();
  if (r.top >= top && r.bottom <= window.innerHeight) return;
  window.scrollBy({ top: r.top - top, left: 0, behavior: "instant" });
}

/** The element that shows a field's error: the .field around the input called name. */
function fieldWrap(form, name) {
  const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
  if (!input) return null;
  return { input, wrap: input.closest(".field") || input.parentElement };
}

/** Puts msg beside the field called name (or takes it away when msg is empty). */
export function setFieldError(form, name, msg) {
  const f = fieldWrap(form, name);
  if (!f) return false;
  f.wrap.querySelectorAll(`.field-error[data-for="${CSS.escape(name)}"]`).forEach((e) => e.remove());
  const others = f.wrap.querySelector(".field-error");
  if (msg) {
    f.wrap.classList.add("invalid");
    f.wrap.append(h("div.field-error", { dataset: { for: name }, role: "alert" }, msg));
    f.input.setAttribute("aria-invalid", "true");
  } else {
    if (!others) f.wrap.classList.remove("invalid");
    f.input.removeAttribute("aria-invalid");
    const box = form.querySelector(".form-error");
    // the summary at the top goes with the last field error it summed up
    if (box && box.dataset.summary && !form.querySelector(".field-error")) box.hidden = true;
  }
  return true;
}

/**
 * Shows an error on a form: the message at the top and each field's
 * message beside its input (inputs carry name=field); then scrolls the
 * first of them into view below the sticky header and puts the cursor in
 * its field. A field's message goes as soon as the field is fixed (see
 * liveCheck), or, for a message of the server's, once the field changes.
 */
export function showFormError(form, err, { scroll = true } = {}) {
  clearFormError(form);
  const box = form.querySelector(".form-error") || form.prepend(h("div.form-error")) || form.querySelector(".form-error");
  const fields = err && err.fieldMessages ? err.fieldMessages() : {};
  box.textContent = err.message || String(err);
  box.hidden = false;
  box.setAttribute("role", "alert");
  let shown = 0;
  for (const [name, msg] of Object.entries(fields)) {
    if (msg && setFieldError(form, name, msg)) shown++;
  }
  if (shown) box.dataset.summary = "1";
  else delete box.dataset.summary;
  watchFixes(form);
  if (!scroll) return;
  const first = form.querySelector(".field.invalid");
  // the summary and the first field it points to together, when both fit below the header
  const fits = first && first.getBoundingClientRect().bottom - box.getBoundingClientRect().top <= window.innerHeight - stickyBottom() - 24;
  scrollBelowHeader(!first || fits ? box : first);
  const input = first?.querySelector("input:not([type=hidden]),textarea,select,canvas,button");
  if (input && typeof input.focus === "function") input.focus({ preventScroll: true });
}

export function clearFormError(form) {
  form.querySelectorAll(".field-error").forEach((e) => e.remove());
  form.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
  form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  const box = form.querySelector(".form-error");
  if (box) box.hidden = true;
}

/** Takes a field's error away once it is fixed: by its rule when the form has one (liveCheck), else as soon as it changes. */
function watchFixes(form) {
  if (form._watching) return;
  form._watching = true;
  const fix = (e) => {
    const name = e.target?.name || e.target?.getAttribute?.("name");
    if (!name || !form.querySelector(`.field-error[data-for="${CSS.escape(name)}"]`)) return;
    const rule = form._rules?.[name];
    setFieldError(form, name, rule ? rule(valueOf(form, name), form) : "");
  };
  form.addEventListener("input", fix);
  form.addEventListener("change", fix);
}

/** The value of the field called name: text, the checked radio's value, or a checkbox's state. */
export function valueOf(form, name) {
  const els = [...form.querySelectorAll(`[name="${CSS.escape(name)}"]`)];
  if (!els.length) return "";
  if (els[0].type === "radio") return els.find((e) => e.checked)?.value || "";
  if (els[0].type === "checkbox" && els.length === 1) return els[0].checked;
  if (els[0].type === "checkbox") return els.filter((e) => e.checked).map((e) => e.value);
  return String(els[0].value ?? "").trim();
}

/**
 * Checks a form's fields as the person works: rules {name: (value, form)
 * => message or ""}. Nothing is said before a field has been filled in and
 * left (or a submit tried); a field's message then follows what is typed
 * and goes as soon as it is fixed. check() runs every rule and shows the
 * messages (on submit); it returns {name: message} of the failing ones.
 */
export function liveCheck(form, rules) {
  form._rules = rules;
  watchFixes(form);
  form.addEventListener("focusout", (e) => {
    const name = e.target?.name;
    const rule = rules[name];
    if (!rule || e.target.type === "radio" || e.target.type === "checkbox") return;
    // on the way to a button or link: its action checks (a message appearing
    // now would move the button away from under the finger)
    if (e.relatedTarget?.closest?.("button, a, .btn")) return;
    const v = valueOf(form, name);
    if (v === "" && !form.querySelector(`.field-error[data-for="${CSS.escape(name)}"]`)) return; // untouched
    setFieldError(form, name, rule(v, form));
  });
  return {
    check() {
      const out = {};
      for (const [name, rule] of Object.entries(rules)) {
        const msg = rule(valueOf(form, name), form);
        if (msg) out[name] = msg;
      }
      return out;
    },
  };
}

/** A form error made on the page, in the server's error shape ({field: message}). */
export function localError(fields, message) {
  return { message: message || Object.values(fields)[0], fieldMessages: () => fields };
}

/** A labelled form field: field("标题", input, "说明"). */
export function field(label, input, hint) {
  const id = input.id || (input.name ? "f-" + input.name + "-" + Math.random().toString(36).slice(2, 7) : "");
  if (id && !input.id) input.id = id;
  return h("div.field", h("label", { for: id }, label, input.required ? h("span.req", " *") : null), input, hint ? h("div.hint", hint) : null, dateEcho(input));
}

/**
 * The browser draws a date picker in the device's own format
 * (12/03/2026, 09:30 AM on some): beneath it, the chosen date in the
 * app's one format (2026年12月3日 09:30).
 */
function dateEcho(input) {
  if (input.tagName !== "INPUT" || (input.type !== "date" && input.type !== "datetime-local")) return null;
  const echo = h("div.hint.date-echo", { "aria-live": "polite" });
  const show = () => {
    if (!input.value) return (echo.textContent = "");
    echo.textContent = "即 " + (input.type === "date" ? fmtDate(dateInputToPB(input.value)) : fmtDateTime(dateTimeInputToPB(input.value)));
  };
  input.addEventListener("input", show);
  input.addEventListener("change", show);
  show();
  return echo;
}

/** A labelled filter of a toolbar: the label stays visible beside its control. */
export function filter(label, control) {
  return h("label.filter", h("span.filter-label", label), control);
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
