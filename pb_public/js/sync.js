// Offline sync for the field app. Every edit is applied to the tablet's
// copy at once and queued in the outbox; when online, the outbox is pushed
// through /api/sync/push (one result per mutation: applied, duplicate,
// conflict or rejected) and changes are pulled from /api/sync/pull. Rejected
// and conflicting edits stay in the outbox with the server's message until
// the person fixes or discards them — nothing is dropped silently.

import { api, ApiError, get, me, token, newId, qs, humanize } from "./api.js";
import * as store from "./db.js";
import { tx, req, key, view } from "./db.js";
import { subscribe } from "./realtime.js";

/** Collections the tablet keeps, and which of them it may write. */
export const DOWN = ["orgs", "users", "calendar_days", "meetings", "issues", "applications", "signatures", "talks", "feedback"];
export const UP = ["meetings", "issues", "applications", "signatures", "talks", "feedback"];

/** The schema version this client speaks (announced to the sync API). */
export const SCHEMA_VERSION = 1;

const PUSH_BATCH = 100;
const PULL_LIMIT = 500;
/** How long applied edits stay in the journal (tabletsync/client.DefaultKeep). */
const JOURNAL_DAYS = 30;

const state = {
  online: navigator.onLine,
  syncing: false,
  pending: 0,
  rejected: 0,
  conflicts: 0,
  lastSync: null,
  progress: "",
  error: "",
  mode: "sync", // the protocol in use (the sync API; the status bar shows it for the tests)
  notice: "", // what the user must be told (the server was restored from a backup)
};
const listeners = new Set();

export function syncState() {
  return { ...state };
}

export function onSyncChange(fn) {
  listeners.add(fn);
  fn(syncState());
  return () => listeners.delete(fn);
}

function emit(patch = {}) {
  Object.assign(state, patch);
  for (const fn of listeners) fn(syncState());
}

/** Notifies listeners that local data changed (pages re-render). */
const dataListeners = new Set();
export function onDataChange(fn) {
  dataListeners.add(fn);
  return () => dataListeners.delete(fn);
}
function dataChanged(collections) {
  for (const fn of dataListeners) fn(collections);
}

let deviceId = "";

/** Opens the user's store and starts syncing in the background. */
export async function startSync() {
  const user = me();
  await store.openDB(user.id);
  deviceId = (await store.getMeta("device")) || "";
  if (!deviceId) {
    deviceId = "web-" + newId();
    await store.setMeta("device", deviceId);
  }
  emit({ lastSync: await store.getMeta("lastSync"), notice: (await store.getMeta("notice")) || "" });
  await countOutbox();
  window.addEventListener("online", () => {
    emit({ online: true, error: "" });
    syncNow();
  });
  window.addEventListener("offline", () => emit({ online: false }));
  setInterval(() => {
    if (navigator.onLine) syncNow({ quiet: true });
  }, 60000);
  // the server nudges connected tablets when there is something new to pull
  subscribe("sync", () => syncNow({ quiet: true }));
  if (navigator.onLine) syncNow();
}

async function countOutbox() {
  const rows = await store.outboxAll();
  emit({
    pending: rows.filter((r) => r.state === "pending").length,
    rejected: rows.filter((r) => r.state === "rejected").length,
    conflicts: rows.filter((r) => r.state === "conflict").length,
  });
  return rows;
}

let pushTimer = null;
function schedulePush() {
  clearTimeout(pushTimer);
  if (navigator.onLine) pushTimer = setTimeout(() => syncNow({ quiet: true }), 800);
}

/** Merges b's data into a (later wins); files are appended. */
function mergeData(a, b) {
  return { ...a, ...b };
}
function mergeFiles(a = {}, b = {}) {
  const out = { ...a };
  for (const [f, list] of Object.entries(b)) out[f] = [...(out[f] || []), ...list];
  return out;
}

/**
 * Records an edit: applies it to the local copy and queues it.
 * op: "create" | "update" | "delete"; data: the fields set; files: {field: [Blob]}.
 * Returns the record id.
 */
export async function mutate(collection, op, id, data = {}, files = {}) {
  if (!UP.includes(collection)) throw new Error("不能离线修改：" + collection);
  id = id || newId();
  const k = key(collection, id);
  const now = new Date().toISOString().replace("T", " ");
  await tx(["records", "outbox"], "readwrite", async (s) => {
    const row = (await req(s.records.get(k))) || { key: k, collection, id, server: null, local: null, seq: 0 };
    const current = view(row) || {};
    // apply to the local copy
    if (op === "create") row.local = { ...data, id, created: now, updated: now };
    else if (op === "update") row.local = { ...current, ...data, updated: now };
    else row.local = { ...current, _deleted: true };
    if (Object.keys(files).length) {
      row.local._localFiles = mergeFiles(current._localFiles, files);
    }
    await req(s.records.put(row));

    // coalesce with the record's last queued edit when it has not been sent yet
    const queued = (await req(s.outbox.index("key").getAll(k))).sort((a, b) => a.n - b.n);
    const last = queued[queued.length - 1];
    // a status change is a workflow move: it always travels on its own
    const moves = "status" in data || (last && "status" in (last.data || {}));
    if (last && last.state === "pending" && !last.sent && !inFlight.has(last.id) && !moves) {
      if (op === "delete" && last.op === "create") {
        await req(s.outbox.delete(last.id));
        if (queued.length === 1) await req(s.records.delete(k));
        return;
      }
      if (op === "update" && last.op !== "delete") {
        last.data = mergeData(last.data, data);
        last.files = mergeFiles(last.files, files);
        last.updated = now;
        await req(s.outbox.put(last));
        return;
      }
      if (op === "delete" && last.op === "update") {
        await req(s.outbox.delete(last.id));
      }
    }
    await req(
      s.outbox.put({
        id: newId(),
        n: Date.now() * 1000 + (seqCounter++ % 1000),
        key: k,
        collection,
        op,
        record: id,
        base: row.seq || 0,
        data: op === "delete" ? {} : data,
        files,
        state: "pending",
        error: null,
        serverRecord: null,
        created: now,
      }),
    );
  });
  await countOutbox();
  dataChanged([collection]);
  schedulePush();
  return id;
}
let seqCounter = 0;

const inFlight = new Set();
let running = null;

/**
 * Resolves when this tablet holds the user's data: at once after any
 * completed sync, else after the first one (or when it fails: the pages
 * then show what there is).
 */
export async function initialData() {
  if (state.lastSync) return;
  if (running) await running.catch(() => {});
  else if (navigator.onLine) await syncNow().catch(() => {});
}

/** Pushes the outbox and pulls changes; one run at a time. */
export function syncNow({ quiet = false } = {}) {
  if (running) return running;
  running = (async () => {
    if (!me() || !token()) return;
    emit({ syncing: true, error: "", authExpired: false, progress: quiet ? "" : "正在同步…" });
    try {
      await push();
      if (await pull()) {
        // the server was restored from a backup: the journal was queued again
        await push();
        await pull();
      }
      const at = new Date().toISOString();
      await store.setMeta("lastSync", at);
      emit({ lastSync: at, online: true, progress: "" });
    } catch (e) {
      const offline = e instanceof ApiError && e.network;
      emit({
        error: offline ? "" : e.message || String(e),
        authExpired: e instanceof ApiError && e.status === 401,
        online: offline ? false : state.online,
        progress: "",
      });
    } finally {
      emit({ syncing: false });
      await countOutbox();
      running = null;
    }
  })();
  return running;
}

// ---- push ----------------------------------------------------------------

async function push() {
  for (;;) {
    const rows = await store.outboxAll();
    // an edit waits while an earlier edit of the same record needs attention
    const blocked = new Set(rows.filter((r) => r.state !== "pending").map((r) => r.key));
    const batch = rows.filter((r) => r.state === "pending" && !blocked.has(r.key)).slice(0, PUSH_BATCH);
    if (!batch.length) return;
    emit({ progress: `正在上传 ${batch.length} 条修改…` });
    batch.forEach((m) => inFlight.add(m.id));
    let results;
    try {
      await markSent(batch);
      results = await pushSync(batch);
    } catch (e) {
      if (isRestored(e)) {
        // the server lost what this tablet's cursor has seen: the journal goes out again
        await restoreJournal();
        continue;
      }
      if (e instanceof ApiError && e.status === 400 && e.data?.cursor) {
        // a cursor this server did not issue: the push goes without it (the pull starts over)
        await store.setMeta("cursor", "");
        continue;
      }
      throw e;
    } finally {
      batch.forEach((m) => inFlight.delete(m.id));
    }
    await applyResults(batch, results);
    if (results.length < batch.length) return; // stopped early (offline)
  }
}

/** Marks edits as sent: from now on they travel only unchanged (mutate merges into none of them). */
async function markSent(batch) {
  await tx("outbox", "readwrite", async (s) => {
    for (const m of batch) {
      if (m.sent) continue;
      const row = await req(s.outbox.get(m.id));
      if (row) await req(s.outbox.put({ ...row, sent: true }));
    }
  });
}

async function pushSync(batch) {
  // the cursor goes along: the server checks it is of its lineage and
  // answers it with its mark raised to these edits' positions
  const cursor = (await store.getMeta("cursor")) || "";
  const body = {
    client: deviceId,
    mutations: batch.map((m) => ({ id: m.id, collection: m.collection, op: m.op, record: m.record, base: m.base, data: m.data })),
  };
  if (cursor) body.cursor = cursor;
  const hasFiles = batch.some((m) => Object.keys(m.files || {}).length);
  let payload = body;
  if (hasFiles) {
    payload = new FormData();
    payload.append("@jsonPayload", JSON.stringify(body));
    for (const m of batch) {
      for (const [field, blobs] of Object.entries(m.files || {})) {
        blobs.forEach((b, i) => payload.append(`${m.id}.${field}`, b, b.name || `${field}-${i + 1}.${ext(b.type)}`));
      }
    }
  }
  const r = await api("POST", "/api/sync/push", payload, { timeout: 60000, headers: { "X-Sync-Schema": String(SCHEMA_VERSION) } });
  if (cursor && r.cursor && r.cursor !== cursor) {
    await tx("meta", "readwrite", async (s) => {
      const now = await req(s.meta.get("cursor"));
      if (now && now.v === cursor) await req(s.meta.put({ k: "cursor", v: r.cursor }));
    });
  }
  return r.results || [];
}

/** The server's 409 for a cursor of a lineage it lost (restored from a backup). */
const isRestored = (e) => e instanceof ApiError && e.status === 409 && e.data?.restore?.code === "server_restored";

/**
 * The server was restored from a backup: every edit it applied that this
 * tablet keeps goes back into the outbox unchanged (same id: the server
 * answers those the backup has as duplicates and applies the others once),
 * the next pull is a full one, and the person is told.
 */
async function restoreJournal() {
  let n = 0;
  const pruned = await store.getMeta("journalPruned");
  await tx(["outbox", "journal", "meta"], "readwrite", async (s) => {
    for (const j of await req(s.journal.getAll())) {
      const { acked, ...m } = j;
      await req(s.outbox.put({ ...m, state: "pending", sent: true, error: null }));
      n++;
    }
    await req(s.journal.clear());
    await req(s.meta.put({ k: "cursor", v: "" }));
  });
  let notice = `服务器已从备份恢复：本机重新上传了 ${n} 条此前已被服务器接收的修改（服务器已有的不会重复写入）。`;
  notice += pruned
    ? `本机只保留 ${JOURNAL_DAYS} 天内被接收的修改：${new Date(pruned).toLocaleString()} 之前的修改如被服务器丢失，无法自动补传，请与管理员核对。`
    : "本机保留了全部已被接收的修改。";
  await store.setMeta("notice", notice);
  emit({ notice });
}

/** Clears the notice once the person has read it. */
export async function dismissNotice() {
  await store.setMeta("notice", "");
  emit({ notice: "" });
}

const ext = (type) => ({ "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" })[type] || "bin";

async function applyResults(batch, results) {
  const byId = new Map(batch.map((m) => [m.id, m]));
  const touched = new Set();
  const now = Date.now();
  await tx(["records", "outbox", "journal", "meta"], "readwrite", async (s) => {
    for (const r of results) {
      const m = byId.get(r.id);
      if (!m) continue;
      touched.add(m.collection);
      // a duplicate carries what its first push got (its answer was lost on the way)
      const status = r.status === "duplicate" && r.outcome && r.outcome !== "applied" ? r.outcome : r.status;
      if (status === "applied" || status === "duplicate") {
        await req(s.outbox.delete(m.id));
        // kept, with its files, in case the server is restored from a backup that lacks it
        await req(s.journal.put({ ...m, state: "pending", error: null, sent: true, acked: now }));
        const row = await req(s.records.get(m.key));
        const rest = (await req(s.outbox.index("key").getAll(m.key))).sort((a, b) => a.n - b.n);
        if (m.op === "delete") {
          if (!rest.length) await req(s.records.delete(m.key));
          continue;
        }
        if (!row) continue;
        if (r.record) row.server = r.record;
        if (r.seq) row.seq = r.seq;
        row.local = rest.length ? replay(row.server, rest) : null;
        await req(s.records.put(row));
      } else {
        m.state = status === "conflict" ? "conflict" : "rejected";
        if (r.error) {
          r.error.message = humanize(r.error.message || "");
          for (const v of Object.values(r.error.data || {})) if (v && typeof v.message === "string") v.message = humanize(v.message);
        }
        m.error = r.error || {
          message: status === "conflict" ? "服务器上的这条记录已被他人修改，与您的修改冲突。" : "服务器拒绝了这条修改。",
          data: {},
        };
        if (r.record) m.serverRecord = r.record;
        if (r.seq) m.serverSeq = r.seq;
        await req(s.outbox.put(m));
      }
    }
    // the journal keeps JOURNAL_DAYS; what it drops a restore cannot recover (the notice says so)
    const old = await req(s.journal.index("acked").getAll(IDBKeyRange.upperBound(now - JOURNAL_DAYS * 86400000)));
    for (const j of old) await req(s.journal.delete(j.id));
    if (old.length) {
      const newest = Math.max(...old.map((j) => j.acked));
      const prev = await req(s.meta.get("journalPruned"));
      await req(s.meta.put({ k: "journalPruned", v: Math.max(newest, prev?.v || 0) }));
    }
  });
  dataChanged([...touched]);
}

/** The local view: the server's record with the queued edits applied in order. */
function replay(server, queued) {
  let rec = server ? { ...server } : null;
  for (const m of queued) {
    if (m.op === "create") rec = { ...m.data, id: m.record };
    else if (m.op === "update") rec = { ...(rec || {}), ...m.data };
    else rec = { ...(rec || {}), _deleted: true };
    if (Object.keys(m.files || {}).length) rec._localFiles = mergeFiles(rec._localFiles, m.files);
  }
  return rec;
}

// ---- pull ----------------------------------------------------------------

/**
 * Pulls changes after the saved cursor. An empty cursor is a full sync: its
 * rows are tagged with a run id kept in meta (so an interrupted full sync
 * continues from its cursor), and when it completes, server copies it did
 * not see — records that left the user's scope — are dropped. The server
 * answers 409 (resync_required) or 400 on the cursor when the tablet must
 * start over: it does, once per run. Resolves true when the server was
 * restored from a backup (the journal is then queued again: push it).
 */
async function pull() {
  let restored = false;
  let cursor = (await store.getMeta("cursor")) || "";
  let run = await store.getMeta("fullRun");
  if (!cursor && !run) run = await startFullRun();
  let received = 0;
  let restarted = false;
  for (;;) {
    let r;
    try {
      // a full sync names the device, so the server drops its earlier sessions
      r = await get("/api/sync/pull" + qs({ cursor, limit: PULL_LIMIT, client: cursor ? "" : deviceId }), {
        timeout: 60000,
        headers: { "X-Sync-Schema": String(SCHEMA_VERSION) },
      });
    } catch (e) {
      if (!restarted && (e.status === 409 || e.status === 400) && e.data?.cursor) {
        restarted = true;
        if (isRestored(e)) {
          await restoreJournal();
          restored = true;
        }
        cursor = "";
        run = await startFullRun();
        emit({ progress: "正在重新完整同步…" });
        continue;
      }
      throw e;
    }
    await applyChanges(r.changes || [], r.cursor, run);
    cursor = r.cursor;
    received += (r.changes || []).length;
    if (run || received > PULL_LIMIT) emit({ progress: `正在下载… 已接收 ${received} 条` });
    if (!r.more) break;
  }
  if (run) await sweep(run);
  return restored;
}

async function startFullRun() {
  const run = newId();
  await store.setMeta("fullRun", run);
  await store.setMeta("cursor", "");
  return run;
}

/** Drops the server copies a completed full sync did not hand out (unless edits wait on them). */
async function sweep(run) {
  const touched = new Set();
  await tx(["records", "outbox", "meta"], "readwrite", async (s) => {
    const rows = await req(s.records.getAll());
    for (const row of rows) {
      if (row.run === run || !row.server) continue;
      const queued = await req(s.outbox.index("key").getAll(row.key));
      if (queued.length) continue;
      await req(s.records.delete(row.key));
      touched.add(row.collection);
    }
    await req(s.meta.delete("fullRun"));
  });
  if (touched.size) dataChanged([...touched]);
}

async function applyChanges(changes, cursor, run) {
  const touched = new Set();
  await tx(["records", "outbox", "meta"], "readwrite", async (s) => {
    for (const c of changes) {
      if (!DOWN.includes(c.collection)) continue;
      touched.add(c.collection);
      const k = key(c.collection, c.id);
      const queued = (await req(s.outbox.index("key").getAll(k))).sort((a, b) => a.n - b.n);
      const row = (await req(s.records.get(k))) || { key: k, collection: c.collection, id: c.id, server: null, local: null, seq: 0 };
      if (c.op === "delete") {
        if (!queued.length) await req(s.records.delete(k));
        else {
          row.server = null;
          row.seq = c.seq;
          await req(s.records.put(row));
        }
        continue;
      }
      row.server = c.record;
      row.seq = c.seq;
      if (run) row.run = run;
      row.local = queued.length ? replay(c.record, queued) : null;
      await req(s.records.put(row));
    }
    await req(s.meta.put({ k: "cursor", v: cursor }));
  });
  if (touched.size) dataChanged([...touched]);
}

// ---- fixing rejected and conflicting edits --------------------------------

/** Drops a queued edit; the local copy goes back to the server's version. */
export async function discard(mutationId) {
  let collection = "";
  await tx(["records", "outbox"], "readwrite", async (s) => {
    const m = await req(s.outbox.get(mutationId));
    if (!m) return;
    collection = m.collection;
    await req(s.outbox.delete(mutationId));
    const row = await req(s.records.get(m.key));
    const rest = (await req(s.outbox.index("key").getAll(m.key))).sort((a, b) => a.n - b.n);
    if (!row) return;
    if (m.serverRecord) row.server = m.serverRecord;
    if (m.serverSeq) row.seq = m.serverSeq;
    if (!row.server && !rest.length) await req(s.records.delete(m.key));
    else {
      row.local = rest.length ? replay(row.server, rest) : null;
      await req(s.records.put(row));
    }
  });
  await countOutbox();
  dataChanged([collection]);
}

/**
 * Queues a rejected or conflicting edit again, with data when given. It is
 * a new mutation (a new id: the server remembers the old one's outcome);
 * after a conflict its base is the server's version the person has seen.
 */
export async function retry(mutationId, data) {
  let collection = "";
  await tx(["records", "outbox"], "readwrite", async (s) => {
    const m = await req(s.outbox.get(mutationId));
    if (!m) return;
    collection = m.collection;
    await req(s.outbox.delete(mutationId));
    m.id = newId();
    if (data) m.data = data;
    m.state = "pending";
    m.error = null;
    if (m.serverSeq) m.base = m.serverSeq;
    await req(s.outbox.put(m));
    const row = await req(s.records.get(m.key));
    if (row) {
      if (m.serverRecord) row.server = m.serverRecord;
      const rest = (await req(s.outbox.index("key").getAll(m.key))).sort((a, b) => a.n - b.n);
      row.local = replay(row.server, rest);
      await req(s.records.put(row));
    }
  });
  await countOutbox();
  dataChanged([collection]);
  schedulePush();
}

/** Every queued edit, oldest first. */
export const outbox = () => store.outboxAll();

/**
 * What the outbox says of each record it holds ("issues/abc" → "conflict",
 * "rejected" or "pending"): an edit needing attention outranks one waiting.
 */
export async function outboxStates() {
  const rank = { pending: 1, rejected: 2, conflict: 3 };
  const out = new Map();
  for (const m of await store.outboxAll().catch(() => [])) {
    if ((rank[m.state] || 0) > (rank[out.get(m.key)] || 0)) out.set(m.key, m.state);
  }
  return out;
}

/** Forgets everything this tablet holds for the user (after sign-out with an empty outbox). */
export async function resetLocal() {
  await tx(["records", "outbox", "meta"], "readwrite", async (s) => {
    await req(s.records.clear());
    await req(s.meta.delete("cursor"));
  });
}
