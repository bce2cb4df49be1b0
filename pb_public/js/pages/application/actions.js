// What the user may do on the application now: the moves the transition
// table allows (each opens its form, see moves.js), the supervision
// office's reminders, and the plain edits the edit table allows.

import { createRecord, updateRecord } from "../../api.js";
import { h, field, select, showFormError, toast, busy, dateTimeInputToPB, pbToDateTimeInput, confirmDialog } from "../../ui.js";
import { wf, editAllowed, supervisionKinds } from "../../vocab.js";
import { actionForm, localError } from "./moves.js";

/** The 办理 card: the allowed moves, supervision and plain edits. */
export function actionsCard(ctx, moves) {
  const { story, user } = ctx;
  if (story.offline) return null;
  const box = h("div.actions", { id: "actions" });
  const seen = new Set();
  for (const t of moves) {
    if (seen.has(t.action)) continue;
    seen.add(t.action);
    box.append(actionButton(ctx, t));
  }
  if (user.role === "supervisor" && story.app.status !== "draft") {
    box.append(superviseButton(ctx));
  }
  for (const b of editButtons(ctx)) box.append(b);
  if (!box.children.length) box.append(h("p.muted", "当前环节没有需要您办理的事项。"));
  return h("section.card", h("h2", "办理"), box);
}

function actionButton(ctx, t) {
  const holder = h("div");
  // moves that change the status are the main ones; in-place ones (delegate, postpone) are secondary
  // moves that send the matter back or refuse it look like neither the main nor the in-place ones
  const btn = h(
    t.caution ? "button.btn.caution.wide" : t.from === t.to ? "button.btn.wide" : "button.btn.primary.wide",
    {
      type: "button",
      dataset: { action: t.action },
      onclick: () => {
        if (holder.firstChild) {
          holder.replaceChildren();
          ctx.openAction = "";
          return;
        }
        ctx.main.querySelectorAll(".action-form").forEach((f) => f.remove());
        ctx.openAction = t.action;
        holder.append(actionForm(ctx, t));
        holder.querySelector("input,textarea,select")?.focus();
      },
    },
    t.label,
  );
  return h("div", btn, holder);
}

/** Whether the edit table (workflow.Edits) allows this user these fields now. */
function allowedEdit({ story, user }, collection, fields) {
  return editAllowed(collection, fields, story.app, user);
}

function editButtons(ctx) {
  const out = [];
  const { story } = ctx;
  const app = story.app;
  const talk = [...story.talks].reverse().find((x) => !x.outcome);
  // the leader may change the arrangement until the talk is recorded
  if (talk && allowedEdit(ctx, "talks", ["scheduled_at", "place", "form", "participants"])) {
    out.push(toggle(ctx, "edit_talk", "修改约谈安排", () => editTalkForm(ctx, talk)));
  }
  // the community attaches the signed and stamped paper copy at any stage
  if (allowedEdit(ctx, "applications", ["signed_scan"])) {
    out.push(toggle(ctx, "signed_scan", app.signed_scan ? "更换盖章扫描件" : "上传盖章扫描件", () => scanForm(ctx)));
  }
  return out;
}

function toggle(ctx, action, text, make) {
  const holder = h("div");
  const btn = h("button.btn.wide", {
    type: "button",
    dataset: { action },
    onclick: () => {
      if (holder.firstChild) return holder.replaceChildren();
      ctx.main.querySelectorAll(".action-form").forEach((f) => f.remove());
      holder.append(make());
    },
  }, text);
  return h("div", btn, holder);
}

function editTalkForm(ctx, talk) {
  const at = h("input", { type: "datetime-local", name: "scheduled_at", required: true, value: pbToDateTimeInput(talk.scheduled_at) });
  const place = h("input", { name: "place", required: true, maxlength: 200, value: talk.place || "" });
  const form_ = select("form", wf.talkForms, talk.form, { empty: null });
  const participants = h("textarea", { name: "participants", rows: 2 }, talk.participants || "");
  const send = h("button.btn.primary", { type: "submit" }, "保存");
  const form = h("form.action-form", { novalidate: true, dataset: { form: "edit_talk" } }, h("div.form-error", { hidden: true }),
    field("约谈时间", at), field("约谈地点", place), field("约谈形式", form_), field("参加人员", participants), h("div.form-actions", send));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!at.value || !place.value.trim()) return showFormError(form, localError({ ...(at.value ? {} : { scheduled_at: "请填写约谈时间。" }), ...(place.value.trim() ? {} : { place: "请填写约谈地点。" }) }, "请填写标红的必填项。"));
    try {
      await busy(send, () => updateRecord("talks", talk.id, { scheduled_at: dateTimeInputToPB(at.value), place: place.value.trim(), form: form_.value, participants: participants.value.trim() }));
      toast("约谈安排已修改。", "ok");
      await ctx.reload();
    } catch (err) {
      showFormError(form, err);
    }
  });
  return form;
}

function scanForm(ctx) {
  const file = h("input", { type: "file", name: "signed_scan", accept: "application/pdf,image/*", required: true });
  const send = h("button.btn.primary", { type: "submit" }, "上传");
  const form = h("form.action-form", { novalidate: true, dataset: { form: "signed_scan" } }, h("div.form-error", { hidden: true }),
    field("签字盖章后的扫描件（PDF 或图片，20 MB 以内）", file), h("div.form-actions", send));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) return showFormError(form, localError({ signed_scan: "请选择扫描件。" }));
    if (f.size > 20 << 20) return showFormError(form, localError({ signed_scan: "文件超过 20 MB，请降低扫描分辨率后重试。" }));
    const body = new FormData();
    body.append("signed_scan", f);
    try {
      await busy(send, () => updateRecord("applications", ctx.id, body), "正在上传…");
      toast("扫描件已上传归档。", "ok");
      await ctx.reload();
    } catch (err) {
      showFormError(form, err);
    }
  });
  return form;
}

function superviseButton(ctx) {
  const holder = h("div");
  const kinds = ["reminder", "criticism", "accountability", "follow_up"];
  const kind = select("kind", supervisionKinds.filter((k) => kinds.includes(k.value)), "reminder", { empty: null });
  const note = h("textarea", { name: "note", rows: 3, required: true, placeholder: "督办内容" });
  const sat = h("div.choices", { hidden: true }, wf.satisfaction.map((s) => h("label.choice", h("input", { type: "radio", name: "satisfaction", value: s.value }), s.label)));
  kind.addEventListener("change", () => (sat.hidden = kind.value !== "follow_up"));
  const send = h("button.btn.primary", { type: "submit" }, "发出");
  const form = h(
    "form.action-form",
    { novalidate: true, dataset: { form: "supervise" } },
    h("div.form-error", { hidden: true }),
    field("督办方式", kind),
    h("div.field", h("label", "回访满意度"), sat),
    field("督办内容", note),
    h("div.form-actions", send),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!note.value.trim()) return showFormError(form, localError({ note: "请填写督办内容。" }));
    const body = { application: ctx.id, kind: kind.value, note: note.value.trim() };
    if (kind.value === "follow_up") {
      body.satisfaction = sat.querySelector("input:checked")?.value || "";
      if (!body.satisfaction) return showFormError(form, localError({ satisfaction: "请选择回访满意度。" }));
    }
    try {
      try {
        await busy(send, () => createRecord("supervisions", body));
      } catch (err) {
        // a second identical reminder today: the server asks first
        const dup = err?.data?.repeat;
        if (dup?.code !== "duplicate_today" || !(await confirmDialog("再次督办提醒", dup.message, "再次发出"))) throw err;
        await busy(send, () => createRecord("supervisions", { ...body, repeat: true }));
      }
      toast(kind.value === "follow_up" ? "回访已记录。" : "督办记录已发出。", "ok");
      await ctx.reload();
    } catch (err) {
      showFormError(form, err);
    }
  });
  return h("div", h("button.btn.wide", { type: "button", dataset: { action: "supervise" }, onclick: () => holder.replaceChildren(...(holder.firstChild ? [] : [form])) }, "督办提醒 / 通报批评 / 问责 / 回访"), holder);
}
