// The collected issues the application is made of, with their photos.

import { h, fmtDate } from "../../ui.js";
import { label, issueKinds } from "../../vocab.js";
import { storedThumb } from "../../widgets/photos.js";

/** The 关联问题 card. */
export function issuesCard({ story }) {
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
