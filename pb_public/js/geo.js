// Places and likenesses of issues, worked out on the tablet (offline, from
// its copy): how far apart two issues were recorded, whether two titles say
// the same thing, and which of the community's issues may be the one being
// recorded again (FixMyStreet suggests reports within 50 m).

/** Metres between two {lat, lon} points (haversine; plenty for a community). */
export function distance(a, b) {
  const R = 6371008.8;
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** Whether l is a recorded location (PocketBase stores "no location" as 0, 0). */
export const hasLocation = (l) => !!l && (Number(l.lat) !== 0 || Number(l.lon) !== 0);

/** "相距 35 米" / "相距 1.2 公里" */
export function fmtDistance(m) {
  if (m < 1000) return `${Math.round(m)} 米`;
  return `${(m / 1000).toFixed(m < 10000 ? 1 : 0)} 公里`;
}

/** A coordinate as people copy it into other tools: "29.86012, 121.57034" (latitude first). */
export const fmtCoord = (l) => `${(+l.lat).toFixed(5)}, ${(+l.lon).toFixed(5)}`;

// what two titles share counts only in what says something
const norm = (s) =>
  String(s || "")
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, "")
    .replace(/[的了和与及在有被]/g, "");

function bigrams(s) {
  const out = new Map();
  for (let i = 0; i < s.length - 1; i++) {
    const g = s.slice(i, i + 2);
    out.set(g, (out.get(g) || 0) + 1);
  }
  return out;
}

/** How alike two titles are, 0..1 (Dice coefficient of their character pairs). */
export function likeness(a, b) {
  const x = norm(a);
  const y = norm(b);
  if (!x || !y) return 0;
  if (x === y) return 1;
  if (x.length >= 4 && y.length >= 4 && (x.includes(y) || y.includes(x))) return 0.9;
  const bx = bigrams(x);
  const by = bigrams(y);
  let common = 0;
  for (const [g, n] of bx) common += Math.min(n, by.get(g) || 0);
  const total = Math.max(1, x.length - 1) + Math.max(1, y.length - 1);
  return (2 * common) / total;
}

export const NEAR_METRES = 50;
export const ALIKE = 0.6;

/**
 * The issues among others that may be the one being recorded: within
 * NEAR_METRES of its location or with a title at least ALIKE, nearest and
 * most alike first. Each comes with {issue, metres, alike}.
 */
export function possibleDuplicates(draft, others, { limit = 5 } = {}) {
  const out = [];
  for (const o of others) {
    if (!o || o.id === draft.id) continue;
    const metres = hasLocation(draft.location) && hasLocation(o.location) ? distance(draft.location, o.location) : null;
    const alike = draft.title && draft.title.trim().length >= 2 ? likeness(draft.title, o.title) : 0;
    if ((metres !== null && metres <= NEAR_METRES) || alike >= ALIKE) out.push({ issue: o, metres, alike });
  }
  out.sort((a, b) => b.alike - a.alike || (a.metres ?? 1e9) - (b.metres ?? 1e9));
  return out.slice(0, limit);
}
