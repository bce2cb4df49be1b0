// The web app's reading of the transition table (pb_public/js/vocab.js, fed
// by GET /api/workflow) offers exactly the moves the server's
// workflow.Available allows (GET /api/workflow/available/{id}), for every
// demo account on every demo application.

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

test("deadline colours: red past due, amber within one working day, green otherwise", () => {
  const inDays = (d) => new Date(Date.now() + d * 86400e3).toISOString().replace("T", " ");
  const ymd = (d) => new Date(Date.now() + 8 * 3600e3 + d * 86400e3).toISOString().slice(0, 10);
  assert.equal(vocab.dueColour(inDays(-1), ymd(1)), "red");
  assert.equal(vocab.dueColour(inDays(0.5), ymd(1)), "amber");
  assert.equal(vocab.dueColour(inDays(3.2), ymd(3)), "amber", "a weekend in between: the next working day is 3 days away");
  assert.equal(vocab.dueColour(inDays(6), ymd(1)), "green");
  assert.equal(vocab.dueColour("", ymd(1)), "");
});
