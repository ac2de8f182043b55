// Drives the real page in headless Chromium (Debian's, through playwright-core) against the
// real server, with Google and Anam's API mocked by tests/browser.rs and the real Anam SDK
// build. Anam's own servers are unreachable on purpose: the page must end in a readable error.
// Every page runs under the server's Content-Security-Policy; a violation fails the test.
// Environment: APP_URL, APP_URL_UNCONFIGURED, EXPECT_EMAIL, EXPECT_BOOKING, SESSION_TOKEN,
// SCREENSHOT_DIR, CHROMIUM.
import assert from "node:assert/strict";

import { env, launch, newContext, newPage, shot } from "./harness.mjs";

const app = env("APP_URL");

const browser = await launch();

try {
  // A phone-sized viewport: the page must work there. A German browser: Start names its language.
  const context = await newContext(browser, { viewport: { width: 390, height: 844 }, locale: "de-DE" });
  const page = await newPage(context);

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
    (title) => document.querySelector("#week-grid")?.textContent.includes(title),
    env("EXPECT_BOOKING"),
    { timeout: 10000 },
  );
  assert.equal(await page.evaluate(() => typeof window.anam?.createClient), "function", "the real SDK loaded");
  assert.ok(
    (await page.evaluate(() => document.querySelector("#week-grid .event")?.textContent)).includes(env("EXPECT_BOOKING")),
    "the booking is drawn as an event of the week",
  );
  assert.match(await page.locator("#status").textContent(), /Ready/);
  assert.equal(await page.locator("#mute").isVisible(), false);
  assert.equal(await page.locator("#end").isVisible(), false);
  await shot(page, "2-signed-in");

  // 3. Start: a session token is minted and handed to the SDK, which cannot reach Anam.
  const minted = page.waitForResponse((r) => r.url().startsWith(`${app}/api/session-token`));
  await page.click("#start");
  assert.equal((await minted).status(), 200);
  assert.equal((await minted).url(), `${app}/api/session-token?language=de`, "the browser's language sent with Start");
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

  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], "the SDK and the page live within the CSP");

  // Only what the phase calls for is on screen.
  assert.equal(await page.locator("#mute").isVisible(), false, "no Mute outside a live session");
  assert.equal(await page.locator("#end").isVisible(), false, "no End outside a session");

  // 4. Missing configuration, for a visitor (a fresh browser: cookies ignore ports).
  const fresh = await newContext(browser, { viewport: { width: 390, height: 844 } });
  const unconfigured = await fresh.newPage();
  await unconfigured.goto(`${env("APP_URL_UNCONFIGURED")}/`);
  await unconfigured.locator(".checklist").waitFor();
  assert.match(await unconfigured.locator(".checklist").textContent(), /ANAM_API_KEY/);
  await shot(unconfigured, "5-missing-configuration");
  console.log("browser test passed");
} finally {
  await browser.close();
}
