// The application's facts: who applies, about what, to whom, and every
// date and deadline it has reached.

import { h, fmtDate, fmtDateTime } from "../../ui.js";
import { applicantKindLabel, categoryLabel, talkFormLabel, wf, label } from "../../vocab.js";
import { orgName, userWithTitle } from "../../directory.js";

/** The 基本情况 card. */
export function factsCard({ story, dir }) {
  const app = story.app;
  const stageRows = (wf?.stages || []).flatMap((s) => [
    [s.label + "期限", fmtDate(app[s.field])],
    s.stop ? [s.label + "时间", fmtDateTime(app[s.stop])] : ["", ""],
  ]);
  const rows = [
    ["退回", app.status === "draft" && app.returned_at ? `已退回（${fmtDateTime(app.returned_at)}）：${app.return_reason || ""}` : ""],
    ["满意度", app.dissatisfied ? "不满意（待重办或说明理由后销号）" : ""],
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
    ...stageRows,
    ["延期申请", app.extension_state ? `${label(wf?.extensionStates, app.extension_state)}：至 ${fmtDate(app.extension_due)}，${app.extension_reason || ""}` : ""],
    ["销号时间", fmtDateTime(app.closed_at)],
  ].filter(([k, v]) => k && v);
  return h("section.card", { id: "facts" }, h("h2", "基本情况"), h("dl.facts", rows.map(([k, v]) => [h("dt", k), h("dd", v)])));
}
