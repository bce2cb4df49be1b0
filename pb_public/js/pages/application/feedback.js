// The handling units' feedback, its approval and the applicant's reply.

import { h, fmtDate } from "../../ui.js";
import { satisfactionLabel, label, leaderDecisions } from "../../vocab.js";
import { orgName, userName } from "../../directory.js";

/** The 办理反馈 card (none before feedback is filed). */
export function feedbackCard({ story, dir }) {
  if (!story.feedback.length) return null;
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
            ["领导审核", label(leaderDecisions, f.leader_decision)],
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
