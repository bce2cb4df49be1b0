// The e2e environment: the real yuetan server (built once, started on a
// free loopback port with a fresh data dir and the demo district) and
// Debian's headless Chromium driven by playwright-core.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, "..", "..");
export const PASSWORD = "yuetan2026";

/** The server binary: $YUETAN_BIN, or built into e2e/.bin (go's cache keeps it quick). */
export function binary() {
  if (process.env.YUETAN_BIN) return process.env.YUETAN_BIN;
  const out = join(repo, "e2e", ".bin", "yuetan");
  execFileSync("go", ["build", "-o", out, "."], { cwd: repo, stdio: "inherit" });
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** Starts `yuetan serve --demo` and waits until it answers. */
export async function startServer() {
  const bin = binary();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "yuetan-e2e-"));
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(bin, ["serve", "--demo", "--dir", dir, "--http", `127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  const deadline = Date.now() + 60000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error("server exited:\n" + log);
    try {
      const r = await fetch(url + "/api/health");
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error("server did not start:\n" + log);
    await new Promise((r) => setTimeout(r, 100));
  }
  const tokens = {};
  async function token(email) {
    if (tokens[email]) return tokens[email];
    const isAdmin = email.startsWith("admin@");
    const r = await fetch(`${url}/api/collections/${isAdmin ? "_superusers" : "users"}/auth-with-password`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ identity: email, password: PASSWORD }),
    });
    const j = await r.json();
    if (!r.ok) throw new Error(`sign in ${email}: ${JSON.stringify(j)}`);
    return (tokens[email] = j.token);
  }
  /** Calls the API as email ("" for a guest); returns {status, body}. */
  async function api(method, path, body, email = "admin@yuetan.example") {
    const headers = {};
    if (email) headers.Authorization = await token(email);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const r = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const type = r.headers.get("content-type") || "";
    return { status: r.status, type, body: type.includes("json") ? await r.json() : await r.arrayBuffer() };
  }
  async function stop() {
    proc.kill("SIGTERM");
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.once("exit", r)));
    rmSync(dir, { recursive: true, force: true });
  }
  return { url, port, dir, api, token, stop, log: () => log };
}

const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches Debian's Chromium, headless, with a fresh profile (Playwright makes one per launch). */
export function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: chromiumArgs });
}

/**
 * Starts Chromium on the profile in dir (a tablet's browser that keeps its
 * storage across restarts), tablet-sized, in Beijing time.
 */
export function launchProfile(dir, opts = {}) {
  return chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 800 },
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    ...opts,
  });
}

/** A browser context the size of a 10-inch tablet (landscape), in Beijing time. */
export async function tabletContext(browser, opts = {}) {
  return browser.newContext({
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    permissions: ["geolocation"],
    geolocation: { latitude: 29.8683, longitude: 121.544 },
    ...opts,
  });
}

/** Signs in through the login page and waits for the home page. */
export async function signIn(page, url, email) {
  await page.goto(url + "/#/login");
  await page.fill('input[name="identity"]', email);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForFunction(() => document.body.dataset.ready && document.body.dataset.ready !== "login");
}

/** srv → email → the auth answer of its one sign-in (signInDirect). */
const signIns = new WeakMap();

/**
 * Signs in without the login form (for tests about other pages): the token
 * the login would have saved is put in the page's storage before the app
 * starts, then the app opens on its home page.
 */
export async function signInDirect(page, srv, email) {
  // one sign-in per account and server: the server allows 30 a minute from
  // one address, and a fast machine runs a test file's sign-ins faster
  const cache = (signIns.get(srv) ?? signIns.set(srv, {}).get(srv));
  if (!cache[email]) {
    const r = await fetch(`${srv.url}/api/collections/users/auth-with-password`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ identity: email, password: PASSWORD }),
    });
    const auth = await r.json();
    if (!r.ok) throw new Error(`sign in ${email}: ${JSON.stringify(auth)}`);
    cache[email] = auth;
  }
  const auth = cache[email];
  await page.context().addInitScript((a) => {
    try {
      if (location.protocol.startsWith("http") && !localStorage.getItem("yuetan.auth")) localStorage.setItem("yuetan.auth", JSON.stringify(a));
    } catch {}
  }, { token: auth.token, record: auth.record });
  await page.goto(srv.url + "/");
  await page.waitForFunction(() => document.body.dataset.ready && document.body.dataset.ready !== "login");
}

/**
 * Waits until the page named name has drawn its data for the path in the
 * address bar (the router's readiness contract: body[data-ready] and
 * body[data-ready-path]), so a page of the same name drawn for an earlier
 * address never counts.
 */
export async function ready(page, name) {
  await page.waitForFunction((n) => {
    const path = location.hash.replace(/^#/, "").split("?")[0] || "/";
    return document.body.dataset.ready === n && document.body.dataset.readyPath === path;
  }, name);
}

/**
 * Saves a screenshot to docs/screenshots/NAME.png when SCREENSHOTS=1 (the
 * README's pictures are made by the tests themselves, so they show what
 * the tests saw).
 */
export async function shot(page, name, { fullPage = false } = {}) {
  if (process.env.SCREENSHOTS !== "1") return;
  // the fonts loaded and every picture decoded
  await page.evaluate(() => document.fonts.ready);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete));
  await page.screenshot({ path: join(repo, "docs", "screenshots", name + ".png"), fullPage });
}
