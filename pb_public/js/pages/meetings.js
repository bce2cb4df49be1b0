// Field app: the community's collection meetings (物居恳谈会, 小巷公议会 …).

import { me } from "../api.js";
import { h, mount, field, select, fmtDate, fmtDateTime, showFormError, toast, empty, ymd, dateInputToPB, todayYMD, confirmDialog, liveCheck, localError } from "../ui.js";
import * as store from "../db.js";
import { mutate, outboxStates } from "../sync.js";
import { liveLocal } from "../live.js";
import { meetingKinds, label } from "../vocab.js";
import { navigate, leaveGuard } from "../router.js";
import { syncBadge } from "../widgets/syncbadge.js";
import { keepDraft, formValues, restoreValues, draftsOf, resumeCard, openDraft } from "../drafts.js";

export async function meetingsPage(main) {
  const list = h("div.list");
  async function draw() {
    const [meetings, issues, states] = await Promise.all([store.all("meetings"), store.all("issues"), outboxStates()]);
    const counts = {};
    for (const i of issues) if (i.meeting) counts[i.meeting] = (counts[i.meeting] || 0) + 1;
    meetings.sort((a, b) => String(b.held_on).localeCompare(String(a.held_on)));
    mount(
      list,
      meetings.length
        ? meetings.map((m) =>
            h(
              "a.item",
              { href: `#/meetings/${m.id}` },
              h(
                "div",
                h("div.item-title", m.title || label(meetingKinds, m.kind)),
                h("div.item-meta", h("span", fmtDate(m.held_on)), m.attendees ? h("span", `${m.attendees} 人参加`) : null, h("span", `收集问题 ${counts[m.id] || 0} 条`)),
              ),
              h("div.item-side", h("span.badge", label(meetingKinds, m.kind)), syncBadge("meetings", m, states)),
            ),
          )
        : empty("还没有会议记录。"),
    );
  }
  const drafts = await draftsOf("meeting-new");
  mount(
    main,
    h("div.page-head", h("h1", "恳谈会议"), h("a.btn.primary", { href: "#/meetings/new" }, "＋ 记录会议")),
    resumeCard(drafts, { title: `未完成的会议记录（${drafts.length}）`, href: (d) => `#/meetings/new?draft=${d.key.split("/")[1]}` }),
    list,
  );
  const updates = liveLocal(draw, ["meetings"]);
  await updates.now();
  return updates;
}

export async function meetingFormPage(main, { id }) {
  const isNew = !id;
  const m = isNew ? { kind: "wuju", held_on: todayYMD() } : await store.getRecord("meetings", id);
  if (!m) {
    mount(main, h("div.page-error", "会议记录不存在。"));
    return;
  }
  const kind = select("kind", meetingKinds, m.kind, { empty: null });
  const title = h("input", { name: "title", maxlength: 200, value: m.title || "", placeholder: "例如：划船社区物居恳谈会（排涝专题）" });
  const heldOn = h("input", { name: "held_on", type: "date", required: true, value: ymd(m.held_on) || m.held_on || "" });
  const attendees = h("input", { name: "attendees", type: "number", min: 0, step: 1, value: m.attendees ?? "" });
  const notes = h("textarea", { name: "notes", maxlength: 5000, rows: 4 }, m.notes || "");
  const form = h(
    "form.card",
    { novalidate: true },
    h("div.form-error", { hidden: true }),
    h("div.form-grid", field("会议类型", kind), field("日期", heldOn), field("参加人数", attendees)),
    field("会议名称", title),
    field("会议记录", notes),
    h(
      "div.form-actions",
      h("button.btn.primary", { type: "submit" }, "保存"),
      h("a.btn", { href: "#/meetings" }, "取消"),
      isNew ? null : h("a.btn", { href: `#/issues/new?meeting=${id}` }, "登记本次会议的问题"),
      isNew ? null : h("button.btn.danger", { type: "button", onclick: remove }, "删除"),
    ),
  );
  const checker = liveCheck(form, {
    held_on: (v) => (v ? "" : "请填写会议日期。"),
    attendees: (v) => (v === "" || (Number.isInteger(Number(v)) && Number(v) >= 0) ? "" : "参加人数应为不小于 0 的整数。"),
  });
  const { key, draft, form: draftKind } = await openDraft("meeting", id);
  if (draft) restoreValues(form, draft.data.fields || {});
  const kept = keepDraft({
    key,
    form: draftKind,
    what: isNew ? "这条会议记录" : "对会议记录的修改",
    snapshot: () => ({ title: title.value.trim() || label(meetingKinds, kind.value), data: { fields: formValues(form) } }),
  });
  form.addEventListener("input", () => kept.changed());
  form.addEventListener("change", () => kept.changed());

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const errs = checker.check();
    if (Object.keys(errs).length) return showFormError(form, localError(errs, "请检查标红的内容。"));
    const n = attendees.value === "" ? null : Number(attendees.value);
    const data = { kind: kind.value, title: title.value.trim(), held_on: dateInputToPB(heldOn.value), attendees: n, notes: notes.value.trim() };
    try {
      if (isNew) await mutate("meetings", "create", null, { ...data, community: me().org });
      else await mutate("meetings", "update", id, data);
      await kept.done();
      toast("已保存。", "ok");
      navigate("/meetings");
    } catch (err) {
      showFormError(form, err);
    }
  });
  async function remove() {
    if (!(await confirmDialog("删除会议记录", "确定删除这条会议记录吗？", "删除", { kind: "danger" }))) return;
    await mutate("meetings", "delete", id);
    await kept.done();
    navigate("/meetings");
  }
  mount(
    main,
    h("div.page-head", h("h1", isNew ? "记录会议" : "会议详情"), h("a.back", { href: "#/meetings" }, "← 返回列表")),
    draft ? h("p.note", { id: "draft-restored" }, `已恢复 ${fmtDateTime(draft.savedAt)} 未保存的内容。`) : null,
    form,
  );
  return () => {
    kept.stop();
    leaveGuard(null);
  };
}
