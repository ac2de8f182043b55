// Several Google accounts in a real browser: Ada signs in with her personal account, adds her
// work account through "Add another Google account" (the mocked consent picks the work account
// when asked to let the user choose), and the page lists both while the week shows the events
// of both, each naming its account. Then the work account is made primary and removed.
// Environment: APP_URL, PERSONAL, WORK, PERSONAL_EVENT, WORK_EVENT, SCREENSHOT_DIR, CHROMIUM.
import assert from "node:assert/strict";

import { env, launch, newContext, newPage, shot } from "./harness.mjs";

const app = env("APP_URL");
const personal = env("PERSONAL");
const work = env("WORK");

const browser = await launch();

const listed = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("#accounts li")].map((li) => ({
      email: li.dataset.email,
      primary: li.textContent.includes("Primary"),
    })),
  );

try {
  const context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
  const page = await newPage(context);
  await page.goto(`${app}/`);
  await page.click("#sign-in");
  await page.waitForURL(`${app}/`);
  await page.waitForFunction(() => document.querySelectorAll("#accounts li").length === 1);
  assert.deepEqual(await listed(page), [{ email: personal, primary: true }]);
  await page.waitForFunction(
    (title) => document.querySelector("#week-grid")?.textContent.includes(title),
    env("PERSONAL_EVENT"),
    { timeout: 10000 },
  );

  // Add the work account: Google is asked to let the user choose, and picks the work one.
  await page.click("#add-account");
  await page.waitForURL(`${app}/?account_added=1`);
  await page.waitForFunction(() => document.querySelectorAll("#accounts li").length === 2);
  assert.deepEqual(await listed(page), [
    { email: personal, primary: true },
    { email: work, primary: false },
  ]);
  // The week shows both accounts' events, each named by its account.
  for (const [title, account] of [[env("PERSONAL_EVENT"), personal], [env("WORK_EVENT"), work]]) {
    await page.waitForFunction(
      ([t, a]) =>
        [...document.querySelectorAll("#week-grid .event")].some(
          (e) => e.textContent.includes(t) && e.textContent.includes(a),
        ),
      [title, account],
      { timeout: 10000 },
    );
  }
  await shot(page, "accounts-1-two-accounts");

  // Make the work account primary, then remove it.
  await page.locator(`#accounts li[data-email="${work}"] button`, { hasText: "Make primary" }).click();
  await page.waitForFunction(
    (w) => document.querySelector(`#accounts li[data-email="${w}"]`)?.textContent.includes("Primary"),
    work,
  );
  await page.locator(`#accounts li[data-email="${work}"] button`, { hasText: "Remove" }).click();
  await page.waitForFunction(() => document.querySelectorAll("#accounts li").length === 1);
  assert.deepEqual(await listed(page), [{ email: personal, primary: true }]);
  await page.waitForFunction(
    (title) => !document.querySelector("#week-grid")?.textContent.includes(title),
    env("WORK_EVENT"),
    { timeout: 10000 },
  );
  await shot(page, "accounts-2-removed");
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], "within the CSP");
  console.log("accounts browser test passed");
} finally {
  await browser.close();
}
