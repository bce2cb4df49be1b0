// Field app: the community's talk applications — composed from collected
// issues (one matter each), with residents' co-signatures on a signature
// pad, checked for eligibility before they are submitted, and followed
// through the workflow with their deadlines. Works offline.

import { me } from "../api.js";
import { h, mount, field, fmtDate, fmtDateTime, showFormError, clearFormError, toast, empty, confirmDialog, busy, liveCheck, localError, scrollBelowHeader } from "../ui.js";
import * as store from "../db.js";
import { mutate, syncNow, outboxStates } from "../sync.js";
import { liveLocal } from "../live.js";
import { wf, statusLabel, applicantKinds, applicantKindLabel, dueOf, nextWorkday, label, issueKinds, available, eligibility } from "../vocab.js";
import { directory, leaders, orgName, userWithTitle } from "../directory.js";
import { navigate, leaveGuard } from "../router.js";
import { signaturePad } from "../widgets/sigpad.js";
import { syncBadge } from "../widgets/syncbadge.js";
import { keepDraft, formValues, restoreValues, draftsOf, resumeCard, openDraft } from "../drafts.js";
import { dueChip } from "./queue.js";

const PHONE = /^[0-9+\- ]*$/;
const PHONE_MSG = "电话只能包含数字、空格、+ 和 -。";

/** Whether the community staff (or grid worker) user has something to do on application a now. */
export const toDo = (a, user) => (a.status === "draft" ? user.role === "community_staff" : available(a, user).length > 0);

/** Distinct co-signers, as the server counts them (name and address). */
export function distinctSigners(sigs) {
  return new Set(sigs.map((s) => `${(s.name || "").trim()}|${(s.address || "").trim()}`)).size;
}

export async function fieldAppsPage(main) {
  const user = me();
  const isStaff = user.role === "community_staff";
  const todo = h("div.list", { id: "todo-list" });
  const list = h("div.list", { id: "app-list" });
  const todoHead = h("h2", { id: "todo-head" });
  const restHead = h("h2", { id: "rest-head" });
  const next = await nextWorkday();
  const drafts = isStaff ? await draftsOf("compose-new") : [];
  async function draw() {
    const [apps, sigs, dir, states] = await Promise.all([store.all("applications"), store.all("signatures"), directory(), outboxStates()]);
    // returned drafts first (the street's reason awaits the community), then by deadline
    const returned = (a) => (a.status === "draft" && a.returned_at ? 0 : 1);
    apps.sort((a, b) => returned(a) - returned(b) || (dueOf(a) || "9999").localeCompare(dueOf(b) || "9999") || String(b.updated).localeCompare(String(a.updated)));
    const item = (a) => {
      const n = distinctSigners(sigs.filter((s) => s.application === a.id));
      const due = dueOf(a);
      const moves = a.status === "draft" ? [] : available(a, user);
      return h(
        "div.item",
        { dataset: { id: a.id } },
        h(
          "div",
          h("div.item-title", a.status === "draft" && a.returned_at ? h("span.badge.returned", "已退回") : null, " ", a.subject || "（未填写事项）"),
          a.status === "draft" && a.returned_at ? h("div.item-meta.returned-reason", `街道退回理由：${a.return_reason || "（未填写）"}（${fmtDate(a.returned_at)}）`) : null,
          h(
            "div.item-meta",
            h("span", a.serial || "草稿"),
            h("span", applicantKindLabel(a.applicant_kind)),
            a.target_leader ? h("span", "约谈 " + userWithTitle(dir, a.target_leader)) : null,
            a.applicant_kind === "residents" ? h("span", `居民签名 ${n}/${wf.minCoSigners}`) : null,
            h("span", a.status === "draft" || !a.submitted_at ? "更新于 " + fmtDate(a.updated) : "报送于 " + fmtDate(a.submitted_at)),
          ),
          moves.length ? h("div.item-meta", h("span", "可办理："), [...new Set(moves.map((m) => m.label))].map((l) => h("span.badge", l))) : null,
          h(
            "div.form-actions",
            h("a.btn.small", { href: `#/app/${a.id}` }, "查看"),
            isStaff && a.status === "draft" ? h("a.btn.small", { href: `#/apps/${a.id}/edit` }, "编辑") : null,
            a.applicant_kind === "residents" && a.status === "draft" ? h("a.btn.small", { href: `#/apps/${a.id}/signatures` }, "居民签名") : null,
          ),
        ),
        h(
          "div.item-side",
          h(`span.badge.status`, statusLabel(a.status)),
          moves.length ? h("span.badge.urgent", "待您办理") : null,
          due ? dueChip(due, next) : null,
          syncBadge("applications", a, states),
        ),
      );
    };
    const mine = apps.filter((a) => toDo(a, user));
    const rest = apps.filter((a) => !toDo(a, user));
    todoHead.textContent = isStaff ? `待我办理（${mine.length}）` : `待收集签名（${mine.length}）`;
    restHead.textContent = `其他申请（${rest.length}）`;
    restHead.hidden = !rest.length;
    if (!isStaff) {
      // grid workers collect co-signatures on their community's residents' drafts
      const drafting = apps.filter((a) => a.status === "draft" && a.applicant_kind === "residents");
      todoHead.textContent = `待收集签名（${drafting.length}）`;
      mount(todo, drafting.length ? drafting.map(item) : empty("本社区暂时没有需要收集居民签名的联名申请。"));
      mount(list, apps.filter((a) => !drafting.includes(a)).map(item));
      restHead.hidden = apps.length === drafting.length;
      restHead.textContent = `其他申请（${apps.length - drafting.length}）`;
      return;
    }
    mount(todo, mine.length ? mine.map(item) : empty(apps.length ? "暂时没有需要您办理的申请。" : "还没有约谈申请。点“新建约谈申请”，从收集到的问题中选择一件事项。"));
    mount(list, rest.map(item));
  }
  mount(
    main,
    h("div.page-head", h("h1", isStaff ? "约谈申请" : "居民联名"), isStaff ? h("a.btn.primary", { href: "#/apps/new", id: "new-app" }, "＋ 新建约谈申请") : null),
    resumeCard(drafts, { title: `未完成的约谈申请（${drafts.length}）`, href: (d) => `#/apps/new?draft=${d.key.split("/")[1]}` }),
    h("section", { id: "todo" }, todoHead, todo),
    h("section", { id: "rest" }, restHead, list),
  );
  const updates = liveLocal(draw, ["applications", "signatures"]);
  await updates.now();
  return updates;
}

/**
 * The server's requirements (workflow.Eligibility, checked here offline)
 * as the compose form lists them: what is still to fill in ("filled" and
 * "co_signers" requirements not met) is a plain "todo" until a submission
 * is tried; what was filled in wrong is "bad" at once — the phone's
 * format too, which the schema checks on every save.
 */
function submissionChecks(a, coSigners, orgKind) {
  const missing = new Set(wf.eligibility.filter((r) => !r.advice && (r.test === "filled" || r.test === "co_signers")).map((r) => r.code));
  const items = eligibility(a, coSigners, orgKind).map((x) => ({
    kind: x.kind === "bad" && missing.has(x.code) ? "todo" : x.kind,
    code: x.code,
    field: x.field,
    text: x.message,
  }));
  if (!PHONE.test(a.contact_phone || "")) items.push({ kind: "bad", code: "contact_phone_format", field: "contact_phone", text: "联系电话只能包含数字、空格、+ 和 -。" });
  // “可以报送街道” only when nothing stops it, the phone included
  return items.some((x) => x.kind === "bad" || x.kind === "todo") ? items.filter((x) => x.code !== "eligible") : items;
}

/** Whether an eligibility list still stops the submission. */
const blocks = (items) => items.some((x) => x.kind === "bad" || x.kind === "todo");

export async function composePage(main, { id }) {
  const user = me();
  if (user.role !== "community_staff") {
    mount(main, h("div.page-error", "只有社区工作人员可以填写约谈申请。"));
    return;
  }
  const isNew = !id;
  const a = isNew ? { applicant_kind: "", issues: [], talk_form: "" } : await store.getRecord("applications", id);
  if (!a) return mount(main, h("div.page-error", "申请不存在。"));
  if (!isNew && a.status !== "draft") {
    mount(main, h("div.page-error", "申请已报送，不能再修改。"), h("a", { href: `#/app/${id}` }, "查看申请"));
    return;
  }
  const dir = await directory();
  const orgKind = dir.orgs.get(user.org)?.kind || "community";
  if (isNew) a.applicant_kind = orgKind === "cooperative" ? "cooperative" : "community";
  const [issues, sigs] = await Promise.all([store.all("issues"), store.all("signatures")]);
  const mySigs = sigs.filter((s) => s.application === id);
  // a duplicate follows its original: only originals are picked
  const pickable = issues
    .filter((i) => (!i.application && !i.duplicate_of && (i.status || "open") === "open") || (id && i.application === id && !i.duplicate_of) || (a.issues || []).includes(i.id))
    .sort((x, y) => String(y.collected_at).localeCompare(String(x.collected_at)));

  const kinds = applicantKinds.filter((k) => (orgKind === "cooperative" ? k.value !== "community" : k.value !== "cooperative"));
  const applicantKind = h(
    "div.choices",
    kinds.map((k) => h("label.choice", h("input", { type: "radio", name: "applicant_kind", value: k.value, checked: a.applicant_kind === k.value }), k.label)),
  );
  const subject = h("input", { name: "subject", maxlength: 200, required: true, value: a.subject || "", placeholder: "例如：划船社区低洼地排涝改造" });
  const category = h(
    "div.choices",
    wf.categories.map((c) => h("label.choice", h("input", { type: "radio", name: "category", value: c.value, checked: a.category === c.value }), c.label)),
  );
  const description = h("textarea", { name: "description", maxlength: 20000, rows: 5 }, a.description || "");
  const request = h("textarea", { name: "request", maxlength: 5000, rows: 3, placeholder: "希望领导解决或答复什么" }, a.request || "");
  const affected = h("input", { name: "affected_count", type: "number", min: 0, step: 1, value: a.affected_count || "" });
  const contactName = h("input", { name: "contact_name", maxlength: 50, value: a.contact_name || user.name });
  const contactPhone = h("input", { name: "contact_phone", type: "tel", maxlength: 30, value: a.contact_phone || "" });
  const leaderSel = h("select", { name: "target_leader", required: true }, h("option", { value: "" }, "请选择约谈对象"));
  const groups = {};
  for (const l of leaders(dir)) {
    if (!groups[l.group]) leaderSel.append((groups[l.group] = h("optgroup", { label: l.group })));
    groups[l.group].append(h("option", { value: l.value, selected: a.target_leader === l.value }, l.label));
  }
  const talkForm = h(
    "div.choices",
    h("label.choice", h("input", { type: "radio", name: "talk_form", value: "", checked: !a.talk_form }), "由领导商定"),
    wf.talkForms.map((f) => h("label.choice", h("input", { type: "radio", name: "talk_form", value: f.value, checked: a.talk_form === f.value }), f.label)),
  );
  const urgent = h("input", { type: "checkbox", name: "urgent", checked: !!a.urgent });
  const litigation = h("input", { type: "checkbox", name: "litigation_or_petition", checked: !!a.litigation_or_petition });
  const picks = h(
    "div.pick-list",
    { id: "issue-picks" },
    pickable.length
      ? pickable.map((i) =>
          h(
            "label.pick",
            h("input", { type: "checkbox", name: "issues", value: i.id, checked: (a.issues || []).includes(i.id) }),
            h("span", h("strong", i.title), " ", h("span.badge", label(issueKinds, i.kind)), h("div.muted.small", [i.address, i.resident_name, fmtDate(i.collected_at)].filter(Boolean).join(" · "))),
          ),
        )
      : h("span.muted", "没有可关联的待处理问题。"),
  );
  const checks = h("ul.eligibility", { id: "eligibility" });
  const saveBtn = h("button.btn", { type: "submit", name: "save" }, "保存草稿");
  const submitBtn = h("button.btn.primary", { type: "button", id: "submit-app" }, "保存并报送街道");
  let tried = false; // a submission was attempted: what is missing shows as an error

  function current() {
    const f = new FormData(form);
    return {
      applicant_kind: f.get("applicant_kind") || "",
      subject: subject.value.trim(),
      category: f.get("category") || "",
      description: description.value.trim(),
      request: request.value.trim(),
      affected_count: affected.value === "" ? 0 : Number(affected.value),
      contact_name: contactName.value.trim(),
      contact_phone: contactPhone.value.trim(),
      target_leader: leaderSel.value,
      talk_form: f.get("talk_form") || "",
      urgent: urgent.checked,
      litigation_or_petition: litigation.checked,
      issues: f.getAll("issues"),
    };
  }
  function check() {
    const c = current();
    const items = submissionChecks(c, distinctSigners(mySigs), orgKind);
    if (c.applicant_kind === "residents") {
      items.push(
        isNew
          ? { kind: "hint", text: "居民联名：先保存草稿，再到“居民签名”页请居民逐一签名。" }
          : { kind: "hint", text: h("span", "居民联名：", h("a", { href: `#/apps/${id}/signatures` }, "去收集居民签名")) },
      );
    }
    // before a submission is tried, what is still to fill in is a plain to-do, not an error
    mount(checks, items.map((x) => h(`li.${x.kind === "todo" ? (tried ? "bad" : "todo") : x.kind}`, { dataset: { code: x.code || "" } }, x.text)));
    return items;
  }

  const form = h(
    "form.card",
    { novalidate: true, id: "compose-form" },
    h("div.form-error", { hidden: true }),
    a.returned_at ? h("div.warn.returned-reason", { role: "note" }, `已退回（${fmtDate(a.returned_at)}）。街道退回理由：${a.return_reason || "（未填写）"}。修改后重新报送，编号不变。`) : null,
    h("div.field", h("label", "约谈主体"), applicantKind, h("div.hint", `申请单位：${orgName(dir, user.org)}。居民联名须有${wf.minCoSigners}位以上居民签名。`)),
    field("约谈事项（一事一案）", subject),
    h("div.field", h("label", "内容类别", h("span.req", " *")), category),
    h("div.field", h("label", "关联问题"), picks),
    field("情况说明", description),
    field("约谈诉求", request),
    h("div.form-grid", field("约谈对象", leaderSel), field("涉及群众人数", affected), field("联系人", contactName), field("联系电话", contactPhone)),
    h("div.field", h("label", "希望的约谈形式"), talkForm),
    h(
      "div.field",
      h("label.choice", urgent, "特殊约谈事项（紧急，可随时审核）"),
      h("label.choice", litigation, "涉及诉讼或信访（涉法涉访）"),
    ),
    h("h3", "报送前检查"),
    checks,
    h("div.form-actions", saveBtn, submitBtn, h("a.btn", { href: "#/apps" }, "取消"), !isNew ? h("button.btn.danger", { type: "button", onclick: remove }, "删除草稿") : null),
  );
  const checker = liveCheck(form, {
    subject: (v) => (v ? "" : "请填写约谈事项。"),
    category: (v) => (v ? "" : "请选择内容类别。"),
    target_leader: (v) => (v ? "" : "请选择约谈对象。"),
    contact_phone: (v) => (PHONE.test(v) ? "" : PHONE_MSG),
  });

  // what is typed is kept on the tablet until it is saved as a draft or sent
  const { key, draft, form: draftKind, resuming } = await openDraft("compose", id);
  if (draft) restoreValues(form, draft.data.fields || {});
  const kept = keepDraft({
    key,
    form: draftKind,
    what: isNew ? "这份约谈申请" : "对这份申请的修改",
    snapshot: () => ({ title: subject.value.trim(), data: { fields: formValues(form) } }),
  });
  form.addEventListener("input", () => (check(), kept.changed()));
  form.addEventListener("change", () => (check(), kept.changed()));

  /** The field errors of what is filled in now (the rules above), for a save or a submission. */
  function fieldErrors({ submitting }) {
    const errs = checker.check();
    if (!submitting) {
      // a draft needs only its subject, category and leader, and a phone that is a phone
      for (const k of Object.keys(errs)) if (!["subject", "category", "target_leader", "contact_phone"].includes(k)) delete errs[k];
    }
    return errs;
  }

  async function save() {
    const data = current();
    const errs = fieldErrors({ submitting: false });
    if (Object.keys(errs).length) {
      showFormError(form, localError(errs, "保存草稿也需要填写约谈事项、选择内容类别和约谈对象，电话须为数字。"));
      return null;
    }
    if (isNew) return mutate("applications", "create", null, { ...data, community: user.org });
    const changed = {};
    for (const [k, v] of Object.entries(data)) if (JSON.stringify(v) !== JSON.stringify(a[k] ?? (Array.isArray(v) ? [] : typeof v === "boolean" ? false : typeof v === "number" ? 0 : ""))) changed[k] = v;
    if (Object.keys(changed).length) await mutate("applications", "update", id, changed);
    return id;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const saved = await busy(saveBtn, save, "正在保存…").catch((err) => showFormError(form, err));
    if (!saved) return;
    await kept.done();
    toast("草稿已保存。", "ok");
    navigate(current().applicant_kind === "residents" ? `/apps/${saved}/signatures` : "/apps");
  });
  submitBtn.addEventListener("click", async () => {
    tried = true;
    const items = check();
    // everything is checked before the confirmation: the fields first, then the rest of the list
    const errs = fieldErrors({ submitting: true });
    for (const x of items) {
      // beside its field when the form has one (co-signers have none: they stay in the list)
      if ((x.kind === "bad" || x.kind === "todo") && x.field && !errs[x.field] && form.querySelector(`[name="${x.field}"]`)) errs[x.field] = x.text;
    }
    if (Object.keys(errs).length) return showFormError(form, localError(errs, "还不能报送：请先处理标红的内容。"));
    if (blocks(items)) {
      showFormError(form, { message: "还不能报送：" + items.find((x) => x.kind === "bad" || x.kind === "todo").text }, { scroll: false });
      return scrollBelowHeader(checks);
    }
    clearFormError(form);
    const c = current();
    const ok = await confirmDialog("报送街道", `确定将“${c.subject}”报送街道审核吗？报送后不能再修改。`, "报送");
    if (!ok) return;
    const saved = await busy(submitBtn, save, "正在保存…").catch((err) => showFormError(form, err));
    if (!saved) return;
    await mutate("applications", "update", saved, { status: "submitted" });
    await kept.done();
    toast(navigator.onLine ? "已报送，正在同步到服务器。" : "已保存在本机，联网后自动报送。", "ok");
    if (navigator.onLine) syncNow();
    navigate("/apps");
  });

  async function remove() {
    if (!(await confirmDialog("删除草稿", "确定删除这份申请草稿吗？关联的问题会恢复为待处理。", "删除", { kind: "danger" }))) return;
    await mutate("applications", "delete", id);
    await kept.done();
    navigate("/apps");
  }

  const others = isNew && !resuming ? await draftsOf("compose-new") : [];
  mount(
    main,
    h("div.page-head", h("h1", isNew ? "新建约谈申请" : "编辑约谈申请"), h("a.back", { href: "#/apps" }, "← 返回")),
    draft ? h("p.note", { id: "draft-restored" }, `已恢复 ${fmtDateTime(draft.savedAt)} 未保存的内容。`) : null,
    resumeCard(others, { title: `未完成的约谈申请（${others.length}）`, href: (d) => `#/apps/new?draft=${d.key.split("/")[1]}` }),
    form,
  );
  check();
  return () => {
    kept.stop();
    leaveGuard(null);
  };
}

export async function signaturesPage(main, { id }) {
  const a = await store.getRecord("applications", id);
  if (!a) return mount(main, h("div.page-error", "申请不存在或不是本社区的居民联名申请。"));
  const list = h("div");
  const countEl = h("strong");
  const states = { value: new Map() };
  const pad = signaturePad();
  const name = h("input", { name: "name", maxlength: 50, required: true, autocomplete: "off" });
  const address = h("input", { name: "address", maxlength: 200, required: true, placeholder: "例如：3幢201室" });
  const phone = h("input", { name: "phone", type: "tel", maxlength: 30 });
  const editable = a.status === "draft";
  const addBtn = h("button.btn.primary", { type: "submit" }, "保存签名");
  const form = h(
    "form.card",
    { novalidate: true, id: "signature-form" },
    h("h2", "新增居民签名"),
    h("div.form-error", { hidden: true }),
    h("div.form-grid", field("姓名", name), field("住址", address), field("联系电话", phone)),
    pad.el,
    h("div.form-actions", addBtn),
  );
  async function draw() {
    const [all, st] = await Promise.all([store.all("signatures"), outboxStates()]);
    states.value = st;
    const sigs = all.filter((s) => s.application === id).sort((x, y) => String(x.created).localeCompare(String(y.created)));
    const n = distinctSigners(sigs);
    countEl.textContent = `已有 ${n} 位居民签名` + (n < wf.minCoSigners ? `，还差 ${wf.minCoSigners - n} 位` : "，已达到联名要求");
    const rows = sigs.map((s, i) => {
      const img = s._localFiles?.image?.[0];
      return h(
        "tr",
        h("td", String(i + 1)),
        h("td", s.name),
        h("td", s.address),
        h("td", s.phone || ""),
        h("td", img ? h("img.sig-img", { src: URL.createObjectURL(img), alt: "签名" }) : s.image ? "已签名" : "（纸质签名）"),
        h("td", fmtDateTime(s.signed_at || s.created)),
        h("td", syncBadge("signatures", s, states.value), editable ? h("button.btn.small.danger", { type: "button", onclick: () => removeSig(s) }, "删除") : null),
      );
    });
    mount(
      list,
      rows.length
        ? h("div.scroll-x", h("table.grid", h("thead", h("tr", ["序号", "姓名", "住址", "电话", "签名", "时间", ""].map((t) => h("th", t)))), h("tbody", rows)))
        : empty("还没有居民签名。"),
    );
  }
  async function removeSig(s) {
    if (!(await confirmDialog("删除签名", `删除 ${s.name} 的签名？`, "删除", { kind: "danger" }))) return;
    await mutate("signatures", "delete", s.id);
  }
  const checker = liveCheck(form, {
    name: (v) => (v ? "" : "请填写姓名。"),
    address: (v) => (v ? "" : "请填写住址。"),
    phone: (v) => (PHONE.test(v) ? "" : PHONE_MSG),
    signature: () => (pad.isEmpty() ? "请居民在签名框内签名。" : ""),
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const errs = checker.check();
    if (Object.keys(errs).length) return showFormError(form, localError(errs, "请检查标红的内容。"));
    const img = await pad.toFile();
    await mutate(
      "signatures",
      "create",
      null,
      { application: id, name: name.value.trim(), address: address.value.trim(), phone: phone.value.trim(), signed_at: new Date().toISOString().replace("T", " ") },
      img ? { image: [img] } : {},
    );
    form.reset();
    pad.clear();
    clearFormError(form);
    toast("签名已保存。", "ok");
    name.focus();
  });
  mount(
    main,
    h("div.page-head", h("h1", "居民联名签名"), h("a", { href: "#/apps" }, "← 返回")),
    h("div.card", h("h2", a.subject), h("p", countEl), h("p.muted.small", "每位居民签一次；同名同址只计一人。也可以打印《居民联名签名表》请居民手写签名。")),
    editable ? form : h("p.note", "申请已报送，不能再增减签名。"),
    list,
  );
  const updates = liveLocal(draw, ["signatures"]);
  await updates.now();
  return () => {
    updates();
    pad.destroy();
  };
}
