// The workflow as the server defines it (GET /api/workflow): labels, the
// transition table and the edit table. Nothing here re-states a rule; it
// reads the server's table and applies it the way workflow.Available does.

import { get } from "./api.js";
import { parseDate, ymd, todayYMD } from "./ui.js";

const KEY = "yuetan.workflow";

/** @type {any} */
export let wf = JSON.parse(localStorage.getItem(KEY) || "null");

/**
 * Loads the workflow: the saved copy at once when there is one (refreshed
 * from the server in the background), else from the server.
 */
export async function loadWorkflow() {
  const fresh = get("/api/workflow", { timeout: 8000 }).then((w) => {
    wf = w;
    localStorage.setItem(KEY, JSON.stringify(w));
    return w;
  });
  if (wf) {
    fresh.catch(() => {});
    return wf;
  }
  return fresh;
}

const lookup = (list, v) => (list || []).find((o) => o.value === v)?.label || v || "";

export const statusLabel = (s) => lookup(wf?.statuses, s);
export const roleLabel = (r) => lookup(wf?.roles, r);
export const categoryLabel = (c) => lookup(wf?.categories, c);
export const talkFormLabel = (f) => lookup(wf?.talkForms, f);
export const satisfactionLabel = (s) => lookup(wf?.satisfaction, s);
export const isOpen = (s) => wf?.open?.[s] ?? true;

export const applicantKinds = [
  { value: "community", label: "社区" },
  { value: "cooperative", label: "股份经济合作社" },
  { value: "residents", label: "居民联名（10人以上）" },
];
export const applicantKindLabel = (k) => lookup(applicantKinds, k);

export const issueKinds = [
  { value: "problem", label: "问题" },
  { value: "suggestion", label: "意见建议" },
];
export const issueSources = [
  { value: "door_to_door", label: "入户走访" },
  { value: "meeting", label: "恳谈会议" },
  { value: "hotline", label: "热线" },
  { value: "other", label: "其他" },
];
export const issueStatuses = [
  { value: "open", label: "待处理" },
  { value: "in_application", label: "已纳入约谈申请" },
  { value: "resolved", label: "已解决" },
  { value: "closed", label: "已办结" },
];
export const meetingKinds = [
  { value: "wuju", label: "物居恳谈会" },
  { value: "xiaoxiang", label: "小巷公议会" },
  { value: "other", label: "其他会议" },
];
export const outcomes = [
  { value: "on_spot", label: "现场解决" },
  { value: "assigned", label: "交办解决" },
  { value: "explained", label: "解释说明" },
];
export const supervisionKinds = [
  { value: "reminder", label: "督办提醒" },
  { value: "overdue", label: "超期" },
  { value: "bulletin", label: "督查通报" },
  { value: "closed", label: "销号" },
  { value: "criticism", label: "通报批评" },
  { value: "accountability", label: "问责" },
];
export const label = (list, v) => lookup(list, v);

/** The application fields people see, by name. */
export const fieldLabels = {
  status: "状态",
  decision_note: "处理意见",
  urgent: "特殊约谈事项（紧急）",
  litigation_or_petition: "涉法涉访",
  assigned_leader: "接受约谈的领导",
  schedule_due: "新的商定期限",
  postpone_reason: "延期理由（书面说明）",
  subject: "约谈事项",
  category: "内容类别",
  description: "情况说明",
  request: "约谈诉求",
  target_leader: "约谈对象",
  talk_form: "约谈形式",
  applicant_kind: "约谈主体",
  contact_name: "联系人",
  contact_phone: "联系电话",
  affected_count: "涉及群众人数",
  issues: "关联问题",
};

/** The workflow's view of a user (superusers are not app users). */
export function actorOf(user) {
  return { id: user.id, role: user.role, org: user.org || "" };
}

/** Whether actor acts within scope on application (workflow.InScope). */
export function inScope(scope, actor, app) {
  switch (scope) {
    case "community":
      return actor.role === "working_group" || (!!actor.org && actor.org === app.community);
    case "street":
      return !!actor.org && actor.org === app.street;
    case "assigned_leader":
      return !!actor.id && actor.id === app.assigned_leader;
    case "handling_unit":
      return !!actor.org && actor.org === app.handling_unit;
  }
  return true;
}

/** The moves user may make now on application (workflow.Available). */
export function available(app, user) {
  if (!wf || !user) return [];
  const actor = actorOf(user);
  return wf.transitions.filter((t) => t.from === app.status && t.roles.includes(actor.role) && inScope(t.scope, actor, app));
}

/** The running deadline of an application in its status, or "". */
export function dueOf(app) {
  const field = wf?.deadlines?.[app.status];
  return field ? app[field] || "" : "";
}

/**
 * The colour of a deadline: "red" overdue, "amber" within one working day
 * (nextWorkday: the next working day after today, YYYY-MM-DD), "green"
 * otherwise, "" without a deadline.
 */
export function dueColour(due, nextWorkday) {
  const d = parseDate(due);
  if (!d) return "";
  if (d.getTime() < Date.now()) return "red";
  const day = ymd(d);
  if (day <= (nextWorkday || todayYMD())) return "amber";
  return "green";
}

/** The next working day after today (YYYY-MM-DD), from the server's calendar; cached per day. */
export async function nextWorkday() {
  const today = todayYMD();
  const cached = JSON.parse(localStorage.getItem("yuetan.nextWorkday") || "null");
  if (cached && cached.today === today) return cached.next;
  try {
    const r = await get(`/api/calendar/add?from=${today}&days=1`, { timeout: 5000 });
    localStorage.setItem("yuetan.nextWorkday", JSON.stringify({ today, next: r.date }));
    return r.date;
  } catch {
    return today;
  }
}

/** The roles that use the offline field app. */
export const fieldRoles = ["grid_worker", "community_staff"];
