// Field app: the outbox. Every edit the server has not accepted yet, with
// the server's message for rejected and conflicting ones and a way to fix
// and resend, or discard, each of them.

import { h, mount, fmtDateTime, empty, confirmDialog, toast, showFormError, busy } from "../ui.js";
import { outbox, discard, retry, onDataChange, onSyncChange, syncNow, dismissNotice } from "../sync.js";
import * as store from "../db.js";
import { serial } from "../live.js";
import { fieldLabels } from "../vocab.js";

const collectionLabels = { issues: "问题", meetings: "会议", applications: "约谈申请", signatures: "居民签名", talks: "约谈记录", feedback: "办理反馈" };
const opLabels = { create: "新建", update: "修改", delete: "删除" };
const stateLabels = { pending: "等待上传", rejected: "被服务器拒绝", conflict: "与他人修改冲突" };
const extraLabels = {
  title: "标题", kind: "类型", address: "地址", grid: "网格", resident_name: "反映人", resident_phone: "联系电话", source: "来源",
  meeting: "收集会议", location: "位置", community: "社区", collected_at: "收集时间", name: "姓名", phone: "电话", application: "所属申请",
  signed_at: "签名时间", held_on: "日期", attendees: "参加人数", notes: "会议记录",
};
const fieldName = (k) => fieldLabels[k] || extraLabels[k] || k;

export async function syncPage(main) {
  const list = h("div.list", { id: "outbox" });
  const summary = h("p.muted");
  async function draw() {
    const rows = await outbox();
    const problems = rows.filter((m) => m.state !== "pending");
    summary.textContent = rows.length
      ? `本机有 ${rows.length} 条修改尚未被服务器接收${problems.length ? `，其中 ${problems.length} 条需要您处理` : ""}。`
      : "所有修改都已同步到服务器。";
    // problems first, then the waiting ones in order
    rows.sort((a, b) => (a.state === "pending") - (b.state === "pending") || a.n - b.n);
    mount(list, rows.length ? await Promise.all(rows.map(item)) : empty("没有待同步的修改。"));
  }
  async function item(m) {
    const rec = await store.getRecord(m.collection, m.record);
    const title = rec?.title || rec?.subject || rec?.name || m.data?.title || m.data?.subject || m.data?.name || m.record;
    const err = m.error || {};
    const fieldErrs = Object.entries(err.data || {}).filter(([, v]) => v && v.message && v.message !== err.message);
    return h(
      `div.card.mutation.${m.state}`,
      { dataset: { id: m.id, state: m.state } },
      h("div.item-meta", h("span.badge", collectionLabels[m.collection] || m.collection), h("span", opLabels[m.op]), h("span", fmtDateTime(m.created)), h(`span.badge${m.state === "pending" ? ".pending" : ".urgent"}`, stateLabels[m.state])),
      h("h3", title),
      m.op !== "delete" && Object.keys(m.data || {}).length
        ? h("p.small.muted", "修改内容：" + Object.keys(m.data).filter((k) => !["community", "collected_at"].includes(k)).map(fieldName).join("、") + (Object.keys(m.files || {}).length ? "、照片/签名" : ""))
        : null,
      m.state !== "pending" ? h("p.server-msg", { role: "alert" }, "服务器：" + (err.message || "拒绝了这条修改。")) : null,
      fieldErrs.length ? h("ul", fieldErrs.map(([k, v]) => h("li", `${fieldName(k)}：${v.message}`))) : null,
      m.state === "conflict" && m.serverRecord ? conflictView(m) : null,
      m.state !== "pending"
        ? h(
            "div.form-actions",
            m.op !== "delete" ? h("button.btn.primary", { type: "button", onclick: () => fix(m) }, m.state === "conflict" ? "用我的修改覆盖" : "修改后重新提交") : null,
            h("button.btn.danger", { type: "button", onclick: () => drop(m) }, m.state === "conflict" ? "放弃我的修改，采用服务器版本" : "放弃这条修改"),
          )
        : null,
    );
  }
  function conflictView(m) {
    const keys = Object.keys(m.data || {});
    return h(
      "div.scroll-x",
      h(
        "table.grid",
        h("thead", h("tr", h("th", "内容"), h("th", "我的修改"), h("th", "服务器上的版本"))),
        h("tbody", keys.map((k) => h("tr", h("td", fieldName(k)), h("td", show(m.data[k])), h("td", show(m.serverRecord[k]))))),
      ),
    );
  }
  async function drop(m) {
    const ok = await confirmDialog("放弃修改", "放弃后，本机的这条修改将被删除，并恢复为服务器上的内容。确定吗？", "放弃", { kind: "danger" });
    if (!ok) return;
    await discard(m.id);
    toast("已放弃这条修改。", "ok");
  }
  function fix(m) {
    const inputs = {};
    const errs = m.error?.data || {};
    const form = h("form.card", { novalidate: true, id: "fix-form" }, h("div.form-error", { hidden: true }), h("h2", "修改后重新提交"));
    for (const [k, v] of Object.entries(m.data || {})) {
      if (["community", "application", "collected_at", "signed_at", "location", "issues"].includes(k)) continue;
      let input;
      if (typeof v === "boolean") input = h("input", { type: "checkbox", name: k, checked: v });
      else if (typeof v === "number") input = h("input", { type: "number", name: k, value: v });
      else if (String(v).length > 60) input = h("textarea", { name: k, rows: 3 }, String(v ?? ""));
      else input = h("input", { name: k, value: String(v ?? "") });
      inputs[k] = input;
      form.append(h("div.field", h("label", fieldName(k)), input, errs[k]?.message ? h("div.field-error", errs[k].message) : null));
    }
    const send = h("button.btn.primary", { type: "submit" }, "重新提交");
    form.append(h("div.form-actions", send, h("button.btn", { type: "button", onclick: () => form.remove() }, "取消")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const data = { ...m.data };
      for (const [k, input] of Object.entries(inputs)) {
        data[k] = input.type === "checkbox" ? input.checked : input.type === "number" ? Number(input.value) : input.value.trim();
      }
      try {
        await busy(send, () => retry(m.id, data));
        toast("已重新排队，联网时自动提交。", "ok");
        form.remove();
        updates.now();
      } catch (err) {
        showFormError(form, err);
      }
    });
    list.querySelector(`[data-id="${m.id}"]`).append(form);
    form.querySelector("input,textarea")?.focus();
  }
  const now = h("button.btn", { type: "button", id: "sync-now", onclick: () => syncNow() }, "立即同步");
  const why = h("span.muted.small", { id: "sync-now-why" });
  // the server was restored from a backup: what was sent again, and what could not be
  const notice = h("div.card.notice", { id: "sync-notice", role: "alert", hidden: true });
  mount(main, h("div.page-head", h("h1", "同步记录"), why, now), notice, summary, list);
  const updates = serial(draw);
  await updates.now();
  // redraw when the outbox changes, but never under an open fix form
  let counts = "";
  const maybeDraw = () => !list.querySelector("#fix-form") && updates.now();
  const offs = [
    onDataChange(maybeDraw),
    onSyncChange((s) => {
      // offline there is nothing to sync with: say so instead of a button that does nothing
      now.disabled = !s.online || s.syncing;
      now.textContent = s.syncing ? "同步中…" : "立即同步";
      notice.hidden = !s.notice;
      if (s.notice && notice.dataset.text !== s.notice) {
        notice.dataset.text = s.notice;
        mount(notice, h("p", s.notice), h("button.btn", { type: "button", onclick: () => dismissNotice() }, "知道了"));
      }
      why.textContent = s.online ? "" : "当前离线，联网后自动同步";
      const c = `${s.pending}/${s.rejected}/${s.conflicts}`;
      if (c !== counts) {
        counts = c;
        maybeDraw();
      }
    }),
  ];
  return () => {
    updates.stop();
    offs.forEach((f) => f());
  };
}

function show(v) {
  if (v === null || v === undefined || v === "") return "（空）";
  if (typeof v === "boolean") return v ? "是" : "否";
  if (Array.isArray(v)) return v.join("、");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
