// The supervision office's records about the application.

import { h, fmtDateTime } from "../../ui.js";
import { label, supervisionKinds } from "../../vocab.js";
import { userName } from "../../directory.js";

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
        h("li", h("div.when", fmtDateTime(s.created), s.created_by ? " · " + userName(dir, s.created_by) : ""), h("div.what", label(supervisionKinds, s.kind)), s.note ? h("div.note-text", s.note) : null),
      ),
    ),
  );
}
