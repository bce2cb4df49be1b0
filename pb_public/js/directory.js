// Organisations and people, for names and pickers. Field users read the
// tablet's synced copy (works offline); console users read the API once
// per session.

import { listAll, me } from "./api.js";
import * as store from "./db.js";
import { fieldRoles, label, leaderRanks } from "./vocab.js";

let cached = null;

/** {orgs: Map(id → org), users: Map(id → user)} */
export async function directory({ fresh = false } = {}) {
  if (cached && !fresh) return cached;
  const user = me();
  let orgs, users;
  if (user && fieldRoles.includes(user.role)) {
    [orgs, users] = await Promise.all([store.all("orgs"), store.all("users")]);
    if (!orgs.length && navigator.onLine) {
      // first start before the first sync finished
      [orgs, users] = await Promise.all([listAll("orgs"), listAll("users", { fields: "id,name,role,org,title,leader_rank" })]);
    }
  } else {
    // console users: once per browser session (orgs and people rarely change)
    const saved = !fresh && JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    if (saved && saved.user === user?.id) {
      ({ orgs, users } = saved);
      refreshLater();
    } else {
      [orgs, users] = await fetchBoth();
      sessionStorage.setItem(SESSION_KEY, JSON.stringify({ user: user?.id, orgs, users }));
    }
  }
  cached = { orgs: new Map(orgs.map((o) => [o.id, o])), users: new Map(users.map((u) => [u.id, u])) };
  return cached;
}

const SESSION_KEY = "yuetan.directory";
const fetchBoth = () => Promise.all([listAll("orgs"), listAll("users", { fields: "id,name,role,org,title,leader_rank" })]);
let refreshing = false;
function refreshLater() {
  if (refreshing) return;
  refreshing = true;
  setTimeout(() => {
    fetchBoth()
      .then(([orgs, users]) => {
        sessionStorage.setItem(SESSION_KEY, JSON.stringify({ user: me()?.id, orgs, users }));
        if (cached) {
          cached.orgs = new Map(orgs.map((o) => [o.id, o]));
          cached.users = new Map(users.map((u) => [u.id, u]));
        }
      })
      .catch(() => {});
  }, 2000);
}

export function forgetDirectory() {
  cached = null;
  sessionStorage.removeItem(SESSION_KEY);
}

export const orgName = (dir, id) => dir.orgs.get(id)?.name || "";
export const userName = (dir, id) => dir.users.get(id)?.name || "";
export function userWithTitle(dir, id) {
  const u = dir.users.get(id);
  return u ? (u.title ? `${u.name}（${u.title}）` : u.name) : "";
}

/** Leaders who may be summoned (four-teams leaders and district-managed chiefs). */
export function leaders(dir) {
  const rank = { four_teams: 0, district_chief: 1 };
  return [...dir.users.values()]
    .filter((u) => u.role === "leader" && u.leader_rank)
    .sort((a, b) => rank[a.leader_rank] - rank[b.leader_rank] || a.name.localeCompare(b.name, "zh"))
    .map((u) => ({ value: u.id, label: `${u.name}（${u.title || ""}）`, group: label(leaderRanks, u.leader_rank) }));
}

export const departments = (dir) =>
  [...dir.orgs.values()].filter((o) => o.kind === "department").map((o) => ({ value: o.id, label: o.name }));

export const handlersOf = (dir, unit) =>
  [...dir.users.values()].filter((u) => u.role === "handler" && u.org === unit).map((u) => ({ value: u.id, label: `${u.name}（${u.title || ""}）` }));

export const streets = (dir) => [...dir.orgs.values()].filter((o) => o.kind === "street").map((o) => ({ value: o.id, label: o.name }));
