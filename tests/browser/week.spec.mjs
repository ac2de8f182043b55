// The week view in headless Chromium against the real server (tests/browser.rs runs it, with
// Google on wiremock and the real Anam SDK build). The user's calendar is in Asia/Tokyo, the
// browser in America/Los_Angeles: events must sit at Tokyo's hours. Prints "waiting for a push",
// "waiting for a decline" and "waiting for a late push" when the Rust side should change the
// calendar at the mock and send Google's notification.
// Environment: APP_URL, MONDAY, NEXT_MONDAY (this week's and next week's Mondays in Tokyo),
// SCREENSHOT_DIR, CHROMIUM.
import assert from "node:assert/strict";

import { env, launch, newContext, newPage, shot } from "./harness.mjs";

const app = env("APP_URL");
const addDays = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
const monday = env("MONDAY");
const nextMonday = env("NEXT_MONDAY");
const tokyoToday = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());

const browser = await launch();

/** Where an element is on screen. */
const box = (page, selector) =>
  page.locator(selector).first().evaluate((e) => {
    const r = e.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, width: r.width, height: r.height };
  });

/** The y a wall-clock time has on the day's timeline, from the hour labels the page drew. */
async function yOf(page, date, hours) {
  return page.evaluate(
    ({ date, hours }) => {
      const labels = [...document.querySelectorAll("#week-grid .hours .hour")].map((h) => Number(h.textContent.slice(0, 2)));
      const from = labels[0];
      const to = labels[labels.length - 1] + 1;
      const line = document.querySelector(`#week-grid .day[data-date="${date}"] .timeline`).getBoundingClientRect();
      return line.top + ((hours - from) / (to - from)) * line.height;
    },
    { date, hours },
  );
}

try {
  const context = await newContext(browser, {
    viewport: { width: 1280, height: 900 },
    timezoneId: "America/Los_Angeles",
    locale: "en-GB",
  });
  const page = await newPage(context);
  await page.route(/^https:\/\/([a-z0-9-]+\.)*anam\.ai\//, (route) => route.abort("internetdisconnected"));

  // Sign in (the cookie is Secure: the public URL is https; Chromium keeps it for 127.0.0.1).
  await page.goto(`${app}/`);
  await page.click("#sign-in");
  await page.waitForURL(`${app}/`);
  await page.locator('#week-grid .event[data-event-id="e1"]').waitFor({ timeout: 10000 });

  // 1. The week is Tokyo's, Monday to Sunday, today marked.
  const dates = await page.locator("#week-grid .day").evaluateAll((days) => days.map((d) => d.dataset.date));
  assert.deepEqual(dates, [0, 1, 2, 3, 4, 5, 6].map((n) => addDays(monday, n)));
  assert.equal(await page.locator("#week-grid .day.today").getAttribute("data-date"), tokyoToday);
  assert.equal(await page.locator("#week-grid .day.today").getAttribute("aria-current"), "date");
  assert.match(await page.locator("#week-status").textContent(), /Asia\/Tokyo/);

  // 2. Events at Tokyo's hours, not the browser's: 10:00-11:30 on Tuesday.
  const tuesday = addDays(monday, 1);
  const dentist = `#week-grid .day[data-date="${tuesday}"] .event[data-event-id="e1"]`;
  assert.match(await page.locator(dentist).textContent(), /10:00\s*–\s*11:30.*Dentist/);
  const placed = await box(page, dentist);
  const ten = await yOf(page, tuesday, 10);
  const half11 = await yOf(page, tuesday, 11.5);
  assert.ok(Math.abs(placed.top - ten) < 3, `starts at the 10:00 line: ${placed.top} vs ${ten}`);
  assert.ok(Math.abs(placed.bottom - half11) < 3, `ends at 11:30: ${placed.bottom} vs ${half11}`);
  assert.equal(await page.locator(`${dentist} a`).getAttribute("href"), "https://calendar.google.com/e1");

  // Overlapping events share Thursday's width; declines and agent-made events are marked.
  const thursday = addDays(monday, 3);
  const review = await box(page, `.day[data-date="${thursday}"] .event[data-event-id="e2"]`);
  const focus = await box(page, `.day[data-date="${thursday}"] .event[data-event-id="e3"]`);
  const column = await box(page, `.day[data-date="${thursday}"] .timeline`);
  assert.ok(review.width < column.width * 0.6 && focus.width < column.width * 0.6, `side by side: ${JSON.stringify({ review, focus, column })}`);
  assert.ok(focus.left > review.left, "in two columns");
  assert.match(await page.locator(".event[data-event-id='e2']").textContent(), /Declined: sam@example\.com/);
  assert.ok(await page.locator(".event[data-event-id='e2'] .tag.bad").isVisible(), "a decline is visible");
  assert.equal(await page.locator(".event[data-event-id='e3']").getAttribute("class"), "event agent can-change");
  assert.match(await page.locator(".event[data-event-id='e3']").textContent(), /Added by Alex/);
  assert.match(
    await page.locator(`.day[data-date="${addDays(monday, 4)}"] .all-day`).textContent(),
    /Offsite/,
    "an all-day event sits above the hours",
  );
  await shot(page, "6-week-1280");

  // 3. What the avatar talks about: find_free_time's slots, through the real SDK client.
  await page.evaluate(() => {
    const real = window.anam.createClient;
    window.__contexts = [];
    window.anam.createClient = (...args) => {
      const client = real(...args);
      // A stubbed live session: no media, and what the page tells the persona is recorded.
      client.streamToVideoElement = async () => {};
      client.addContext = (text) => window.__contexts.push(text);
      return (window.__anamClient = client);
    };
  });
  await page.click("#start");
  await page.waitForFunction(() => window.__anamClient, null, { timeout: 10000 });
  await page.evaluate(() => window.__anamClient.publicEventEmitter.emit(window.anam.AnamEvent.SESSION_READY));
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("Live"), null, { timeout: 5000 });
  const nextTuesday = addDays(nextMonday, 1);
  await page.evaluate((day) => {
    const client = window.__anamClient;
    const slots = [
      { start: `${day}T09:00:00+09:00`, end: `${day}T10:00:00+09:00` },
      { start: `${day}T13:00:00+09:00`, end: `${day}T14:30:00+09:00` },
    ];
    // The SDK's own conversion of the data-channel message, then its public event.
    const payload = client.toolCallManager.webRTCToolCallCompletedEventToToolCallCompletedPayload({
      event_uid: "ev-1", session_id: "session-1", tool_call_id: "call-1", tool_name: "find_free_time",
      tool_type: "server", tool_subtype: "webhook", timestamp: new Date().toISOString(),
      result: JSON.stringify({ slots, timezone: "Asia/Tokyo" }),
    });
    client.publicEventEmitter.emit(window.anam.AnamEvent.TOOL_CALL_COMPLETED, payload);
  }, nextTuesday);
  const slots = `#week-grid .day[data-date="${nextTuesday}"] .slot`;
  await page.locator(slots).first().waitFor({ timeout: 10000 });
  assert.equal(await page.locator(slots).count(), 2, "both slots, on next week's Tuesday: the view jumped");
  assert.match(await page.locator(slots).first().textContent(), /\b9:00\s*–\s*10:00.*Free/);
  const slot = await box(page, slots);
  assert.ok(Math.abs(slot.top - (await yOf(page, nextTuesday, 9))) < 3, "at 09:00 Tokyo");
  assert.match(await page.locator("#week-status").textContent(), /2 free slots are highlighted/);
  await shot(page, "7-free-slots-1280");

  // A change read back: where the event is now and where it would go, drawn on the grid.
  await page.evaluate(([from, to]) => {
    const client = window.__anamClient;
    const payload = client.toolCallManager.webRTCToolCallCompletedEventToToolCallCompletedPayload({
      event_uid: "ev-2", session_id: "session-1", tool_call_id: "call-2", tool_name: "propose_change",
      tool_type: "server", tool_subtype: "webhook", timestamp: new Date().toISOString(),
      result: JSON.stringify({ change_id: "K7M4QX", action: "move", title: "Design review", scope: "this",
        from: { start: `${from}T14:00:00+09:00`, end: `${from}T15:00:00+09:00` },
        to: { start: `${to}T16:00:00+09:00`, end: `${to}T17:00:00+09:00` },
        timezone: "Asia/Tokyo", guests: ["sam@example.com"], conflicts: [], expires_in_minutes: 15 }),
    });
    client.publicEventEmitter.emit(window.anam.AnamEvent.TOOL_CALL_COMPLETED, payload);
  }, [addDays(nextMonday, 3), addDays(nextMonday, 4)]);
  const moveTo = `#week-grid .day[data-date="${addDays(nextMonday, 4)}"] .slot.proposed`;
  await page.locator(moveTo).first().waitFor({ timeout: 10000 });
  assert.match(await page.locator(moveTo).textContent(), /16:00\s*–\s*17:00.*Moving to: Design review/);
  const moveFrom = `#week-grid .day[data-date="${addDays(nextMonday, 3)}"] .slot.proposed`;
  assert.match(await page.locator(moveFrom).textContent(), /14:00\s*–\s*15:00.*Now: Design review/);
  assert.match(await page.locator("#week-status").textContent(), /read back is drawn/);
  // Named in full: the box is not cut at its edge (an hour is 3rem tall at 1280 px).
  const whole = await page.locator(moveTo).first().evaluate((li) => {
    li.scrollIntoView({ block: "center" });
    const box = li.querySelector(".box");
    const title = li.querySelector(".title").getBoundingClientRect();
    const edge = box.getBoundingClientRect();
    return {
      fits: box.scrollHeight <= box.clientHeight + 1 && box.scrollWidth <= box.clientWidth + 1,
      inside: title.bottom <= edge.bottom + 1 && title.right <= edge.right + 1,
      visible: document.elementFromPoint(title.left + 2, title.bottom - 2)?.closest("li") === li,
    };
  });
  assert.ok(whole.fits && whole.inside && whole.visible, `"Moving to: Design review" in full: ${JSON.stringify(whole)}`);
  await shot(page, "7b-change-read-back-1280");

  // A change to this and the following occurrences of a series: every one it moves in the
  // week shown is drawn, not only the one named.
  await page.evaluate((tuesday) => {
    const client = window.__anamClient;
    const payload = client.toolCallManager.webRTCToolCallCompletedEventToToolCallCompletedPayload({
      event_uid: "ev-3", session_id: "session-1", tool_call_id: "call-3", tool_name: "propose_change",
      tool_type: "server", tool_subtype: "webhook", timestamp: new Date().toISOString(),
      result: JSON.stringify({ change_id: "Q7M4QX", action: "move", title: "Design sync", scope: "following",
        series_id: "ds", from: { start: `${tuesday}T11:00:00+09:00`, end: `${tuesday}T12:00:00+09:00` },
        to: { start: `${tuesday}T13:00:00+09:00`, end: `${tuesday}T14:00:00+09:00` },
        timezone: "Asia/Tokyo", guests: [], conflicts: [], expires_in_minutes: 15 }),
    });
    client.publicEventEmitter.emit(window.anam.AnamEvent.TOOL_CALL_COMPLETED, payload);
  }, addDays(nextMonday, 1));
  for (const n of [1, 3, 4]) {
    const day = `#week-grid .day[data-date="${addDays(nextMonday, n)}"] .slot.proposed`;
    await page.locator(day).first().waitFor({ timeout: 10000 });
    const drawn = (await page.locator(day).allTextContents()).join(" | ");
    assert.match(drawn, /11:00\s*–\s*12:00.*Now: Design sync/, `day ${n}: ${drawn}`);
    assert.match(drawn, /13:00\s*–\s*14:00.*Moving to: Design sync/, `day ${n}: ${drawn}`);
  }
  assert.equal(
    await page.locator(`#week-grid .day[data-date="${addDays(nextMonday, 0)}"] .slot.proposed`).count(),
    0,
    "an occurrence before the one named stays as it is",
  );
  await shot(page, "7c-series-read-back-1280");

  // 4. Back to this week with the keyboard, then a change made in Google Calendar arrives by push.
  await page.focus("#week-today");
  await page.keyboard.press("Enter");
  await page.locator(`#week-grid .day[data-date="${monday}"]`).waitFor();
  await page.evaluate(() => (window.__sameDocument = true));
  console.log("waiting for a push");
  const wednesday = addDays(monday, 2);
  const board = `#week-grid .day[data-date="${wednesday}"] .event[data-event-id="e5"]`;
  await page.locator(board).waitFor({ timeout: 15000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "redrawn without a reload");
  assert.match(await page.locator(board).textContent(), /16:00\s*–\s*17:00.*Board call/);
  // Live, the avatar hears of it in one plain sentence: it did not make that change itself.
  await page.waitForFunction(() => window.__contexts.length > 0, null, { timeout: 5000 });
  assert.deepEqual(await page.evaluate(() => window.__contexts), [
    "“Board call” was added or changed in the user's calendar, not by you.",
  ]);

  // A guest's new decline on the user's meeting: a notice, and the grid names them.
  console.log("waiting for a decline");
  await page.locator("#week-notice:not([hidden])").waitFor({ timeout: 15000 });
  assert.equal((await page.locator("#week-notice").textContent()).trim(), "Kim declined “Planning”.");
  assert.ok(
    (await page.evaluate(() => window.__contexts)).includes("Kim declined “Planning”."),
    "the avatar hears of the decline too",
  );
  await page.click("#week-next");
  await page.waitForFunction(
    () => document.querySelector(".event[data-event-id='e6']")?.textContent.includes("kim@example.com"),
    null,
    { timeout: 10000 },
  );
  // Back to this week while a change is pushed: the re-read it starts, once this week has been
  // asked for, reads this week too, so the page never goes back to the week just left. This
  // week's answer is held until the next read of any week has been sent.
  let holding = true;
  await page.route(`**/api/events?week=${monday}`, async (route) => {
    if (holding) {
      holding = false;
      await page.waitForRequest((request) => request.url().includes("/api/events?week="), { timeout: 15000 });
    }
    await route.continue();
  });
  await page.click("#week-today");
  console.log("waiting for a late push");
  const late = `#week-grid .day[data-date="${addDays(monday, 4)}"] .event[data-event-id="e7"]`;
  await page.locator(late).waitFor({ timeout: 10000 });
  await page.unroute(`**/api/events?week=${monday}`);
  assert.equal(await page.locator(`#week-grid .day[data-date="${nextMonday}"]`).count(), 0, "not next week");
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "still no reload");

  // 5. A phone: the days stack, nothing overflows sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 390, `no sideways scrolling at 390 px (${overflow})`);
  const first = await box(page, `.day[data-date="${monday}"]`);
  const second = await box(page, `.day[data-date="${tuesday}"]`);
  assert.ok(second.top >= first.bottom, "Tuesday below Monday");
  assert.ok(await page.locator(dentist).isVisible());
  await shot(page, "8-week-390");

  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], "within the CSP");
  console.log("week view test passed");
} finally {
  await browser.close();
}
