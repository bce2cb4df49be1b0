// The talks held or arranged for the application.

import { h, fmtDate, fmtDateTime } from "../../ui.js";
import { talkFormLabel, outcomes, label } from "../../vocab.js";
import { orgName, userWithTitle } from "../../directory.js";

/** The 约谈情况 card (none before a talk is arranged). */
export function talksCard({ story, dir }) {
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
