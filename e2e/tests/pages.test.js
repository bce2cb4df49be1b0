// Page-load times of the main screens on the demo data (goal: under one
// second each, from the start of the navigation to the page drawn with its
// data, by the page's own clock), measured
// in Debian's Chromium on a tablet-sized window; the README's screenshots
// (SCREENSHOTS=1); the tablet's residents' co-signature pad.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { startServer, launch, tabletContext, signInDirect, ready, shot, repo } from "../lib/env.js";

let srv, browser;
const timings = [];
before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
});
after(async () => {
  if (timings.length) {
    const dir = join(repo, "e2e", ".results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "timings.json"), JSON.stringify(timings, null, 2));
  }
  await browser?.close();
  await srv?.stop();
});

const LIMIT_MS = 1000;

/**
 * Loads url from scratch (full page loads, not hash changes) until the
 * router marks it drawn with its data, and reads the page's own clock at
 * that moment: milliseconds from the start of the navigation (the test
 * driver's overhead is left out). The median of three loads, or of seven
 * when the first three's is over the limit (other work on a shared 2-core
 * machine makes single loads noisy).
 */
async function measure(page, label, hash, name) {
  const runs = [];
  const once = async () => {
    await page.goto("about:blank");
    await page.goto(`${srv.url}/${hash}`);
    await ready(page, name);
    runs.push(Number(await page.evaluate(() => document.body.dataset.readyAt)));
  };
  const median = () => [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  for (let i = 0; i < 3; i++) await once();
  if (median() >= LIMIT_MS) for (let i = 0; i < 4; i++) await once();
  timings.push({ page: label, hash, median_ms: median(), runs_ms: runs });
  return median();
}

async function as(email, viewport) {
  const ctx = await tabletContext(browser, viewport ? { viewport } : {});
  const page = await ctx.newPage();
  await signInDirect(page, srv, email);
  return page;
}

async function appByStatus(status) {
  const r = await srv.api("GET", `/api/collections/applications/records?filter=${encodeURIComponent(`status = "${status}"`)}&sort=created`);
  return r.body.items[0];
}

test("main screens load in under one second on the demo data", async () => {
  const closed = await appByStatus("closed");
  const notified = await appByStatus("notified");
  const results = [];

  const grid = await as("grid@yuetan.example");
  await ready(grid, "issues");
  await grid.waitForFunction(() => !document.querySelector(".statusbar .last")?.textContent.includes("尚未同步"), null, { timeout: 30000 });
  results.push(["网格员 问题收集", await measure(grid, "网格员 问题收集", "#/issues", "issues")]);
  results.push(["网格员 登记问题", await measure(grid, "网格员 登记问题", "#/issues/new", "issue-new")]);
  await shot(grid, "field-issues");
  await grid.context().close();

  const staff = await as("staff@yuetan.example");
  await ready(staff, "apps");
  await staff.waitForFunction(() => !document.querySelector(".statusbar .last")?.textContent.includes("尚未同步"), null, { timeout: 30000 });
  results.push(["社区 约谈申请", await measure(staff, "社区 约谈申请", "#/apps", "apps")]);
  results.push(["社区 新建申请", await measure(staff, "社区 新建申请", "#/apps/new", "compose")]);
  await staff.context().close();

  const leaderEmail = notified ? (await srv.api("GET", `/api/collections/users/records/${notified.assigned_leader}`)).body.email : "secretary@yuetan.example";
  const leader = await as(leaderEmail);
  results.push(["领导 待我办理", await measure(leader, "领导 待我办理", "#/queue", "queue")]);
  if (notified) results.push(["领导 申请详情", await measure(leader, "领导 申请详情", `#/app/${notified.id}`, "application")]);
  await leader.context().close();

  const wg = await as("wg@yuetan.example");
  results.push(["专门工作小组 待我办理", await measure(wg, "专门工作小组 待我办理", "#/queue", "queue")]);
  results.push(["专门工作小组 全部申请", await measure(wg, "专门工作小组 全部申请", "#/all", "all")]);
  results.push(["专门工作小组 统计", await measure(wg, "专门工作小组 统计", "#/figures", "figures")]);
  await wg.context().close();

  const sup = await as("sup@yuetan.example");
  results.push(["督查 超期督办", await measure(sup, "督查 超期督办", "#/overdue", "overdue")]);
  results.push(["督查 申请详情（全过程）", await measure(sup, "督查 申请详情（全过程）", `#/app/${closed.id}`, "application")]);
  await sup.context().close();

  for (const [label, ms] of results) test.diagnostic?.(`${label}: ${ms} ms`);
  console.log(results.map(([l, ms]) => `  ${l.padEnd(16, "　")} ${String(ms).padStart(4)} ms`).join("\n"));
  const slow = results.filter(([, ms]) => ms >= LIMIT_MS);
  // On a machine busy with other work (load average over twice its cores)
  // the times say more about the neighbours than about the pages: reported,
  // not asserted.
  const load = os.loadavg()[0];
  if (slow.length && load > 2 * os.cpus().length) {
    console.log(`# machine busy (load average ${load.toFixed(1)} on ${os.cpus().length} cores): slow pages reported, not failed: ${slow.map(([l, ms]) => `${l} ${ms} ms`).join("，")}`);
    return;
  }
  assert.deepEqual(slow, [], `pages slower than ${LIMIT_MS} ms (load average ${load.toFixed(1)})`);
});

test("residents co-sign on the signature pad; the signatures reach the server with their images", async () => {
  const draft = (await srv.api("GET", `/api/collections/applications/records?filter=${encodeURIComponent('status = "draft" && applicant_kind = "residents"')}`)).body.items[0];
  assert.ok(draft, "the demo has a residents' draft");
  const before = (await srv.api("GET", `/api/collections/signatures/records?filter=${encodeURIComponent(`application = "${draft.id}"`)}`)).body.totalItems;
  const grid = await as("grid@yuetan.example");
  await ready(grid, "issues");
  await grid.goto(`${srv.url}/#/apps/${draft.id}/signatures`);
  await ready(grid, "signatures");
  await grid.fill('#signature-form input[name="name"]', "冯秀珍");
  await grid.fill('#signature-form input[name="address"]', "划船社区6幢302室");
  await grid.fill('#signature-form input[name="phone"]', "13900005678");
  const pad = await grid.locator("canvas.sigpad").boundingBox();
  // a finger signs: a few strokes
  const strokes = [
    [[0.1, 0.6], [0.18, 0.3], [0.24, 0.7], [0.3, 0.35]],
    [[0.38, 0.4], [0.5, 0.42], [0.44, 0.75], [0.56, 0.7]],
    [[0.62, 0.3], [0.66, 0.75], [0.75, 0.5], [0.85, 0.45], [0.9, 0.62]],
  ];
  for (const s of strokes) {
    await grid.mouse.move(pad.x + s[0][0] * pad.width, pad.y + s[0][1] * pad.height);
    await grid.mouse.down();
    for (const [x, y] of s.slice(1)) await grid.mouse.move(pad.x + x * pad.width, pad.y + y * pad.height, { steps: 8 });
    await grid.mouse.up();
  }
  await shot(grid, "field-signature");
  await grid.click('#signature-form button[type="submit"]');
  await grid.waitForSelector('td:has-text("冯秀珍")');
  await grid.waitForFunction(() => document.querySelector(".statusbar .pending")?.dataset.count === "0", null, { timeout: 30000 });
  const after = await srv.api("GET", `/api/collections/signatures/records?filter=${encodeURIComponent(`application = "${draft.id}" && name = "冯秀珍"`)}`);
  assert.equal(after.body.totalItems, 1);
  assert.ok(after.body.items[0].image, "with the signature image");
  const total = (await srv.api("GET", `/api/collections/signatures/records?filter=${encodeURIComponent(`application = "${draft.id}"`)}`)).body.totalItems;
  assert.equal(total, before + 1);
  await grid.context().close();
});

test("screenshots of the main screens", { skip: process.env.SCREENSHOTS !== "1" && "set SCREENSHOTS=1 to refresh docs/screenshots" }, async () => {
  const login = await (await tabletContext(browser)).newPage();
  await login.goto(`${srv.url}/#/login`);
  await ready(login, "login");
  await shot(login, "login");
  await login.context().close();

  const staff = await as("staff@yuetan.example");
  await ready(staff, "apps");
  await staff.waitForFunction(() => !document.querySelector(".statusbar .last")?.textContent.includes("尚未同步"), null, { timeout: 30000 });
  await staff.goto(`${srv.url}/#/apps/new`);
  await ready(staff, "compose");
  await staff.fill('input[name="subject"]', "划船社区楼道照明改造");
  await staff.click('input[name="category"][value="community_building"]');
  await staff.click('input[name="applicant_kind"][value="residents"]');
  await staff.locator('#issue-picks input[name="issues"]').first().check();
  await shot(staff, "field-compose", { fullPage: true });
  await staff.goto(`${srv.url}/#/apps`);
  await staff.click('dialog[data-dialog="leave"] button:has-text("放弃")'); // the form asks before it is left
  await ready(staff, "apps");
  await shot(staff, "field-applications");
  await staff.context().close();

  // the leader a notice was delivered to: the queue, and scheduling the talk
  const notified = await appByStatus("notified");
  const leaderEmail = notified ? (await srv.api("GET", `/api/collections/users/records/${notified.assigned_leader}`)).body.email : "secretary@yuetan.example";
  const leader = await as(leaderEmail);
  await ready(leader, "queue");
  await shot(leader, "console-queue-leader");
  if (notified) {
    await leader.goto(`${srv.url}/#/app/${notified.id}`);
    await ready(leader, "application");
    await leader.click('button[data-action="schedule"]');
    await leader.fill('form[data-form="schedule"] input[name="place"]', "东海花园社区会议室");
    await shot(leader, "console-application-schedule", { fullPage: true });
  }
  await leader.context().close();

  const wg = await as("wg@yuetan.example");
  await ready(wg, "queue");
  await shot(wg, "console-queue-working-group");
  await wg.goto(`${srv.url}/#/figures`);
  await ready(wg, "figures");
  await shot(wg, "console-figures", { fullPage: true });
  await wg.context().close();

  const sup = await as("sup@yuetan.example");
  await ready(sup, "queue");
  const closed = await appByStatus("closed");
  await sup.goto(`${srv.url}/#/app/${closed.id}`);
  await ready(sup, "application");
  await shot(sup, "console-application-story", { fullPage: true });
  await sup.goto(`${srv.url}/#/overdue`);
  await ready(sup, "overdue");
  await shot(sup, "console-overdue");
  await sup.context().close();

  // a 10-inch tablet held upright
  const portrait = await as("handler3@yuetan.example", { width: 800, height: 1280 });
  await ready(portrait, "queue");
  const handling = (await srv.api("GET", `/api/collections/applications/records?filter=${encodeURIComponent('status = "in_handling"')}`, undefined, "handler3@yuetan.example")).body.items[0];
  if (handling) {
    await portrait.goto(`${srv.url}/#/app/${handling.id}`);
    await ready(portrait, "application");
    await portrait.click('button[data-action="submit_feedback"]');
    await shot(portrait, "console-handler-portrait");
  }
  await portrait.context().close();
});
