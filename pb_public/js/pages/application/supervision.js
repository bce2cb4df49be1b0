// The supervision office's records about the application.

import { h, fmtDateTime } from "../../ui.js";
import { label, supervisionKinds, wf } from "../../vocab.js";
import { userName, orgName } from "../../directory.js";

/** The 督办记录 card. */
export function supervisionCard({ story, dir }) {
  if (!story.supervisions.length) return null;
  return h(
    "section.card",
    { id: "supervisions" },
    h("h2", "督办记录"),
    h(
      "ol.timeline",
      story.supervisions.map((s) =>
        h("li", h("div.when", fmtDateTime(s.created), s.created_by ? " · " + userName(dir, s.created_by) : " · 系统（期限提醒）", s.target_user || s.target_org ? " → " + (s.target_user ? userName(dir, s.target_user) : orgName(dir, s.target_org)) : ""), h("div.what", label(supervisionKinds, s.kind), s.satisfaction ? "：" + label(wf.satisfaction, s.satisfaction) : ""), s.note ? h("div.note-text", s.note) : null),
      ),
    ),
  );
}
