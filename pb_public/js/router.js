// Hash routes ("#/issues/abc"): the app shell never needs the server to
// know its paths, so it opens offline from the service worker's cache.

const routes = [];
let current = null; // {cleanup, guard, hash}
let onRoute = null;

/**
 * Lets the page on screen be asked before the user leaves it (a form not
 * saved yet): guard() resolves true to leave, false to stay. The page's
 * own navigation after saving clears it with leaveGuard(null).
 */
export function leaveGuard(guard) {
  if (current) current.guard = guard;
}

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

/** Starts routing: before(route, params) runs before each page and may redirect (returns another path); drawn(name) after each page has drawn. */
export function start(main, { fallback, before, drawn }) {
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
      const name = r.name || r.pattern;
      delete document.body.dataset.ready;
      delete document.body.dataset.readyPath;
      document.body.dataset.page = name;
      // Each rendering draws into a view of its own. When the route changes
      // the view leaves the page, so whatever an old page still does — a
      // realtime reload in flight, a debounced redraw — lands in a detached
      // element and can never replace the page that followed it.
      const view = document.createElement("div");
      view.className = "view";
      view.dataset.route = name;
      main.replaceChildren(view);
      window.scrollTo(0, 0);
      const token = { hash: location.hash };
      current = token;
      try {
        const cleanup = await r.page(view, params);
        if (current !== token) {
          if (typeof cleanup === "function") cleanup();
          return;
        }
        token.cleanup = cleanup;
      } catch (e) {
        console.error(e);
        if (current === token) view.replaceChildren(errorBox(e));
      }
      // The readiness contract: body[data-ready] names the page and
      // body[data-ready-path] the path it drew, set once that page has drawn
      // its data, and only while it is still the page on screen.
      if (current === token) {
        const title = view.querySelector("h1")?.textContent?.trim();
        document.title = title ? `${title} · 群众约谈` : "群众约谈";
        document.body.dataset.readyAt = String(Math.round(performance.now())); // ms since the navigation started
        document.body.dataset.readyPath = path;
        document.body.dataset.ready = name;
        document.body.dataset.renderMs = String(Math.round(performance.now() - started));
        if (drawn) drawn(name);
      }
      return;
    }
    navigate(fallback(), { replace: true });
  };
  window.addEventListener("hashchange", leaving);
  render();
}

/** A hash change: asks the page on screen first when it has a guard. */
async function leaving() {
  const page = current;
  if (page?.guard && location.hash !== page.hash) {
    const to = location.hash;
    history.replaceState(null, "", page.hash); // stay until the page agrees
    const guard = page.guard;
    page.guard = null; // one question at a time
    let ok = false;
    try {
      ok = await guard();
    } catch (e) {
      console.error(e);
    }
    if (current !== page) return;
    if (!ok) {
      page.guard = guard;
      return;
    }
    location.hash = to; // fires hashchange again, now without a guard
    return;
  }
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
