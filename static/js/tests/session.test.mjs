// Unit tests of the page logic with a fake Anam client: `node --test static/js/tests/`.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  Phase,
  initialState,
  latestOnly,
  reasonForClose,
  reasonForStartError,
  reasonForTokenFailure,
  languageCode,
  languageOf,
  reduce,
  sessionTokenPath,
  wireClient,
} from "../session.mjs";

// The SDK's event names (AnamEvent in @anam-ai/js-sdk 4.27.0).
const AnamEvent = {
  CONNECTION_ESTABLISHED: "CONNECTION_ESTABLISHED",
  SESSION_READY: "SESSION_READY",
  CONNECTION_CLOSED: "CONNECTION_CLOSED",
  MESSAGE_HISTORY_UPDATED: "MESSAGE_HISTORY_UPDATED",
  TOOL_CALL_STARTED: "TOOL_CALL_STARTED",
  TOOL_CALL_COMPLETED: "TOOL_CALL_COMPLETED",
  TOOL_CALL_FAILED: "TOOL_CALL_FAILED",
  MIC_PERMISSION_DENIED: "MIC_PERMISSION_DENIED",
};

class FakeClient {
  listeners = new Map();
  addListener(name, fn) {
    this.listeners.set(name, [...(this.listeners.get(name) || []), fn]);
  }
  emit(name, ...args) {
    for (const fn of this.listeners.get(name) || []) fn(...args);
  }
}

function live() {
  let state = reduce(initialState({ signedIn: true }), { type: "start" });
  const client = new FakeClient();
  const dispatch = (event) => {
    state = reduce(state, event);
  };
  wireClient(client, AnamEvent, dispatch);
  return { client, get: () => state };
}

test("the server-rendered situation picks the first phase", () => {
  assert.equal(initialState({ signedIn: false }).phase, Phase.SIGNED_OUT);
  assert.equal(initialState({ signedIn: true, configured: false }).phase, Phase.NEEDS_CONFIG);
  assert.equal(initialState({ signedIn: true }).phase, Phase.READY);
});

test("start, connect, end, start again", () => {
  const s = live();
  assert.equal(s.get().phase, Phase.CONNECTING);
  s.client.emit(AnamEvent.CONNECTION_ESTABLISHED);
  assert.equal(s.get().phase, Phase.LIVE);
  s.client.emit(AnamEvent.CONNECTION_CLOSED, "CONNECTION_CLOSED_CODE_NORMAL");
  assert.equal(s.get().phase, Phase.ENDED);
  assert.equal(reduce(s.get(), { type: "start" }).phase, Phase.CONNECTING);
});

test("start is ignored while signed out, unconfigured or already connecting", () => {
  for (const state of [initialState({ signedIn: false }), initialState({ signedIn: true, configured: false })]) {
    assert.equal(reduce(state, { type: "start" }), state);
  }
  const connecting = reduce(initialState({ signedIn: true }), { type: "start" });
  assert.equal(reduce(connecting, { type: "start" }), connecting);
});

test("an abnormal close is an error with a reason in words", () => {
  const s = live();
  s.client.emit(AnamEvent.CONNECTION_CLOSED, "CONNECTION_CLOSED_CODE_MICROPHONE_PERMISSION_DENIED");
  assert.equal(s.get().phase, Phase.ERROR);
  assert.match(s.get().error, /Microphone access was denied/);
  const t = live();
  t.client.emit(AnamEvent.CONNECTION_CLOSED, "CONNECTION_CLOSED_CODE_SIGNALLING_CLIENT_CONNECTION_FAILURE");
  assert.match(t.get().error, /connection to the avatar failed/);
  // A normal close after an error does not hide the error.
  t.client.emit(AnamEvent.CONNECTION_CLOSED, "CONNECTION_CLOSED_CODE_NORMAL");
  assert.equal(t.get().phase, Phase.ERROR);
});

test("the transcript follows MESSAGE_HISTORY_UPDATED", () => {
  const s = live();
  s.client.emit(AnamEvent.MESSAGE_HISTORY_UPDATED, [
    { id: "1", role: "user", content: "What's on tomorrow?" },
    { id: "2", role: "persona", content: "You have standup at nine." },
    { id: "3", role: "persona", content: "" },
  ]);
  assert.deepEqual(s.get().transcript, [
    { who: "You", text: "What's on tomorrow?" },
    { who: "Alex", text: "You have standup at nine." },
  ]);
});

test("the week is read again when a writing tool completes, and only then", () => {
  const s = live();
  const base = { toolType: "server", toolSubtype: "webhook", executionTime: 840 };
  s.client.emit(AnamEvent.TOOL_CALL_STARTED, { ...base, toolName: "block_time" });
  assert.equal(s.get().bookingsVersion, 0, "not when it starts");
  s.client.emit(AnamEvent.TOOL_CALL_COMPLETED, { ...base, toolName: "list_events", result: '{"events":[]}' });
  s.client.emit(AnamEvent.TOOL_CALL_COMPLETED, { ...base, toolName: "find_free_time", result: '{"slots":[]}' });
  s.client.emit(AnamEvent.TOOL_CALL_COMPLETED, { ...base, toolName: "get_contacts", result: "{}" });
  s.client.emit(AnamEvent.TOOL_CALL_FAILED, { ...base, toolName: "block_time", errorMessage: "502" });
  assert.equal(s.get().bookingsVersion, 0, "not for reads or failures");
  let version = 0;
  for (const toolName of ["block_time", "create_meeting", "apply_change", "respond_to_invite"]) {
    s.client.emit(AnamEvent.TOOL_CALL_COMPLETED, { ...base, toolName, result: '{"eventId":"e1"}' });
    version += 1;
    assert.equal(s.get().bookingsVersion, version, toolName);
    assert.deepEqual(s.get().highlight.eventIds, ["e1"], `${toolName}: the event it wrote is marked`);
  }
  // What the avatar wrote is remembered, so the page does not tell it of its own changes.
  assert.deepEqual(s.get().ownWrites.map((w) => w.id), ["e1", "e1", "e1", "e1"]);
});

test("free slots and listed events become the highlight, newest first", () => {
  const s = live();
  const slots = [
    { start: "2026-11-24T10:00:00+09:00", end: "2026-11-24T11:00:00+09:00" },
    { start: "2026-11-25T14:00:00+09:00", end: "2026-11-25T15:00:00+09:00" },
  ];
  s.client.emit(AnamEvent.TOOL_CALL_COMPLETED, {
    toolName: "find_free_time",
    result: JSON.stringify({ slots, timezone: "Asia/Tokyo" }),
  });
  const first = s.get().highlight;
  assert.deepEqual(first.slots.map((x) => x.start), slots.map((x) => x.start));
  assert.equal(first.at, slots[0].start, "the view jumps to the first slot's week");
  assert.equal(first.seq, 1);
  // The SDK may hand the result over parsed.
  s.client.emit(AnamEvent.TOOL_CALL_COMPLETED, {
    toolName: "list_events",
    result: { events: [{ id: "a" }, { id: "b" }, { title: "no id" }] },
  });
  assert.deepEqual(s.get().highlight.eventIds, ["a", "b"]);
  assert.deepEqual(s.get().highlight.slots, [], "a new highlight replaces the old");
  assert.equal(s.get().highlight.seq, 2);
  s.client.emit(AnamEvent.TOOL_CALL_COMPLETED, { toolName: "find_free_time", result: "not json" });
  assert.equal(s.get().highlight.seq, 2, "an unreadable result changes nothing");
});

test("tool activity names the tool, the time taken and a failure's message", () => {
  const s = live();
  s.client.emit(AnamEvent.TOOL_CALL_STARTED, { toolName: "find_free_time" });
  s.client.emit(AnamEvent.TOOL_CALL_COMPLETED, { toolName: "find_free_time", executionTime: 1234 });
  s.client.emit(AnamEvent.TOOL_CALL_FAILED, { toolName: "block_time", errorMessage: "Google Calendar did not answer" });
  assert.deepEqual(s.get().activity, [
    "Looking for free time…",
    "Looking for free time done (1.2 s)",
    "Adding a hold to your calendar failed: Google Calendar did not answer",
  ]);
});

test("a denied microphone is an error", () => {
  const s = live();
  s.client.emit(AnamEvent.MIC_PERMISSION_DENIED, "denied");
  assert.equal(s.get().phase, Phase.ERROR);
  assert.match(reasonForStartError({ name: "NotAllowedError", message: "Permission denied" }), /Microphone/);
  assert.match(reasonForStartError(new Error("Failed to fetch")), /Could not connect to the avatar: Failed to fetch/);
});

test("session-token failures read as sentences", () => {
  assert.match(reasonForTokenFailure(401, { error: "not_signed_in" }), /not signed in/);
  assert.match(reasonForTokenFailure(401, { error: "not_connected" }), /not connected/);
  assert.match(reasonForTokenFailure(429, { error: "rate_limited", message: "Too many requests right now. Try again in 12 seconds." }), /12 seconds/);
  const refused = reasonForTokenFailure(400, {
    error: "session-token request failed",
    message: "Anam refused the session. Check that ANAM_AVATAR_ID...",
    detail: "Avatar not found",
  });
  assert.match(refused, /ANAM_AVATAR_ID/);
  assert.match(refused, /Anam said: Avatar not found/);
  assert.match(reasonForTokenFailure(500, {}), /error 500/);
  assert.equal(reasonForClose("CONNECTION_CLOSED_CODE_NORMAL"), null);
});

test("an earlier Start's timer cannot fail a later Start", () => {
  let state = reduce(initialState({ signedIn: true }), { type: "start" });
  const first = state.attempt;
  state = reduce(state, { type: "ended" });
  state = reduce(state, { type: "start" });
  assert.notEqual(state.attempt, first);
  // The first attempt's 20 s timer fires during the second attempt.
  const after = reduce(state, { type: "timeout", attempt: first });
  assert.equal(after.phase, Phase.CONNECTING);
  // The second attempt's own timer does fail it, with a reason.
  const own = reduce(state, { type: "timeout", attempt: state.attempt });
  assert.equal(own.phase, Phase.ERROR);
  assert.match(own.error, /took too long/);
  // And once live, even its own timer is harmless.
  const live = reduce(state, { type: "connected" });
  assert.equal(reduce(live, { type: "timeout", attempt: state.attempt }).phase, Phase.LIVE);
});

test("Anam refusing the key or limiting sessions is described as Anam's problem", () => {
  const anam = (status) => ({ error: "session-token request failed", message: "x", detail: "Unauthorized" });
  const key = reasonForTokenFailure(401, anam(401));
  assert.match(key, /Anam refused this service's API key/);
  assert.doesNotMatch(key, /Google|sign in/i);
  const limited = reasonForTokenFailure(429, anam(429), "42");
  assert.match(limited, /Anam is limiting new sessions/);
  assert.match(limited, /42 seconds/);
  assert.match(reasonForTokenFailure(429, anam(429), null), /a minute/);
  // Our own limit is still ours.
  assert.match(reasonForTokenFailure(429, { error: "rate_limited", message: "Too many requests right now. Try again in 9 seconds." }), /9 seconds/);
  // A grant missing a permission asks to sign in again, naming it.
  assert.match(
    reasonForTokenFailure(403, { error: "google_scope_missing", message: "Google has not given this service permission to read your calendar settings." }),
    /calendar settings/,
  );
});

test("only the newest bookings answer is shown", () => {
  const latest = latestOnly();
  const slow = latest.begin();
  const fast = latest.begin();
  assert.equal(latest.isCurrent(fast), true);
  assert.equal(latest.isCurrent(slow), false, "the older answer, arriving last, is dropped");
});

test("Start sends the browser's language until the avatar changes it, then the new one", () => {
  let state = reduce(initialState({ signedIn: true }), { type: "start" });
  assert.equal(sessionTokenPath(state, "de-AT"), "/api/session-token?language=de");
  assert.equal(sessionTokenPath(state, undefined), "/api/session-token");
  assert.equal(sessionTokenPath(state, "not a tag"), "/api/session-token");
  // The user asks for Spanish; the SDK reports Anam's system tool.
  state = reduce(state, {
    type: "toolCompleted",
    payload: { toolName: "change_language", arguments: JSON.stringify({ language_code: "es" }) },
  });
  // Another tool completing leaves it.
  state = reduce(state, { type: "toolCompleted", payload: { toolName: "list_events", result: "{}" } });
  state = reduce(state, { type: "ended" });
  state = reduce(state, { type: "start" });
  assert.equal(sessionTokenPath(state, "de-AT"), "/api/session-token?language=es");
});

test("the language is read from change_language alone, in the shapes the SDK may use", () => {
  assert.equal(languageOf({ toolName: "change_language", arguments: { languageCode: "FR" } }), "fr");
  assert.equal(languageOf({ toolName: "change_language", arguments: { language: "pt-BR" } }), "pt");
  assert.equal(languageOf({ toolName: "change_language", arguments: "{not json" }), null);
  assert.equal(languageOf({ toolName: "list_events", arguments: { language: "fr" } }), null);
  assert.equal(languageOf(null), null);
  assert.equal(languageCode("en_GB"), "en");
  assert.equal(languageCode("english"), null);
  assert.equal(languageCode("d"), null);
});
