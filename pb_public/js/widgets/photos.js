// Photos taken with the tablet's camera, shrunk on the device before they
// are queued (a 12-megapixel photo becomes ~300 KB), and thumbnails of
// stored photos (protected files: shown with a short-lived file token).

import { h, mount, toast } from "../ui.js";
import { getFileToken, fileUrl } from "../api.js";

export const MAX_SIDE = 1600;
export const QUALITY = 0.82;

/** Resizes an image file to at most MAX_SIDE pixels on its long side, as JPEG. */
export async function shrink(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    throw new Error(`无法读取照片“${file.name}”：请选择 JPG、PNG 或 WebP 图片。`);
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.drawImage(bitmap, 0, 0, w, h);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  if (!blob) throw new Error("照片压缩失败，请重试。");
  const name = (file.name || "photo").replace(/\.[^.]+$/, "") + ".jpg";
  return new File([blob], name, { type: "image/jpeg", lastModified: Date.now() });
}

/**
 * A photo picker: stored photos (names on the record), photos queued on
 * this tablet (Blobs) and new ones from the camera (added: ones kept in a
 * draft). max: total allowed; onChange runs when a photo is added or
 * removed. Returns {el, newFiles()}.
 */
export function photoPicker({ collection, record, stored = [], queued = [], added: kept = [], max = 6, onChange = () => {} }) {
  const added = [...kept];
  const box = h("div.photos");
  const input = h("input", { type: "file", accept: "image/*", capture: "environment", multiple: true, name: "photos", hidden: true });
  const status = h("span.muted.small");
  const button = h("button.btn", { type: "button", onclick: () => input.click() }, "拍照 / 选择照片");
  const urls = [];

  function draw() {
    urls.splice(0).forEach((u) => URL.revokeObjectURL(u));
    const tiles = [];
    for (const name of stored) tiles.push(storedThumb(collection, record, name));
    for (const b of queued) tiles.push(blobThumb(b, "待上传"));
    added.forEach((b, i) => {
      const t = blobThumb(b, "新照片");
      t.append(h("button.btn.remove", { type: "button", title: "移除这张照片", "aria-label": "移除这张照片", onclick: () => (added.splice(i, 1), draw(), onChange()) }, "×"));
      tiles.push(t);
    });
    mount(box, tiles.length ? tiles : h("span.muted.small", "还没有照片"));
    const total = stored.length + queued.length + added.length;
    button.disabled = total >= max;
    status.textContent = `${total}/${max} 张`;
  }

  function blobThumb(b, label) {
    const url = URL.createObjectURL(b);
    urls.push(url);
    return h("div.photo", h("img", { src: url, alt: label }));
  }

  input.addEventListener("change", async () => {
    const files = [...input.files];
    input.value = "";
    const room = max - (stored.length + queued.length + added.length);
    if (files.length > room) toast(`最多 ${max} 张照片，已取前 ${room} 张。`, "info");
    for (const [i, f] of files.slice(0, room).entries()) {
      status.textContent = `正在压缩照片 ${i + 1}/${Math.min(files.length, room)}…`;
      try {
        added.push(await shrink(f));
      } catch (e) {
        toast(e.message, "error");
      }
    }
    draw();
    onChange();
  });
  draw();
  const el = h("div.field", h("label", "照片"), box, h("div.form-actions", button, status), input);
  return { el, newFiles: () => [...added], cleanup: () => urls.forEach((u) => URL.revokeObjectURL(u)) };
}

/** A thumbnail of a stored protected file (placeholder while offline). */
export function storedThumb(collection, record, name) {
  const tile = h("div.photo", "照片");
  if (!navigator.onLine) {
    tile.textContent = "联网后显示";
    return tile;
  }
  getFileToken()
    .then((t) => {
      const img = h("img", { src: fileUrl(collection, record, name, { token: t, thumb: "320x240" }), alt: "照片", loading: "lazy" });
      img.onerror = () => (tile.textContent = "无法显示");
      mount(tile, h("a", { href: fileUrl(collection, record, name, { token: t }), target: "_blank", rel: "noopener" }, img));
    })
    .catch(() => (tile.textContent = "联网后显示"));
  return tile;
}
