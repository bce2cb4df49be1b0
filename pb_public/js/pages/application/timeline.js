// The audit trail (events): every move, who made it and its note.

import { h, fmtDateTime } from "../../ui.js";
import { wf, statusLabel } from "../../vocab.js";

/** The 办理过程 card (online only). */
export function timelineCard({ story }) {
  if (story.offline) return null;
  // an action may have rows in several statuses (签收 by the leader, by the unit): the event's own first
  const actionLabel = (e) =>
    (wf.transitions.find((t) => t.action === e.action && t.from === e.from_status) || wf.transitions.find((t) => t.action === e.action))?.label ||
    { create: "新建约谈申请" }[e.action] || e.action;
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
              h("div.what", actionLabel(e), e.to_status && e.to_status !== e.from_status ? h("span.muted", `（${statusLabel(e.from_status) || "新建"} → ${statusLabel(e.to_status)}）`) : null),
              e.note ? h("div.note-text", e.note) : null,
            ),
          ),
        )
      : h("p.muted", "暂无记录。"),
  );
}
