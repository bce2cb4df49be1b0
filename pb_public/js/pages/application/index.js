// One application's whole story: its facts, talks, feedback, linked issues
// with photos, supervision records, the forms to print, the timeline from
// `events`, and exactly the moves the transition table allows the signed-in
// user now, each with the fields it needs. Live: it reloads when any of its
// records change. Field users offline see the tablet's copy. Each card is
// a module of this folder; ctx is what they share.

import { me, getRecord, listAll, ApiError, errorMessage } from "../../api.js";
import { h, mount } from "../../ui.js";
import { available, statusLabel, applicantKindLabel, categoryLabel, dueOf, nextWorkday, fieldRoles } from "../../vocab.js";
import { directory, orgName } from "../../directory.js";
import { subscribe, onReconnect } from "../../realtime.js";
import { serial } from "../../live.js";
import { dueChip } from "../queue.js";
import * as store from "../../db.js";
import { onDataChange } from "../../sync.js";
import { factsCard } from "./facts.js";
import { talksCard } from "./talks.js";
import { feedbackCard } from "./feedback.js";
import { issuesCard } from "./issues.js";
import { timelineCard } from "./timeline.js";
import { supervisionCard } from "./supervision.js";
import { formsCard } from "./forms.js";
import { actionsCard } from "./actions.js";

const NOT_FOUND = "约谈申请不存在或您无权查看。";

/** Loads everything the page shows, from the server (or the tablet when offline). */
async function loadStory(id, offline) {
  if (offline) {
    const app = await store.getRecord("applications", id);
    if (!app) throw new ApiError(404, NOT_FOUND);
    const [talks, feedback, issues, signatures] = await Promise.all(
      ["talks", "feedback", "issues", "signatures"].map((c) => store.all(c).then((rs) => rs.filter((r) => r.application === id || (c === "issues" && (app.issues || []).includes(r.id))))),
    );
    const neighbours = (await store.all("issues")).filter((i) => i.community === app.community);
    return { app, talks, feedback, issues, neighbours, signatures, events: [], supervisions: [], offline: true };
  }
  const app = await getRecord("applications", id).catch((e) => {
    if (e.status === 404 || e.status === 403) throw new ApiError(404, NOT_FOUND);
    throw e;
  });
  const f = `application = "${id}"`;
  const quiet = (p) => p.catch(() => []);
  const [talks, feedback, events, supervisions, issues, signatures, neighbours] = await Promise.all([
    quiet(listAll("talks", { filter: f, sort: "created" })),
    quiet(listAll("feedback", { filter: f, sort: "created" })),
    quiet(listAll("events", { filter: f, sort: "created" })),
    quiet(listAll("supervisions", { filter: f, sort: "created" })),
    quiet(listAll("issues", { filter: f })),
    app.applicant_kind === "residents" ? quiet(listAll("signatures", { filter: f, fields: "id,name,address,signed_at" })) : [],
    // the community's other issues the user may see, for the places around the linked ones
    quiet(listAll("issues", { filter: `community = "${app.community}"`, fields: "id,title,status,location,duplicate_of" })),
  ]);
  return { app, talks, feedback, events, supervisions, issues, neighbours, signatures, offline: false };
}

export async function applicationPage(main, { id }) {
  const user = me();
  const isField = fieldRoles.includes(user.role);
  const [dir, next] = await Promise.all([directory(), nextWorkday()]);
  /**
   * What the cards share: the story as last loaded, the move whose form is
   * open (redrawn open after a reload), whether a change arrived while a
   * form was open (stale), and reload().
   */
  const ctx = { id, user, isField, dir, next, main, story: null, openAction: "", stale: false, reload: () => load() };

  let generation = 0; // the newest load started: only its answer is drawn
  /**
   * Loads and draws the story. A quiet load (a realtime change) never
   * redraws under an open form — the person may be half-way through it; the
   * page is redrawn when the form is submitted or cancelled.
   */
  async function load({ quiet = false } = {}) {
    const mine = ++generation;
    const offline = isField && !navigator.onLine;
    let fresh = null;
    try {
      fresh = await loadStory(id, offline);
    } catch (e) {
      if (isField && (e.network || e.status === 404)) fresh = await loadStory(id, true).catch(() => null);
      if (mine !== generation) return;
      if (!fresh) {
        if (quiet && ctx.story) return;
        mount(main, h("div.page-error", { role: "alert", id: "app-error" }, errorMessage(e)), h("p", h("a", { href: "#/" }, "返回")));
        return;
      }
    }
    if (mine !== generation) return; // a newer load (after a later change) is under way
    if (quiet && main.querySelector(".action-form")) {
      ctx.stale = true;
      return;
    }
    ctx.stale = false;
    ctx.story = fresh;
    draw();
  }

  function draw() {
    const { app } = ctx.story;
    const due = dueOf(app);
    const moves = ctx.story.offline ? [] : available(app, user);
    mount(
      main,
      h(
        "div.card",
        h(
          "div.app-head",
          h("span.badge", app.serial || "未编号"),
          h(`span.badge.status${app.status === "closed" ? ".closed" : ""}`, { id: "app-status", dataset: { status: app.status } }, statusLabel(app.status)),
          app.urgent ? h("span.badge.urgent", "特殊约谈事项") : null,
          app.litigation_or_petition ? h("span.badge.urgent", "涉法涉访") : null,
          due ? dueChip(due, next) : null,
          h("h1", app.subject),
          h("span.muted", `${orgName(dir, app.community)} · ${applicantKindLabel(app.applicant_kind)} · ${categoryLabel(app.category)}`),
        ),
        ctx.story.offline ? h("p.warn", "离线：显示本机保存的内容，办理过程和办理动作需联网后查看。") : null,
      ),
      h(
        "div.cols",
        h("div", factsCard(ctx), talksCard(ctx), feedbackCard(ctx), issuesCard(ctx), timelineCard(ctx)),
        h("div", actionsCard(ctx, moves), formsCard(ctx), supervisionCard(ctx)),
      ),
    );
    if (ctx.openAction) main.querySelector(`[data-action="${ctx.openAction}"]`)?.click();
  }

  await load();
  const again = serial(async () => {
    if (main.querySelector(".action-form")) ctx.stale = true;
    else await load({ quiet: true });
  }, 300);
  const offs = [again.stop];
  if (!isField || navigator.onLine) {
    const mine = (m) => m.record?.application === id && again();
    offs.push(subscribe(`applications/${id}`, again), subscribe("talks/*", mine), subscribe("feedback/*", mine), subscribe("events/*", mine), onReconnect(again));
  }
  if (isField) offs.push(onDataChange(() => ctx.story?.offline && load()));
  return () => offs.forEach((f) => f());
}
