// The app shell: sign-in, the header and navigation for the user's role,
// the field app's sync status bar, and the routes.

import {
  me, signIn, signOut, refreshAuth, errorMessage, onAuthChange, onUnauthorized, expireSession, sessionExpired, rememberPlace, takeReturnPlace,
} from "./api.js";
import { h, mount, busy, fmtTime, fmtDateTime, showFormError, field, confirmDialog } from "./ui.js";
import { loadWorkflow, roleLabel, fieldRoles, available, dueOf, dueColour, nextWorkday } from "./vocab.js";
import { route, start, navigate, render } from "./router.js";
import { startSync, onSyncChange, syncNow, initialData, syncState, onDataChange } from "./sync.js";
import { disconnect, subscribe, onReconnect } from "./realtime.js";
import { serial } from "./live.js";
import { directory, orgName, forgetDirectory } from "./directory.js";
import * as store from "./db.js";

import { issuesPage, issueFormPage } from "./pages/issues.js";
import { meetingsPage, meetingFormPage } from "./pages/meetings.js";
import { fieldAppsPage, composePage, signaturesPage, toDo } from "./pages/field_apps.js";
import { syncPage } from "./pages/sync_page.js";
import { queuePage, allPage, loadApplications } from "./pages/queue.js";
import { refreshMenuCount } from "./reminders.js";
import { applicationPage } from "./pages/application/index.js";
import { overduePage } from "./pages/overdue.js";
import { figuresPage } from "./pages/figures.js";
import { inboxPage, unreadCount } from "./pages/inbox.js";

const root = document.getElementById("app");
const isField = () => fieldRoles.includes(me()?.role);
const isOffice = () => ["working_group", "supervisor"].includes(me()?.role);
const mayFigures = () => ["working_group", "supervisor", "leader"].includes(me()?.role);

// ---- routes ----------------------------------------------------------------
/** Field pages read the tablet's copy: the first time, wait for the first download. */
const local = (page) => async (main, params) => {
  if (isField() && !syncState().lastSync) {
    mount(main, h("p.muted", { role: "status" }, "正在下载本社区的数据，请稍候…"));
    await initialData();
    main.replaceChildren();
  }
  return page(main, params);
};

route("/login", loginPage, { name: "login", public: true });
route("/issues", local(issuesPage), { name: "issues", field: true });
route("/issues/new", local(issueFormPage), { name: "issue-new", field: true });
route("/issues/:id", local(issueFormPage), { name: "issue", field: true });
route("/meetings", local(meetingsPage), { name: "meetings", field: true });
route("/meetings/new", local(meetingFormPage), { name: "meeting-new", field: true });
route("/meetings/:id", local(meetingFormPage), { name: "meeting", field: true });
route("/apps", local(fieldAppsPage), { name: "apps", field: true });
route("/apps/new", local(composePage), { name: "compose", field: true });
route("/apps/:id/edit", local(composePage), { name: "compose", field: true });
route("/apps/:id/signatures", local(signaturesPage), { name: "signatures", field: true });
route("/sync", syncPage, { name: "sync", field: true });
route("/queue", queuePage, { name: "queue", console: true });
route("/all", allPage, { name: "all", console: true });
route("/overdue", overduePage, { name: "overdue", console: true, office: true });
route("/figures", figuresPage, { name: "figures", console: true, figures: true });
route("/app/:id", local(applicationPage), { name: "application" });
route("/inbox", inboxPage, { name: "inbox" });

/** Where each role starts: its to-do (community staff: their applications; grid workers collect issues). */
const home = () => (!me() ? "/login" : me().role === "community_staff" ? "/apps" : isField() ? "/issues" : "/queue");

function guard(r) {
  markNav();
  if (r.public) return me() ? home() : null;
  if (!me()) {
    rememberPlace(); // a link that needs signing in: come back to it afterwards
    return "/login";
  }
  if (r.field && !isField()) return home();
  if (r.console && isField()) return home();
  if (r.office && !isOffice()) return home();
  if (r.figures && !mayFigures()) return home();
  return null;
}

// ---- shell -------------------------------------------------------------------
const header = h("header.topbar");
const statusBar = h("div.statusbar", { hidden: true });
const main = h("main#main", { tabindex: "-1" });
mount(root, header, statusBar, main);
// the status bar and banners stick right below the header, whatever its height
new ResizeObserver(() => document.documentElement.style.setProperty("--topbar-h", header.offsetHeight + "px")).observe(header);

function navItems() {
  const u = me();
  if (!u) return [];
  if (isField()) {
    const items = [
      ["/issues", "问题收集"],
      ["/meetings", "恳谈会议"],
      ["/apps", u.role === "grid_worker" ? "居民联名" : "约谈申请"],
      ["/sync", "同步记录"],
      ["/inbox", "通知"],
    ];
    return items;
  }
  const items = [
    ["/queue", "待我办理"],
    ["/all", "全部申请"],
  ];
  if (isOffice()) items.push(["/overdue", "超期督办"]);
  if (mayFigures()) items.push(["/figures", "统计"]);
  items.push(["/inbox", "通知"]);
  return items;
}

// ---- the inbox's unread count on its menu entry, live --------------------------
let unread = 0;
const inboxBadge = () => header.querySelector("#nav-inbox-count");
function drawUnread() {
  const b = inboxBadge();
  if (!b) return;
  b.textContent = String(unread);
  b.dataset.count = String(unread);
  b.hidden = !unread;
}
const refreshUnread = serial(async () => {
  if (!me() || !navigator.onLine) return;
  unread = await unreadCount();
  drawUnread();
}, 200);
function watchInbox() {
  subscribe("notifications/*", refreshUnread);
  onReconnect(refreshUnread);
  refreshUnread.now();
}

async function renderHeader() {
  const u = me();
  const links = navItems().map(([path, text]) =>
    h(
      "a.nav-link",
      { href: "#" + path, dataset: { path } },
      h("span", text),
      // the inbox keeps its own unread count (live over realtime); the others' counts are showCounts'
      path === "/inbox" ? h("span.badge.unread#nav-inbox-count", { "aria-label": "未读通知" }) : h("span.count", { hidden: true, "aria-label": "" }),
    ),
  );
  let who = null;
  if (u) {
    const org = h("span");
    directory()
      .then((d) => (org.textContent = orgName(d, u.org)))
      .catch(() => {});
    who = h(
      "div.who",
      h("span.who-name", u.name),
      h("span.who-role", roleLabel(u.role), " · ", org),
      h("button.btn.small.ghost", { type: "button", onclick: logout }, "退出"),
    );
  }
  mount(header, h("a.brand", { href: "#" + home() }, h("img", { src: "icons/icon.svg", alt: "" }), h("span", "群众约谈")), h("nav.nav", links), who);
  drawUnread();
  markNav();
  if (u && !isField()) refreshMenuCount();
  showCounts();
}

// ---- the counts on the menu tabs ---------------------------------------------
/** path → {n, alert, title}: what waits behind each tab. */
let counts = {};

function showCounts() {
  for (const a of header.querySelectorAll(".nav-link")) {
    const c = counts[a.dataset.path];
    const el = a.querySelector(".count");
    if (!el) continue;
    el.hidden = !c || !c.n;
    el.textContent = c ? String(c.n) : "";
    el.classList.toggle("alert", !!c?.alert);
    el.setAttribute("aria-label", c?.title || "");
    a.title = c?.n ? c.title : "";
  }
}

/** The field app's counts, from the tablet's copy (works offline). */
async function fieldCounts() {
  const u = me();
  const [issues, apps] = await Promise.all([store.all("issues"), store.all("applications")]);
  const s = syncState();
  const open = issues.filter((i) => (i.status || "open") === "open" && !i.duplicate_of).length;
  const waiting = u.role === "community_staff" ? apps.filter((a) => toDo(a, u)).length : apps.filter((a) => a.status === "draft" && a.applicant_kind === "residents").length;
  const problems = s.rejected + s.conflicts;
  return {
    "/issues": { n: open, title: `${open} 条待处理的问题` },
    "/apps": { n: waiting, title: u.role === "community_staff" ? `${waiting} 件待办` : `${waiting} 份待收集签名` },
    "/sync": { n: s.pending + problems, alert: problems > 0 || !!s.notice, title: s.notice ? "服务器已从备份恢复，请查看" : problems ? `${problems} 条需处理` : `${s.pending} 条待同步` },
  };
}

/** The console's counts: the user's to-do and, for the offices, what is overdue. */
async function consoleCounts() {
  const u = me();
  const [apps, next] = await Promise.all([loadApplications('status != "closed"'), nextWorkday()]);
  const mine = apps.filter((a) => available(a, u).length).length;
  const overdue = apps.filter((a) => dueOf(a) && dueColour(dueOf(a), next) === "red").length;
  return {
    "/queue": { n: mine, title: `${mine} 件待办` },
    "/overdue": { n: overdue, alert: overdue > 0, title: `${overdue} 件已超期` },
  };
}

const recount = serial(async () => {
  if (!me()) return;
  try {
    counts = await (isField() ? fieldCounts() : consoleCounts());
  } catch (e) {
    if (!e.network) console.warn("counts:", errorMessage(e));
    return;
  }
  showCounts();
}, 300);

let counting = false;
/** Starts keeping the counts up to date (after the first page has drawn, so it never slows it). */
function startCounts() {
  if (counting || !me()) return;
  counting = true;
  recount.now();
  if (isField()) {
    onDataChange(() => recount());
    let last = "";
    onSyncChange((s) => {
      const k = `${s.pending}/${s.rejected}/${s.conflicts}`;
      if (k !== last) (last = k), recount();
    });
  } else {
    subscribe("applications/*", () => recount());
  }
}

function markNav() {
  const path = location.hash.replace(/^#/, "");
  header.querySelectorAll(".nav-link").forEach((a) => a.classList.toggle("active", path === a.dataset.path || path.startsWith(a.dataset.path + "/")));
}

function renderStatus(s) {
  if (!isField()) {
    statusBar.hidden = true;
    return;
  }
  statusBar.hidden = false;
  statusBar.dataset.mode = s.mode;
  const problems = s.rejected + s.conflicts;
  mount(
    statusBar,
    h(`span.net.${s.online ? "on" : "off"}`, { dataset: { online: String(s.online) } }, s.online ? "在线" : "离线"),
    h("span.pending", { dataset: { count: String(s.pending) } }, `待同步 ${s.pending} 条`),
    problems ? h("a.problems", { href: "#/sync", dataset: { count: String(problems) } }, `${problems} 条需处理`) : null,
    h("span.last", s.lastSync ? `上次同步 ${sameDay(s.lastSync) ? fmtTime(s.lastSync) : fmtDateTime(s.lastSync)}` : "尚未同步"),
    s.progress ? h("span.progress", s.progress) : null,
    s.error && !s.authExpired ? h("span.sync-error", { role: "alert" }, s.error) : null,
    s.authExpired ? [h("span.sync-error", { role: "alert" }, "登录已失效"), h("button.btn.small.primary", { type: "button", onclick: relogin }, "重新登录")] : null,
    h(
      "button.btn.small.sync-btn",
      { type: "button", disabled: s.syncing || !s.online, onclick: () => syncNow() },
      s.syncing ? "同步中…" : "同步",
    ),
  );
}
const sameDay = (iso) => new Date(iso).toDateString() === new Date().toDateString();

/** The session expired: sign in again (and come back here); the tablet's unsent edits stay in its database. */
function relogin() {
  disconnect();
  forgetDirectory();
  expireSession();
}

async function logout() {
  if (isField()) {
    const rows = await store.outboxAll().catch(() => []);
    if (rows.length) {
      const ok = await confirmDialog(
        "还有未同步的修改",
        `本机还有 ${rows.length} 条修改没有被服务器接收。退出后它们仍保存在本机，用同一账号再次登录即可继续同步。确定退出吗？`,
        "退出",
      );
      if (!ok) return;
    }
  }
  disconnect();
  forgetDirectory();
  signOut();
  location.hash = "#/login";
  location.reload();
}

// the console works online: say so when the network drops, and reload when it is back
const offlineBanner = h("div.page-error.offline-banner", { role: "alert", hidden: true }, "网络已断开：页面内容可能不是最新，办理动作需联网后进行。");
root.insertBefore(offlineBanner, main);
window.addEventListener("offline", () => (offlineBanner.hidden = !me() || isField()));
window.addEventListener("online", () => {
  if (!offlineBanner.hidden) {
    offlineBanner.hidden = true;
    render();
  }
});

// ---- sign-in ---------------------------------------------------------------
function loginPage(main) {
  const expired = sessionExpired();
  const email = h("input", { name: "identity", type: "email", autocomplete: "username", required: true, placeholder: "name@yuetan.example" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const button = h("button.btn.primary.wide", { type: "submit" }, "登录");
  const form = h(
    "form.card.login",
    { novalidate: true },
    h("h1", "群众约谈、干部解难"),
    h("p.muted", "网格员和社区工作人员登录后，平板离线也能收集问题；街道、专门工作小组、领导、承办单位和督查在线办理。"),
    expired ? h("p.warn", { id: "session-expired", role: "alert" }, "登录已失效，请重新登录。登录后回到刚才的页面。") : null,
    h("div.form-error", { hidden: true }),
    field("账号（邮箱）", email),
    field("密码", password),
    button,
    navigator.onLine ? null : h("p.warn", "当前离线：首次登录需要联网。"),
    h("p.muted.small", "超级管理员请使用", h("a", { href: "/_/" }, "管理后台"), "。"),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!email.value.trim() || !password.value) {
      return showFormError(form, { message: "请输入账号和密码。", fieldMessages: () => ({}) });
    }
    try {
      const user = await busy(button, () => signIn(email.value.trim(), password.value), "正在登录…");
      await boot();
      navigate(takeReturnPlace(user.id) || home(), { replace: true });
    } catch (err) {
      if (err.status === 400) err.message = "账号或密码不正确。";
      showFormError(form, err);
    }
  });
  mount(main, h("div.login-wrap", form));
  email.focus();
}

// ---- boot --------------------------------------------------------------------
let booted = false;

async function boot() {
  if (booted || !me()) {
    await renderHeader();
    return;
  }
  booted = true;
  if (isField()) {
    try {
      await startSync();
    } catch (e) {
      console.error(e);
      renderHeader();
      mount(main, h("div.page-error", { role: "alert" }, "这个浏览器不允许本应用在本机保存数据（例如处于无痕模式），离线功能无法使用。请用普通窗口打开，或联系管理员。"));
      throw e;
    }
    onSyncChange(renderStatus);
  }
  await renderHeader();
  watchInbox();
}

async function main_() {
  try {
    await loadWorkflow();
  } catch (e) {
    mount(main, h("div.page-error", { role: "alert" }, "无法连接服务器，且本机没有保存过应用数据：请联网后重新打开。"));
    return;
  }
  onAuthChange((a) => {
    if (!a && booted) {
      location.hash = "#/login";
      location.reload();
    }
  });
  // the console works online: a 401 means the session has ended (the field
  // app keeps working offline and offers 重新登录 on its status bar)
  onUnauthorized(() => {
    if (me() && !isField()) expireSession();
  });
  try {
    await boot();
  } catch {
    return;
  }
  if (me() && navigator.onLine) {
    // confirm the session in the background; offline the saved one is used
    refreshAuth()
      .then(() => renderHeader())
      .catch((e) => {
        if (!e.network) console.warn("auth refresh:", errorMessage(e));
      });
  }
  start(main, { fallback: home, before: guard, drawn: startCounts });
}

if ("serviceWorker" in navigator) {
  const hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.register("sw.js", { scope: "./" }).catch((e) => console.warn("service worker:", e));
  // a new version of the app was installed while this page was open
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (!hadController) return;
    const bar = h("div.toast.info.update", "应用已更新。", " ", h("button.btn.small", { type: "button", onclick: () => location.reload() }, "刷新使用新版本"));
    document.body.append(h("div.toasts", bar));
  });
}

main_();

export { render };
