// The forms to print and the archive copies the server stored.

import { fileUrl } from "../../api.js";
import { h } from "../../ui.js";
import { printLink, openWithToken } from "../../widgets/print.js";

/** The 打印表格 card (online only). */
/** Who may print the co-signature sheet's archive copy (the residents' phones in full): those who may read the signatures. */
const seesSigners = ["grid_worker", "community_staff", "street_reviewer", "working_group", "supervisor"];

export function formsCard({ story, user }) {
  const app = story.app;
  if (story.offline) return null;
  const heldTalk = story.talks.some((t) => t.outcome);
  const forms = [
    ["application", "群众约谈登记申报表", true],
    ["signatures", "居民联名签名表", app.applicant_kind === "residents"],
    ["notice", "群众约谈交办通知单", !!app.accepted_at],
    ["talk", "群众约谈情况登记表", heldTalk],
    ["feedback", "群众约谈事项办理情况反馈表", story.feedback.length > 0],
  ].filter(([, , ok]) => ok);
  // the copies the server stored as each stage was reached (or is still making: the move
  // queued it and the worker has not stored it yet), and the signed scan
  const archived = [
    archiveCopy("applications", app, "archive_pdf", "登记申报表（报送时）", "archive"),
    // the sheet above circulates with the phones masked; this copy is for the files
    app.applicant_kind === "residents" && seesSigners.includes(user.role) && (user.role !== "grid_worker" || app.status === "draft")
      ? printLink(`/api/forms/signatures/${app.id}?copy=archive`, "居民联名签名表（存档件，含完整电话）", { dataset: { file: "signatures-archive" } })
      : null,
    archiveCopy("applications", app, "notice_pdf", "交办通知单（受理时）", "notice-archive"),
    ...story.talks.map((t) => archiveCopy("talks", t, "archive_pdf", "情况登记表（约谈后）", "talk-archive")),
    ...story.feedback.map((f) => archiveCopy("feedback", f, "archive_pdf", "反馈表（审核后）", "feedback-archive")),
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
    h("p.muted.small", "在新窗口打开 PDF，可直接打印、签字盖章后归档。", app.applicant_kind === "residents" ? "居民联名签名表传阅时电话隐去中间四位，完整号码只印在存档件上。" : ""),
    archived.length ? [h("h3", "存档副本"), h("div.forms-list", archived)] : null,
  );
}

/**
 * The archive copy in rec's field: its link once stored, 存档副本生成中 while the move's
 * queued copy is being made (archive_pending; live reload swaps in the link), else nothing.
 */
export function archiveCopy(collection, rec, field, text, kind) {
  if (rec[field]) return protectedLink(collection, rec.id, rec[field], text, kind);
  if (![].concat(rec.archive_pending || []).includes(field)) return null;
  return h("span.btn.small.pending", { dataset: { file: kind, pending: "" }, title: "提交后由服务器生成，稍候自动出现" }, `${text}：存档副本生成中`);
}

/** A link to a protected file, opened with a fresh file token. */
export function protectedLink(collection, recordId, name, text, kind) {
  return h("button.btn.small", { type: "button", dataset: { file: kind }, onclick: () => openWithToken(fileUrl(collection, recordId, name)) }, text);
}
