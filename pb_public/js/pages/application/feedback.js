// The handling units' feedback, its approval and the applicant's reply.

import { h, fmtDate } from "../../ui.js";
import { getFileToken, fileUrl } from "../../api.js";
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
        proofList(f),
      ),
    ),
  );
}

const isImage = (name) => /\.(jpe?g|png|webp|gif|heic)$/i.test(name);

/** The feedback's proof of work: thumbnails of photos, links to documents. */
function proofList(f) {
  const names = f.proof || [];
  if (!names.length) return null;
  const list = h("ul.proof", { dataset: { count: String(names.length) } });
  getFileToken()
    .then((token) =>
      list.replaceChildren(
        ...names.map((n) =>
          h(
            "li",
            h(
              "a",
              { href: fileUrl("feedback", f.id, n, { token }), target: "_blank", rel: "noopener" },
              isImage(n) ? h("img", { src: fileUrl("feedback", f.id, n, { token, thumb: "320x240" }), alt: "办理佐证照片", loading: "lazy" }) : n,
            ),
          ),
        ),
      ),
    )
    .catch(() => list.replaceChildren(h("li.muted", `${names.length} 个佐证文件（暂时无法加载）`)));
  return h("div.proof-block", h("h3", "办理佐证"), list);
}
