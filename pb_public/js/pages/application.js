// One application's whole story: its facts, talks, feedback, linked issues
// with photos, supervision records, the forms to print, the timeline from
// `events`, and exactly the moves the transition table allows the signed-in
// user now, each with the fields it needs. Live: it reloads when any of its
// records change. Field users offline see the tablet's copy.

import { me, getRecord, listAll, createRecord, updateRecord, ApiError, errorMessage, fileUrl } from "../api.js";
import {
  h, mount, field, select, fmtDate, fmtDateTime, showFormError, clearFormError, toast, busy, todayYMD, addDays, ymd,
  dateInputToPB, dateTimeInputToPB, pbToDateTimeInput, empty, parseDate,
} from "../ui.js";
import {
  wf, available, inScope, actorOf, statusLabel, categoryLabel, talkFormLabel, applicantKindLabel, satisfactionLabel, dueOf, nextWorkday,
  outcomes, label, supervisionKinds, issueKinds, fieldRoles, fieldLabels,
} from "../vocab.js";
import { directory, orgName, userName, userWithTitle, leaders, departments, handlersOf } from "../directory.js";
import { subscribe, onReconnect } from "../realtime.js";
import { serial } from "../live.js";
import { storedThumb } from "../widgets/photos.js";
import { printLink, openWithToken } from "../widgets/print.js";
import { dueChip } from "./queue.js";
import * as store from "../db.js";
import { syncNow, onDataChange } from "../sync.js";

const NOT_FOUND = "约谈申请不存在或您无权查看。";

/** Loads everything the page shows, from the server (or the tablet when offline). */
async function loadStory(id, offline) {
  if (offline) {
    const app = await store.getRecord("applications", id);
    if (!app) throw new ApiError(404, NOT_FOUND);
    const [talks, feedback, issues, signatures] = await Promise.all(
      ["talks", "feedback", "issues", "signatures"].map((c) => store.all(c).then((rs) => rs.filter((r) => r.application === id || (c === "issues" && (app.issues || []).includes(r.id))))),
    );
    return { app, talks, feedback, issues, signatures, events: [], supervisions: [], offline: true };
  }
  const app = await getRecord("applications", id).catch((e) => {
    if (e.status === 404 || e.status === 403) throw new ApiError(404, NOT_FOUND);
    throw e;
  });
  const f = `application = "${id}"`;
  const quiet = (p) => p.catch(() => []);
  const [talks, feedback, events, supervisions, issues, signatures] = await Promise.all([
    quiet(listAll("talks", { filter: f, sort: "created" })),
    quiet(listAll("feedback", { filter: f, sort: "created" })),
    quiet(listAll("events", { filter: f, sort: "created" })),
    quiet(listAll("supervisions", { filter: f, sort: "created" })),
    quiet(listAll("issues", { filter: f })),
    app.applicant_kind === "residents" ? quiet(listAll("signatures", { filter: f, fields: "id,name,address,signed_at" })) : [],
  ]);
  return { app, talks, feedback, events, supervisions, issues, signatures, offline: false };
}

export async function applicationPage(main, { id }) {
  const user = me();
  const isField = fieldRoles.includes(user.role);
  const [dir, next] = await Promise.all([directory(), nextWorkday()]);
  let story;
  let openAction = "";

  let stale = false;

  /**
   * Loads and draws the story. A quiet load (a realtime change) never
   * redraws under an open form — the person may be half-way through it; the
   * page is redrawn when the form is submitted or cancelled.
   */
  let generation = 0; // the newest load started: only its answer is drawn
  async function load({ quiet = false } = {}) {
    const mine = ++generation;
    const offline = isField && !navigator.onLine;
    let fresh = null;
    try {
      fresh = await loadStory(id, offline);
    } catch (e) {
      if (isField && (e.network || e.status === 404)) fresh = await loadStory(id, true).catch(() => null);
      if (mine !== generation) return;
      if (!fresh) {
        if (quiet && story) return;
        mount(main, h("div.page-error", { role: "alert", id: "app-error" }, errorMessage(e)), h("p", h("a", { href: "#/" }, "返回")));
        return;
      }
    }
    if (mine !== generation) return; // a newer load (after a later change) is under way
    if (quiet && main.querySelector(".action-form")) {
      stale = true;
      return;
    }
    stale = false;
    story = fresh;
    draw();
  }

  function draw() {
    const { app } = story;
    const due = dueOf(app);
    const moves = story.offline ? [] : available(app, user);
    mount(
      main,
      h(
        "div.card",
        h(
          "div.app-head",
          h("span.badge", app.serial || "未编号"),
          h(`span.badge.status${app.status === "closed" ? ".closed" : ""}`, { id: "app-status", dataset: { status: app.status } }, statusLabel(app.status)),
          app.urgent ? h("span.badge.urgent", "特殊约谈事项") : null,
          app.litigation_or_petition ? h("span.badge.urgent", "涉法涉访") : null,
          due ? dueChip(due, next) : null,
          h("h1", app.subject),
          h("span.muted", `${orgName(dir, app.community)} · ${applicantKindLabel(app.applicant_kind)} · ${categoryLabel(app.category)}`),
        ),
        story.offline ? h("p.warn", "离线：显示本机保存的内容，办理过程和办理动作需联网后查看。") : null,
      ),
      h(
        "div.cols",
        h("div", factsCard(app), talksCard(), feedbackCard(), issuesCard(), timelineCard()),
        h("div", actionsCard(moves), formsCard(app), supervisionCard()),
      ),
    );
    if (openAction) main.querySelector(`[data-action="${openAction}"]`)?.click();
  }

  function factsCard(app) {
    const rows = [
      ["约谈主体", `${applicantKindLabel(app.applicant_kind)}（${orgName(dir, app.community)}）`],
      ["所属街道", orgName(dir, app.street)],
      ["联系人", [app.contact_name, app.contact_phone].filter(Boolean).join(" ")],
      ["内容类别", categoryLabel(app.category)],
      ["约谈对象", userWithTitle(dir, app.target_leader)],
      ["接受约谈领导", app.assigned_leader && app.assigned_leader !== app.target_leader ? userWithTitle(dir, app.assigned_leader) : ""],
      ["希望约谈形式", talkFormLabel(app.talk_form)],
      ["涉及群众", app.affected_count ? `${app.affected_count} 人` : ""],
      ["居民签名", app.applicant_kind === "residents" ? `${new Set(story.signatures.map((s) => s.name + "|" + s.address)).size} 位` : ""],
      ["情况说明", app.description],
      ["约谈诉求", app.request],
      ["处理意见", app.decision_note],
      ["延期说明", app.postpone_reason],
      ["承办单位", orgName(dir, app.handling_unit)],
      ["报送时间", fmtDateTime(app.submitted_at)],
      ["受理时间", fmtDateTime(app.accepted_at)],
      ["审核期限", fmtDate(app.review_due)],
      ["送达期限", fmtDate(app.notice_due)],
      ["商定期限", fmtDate(app.schedule_due)],
      ["办结时限", fmtDate(app.handling_due)],
      ["销号时间", fmtDateTime(app.closed_at)],
    ].filter(([, v]) => v);
    return h("section.card", h("h2", "基本情况"), h("dl.facts", rows.map(([k, v]) => [h("dt", k), h("dd", v)])));
  }

  function talksCard() {
    if (!story.talks.length) return null;
    return h(
      "section.card",
      { id: "talks" },
      h("h2", "约谈情况"),
      story.talks.map((t) =>
        h(
          "dl.facts",
          [
            ["约谈时间", fmtDateTime(t.scheduled_at)],
            ["地点", t.place],
            ["形式", talkFormLabel(t.form)],
            ["约谈领导", userWithTitle(dir, t.leader)],
            ["参加人员", t.participants],
            ["实际约谈", fmtDateTime(t.held_at)],
            ["群众反映", t.record],
            ["领导答复", t.response],
            ["办理结果", label(outcomes, t.outcome)],
            ["承办单位", orgName(dir, t.handling_unit)],
            ["责任人", userWithTitle(dir, t.responsible)],
            ["办结时限", fmtDate(t.handling_due)],
            ["记录人", t.recorder],
          ]
            .filter(([, v]) => v)
            .map(([k, v]) => [h("dt", k), h("dd", v)]),
        ),
      ),
    );
  }

  function feedbackCard() {
    if (!story.feedback.length) return null;
    const decision = { pending: "待领导审核", approved: "同意", returned: "退回重新办理" };
    return h(
      "section.card",
      { id: "feedback" },
      h("h2", "办理反馈"),
      story.feedback.map((f, i) =>
        h(
          "div",
          i ? h("hr") : null,
          h(
            "dl.facts",
            [
              ["承办单位", orgName(dir, f.unit)],
              ["填报人", userName(dir, f.submitted_by)],
              ["办理措施", f.measures],
              ["办理结果", f.result],
              ["完成日期", fmtDate(f.completed_on)],
              ["领导审核", decision[f.leader_decision] || ""],
              ["审核意见", f.leader_comment],
              ["答复日期", fmtDate(f.replied_on)],
              ["满意度", satisfactionLabel(f.satisfaction)],
              ["约谈主体意见", f.applicant_comment],
            ]
              .filter(([, v]) => v)
              .map(([k, v]) => [h("dt", k), h("dd", v)]),
          ),
        ),
      ),
    );
  }

  function issuesCard() {
    if (!story.issues.length) return null;
    return h(
      "section.card",
      { id: "issues" },
      h("h2", `关联问题（${story.issues.length}）`),
      h(
        "div.list",
        story.issues.map((i) =>
          h(
            "div",
            h("div.item-title", i.title, " ", h("span.badge", label(issueKinds, i.kind))),
            h("div.item-meta", [i.address, i.resident_name, fmtDate(i.collected_at)].filter(Boolean).map((x) => h("span", x))),
            i.description ? h("p.small", i.description) : null,
            (i.photos || []).length ? h("div.photos", i.photos.map((p) => storedThumb("issues", i.id, p))) : null,
          ),
        ),
      ),
    );
  }

  function timelineCard() {
    if (story.offline) return null;
    const actionLabel = (a) => wf.transitions.find((t) => t.action === a)?.label || { create: "新建约谈申请" }[a] || a;
    return h(
      "section.card",
      { id: "timeline" },
      h("h2", "办理过程"),
      story.events.length
        ? h(
            "ol.timeline",
            story.events.map((e) =>
              h(
                "li",
                h("div.when", fmtDateTime(e.created), " · ", e.actor_name || "系统"),
                h("div.what", actionLabel(e.action), e.to_status ? h("span.muted", `（${statusLabel(e.from_status) || "新建"} → ${statusLabel(e.to_status)}）`) : null),
                e.note ? h("div.note-text", e.note) : null,
              ),
            ),
          )
        : h("p.muted", "暂无记录。"),
    );
  }

  function supervisionCard() {
    if (!story.supervisions.length) return null;
    return h(
      "section.card",
      { id: "supervisions" },
      h("h2", "督办记录"),
      h(
        "ol.timeline",
        story.supervisions.map((s) =>
          h("li", h("div.when", fmtDateTime(s.created), s.created_by ? " · " + userName(dir, s.created_by) : ""), h("div.what", label(supervisionKinds, s.kind)), s.note ? h("div.note-text", s.note) : null),
        ),
      ),
    );
  }

  function formsCard(app) {
    if (story.offline) return null;
    const reached = (s) => wf.statuses.findIndex((x) => x.value === app.status) >= wf.statuses.findIndex((x) => x.value === s);
    const heldTalk = story.talks.some((t) => t.outcome);
    const forms = [
      ["application", "群众约谈登记申报表", app.status !== "draft" || true],
      ["signatures", "居民联名签名表", app.applicant_kind === "residents"],
      ["notice", "群众约谈交办通知单", !!app.accepted_at],
      ["talk", "群众约谈情况登记表", heldTalk],
      ["feedback", "群众约谈事项办理情况反馈表", story.feedback.length > 0],
    ].filter(([, , ok]) => ok);
    // the copies the server stored as each stage was reached, and the signed scan
    const archived = [
      app.archive_pdf ? protectedLink("applications", app.id, app.archive_pdf, "登记申报表（报送时）", "archive") : null,
      app.notice_pdf ? protectedLink("applications", app.id, app.notice_pdf, "交办通知单（受理时）", "notice-archive") : null,
      ...story.talks.filter((t) => t.archive_pdf).map((t) => protectedLink("talks", t.id, t.archive_pdf, "情况登记表（约谈后）", "talk-archive")),
      ...story.feedback.filter((f) => f.archive_pdf).map((f) => protectedLink("feedback", f.id, f.archive_pdf, "反馈表（审核后）", "feedback-archive")),
      app.signed_scan ? protectedLink("applications", app.id, app.signed_scan, "盖章扫描件", "scan") : null,
    ].filter(Boolean);
    return h(
      "section.card",
      { id: "forms" },
      h("h2", "打印表格"),
      h(
        "div.forms-list",
        forms.map(([form, title]) => printLink(`/api/forms/${form}/${app.id}`, title, { dataset: { form } })),
      ),
      h("p.muted.small", "在新窗口打开 PDF，可直接打印、签字盖章后归档。"),
      archived.length ? [h("h3", "存档副本"), h("div.forms-list", archived)] : null,
    );
  }

  /** A link to a protected file, opened with a fresh file token. */
  function protectedLink(collection, recordId, name, text, kind) {
    return h("button.btn.small", { type: "button", dataset: { file: kind }, onclick: () => openWithToken(fileUrl(collection, recordId, name)) }, text);
  }

  // ---- actions -------------------------------------------------------------
  function actionsCard(moves) {
    if (story.offline) return null;
    const box = h("div.actions", { id: "actions" });
    const seen = new Set();
    for (const t of moves) {
      if (seen.has(t.action)) continue;
      seen.add(t.action);
      box.append(actionButton(t));
    }
    if (user.role === "supervisor" && story.app.status !== "closed") {
      box.append(superviseButton());
    }
    for (const b of editButtons()) box.append(b);
    if (!box.children.length) box.append(h("p.muted", "当前环节没有需要您办理的事项。"));
    return h("section.card", h("h2", "办理"), box);
  }

  function actionButton(t) {
    const holder = h("div");
    // moves that change the status are the main ones; in-place ones (delegate, postpone) are secondary
    const btn = h(
      t.from === t.to ? "button.btn.wide" : "button.btn.primary.wide",
      {
        type: "button",
        dataset: { action: t.action },
        onclick: () => {
          if (holder.firstChild) {
            holder.replaceChildren();
            openAction = "";
            return;
          }
          main.querySelectorAll(".action-form").forEach((f) => f.remove());
          openAction = t.action;
          holder.append(actionForm(t));
          holder.querySelector("input,textarea,select")?.focus();
        },
      },
      t.label,
    );
    return h("div", btn, holder);
  }

  /** The plain edits the edit table (workflow.Edits) allows this user now. */
  function allowedEdit(collection, fields) {
    const app = story.app;
    return wf.edits.some(
      (e) =>
        e.collection === collection &&
        e.roles.includes(user.role) &&
        (!e.statuses.length || e.statuses.includes(app.status)) &&
        fields.every((f) => e.fields.includes(f)) &&
        inScope(e.scope, actorOf(user), app),
    );
  }

  function editButtons() {
    const out = [];
    const app = story.app;
    const talk = [...story.talks].reverse().find((x) => !x.outcome);
    // the leader may change the arrangement until the talk is recorded
    if (talk && allowedEdit("talks", ["scheduled_at", "place", "form", "participants"])) {
      out.push(toggle("edit_talk", "修改约谈安排", () => editTalkForm(talk)));
    }
    // the community attaches the signed and stamped paper copy at any stage
    if (allowedEdit("applications", ["signed_scan"])) {
      out.push(toggle("signed_scan", app.signed_scan ? "更换盖章扫描件" : "上传盖章扫描件", () => scanForm()));
    }
    return out;
  }

  function toggle(action, text, make) {
    const holder = h("div");
    const btn = h("button.btn.wide", {
      type: "button",
      dataset: { action },
      onclick: () => {
        if (holder.firstChild) return holder.replaceChildren();
        main.querySelectorAll(".action-form").forEach((f) => f.remove());
        holder.append(make());
      },
    }, text);
    return h("div", btn, holder);
  }

  function editTalkForm(talk) {
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
        await load();
      } catch (err) {
        showFormError(form, err);
      }
    });
    return form;
  }

  function scanForm() {
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
        await busy(send, () => updateRecord("applications", id, body), "正在上传…");
        toast("扫描件已上传归档。", "ok");
        await load();
      } catch (err) {
        showFormError(form, err);
      }
    });
    return form;
  }

  function superviseButton() {
    const holder = h("div");
    const kind = select("kind", supervisionKinds.filter((k) => ["reminder", "criticism", "accountability"].includes(k.value)), "reminder", { empty: null });
    const note = h("textarea", { name: "note", rows: 3, required: true, placeholder: "督办内容" });
    const send = h("button.btn.primary", { type: "submit" }, "发出");
    const form = h("form.action-form", { novalidate: true }, h("div.form-error", { hidden: true }), field("督办方式", kind), field("督办内容", note), h("div.form-actions", send));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!note.value.trim()) return showFormError(form, localError({ note: "请填写督办内容。" }));
      try {
        await busy(send, () => createRecord("supervisions", { application: id, kind: kind.value, note: note.value.trim() }));
        toast("督办记录已发出。", "ok");
        await load();
      } catch (err) {
        showFormError(form, err);
      }
    });
    return h("div", h("button.btn.wide", { type: "button", dataset: { action: "supervise" }, onclick: () => holder.replaceChildren(...(holder.firstChild ? [] : [form])) }, "督办提醒 / 通报批评 / 问责"), holder);
  }

  /** The form of one move: the fields it needs, and the write it makes. */
  function actionForm(t) {
    const app = story.app;
    const inputs = {};
    const parts = [];
    const add = (name, label, input, hint) => {
      inputs[name] = input;
      parts.push(field(label, input, hint));
    };
    const noteLabels = {
      street_resolve: "街道解决情况", forward: "街道审核意见", return: "退回理由", accept: "受理意见", decline: "不予受理理由",
      notify: "交办说明", delegate: "指定说明", close: "销号意见",
    };
    const openTalk = [...story.talks].reverse().find((x) => !x.outcome);
    const pendingFb = [...story.feedback].reverse().find((x) => x.leader_decision === "pending");
    const approvedFb = [...story.feedback].reverse().find((x) => x.leader_decision === "approved" && !x.replied_on);
    const leaderOptions = (exclude) => leaders(dir).filter((l) => l.value !== exclude);

    if (t.via === "applications.update") {
      for (const f of t.fields) {
        if (f === "decision_note") add(f, noteLabels[t.action] || "处理意见", h("textarea", { name: f, rows: 3, required: t.noteRequired }));
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
        else add(f, fieldLabels[f] || f, h("input", { name: f }));
      }
    } else if (t.action === "schedule") {
      const tomorrow = addDays(todayYMD(), 1);
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

    const send = h("button.btn.primary", { type: "submit" }, "确认" + t.label);
    const form = h(
      "form.action-form",
      { novalidate: true, dataset: { form: t.action } },
      h("div.form-error", { hidden: true }),
      h("p.muted.small", `${statusLabel(t.from)} → ${statusLabel(t.to)}`, t.days ? `；将起算 ${t.days} 个工作日期限` : ""),
      parts,
      h("div.form-actions", send, h("button.btn", { type: "button", onclick: () => (form.remove(), (openAction = ""), stale && load()) }, "取消")),
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
      try {
        await busy(send, () => perform(t, value, { openTalk, pendingFb, approvedFb }), "正在提交…");
        openAction = "";
        toast(`已完成：${t.label}。`, "ok");
        if (isField) syncNow();
        await load();
      } catch (err) {
        showFormError(form, err);
      }
    });
    return form;
  }

  /** Makes the write of move t (a plain record save: the server's hooks decide). */
  async function perform(t, value, { openTalk, pendingFb, approvedFb }) {
    const app = story.app;
    if (isField) await syncNow(); // the tablet's queued edits go first
    switch (t.via) {
      case "applications.update": {
        const body = {};
        if (t.from !== t.to) body.status = t.to;
        for (const f of t.fields) {
          const v = value(f);
          if (v === undefined) continue;
          if (f === "schedule_due") body[f] = dateInputToPB(v);
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
      case "feedback.create":
        return createRecord("feedback", {
          application: app.id,
          measures: value("measures"),
          result: value("result"),
          completed_on: dateInputToPB(value("completed_on")),
        });
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

  await load();
  const again = serial(async () => {
    if (main.querySelector(".action-form")) stale = true;
    else await load({ quiet: true });
  }, 300);
  const offs = [again.stop];
  if (!isField || navigator.onLine) {
    const mine = (m) => m.record?.application === id && again();
    offs.push(subscribe(`applications/${id}`, again), subscribe("talks/*", mine), subscribe("feedback/*", mine), subscribe("events/*", mine), onReconnect(again));
  }
  if (isField) offs.push(onDataChange(() => story?.offline && load()));
  return () => offs.forEach((f) => f());
}

function localError(fields, message) {
  return { message: message || Object.values(fields)[0], fieldMessages: () => fields };
}
