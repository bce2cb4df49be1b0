// The workflow as the server defines it (GET /api/workflow): the whole
// vocabulary (every value a field takes and its label), the transition
// table and the edit table. Nothing here re-states a rule or a label; it
// reads the server's and applies them the way workflow.Available does.

import { get } from "./api.js";
import { parseDate, ymd, todayYMD } from "./ui.js";

const KEY = "yuetan.workflow";

/** @type {any} */
export let wf = null;

// The vocabularies, as the server serves them ({value, label} lists). They
// are live bindings: filled when the workflow is loaded, before any page.
export let applicantKinds = [];
export let issueKinds = [];
export let issueSources = [];
export let issueStatuses = [];
export let meetingKinds = [];
export let outcomes = [];
export let supervisionKinds = [];
export let leaderDecisions = [];
export let leaderRanks = [];
/** The application fields people see, by name. */
export let fieldLabels = {};
/** The deadlines people see, by field. */
export let deadlineLabels = {};

function adopt(w) {
  wf = w;
  ({ applicantKinds, issueKinds, issueSources, issueStatuses, meetingKinds, outcomes, supervisionKinds, leaderDecisions, leaderRanks, fieldLabels, deadlineLabels } = w);
  return w;
}

// a saved copy from an older server (without the whole vocabulary) is not used
const saved = JSON.parse(localStorage.getItem(KEY) || "null");
if (saved?.eligibility) adopt(saved);

/**
 * Loads the workflow: the saved copy at once when there is one (refreshed
 * from the server in the background), else from the server.
 */
export async function loadWorkflow() {
  const fresh = get("/api/workflow", { timeout: 8000 }).then((w) => {
    localStorage.setItem(KEY, JSON.stringify(w));
    return adopt(w);
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

export const applicantKindLabel = (k) => lookup(applicantKinds, k);
export const label = (list, v) => lookup(list, v);

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

/** The application's value of field as the server compares it (workflow.Subject.Fields). */
const fieldString = (app, f) => (app[f] === undefined || app[f] === null ? "" : String(app[f]));

/** Whether application meets move t's conditions (workflow.Transition.Holds). */
export function holds(t, app) {
  return Object.entries(t.when || {}).every(([f, want]) =>
    want.startsWith("!") ? fieldString(app, f) !== want.slice(1) : fieldString(app, f) === want,
  );
}

/** The moves user may make now on application (workflow.Available). */
export function available(app, user) {
  if (!wf || !user) return [];
  const actor = actorOf(user);
  return wf.transitions.filter((t) => t.from === app.status && t.roles.includes(actor.role) && inScope(t.scope, actor, app) && holds(t, app));
}

/** The plain edits user may make now on application (workflow.AllowedEdits). */
export function allowedEdits(app, user) {
  if (!wf || !user) return [];
  const actor = actorOf(user);
  return wf.edits.filter((e) => e.roles.includes(actor.role) && (!e.statuses.length || e.statuses.includes(app.status)) && inScope(e.scope, actor, app));
}

/** Whether user may change these fields of collection on application now. */
export function editAllowed(collection, fields, app, user) {
  return allowedEdits(app, user).some((e) => e.collection === collection && fields.every((f) => e.fields.includes(f)));
}

/** The clocks running on an application now (the deadline table, workflow.Stages). */
export function runningStages(app) {
  return (wf?.stages || []).filter((s) => s.status === app.status && (!s.stop || !app[s.stop]));
}

/** The application date fields of every clock, for list queries. */
export const stageFields = () => [...new Set((wf?.stages || []).flatMap((s) => [s.field, s.stop].filter(Boolean)))];

/** The earliest running deadline of an application, or "". */
export function dueOf(app) {
  const dues = runningStages(app).map((s) => app[s.field]).filter(Boolean).sort();
  return dues[0] || "";
}

/** Whether the application waits for its holder's 签收. */
export const awaitsAck = (app) => runningStages(app).some((s) => s.stop);

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

/**
 * How many working days the deadline `due` is overdue now, by the server's
 * calendar (GET /api/calendar/late: the count the figures and the
 * bulletin print); the deadlines asked for in one turn of the event loop
 * go in one request. Resolves to null when the server cannot be asked.
 */
let lateBatch = null;
export function workdaysLate(due) {
  if (!lateBatch) {
    const batch = (lateBatch = { dues: new Set(), promise: null });
    batch.promise = Promise.resolve().then(async () => {
      lateBatch = null;
      try {
        return (await get(`/api/calendar/late?due=${encodeURIComponent([...batch.dues].join(","))}`, { timeout: 5000 })).late || {};
      } catch {
        return {};
      }
    });
  }
  lateBatch.dues.add(due);
  return lateBatch.promise.then((late) => late[due] ?? null);
}

/**
 * The requirements of a submission (workflow.CheckEligibility, read from
 * the server's table): the failed ones in order as {code, field, kind,
 * message}, kind "bad" (stops it), "hint" or "ok", led by the server's
 * "eligible" message when none stops it. coSigners: distinct residents.
 */
export function eligibility(a, coSigners, orgKind) {
  const n = (m) => m.replace(/%\[1\]d/g, wf.minCoSigners).replace(/%\[2\]d/g, coSigners).replace(/%\[3\]d/g, wf.minCoSigners - coSigners);
  const count = (v) => (Array.isArray(v) ? v.length : typeof v === "string" ? (v.trim() ? 1 : 0) : v ? 1 : 0);
  const out = [];
  for (const r of wf.eligibility) {
    const v = a[r.field];
    const fail = (message) => out.push({ code: r.code, field: r.field, kind: r.advice ? "hint" : "bad", message });
    switch (r.test) {
      case "filled":
        if (!count(v)) fail(r.message);
        break;
      case "unset":
        if (count(v)) fail(r.message);
        break;
      case "few":
        if (count(v) > r.max) fail(r.message);
        break;
      case "fits_org": {
        const fit = wf.fitsOrg[orgKind];
        const kind = String(v || "").trim();
        if (fit && kind && !fit.kinds.includes(kind)) fail(fit.message);
        break;
      }
      case "co_signers":
        if (a.applicant_kind !== "residents") break;
        if (coSigners < wf.minCoSigners) fail(n(r.message));
        else out.push({ code: r.code, field: r.field, kind: "ok", message: n(r.met) });
        break;
    }
  }
  if (!out.some((c) => c.kind === "bad")) out.unshift({ code: "eligible", field: "", kind: "ok", message: wf.eligible });
  return out;
}

/** The roles that use the offline field app. */
export const fieldRoles = ["grid_worker", "community_staff"];
