// What both browser specs share: Debian's Chromium through playwright-core, contexts that
// record Content-Security-Policy violations and echo the page's console, and screenshots into
// SCREENSHOT_DIR.
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { chromium } from "playwright-core";

/** A required environment variable. */
export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Headless Chromium with a fake microphone and camera, granted without asking. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    ],
  });
}

/** A context whose pages collect CSP violations in `window.__cspViolations`. */
export async function newContext(browser, options) {
  const context = await browser.newContext(options);
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return context;
}

/** A page that echoes its console (first line of each message). */
export async function newPage(context) {
  const page = await context.newPage();
  page.on("console", (m) => console.log(`[page ${m.type()}] ${m.text().split("\n")[0]}`));
  return page;
}

/** A full-page screenshot named `name`. */
export async function shot(page, name) {
  const dir = env("SCREENSHOT_DIR");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  console.log(`screenshot ${name}.png`);
}
