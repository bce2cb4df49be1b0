// Console: "what awaits me" — the applications on which the transition
// table lets the signed-in user act now, sorted by deadline and coloured by
// time left — and the list of every application the user may see. Both
// update live through the realtime subscription.

import { me, listAll } from "../api.js";
import { h, mount, fmtDate, fmtDateTime, parseDate, empty, debounce, select, filter } from "../ui.js";
import { available, statusLabel, dueOf, dueColour, nextWorkday, wf, applicantKindLabel, isOpen, stageFields, awaitsAck, label, supervisionKinds, workdaysLate } from "../vocab.js";
import { remindersFor, byApplication, showMenuCount } from "../reminders.js";
import { directory, orgName, userName, streets } from "../directory.js";
import { live } from "../live.js";

const FIELDS =
  "id,serial,subject,status,community,street,applicant_kind,category,target_leader,assigned_leader,handling_unit,urgent,litigation_or_petition," +
  "dissatisfied,returned_at,return_reason,extension_state,extension_due,submitted_at,updated,created";

/** Every application the user may read (the collection's list rule decides). */
export const loadApplications = (filter = "") =>
  listAll("applications", { filter, sort: "-updated", fields: [FIELDS, ...stageFields()].join(",") });

/** The marks of a matter's state people must not miss: 已退回, 不满意, 待签收, 延期待审批. */
export function stateBadges(a) {
  return [
    a.status === "draft" && a.returned_at ? h("span.badge.returned", { title: a.return_reason || "" }, "已退回") : null,
    a.dissatisfied ? h("span.badge.dissatisfied", "不满意") : null,
    awaitsAck(a) ? h("span.badge.ack", "待签收") : null,
    a.extension_state === "pending" ? h("span.badge.extension", "延期待审批") : null,
  ];
}

/** A deadline chip: the working-day due date, coloured by time left. */
export function dueChip(due, next) {
  const colour = dueColour(due, next);
  let text = "截止 " + fmtDate(due);
  if (colour === "red") text = `已超期（${fmtDate(due)}）`;
  else if (colour === "amber") text = `即将到期：${fmtDate(due)}`;
  const chip = h(`span.due.${colour}`, { title: "期限按工作日计算", dataset: { colour } }, text);
  // overdue days are working days, counted by the server as the figures count them
  if (colour === "red")
    workdaysLate(due).then((n) => {
      if (n !== null) {
        chip.textContent = `已超期 ${n} 个工作日（${fmtDate(due)}）`;
        chip.dataset.daysLate = String(n);
      }
    });
  return chip;
}

// returned drafts first (the community must act on the street's reason), then by deadline
const returned = (a) => (a.status === "draft" && a.returned_at ? 0 : 1);
const byDue = (a, b) => {
  const da = dueOf(a) || "9999";
  const db = dueOf(b) || "9999";
  return returned(a) - returned(b) || da.localeCompare(db) || (b.urgent ? 1 : 0) - (a.urgent ? 1 : 0) || String(a.updated).localeCompare(String(b.updated));
};

export async function queuePage(main) {
  const user = me();
  const list = h("div.list", { id: "queue" });
  const count = h("span.muted", { id: "queue-count" });
  const [dir, next] = await Promise.all([directory(), nextWorkday()]);
  async function load() {
    const [apps, reminders, talks] = await Promise.all([
      loadApplications('status != "closed"'),
      remindersFor(user),
      listAll("talks", { filter: 'outcome = "" && application.status = "scheduled"', fields: "application,scheduled_at,place" }).catch(() => []),
    ]);
    showMenuCount(reminders);
    const aimed = byApplication(reminders);
    const talkOf = Object.fromEntries(talks.map((t) => [t.application, t]));
    const mine = apps.filter((a) => available(a, user).length).sort(byDue);
    count.textContent = mine.length ? `共 ${mine.length} 件待办` : "";
    mount(
      list,
      mine.length
        ? mine.map((a) => queueItem(a, dir, next, available(a, user), aimed[a.id] || [], talkOf[a.id]))
        : empty("暂时没有需要您办理的事项。"),
    );
  }
  mount(main, h("div.page-head", h("h1", "待我办理"), count), list);
  const updates = live(load, ["applications/*", "supervisions/*"]);
  await updates.now();
  return updates;
}

function queueItem(a, dir, next, moves, aimed, talk) {
  const due = dueOf(a);
  const colour = dueColour(due, next);
  return h(
    `a.item.queue-item.${colour || "none"}`,
    { href: `#/app/${a.id}`, dataset: { id: a.id, status: a.status } },
    h(
      "div",
      h(
        "div.item-title",
        a.urgent ? h("span.badge.urgent", "紧急") : null,
        stateBadges(a),
        aimed.length ? h("span.badge.reminded", { title: aimed.map((s) => `${label(supervisionKinds, s.kind)}：${s.note}`).join("\n"), dataset: { count: String(aimed.length) } }, `督办 ${aimed.length}`) : null,
        " ",
        a.subject,
      ),
      a.status === "draft" && a.returned_at && a.return_reason ? h("div.item-meta.returned-reason", "退回理由：" + a.return_reason) : null,
      h(
        "div.item-meta",
        h("span", a.serial || "未编号"),
        h("span", orgName(dir, a.community)),
        h("span", applicantKindLabel(a.applicant_kind)),
        a.assigned_leader ? h("span", "领导：" + userName(dir, a.assigned_leader)) : null,
        a.handling_unit ? h("span", "承办：" + orgName(dir, a.handling_unit)) : null,
        talk ? h("span.talk-when", `约谈：${fmtDateTime(talk.scheduled_at)} ${talk.place}`) : null,
      ),
      h("div.item-meta", h("span", "可办理："), [...new Set(moves.map((m) => m.label))].map((l) => h("span.badge", l))),
    ),
    h("div.item-side", h("span.badge.status", statusLabel(a.status)), due ? dueChip(due, next) : h("span.muted.small", "无时限")),
  );
}

export async function allPage(main) {
  const user = me();
  const [dir, next] = await Promise.all([directory(), nextWorkday()]);
  // a community's draft is its own until it is submitted: the console lists what is in the process
  const inProcess = (a) => a.status !== "draft";
  const status = select("status", [{ value: "open", label: "办理中（未办结）" }, ...wf.statuses.filter((s) => s.value !== "draft")], "open", { empty: "全部状态" });
  const streetSel = select("street", streets(dir), "", { empty: "全部街道" });
  const search = h("input", { type: "search", placeholder: "搜索事项、编号、社区", "aria-label": "搜索申请" });
  const body = h("div", { id: "all-list" });
  let apps = [];
  function draw() {
    const t = search.value.trim();
    const rows = apps
      .filter(inProcess)
      .filter((a) => (status.value === "open" ? isOpen(a.status) : !status.value || a.status === status.value))
      .filter((a) => !streetSel.value || a.street === streetSel.value)
      .filter((a) => !t || [a.subject, a.serial, orgName(dir, a.community)].some((v) => (v || "").includes(t)));
    const cols = ["编号", "约谈事项", "申请单位", "状态", "期限", "领导", ""];
    mount(
      body,
      h("p.muted", `共 ${rows.length} 件`),
      rows.length
        ? h(
            "div.scroll-x",
            h(
              "table.grid.responsive",
              h("thead", h("tr", cols.map((x) => h("th", x)))),
              h(
                "tbody",
                rows.map((a) => {
                  const due = dueOf(a);
                  const mine = available(a, user).length;
                  // each cell says what it is, for the narrow layout where rows become cards
                  const td = (i, ...c) => h("td", { dataset: { label: cols[i] }, class: `col-${i}` }, ...c);
                  return h(
                    "tr",
                    { dataset: { id: a.id } },
                    td(0, a.serial || "—"),
                    td(1, h("a.row-link", { href: `#/app/${a.id}` }, a.subject), a.urgent ? h("span.badge.urgent", " 紧急") : null),
                    td(2, h("span.nowrap", orgName(dir, a.community))),
                    td(3, h(`span.badge.status${a.status === "closed" ? ".closed" : ""}`, statusLabel(a.status)), stateBadges(a)),
                    td(4, due ? dueChip(due, next) : "—"),
                    td(5, h("span.nowrap", userName(dir, a.assigned_leader || a.target_leader))),
                    td(6, mine ? h("span.badge.pending", "待我办理") : ""),
                  );
                }),
              ),
            ),
          )
        : empty("没有符合条件的申请。"),
    );
  }
  async function load() {
    apps = await loadApplications();
    draw();
  }
  [status, streetSel].forEach((s) => s.addEventListener("change", draw));
  search.addEventListener("input", debounce(draw, 150));
  const showStreets = ["working_group", "supervisor", "leader", "handler"].includes(user.role);
  mount(main, h("div.page-head", h("h1", "全部申请")), h("div.toolbar", search, filter("状态", status), showStreets ? filter("街道", streetSel) : null), body);
  const updates = live(load, ["applications/*"]);
  await updates.now();
  return updates;
}
