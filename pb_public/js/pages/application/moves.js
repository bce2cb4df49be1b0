// The form of each move — the fields it needs — and the write it makes: a
// plain record save, which the server's hooks check against the transition
// table. Moves that change the application take their fields from the
// table (t.fields); the talk and feedback moves have forms of their own.

import { createRecord, updateRecord } from "../../api.js";
import {
  h, field, select, fmtDate, showFormError, clearFormError, toast, busy, todayYMD, addDays, ymd, confirmDialog,
  dateInputToPB, dateTimeInputToPB, pbToDateTimeInput, parseDate, localError,
} from "../../ui.js";
import { wf, statusLabel, outcomes, fieldLabels } from "../../vocab.js";
import { leaders, departments, handlersOf } from "../../directory.js";
import { syncNow } from "../../sync.js";

/** The form of one move: the fields it needs, and the write it makes. */
export function actionForm(ctx, t) {
  const { story, dir } = ctx;
  const app = story.app;
  const inputs = {};
  const parts = [];
  const add = (name, label, input, hint) => {
    inputs[name] = input;
    parts.push(field(label, input, hint));
  };
  const noteLabels = {
    street_resolve: "街道解决情况", forward: "街道审核意见", return: "退回理由", accept: "受理意见", decline: "不予受理理由",
    notify: "交办说明", delegate: "指定说明", close: app.dissatisfied ? "销号理由（不满意事项须写明）" : "销号意见",
    approve_extension: "审批意见", refuse_extension: "不同意延期的理由", redo: "重办要求（不满意的原因）",
  };
  const openTalk = [...story.talks].reverse().find((x) => !x.outcome);
  const pendingFb = [...story.feedback].reverse().find((x) => x.leader_decision === "pending");
  const approvedFb = [...story.feedback].reverse().find((x) => x.leader_decision === "approved" && !x.replied_on);
  const leaderOptions = (exclude) => leaders(dir).filter((l) => l.value !== exclude);
  let proof = null; // the feedback's proof-of-work files

  if (t.via === "applications.update") {
    for (const f of t.fields) {
      if (f === "decision_note") add(f, noteLabels[t.action] || "处理意见", h("textarea", { name: f, rows: 3, required: t.noteRequired || (t.action === "close" && !!app.dissatisfied) }));
      else if (f === "urgent") parts.push(h("div.field", h("label.choice", (inputs[f] = h("input", { type: "checkbox", name: f, checked: !!app.urgent })), "特殊约谈事项（紧急）")));
      else if (f === "litigation_or_petition")
        parts.push(h("div.field", h("label.choice", (inputs[f] = h("input", { type: "checkbox", name: f, checked: !!app.litigation_or_petition })), "涉法涉访（按一般来信处理）")));
      else if (f === "assigned_leader") {
        const exclude = t.action === "delegate" ? app.assigned_leader : "";
        const dflt = t.action === "delegate" ? "" : app.assigned_leader || app.target_leader;
        add(f, t.action === "delegate" ? "指定接受约谈的领导" : "接受约谈的领导", select(f, leaderOptions(exclude), dflt, { required: true }));
      } else if (f === "schedule_due") {
        const base = ymd(app.schedule_due) || todayYMD();
        add(f, "新的商定期限", h("input", { type: "date", name: f, required: true, min: addDays(base, 1), value: addDays(base, 5) }), "须晚于原期限 " + fmtDate(app.schedule_due));
      } else if (f === "postpone_reason") add(f, "延期理由（书面说明）", h("textarea", { name: f, rows: 3, required: true }));
      else if (f.endsWith("_ack_at")) parts.push(h("p.muted", "签收即确认已收到交办，签收时间由系统记录；期限不因签收而改变。"));
      else if (f === "extension_due") {
        const base = ymd(app.handling_due) || todayYMD();
        add(f, "申请延期至", h("input", { type: "date", name: f, required: true, min: addDays(base, 1), value: addDays(base, 10) }), "须晚于原办结时限 " + fmtDate(app.handling_due));
      } else if (f === "extension_reason") add(f, "延期理由", h("textarea", { name: f, rows: 3, required: true }));
      else if (f === "extension_state") parts.push(h("p", `申请延期至 ${fmtDate(app.extension_due)}（原时限 ${fmtDate(app.handling_due)}）：${app.extension_reason || ""}`));
      else if (f === "handling_due") add(f, "新的办结时限", h("input", { type: "date", name: f, required: true, min: addDays(todayYMD(), 1), value: addDays(todayYMD(), 15) }));
      else add(f, fieldLabels[f] || f, h("input", { name: f }));
    }
  } else if (t.action === "schedule") {
    const tomorrow = ctx.next || addDays(todayYMD(), 1); // the next working day
    add("scheduled_at", "约谈时间", h("input", { type: "datetime-local", name: "scheduled_at", required: true, value: `${tomorrow}T09:30` }));
    add("place", "约谈地点", h("input", { name: "place", required: true, maxlength: 200, placeholder: "例如：划船社区会议室" }));
    add("form", "约谈形式", select("form", wf.talkForms, app.talk_form || "visit", { empty: null, required: true }));
    add("participants", "参加人员", h("textarea", { name: "participants", rows: 2, placeholder: "社区、居民代表、相关部门" }));
  } else if (t.action === "resolve_on_spot" || t.action === "assign") {
    if (!openTalk) return h("div.action-form", h("p.warn", "找不到待记录的约谈安排。"));
    // the agreed time if it has passed, else now: a talk is recorded once held
    const scheduled = parseDate(openTalk.scheduled_at);
    const heldDefault = scheduled && scheduled < new Date() ? openTalk.scheduled_at : new Date().toISOString();
    add("held_at", "实际约谈时间", h("input", { type: "datetime-local", name: "held_at", required: true, value: pbToDateTimeInput(heldDefault), max: pbToDateTimeInput(new Date().toISOString()) }));
    add("participants", "参加人员", h("textarea", { name: "participants", rows: 2 }, openTalk.participants || ""));
    add("record", "群众反映的主要问题", h("textarea", { name: "record", rows: 4, required: true }));
    add("response", "领导答复及处理意见", h("textarea", { name: "response", rows: 4, required: true }));
    add("recorder", "记录人", h("input", { name: "recorder", maxlength: 50 }));
    if (t.action === "resolve_on_spot") {
      add("outcome", "办理结果", select("outcome", outcomes.filter((o) => o.value !== "assigned"), "on_spot", { empty: null }));
    } else {
      const unit = select("handling_unit", departments(dir), "", { required: true, empty: "请选择承办单位" });
      const resp = select("responsible", [], "", { required: true, empty: "请先选择承办单位" });
      unit.addEventListener("change", () => {
        const opts = handlersOf(dir, unit.value);
        resp.replaceChildren(h("option", { value: "" }, opts.length ? "请选择责任人" : "该单位没有承办人账号"), ...opts.map((o) => h("option", { value: o.value }, o.label)));
        if (opts.length === 1) resp.value = opts[0].value;
      });
      add("handling_unit", "承办单位", unit);
      add("responsible", "责任人", resp);
      add("handling_due", "办结时限", h("input", { type: "date", name: "handling_due", required: true, min: addDays(todayYMD(), 1), value: addDays(todayYMD(), 20) }));
    }
  } else if (t.action === "submit_feedback") {
    add("measures", "办理措施", h("textarea", { name: "measures", rows: 3 }));
    add("result", "办理结果", h("textarea", { name: "result", rows: 4, required: true }));
    add("completed_on", "完成日期", h("input", { type: "date", name: "completed_on", value: todayYMD(), max: todayYMD() }));
    proof = h("input", { type: "file", name: "proof", multiple: true, accept: "image/*,application/pdf,.doc,.docx,.xls,.xlsx" });
    parts.push(field("办理佐证（现场照片、文件，最多 10 个，每个 5 MB 以内）", proof));
  } else if (t.action === "approve_feedback" || t.action === "return_feedback") {
    if (!pendingFb) return h("div.action-form", h("p.warn", "找不到待审核的反馈。"));
    add("leader_comment", t.action === "return_feedback" ? "退回意见" : "审核意见", h("textarea", { name: "leader_comment", rows: 3, required: t.noteRequired }));
  } else if (t.action === "reply") {
    if (!approvedFb) return h("div.action-form", h("p.warn", "找不到已审核同意的反馈。"));
    add("replied_on", "答复日期", h("input", { type: "date", name: "replied_on", value: todayYMD(), max: todayYMD() }));
    const sat = h(
      "div.choices",
      wf.satisfaction.map((s) => h("label.choice", h("input", { type: "radio", name: "satisfaction", value: s.value }), s.label)),
    );
    inputs.satisfaction = sat;
    parts.push(h("div.field", h("label", "约谈主体满意度", h("span.req", " *")), sat));
    add("applicant_comment", "约谈主体意见", h("textarea", { name: "applicant_comment", rows: 2 }));
  }

  const send = h(t.caution ? "button.btn.caution" : "button.btn.primary", { type: "submit" }, "确认" + t.label);
  const form = h(
    t.caution ? "form.action-form.caution" : "form.action-form",
    { novalidate: true, dataset: { form: t.action } },
    h("div.form-error", { hidden: true }),
    h("p.muted.small", `${statusLabel(t.from)} → ${statusLabel(t.to)}`, t.days ? `；将起算 ${t.days} 个工作日期限` : ""),
    t.caution ? h("p.small.caution-text", t.caution) : null,
    parts,
    h("div.form-actions", send, h("button.btn", { type: "button", onclick: () => (form.remove(), (ctx.openAction = ""), ctx.stale && ctx.reload()) }, "取消")),
  );

  const value = (name) => {
    const el = inputs[name];
    if (!el) return undefined;
    if (el.classList?.contains("choices")) return el.querySelector("input:checked")?.value || "";
    if (el.type === "checkbox") return el.checked;
    return el.value.trim();
  };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFormError(form);
    const missing = {};
    for (const [name, el] of Object.entries(inputs)) {
      const required = el.required || (name === "satisfaction");
      if (required && !value(name)) missing[name] = "请填写此项。";
    }
    if (Object.keys(missing).length) return showFormError(form, localError(missing, "请填写标红的必填项。"));
    const files = [...(proof?.files || [])];
    if (files.length > 10) return showFormError(form, localError({ proof: "办理佐证最多 10 个文件。" }));
    const big = files.find((f) => f.size > 5 << 20);
    if (big) return showFormError(form, localError({ proof: `文件“${big.name}”超过 5 MB，请压缩后重试。` }));
    if (t.caution) {
      // a move that undoes or refuses is confirmed first
      const ok = await confirmDialog(`确认${t.label}？`, h("div", h("p", t.caution), h("p.muted.small", `“${app.subject}”：${statusLabel(t.from)} → ${statusLabel(t.to)}`)), t.label, { kind: "danger" });
      if (!ok) return;
    }
    try {
      await busy(send, () => perform(ctx, t, value, { openTalk, pendingFb, approvedFb, files }), "正在提交…");
      ctx.openAction = "";
      toast(`已完成：${t.label}。`, "ok");
      if (ctx.isField) syncNow();
      await ctx.reload();
    } catch (err) {
      showFormError(form, err);
    }
  });
  return form;
}

/** Makes the write of move t (a plain record save: the server's hooks decide). */
async function perform(ctx, t, value, { openTalk, pendingFb, approvedFb, files = [] }) {
  const app = ctx.story.app;
  if (ctx.isField) await syncNow(); // the tablet's queued edits go first
  switch (t.via) {
    case "applications.update": {
      const body = { ...(t.sets || {}) };
      if (t.from !== t.to) body.status = t.to;
      for (const f of t.fields) {
        if (f.endsWith("_ack_at")) body[f] = new Date().toISOString(); // the server records its own time
        const v = value(f);
        if (v === undefined) continue;
        if (["schedule_due", "extension_due", "handling_due"].includes(f)) body[f] = dateInputToPB(v);
        else if (typeof v === "boolean") {
          if (v !== !!app[f]) body[f] = v;
        } else if (v !== "" || t.noteRequired) body[f] = v;
      }
      return updateRecord("applications", app.id, body);
    }
    case "talks.create":
      return createRecord("talks", {
        application: app.id,
        scheduled_at: dateTimeInputToPB(value("scheduled_at")),
        place: value("place"),
        form: value("form"),
        participants: value("participants"),
      });
    case "talks.update": {
      const body = {
        held_at: dateTimeInputToPB(value("held_at")),
        participants: value("participants"),
        record: value("record"),
        response: value("response"),
        recorder: value("recorder"),
        outcome: t.action === "assign" ? "assigned" : value("outcome") || "on_spot",
      };
      if (t.action === "assign") {
        body.handling_unit = value("handling_unit");
        body.responsible = value("responsible");
        body.handling_due = dateInputToPB(value("handling_due"));
      }
      return updateRecord("talks", openTalk.id, body);
    }
    case "feedback.create": {
      const fields = { application: app.id, measures: value("measures"), result: value("result"), completed_on: dateInputToPB(value("completed_on")) };
      if (!files.length) return createRecord("feedback", fields);
      const body = new FormData();
      for (const [k, v] of Object.entries(fields)) body.append(k, v);
      for (const f of files) body.append("proof", f);
      return createRecord("feedback", body);
    }
    case "feedback.update":
      if (t.action === "reply") {
        return updateRecord("feedback", approvedFb.id, {
          replied_on: dateInputToPB(value("replied_on") || todayYMD()),
          satisfaction: value("satisfaction"),
          applicant_comment: value("applicant_comment"),
        });
      }
      return updateRecord("feedback", pendingFb.id, {
        leader_decision: t.action === "approve_feedback" ? "approved" : "returned",
        leader_comment: value("leader_comment"),
      });
  }
  throw new Error("未知的办理动作：" + t.action);
}

export { localError };
