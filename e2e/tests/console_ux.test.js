// The console to the standard of a 12345 work-order desk (issue 14): the
// table reads on an upright tablet, moves that send a matter back or refuse
// it look different and are confirmed, every wrong file is refused in
// Chinese, one date and one time format everywhere, the linked issues'
// places on a plain schematic, the co-signature sheet that circulates masks
// the phones — and the demo district's story holds up (checked first,
// before the other tests move its applications).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, launch, tabletContext, signInDirect, ready, shot } from "../lib/env.js";
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
const q = (f) => encodeURIComponent(f);
const api = (path, email) => srv.api("GET", path, undefined, email);
const first = async (filter) => (await api(`/api/collections/applications/records?filter=${q(filter)}&sort=created`)).body.items[0];
const emailOf = async (id) => (await api(`/api/collections/users/records/${id}`)).body.email;

async function as(email, opts = {}) {
  const ctx = await tabletContext(browser, opts);
  const page = await ctx.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await signInDirect(page, srv, email);
  return page;
}

async function openApp(page, id) {
  await page.goto(`${srv.url}/#/app/${id}`);
  await ready(page, "application");
}

/** Whether day (YYYY-MM-DD) is a working day, by the server's calendar. */
const workday = async (day) => {
  const prev = new Date(Date.parse(day + "T12:00:00+08:00") - 86400e3 + 8 * 3600e3).toISOString().slice(0, 10);
  const r = await api(`/api/calendar/add?from=${prev}&days=1`, "sup@yuetan.example");
  return r.body.date === day;
};

test("the demo district's story holds up: moves on working days in office hours, in order, a talk held after its agreed time; no drafts under 办理中", async () => {
  const sup = await as("sup@yuetan.example");
  const apps = (await api("/api/collections/applications/records?perPage=200&sort=created", "sup@yuetan.example")).body.items.filter((a) => a.status !== "draft");
  assert.ok(apps.length >= 10);
  const days = new Map();
  for (const a of apps) {
    await openApp(sup, a.id);
    const whens = await sup.locator("#timeline li .when").allTextContents();
    // each step's "（from → to）", or "" for a step that does not move the status
    const moves = await sup.$$eval("#timeline li", (lis) => lis.map((li) => li.querySelector(".what .muted")?.textContent || ""));
    assert.ok(whens.length >= 2, `${a.subject}: ${whens.length} steps`);
    let last = "";
    let status = "";
    for (const [i, w] of whens.entries()) {
      // (read in any format: the one format has a test of its own below)
      const m = /(\d{4})[年/-](\d{1,2})[月/-](\d{1,2})日? (\d{2}):(\d{2})/.exec(w);
      assert.ok(m, w);
      const day = `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}`;
      const mins = +m[4] * 60 + +m[5];
      assert.ok(mins >= 9 * 60 && mins <= 17 * 60 + 30 && !(mins > 12 * 60 && mins < 13 * 60 + 30), `${a.subject}: ${w} is outside office hours`);
      if (!days.has(day)) days.set(day, await workday(day));
      assert.ok(days.get(day), `${a.subject}: ${w} is not a working day`);
      const at = `${day} ${m[4]}:${m[5]}`;
      assert.ok(at >= last, `${a.subject}: ${w} comes before the step above it`);
      last = at;
      // each move starts from where the one before ended
      if (moves[i]) {
        const [from, to] = moves[i].replace(/^（/, "").replace(/）$/, "").split(" → ");
        if (status) assert.equal(from, status, `${a.subject}: ${moves[i]} does not follow ${status}`);
        status = to;
      }
    }
    // a talk is held at or after the time agreed
    const talk = await sup.locator("#talks").count();
    if (talk) {
      const facts = await sup.locator("#talks dl").first().innerText();
      const agreed = /约谈时间\s*(\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2})/.exec(facts);
      const held = /实际约谈\s*(\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2})/.exec(facts);
      const key = (s) => s.replace(/(\d{4})年(\d{1,2})月(\d{1,2})日/, (_, y, mo, d) => `${y}-${mo.padStart(2, "0")}-${d.padStart(2, "0")}`);
      if (agreed && held) assert.ok(key(held[1]) >= key(agreed[1]), `${a.subject}: held ${held[1]} before the agreed ${agreed[1]}`);
    }
  }
  await sup.context().close();

  // the working group's 全部申请, as it opens (办理中): no community's draft
  const wg = await as("wg@yuetan.example");
  await wg.goto(`${srv.url}/#/all`);
  await ready(wg, "all");
  const statuses = await wg.locator("#all-list tbody tr td.col-3, #all-list tbody tr td:nth-child(4)").allTextContents();
  assert.ok(statuses.length > 0);
  assert.equal(statuses.filter((s) => s.includes("草稿")).length, 0, "no drafts under 办理中");
  await wg.context().close();
});

test("全部申请 on an upright 10-inch tablet (800 px): every 申请单位 and 领导 reads on one line", async () => {
  const page = await as("wg@yuetan.example", { viewport: { width: 800, height: 1280 } });
  await page.goto(`${srv.url}/#/all`);
  await ready(page, "all");
  await page.selectOption('select[name="status"]', "");
  const lines = await page.$$eval("#all-list tbody tr", (rows) =>
    rows.map((tr) => {
      const cells = [...tr.querySelectorAll("td")];
      const count = (td) => {
        const r = document.createRange();
        r.selectNodeContents(td.querySelector("span") || td);
        // one box per line of text
        return new Set([...r.getClientRects()].filter((x) => x.width > 1).map((x) => Math.round(x.top))).size;
      };
      return { subject: cells[1].textContent, unit: count(cells[2]), leader: count(cells[5]) };
    }),
  );
  assert.ok(lines.length >= 10, `${lines.length} rows`);
  for (const l of lines) {
    assert.equal(l.unit, 1, `${l.subject}: 申请单位 on ${l.unit} lines`);
    assert.equal(l.leader, 1, `${l.subject}: 领导 on ${l.leader} lines`);
  }
  // and the page does not scroll sideways
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth + 1), true);
  await shot(page, "console-all-portrait", { fullPage: true });
  await page.context().close();
});

/** The computed look of a move's button. */
const look = (page, action) =>
  page.$eval(`button[data-action="${action}"]`, (b) => {
    const s = getComputedStyle(b);
    return { bg: s.backgroundColor, color: s.color, border: s.borderColor, caution: b.classList.contains("caution") };
  });

test("moves that send a matter back or refuse it look different from 上报 and 同意, and are confirmed first", async () => {
  // the working group: 不予受理 beside 受理
  const forwarded = await first('status = "forwarded"');
  const wg = await as("wg@yuetan.example");
  await openApp(wg, forwarded.id);
  const accept = await look(wg, "accept");
  const decline = await look(wg, "decline");
  assert.equal(decline.caution, true);
  assert.notEqual(decline.bg, accept.bg, "不予受理 does not wear 受理's red");
  assert.notEqual(decline.color, accept.color);
  await wg.click('button[data-action="decline"]');
  const form = wg.locator('form[data-form="decline"]');
  await form.locator('textarea[name="decision_note"]').fill("涉及诉讼，按一般来信处理。");
  await form.locator('button[type="submit"]').click();
  const dlg = wg.locator("dialog");
  await dlg.waitFor(WAIT);
  assert.match(await dlg.textContent(), /不能撤回|一般来信/);
  await shot(wg, "console-decline-confirm");
  await dlg.locator('button:has-text("取消")').click();
  assert.equal((await api(`/api/collections/applications/records/${forwarded.id}`)).body.status, "forwarded", "cancelled: nothing sent");
  await form.locator('button[type="submit"]').click();
  await wg.locator('dialog button.danger').click();
  await wg.waitForSelector('#app-status[data-status="declined"]', WAIT);
  await wg.context().close();

  // the street: 退回社区 beside 上报
  const submitted = await first('status = "submitted"');
  const street = await as((await srv.api("GET", `/api/collections/users/records?filter=${q(`role = "street_reviewer" && org = "${submitted.street}"`)}`)).body.items[0].email);
  await openApp(street, submitted.id);
  const forward = await look(street, "forward");
  const ret = await look(street, "return");
  assert.equal(ret.caution, true);
  assert.notEqual(ret.bg, forward.bg);
  await street.click('button[data-action="return"]');
  const rf = street.locator('form[data-form="return"]');
  await rf.locator('textarea[name="decision_note"]').fill("请补充居民签名。");
  await rf.locator('button[type="submit"]').click();
  await street.locator("dialog").waitFor(WAIT);
  assert.match(await street.locator("dialog").textContent(), /退回社区/);
  await street.locator('dialog button:has-text("取消")').click();
  assert.equal((await api(`/api/collections/applications/records/${submitted.id}`)).body.status, "submitted");
  await street.context().close();

  // the leader: 退回重新办理 beside 审核同意
  const fb = await first('status = "feedback_submitted"');
  const leader = await as(await emailOf(fb.assigned_leader));
  await openApp(leader, fb.id);
  const approve = await look(leader, "approve_feedback");
  const back = await look(leader, "return_feedback");
  assert.equal(back.caution, true);
  assert.notEqual(back.bg, approve.bg);
  await leader.click('button[data-action="return_feedback"]');
  const bf = leader.locator('form[data-form="return_feedback"]');
  await bf.locator('textarea[name="leader_comment"]').fill("整改照片不全，请补充后重新反馈。");
  await bf.locator('button[type="submit"]').click();
  await leader.locator("dialog").waitFor(WAIT);
  assert.match(await leader.locator("dialog").textContent(), /退回承办单位重新办理/);
  await leader.locator('dialog button:has-text("取消")').click();
  assert.equal((await api(`/api/collections/applications/records/${fb.id}`)).body.status, "feedback_submitted", "cancelled: nothing sent");
  await leader.context().close();
});

test("every wrong kind of file for the signed scan is refused in Chinese beside the field, saying what may be uploaded; a photo that is not one too", async () => {
  const staffUser = (await api(`/api/collections/users/records?filter=${q('email = "staff@yuetan.example"')}`)).body.items[0];
  const app = await first(`community = "${staffUser.org}" && status != "draft"`);
  const staff = await as("staff@yuetan.example");
  await openApp(staff, app.id);
  await staff.click('button[data-action="signed_scan"]');
  const form = staff.locator('form[data-form="signed_scan"]');
  const wrong = [
    { name: "scan.txt", mimeType: "text/plain", buffer: Buffer.from("这不是扫描件") },
    { name: "scan.html", mimeType: "text/html", buffer: Buffer.from("<!doctype html><p>x</p>") },
    { name: "scan.exe", mimeType: "application/octet-stream", buffer: Buffer.concat([Buffer.from("MZ"), Buffer.alloc(200)]) },
    { name: "scan.svg", mimeType: "image/svg+xml", buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') },
    { name: "scan.zip", mimeType: "application/zip", buffer: Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(60)]) },
  ];
  for (const f of wrong) {
    await form.locator('input[name="signed_scan"]').setInputFiles(f);
    await form.locator('button[type="submit"]').click();
    const msg = form.locator(".field-error");
    await msg.waitFor(WAIT);
    const text = await msg.textContent();
    assert.match(text, /文件类型不符合要求：只能上传 PDF/, `${f.name}: ${text}`);
    assert.doesNotMatch(text, /must|mime|upload|allowed/i, `${f.name}: ${text}`);
    assert.match(await form.locator(".form-error").textContent(), /[\u4e00-\u9fff]/);
  }
  assert.equal((await api(`/api/collections/applications/records/${app.id}`)).body.signed_scan, app.signed_scan, "nothing stored");
  await staff.context().close();

  // a photo that is not a picture: said in Chinese on the tablet, nothing queued
  const grid = await as("grid@yuetan.example");
  await grid.goto(`${srv.url}/#/issues/new`);
  await ready(grid, "issue-new");
  await grid.setInputFiles('input[name="photos"]', { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("不是照片") });
  await grid.waitForSelector('.toast.error:has-text("无法读取照片")');
  assert.equal(await grid.locator(".photos .photo").count(), 0);
  await grid.setInputFiles('input[name="photos"]', { name: "ok.png", mimeType: "image/png", buffer: photo(300, 200, 2) });
  await grid.waitForSelector(".photos .photo img");
  await grid.context().close();
});

/** Dates and times on screen that are not in the one format (2026年11月5日, 2026年11月5日 14:08). */
function offFormat(text) {
  return [...text.matchAll(/\d{4}\/\d{1,2}\/\d{1,2}|\d{4}-\d{2}-\d{2}|\d{4}\.\d{1,2}\.\d{1,2}|\d{1,2}\/\d{1,2} \d{2}:\d{2}/g)].map((m) => m[0]);
}

test("one format for dates and one for times on every screen, the server's notes included", async () => {
  // the deadline job writes its notes now
  const admin = await srv.token("admin@yuetan.example");
  const cron = await fetch(`${srv.url}/api/crons/yuetan_deadlines`, { method: "POST", headers: { Authorization: admin } });
  assert.equal(cron.status, 204);
  const sup = await as("sup@yuetan.example");
  const screens = [];
  const closed = await first('status = "closed"');
  await openApp(sup, closed.id);
  screens.push(["申请详情", await sup.locator("main").innerText()]);
  await sup.goto(`${srv.url}/#/overdue`);
  await ready(sup, "overdue");
  await sup.waitForSelector("#supervision-list li");
  const notes = await sup.locator("#supervision-list").innerText();
  screens.push(["超期督办", await sup.locator("main").innerText()]);
  await sup.goto(`${srv.url}/#/queue`);
  await ready(sup, "queue");
  screens.push(["待我办理", await sup.locator("main").innerText()]);
  await sup.goto(`${srv.url}/#/all`);
  await ready(sup, "all");
  screens.push(["全部申请", await sup.locator("main").innerText()]);
  for (const [name, text] of screens) {
    assert.deepEqual(offFormat(text), [], `${name}: dates not in the one format`);
    for (const dt of text.matchAll(/\d{4}年\d{1,2}月\d{1,2}日\s*(\d{1,2}):(\d{2})/g)) assert.equal(dt[1].length, 2, `${name}: ${dt[0]}`);
  }
  assert.match(notes, /期限（\d{4}年\d{1,2}月\d{1,2}日）(即将到期|已逾期)/, "the server's notes use it too");
  assert.match(screens[0][1], /\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/, "times are 2026年11月5日 14:08");
  await sup.context().close();

  // the field app's lists and outbox
  const grid = await as("grid@yuetan.example");
  await ready(grid, "issues");
  assert.deepEqual(offFormat(await grid.locator("main").innerText()), []);
  assert.match(await grid.locator(".statusbar .last").innerText(), /上次同步 (\d{2}:\d{2}|\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2})$/);
  await grid.context().close();
});

test("the 关联问题 card shows where the issues were recorded: a plain schematic with distances and a coordinate to copy, nothing from a map server", async () => {
  const story = (await api(`/api/collections/applications/records?filter=${q('subject = "划船社区低洼地排涝改造"')}`)).body.items[0];
  const ctx = await tabletContext(browser, { permissions: ["clipboard-read", "clipboard-write"] });
  const page = await ctx.newPage();
  const elsewhere = [];
  page.on("request", (r) => !r.url().startsWith(srv.url) && !r.url().startsWith("data:") && !r.url().startsWith("blob:") && elsewhere.push(r.url()));
  await signInDirect(page, srv, "wg@yuetan.example");
  await openApp(page, story.id);
  const geo = page.locator("#issues #geo");
  await geo.waitFor();
  assert.equal(await geo.locator("svg g[data-id]").count(), story.issues.length, "each linked issue on the schematic");
  assert.match(await geo.locator("svg").textContent(), /划船社区/);
  assert.match(await geo.locator("svg").textContent(), /北/);
  const coords = await geo.locator(".coord").allTextContents();
  assert.equal(coords.length, story.issues.length);
  for (const c of coords) assert.match(c, /^\d{1,2}\.\d{5}, \d{2,3}\.\d{5}$/);
  assert.match(await geo.innerText(), /距“.+” \d+ 米/, "the distance between the linked issues");
  assert.match(await geo.innerText(), /周边 500 米内本社区其他问题 \d+ 条，最近 \d+ 米/);
  await geo.locator("button[data-copy]").first().click();
  await page.waitForSelector('.toast:has-text("已复制坐标")');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), coords[0]);
  await geo.scrollIntoViewIfNeeded();
  await shot(page, "console-issues-geo");
  assert.deepEqual(elsewhere, [], "no request leaves the server");
  await ctx.close();
});

test("the 居民联名签名表 that circulates prints phones masked; the archive copy prints them in full", async () => {
  const draft = await first('status = "draft" && applicant_kind = "residents"');
  const sigs = (await api(`/api/collections/signatures/records?filter=${q(`application = "${draft.id}"`)}`)).body.items;
  assert.ok(sigs.length > 0);
  const staff = await as("staff@yuetan.example");
  await openApp(staff, draft.id);
  const sheet = await staff.locator('#forms a[data-form="signatures"]').getAttribute("href");
  const archive = await staff.locator('#forms [data-file="signatures-archive"]').getAttribute("href");
  await staff.context().close();
  const tok = await srv.token("staff@yuetan.example");
  const dir = mkdtempSync(join(tmpdir(), "yuetan-sheet-"));
  try {
    const text = async (href) => {
      const r = await fetch(`${srv.url}${href}${href.includes("?") ? "&" : "?"}token=${tok}`);
      assert.equal(r.status, 200, href);
      const path = join(dir, "sheet.pdf");
      writeFileSync(path, Buffer.from(await r.arrayBuffer()));
      return execFileSync("pdftotext", [path, "-"]).toString().replace(/\s+/g, "");
    };
    const circulating = await text(sheet);
    const full = await text(archive);
    for (const s of sigs) {
      const masked = s.phone.slice(0, 3) + "****" + s.phone.slice(-4);
      assert.ok(!circulating.includes(s.phone), `the circulating sheet prints ${s.phone}`);
      assert.ok(circulating.includes(masked), `the circulating sheet lacks ${masked}`);
      assert.ok(full.includes(s.phone), `the archive copy lacks ${s.phone}`);
    }
    assert.match(full, /存档件/);
    assert.match(circulating, /\d{4}年\d{1,2}月\d{1,2}日/, "dated as the other forms");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
