// The web app's reading of the workflow (pb_public/js/vocab.js, fed by GET
// /api/workflow) agrees with the server's (GET /api/workflow/available/{id}):
// the moves workflow.Available allows, the plain edits workflow.AllowedEdits
// allows, for every demo account on every demo application, and a draft's
// submission requirements (workflow.CheckEligibility), which the server
// enforces on 报送.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { startServer, repo } from "../lib/env.js";

let srv, vocab;

/** The browser globals the app's modules touch when they load. */
function browserStubs(base) {
  const store = () => {
    const m = new Map();
    return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k) };
  };
  globalThis.localStorage = store();
  globalThis.sessionStorage = store();
  const nodeFetch = globalThis.fetch;
  globalThis.fetch = (url, opts) => nodeFetch(new URL(url, base), opts);
}

before(async () => {
  srv = await startServer();
  browserStubs(srv.url);
  vocab = await import(pathToFileURL(join(repo, "pb_public", "js", "vocab.js")));
  await vocab.loadWorkflow();
});
after(async () => {
  await srv?.stop();
});

const accounts = [
  "grid@yuetan.example", "staff@yuetan.example", "staff2@yuetan.example", "staff3@yuetan.example", "staff4@yuetan.example",
  "street@yuetan.example", "street2@yuetan.example", "wg@yuetan.example", "secretary@yuetan.example", "mayor@yuetan.example",
  "npc@yuetan.example", "chief@yuetan.example", "chief2@yuetan.example", "handler@yuetan.example", "handler2@yuetan.example",
  "handler3@yuetan.example", "sup@yuetan.example",
];

test("the web app offers exactly the moves workflow.Available allows, for every account on every application", async () => {
  const apps = (await srv.api("GET", "/api/collections/applications/records?perPage=500")).body.items;
  assert.ok(apps.length >= 10, "the demo has applications in many states");
  let compared = 0;
  let withMoves = 0;
  for (const email of accounts) {
    const user = (await srv.api("GET", `/api/collections/users/records?filter=${encodeURIComponent(`email = "${email}"`)}`)).body.items[0];
    for (const app of apps) {
      const server = await srv.api("GET", `/api/workflow/available/${app.id}`, undefined, email);
      const view = await srv.api("GET", `/api/collections/applications/records/${app.id}`, undefined, email);
      assert.equal(server.status === 200, view.status === 200, `${email} on ${app.id}: the route and the view rule agree`);
      if (server.status !== 200) continue;
      const want = server.body.moves.map((m) => m.action + ":" + m.to);
      const got = vocab.available(view.body, user).map((m) => m.action + ":" + m.to);
      assert.deepEqual(got, want, `${email} on ${app.serial || app.id} (${app.status})`);
      compared++;
      if (want.length) withMoves++;
    }
  }
  assert.ok(compared >= 50 && withMoves >= 10, `compared ${compared} pairs, ${withMoves} with moves`);
});

test("the web app allows exactly the plain edits workflow.AllowedEdits allows, for every account on every application", async () => {
  const apps = (await srv.api("GET", "/api/collections/applications/records?perPage=500")).body.items;
  let compared = 0;
  let withEdits = 0;
  for (const email of accounts) {
    const user = (await srv.api("GET", `/api/collections/users/records?filter=${encodeURIComponent(`email = "${email}"`)}`)).body.items[0];
    for (const app of apps) {
      const server = await srv.api("GET", `/api/workflow/available/${app.id}`, undefined, email);
      if (server.status !== 200) continue;
      const view = (await srv.api("GET", `/api/collections/applications/records/${app.id}`, undefined, email)).body;
      const key = (e) => `${e.collection}:${e.fields.join(",")}`;
      const want = server.body.edits.map(key);
      assert.deepEqual(vocab.allowedEdits(view, user).map(key), want, `${email} on ${app.serial || app.id} (${app.status})`);
      compared++;
      if (want.length) withEdits++;
    }
  }
  assert.ok(compared >= 50 && withEdits >= 5, `compared ${compared} pairs, ${withEdits} with edits`);
});

test("a draft's submission requirements are the server's, offline in the web app and enforced on 报送", async () => {
  const staff = "staff@yuetan.example";
  const me = (await srv.api("GET", `/api/collections/users/records?filter=${encodeURIComponent(`email = "${staff}"`)}`)).body.items[0];
  const leader = (await srv.api("GET", `/api/collections/users/records?filter=${encodeURIComponent('email = "secretary@yuetan.example"')}`)).body.items[0];
  const open = [];
  for (let i = 0; i < 5; i++) {
    const r = await srv.api("POST", "/api/collections/issues/records", { community: me.org, kind: "problem", title: `报送条件测试问题 ${i + 1}`, source: "door_to_door" }, staff);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    open.push(r.body);
  }
  const base = { community: me.org, applicant_kind: "community", subject: "测试：报送条件", category: "community_building", target_leader: leader.id, talk_form: "visit" };
  const drafts = [
    { ...base, issues: [open[4].id] }, // eligible
    { ...base, applicant_kind: "residents" }, // no co-signers yet
    { ...base, litigation_or_petition: true },
    { ...base, talk_form: "" }, // advice only
    { ...base, issues: open.slice(0, 4).map((i) => i.id) }, // one matter per application
  ];
  const org = (await srv.api("GET", `/api/collections/orgs/records/${me.org}`, undefined, staff)).body;
  let refused = 0;
  for (const data of drafts) {
    const created = await srv.api("POST", "/api/collections/applications/records", data, staff);
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.id;
    const server = (await srv.api("GET", `/api/workflow/available/${id}`, undefined, staff)).body.eligibility;
    const view = (await srv.api("GET", `/api/collections/applications/records/${id}`, undefined, staff)).body;
    const sigs = (await srv.api("GET", `/api/collections/signatures/records?filter=${encodeURIComponent(`application = "${id}"`)}`, undefined, staff)).body.items;
    const coSigners = new Set(sigs.map((s) => `${s.name.trim()}|${s.address.trim()}`)).size;
    const web = vocab.eligibility(view, coSigners, org.kind).map(({ code, kind, message }) => ({ code, kind, message }));
    assert.deepEqual(web, server.map(({ code, kind, message }) => ({ code, kind, message })), JSON.stringify(data));
    // and 报送 answers as the list says: the first blocking requirement's message, or accepted
    const submit = await srv.api("PATCH", `/api/collections/applications/records/${id}`, { status: "submitted" }, staff);
    const bad = server.find((c) => c.kind === "bad");
    if (bad) {
      assert.equal(submit.status, 400, JSON.stringify(submit.body));
      assert.equal(submit.body.data?.[bad.field]?.message, bad.message);
      refused++;
    } else {
      assert.equal(submit.status, 200, JSON.stringify(submit.body));
    }
  }
  assert.equal(refused, 1, "the residents' draft without co-signers cannot be submitted");
});

test("deadline colours: red past due, amber within one working day, green otherwise", () => {
  const inDays = (d) => new Date(Date.now() + d * 86400e3).toISOString().replace("T", " ");
  const ymd = (d) => new Date(Date.now() + 8 * 3600e3 + d * 86400e3).toISOString().slice(0, 10);
  assert.equal(vocab.dueColour(inDays(-1), ymd(1)), "red");
  assert.equal(vocab.dueColour(inDays(0.5), ymd(1)), "amber");
  assert.equal(vocab.dueColour(inDays(3.2), ymd(3)), "amber", "a weekend in between: the next working day is 3 days away");
  assert.equal(vocab.dueColour(inDays(6), ymd(1)), "green");
  assert.equal(vocab.dueColour("", ymd(1)), "");
});
