// Links to PDFs and protected files. The printing link gets a short-lived
// file token when clicked (never the sign-in token in a URL that may stay
// in the browser's history), and opens in a new window for printing.

import { h, toast } from "../ui.js";
import { getFileToken, errorMessage } from "../api.js";

/** Opens url (a path under /api/) with a fresh file token in a new window. */
export async function openWithToken(url) {
  const w = window.open("about:blank", "_blank");
  try {
    const t = await getFileToken();
    const target = url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(t);
    if (w) w.location = target;
    else location.assign(target);
  } catch (e) {
    w?.close();
    toast(errorMessage(e), "error");
  }
}

/** A print link: href is the plain URL (for people who copy it); a click adds the token. */
export function printLink(url, text, attrs = {}) {
  const a = h("a.btn.small", { href: url, target: "_blank", rel: "noopener", ...attrs }, text);
  a.addEventListener("click", (e) => {
    e.preventDefault();
    openWithToken(a.getAttribute("href"));
  });
  return a;
}
