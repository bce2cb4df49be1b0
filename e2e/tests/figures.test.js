// The figures page and its links: the working group gets the district's
// figures with their definitions as the footnote, the ledger (Excel) and
// the monthly bulletin; a leader gets its own figures and the ledger but
// is not offered the bulletin, and the bulletin's link opened anyway is a
// Chinese page, not JSON — as is a failing ledger link. Overdue chips
// count working days, the same count as the figures and the bulletin.

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

async function figures(page) {
  await page.goto(`${srv.url}/#/figures`);
  await ready(page, "figures");
}

/** Opens a print link of the page (it adds a file token) and returns the new window. */
async function openLink(page, selector) {
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.click(selector)]);
  return popup;
}

test("the working group's figures: definitions as the footnote, the ledger and the bulletin offered and opening", async () => {
  const wg = await as("wg@yuetan.example");
  await figures(wg);
  const year = new Date().getFullYear();
  const today = await wg.inputValue('input[name="to"]');
  const f = (await srv.api("GET", `/api/stats?from=${year}-01-01&to=${today}`, undefined, "wg@yuetan.example")).body;
  // the page says what the API says, and defines it
  assert.equal(await wg.textContent('[data-kpi="applications"] .n'), String(f.applications));
  const terms = await wg.$$eval("#definitions dt", (dts) => dts.map((d) => d.textContent));
  assert.deepEqual(terms, f.definitions.map((d) => d.term));
  assert.ok((await wg.textContent("#definitions")).includes("从未报送的草稿不计"));
  // the 三率 and ranking, each rate with its counts, as the API ranks them
  const shown = await wg.$$eval("#ranking table", (ts) =>
    ts.flatMap((t) => [...t.querySelectorAll("tbody tr")].map((tr) => [t.dataset.kind, ...[...tr.children].map((td) => td.textContent)])),
  );
  const rc = (r) => (r.done ? `${Math.round(r.rate * 100)}%（${r.on_time}/${r.done}）` : "—");
  assert.deepEqual(shown, f.ranking.map((r) => [r.kind, String(r.rank), r.name || "—", rc(r.response), rc(r.resolution), rc(r.satisfaction)]));
  assert.ok(shown.some((r) => r[0] === "unit") && shown.some((r) => r[0] === "leader") && shown.some((r) => r[0] === "street"), "every kind ranked");
  // both links are offered
  assert.ok(await wg.isVisible("#bulletin-link"));
  assert.ok(await wg.isVisible("#ledger-link"));
  // the ledger link is the workbook
  const href = await wg.getAttribute("#ledger-link", "href");
  assert.match(href, /^\/api\/export\/ledger\?from=\d{4}-01-01&to=\d{4}-\d{2}-\d{2}$/);
  const tok = await srv.token("wg@yuetan.example");
  const x = await fetch(`${srv.url}${href}&token=${tok}`);
  assert.equal(x.status, 200);
  assert.match(x.headers.get("content-type"), /spreadsheetml/);
  assert.match(decodeURIComponent(x.headers.get("content-disposition")), /约谈台账_/);
  const bytes = new Uint8Array(await x.arrayBuffer());
  assert.equal(String.fromCharCode(bytes[0], bytes[1]), "PK", "an .xlsx is a zip");
  // the bulletin link opens the PDF in the browser
  const popup = await openLink(wg, "#bulletin-link");
  await popup.waitForURL(/\/api\/forms\/bulletin\?month=\d{4}-\d{2}&token=/);
  await popup.close();
  const pdf = await fetch(`${srv.url}${await wg.getAttribute("#bulletin-link", "href")}&token=${tok}`);
  assert.equal(pdf.status, 200);
  assert.match(pdf.headers.get("content-type"), /application\/pdf/);
  assert.deepEqual(wg.errors, []);
  await wg.context().close();
});

test("a leader is not offered the bulletin; the link opened anyway, and a failing ledger link, are Chinese pages", async () => {
  const leader = await as("secretary@yuetan.example");
  await figures(leader);
  assert.equal(await leader.isVisible("#bulletin-link"), false, "the bulletin is not offered to a leader");
  assert.ok(await leader.isVisible("#ledger-link"), "the ledger (their own applications) is");
  // the bulletin's address typed in: a page in Chinese with the status, no JSON
  const tok = await srv.token("secretary@yuetan.example");
  const month = new Date().toISOString().slice(0, 7);
  const page = await leader.context().newPage();
  const res = await page.goto(`${srv.url}/api/forms/bulletin?month=${month}&token=${tok}`);
  assert.equal(res.status(), 403);
  assert.match(res.headers()["content-type"], /text\/html/);
  assert.equal(await page.textContent("h1"), "无权打开");
  assert.match(await page.textContent("main"), /月度督查通报仅供专门工作小组和督查查看/);
  assert.doesNotMatch(await page.content(), /"message"|"status"/);
  // a failing ledger link (no such date) opened from the page's own link
  await leader.fill('input[name="from"]', "2026-12-31");
  await leader.fill('input[name="to"]', "2026-01-01");
  await leader.dispatchEvent('input[name="to"]', "change");
  const popup = await openLink(leader, "#ledger-link");
  await popup.waitForSelector("main[role=alert]");
  assert.equal(await popup.textContent("h1"), "请求有误");
  assert.match(await popup.textContent("main"), /导出区间无效/);
  // and without signing in: a page that says so
  const guest = await page.goto(`${srv.url}/api/export/ledger`);
  assert.equal(guest.status(), 401);
  assert.equal(await page.textContent("h1"), "请先登录");
  assert.deepEqual(leader.errors, []);
  await leader.context().close();
});

test("an overdue chip counts working days, as the figures and the bulletin do", async () => {
  const f = (await srv.api("GET", "/api/stats", undefined, "wg@yuetan.example")).body;
  assert.ok(f.overdue?.length, "the demo has overdue matters");
  const wg = await as("wg@yuetan.example");
  await wg.goto(`${srv.url}/#/overdue`);
  await ready(wg, "overdue");
  let compared = 0;
  for (const o of f.overdue) {
    const chip = wg.locator(`tr[data-id="${o.application}"] .due.red`);
    if (!(await chip.count())) continue;
    await wg.waitForFunction((id) => document.querySelector(`tr[data-id="${id}"] .due.red`)?.dataset.daysLate !== undefined, o.application);
    assert.equal(await chip.first().getAttribute("data-days-late"), String(o.days_late), o.serial);
    assert.match(await chip.first().textContent(), new RegExp(`已超期 ${o.days_late} 个工作日`));
    compared++;
  }
  assert.ok(compared > 0, "no overdue chip compared");
  assert.deepEqual(wg.errors, []);
  await wg.context().close();
});
