// Console: the figures from GET /api/stats — collection work, applications
// by street and by stage, on-time rates per deadline, satisfaction — with
// the server's definitions as the footnote, the ledger (台账, Excel) of the
// chosen dates and, when the figures are the district's, the monthly
// supervision bulletin (PDF): a link the user may not open is not offered.

import { get, qs, errorMessage } from "../api.js";
import { printLink } from "../widgets/print.js";
import { h, mount, todayYMD, field, busy } from "../ui.js";
import { statusLabel, wf, deadlineLabels } from "../vocab.js";


export function bars(rows, { max, colour = "", fmt = (v) => String(v) } = {}) {
  const top = max ?? Math.max(1, ...rows.map((r) => r.value));
  return h(
    "div.bars",
    rows.map((r) =>
      h(
        "div.bar-row",
        { title: `${r.label}：${fmt(r.value)}` },
        h("span", r.label),
        h("span.bar-track", h(`span.bar-fill${r.colour || colour ? "." + (r.colour || colour) : ""}`, { style: { width: `${Math.round((100 * r.value) / top)}%`, display: "block" } })),
        h("span.v", fmt(r.value)),
      ),
    ),
  );
}

const pct = (x) => `${Math.round(x * 100)}%`;

export async function figuresPage(main) {
  const year = todayYMD().slice(0, 4);
  const from = h("input", { type: "date", name: "from", value: `${year}-01-01` });
  const to = h("input", { type: "date", name: "to", value: todayYMD() });
  const month = h("input", { type: "month", name: "month", value: todayYMD().slice(0, 7) });
  const body = h("div", { id: "figures" });
  const go = h("button.btn.primary", { type: "submit" }, "统计");
  const bulletin = printLink("", "月度督查通报（PDF）", { id: "bulletin-link" });
  const setBulletin = () => bulletin.setAttribute("href", `/api/forms/bulletin${qs({ month: month.value })}`);
  month.addEventListener("change", setBulletin);
  setBulletin();
  // the ledger of the dates chosen, as the user may list it
  const ledger = printLink("", "导出台账（Excel）", { id: "ledger-link" });
  const setLedger = () => ledger.setAttribute("href", `/api/export/ledger${qs({ from: from.value, to: to.value })}`);
  from.addEventListener("change", setLedger);
  to.addEventListener("change", setLedger);
  setLedger();
  // the bulletin is the district's: offered only with the district's figures
  const monthly = h("span.toolbar", { id: "bulletin-tools", hidden: true }, field("通报月份", month), bulletin);
  const form = h("form.toolbar", field("开始日期", from), field("结束日期", to), go, ledger, h("span", { style: { flex: 1 } }), monthly);

  async function load() {
    let f;
    try {
      f = await get("/api/stats" + qs({ from: from.value, to: to.value }));
    } catch (e) {
      mount(body, h("div.page-error", { role: "alert" }, errorMessage(e)));
      return;
    }
    monthly.hidden = !f.district;
    draw(f);
  }

  function draw(f) {
    const kpi = (n, l, id) => h("div.kpi", { dataset: { kpi: id } }, h("div.n", String(n)), h("div.l", l));
    const stages = wf.statuses.filter((s) => f.in_progress?.[s.value]).map((s) => ({ label: s.label.replace(/（.*）/, ""), value: f.in_progress[s.value] }));
    const onTime = Object.entries(f.on_time || {}).map(([k, r]) => ({ label: deadlineLabels[k] || k, value: r.rate, done: r.done, ok: r.on_time }));
    const streetsRows = (f.by_street || []).map((g) => ({ label: g.name, value: g.applications }));
    const sat = f.satisfaction || {};
    mount(
      body,
      h(
        "div.kpis",
        kpi(f.meetings, "恳谈会议（场）", "meetings"),
        kpi(f.problems, "收集问题（条）", "problems"),
        kpi(f.suggestions, "意见建议（条）", "suggestions"),
        kpi(f.applications, "收到申请（件）", "applications"),
        kpi(f.accepted?.total ?? 0, `受理（四套班子 ${f.accepted?.four_teams ?? 0} · 区管正职 ${f.accepted?.district_chief ?? 0}）`, "accepted"),
        kpi(f.resolved?.total ?? 0, "办结（件）", "resolved"),
        kpi(f.closed, "销号（件）", "closed"),
        kpi(f.overdue_now, "当前超期（项）", "overdue"),
        kpi(sat.replied ? pct(sat.rate) : "—", `满意率（${(sat.satisfied || 0) + (sat.basically_satisfied || 0)}/${sat.replied || 0} 件）`, "satisfaction"),
        kpi(f.dissatisfied_open ?? 0, "不满意待重办（件）", "dissatisfied"),
        kpi(
          (f.extensions?.pending ?? 0) + (f.extensions?.approved ?? 0) + (f.extensions?.refused ?? 0),
          `延期申请（同意 ${f.extensions?.approved ?? 0} · 不同意 ${f.extensions?.refused ?? 0} · 待批 ${f.extensions?.pending ?? 0}）`,
          "extensions",
        ),
      ),
      h(
        "div.charts",
        h("section.card", h("h2", "各街道申请数"), streetsRows.length ? bars(streetsRows) : h("p.muted", "暂无数据")),
        h("section.card", { id: "in-progress" }, h("h2", "各环节在办数量（截至现在）"), stages.length ? bars(stages, { colour: "grey" }) : h("p.muted", "暂无数据")),
        h(
          "section.card",
          h("h2", "各环节按期率"),
          onTime.length
            ? bars(
                onTime.map((r) => ({ ...r, label: `${r.label}（${r.ok}/${r.done}件）`, colour: r.value >= 0.9 ? "green" : r.value >= 0.7 ? "amber" : "" })),
                { max: 1, fmt: pct },
              )
            : h("p.muted", "暂无已办结的环节"),
        ),
        h(
          "section.card",
          h("h2", "约谈主体满意度"),
          bars(
            [
              { label: "满意", value: sat.satisfied || 0, colour: "green" },
              { label: "基本满意", value: sat.basically_satisfied || 0, colour: "amber" },
              { label: "不满意", value: sat.dissatisfied || 0 },
            ],
            {},
          ),
        ),
        h(
          "section.card",
          h("h2", "办理方式"),
          bars(
            [
              { label: "街道层面解决", value: f.resolved?.street || 0, colour: "green" },
              { label: "现场解决", value: f.resolved?.on_spot || 0, colour: "green" },
              { label: "交办解决", value: f.resolved?.assigned || 0, colour: "amber" },
              { label: "不予受理", value: f.declined || 0, colour: "grey" },
            ],
            {},
          ),
        ),
        (f.by_street || []).length
          ? h(
              "section.card",
              h("h2", "分街道情况"),
              h(
                "div.scroll-x",
                h(
                  "table.grid",
                  h("thead", h("tr", ["街道", "申请", "受理", "解决", "超期", "按期率"].map((x) => h("th", x)))),
                  h(
                    "tbody",
                    f.by_street.map((g) =>
                      h("tr", h("td", g.name), h("td", String(g.applications)), h("td", String(g.accepted)), h("td", String(g.resolved)), h("td", String(g.overdue)), h("td", g.on_time?.done ? `${pct(g.on_time.rate)}（${g.on_time.on_time}/${g.on_time.done}）` : "—")),
                    ),
                  ),
                ),
              ),
            )
          : null,
      ),
      ranking(f.ranking),
      definitions(f.definitions),
    );
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    busy(go, load, "统计中…");
  });
  mount(main, h("div.page-head", h("h1", "统计")), h("div.card", form), body);
  await load();
}

const rateCell = (r) => (r?.done ? `${pct(r.rate)}（${r.on_time}/${r.done}）` : "—");

/** The 三率 (response, resolution, satisfaction) and ranking per handling unit, leader and street, each rate with its counts. */
function ranking(rows) {
  if (!rows?.length) return null;
  const kinds = [["unit", "承办单位"], ["leader", "领导"], ["street", "街道"]];
  return h(
    "section.card",
    { id: "ranking" },
    h("h2", "三率及排名"),
    kinds
      .filter(([k]) => rows.some((r) => r.kind === k))
      .map(([k, label]) =>
        h(
          "div.scroll-x",
          h(
            "table.grid",
            { dataset: { kind: k } },
            h("thead", h("tr", ["名次", label, "响应率", "解决率", "满意率"].map((x) => h("th", x)))),
            h(
              "tbody",
              rows
                .filter((r) => r.kind === k)
                .map((r) => h("tr", h("td", String(r.rank)), h("td", r.name || "—"), h("td", rateCell(r.response)), h("td", rateCell(r.resolution)), h("td", rateCell(r.satisfaction)))),
            ),
          ),
        ),
      ),
  );
}

/** The server's definitions of the figures (stats.Definitions), as the page's footnote. */
function definitions(defs) {
  if (!defs?.length) return null;
  return h(
    "section.card.small",
    { id: "definitions" },
    h("h2", "统计口径"),
    h("dl.definitions", defs.flatMap((d) => [h("dt", d.term), h("dd.muted", d.text)])),
  );
}

export { statusLabel };
