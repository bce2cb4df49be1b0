// The server's REST API: the signed-in user, requests with their token,
// and PocketBase's error shape turned into Chinese messages people can act on.

const AUTH_KEY = "yuetan.auth";

/** @typedef {{token: string, record: any}} Auth */

let auth = loadAuth();
const listeners = new Set();

function loadAuth() {
  try {
    const a = JSON.parse(localStorage.getItem(AUTH_KEY) || "null");
    return a && a.token && a.record ? a : null;
  } catch {
    return null;
  }
}

/** The signed-in user's record, or null. */
export function me() {
  return auth ? auth.record : null;
}

export function token() {
  return auth ? auth.token : "";
}

let unauthorizedHandler = () => {};

/** fn(err, path) runs when the server answers 401 to a signed-in request (the session has ended). */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}
const unauthorized = (err, path) => {
  try {
    unauthorizedHandler(err, path);
  } catch (e) {
    console.error(e);
  }
};

export function onAuthChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function setAuth(a) {
  auth = a;
  if (a) localStorage.setItem(AUTH_KEY, JSON.stringify(a));
  else localStorage.removeItem(AUTH_KEY);
  for (const fn of listeners) fn(a);
}

/** Seconds until the token expires (negative when expired); Infinity when unreadable. */
export function tokenSecondsLeft() {
  try {
    const payload = JSON.parse(atob(auth.token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return payload.exp - Date.now() / 1000;
  } catch {
    return Infinity;
  }
}

/** An API error with PocketBase's shape: status, Chinese message, per-field data. */
export class ApiError extends Error {
  constructor(status, message, data = {}, network = false) {
    super(message);
    this.status = status;
    this.data = data || {};
    this.network = network;
  }
  /** Field name → message, for showing beside inputs. */
  fieldMessages() {
    const out = {};
    for (const [k, v] of Object.entries(this.data)) {
      if (v && typeof v === "object" && v.message) out[k] = v.message;
    }
    return out;
  }
}

const genericMessages = {
  400: "提交的内容有误，请检查后重试。",
  401: "登录已失效，请重新登录。",
  403: "您没有权限进行此操作。",
  404: "记录不存在或您无权查看。",
  409: "该环节尚未到达或已被他人处理。",
  413: "上传的内容太大。",
  429: "请求过于频繁，请稍后再试。",
  500: "服务器出错了，请稍后再试。",
};

const hasHan = (s) => /[\u4e00-\u9fff]/.test(s || "");

/** Field names as people say them, for server messages that list fields. */
const FIELD_NAMES = {
  applicant_kind: "约谈主体", contact_name: "联系人", contact_phone: "联系电话", subject: "约谈事项", category: "内容类别",
  description: "情况说明", request: "约谈诉求", affected_count: "涉及群众人数", target_leader: "约谈对象", talk_form: "约谈形式",
  urgent: "紧急标记", litigation_or_petition: "涉法涉访标记", issues: "关联问题", signed_scan: "盖章扫描件", decision_note: "处理意见",
  assigned_leader: "接受约谈的领导", schedule_due: "商定期限", postpone_reason: "延期理由", status: "状态",
  scheduled_at: "约谈时间", place: "约谈地点", form: "约谈形式", participants: "参加人员", record: "群众反映的主要问题",
  response: "领导答复", recorder: "记录人", outcome: "办理结果", held_at: "约谈时间", handling_unit: "承办单位",
  responsible: "责任人", handling_due: "办结时限", result: "办理结果", measures: "办理措施", completed_on: "完成日期",
  leader_decision: "审核结论", leader_comment: "审核意见", replied_on: "答复日期", satisfaction: "满意度",
  applicant_comment: "约谈主体意见", title: "标题", address: "地址", resident_name: "反映人", resident_phone: "反映人电话",
  photos: "照片", location: "位置", grid: "网格", source: "来源", meeting: "收集会议", community: "社区", name: "姓名", phone: "电话",
};

/** Replaces field names in a Chinese message by their Chinese names. */
export function humanize(msg) {
  if (!hasHan(msg)) return msg;
  return msg.replace(/\b[a-z][a-z_]*[a-z]\b/g, (w) => FIELD_NAMES[w] || w);
}

/** Turns any thrown thing into a Chinese message. */
export function errorMessage(err) {
  if (err instanceof ApiError) return err.message;
  if (err && err.name === "AbortError") return "请求超时，请检查网络后重试。";
  return (err && err.message) || String(err);
}

function toApiError(status, body) {
  let message = body && typeof body.message === "string" ? body.message : "";
  const data = (body && body.data) || {};
  if (!hasHan(message)) {
    // prefer a Chinese field message; else a generic one for the status
    const first = Object.values(data).find((v) => v && hasHan(v.message));
    message = first ? first.message : genericMessages[status] || `请求失败（${status}）。`;
  }
  for (const v of Object.values(data)) if (v && typeof v.message === "string") v.message = humanize(v.message);
  return new ApiError(status, humanize(message), data);
}

/**
 * Calls the API. body may be a plain object (sent as JSON) or FormData.
 * Rejects with ApiError (network errors: status 0, network true).
 */
export async function api(method, path, body, { timeout = 20000, signal, headers = {} } = {}) {
  const h = { ...headers };
  if (auth) h.Authorization = auth.token;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    h["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeout);
  if (signal) signal.addEventListener("abort", () => ctl.abort());
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: payload, signal: ctl.signal });
  } catch (e) {
    throw new ApiError(0, navigator.onLine ? "无法连接服务器，请检查网络后重试。" : "当前离线，无法连接服务器。", {}, true);
  } finally {
    clearTimeout(timer);
  }
  if (res.status === 204) return null;
  const type = res.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    const err = toApiError(res.status, data);
    if (res.status === 401 && auth && !path.includes("auth-with-password")) {
      err.message = "登录已失效，请重新登录。";
      unauthorized(err, path);
    }
    throw err;
  }
  return data;
}

export const get = (path, opts) => api("GET", path, undefined, opts);

/** Builds a query string from an object, skipping empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") u.set(k, v);
  const s = u.toString();
  return s ? "?" + s : "";
}

/** Quotes a value for a PocketBase filter. */
const filterText = (v) => '"' + String(v).replaceAll("\\", "\\\\").replaceAll('"', '\\"') + '"';

/**
 * Lists every record of a collection matching filter. Pages are keyset
 * pages: ordered by the sort field (one, "-" for descending, or none) and
 * then id, each asking for what comes after the last record read, so every
 * page costs the same however many came before it (an OFFSET page reads
 * and skips every earlier row: reading everything grew with its square).
 */
export async function listAll(collection, { filter = "", sort = "", expand = "", fields = "", perPage = 500 } = {}) {
  const desc = sort.startsWith("-");
  const key = sort.replace(/^[-+]/, "");
  if (sort.includes(",")) throw new Error("listAll: one sort field");
  const order = key ? `${sort},id` : "id";
  const want = fields ? [...new Set([...fields.split(","), "id", ...(key ? [key] : [])])].join(",") : "";
  const out = [];
  for (let last = null; ; ) {
    let after = "";
    if (last) {
      const id = `id > ${filterText(last.id)}`;
      after = key ? `(${key} ${desc ? "<" : ">"} ${filterText(last[key])} || (${key} = ${filterText(last[key])} && ${id}))` : id;
    }
    const where = [filter && `(${filter})`, after].filter(Boolean).join(" && ");
    const r = await get(`/api/collections/${collection}/records` + qs({ perPage, filter: where, sort: order, expand, fields: want, skipTotal: 1 }));
    out.push(...r.items);
    if (r.items.length < perPage) return out;
    last = r.items[r.items.length - 1];
  }
}

export const getRecord = (collection, id, expand = "") =>
  get(`/api/collections/${collection}/records/${encodeURIComponent(id)}` + qs({ expand }));
export const createRecord = (collection, body) => api("POST", `/api/collections/${collection}/records`, body);
export const updateRecord = (collection, id, body) => api("PATCH", `/api/collections/${collection}/records/${encodeURIComponent(id)}`, body);

/** Signs in with email and password; keeps the token for offline use. */
export async function signIn(email, password) {
  const r = await api("POST", "/api/collections/users/auth-with-password", { identity: email, password });
  sessionStorage.removeItem(EXPIRED_KEY);
  setAuth({ token: r.token, record: r.record });
  return r.record;
}

/** Refreshes the token and the user's record; signs out when the server says the token is dead. */
export async function refreshAuth() {
  if (!auth) return null;
  try {
    const r = await api("POST", "/api/collections/users/auth-refresh");
    setAuth({ token: r.token, record: r.record });
    return r.record;
  } catch (e) {
    if (e.status === 401 || e.status === 403 || e.status === 404) expireSession();
    throw e;
  }
}

export function signOut() {
  setAuth(null);
}

const RETURN_KEY = "yuetan.returnTo";
const EXPIRED_KEY = "yuetan.expired";

/** Remembers where the user is (the address in the bar) to come back to after signing in. */
export function rememberPlace(hash = location.hash) {
  if (!hash || hash.startsWith("#/login") || hash === "#/" || hash === "#") return;
  sessionStorage.setItem(RETURN_KEY, JSON.stringify({ hash, user: auth?.record?.id || readReturn()?.user || "" }));
}

function readReturn() {
  try {
    return JSON.parse(sessionStorage.getItem(RETURN_KEY) || "null");
  } catch {
    return null;
  }
}

/**
 * Where to go after signing in as userId: the place remembered when the
 * session ended or a link needed signing in (once; only for the same
 * person, or anyone when no one was signed in), else "".
 */
export function takeReturnPlace(userId) {
  const r = readReturn();
  sessionStorage.removeItem(RETURN_KEY);
  if (!r || !/^#\/[^?]/.test(r.hash) || r.hash.startsWith("#/login")) return "";
  return !r.user || r.user === userId ? r.hash.slice(1) : "";
}

/** The session ended on the server: sign out, saying so on the sign-in page, and remember the place. */
export function expireSession() {
  if (!auth) return;
  rememberPlace();
  sessionStorage.setItem(EXPIRED_KEY, "1");
  setAuth(null);
}

/** Whether the last session ended because it expired (until the next sign-in). */
export const sessionExpired = () => sessionStorage.getItem(EXPIRED_KEY) === "1";

let fileToken = { value: "", until: 0 };

/** A short-lived token for protected files (photos, signatures, PDFs). */
export async function getFileToken() {
  if (fileToken.value && Date.now() < fileToken.until) return fileToken.value;
  const r = await api("POST", "/api/files/token");
  fileToken = { value: r.token, until: Date.now() + 100 * 1000 };
  return r.token;
}

/** URL of a stored file of a record (protected files need a token). */
export function fileUrl(collection, id, name, { token: t = "", thumb = "" } = {}) {
  return `/api/files/${collection}/${id}/${encodeURIComponent(name)}` + qs({ token: t, thumb });
}

/** A new record id the way PocketBase makes them: 15 characters of [a-z0-9]. */
export function newId() {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  let s = "";
  for (const b of bytes) s += alphabet[b % 36];
  return s;
}
