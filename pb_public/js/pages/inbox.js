// The notification inbox: the supervision office's reminders, overdue
// flags, criticism and bulletins aimed at the signed-in person, newest
// first, unread ones marked. Opening one marks it read and goes to its
// application. Live: a new notification appears without a reload. The
// menu's unread count (unreadCount, below) follows the same records.

import { api, get, qs, listAll } from "../api.js";
import { h, mount, fmtDateTime, empty, toast, busy } from "../ui.js";
import { label, supervisionKinds } from "../vocab.js";
import { navigate } from "../router.js";
import { live } from "../live.js";

/** The signed-in person's unread notifications (the collection's list rule: their own). */
export async function unreadCount() {
  const r = await get("/api/collections/notifications/records" + qs({ filter: 'read_at = ""', perPage: 1, fields: "id" }));
  return r.totalItems;
}

/** Marks notifications read (ids, or all: true); resolves to the server's {read, unread}. */
export const markRead = (body) => api("POST", "/api/notifications/read", body);

export async function inboxPage(main) {
  const list = h("div.list", { id: "inbox" });
  const count = h("span.muted", { id: "inbox-unread" });
  const allRead = h("button.btn.small", { type: "button", id: "inbox-all-read", hidden: true }, "全部标为已读");
  allRead.addEventListener("click", async () => {
    try {
      await busy(allRead, () => markRead({ all: true }));
      updates.now();
    } catch (e) {
      toast(e.message, "error");
    }
  });

  async function load() {
    const items = await listAll("notifications", { sort: "-created", perPage: 200 });
    const unread = items.filter((n) => !n.read_at).length;
    count.textContent = unread ? `${unread} 条未读` : "";
    count.dataset.count = String(unread);
    allRead.hidden = !unread;
    mount(list, items.length ? items.map(item) : empty("暂时没有通知。"));
  }

  function item(n) {
    const open = async (e) => {
      e.preventDefault();
      try {
        if (!n.read_at) await markRead({ ids: [n.id] });
      } catch (err) {
        toast(err.message, "error");
      }
      if (n.application) navigate(`/app/${n.application}`);
      else updates.now();
    };
    return h(
      `a.item.notification${n.read_at ? ".read" : ".unread"}`,
      { href: n.application ? `#/app/${n.application}` : "#/inbox", dataset: { id: n.id, read: String(!!n.read_at) }, onclick: open },
      h(
        "div",
        h("div.item-title", n.read_at ? null : h("span.badge.urgent", "未读"), " ", h("span.badge", label(supervisionKinds, n.kind)), " ", n.title),
        h("div.note-text", n.text),
        h("div.item-meta", h("span.author", n.author_name || "系统"), h("span", fmtDateTime(n.created))),
      ),
    );
  }

  mount(main, h("div.page-head", h("h1", "通知"), count, allRead), list);
  const updates = live(load, ["notifications/*"]);
  await updates.now();
  return updates;
}
