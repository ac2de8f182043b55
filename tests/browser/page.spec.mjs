// Drives the real page in headless Chromium (Debian's, through playwright-core) against the
// real server, with Google and Anam's API mocked by tests/browser.rs and the real Anam SDK
// build. Anam's own servers are unreachable on purpose: the page must end in a readable error.
// Environment: APP_URL, APP_URL_UNCONFIGURED, EXPECT_EMAIL, EXPECT_BOOKING, SESSION_TOKEN,
// SCREENSHOT_DIR, CHROMIUM.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const app = env("APP_URL");
const shots = env("SCREENSHOT_DIR");
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
  ],
});

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  console.log(`screenshot ${name}.png`);
}

try {
  // A phone-sized viewport: the page must work there.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  page.on("console", (m) => console.log(`[page ${m.type()}] ${m.text()}`));

  // Anam's real servers: record what the SDK sends, then fail as an unreachable network would.
  const anamCalls = [];
  await page.route(/^https:\/\/([a-z0-9-]+\.)*anam\.ai\//, async (route) => {
    const request = route.request();
    anamCalls.push({ url: request.url(), authorization: request.headers()["authorization"] || "" });
    await route.abort("internetdisconnected");
  });

  // 1. Signed out.
  await page.goto(`${app}/`);
  await page.locator("#sign-in").waitFor();
  assert.equal((await page.locator("#sign-in").textContent()).trim(), "Sign in with Google");
  assert.equal(await page.locator(".checklist").count(), 0, "nothing missing here");
  await shot(page, "1-signed-out");

  // 2. Sign in through the (mocked) Google consent, back to the page.
  await page.click("#sign-in");
  await page.waitForURL(`${app}/`);
  assert.equal((await page.locator("#email").textContent()).trim(), env("EXPECT_EMAIL"));
  await page.waitForFunction(
    (title) => document.querySelector("#bookings")?.textContent.includes(title),
    env("EXPECT_BOOKING"),
    { timeout: 10000 },
  );
  assert.equal(await page.evaluate(() => typeof window.anam?.createClient), "function", "the real SDK loaded");
  assert.match(await page.locator("#status").textContent(), /Ready/);
  assert.equal(await page.locator("#mute").isVisible(), false);
  assert.equal(await page.locator("#end").isVisible(), false);
  await shot(page, "2-signed-in");

  // 3. Start: a session token is minted and handed to the SDK, which cannot reach Anam.
  const minted = page.waitForResponse((r) => r.url() === `${app}/api/session-token`);
  await page.click("#start");
  assert.equal((await minted).status(), 200);
  await shot(page, "3-connecting");
  const started = Date.now();
  await page.waitForFunction(() => document.body.dataset.phase === "error", null, { timeout: 30000 });
  const status = (await page.locator("#status").textContent()).trim();
  console.log(`error state after ${Date.now() - started} ms: ${status}`);
  assert.match(status, /^Error: .{20,}/, "a readable reason");
  assert.ok(await page.locator("#start").isVisible(), "Start again is offered");
  await shot(page, "4-error");
  assert.ok(
    anamCalls.some((c) => c.authorization === `Bearer ${env("SESSION_TOKEN")}`),
    `the SDK used the minted token: ${JSON.stringify(anamCalls.map((c) => c.url))}`,
  );

  // Only what the phase calls for is on screen.
  assert.equal(await page.locator("#mute").isVisible(), false, "no Mute outside a live session");
  assert.equal(await page.locator("#end").isVisible(), false, "no End outside a session");

  // 4. Missing configuration, for a visitor (a fresh browser: cookies ignore ports).
  const fresh = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const unconfigured = await fresh.newPage();
  await unconfigured.goto(`${env("APP_URL_UNCONFIGURED")}/`);
  await unconfigured.locator(".checklist").waitFor();
  assert.match(await unconfigured.locator(".checklist").textContent(), /ANAM_API_KEY/);
  await shot(unconfigured, "5-missing-configuration");
  console.log("browser test passed");
} finally {
  await browser.close();
}
