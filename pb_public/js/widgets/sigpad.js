// A signature pad: the resident signs with a finger (or pen, or mouse) on
// the screen; the strokes become a PNG with a transparent background.

import { h } from "../ui.js";

export function signaturePad() {
  // name: the form's checks find the pad like any field (its error shows beside it)
  const canvas = h("canvas.sigpad", { "aria-label": "签名区：请用手指在此签名", name: "signature", tabindex: "0" });
  const ctx = canvas.getContext("2d");
  let drawing = false;
  let strokes = 0;
  let last = null;

  function fit() {
    const r = canvas.getBoundingClientRect();
    if (!r.width) return;
    const ratio = window.devicePixelRatio || 1;
    const w = Math.round(r.width * ratio);
    const hgt = Math.round(r.height * ratio);
    if (canvas.width === w && canvas.height === hgt) return;
    canvas.width = w;
    canvas.height = hgt;
    ctx.scale(ratio, ratio);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    strokes = 0;
  }
  const ro = new ResizeObserver(fit);
  ro.observe(canvas);

  const point = (e) => {
    const r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top, p: e.pressure || 0.5 };
  };
  canvas.addEventListener("pointerdown", (e) => {
    fit();
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    last = point(e);
    ctx.beginPath();
    ctx.arc(last.x, last.y, 1.2, 0, Math.PI * 2);
    ctx.fillStyle = "#111";
    ctx.fill();
    strokes++;
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    const p = point(e);
    ctx.lineWidth = 1.5 + 2.5 * (p.p || 0.5);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    // a stroke is input: the form takes away "please sign" at once
    canvas.dispatchEvent(new Event("input", { bubbles: true }));
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);

  const wipe = () => {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    strokes = 0;
  };
  const clear = h("button.btn.small", { type: "button", onclick: wipe }, "清除重签");
  const el = h("div.field", h("label", "居民签名"), canvas, h("div.form-actions", clear, h("span.hint", "请居民用手指在框内签名")));
  return {
    el,
    isEmpty: () => strokes === 0,
    clear: wipe,
    /** The signature as a PNG File, or null when nothing was drawn. */
    toFile: () =>
      strokes === 0
        ? Promise.resolve(null)
        : new Promise((resolve) => canvas.toBlob((b) => resolve(b ? new File([b], "signature.png", { type: "image/png" }) : null), "image/png")),
    destroy: () => ro.disconnect(),
  };
}
