// The field app across a restore of the server from one of PocketBase's
// own backups: the tablet is told, syncs again from scratch, pushes again
// the edit the server had accepted after the backup (and not the one the
// backup has), and the 同步记录 page says so.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, tabletContext, signIn, ready } from "../lib/env.js";

let srv, browser;
before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

/** Waits until a sync has ended with nothing left to push. */
async function pushed(page) {
  await page.waitForFunction(() => {
    const btn = document.querySelector(".statusbar .sync-btn");
    return document.querySelector(".statusbar .pending")?.dataset.count === "0" && btn && !btn.textContent.includes("同步中");
  }, null, { timeout: 30000 });
}

async function record(page, title) {
  await page.click("#new-issue");
  await ready(page, "issue-new");
  await page.click('input[name="kind"][value="problem"]');
  await page.fill('input[name="title"]', title);
  await page.fill('textarea[name="description"]', "恢复测试：居民反映的情况。");
  await page.click('#issue-form button[type="submit"]');
  await ready(page, "issues");
  await page.click(".statusbar .sync-btn");
  await pushed(page);
}

/** How many issues the server has with title (null while it restarts). */
async function onServer(title) {
  try {
    const r = await srv.api("GET", `/api/collections/issues/records?filter=${encodeURIComponent(`title = "${title}"`)}`);
    return r.status === 200 ? r.body.totalItems : null;
  } catch {
    return null;
  }
}

async function until(what, fn, timeout = 60000) {
  for (const deadline = Date.now() + timeout; ; ) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error("timed out: " + what + "\n" + srv.log().slice(-2000));
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("after a restore from a backup the tablet pushes again what the server lost, once, and says so", async () => {
  const ctx = await tabletContext(browser);
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page, srv.url, "grid@yuetan.example");
  await ready(page, "issues");
  await pushed(page);
  const stamp = Date.now().toString(36);
  const kept = `备份前登记-${stamp}`, lost = `备份后登记-${stamp}`;

  await record(page, kept);
  assert.equal(await onServer(kept), 1);
  assert.equal((await srv.api("POST", "/api/backups", { name: "e2e_before.zip" })).status, 204);
  await record(page, lost);
  assert.equal(await onServer(lost), 1);

  // PocketBase restores the backup and restarts the server: the second issue is gone
  assert.equal((await srv.api("POST", "/api/backups/e2e_before.zip/restore")).status, 204);
  await until("the restore", async () => (await onServer(lost)) === 0);

  await page.click(".statusbar .sync-btn");
  await until("the lost issue pushed again", async () => (await onServer(lost)) === 1);
  await pushed(page);
  assert.equal(await onServer(kept), 1, "the issue the backup has is not written twice");
  assert.equal(await onServer(lost), 1);
  assert.equal(await page.locator(".statusbar .sync-error").count(), 0);

  await page.goto(`${srv.url}/#/sync`);
  await ready(page, "sync");
  await page.waitForSelector("#sync-notice:not([hidden])");
  const notice = await page.textContent("#sync-notice");
  assert.match(notice, /服务器已从备份恢复/);
  assert.match(notice, /重新上传了 2 条/);
  await page.click("#sync-notice button");
  await page.waitForSelector("#sync-notice[hidden]", { state: "attached" });
  assert.deepEqual(errors, []);
  await ctx.close();
});
