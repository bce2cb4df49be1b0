// 催办 that arrives: the supervisor sends a reminder from the application
// page; the assigned leader's menu count goes up live, without a reload;
// the inbox shows it with its author; opening it marks it read.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, tabletContext, signInDirect, ready } from "../lib/env.js";

let srv, browser;
before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function as(email) {
  const ctx = await tabletContext(browser);
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInDirect(page, srv, email);
  page.errors = errors;
  return page;
}

const badge = (page) => page.evaluate(() => document.querySelector("#nav-inbox-count")?.dataset.count);

test("a reminder reaches the leader's inbox live and opening it marks it read", async () => {
  const subject = "东海花园小区门禁系统维修"; // notified: the assigned leader is 钱立新
  const found = await srv.api("GET", `/api/collections/applications/records?filter=${encodeURIComponent(`subject = "${subject}"`)}`);
  assert.equal(found.body.totalItems, 1);
  const id = found.body.items[0].id;

  const leader = await as("chief@yuetan.example");
  await leader.waitForFunction(() => document.querySelector("#nav-inbox-count")?.dataset.count !== undefined);
  const before = Number(await badge(leader));
  await leader.evaluate(() => (window.__sameDocument = true));

  const sup = await as("sup@yuetan.example");
  await sup.goto(`${srv.url}/#/app/${id}`);
  await ready(sup, "application");
  const note = `请于本周内商定约谈（端到端 ${Date.now().toString(36)}）`;
  await sup.click('button[data-action="supervise"]');
  await sup.fill('textarea[name="note"]', note);
  await sup.click('form.action-form button[type="submit"]');
  await sup.waitForSelector(".toast.ok");

  // live: the count goes up on the page the leader already has open
  await leader.waitForFunction((n) => Number(document.querySelector("#nav-inbox-count")?.dataset.count) >= n, before + 1, { timeout: 30000 });
  assert.equal(await leader.evaluate(() => window.__sameDocument), true, "no reload");
  assert.equal(await leader.isVisible("#nav-inbox-count"), true);

  await leader.click('a.nav-link[data-path="/inbox"]');
  await ready(leader, "inbox");
  const item = leader.locator(".notification.unread", { hasText: note });
  await item.waitFor();
  assert.match(await item.innerText(), /黄海（区委区府办督查室主任）/);
  assert.match(await item.innerText(), /督办提醒/);
  const nid = await item.getAttribute("data-id");
  const unreadBefore = Number(await badge(leader));
  await item.click();
  await ready(leader, "application");
  assert.ok(leader.url().endsWith(`#/app/${id}`));
  await leader.waitForFunction((n) => Number(document.querySelector("#nav-inbox-count")?.dataset.count) === n, unreadBefore - 1, { timeout: 30000 });

  const n = await srv.api("GET", `/api/collections/notifications/records/${nid}`);
  assert.equal(n.status, 200);
  assert.ok(n.body.read_at, "marked read on the server");
  assert.equal(n.body.author_name, "黄海（区委区府办督查室主任）");

  // the supervisor has no such notification (it is the leader's alone)
  const other = await srv.api("GET", `/api/collections/notifications/records/${nid}`, undefined, "sup@yuetan.example");
  assert.equal(other.status, 404);
  assert.deepEqual([...leader.errors, ...sup.errors], []);
});
