// A tiny client of PocketBase's realtime API (server-sent events):
// GET /api/realtime sends PB_CONNECT with a client id; POST /api/realtime
// {clientId, subscriptions} with the user's token sets the topics; each
// record change arrives as an event named after its topic with
// {action, record}. On reconnect the server issues a new client id and the
// topics are sent again (missed events are not replayed, so listeners
// reload what they show).

import { token } from "./api.js";

const handlers = new Map(); // topic → Set(fn)
let es = null;
let clientId = "";
let status = "closed";
const statusListeners = new Set();

function setStatus(s) {
  status = s;
  for (const fn of statusListeners) fn(s);
}

export function onRealtimeStatus(fn) {
  statusListeners.add(fn);
  fn(status);
  return () => statusListeners.delete(fn);
}

/**
 * Subscribes fn to a topic ("applications/*", "talks/*", …); returns an
 * unsubscribe function. fn({action, record}) runs for every change.
 */
export function subscribe(topic, fn) {
  let set = handlers.get(topic);
  const isNew = !set;
  if (!set) handlers.set(topic, (set = new Set()));
  set.add(fn);
  if (!es) connect(); // listens to every topic, this one included
  else if (isNew) {
    listen(topic);
    sendTopics();
  }
  return () => {
    set.delete(fn);
    if (!set.size) {
      handlers.delete(topic);
      sendTopics();
    }
  };
}

/** Runs fn after every reconnect (to reload what may have been missed). */
const reconnectListeners = new Set();
export function onReconnect(fn) {
  reconnectListeners.add(fn);
  return () => reconnectListeners.delete(fn);
}

const listening = new Set(); // topics with a listener on the current EventSource

function listen(topic) {
  if (!es || listening.has(topic)) return;
  listening.add(topic);
  es.addEventListener(topic, (e) => {
    let msg;
    try {
      msg = JSON.parse(e.data);
    } catch {
      return;
    }
    for (const fn of handlers.get(topic) || []) {
      try {
        fn(msg);
      } catch (err) {
        console.error(err);
      }
    }
  });
}

let connectedOnce = false;

function connect() {
  if (es || !token() || !("EventSource" in window)) return;
  setStatus("connecting");
  listening.clear();
  es = new EventSource("/api/realtime");
  es.addEventListener("PB_CONNECT", (e) => {
    clientId = JSON.parse(e.data).clientId;
    sendTopics().then(() => {
      setStatus("open");
      if (connectedOnce) for (const fn of reconnectListeners) fn();
      connectedOnce = true;
    });
  });
  es.onerror = () => {
    // EventSource retries by itself; a new PB_CONNECT follows
    clientId = "";
    setStatus(navigator.onLine ? "connecting" : "closed");
  };
  for (const topic of handlers.keys()) listen(topic);
}

let sending = Promise.resolve();

function sendTopics() {
  if (!clientId) return Promise.resolve();
  const id = clientId;
  sending = sending.then(() =>
    fetch("/api/realtime", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: token() },
      body: JSON.stringify({ clientId: id, subscriptions: [...handlers.keys()] }),
    }).catch(() => {}),
  );
  return sending;
}

/** Closes the connection (on sign-out). */
export function disconnect() {
  if (es) es.close();
  es = null;
  clientId = "";
  handlers.clear();
  connectedOnce = false;
  setStatus("closed");
}
