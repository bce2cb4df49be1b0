// The badge a record carries on the tablet while the server has not taken
// its edit: 待同步 while it waits, 冲突 or 被拒绝 when it needs the
// person (the 同步记录 page has the server's message and both versions).

import { h } from "../ui.js";

/** states: from sync.outboxStates(); rec: the record as the tablet shows it. */
export function syncBadge(collection, rec, states) {
  const state = states.get(`${collection}/${rec.id}`) || (rec._local ? "pending" : "");
  switch (state) {
    case "conflict":
      return h("span.badge.conflict", { title: "与他人的修改冲突：到“同步记录”处理" }, "冲突");
    case "rejected":
      return h("span.badge.conflict", { title: "服务器拒绝了这条修改：到“同步记录”处理" }, "被拒绝");
    case "pending":
      return h("span.badge.pending", "待同步");
  }
  return null;
}
