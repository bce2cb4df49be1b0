// 督办 that reaches the responsible: the reminders, overdue flags,
// criticism and accountability records aimed at the signed-in user (the
// server sets each record's target: the holder of the matter's stage when
// it was written), still about the stage the matter is in. The queue marks
// its rows with them; the menu counts them.

import { me, listAll } from "./api.js";
import { h } from "./ui.js";

/** The aimed records still about their matter's current stage, for user. */
export async function remindersFor(user = me()) {
  if (!user || !user.role) return [];
  const who = [`target_user = "${user.id}"`];
  if (user.org) who.push(`target_org = "${user.org}"`);
  if (["working_group", "supervisor"].includes(user.role)) who.push(`(target_role = "${user.role}" && target_user = "" && target_org = "")`);
  const filter = `(${who.join(" || ")}) && kind != "follow_up" && kind != "bulletin" && kind != "closed" && application.status = status`;
  try {
    return await listAll("supervisions", { filter, sort: "-created", fields: "id,application,kind,note,created,created_by,status" });
  } catch {
    return [];
  }
}

/** The records by application id. */
export function byApplication(list) {
  const out = {};
  for (const s of list) (out[s.application] ||= []).push(s);
  return out;
}

/** Shows how many matters wait with a reminder on the 待我办理 menu item. */
export function showMenuCount(list) {
  const link = document.querySelector('.nav-link[data-path="/queue"]');
  if (!link) return;
  link.querySelector(".nav-count")?.remove();
  const n = Object.keys(byApplication(list)).length;
  if (n) link.append(h("span.nav-count", { title: `${n} 件事项被督办`, dataset: { count: String(n) } }, String(n)));
}

/** Reloads the reminders and refreshes the menu count. */
export async function refreshMenuCount() {
  const list = await remindersFor();
  showMenuCount(list);
  return list;
}
