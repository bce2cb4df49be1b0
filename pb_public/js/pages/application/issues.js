// The collected issues the application is made of, with their photos and
// where they were recorded: a plain schematic of the linked issues and the
// community's other issues around them, with distances and a coordinate to
// copy. No map tiles: a government intranet reaches none, so nothing here
// depends on them.

import { h, fmtDate, toast } from "../../ui.js";
import { label, issueKinds, issueStatuses } from "../../vocab.js";
import { orgName } from "../../directory.js";
import { storedThumb } from "../../widgets/photos.js";
import { distance, fmtDistance, fmtCoord, hasLocation } from "../../geo.js";

/** How far around the linked issues the community's other issues are drawn. */
const AROUND_METRES = 500;

/** The 关联问题 card. */
export function issuesCard({ story, dir }) {
  if (!story.issues.length) return null;
  const titles = new Map([...story.issues, ...(story.neighbours || [])].map((i) => [i.id, i.title]));
  return h(
    "section.card",
    { id: "issues" },
    h("h2", `关联问题（${story.issues.length}）`),
    h(
      "div.list",
      story.issues.map((i) =>
        h(
          "div",
          { dataset: { id: i.id } },
          h(
            "div.item-title",
            i.title,
            " ",
            h("span.badge", label(issueKinds, i.kind)),
            i.duplicate_of ? h("span.badge.dup", { title: "随原问题办理" }, `重复（同“${titles.get(i.duplicate_of) || "原问题"}”）`) : null,
          ),
          h("div.item-meta", [i.address, i.resident_name, fmtDate(i.collected_at)].filter(Boolean).map((x) => h("span", x))),
          i.description ? h("p.small", i.description) : null,
          (i.photos || []).length ? h("div.photos", i.photos.map((p) => storedThumb("issues", i.id, p))) : null,
        ),
      ),
    ),
    placesOf(story, dir),
  );
}

/** The schematic and the list of places, or a line saying none was recorded. */
function placesOf(story, dir) {
  const placed = story.issues.filter((i) => hasLocation(i.location));
  const community = orgName(dir, story.app.community);
  if (!placed.length) return h("p.muted.small.geo", { id: "geo" }, "关联问题都没有记录位置。");
  const linked = new Set(story.issues.map((i) => i.id));
  const near = (story.neighbours || []).filter(
    (o) => !linked.has(o.id) && hasLocation(o.location) && placed.some((p) => distance(p.location, o.location) <= AROUND_METRES),
  );
  return h(
    "div.geo",
    { id: "geo" },
    h("h3", "位置示意"),
    schematic(placed, near, community),
    h(
      "ol.geo-list",
      placed.map((p, n) => {
        const coord = fmtCoord(p.location);
        const others = placed.filter((q) => q !== p).map((q) => `距“${q.title}” ${fmtDistance(distance(p.location, q.location))}`);
        const around = near.map((o) => distance(p.location, o.location)).sort((a, b) => a - b);
        return h(
          "li",
          { dataset: { id: p.id } },
          h("strong", `${n + 1}. ${p.title}`),
          h("span.coord", { title: "纬度, 经度（WGS-84）" }, coord),
          h("button.btn.small", { type: "button", dataset: { copy: coord }, onclick: () => copy(coord) }, "复制坐标"),
          others.length ? h("span.muted.small", others.join("；")) : null,
          around.length ? h("span.muted.small", `周边 ${AROUND_METRES} 米内本社区其他问题 ${around.length} 条，最近 ${fmtDistance(around[0])}`) : null,
        );
      }),
    ),
    h("p.muted.small", `示意图按记录的坐标绘制（${community}），不含地图底图；坐标可复制到其他地图工具中查看。`),
  );
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast(`已复制坐标 ${text}`, "ok");
  } catch {
    // no clipboard (an older browser, no permission): select it to copy by hand
    const span = [...document.querySelectorAll("#geo .coord")].find((s) => s.textContent === text);
    if (span) {
      const r = document.createRange();
      r.selectNodeContents(span);
      getSelection().removeAllRanges();
      getSelection().addRange(r);
    }
    toast("已选中坐标，请长按或按 Ctrl+C 复制。", "info");
  }
}

const SVG = "http://www.w3.org/2000/svg";
const s = (tag, attrs = {}, text) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
};

/** A plain drawing: the linked issues numbered in red, the community's others in grey, north up, a scale bar. */
function schematic(placed, near, community) {
  const W = 520;
  const H = 300;
  // the drawing keeps clear of the name and north arrow (top) and the scale bar (bottom)
  const padX = 40;
  const top = 44;
  const bottom = 52;
  const cy = top + (H - top - bottom) / 2;
  // the drawing is about the linked issues: it spans them (at least 120 m
  // across); the community's other issues show where they fall inside
  const lat0 = placed.reduce((a, i) => a + +i.location.lat, 0) / placed.length;
  const lon0 = placed.reduce((a, i) => a + +i.location.lon, 0) / placed.length;
  const kx = 111320 * Math.cos((lat0 * Math.PI) / 180);
  const ky = 110540;
  const xy = (l) => ({ x: (l.lon - lon0) * kx, y: (l.lat - lat0) * ky });
  const pts = placed.map((i) => xy(i.location));
  const span = 1.25 * Math.max(120, ...pts.map((p) => Math.abs(p.x) * 2), ...pts.map((p) => Math.abs(p.y) * 2 * ((W - 2 * padX) / (H - top - bottom))));
  const scale = (W - 2 * padX) / span; // px per metre
  const px = (l) => {
    const p = xy(l);
    return { x: W / 2 + p.x * scale, y: cy - p.y * scale };
  };
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `${community}关联问题位置示意图` });
  svg.append(s("rect", { x: 1, y: 1, width: W - 2, height: H - 2, fill: "#fbfaf8", stroke: "#e3ded8" }));
  svg.append(s("text", { x: 12, y: 22, "font-size": 14, fill: "#5f5b57" }, community));
  // north arrow
  svg.append(s("path", { d: `M${W - 24} 34 L${W - 30} 48 L${W - 24} 44 L${W - 18} 48 Z`, fill: "#5f5b57" }));
  svg.append(s("text", { x: W - 24, y: 26, "font-size": 12, "text-anchor": "middle", fill: "#5f5b57" }, "北"));
  // scale bar: a round length about a fifth of the width
  const nice = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000].find((m) => m * scale >= (W - 2 * padX) / 5) || 5000;
  const bar = nice * scale;
  svg.append(s("path", { d: `M14 ${H - 18} v-6 M14 ${H - 21} h${bar} M${14 + bar} ${H - 18} v-6`, stroke: "#5f5b57", "stroke-width": 2, fill: "none" }));
  svg.append(s("text", { x: 14 + bar / 2, y: H - 28, "font-size": 12, "text-anchor": "middle", fill: "#5f5b57" }, fmtDistance(nice)));
  for (const o of near) {
    const p = px(o.location);
    if (p.x < 8 || p.x > W - 8 || p.y < top - 10 || p.y > H - bottom + 10) continue; // beyond the drawing
    const dot = s("circle", { cx: p.x, cy: p.y, r: 5, fill: "#9e9891", "data-id": o.id });
    dot.append(s("title", {}, `${o.title}（${label(issueStatuses, o.status || "open")}）`));
    svg.append(dot);
  }
  placed.forEach((i, n) => {
    const p = px(i.location);
    const g = s("g", { "data-id": i.id });
    g.append(s("circle", { cx: p.x, cy: p.y, r: 11, fill: "#b3261e", stroke: "#fff", "stroke-width": 2 }));
    g.append(s("text", { x: p.x, y: p.y + 4.5, "font-size": 12, "font-weight": 700, "text-anchor": "middle", fill: "#fff" }, String(n + 1)));
    const right = p.x < W - 160;
    g.append(s("text", { x: p.x + (right ? 16 : -16), y: p.y + 4, "font-size": 13, "text-anchor": right ? "start" : "end", fill: "#1f1f1f" }, i.title.length > 12 ? i.title.slice(0, 12) + "…" : i.title));
    svg.append(g);
  });
  return svg;
}
