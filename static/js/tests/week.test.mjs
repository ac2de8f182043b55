// Unit tests of the week view's logic: `node --test static/js/tests/`. Times are placed in the
// user's calendar zone whatever the machine's zone is (`TZ` is set to something else below).
import { test } from "node:test";
import assert from "node:assert/strict";

process.env.TZ = "America/Los_Angeles";

const {
  addDays,
  contextSentence,
  ownWritesOf,
  coversDay,
  declinedGuests,
  highlightOf,
  hourRange,
  lanes,
  mondayOf,
  piecesOf,
  position,
  seriesSlots,
  wallClock,
} = await import("../week.mjs");

const WEEK = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"];

test("weeks run Monday to Sunday, across months and years", () => {
  assert.equal(mondayOf("2026-11-26"), "2026-11-23");
  assert.equal(mondayOf("2026-11-23"), "2026-11-23");
  assert.equal(mondayOf("2026-11-29"), "2026-11-23", "a Sunday belongs to the week before");
  assert.equal(mondayOf("2027-01-01"), "2026-12-28");
  assert.equal(addDays("2026-12-28", 7), "2027-01-04");
  assert.equal(addDays("2026-03-01", -1), "2026-02-28");
});

test("a time is read on the user's clock, not the machine's", () => {
  assert.deepEqual(wallClock("2026-11-24T09:30:00+09:00", "Asia/Tokyo"), { date: "2026-11-24", minutes: 570 });
  // The same instant written in UTC lands at 09:30 in Tokyo too.
  assert.deepEqual(wallClock("2026-11-24T00:30:00Z", "Asia/Tokyo"), { date: "2026-11-24", minutes: 570 });
  // A tool answering in another zone: converted.
  assert.deepEqual(wallClock("2026-11-23T19:30:00-05:00", "Asia/Tokyo"), { date: "2026-11-24", minutes: 570 });
  assert.equal(wallClock("2026-11-24", "Asia/Tokyo"), null, "a date is not a time");
  assert.equal(wallClock("soon", "Asia/Tokyo"), null);
});

test("a span past midnight is cut into one piece per day", () => {
  const pieces = piecesOf("2026-11-24T22:00:00+09:00", "2026-11-25T01:30:00+09:00", "Asia/Tokyo", WEEK);
  assert.deepEqual(pieces, [
    { date: "2026-11-24", from: 1320, to: 1440 },
    { date: "2026-11-25", from: 0, to: 90 },
  ]);
  assert.deepEqual(piecesOf("2026-11-30T10:00:00+09:00", "2026-11-30T11:00:00+09:00", "Asia/Tokyo", WEEK), []);
});

test("all-day events cover their days, the last one included", () => {
  const trip = { start: "2026-11-25", end: "2026-11-27", allDay: true };
  assert.deepEqual(WEEK.filter((d) => coversDay(trip, d)), ["2026-11-25", "2026-11-26", "2026-11-27"]);
});

test("the grid shows working hours, widened to whole hours around what is there", () => {
  assert.deepEqual(hourRange([]), { from: 8, to: 18 });
  assert.deepEqual(hourRange([{ from: 7 * 60 + 30, to: 9 * 60 }, { from: 19 * 60, to: 19 * 60 + 10 }]), {
    from: 7,
    to: 20,
  });
  assert.deepEqual(hourRange([{ from: 0, to: 1440 }]), { from: 0, to: 24 });
});

test("overlapping events share the width; the others keep all of it", () => {
  const placed = lanes([
    { id: "c", from: 600, to: 660 },
    { id: "a", from: 540, to: 630 },
    { id: "b", from: 545, to: 600 },
    { id: "d", from: 720, to: 780 },
  ]);
  const by = Object.fromEntries(placed.map((p) => [p.id, [p.lane, p.lanes]]));
  assert.deepEqual(by, { a: [0, 2], b: [1, 2], c: [1, 2], d: [0, 1] });
});

test("positions are shares of the shown hours", () => {
  assert.deepEqual(position({ from: 9 * 60, to: 10 * 60 }, { from: 8, to: 18 }), { top: 10, height: 10 });
  const tiny = position({ from: 9 * 60, to: 9 * 60 + 1 }, { from: 8, to: 18 });
  assert.ok(tiny.height >= 1.5, "a one-minute event stays visible");
});

test("declined guests are named", () => {
  assert.deepEqual(
    declinedGuests({
      attendees: [
        { email: "sam@example.com", response: "declined" },
        { email: "kim@example.com", response: "accepted" },
      ],
    }),
    ["sam@example.com"],
  );
  assert.deepEqual(declinedGuests({}), []);
});

test("a draft's proposed time is shown as a slot; other tools ask nothing of the grid", () => {
  const draft = highlightOf({
    toolName: "draft_meeting",
    result: '{"draft_id":"d1","title":"Kickoff","start":"2026-11-24T10:00:00+09:00","end":"2026-11-24T11:00:00+09:00"}',
  });
  assert.deepEqual(draft.slots, [
    { start: "2026-11-24T10:00:00+09:00", end: "2026-11-24T11:00:00+09:00", label: "Proposed: Kickoff" },
  ]);
  assert.equal(draft.refresh, false);
  assert.equal(highlightOf({ toolName: "get_contacts", result: "{}" }), null);
  assert.equal(highlightOf(undefined), null);
  const moved = highlightOf({ toolName: "apply_change", result: { eventId: "e9", start: "2026-12-01T09:00:00+09:00" } });
  assert.deepEqual(moved, { slots: [], eventIds: ["e9"], at: "2026-12-01T09:00:00+09:00", refresh: true });
});

test("a change read back is drawn from where it is to where it would go, nothing refreshed", () => {
  const moving = highlightOf({
    toolName: "propose_change",
    result: JSON.stringify({
      change_id: "K7M4QX", action: "move", title: "Weekly sync", scope: "this",
      from: { start: "2026-12-07T09:00:00+09:00", end: "2026-12-07T09:30:00+09:00" },
      to: { start: "2026-12-08T10:00:00+09:00", end: "2026-12-08T10:30:00+09:00" },
      timezone: "Asia/Tokyo", guests: [], conflicts: [], expires_in_minutes: 15,
    }),
  });
  assert.deepEqual(moving, {
    slots: [
      { start: "2026-12-07T09:00:00+09:00", end: "2026-12-07T09:30:00+09:00", label: "Now: Weekly sync" },
      { start: "2026-12-08T10:00:00+09:00", end: "2026-12-08T10:30:00+09:00", label: "Moving to: Weekly sync" },
    ],
    eventIds: [],
    at: "2026-12-08T10:00:00+09:00",
    refresh: false,
    series: null,
  });
  const cancelling = highlightOf({
    toolName: "propose_change",
    result: { action: "cancel", title: "Dentist", from: { start: "2026-12-07T09:00:00+09:00", end: "2026-12-07T10:00:00+09:00" } },
  });
  assert.deepEqual(cancelling.slots.map((s) => s.label), ["Cancelling: Dentist"]);
});

test("a change to a series draws every occurrence it moves in the week shown", () => {
  const week = [
    { id: "s1_a", seriesId: "s1", title: "Sync", start: "2026-12-07T09:00:00+09:00", end: "2026-12-07T09:30:00+09:00" },
    { id: "s1_b", seriesId: "s1", title: "Sync", start: "2026-12-09T09:00:00+09:00", end: "2026-12-09T09:30:00+09:00" },
    { id: "s1_c", seriesId: "s1", title: "Sync", start: "2026-12-11T09:00:00+09:00", end: "2026-12-11T09:30:00+09:00" },
    { id: "x", title: "Other", start: "2026-12-10T09:00:00+09:00", end: "2026-12-10T10:00:00+09:00" },
  ];
  const read = (scope, to) =>
    highlightOf({
      toolName: "propose_change",
      result: { action: to ? "move" : "cancel", title: "Sync", scope, series_id: "s1",
        from: { start: "2026-12-09T09:00:00+09:00", end: "2026-12-09T09:30:00+09:00" }, to },
    }).series;
  const later = { start: "2026-12-09T11:00:00+09:00", end: "2026-12-09T11:30:00+09:00" };
  // Following: the one named is drawn by its own slots; the later one moves two hours too.
  assert.deepEqual(seriesSlots(read("following", later), week), [
    { start: "2026-12-11T09:00:00+09:00", end: "2026-12-11T09:30:00+09:00", label: "Now: Sync" },
    { start: "2026-12-11T02:00:00.000Z", end: "2026-12-11T02:30:00.000Z", label: "Moving to: Sync" },
  ]);
  // All: the earlier one too; a cancel only marks them.
  assert.equal(seriesSlots(read("all", later), week).length, 4);
  assert.deepEqual(seriesSlots(read("all", null), week).map((s) => s.label), ["Cancelling: Sync", "Cancelling: Sync"]);
  // Just this one, or another series: nothing more.
  assert.equal(read("this", later), null);
  assert.deepEqual(seriesSlots({ ...read("all", later), id: "other" }, week), []);
});

test("only changes the avatar did not make become one plain sentence for it", () => {
  const own = ownWritesOf({ toolName: "apply_change", result: '{"eventId":"e1","title":"Weekly sync"}' });
  assert.deepEqual(own, [{ id: "e1", title: "Weekly sync" }]);
  assert.deepEqual(ownWritesOf({ toolName: "list_events", result: "{}" }), []);
  assert.equal(
    contextSentence("changed", { events: [{ id: "e5", title: "Board call" }] }, own),
    "“Board call” was added or changed in the user's calendar, not by you.",
  );
  assert.equal(
    contextSentence("changed", { events: [{ id: "e6", title: "Dentist", cancelled: true }] }, own),
    "“Dentist” was cancelled in the user's calendar, not by you.",
  );
  assert.equal(contextSentence("changed", { events: [{ id: "e1", title: "Weekly sync" }] }, own), null, "its own");
  assert.equal(
    contextSentence("changed", { events: [{ id: "s1", title: "Weekly sync" }] }, own),
    null,
    "a series it split is its own too, by title",
  );
  assert.equal(
    contextSentence("changed", { events: [{ id: "a", title: "A" }, { id: "b", title: "B" }, { id: "c", title: "C" }] }),
    "“A”, “B” and “C” changed in the user's calendar, not by you.",
  );
  assert.equal(contextSentence("changed", {}), null, "nothing named: nothing to say");
  assert.equal(contextSentence("declined", { guest: "Kim", title: "Design review" }), "Kim declined “Design review”.");
});
