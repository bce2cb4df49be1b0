// The service worker keeps the app shell for offline use. The server fills
// in VERSION (a hash of every embedded file) and ASSETS, so a new binary
// installs a new cache and the old one is dropped. API requests are never
// cached here: the field app keeps its data in IndexedDB.

const VERSION = "__VERSION__";
const ASSETS = ["__ASSETS__"];
const CACHE = "yuetan-shell-" + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(ASSETS.map((a) => new Request(a, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("yuetan-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/_/")) return;
  if (req.mode === "navigate") {
    // the app is one page with hash routes: always the cached shell
    event.respondWith(
      caches.match("./", { cacheName: CACHE, ignoreVary: true }).then((hit) => hit || fetch(req)),
    );
    return;
  }
  event.respondWith(
    caches.match(req, { cacheName: CACHE, ignoreSearch: true, ignoreVary: true }).then((hit) => hit || fetch(req)),
  );
});
