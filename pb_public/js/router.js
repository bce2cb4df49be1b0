// Hash routes ("#/issues/abc"): the app shell never needs the server to
// know its paths, so it opens offline from the service worker's cache.

const routes = [];
let current = null; // {cleanup}
let onRoute = null;

/** route("/issues/:id", page): page(main, params) renders and may return a cleanup function. */
export function route(pattern, page, opts = {}) {
  const names = [];
  const re = new RegExp("^" + pattern.replace(/:(\w+)/g, (_, n) => (names.push(n), "([^/]+)")) + "$");
  routes.push({ re, names, page, pattern, ...opts });
}

export function navigate(path, { replace = false } = {}) {
  const h = "#" + path;
  if (location.hash === h) return render();
  if (replace) history.replaceState(null, "", h);
  else location.hash = h;
  if (replace) render();
}

export function currentPath() {
  return location.hash.replace(/^#/, "").split("?")[0] || "/";
}

export function query() {
  return new URLSearchParams(location.hash.split("?")[1] || "");
}

/** Starts routing: resolve(path) may redirect (returns another path); fn(route) runs before each page. */
export function start(main, { fallback, before }) {
  onRoute = async () => {
    const path = currentPath();
    for (const r of routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      if (before) {
        const redirect = before(r, params);
        if (redirect) return navigate(redirect, { replace: true });
      }
      if (current?.cleanup) {
        try {
          current.cleanup();
        } catch {}
      }
      current = null;
      const started = performance.now();
      delete document.body.dataset.ready;
      document.body.dataset.page = r.name || r.pattern;
      main.replaceChildren();
      window.scrollTo(0, 0);
      const token = {};
      current = token;
      try {
        const cleanup = await r.page(main, params);
        if (current !== token) {
          if (typeof cleanup === "function") cleanup();
          return;
        }
        token.cleanup = cleanup;
      } catch (e) {
        console.error(e);
        main.replaceChildren(errorBox(e));
      }
      if (current === token) {
        const title = main.querySelector("h1")?.textContent?.trim();
        document.title = title ? `${title} · 群众约谈` : "群众约谈";
        document.body.dataset.readyAt = String(Math.round(performance.now())); // ms since the navigation started
        document.body.dataset.ready = r.name || r.pattern;
        document.body.dataset.renderMs = String(Math.round(performance.now() - started));
      }
      return;
    }
    navigate(fallback(), { replace: true });
  };
  window.addEventListener("hashchange", render);
  render();
}

function errorBox(e) {
  const d = document.createElement("div");
  d.className = "page-error";
  d.setAttribute("role", "alert");
  d.textContent = (e && e.message) || String(e);
  return d;
}

export function render() {
  if (onRoute) return onRoute();
}
