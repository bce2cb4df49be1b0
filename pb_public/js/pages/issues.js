// Field app: residents' problems and suggestions, collected door to door or
// at meetings — listed, searched, created and edited on the tablet, online
// or not. A half-typed issue is kept as a draft and offered again; while it
// is recorded the community's issues nearby or with a like title are shown
// (possible duplicates), and community staff may mark one issue a
// duplicate of another.

import { me } from "../api.js";
import { h, mount, field, select, filter, fmtDate, fmtDateTime, showFormError, toast, empty, confirmDialog, debounce, liveCheck, localError } from "../ui.js";
import * as store from "../db.js";
import { mutate, outboxStates } from "../sync.js";
import { liveLocal } from "../live.js";
import { issueKinds, issueSources, issueStatuses, meetingKinds, label } from "../vocab.js";
import { navigate, query, render, leaveGuard } from "../router.js";
import { photoPicker } from "../widgets/photos.js";
import { syncBadge } from "../widgets/syncbadge.js";
import { keepDraft, formValues, restoreValues, draftsOf, resumeCard, openDraft } from "../drafts.js";
import { possibleDuplicates, fmtDistance, hasLocation, ALIKE } from "../geo.js";

const PHONE = /^[0-9+\- ]*$/;

/** The rules the issue form checks as it is filled in (the server checks them again). */
const rules = {
  title: (v) => (v ? "" : "请填写标题。"),
  resident_phone: (v) => (PHONE.test(v) ? "" : "电话只能包含数字、空格、+ 和 -。"),
};

export async function issuesPage(main) {
  const search = h("input", { type: "search", placeholder: "搜索标题、描述、地址、居民、网格", "aria-label": "搜索问题" });
  const kind = select("kind", issueKinds, "", { empty: "全部类型" });
  const status = select("status", issueStatuses, "", { empty: "全部状态" });
  const list = h("div.list", { id: "issue-list" });
  const count = h("span.muted");
  const q = sessionStorage.getItem("yuetan.issueSearch") || "";
  search.value = q;
  const drafts = await draftsOf("issue-new");

  async function draw() {
    const [all, states] = await Promise.all([store.all("issues"), outboxStates()]);
    const text = search.value.trim().toLowerCase();
    sessionStorage.setItem("yuetan.issueSearch", search.value);
    const rows = all
      .filter((i) => !kind.value || i.kind === kind.value)
      .filter((i) => !status.value || (i.status || "open") === status.value)
      .filter((i) => !text || [i.title, i.description, i.address, i.resident_name, i.grid].some((v) => (v || "").toLowerCase().includes(text)))
      .sort((a, b) => String(b.collected_at || b.created || "").localeCompare(String(a.collected_at || a.created || "")));
    count.textContent = `共 ${rows.length} 条`;
    mount(list, rows.length ? rows.map((i) => issueItem(i, states)) : empty(all.length ? "没有符合条件的问题。" : "还没有问题。点“登记问题”开始收集。"));
  }

  const updates = liveLocal(draw, ["issues"]);
  search.addEventListener("input", debounce(updates.now, 150));
  kind.addEventListener("change", updates.now);
  status.addEventListener("change", updates.now);
  mount(
    main,
    h("div.page-head", h("h1", "问题收集"), count, h("a.btn.primary", { href: "#/issues/new", id: "new-issue" }, "＋ 登记问题")),
    resumeCard(drafts, { title: `未完成的问题（${drafts.length}）`, href: (d) => `#/issues/new?draft=${d.key.split("/")[1]}` }),
    h("div.toolbar", search, filter("类型", kind), filter("状态", status)),
    list,
  );
  await updates.now();
  return updates;
}

function issueItem(i, states) {
  const photos = (i.photos || []).length + (i._localFiles?.photos || []).length;
  return h(
    "a.item.issue-item",
    { href: `#/issues/${i.id}`, dataset: { id: i.id } },
    h(
      "div",
      h("div.item-title", i.title || "（无标题）"),
      h(
        "div.item-meta",
        i.address ? h("span", "地址 " + i.address) : null,
        i.grid ? h("span", i.grid) : null,
        i.resident_name ? h("span", "反映人 " + i.resident_name) : null,
        photos ? h("span", `照片 ${photos} 张`) : null,
        h("span", fmtDate(i.collected_at || i.created)),
      ),
    ),
    h(
      "div.item-side",
      h(`span.badge.kind-${i.kind}`, label(issueKinds, i.kind)),
      h("span.badge.status", label(issueStatuses, i.status || "open")),
      i.duplicate_of ? h("span.badge.dup", "重复") : null,
      syncBadge("issues", i, states),
    ),
  );
}

export async function issueFormPage(main, { id }) {
  const user = me();
  const isNew = !id;
  const issue = isNew ? null : await store.getRecord("issues", id);
  if (!isNew && !issue) {
    mount(main, h("div.page-error", { role: "alert" }, "这条问题不存在，或已不属于本社区。"), h("p", h("a", { href: "#/issues" }, "返回问题列表")));
    return;
  }
  const [{ key: draftKey, draft, form: draftKind, resuming }, allIssues, meetingsAll, row] = await Promise.all([
    openDraft("issue", id),
    store.all("issues"),
    store.all("meetings"),
    isNew ? null : store.getRow("issues", id),
  ]);
  const otherDrafts = isNew && !resuming ? await draftsOf("issue-new") : [];
  const fromMeeting = isNew ? query().get("meeting") || "" : "";
  const v = issue || { kind: "problem", source: fromMeeting ? "meeting" : "door_to_door", status: "open", meeting: fromMeeting };
  const meetings = meetingsAll.sort((a, b) => String(b.held_on).localeCompare(String(a.held_on)));
  const linked = !!v.application;
  const community = v.community || user.org;
  const others = allIssues.filter((i) => i.community === community && i.id !== id);
  const original = v.duplicate_of ? allIssues.find((i) => i.id === v.duplicate_of) : null;
  const mayMark = user.role === "community_staff" && !isNew;

  const kinds = h(
    "div.choices",
    issueKinds.map((k) => h("label.choice", h("input", { type: "radio", name: "kind", value: k.value, checked: v.kind === k.value }), k.label)),
  );
  const title = h("input", { name: "title", required: true, maxlength: 200, value: v.title || "", placeholder: "一句话说清问题，例如：小区低洼地排涝改造" });
  const description = h("textarea", { name: "description", maxlength: 10000, rows: 4, placeholder: "居民反映的具体情况" }, v.description || "");
  const address = h("input", { name: "address", maxlength: 200, value: v.address || "", placeholder: "例如：3幢前" });
  const grid = h("input", { name: "grid", maxlength: 50, value: v.grid || "", placeholder: "例如：第2网格" });
  const resident = h("input", { name: "resident_name", maxlength: 50, value: v.resident_name || "" });
  const phone = h("input", { name: "resident_phone", type: "tel", maxlength: 30, value: v.resident_phone || "", inputmode: "tel" });
  const source = select("source", issueSources, v.source, { empty: null });
  const meeting = select(
    "meeting",
    meetings.map((m) => ({ value: m.id, label: `${fmtDate(m.held_on)} ${m.title || label(meetingKinds, m.kind)}` })),
    v.meeting || "",
    { empty: "（不是会议上收集的）" },
  );
  const statusOptions = linked ? issueStatuses : issueStatuses.filter((s) => s.value !== "in_application");
  const status = select("status", statusOptions, v.status || "open", { empty: null });
  status.disabled = linked || isNew || !!v.duplicate_of;

  let location = hasLocation(v.location) ? v.location : null;
  const locText = h("span.muted", { id: "location-text" }, location ? fmtLoc(location) : "未记录位置");
  const locBtn = h("button.btn", { type: "button", onclick: locate }, "记录当前位置");
  function locate() {
    if (!("geolocation" in navigator)) return toast("此设备不支持定位。", "error");
    locText.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(
      (p) => {
        location = { lat: +p.coords.latitude.toFixed(6), lon: +p.coords.longitude.toFixed(6) };
        locText.textContent = fmtLoc(location) + `（精度约 ${Math.round(p.coords.accuracy)} 米）`;
        drawHints();
        kept.changed();
      },
      (err) => {
        locText.textContent = location ? fmtLoc(location) : "未记录位置";
        toast(err.code === 1 ? "未获得定位权限：可在浏览器设置中允许定位。" : "定位失败，请到开阔处重试。", "error");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  const queuedPhotos = row?.local?._localFiles?.photos || [];
  const picker = photoPicker({
    collection: "issues", record: id, stored: v.photos || [], queued: queuedPhotos,
    added: draft?.files?.photos || [], onChange: () => kept.changed(),
  });

  // the community's issues like this one: nearby or with a like title
  const hints = h("div", { id: "dup-hints", role: "status", "aria-live": "polite" });
  function drawHints() {
    if (v.duplicate_of) return mount(hints);
    const found = possibleDuplicates({ id, title: title.value, location }, others);
    mount(
      hints,
      found.length
        ? h(
            "div.dup-box",
            h("h3", `可能重复：本社区已有 ${found.length} 条相近的问题`),
            h("p.muted.small", "请先核对是否为同一件事；是同一件事时不必重复登记。"),
            h(
              "ul.dup-list",
              found.map(({ issue: o, metres, alike }) =>
                h(
                  "li",
                  { dataset: { id: o.id } },
                  h("a.dup-title", { href: `#/issues/${o.id}` }, o.title || "（无标题）"),
                  h(
                    "span.item-meta",
                    h("span.badge.status", label(issueStatuses, o.status || "open")),
                    metres !== null ? h("span.dup-distance", `相距 ${fmtDistance(metres)}`) : null,
                    alike >= ALIKE ? h("span", "标题相近") : null,
                    o.address ? h("span", o.address) : null,
                    h("span", fmtDate(o.collected_at || o.created)),
                  ),
                  mayMark && !o.duplicate_of && !linked ? h("button.btn.small", { type: "button", dataset: { mark: o.id }, onclick: () => markDuplicate(o) }, "标为此问题的重复") : null,
                ),
              ),
            ),
          )
        : null,
    );
  }

  async function markDuplicate(o) {
    const ok = await confirmDialog(
      "标记为重复问题",
      `将“${v.title}”标记为“${o.title}”的重复问题：它随原问题办理（原问题纳入哪份约谈申请，它也随之纳入），不再单独办理。`,
      "标记为重复",
    );
    if (!ok) return;
    await mutate("issues", "update", id, { duplicate_of: o.id });
    await kept.done();
    toast(navigator.onLine ? "已标记为重复问题，正在同步。" : "已标记为重复问题，联网后同步。", "ok");
    render();
  }
  async function unmark() {
    if (!(await confirmDialog("取消重复标记", `“${v.title}”将不再随“${original?.title || "原问题"}”办理，恢复为待处理的问题。`, "取消重复标记"))) return;
    await mutate("issues", "update", id, { duplicate_of: "" });
    await kept.done();
    toast("已取消重复标记。", "ok");
    render();
  }

  const save = h("button.btn.primary", { type: "submit" }, isNew ? "保存" : "保存修改");
  const restoredNote = draft ? h("p.note", { id: "draft-restored" }, `已恢复 ${fmtDateTime(draft.savedAt)} 未保存的内容。`, " ", h("button.btn.small", { type: "button", onclick: discardDraft }, "放弃这些内容")) : null;
  const form = h(
    "form.card",
    { novalidate: true, id: "issue-form" },
    h("div.form-error", { hidden: true }),
    restoredNote,
    linked && !v.duplicate_of ? h("p.note", "这条问题已纳入约谈申请，状态随申请办理进度变化。", user.role === "community_staff" ? h("a", { href: `#/app/${v.application}` }, "查看所属申请") : null) : null,
    v.duplicate_of
      ? h(
          "p.note.dup-note",
          { id: "duplicate-of" },
          "这条问题已标记为",
          original ? h("a", { href: `#/issues/${original.id}` }, `“${original.title}”`) : "另一条问题",
          "的重复问题，随原问题办理。",
          user.role === "community_staff" ? [" ", h("button.btn.small", { type: "button", onclick: unmark }, "取消重复标记")] : null,
        )
      : null,
    h("div.field", h("label", "类型"), kinds),
    field("标题", title),
    hints,
    field("情况描述", description),
    h("div.form-grid", field("地址", address), field("网格", grid), field("反映人", resident), field("联系电话", phone, "仅本社区、街道和区专门工作小组可见"), field("来源", source), field("收集会议", meeting)),
    picker.el,
    h("div.field", h("label", "位置"), h("div.form-actions", locBtn, locText)),
    isNew ? null : field("状态", status),
    h("div.form-actions", save, h("a.btn", { href: "#/issues" }, "取消"), !isNew && v.status === "open" && !linked && !v.duplicate_of ? h("button.btn.danger", { type: "button", onclick: remove }, "删除") : null),
  );
  if (draft) {
    restoreValues(form, draft.data.fields || {});
    if (draft.data.location) location = draft.data.location;
    locText.textContent = location ? fmtLoc(location) : "未记录位置";
  }
  const checker = liveCheck(form, rules);

  const kept = keepDraft({
    key: draftKey,
    form: draftKind,
    what: isNew ? "这条问题" : "对这条问题的修改",
    snapshot: () => ({
      title: title.value.trim(),
      data: { fields: formValues(form), location, photos: picker.newFiles().map((f) => `${f.name}:${f.size}`) },
      files: { photos: picker.newFiles() },
    }),
  });
  const typed = debounce(drawHints, 200);
  form.addEventListener("input", (e) => {
    kept.changed();
    if (e.target === title) typed();
  });
  form.addEventListener("change", () => kept.changed());

  async function discardDraft() {
    await kept.done();
    navigate(isNew ? "/issues/new" : `/issues/${id}`, { replace: true });
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const errors = checker.check();
    if (Object.keys(errors).length) return showFormError(form, localError(errors, "请检查标红的内容。"));
    const data = {
      kind: form.querySelector('input[name="kind"]:checked')?.value || "problem",
      title: title.value.trim(),
      description: description.value.trim(),
      address: address.value.trim(),
      grid: grid.value.trim(),
      resident_name: resident.value.trim(),
      resident_phone: phone.value.trim(),
      source: source.value,
      meeting: meeting.value,
    };
    if (location) data.location = location;
    const files = picker.newFiles();
    try {
      if (isNew) {
        data.community = user.org;
        data.collected_at = new Date().toISOString().replace("T", " ");
        await mutate("issues", "create", null, data, files.length ? { photos: files } : {});
      } else {
        const changed = {};
        for (const [k, val] of Object.entries(data)) if (JSON.stringify(val) !== JSON.stringify(v[k] ?? (k === "location" ? undefined : ""))) changed[k] = val;
        if (!status.disabled && status.value !== (v.status || "open")) changed.status = status.value;
        if (!Object.keys(changed).length && !files.length) {
          await kept.done();
          return navigate("/issues");
        }
        await mutate("issues", "update", id, changed, files.length ? { photos: files } : {});
      }
      await kept.done();
      toast(navigator.onLine ? "已保存，正在同步。" : "已保存在本机，联网后自动同步。", "ok");
      navigate("/issues");
    } catch (err) {
      showFormError(form, err);
    }
  });

  async function remove() {
    if (!(await confirmDialog("删除问题", `确定删除“${v.title}”吗？`, "删除", { kind: "danger" }))) return;
    await mutate("issues", "delete", id);
    await kept.done();
    toast("已删除。", "ok");
    navigate("/issues");
  }

  mount(
    main,
    h("div.page-head", h("h1", isNew ? "登记问题" : "问题详情"), h("a.back", { href: "#/issues" }, "← 返回列表")),
    resumeCard(otherDrafts, { title: `未完成的问题（${otherDrafts.length}）`, href: (d) => `#/issues/new?draft=${d.key.split("/")[1]}` }),
    form,
  );
  drawHints();
  if (!otherDrafts.length) title.focus();
  return () => {
    kept.stop();
    leaveGuard(null);
    picker.cleanup();
  };
}

const fmtLoc = (l) => `北纬 ${(+l.lat).toFixed(5)}°，东经 ${(+l.lon).toFixed(5)}°`;
