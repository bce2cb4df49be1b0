// The field app offline: a grid worker records issues with photos with no
// network, reloads, comes back online and the issues reach the server
// once each; an offline edit the server rejects is shown with its message
// and can be discarded.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, launch, launchProfile, tabletContext, signIn, ready, shot } from "../lib/env.js";
import { photo } from "../lib/png.js";

let srv, browser;
before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

/** Waits until the page is controlled by the service worker (the shell is cached). */
async function swReady(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
    }
  });
}

/** Waits for the first sync after sign-in. */
async function synced(page) {
  await page.waitForSelector(".statusbar .last", { timeout: 30000 });
  await page.waitForFunction(() => {
    const last = document.querySelector(".statusbar .last");
    const btn = document.querySelector(".statusbar .sync-btn");
    return last && !last.textContent.includes("尚未同步") && btn && !btn.textContent.includes("同步中");
  }, null, { timeout: 30000 });
}

const pending = (page) => page.$eval(".statusbar .pending", (e) => Number(e.dataset.count));

test("a grid worker records three issues with photos offline; after a reload and reconnect they reach the server once each", async () => {
  const ctx = await tabletContext(browser);
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page, srv.url, "grid@yuetan.example");
  await ready(page, "issues");
  await swReady(page);
  await synced(page);

  await ctx.setOffline(true);
  await page.waitForSelector(".statusbar .net.off");
  const stamp = Date.now().toString(36);
  const titles = [1, 2, 3].map((i) => `离线登记问题${i}-${stamp}`);
  for (const [i, title] of titles.entries()) {
    await page.click("#new-issue");
    await ready(page, "issue-new");
    await page.click('input[name="kind"][value="' + (i === 1 ? "suggestion" : "problem") + '"]');
    await page.fill('input[name="title"]', title);
    await page.fill('textarea[name="description"]', `网格员入户走访时居民反映的第${i + 1}个情况。`);
    await page.fill('input[name="address"]', `划船社区${i + 3}幢`);
    await page.fill('input[name="resident_name"]', "测试居民");
    await page.fill('input[name="resident_phone"]', "13900001234");
    await page.setInputFiles('input[name="photos"]', { name: `photo${i}.png`, mimeType: "image/png", buffer: photo(1200, 900, i) });
    await page.waitForSelector(".photos .photo img");
    await page.click("text=记录当前位置");
    await page.waitForFunction(() => document.body.textContent.includes("北纬"));
    if (i === 0) await shot(page, "field-issue-offline", { fullPage: true });
    await page.click('#issue-form button[type="submit"]');
    await ready(page, "issues");
  }
  assert.equal(await pending(page), 3, "three edits wait in the outbox");

  // the tablet's browser restarts while still offline: the app opens from the cache
  await page.reload();
  await ready(page, "issues");
  for (const t of titles) await page.waitForSelector(`.issue-item:has-text("${t}")`);
  assert.equal(await pending(page), 3);
  assert.equal(await page.locator(".issue-item .badge.pending").count(), 3);
  assert.equal(await page.$eval(".statusbar .net", (e) => e.dataset.online), "false");
  await shot(page, "field-offline-pending");

  // back online: pushed automatically
  await ctx.setOffline(false);
  await page.waitForFunction(() => document.querySelector(".statusbar .pending")?.dataset.count === "0", null, { timeout: 30000 });
  await page.waitForFunction(() => !document.querySelector(".issue-item .badge.pending"), null, { timeout: 30000 });

  // through the sync API (not the plain-REST fallback)
  assert.equal(await page.$eval(".statusbar", (e) => e.dataset.mode), "sync");
  // and once more by hand: nothing is sent twice
  await page.click(".statusbar .sync-btn");
  await synced(page);
  for (const [i, t] of titles.entries()) {
    const r = await srv.api("GET", `/api/collections/issues/records?filter=${encodeURIComponent(`title = "${t}"`)}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.totalItems, 1, `"${t}" exists exactly once`);
    const rec = r.body.items[0];
    assert.equal(rec.photos.length, 1, "with its photo");
    assert.equal(rec.kind, i === 1 ? "suggestion" : "problem");
    assert.ok(rec.location.lat > 29 && rec.location.lon > 121, "with its location");
    assert.equal(rec.resident_name, "测试居民");
    // the photo was shrunk on the tablet before upload (1200×900 PNG → JPEG ≤ 1600 px)
    const file = await fetch(`${srv.url}/api/files/issues/${rec.id}/${rec.photos[0]}?token=${(await srv.api("POST", "/api/files/token")).body.token}`);
    assert.equal(file.status, 200);
    assert.match(file.headers.get("content-type"), /jpeg/);
  }
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("an offline edit the server rejects is listed with the server's message and can be discarded", async () => {
  // a draft of 划船社区, written by its community staff
  const staff = "staff@yuetan.example";
  const community = (await srv.api("GET", `/api/collections/orgs/records?filter=${encodeURIComponent('code = "DL-HC"')}`, undefined, staff)).body.items[0].id;
  const leader = (await srv.api("GET", `/api/collections/users/records?filter=${encodeURIComponent('name = "周明远"')}`, undefined, staff)).body.items[0].id;
  const draft = await srv.api(
    "POST",
    "/api/collections/applications/records",
    { community, applicant_kind: "community", subject: "离线编辑测试：小区道路破损", category: "community_building", target_leader: leader, description: "原始说明" },
    staff,
  );
  assert.equal(draft.status, 200, JSON.stringify(draft.body));
  const id = draft.body.id;

  const ctx = await tabletContext(browser);
  const page = await ctx.newPage();
  await signIn(page, srv.url, staff);
  await ready(page, "apps"); // community staff start on their to-do
  await swReady(page);
  await synced(page);

  await ctx.setOffline(true);
  await page.goto(`${srv.url}/#/apps/${id}/edit`);
  await ready(page, "compose");
  await page.fill('textarea[name="description"]', "离线时补充的情况说明");
  await page.click('#compose-form button[name="save"]');
  await ready(page, "apps");
  assert.equal(await pending(page), 1);

  // meanwhile the draft was submitted from the office: its content is frozen
  const submitted = await srv.api("PATCH", `/api/collections/applications/records/${id}`, { status: "submitted" }, staff);
  assert.equal(submitted.status, 200, JSON.stringify(submitted.body));

  await ctx.setOffline(false);
  const problems = page.locator(".statusbar .problems");
  await problems.waitFor({ timeout: 30000 });
  assert.equal(await problems.getAttribute("data-count"), "1");
  await problems.click();
  await ready(page, "sync");
  const card = page.locator(".mutation.rejected, .mutation.conflict").first();
  await card.waitFor();
  const message = await card.locator(".server-msg").textContent();
  assert.match(message, /服务器：.*(不能修改|已报街道)/, message);
  await shot(page, "field-sync-rejected");

  // nothing is lost silently: the edit stays until the person decides
  await page.reload();
  await ready(page, "sync");
  await page.locator(".mutation.rejected, .mutation.conflict").first().waitFor();

  await page.locator(".mutation button.danger").first().click();
  await page.click('dialog button:has-text("放弃")');
  await page.waitForFunction(() => !document.querySelector(".mutation"));
  assert.equal(await pending(page), 0);
  // the tablet shows the server's version again
  await page.goto(`${srv.url}/#/apps`);
  await ready(page, "apps");
  await page.waitForSelector(`[data-id="${id}"] .badge.status:has-text("已报街道")`);
  const server = await srv.api("GET", `/api/collections/applications/records/${id}`, undefined, staff);
  assert.equal(server.body.description, "原始说明");
  await ctx.close();
});

test("after one online sign-in the app opens offline when the tablet's browser restarts, and what was recorded then syncs later", async () => {
  const profile = mkdtempSync(join(tmpdir(), "yuetan-tablet-"));
  try {
    // day 1, online: sign in once
    let ctx = await launchProfile(profile);
    let page = ctx.pages()[0] || (await ctx.newPage());
    await signIn(page, srv.url, "grid2@yuetan.example");
    await ready(page, "issues");
    await swReady(page);
    await synced(page);
    const known = await page.locator(".issue-item").count();
    assert.ok(known > 0, "the community's issues are on the tablet");
    await ctx.close();

    // the browser starts again with no network at all
    ctx = await launchProfile(profile, { offline: true });
    page = ctx.pages()[0] || (await ctx.newPage());
    await page.goto(srv.url + "/");
    await ready(page, "issues");
    assert.equal(await page.locator(".issue-item").count(), known);
    assert.equal(await page.$eval(".statusbar .net", (e) => e.dataset.online), "false");
    const title = `重启后离线登记-${Date.now().toString(36)}`;
    await page.click("#new-issue");
    await ready(page, "issue-new");
    await page.fill('input[name="title"]', title);
    await page.click('#issue-form button[type="submit"]');
    await ready(page, "issues");
    assert.equal(await pending(page), 1);
    await ctx.close();

    // and again, now online: the edit kept in the tablet goes out by itself
    ctx = await launchProfile(profile);
    page = ctx.pages()[0] || (await ctx.newPage());
    await page.goto(srv.url + "/");
    await ready(page, "issues");
    await page.waitForFunction(() => document.querySelector(".statusbar .pending")?.dataset.count === "0", null, { timeout: 30000 });
    const r = await srv.api("GET", `/api/collections/issues/records?filter=${encodeURIComponent(`title = "${title}"`)}`);
    assert.equal(r.body.totalItems, 1);
    await ctx.close();
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});

test("an offline edit that conflicts with someone else's shows both versions; keeping mine sends it again on the server's version", async () => {
  const grid = "grid@yuetan.example";
  const me = (await srv.api("GET", `/api/collections/users/records?filter=${encodeURIComponent(`email = "${grid}"`)}`)).body.items[0];
  const issue = (await srv.api("GET", `/api/collections/issues/records?filter=${encodeURIComponent(`community = "${me.org}" && status = "open"`)}&sort=created`)).body.items[0];
  assert.ok(issue, "an open issue of 划船社区");

  const ctx = await tabletContext(browser);
  const page = await ctx.newPage();
  await signIn(page, srv.url, grid);
  await ready(page, "issues");
  await swReady(page);
  await synced(page);
  await ctx.setOffline(true);
  await page.goto(`${srv.url}/#/issues/${issue.id}`);
  await ready(page, "issue");
  await page.fill('textarea[name="description"]', "网格员离线补充：问题仍然存在，居民再次反映。");
  await page.click('#issue-form button[type="submit"]');
  await ready(page, "issues");

  // meanwhile the community office rewrote the same description
  const office = await srv.api("PATCH", `/api/collections/issues/records/${issue.id}`, { description: "社区办公室更新：已联系物业。" }, "staff@yuetan.example");
  assert.equal(office.status, 200, JSON.stringify(office.body));

  await ctx.setOffline(false);
  await page.locator(".statusbar .problems").waitFor({ timeout: 30000 });
  await page.click(".statusbar .problems");
  await ready(page, "sync");
  const card = page.locator(".mutation.conflict");
  await card.waitFor();
  assert.match(await card.locator(".server-msg").textContent(), /离线期间已被他人修改/);
  assert.match(await card.locator("table").textContent(), /社区办公室更新：已联系物业。/);
  await shot(page, "field-sync-conflict");

  // keep mine: it goes out again, based on the version just seen
  await card.locator("button.primary").click();
  await page.locator('#fix-form button[type="submit"]').click();
  await page.waitForFunction(() => !document.querySelector(".mutation"), null, { timeout: 30000 });
  const now = (await srv.api("GET", `/api/collections/issues/records/${issue.id}`)).body;
  assert.equal(now.description, "网格员离线补充：问题仍然存在，居民再次反映。");
  await ctx.close();
});

test("when the server asks for a full resync, the tablet starts over and drops what left its scope", async () => {
  const ctx = await tabletContext(browser);
  const page = await ctx.newPage();
  await signIn(page, srv.url, "grid@yuetan.example");
  await ready(page, "issues");
  await synced(page);
  const before = await page.locator(".issue-item").count();
  // a record the server no longer hands this user, and a cursor the server refuses
  await page.evaluate(async () => {
    const user = JSON.parse(localStorage.getItem("yuetan.auth")).record;
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open("yuetan-" + user.id);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const t = db.transaction(["records", "meta"], "readwrite");
    const id = "zzzzzzzzzzzzzzz";
    t.objectStore("records").put({ key: "issues/" + id, collection: "issues", id, seq: 1, local: null, server: { id, title: "已移出本社区的问题", kind: "problem", status: "open", community: user.org } });
    t.objectStore("meta").put({ k: "cursor", v: "not-a-cursor" });
    await new Promise((ok) => (t.oncomplete = ok));
    db.close();
  });
  await page.reload();
  await ready(page, "issues");
  await synced(page);
  await page.click(".statusbar .sync-btn");
  await page.waitForFunction(() => !document.body.textContent.includes("已移出本社区的问题"), null, { timeout: 30000 });
  await synced(page);
  assert.equal(await page.locator(".issue-item").count(), before);
  assert.equal(await page.locator(".statusbar .sync-error").count(), 0);
  await ctx.close();
});

test("when the server has dropped the tablet's sync session for the account's newer ones, the tablet starts over by itself", async () => {
  const ctx = await tabletContext(browser);
  const page = await ctx.newPage();
  await signIn(page, srv.url, "grid@yuetan.example");
  await ready(page, "issues");
  await synced(page);
  const before = await page.locator(".issue-item").count();
  const cursor = () =>
    page.evaluate(async () => {
      const user = JSON.parse(localStorage.getItem("yuetan.auth")).record;
      const db = await new Promise((ok, fail) => {
        const r = indexedDB.open("yuetan-" + user.id);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      const row = await new Promise((ok) => {
        const r = db.transaction("meta").objectStore("meta").get("cursor");
        r.onsuccess = () => ok(r.result);
      });
      db.close();
      return row?.v || "";
    });
  const pull = async (c) =>
    fetch(`${srv.url}/api/sync/pull?limit=1&cursor=${encodeURIComponent(c)}`, {
      headers: { Authorization: await srv.token("grid@yuetan.example"), "X-Sync-Schema": "1" },
    });
  const stale = await cursor();
  assert.notEqual(stale, "");
  // the same account starts more full syncs elsewhere than the server keeps sessions for (16)
  for (let i = 0; i < 16; i++) assert.equal((await pull("")).status, 200);
  assert.equal((await pull(stale)).status, 409);
  await page.click(".statusbar .sync-btn");
  // the tablet is told to start over: it does, under a new session (its
  // cursor moves on, then the sync ends)
  const startedOver = async (...old) => {
    for (const deadline = Date.now() + 30000; ; ) {
      const now = await cursor();
      const busy = await page.$eval(".statusbar .sync-btn", (b) => b.textContent.includes("同步中"));
      if (now && !old.includes(now) && !busy) return now;
      if (Date.now() > deadline) throw new Error(`the tablet did not start over (cursor ${now})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const first = await startedOver(stale);
  assert.equal((await pull(first)).status, 200);
  await page.waitForFunction((n) => document.querySelectorAll(".issue-item").length === n, before, { timeout: 30000 });
  assert.equal(await page.locator(".statusbar .sync-error").count(), 0);

  // starting over again, the tablet names itself: the server drops its
  // previous session at once instead of keeping it until the bound
  await page.evaluate(async () => {
    const user = JSON.parse(localStorage.getItem("yuetan.auth")).record;
    const db = await new Promise((ok) => {
      const r = indexedDB.open("yuetan-" + user.id);
      r.onsuccess = () => ok(r.result);
    });
    const t = db.transaction("meta", "readwrite");
    t.objectStore("meta").put({ k: "cursor", v: "not-a-cursor" });
    await new Promise((ok) => (t.oncomplete = ok));
    db.close();
  });
  await page.click(".statusbar .sync-btn");
  const second = await startedOver(first, "not-a-cursor");
  assert.equal((await pull(second)).status, 200);
  assert.equal((await pull(first)).status, 409);
  await ctx.close();
});
