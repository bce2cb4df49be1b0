// Console (supervisors, working group): the overdue board — every open
// matter past or within one working day of its deadline, with a reminder
// button — the bulletins, and recent supervision records. Live.

import { me, get, createRecord, qs } from "../api.js";
import { printLink } from "../widgets/print.js";
import { h, mount, fmtDateTime, empty, toast, busy, field, showFormError, todayYMD } from "../ui.js";
import { dueOf, dueColour, nextWorkday, statusLabel, isOpen, label, supervisionKinds } from "../vocab.js";
import { directory, orgName, userName } from "../directory.js";
import { loadApplications, dueChip } from "./queue.js";
import { live } from "../live.js";

export async function overduePage(main) {
  const user = me();
  const isSup = user.role === "supervisor";
  const [dir, next] = await Promise.all([directory(), nextWorkday()]);
  const board = h("div", { id: "overdue-board" });
  const recent = h("div", { id: "supervision-list" });
  const updates = live(load, ["applications/*", "supervisions/*"]);

  async function load() {
    const [apps, sups] = await Promise.all([
      loadApplications(),
      get("/api/collections/supervisions/records" + qs({ sort: "-created", perPage: 30, skipTotal: 1 }))
        .then((r) => r.items)
        .catch(() => []),
    ]);
    const open = apps.filter((a) => isOpen(a.status) && dueOf(a));
    const red = open.filter((a) => dueColour(dueOf(a), next) === "red").sort((a, b) => dueOf(a).localeCompare(dueOf(b)));
    const amber = open.filter((a) => dueColour(dueOf(a), next) === "amber").sort((a, b) => dueOf(a).localeCompare(dueOf(b)));
    mount(board, section("已超期", red, "目前没有超期事项。", "red"), section("一个工作日内到期", amber, "没有即将到期的事项。", "amber"));
    const appName = new Map(apps.map((a) => [a.id, a.subject]));
    mount(
      recent,
      sups.length
        ? h(
            "ol.timeline",
            sups.map((s) =>
              h(
                "li",
                h("div.when", fmtDateTime(s.created), s.created_by ? " · " + userName(dir, s.created_by) : " · 系统"),
                h("div.what", label(supervisionKinds, s.kind), s.application ? h("span.muted", " — ", h("a", { href: `#/app/${s.application}` }, appName.get(s.application) || "查看申请")) : null),
                s.note ? h("div.note-text", s.note) : null,
              ),
            ),
          )
        : empty("暂无督办记录。"),
    );
  }

  function section(title, rows, none, colour) {
    return h(
      "section.card",
      { dataset: { board: colour } },
      h("h2", `${title}（${rows.length}）`),
      rows.length
        ? h(
            "div.scroll-x",
            h(
              "table.grid",
              h("thead", h("tr", ["编号", "约谈事项", "环节", "期限", "责任方", ""].map((x) => h("th", x)))),
              h(
                "tbody",
                rows.map((a) =>
                  h(
                    "tr",
                    { dataset: { id: a.id } },
                    h("td", a.serial || "—"),
                    h("td", h("a", { href: `#/app/${a.id}` }, a.subject)),
                    h("td", statusLabel(a.status)),
                    h("td", dueChip(dueOf(a), next)),
                    h("td", responsible(a)),
                    h("td", isSup ? h("button.btn.small", { type: "button", onclick: (e) => remind(e.target, a) }, "督办提醒") : null),
                  ),
                ),
              ),
            ),
          )
        : h("p.muted", none),
    );
  }

  function responsible(a) {
    switch (a.status) {
      case "forwarded":
      case "accepted":
        return "专门工作小组";
      case "notified":
        return userName(dir, a.assigned_leader);
      case "in_handling":
        return orgName(dir, a.handling_unit);
    }
    return "";
  }

  async function remind(btn, a) {
    try {
      await busy(btn, () =>
        createRecord("supervisions", {
          application: a.id,
          kind: "reminder",
          note: `请${responsible(a) || "责任单位"}抓紧办理“${a.subject}”（${statusLabel(a.status)}）。`,
        }),
      );
      toast("督办提醒已发出。", "ok");
      updates.now();
    } catch (e) {
      toast(e.message, "error");
    }
  }

  const month = h("input", { type: "month", name: "month", value: todayYMD().slice(0, 7) });
  const pdf = printLink("", "打印月度督查通报", { id: "bulletin-pdf" });
  const setPdf = () => pdf.setAttribute("href", `/api/forms/bulletin${qs({ month: month.value })}`);
  month.addEventListener("change", setPdf);
  setPdf();
  const note = h("textarea", { name: "note", rows: 3, placeholder: "通报内容：本月办理情况、超期事项、批评和要求" });
  const publish = h("button.btn.primary", { type: "submit" }, "发布督查通报");
  const bulletinForm = h(
    "form",
    { novalidate: true },
    h("div.form-error", { hidden: true }),
    h("div.toolbar", field("通报月份", month), pdf),
    isSup ? [field("通报内容", note), h("div.form-actions", publish)] : null,
  );
  bulletinForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!note.value.trim()) return showFormError(bulletinForm, { message: "请填写通报内容。", fieldMessages: () => ({ note: "请填写通报内容。" }) });
    try {
      await busy(publish, () => createRecord("supervisions", { kind: "bulletin", note: `${month.value} 督查通报：${note.value.trim()}` }));
      note.value = "";
      toast("督查通报已发布。", "ok");
      updates.now();
    } catch (err) {
      showFormError(bulletinForm, err);
    }
  });

  mount(
    main,
    h("div.page-head", h("h1", "超期督办")),
    board,
    h("div.cols", h("section.card", h("h2", "督查通报"), bulletinForm), h("section.card", h("h2", "近期督办记录"), recent)),
  );
  await updates.now();
  return updates;
}
