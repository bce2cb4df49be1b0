// Unfinished forms, kept in the tablet's database as they are typed (ODK
// Collect keeps every incomplete form): a half-typed issue survives a tap
// on another tab, a reload, a browser restart, and is offered again. A
// page asks before it is left with changes not saved (see leaveGuard).

import * as store from "./db.js";
import { newId } from "./api.js";
import { h, fmtDateTime, dialog } from "./ui.js";
import { leaveGuard, query } from "./router.js";

/** The values of a form's named controls: text, the checked radio, checkboxes, selects. */
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.type === "file" || el.type === "submit" || el.type === "button") continue;
    if (el.type === "radio") {
      if (el.checked) out[el.name] = el.value;
      else if (!(el.name in out)) out[el.name] = "";
    } else if (el.type === "checkbox") {
      const all = form.querySelectorAll(`input[type=checkbox][name="${CSS.escape(el.name)}"]`);
      if (all.length > 1) out[el.name] = [...all].filter((c) => c.checked).map((c) => c.value);
      else out[el.name] = el.checked;
    } else out[el.name] = el.value;
  }
  return out;
}

/** Puts values (from formValues) back into a form's controls. */
export function restoreValues(form, values) {
  for (const el of form.elements) {
    if (!el.name || !(el.name in values) || el.type === "file") continue;
    const v = values[el.name];
    if (el.type === "radio") el.checked = el.value === v;
    else if (el.type === "checkbox") el.checked = Array.isArray(v) ? v.includes(el.value) : !!v;
    else el.value = v ?? "";
  }
}

/**
 * Keeps the form behind snapshot() as a draft under key while it is
 * worked on. snapshot() returns {title, data, files}; the draft is saved
 * 250 ms after the last change (and at once when the tab is hidden) as
 * long as it differs from what the form opened with. The page is guarded:
 * leaving with changes asks whether to keep the draft, discard it or stay.
 * done() (after the form was saved for real) forgets the draft and the guard.
 */
export function keepDraft({ key, form: kind, snapshot, what = "这条记录" }) {
  let start = JSON.stringify(snapshot().data);
  let timer = 0;
  let finished = false;
  let saving = Promise.resolve();
  const changed = () => JSON.stringify(snapshot().data) !== start;
  const save = () => {
    clearTimeout(timer);
    if (finished) return saving;
    const s = snapshot();
    if (JSON.stringify(s.data) === start) return saving;
    saving = saving
      .then(() => store.putDraft({ key, form: kind, title: s.title || "", data: s.data, files: s.files || {}, savedAt: new Date().toISOString() }))
      .catch((e) => console.warn("draft not saved:", e));
    return saving;
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 250);
  };
  const hidden = () => document.visibilityState === "hidden" && save();
  document.addEventListener("visibilitychange", hidden);
  window.addEventListener("pagehide", save);

  leaveGuard(async () => {
    if (finished || !changed()) return true;
    await save();
    return new Promise((resolve) => {
      const dlg = dialog(
        `${what}还没有保存`,
        [h("p", "已填写的内容已存为草稿，保存在这台平板上，回来时可以继续填写。"), h("p.muted.small", "放弃：删除这份草稿，已填写的内容不再保留。")],
        [
          { label: "继续填写", onclick: () => resolve(false) },
          { label: "放弃", kind: "danger", onclick: async () => (await discard(), resolve(true)) },
          { label: "保留草稿并离开", kind: "primary", onclick: () => resolve(true) },
        ],
      );
      dlg.dataset.dialog = "leave";
      dlg.addEventListener("close", () => resolve(false)); // Esc: stay
    });
  });

  async function discard() {
    finished = true;
    clearTimeout(timer);
    await saving;
    await store.deleteDraft(key).catch(() => {});
  }

  return {
    /** Call on every change of the form. */
    changed: later,
    /** Saves now (awaitable). */
    save,
    /** The form now counts as what it opened with (after restoring a draft nothing is lost by leaving). */
    rebase: () => (start = JSON.stringify(snapshot().data)),
    /** The form was saved for real: the draft and the guard go. */
    async done() {
      leaveGuard(null);
      await discard();
    },
    discard,
    stop() {
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", hidden);
      window.removeEventListener("pagehide", save);
    },
  };
}

/**
 * The draft a form page opens with. A record's own form (id given) keeps
 * one draft, "kind/id"; a new form's page opens the one its address names
 * (?draft=…) or starts a new one, "kind-new/…". form is the kind of draft
 * for keepDraft and draftsOf.
 */
export async function openDraft(kind, id) {
  const resuming = id ? "" : query().get("draft") || "";
  const key = id ? `${kind}/${id}` : `${kind}-new/${resuming || newId()}`;
  const draft = id || resuming ? await store.getDraft(key).catch(() => null) : null;
  return { key, draft, form: id ? kind : `${kind}-new`, resuming };
}

/** The drafts of one kind of form, newest first. */
export const draftsOf = async (kind) => (await store.allDrafts().catch(() => [])).filter((d) => d.form === kind);

/** A card offering to resume each draft (href(d) opens it) or discard it. */
export function resumeCard(drafts, { title, href, onDiscard }) {
  if (!drafts.length) return null;
  const card = h(
    "section.card.drafts",
    { id: "drafts" },
    h("h2", title),
    h(
      "div.list",
      drafts.map((d) =>
        h(
          "div.draft-item",
          { dataset: { key: d.key } },
          h("div", h("div.item-title", d.title || "（未填写标题）"), h("div.item-meta", h("span", "草稿保存于 " + fmtDateTime(d.savedAt)))),
          h(
            "div.form-actions",
            h("a.btn.primary", { href: href(d) }, "继续填写"),
            h(
              "button.btn.danger",
              {
                type: "button",
                onclick: async (e) => {
                  await store.deleteDraft(d.key);
                  e.target.closest(".draft-item").remove();
                  if (!card.querySelector(".draft-item")) card.remove();
                  onDiscard?.(d);
                },
              },
              "放弃草稿",
            ),
          ),
        ),
      ),
    ),
  );
  return card;
}
