// Dev helper: node lib/shoot.js URL EMAIL HASH OUT.png [width height]
import { launch, tabletContext, signIn } from "./env.js";
const [url, email, hash, out, w, hgt] = process.argv.slice(2);
const browser = await launch();
const ctx = await tabletContext(browser, { viewport: { width: +(w || 1280), height: +(hgt || 800) } });
const page = await ctx.newPage();
page.on("console", (m) => console.log("console:", m.type(), m.text()));
page.on("pageerror", (e) => console.log("pageerror:", e.message));
if (email) await signIn(page, url, email);
await page.goto(url + "/" + hash);
// the router's readiness contract: the page has drawn its data
await page.waitForFunction(() => document.body.dataset.ready && document.body.dataset.ready !== "login", null, { timeout: 30000 });
await page.evaluate(() => document.fonts.ready);
console.log("ready:", await page.evaluate(() => document.body.dataset.ready));
await page.screenshot({ path: out, fullPage: true });
await browser.close();
