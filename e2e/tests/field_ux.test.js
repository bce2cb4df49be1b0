// The field app to the standard of ODK Collect (issue 14): a half-typed
// form is kept and offered again, errors show where the person looks and
// go when fixed, possible duplicates show while recording (offline), the
// sync page and badges say what is true, each role lands on its to-do and
// the tabs count what waits, an expired session says so and comes back to
// where it was, and every control is big enough for a finger.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, tabletContext, signIn, signInDirect, ready, shot, PASSWORD } from "../lib/env.js";
import { photo } from "../lib/png.js";

let srv, browser;
before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const WAIT = { timeout: 30000 };

/** A tablet signed in as email, its first sync done. */
async function tablet(email, opts = {}) {
  const ctx = await tabletContext(browser, opts);
  const page = await ctx.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await signInDirect(page, srv, email);
  if (await page.locator(".statusbar:not([hidden])").count()) await synced(page); // the field app's first sync
  return page;
}

/** Waits until the tablet has synced and is not syncing. */
async function synced(page) {
  await page.waitForFunction(() => {
    const last = document.querySelector(".statusbar .last");
    const btn = document.querySelector(".statusbar .sync-btn");
    return last && !last.textContent.includes("尚未同步") && btn && !btn.textContent.includes("同步中");
  }, null, WAIT);
}

/** Waits until the outbox is empty (everything reached the server). */
const drained = (page) => page.waitForFunction(() => document.querySelector(".statusbar .pending")?.dataset.count === "0", null, WAIT);

async function swReady(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
    }
  });
}

const api = (path, email) => srv.api("GET", path, undefined, email);
const q = (f) => encodeURIComponent(f);
const userOf = async (email) => (await api(`/api/collections/users/records?filter=${q(`email = "${email}"`)}`)).body.items[0];

/** The rectangle of the sticky header and status bar's bottom edge. */
const stickyBottom = (page) =>
  page.evaluate(() => Math.max(...[...document.querySelectorAll(".topbar, .statusbar")].filter((e) => !e.hidden).map((e) => e.getBoundingClientRect().bottom)));

test("a half-typed issue is kept on the tablet: leaving asks first, and after a reload offline it is offered again and resumed", async () => {
  const page = await tablet("grid@yuetan.example");
  await swReady(page);
  await page.context().setOffline(true);
  await page.waitForSelector(".statusbar .net.off");
  await page.click("#new-issue");
  await ready(page, "issue-new");
  const title = "6幢门口路灯不亮，晚上看不清台阶";
  await page.fill('input[name="title"]', title);
  await page.fill('textarea[name="description"]', "居民说晚上回家看不清台阶。");
  await page.setInputFiles('input[name="photos"]', { name: "lamp.png", mimeType: "image/png", buffer: photo(800, 600, 3) });
  await page.waitForSelector(".photos .photo img");

  // the worker taps another tab: the app asks before the form goes
  await page.click('a.nav-link[data-path="/meetings"]');
  const asked = await Promise.race([
    page.waitForSelector('dialog[data-dialog="leave"]', WAIT).then(() => "asked"),
    ready(page, "meetings").then(() => "left without asking"),
  ]);
  assert.equal(asked, "asked");
  assert.match(await page.locator("dialog h2").textContent(), /还没有保存/);
  await shot(page, "field-leave-draft");
  // staying keeps the form as it was
  await page.click('dialog button:has-text("继续填写")');
  assert.equal(await page.inputValue('input[name="title"]'), title);
  assert.equal(await page.evaluate(() => location.hash), "#/issues/new");
  await page.click('a.nav-link[data-path="/meetings"]');
  await page.click('dialog button:has-text("保留草稿并离开")');
  await ready(page, "meetings");

  // the tablet's browser reloads, still offline: the draft is offered where issues are recorded
  await page.reload();
  await ready(page, "meetings");
  await page.click('a.nav-link[data-path="/issues"]');
  await ready(page, "issues");
  const card = page.locator(`#drafts .draft-item:has-text("${title}")`);
  await card.waitFor(WAIT);
  await shot(page, "field-draft-resume");
  await card.locator('a:has-text("继续填写")').click();
  await ready(page, "issue-new");
  assert.equal(await page.inputValue('input[name="title"]'), title);
  assert.equal(await page.inputValue('textarea[name="description"]'), "居民说晚上回家看不清台阶。");
  await page.waitForSelector(".photos .photo img"); // the photo too
  assert.match(await page.locator("#draft-restored").textContent(), /已恢复/);
  await page.click('#issue-form button[type="submit"]');
  await ready(page, "issues");
  assert.equal(await page.locator("#drafts").count(), 0, "a saved draft is no longer offered");
  assert.equal(await page.$eval(".statusbar .pending", (e) => e.dataset.count), "1");

  await page.context().setOffline(false);
  await drained(page);
  const r = await srv.api("GET", `/api/collections/issues/records?filter=${q(`title = "${title}"`)}`);
  assert.equal(r.body.totalItems, 1);
  assert.equal(r.body.items[0].photos.length, 1, "with the photo kept in the draft");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("form errors: none before anything is typed; the first one below the sticky header with its field focused; each goes as soon as it is fixed", async () => {
  const page = await tablet("grid@yuetan.example");
  await page.click("#new-issue");
  await ready(page, "issue-new");
  assert.equal(await page.locator(".field-error").count(), 0, "no error before anything is typed");
  // focus moves through the form without a word said
  await page.click('input[name="address"]');
  await page.click('input[name="grid"]');
  assert.equal(await page.locator(".field-error").count(), 0);

  // 保存 at the bottom of the form: the title's error must come into view below the header
  await page.click('#issue-form button[type="submit"]');
  const err = page.locator('.field.invalid:has(input[name="title"]) .field-error');
  await err.waitFor();
  assert.equal(await err.textContent(), "请填写标题。");
  const top = await stickyBottom(page);
  for (const [what, sel] of [["the summary", "#issue-form .form-error"], ["the title's error", '.field.invalid:has(input[name="title"])']]) {
    const box = await page.locator(sel).boundingBox();
    assert.ok(box.y >= top, `${what} at y=${Math.round(box.y)} is under the header (its bottom at ${Math.round(top)})`);
    assert.ok(box.y + box.height <= 800, `${what} is on screen`);
  }
  assert.equal(await page.evaluate(() => document.activeElement?.name), "title", "the cursor is in the field");

  // fixed: the message goes while typing, before another 保存
  await page.keyboard.type("楼道灯不亮");
  assert.equal(await page.locator(".field-error").count(), 0);
  assert.equal(await page.locator(".form-error:visible").count(), 0);

  // a phone with letters is said once the field is left, and goes when it is fixed
  await page.fill('input[name="resident_phone"]', "abc");
  await page.click('input[name="grid"]');
  const phone = page.locator('.field.invalid:has(input[name="resident_phone"]) .field-error');
  await phone.waitFor();
  await page.fill('input[name="resident_phone"]', "13900001234");
  await page.waitForFunction(() => !document.querySelector(".field-error"));

  // the co-signature form: the last error goes when the signature is saved
  const draft = (await api(`/api/collections/applications/records?filter=${q('status = "draft" && applicant_kind = "residents"')}`)).body.items[0];
  // leaving the typed form asks first; 放弃 drops it
  await page.goto(`${srv.url}/#/apps/${draft.id}/signatures`);
  await page.click('dialog[data-dialog="leave"] button:has-text("放弃")');
  await ready(page, "signatures");
  await page.click('#signature-form button[type="submit"]');
  await page.locator('.field.invalid:has(input[name="name"]) .field-error').waitFor();
  await page.fill('#signature-form input[name="name"]', "冯秀珍");
  assert.equal(await page.locator('.field.invalid:has(input[name="name"])').count(), 0, "the name's error went when it was typed");
  await page.fill('#signature-form input[name="address"]', "划船社区6幢302室");
  const pad = await page.locator("canvas.sigpad").boundingBox();
  await page.mouse.move(pad.x + 40, pad.y + 60);
  await page.mouse.down();
  await page.mouse.move(pad.x + 200, pad.y + 120, { steps: 8 });
  await page.mouse.up();
  assert.equal(await page.locator(".field-error").count(), 0, "signing took the pad's error away");
  await page.click('#signature-form button[type="submit"]');
  await page.waitForSelector('.toast:has-text("签名已保存")');
  assert.equal(await page.locator(".field-error").count(), 0, "no error beside 签名已保存");
  assert.equal(await page.locator("#signature-form .form-error:visible").count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the compose form opens without errors, and the phone is checked before the 报送 confirmation", async () => {
  const page = await tablet("staff@yuetan.example");
  await page.goto(`${srv.url}/#/apps/new`);
  await ready(page, "compose");
  assert.equal(await page.locator(".field-error").count(), 0);
  assert.equal(await page.locator("#eligibility li.bad").count(), 0, "nothing is red before anything is typed");
  assert.ok((await page.locator("#eligibility li.todo").count()) >= 2, "what is left to do is listed plainly");

  await page.fill('input[name="subject"]', "划船社区5幢楼道杂物清理");
  await page.click('input[name="category"][value="community_building"]');
  await page.selectOption('select[name="target_leader"]', { label: "周明远（区委书记）" });
  await page.fill('input[name="contact_phone"]', "abc");
  await page.waitForSelector('#eligibility li.bad:has-text("联系电话")');
  assert.equal(await page.locator('#eligibility li:has-text("可以报送街道")').count(), 0, "not submittable with phone abc");

  await page.click("#submit-app");
  const phoneErr = page.locator('.field.invalid:has(input[name="contact_phone"]) .field-error');
  await phoneErr.waitFor();
  assert.match(await phoneErr.textContent(), /电话/);
  assert.equal(await page.locator("dialog").count(), 0, "no confirmation before the phone is right");
  assert.equal(await page.evaluate(() => document.activeElement?.name), "contact_phone");
  await page.fill('input[name="contact_phone"]', "0574-87654321");
  await page.waitForFunction(() => !document.querySelector(".field-error"));
  await page.waitForSelector('#eligibility li.ok:has-text("可以报送街道")');
  await page.click("#submit-app");
  await page.waitForSelector('dialog:has-text("报送街道")');
  await page.click('dialog button:has-text("取消")');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("possible duplicates show while recording, offline from the tablet's copy; staff mark one a duplicate and it follows its original's application", async () => {
  const grid = "grid@yuetan.example";
  const me = await userOf(grid);
  // an original of 划船社区 in an open application, with its place
  const apps = (await api(`/api/collections/applications/records?filter=${q(`community = "${me.org}" && status = "forwarded"`)}`)).body.items;
  assert.ok(apps.length, "a forwarded application of 划船社区");
  const original = (await api(`/api/collections/issues/records/${apps[0].issues[0]}`)).body;
  assert.ok(original.location.lat, "the demo issue has a location");

  const ctx = await tabletContext(browser, { geolocation: { latitude: original.location.lat + 0.0001, longitude: original.location.lon } });
  const page = await ctx.newPage();
  await signInDirect(page, srv, grid);
  await synced(page);
  await ctx.setOffline(true);
  await page.click("#new-issue");
  await ready(page, "issue-new");
  // the same title as an existing issue
  await page.fill('input[name="title"]', "5幢楼道堆放杂物堵塞消防通道");
  const hint = page.locator("#dup-hints .dup-box");
  await hint.waitFor(WAIT);
  assert.match(await hint.textContent(), /5幢楼道堆放杂物堵塞消防通道/);
  assert.match(await hint.textContent(), /标题相近/);
  // a different title, recorded at the original's place: shown with its distance
  await page.fill('input[name="title"]', "河边有异味");
  await page.click("text=记录当前位置");
  await page.waitForSelector(`#dup-hints li[data-id="${original.id}"] .dup-distance`, WAIT);
  const metres = await page.locator(`#dup-hints li[data-id="${original.id}"] .dup-distance`).textContent();
  const m = /相距 (\d+) 米/.exec(metres);
  assert.ok(m && +m[1] >= 5 && +m[1] <= 20, metres);
  if (process.env.SCREENSHOTS === "1") {
    // both kinds of likeness at once, for the README
    await page.fill('input[name="title"]', "5幢楼道堆放杂物");
    await page.waitForSelector("#dup-hints li:nth-child(2)");
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, "field-duplicate-hint");
  }
  await ctx.close();

  // community staff record the same matter again and mark it a duplicate of the original
  const staff = "staff@yuetan.example";
  const dup = await srv.api(
    "POST",
    "/api/collections/issues/records",
    { community: me.org, kind: "problem", title: "河道发臭淤泥多", source: "hotline", location: { lat: original.location.lat, lon: original.location.lon + 0.0001 } },
    staff,
  );
  assert.equal(dup.status, 200, JSON.stringify(dup.body));
  const sp = await tablet(staff);
  await sp.goto(`${srv.url}/#/issues/${dup.body.id}`);
  await ready(sp, "issue");
  await sp.locator(`#dup-hints li[data-id="${original.id}"] button[data-mark]`).click();
  await sp.click('dialog button:has-text("标记为重复")');
  await sp.waitForSelector("#duplicate-of", WAIT);
  await drained(sp);
  const after = (await api(`/api/collections/issues/records/${dup.body.id}`)).body;
  assert.equal(after.duplicate_of, original.id);
  assert.equal(after.application, apps[0].id, "the duplicate follows its original's application");
  assert.equal(after.status, "in_application");
  await sp.context().close();

  // another tablet pulls it (the sync API carries the field): marked 重复 in its list
  const other = await tablet(grid);
  await other.waitForSelector(`.issue-item[data-id="${dup.body.id}"] .badge.dup`, WAIT);
  await other.context().close();

  // and the console shows it among the application's issues
  const wg = await tablet("wg@yuetan.example");
  await wg.goto(`${srv.url}/#/app/${apps[0].id}`);
  await ready(wg, "application");
  await wg.waitForSelector(`#issues [data-id="${dup.body.id}"] .badge.dup`);
  await wg.context().close();
});

test("同步记录: 立即同步 cannot be pressed offline; an edit in conflict carries 冲突, not 待同步", async () => {
  const grid = "grid@yuetan.example";
  const me = await userOf(grid);
  const issue = (await api(`/api/collections/issues/records?filter=${q(`community = "${me.org}" && status = "open"`)}&sort=-created&perPage=200`)).body.items.find((i) => !i.duplicate_of);
  const page = await tablet(grid);
  await page.context().setOffline(true);
  await page.goto(`${srv.url}/#/sync`);
  await ready(page, "sync");
  const now = page.locator('button:has-text("立即同步")');
  await page.waitForFunction(() => document.querySelector(".statusbar .net.off"));
  assert.equal(await now.isDisabled(), true, "立即同步 is disabled offline");
  assert.match(await page.locator(".page-head").textContent(), /离线/);

  await page.goto(`${srv.url}/#/issues/${issue.id}`);
  await ready(page, "issue");
  await page.fill('textarea[name="description"]', "网格员离线补充：问题仍在。");
  await page.click('#issue-form button[type="submit"]');
  await ready(page, "issues");
  await page.waitForSelector(`.issue-item[data-id="${issue.id}"] .badge.pending:has-text("待同步")`);
  const office = await srv.api("PATCH", `/api/collections/issues/records/${issue.id}`, { description: "社区办公室：已联系物业。" }, "staff@yuetan.example");
  assert.equal(office.status, 200);
  await page.context().setOffline(false);
  await page.locator(".statusbar .problems").waitFor(WAIT);
  const item = page.locator(`.issue-item[data-id="${issue.id}"]`);
  await item.locator(".badge.conflict:has-text(\"冲突\")").waitFor(WAIT);
  assert.equal(await item.locator(':text("待同步")').count(), 0, "冲突 instead of 待同步");
  await page.goto(`${srv.url}/#/sync`);
  await ready(page, "sync");
  assert.equal(await now.isDisabled(), false, "online it can be pressed");
  await page.context().close();
});

test("community staff land on their to-do, and the menu tabs count what waits", async () => {
  const ctx = await tabletContext(browser);
  const page = await ctx.newPage();
  await signIn(page, srv.url, "staff@yuetan.example");
  await ready(page, "apps");
  assert.equal(await page.evaluate(() => location.hash), "#/apps");
  await page.locator("#todo-list .item").first().waitFor(WAIT);
  const todo = await page.locator("#todo-list .item").count();
  await page.waitForFunction((n) => document.querySelector('a.nav-link[data-path="/apps"] .count')?.textContent === String(n), todo, WAIT);
  const open = (await api(`/api/collections/issues/records?filter=${q(`community = "${(await userOf("staff@yuetan.example")).org}" && status = "open"`)}&perPage=200`)).body.items.filter((i) => !i.duplicate_of).length;
  await page.waitForFunction((n) => document.querySelector('a.nav-link[data-path="/issues"] .count')?.textContent === String(n), open, WAIT);
  await ctx.close();

  // a grid worker's tab of edits waiting to go up
  const grid = await tablet("grid@yuetan.example");
  assert.equal(await grid.evaluate(() => location.hash), "#/issues", "a grid worker lands on the issues");
  await grid.context().setOffline(true);
  await grid.click("#new-issue");
  await ready(grid, "issue-new");
  await grid.fill('input[name="title"]', "计数测试：垃圾桶满溢");
  await grid.click('#issue-form button[type="submit"]');
  await ready(grid, "issues");
  await grid.waitForFunction(() => document.querySelector('a.nav-link[data-path="/sync"] .count')?.textContent === "1", null, WAIT);
  await grid.context().setOffline(false);
  await grid.waitForFunction(() => document.querySelector('a.nav-link[data-path="/sync"] .count')?.hidden, null, WAIT);
  await grid.context().close();

  // the console: 待我办理 counts the queue
  const wg = await tablet("wg@yuetan.example");
  await ready(wg, "queue");
  const n = await wg.locator("#queue a[data-id]").count();
  assert.ok(n > 0);
  await wg.waitForFunction((n) => document.querySelector('a.nav-link[data-path="/queue"] .count')?.textContent === String(n), n, WAIT);
  await wg.context().close();
});

/** A token that looks like the user's but expired long ago (the server refuses it). */
function expiredToken(record) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ id: record.id, type: "auth", collectionId: record.collectionId, refreshable: true, exp: 1700000000 })}.c2lnbmF0dXJl`;
}

test("an expired session says 登录已失效, and signing in again returns to where the user was", async () => {
  const app = (await api(`/api/collections/applications/records?filter=${q('status = "forwarded"')}`)).body.items[0];
  const wgUser = await userOf("wg@yuetan.example");
  const ctx = await tabletContext(browser);
  const page = await ctx.newPage();
  await signIn(page, srv.url, "wg@yuetan.example");
  await page.goto(`${srv.url}/#/app/${app.id}`);
  await ready(page, "application");
  // the session ends on the server while the page is open
  await page.evaluate((a) => localStorage.setItem("yuetan.auth", JSON.stringify(a)), { token: expiredToken(wgUser), record: wgUser });
  await page.reload();
  await ready(page, "login");
  const msg = page.locator("#session-expired");
  await msg.waitFor(WAIT);
  assert.match(await msg.textContent(), /登录已失效/);
  await page.fill('input[name="identity"]', "wg@yuetan.example");
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('button[type="submit"]');
  await ready(page, "application");
  assert.equal(await page.evaluate(() => location.hash), `#/app/${app.id}`, "back where the user was");
  await ctx.close();
});

/**
 * The tap targets on screen smaller than 44 × 44 px: buttons, links that
 * stand alone, inputs and selects (a checkbox or radio by its label); links
 * inside a sentence are exempt (WCAG 2.5.8).
 */
async function smallTargets(page) {
  return page.evaluate(() => {
    const out = [];
    const visible = (e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden";
    };
    for (const e of document.querySelectorAll("a[href], button, input, select, textarea")) {
      if (!visible(e) || e.closest("dialog:not([open])")) continue;
      if (e.matches("p a, li a, .hint a, .item-meta a") && !e.classList.contains("btn")) continue; // in running text
      let target = e;
      if (e.matches("input[type=checkbox], input[type=radio]")) target = e.closest("label") || e;
      if (e.matches("input[type=file][hidden]")) continue;
      const r = target.getBoundingClientRect();
      if (r.height < 44 - 0.5 || r.width < 44 - 0.5) out.push(`${e.tagName.toLowerCase()}${e.className ? "." + String(e.className).replace(/ /g, ".") : ""} “${(e.textContent || e.name || "").trim().slice(0, 12)}” ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return out;
  });
}

/** The visible label text of the control called name ("" when it has none). */
const labelOf = (page, name) =>
  page.$eval(`.toolbar [name="${name}"]`, (e) => [...(e.labels || [])].filter((l) => l.getBoundingClientRect().width > 0).map((l) => l.querySelector(".filter-label")?.textContent || l.textContent).join(" ").trim());

test("the filters say what they filter, and every tap target on the field screens is at least 44 px", async () => {
  const page = await tablet("grid@yuetan.example");
  await ready(page, "issues");
  assert.equal(await labelOf(page, "kind"), "类型");
  assert.equal(await labelOf(page, "status"), "状态");
  const small = {};
  small.issues = await smallTargets(page);
  await page.click("#new-issue");
  await ready(page, "issue-new");
  await page.setInputFiles('input[name="photos"]', { name: "p.png", mimeType: "image/png", buffer: photo(400, 300, 1) });
  await page.waitForSelector(".photos .photo .remove");
  small.issueForm = await smallTargets(page);
  const draft = (await api(`/api/collections/applications/records?filter=${q('status = "draft" && applicant_kind = "residents"')}`)).body.items[0];
  await page.goto(`${srv.url}/#/apps/${draft.id}/signatures`);
  small.leaveDialog = await (async () => {
    await page.waitForSelector('dialog[data-dialog="leave"]');
    const list = await smallTargets(page);
    await page.click('dialog[data-dialog="leave"] button:has-text("放弃")');
    return list;
  })();
  await ready(page, "signatures");
  small.signatures = await smallTargets(page);
  // an issue of the worker's own, open: its form has 删除
  const me = await userOf("grid@yuetan.example");
  const mine = (await api(`/api/collections/issues/records?filter=${q(`community = "${me.org}" && status = "open" && application = ""`)}&perPage=200`)).body.items.find((i) => !i.duplicate_of);
  await page.goto(`${srv.url}/#/issues/${mine.id}`);
  await ready(page, "issue");
  await page.waitForSelector('#issue-form button.danger:has-text("删除")');
  small.issueEdit = await smallTargets(page);
  await page.goto(`${srv.url}/#/apps`);
  await ready(page, "apps");
  small.apps = await smallTargets(page);
  await page.goto(`${srv.url}/#/sync`);
  await ready(page, "sync");
  small.sync = await smallTargets(page);
  await page.goto(`${srv.url}/#/meetings`);
  await ready(page, "meetings");
  small.meetings = await smallTargets(page);
  await page.context().close();

  const wg = await tablet("wg@yuetan.example", { viewport: { width: 800, height: 1280 } });
  await wg.goto(`${srv.url}/#/all`);
  await ready(wg, "all");
  assert.equal(await labelOf(wg, "status"), "状态");
  assert.equal(await labelOf(wg, "street"), "街道");
  small.all = await smallTargets(wg);
  await wg.context().close();
  for (const [screen, list] of Object.entries(small)) assert.deepEqual(list, [], `${screen}: tap targets under 44 px`);
});
