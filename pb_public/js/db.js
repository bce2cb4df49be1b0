// IndexedDB: the tablet's copy of its records, the outbox of edits not yet
// accepted by the server, and sync metadata. One database per user, so a
// shared tablet never mixes two people's work.
//
// records: {key: "issues/abc", collection, id, server, local, seq}
//   server: the record as the server last sent it (null if never synced)
//   local:  the record with this tablet's pending edits (null if none)
// outbox:  {id, n, collection, op, record, base, data, files, state, error, serverRecord, created}
//   state:  "pending" | "rejected" | "conflict"
//   sent:   pushed at least once: sent again only unchanged (never merged into)
// journal: the outbox entries the server applied, kept for 30 days with their
//          files ({...entry, acked}), pushed again if the server is restored
//          from a backup that lacks them (sync.js, restoreJournal)
// meta:    {k, v}
// drafts:  {key, form, title, data, files, savedAt} — forms not finished yet
//          (kept as they are typed, like ODK Collect's incomplete forms)

let dbp = null;
let dbName = "";

function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Opens (or switches to) the database of user id. */
export function openDB(userId) {
  const name = "yuetan-" + userId;
  if (dbp && dbName === name) return dbp;
  if (dbp) dbp.then((db) => db.close()).catch(() => {});
  dbName = name;
  dbp = new Promise((resolve, reject) => {
    const r = indexedDB.open(name, 3);
    r.onupgradeneeded = (e) => {
      const db = r.result;
      if (e.oldVersion < 1) {
        const rec = db.createObjectStore("records", { keyPath: "key" });
        rec.createIndex("collection", "collection");
        const out = db.createObjectStore("outbox", { keyPath: "id" });
        out.createIndex("n", "n");
        out.createIndex("key", "key");
        db.createObjectStore("meta", { keyPath: "k" });
      }
      if (e.oldVersion < 2) db.createObjectStore("drafts", { keyPath: "key" });
      if (e.oldVersion < 3) db.createObjectStore("journal", { keyPath: "id" }).createIndex("acked", "acked");
    };
    r.onsuccess = () => {
      // a newer version of the app opened in another window: let it upgrade
      r.result.onversionchange = () => r.result.close();
      resolve(r.result);
    };
    r.onerror = () => reject(r.error);
    r.onblocked = () => reject(new Error("本机数据库被另一个窗口占用，请关闭其他窗口后重试。"));
  });
  return dbp;
}

function db() {
  if (!dbp) throw new Error("database not open");
  return dbp;
}

/** Runs fn(stores) in one transaction over names; resolves with fn's result when committed. */
export async function tx(names, mode, fn) {
  const d = await db();
  const t = d.transaction(names, mode);
  const stores = Object.fromEntries([].concat(names).map((n) => [n, t.objectStore(n)]));
  const result = await fn(stores, t);
  await new Promise((resolve, reject) => {
    t.oncomplete = resolve;
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error("transaction aborted"));
  });
  return result;
}

export const key = (collection, id) => `${collection}/${id}`;

/** The record as the app shows it: local edits over the server's copy. */
export const view = (row) => (row ? (row.local ? { ...row.local, _local: true } : row.server) : null);

export async function getRow(collection, id) {
  return req((await db()).transaction("records").objectStore("records").get(key(collection, id)));
}

/** Every visible record of a collection (local edits applied, deletions hidden). */
export async function all(collection) {
  const rows = await req((await db()).transaction("records").objectStore("records").index("collection").getAll(collection));
  return rows.map(view).filter((r) => r && !r._deleted);
}

export async function getRecord(collection, id) {
  const r = view(await getRow(collection, id));
  return r && !r._deleted ? r : null;
}

export async function getMeta(k, dflt = null) {
  const r = await req((await db()).transaction("meta").objectStore("meta").get(k));
  return r ? r.v : dflt;
}

export async function setMeta(k, v) {
  return tx("meta", "readwrite", (s) => req(s.meta.put({ k, v })));
}

export async function outboxAll() {
  const rows = await req((await db()).transaction("outbox").objectStore("outbox").index("n").getAll());
  return rows;
}

/** Every unfinished form, newest first. */
export async function allDrafts() {
  const rows = await req((await db()).transaction("drafts").objectStore("drafts").getAll());
  return rows.sort((a, b) => String(b.savedAt).localeCompare(String(a.savedAt)));
}

export async function getDraft(k) {
  return req((await db()).transaction("drafts").objectStore("drafts").get(k));
}

export const putDraft = (d) => tx("drafts", "readwrite", (s) => req(s.drafts.put(d)));
export const deleteDraft = (k) => tx("drafts", "readwrite", (s) => req(s.drafts.delete(k)));

export { req };
