// Field app: residents' problems and suggestions, collected door to door or
// at meetings — listed, searched, created and edited on the tablet, online
// or not.

import { me } from "../api.js";
import { h, mount, field, select, fmtDate, showFormError, toast, empty, confirmDialog, debounce } from "../ui.js";
import * as store from "../db.js";
import { mutate } from "../sync.js";
import { liveLocal } from "../live.js";
import { issueKinds, issueSources, issueStatuses, meetingKinds, label } from "../vocab.js";
import { navigate, query } from "../router.js";
import { photoPicker } from "../widgets/photos.js";

const PHONE = /^[0-9+\- ]*$/;

export async function issuesPage(main) {
  const search = h("input", { type: "search", placeholder: "搜索标题、描述、地址、居民、网格", "aria-label": "搜索问题" });
  const kind = select("kind", issueKinds, "", { empty: "全部类型" });
  const status = select("status", issueStatuses, "", { empty: "全部状态" });
  const list = h("div.list", { id: "issue-list" });
  const count = h("span.muted");
  const q = sessionStorage.getItem("yuetan.issueSearch") || "";
  search.value = q;

  async function draw() {
    const all = await store.all("issues");
    const text = search.value.trim().toLowerCase();
    sessionStorage.setItem("yuetan.issueSearch", search.value);
    const rows = all
      .filter((i) => !kind.value || i.kind === kind.value)
      .filter((i) => !status.value || (i.status || "open") === status.value)
      .filter((i) => !text || [i.title, i.description, i.address, i.resident_name, i.grid].some((v) => (v || "").toLowerCase().includes(text)))
      .sort((a, b) => String(b.collected_at || b.created || "").localeCompare(String(a.collected_at || a.created || "")));
    count.textContent = `共 ${rows.length} 条`;
    mount(list, rows.length ? rows.map(issueItem) : empty(all.length ? "没有符合条件的问题。" : "还没有问题。点“登记问题”开始收集。"));
  }

  const updates = liveLocal(draw, ["issues"]);
  search.addEventListener("input", debounce(updates.now, 150));
  kind.addEventListener("change", updates.now);
  status.addEventListener("change", updates.now);
  mount(
    main,
    h("div.page-head", h("h1", "问题收集"), count, h("a.btn.primary", { href: "#/issues/new", id: "new-issue" }, "＋ 登记问题")),
    h("div.toolbar", search, kind, status),
    list,
  );
  await updates.now();
  return updates;
}

function issueItem(i) {
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
      i._local ? h("span.badge.pending", "待同步") : null,
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
  const fromMeeting = isNew ? query().get("meeting") || "" : "";
  const v = issue || { kind: "problem", source: fromMeeting ? "meeting" : "door_to_door", status: "open", meeting: fromMeeting };
  const meetings = (await store.all("meetings")).sort((a, b) => String(b.held_on).localeCompare(String(a.held_on)));
  const linked = !!v.application;

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
  status.disabled = linked || isNew;

  let location = v.location && (v.location.lat || v.location.lon) ? v.location : null;
  const locText = h("span.muted", location ? fmtLoc(location) : "未记录位置");
  const locBtn = h("button.btn", { type: "button", onclick: locate }, "记录当前位置");
  function locate() {
    if (!("geolocation" in navigator)) return toast("此设备不支持定位。", "error");
    locText.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(
      (p) => {
        location = { lat: +p.coords.latitude.toFixed(6), lon: +p.coords.longitude.toFixed(6) };
        locText.textContent = fmtLoc(location) + `（精度约 ${Math.round(p.coords.accuracy)} 米）`;
      },
      (err) => {
        locText.textContent = location ? fmtLoc(location) : "未记录位置";
        toast(err.code === 1 ? "未获得定位权限：可在浏览器设置中允许定位。" : "定位失败，请到开阔处重试。", "error");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  const row = isNew ? null : await store.getRow("issues", id);
  const queuedPhotos = row?.local?._localFiles?.photos || [];
  const picker = photoPicker({ collection: "issues", record: id, stored: v.photos || [], queued: queuedPhotos });

  const save = h("button.btn.primary", { type: "submit" }, isNew ? "保存" : "保存修改");
  const form = h(
    "form.card",
    { novalidate: true, id: "issue-form" },
    h("div.form-error", { hidden: true }),
    linked ? h("p.note", "这条问题已纳入约谈申请，状态随申请办理进度变化。", user.role === "community_staff" ? h("a", { href: `#/app/${v.application}` }, "查看所属申请") : null) : null,
    h("div.field", h("label", "类型"), kinds),
    field("标题", title),
    field("情况描述", description),
    h("div.form-grid", field("地址", address), field("网格", grid), field("反映人", resident), field("联系电话", phone, "仅本社区、街道和区专门工作小组可见"), field("来源", source), field("收集会议", meeting)),
    picker.el,
    h("div.field", h("label", "位置"), h("div.form-actions", locBtn, locText)),
    isNew ? null : field("状态", status),
    h("div.form-actions", save, h("a.btn", { href: "#/issues" }, "取消"), !isNew && v.status === "open" && !linked ? h("button.btn.danger", { type: "button", onclick: remove }, "删除") : null),
  );

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
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
    const errors = {};
    if (!data.title) errors.title = { message: "请填写标题。" };
    if (!PHONE.test(data.resident_phone)) errors.resident_phone = { message: "电话只能包含数字、空格、+ 和 -。" };
    if (Object.keys(errors).length) {
      return showFormError(form, { message: "请检查标红的内容。", fieldMessages: () => Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.message])) });
    }
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
        if (!Object.keys(changed).length && !files.length) return navigate("/issues");
        await mutate("issues", "update", id, changed, files.length ? { photos: files } : {});
      }
      toast(navigator.onLine ? "已保存，正在同步。" : "已保存在本机，联网后自动同步。", "ok");
      navigate("/issues");
    } catch (err) {
      showFormError(form, err);
    }
  });

  async function remove() {
    if (!(await confirmDialog("删除问题", `确定删除“${v.title}”吗？`, "删除"))) return;
    await mutate("issues", "delete", id);
    toast("已删除。", "ok");
    navigate("/issues");
  }

  mount(main, h("div.page-head", h("h1", isNew ? "登记问题" : "问题详情"), h("a", { href: "#/issues" }, "← 返回列表")), form);
  title.focus();
  return () => picker.cleanup();
}

const fmtLoc = (l) => `北纬 ${(+l.lat).toFixed(5)}°，东经 ${(+l.lon).toFixed(5)}°`;
