// The page's logic without the DOM: a state machine fed by user actions and Anam SDK events,
// what each tool result asks of the week view, and readable reasons for every failure. Tested
// with `node --test` (static/js/tests/) against a fake SDK client.

import { highlightOf, ownWritesOf } from "./week.mjs";

/** Phases the page can be in. */
export const Phase = Object.freeze({
  SIGNED_OUT: "signed_out",
  NEEDS_CONFIG: "needs_config",
  READY: "ready",
  CONNECTING: "connecting",
  LIVE: "live",
  ENDED: "ended",
  ERROR: "error",
});

/** How long Start may take before the page gives up and says so. */
export const CONNECT_TIMEOUT_MS = 20000;

/** The starting state, from what the server rendered. */
export function initialState({ signedIn = false, configured = true } = {}) {
  return {
    phase: !signedIn ? Phase.SIGNED_OUT : configured ? Phase.READY : Phase.NEEDS_CONFIG,
    error: null,
    muted: false,
    transcript: [],
    activity: [],
    // Bumped when a tool changed the calendar: the week view reads it again.
    bookingsVersion: 0,
    // What the avatar is talking about, from the last tool result that was about the calendar;
    // `seq` tells the view a new one arrived.
    highlight: { slots: [], eventIds: [], at: null, series: null, seq: 0 },
    // What the avatar's own tool calls wrote ({ id, title }), so that only changes made
    // elsewhere are passed to it.
    ownWrites: [],
    // Which Start this is: a timer or answer from an earlier attempt carries an older number
    // and is ignored.
    attempt: 0,
    // The language the avatar changed to (Anam's change_language), sent with the next Start;
    // `null` until it changes: the browser's language is sent then.
    language: null,
  };
}

/** The two-letter language a completed `change_language` call switched to, else `null`.
 * The SDK hands its arguments over parsed or as a JSON string; the code may be named
 * `language_code`, `languageCode` or `language`, and may carry a region (`pt-BR`). */
export function languageOf(payload) {
  if (!payload || payload.toolName !== "change_language") return null;
  let args = payload.arguments;
  if (typeof args === "string") {
    try {
      args = JSON.parse(args);
    } catch {
      return null;
    }
  }
  if (!args || typeof args !== "object") return null;
  const named = [args.language_code, args.languageCode, args.language].find((v) => typeof v === "string");
  return languageCode(named);
}

/** `de` for `de`, `de-AT` or `DE_at`; `null` for anything else. */
export function languageCode(tag) {
  const code = typeof tag === "string" ? tag.trim().slice(0, 2).toLowerCase() : "";
  const rest = typeof tag === "string" ? tag.trim().slice(2) : "";
  return /^[a-z]{2}$/.test(code) && (rest === "" || /^[-_]/.test(rest)) ? code : null;
}

/** Where Start asks for a session: with the language the avatar last changed to, else the
 * browser's (the server falls back to Accept-Language, then its LANGUAGE). */
export function sessionTokenPath(state, browserLanguage) {
  const code = state.language || languageCode(browserLanguage);
  return code ? `/api/session-token?language=${code}` : "/api/session-token";
}

const TOO_SLOW = "Connecting to the avatar took too long. Check your network and press Start again.";

const MAX_ACTIVITY = 6;

function withActivity(state, line) {
  return { ...state, activity: [...state.activity, line].slice(-MAX_ACTIVITY) };
}

/** The next state after `event`. Unknown events leave the state as it is. */
export function reduce(state, event) {
  switch (event.type) {
    case "start":
      if (![Phase.READY, Phase.ENDED, Phase.ERROR].includes(state.phase)) return state;
      return {
        ...state,
        phase: Phase.CONNECTING,
        error: null,
        muted: false,
        transcript: [],
        activity: [],
        attempt: state.attempt + 1,
      };
    case "timeout":
      // Only the attempt that set the timer, and only while it is still connecting.
      if (state.phase !== Phase.CONNECTING || event.attempt !== state.attempt) return state;
      return { ...state, phase: Phase.ERROR, error: TOO_SLOW };
    case "connected":
      return state.phase === Phase.CONNECTING ? { ...state, phase: Phase.LIVE } : state;
    case "ended":
      if (state.phase === Phase.ERROR) return state;
      return { ...state, phase: Phase.ENDED };
    case "failed":
      return { ...state, phase: Phase.ERROR, error: event.reason };
    case "closed": {
      const reason = reasonForClose(event.code, event.details);
      if (reason === null) return state.phase === Phase.ERROR ? state : { ...state, phase: Phase.ENDED };
      return { ...state, phase: Phase.ERROR, error: reason };
    }
    case "muted":
      return { ...state, muted: Boolean(event.muted) };
    case "messages":
      return {
        ...state,
        transcript: (event.messages || [])
          .filter((m) => m && typeof m.content === "string" && m.content.trim() !== "")
          .map((m) => ({ who: m.role === "user" ? "You" : "Alex", text: m.content })),
      };
    case "toolStarted":
      return withActivity(state, `${toolLabel(event.payload)}…`);
    case "toolCompleted": {
      const written = withActivity(state, `${toolLabel(event.payload)} done (${seconds(event.payload)})`);
      const next = {
        ...written,
        ownWrites: [...state.ownWrites, ...ownWritesOf(event.payload)].slice(-20),
        language: languageOf(event.payload) || state.language,
      };
      const shown = highlightOf(event.payload);
      if (!shown) return next;
      return {
        ...next,
        bookingsVersion: state.bookingsVersion + (shown.refresh ? 1 : 0),
        highlight: {
          slots: shown.slots,
          eventIds: shown.eventIds,
          at: shown.at,
          series: shown.series || null,
          seq: state.highlight.seq + 1,
        },
      };
    }
    case "toolFailed":
      return withActivity(
        state,
        `${toolLabel(event.payload)} failed: ${(event.payload && event.payload.errorMessage) || "no reason given"}`,
      );
    default:
      return state;
  }
}

const TOOL_LABELS = {
  list_events: "Reading your calendar",
  find_free_time: "Looking for free time",
  block_time: "Adding a hold to your calendar",
  propose_change: "Reading back a change",
  apply_change: "Changing an event",
  respond_to_invite: "Answering an invitation",
  get_contacts: "Looking up a contact",
  draft_meeting: "Preparing a meeting",
  create_meeting: "Sending the invitation",
  change_language: "Changing the language",
};

function toolLabel(payload) {
  const name = payload && payload.toolName;
  return TOOL_LABELS[name] || `Running ${name || "a tool"}`;
}

function seconds(payload) {
  const ms = Number(payload && payload.executionTime);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : "time unknown";
}

/** Why a connection closed, in words; `null` for a normal end. */
export function reasonForClose(code, details) {
  switch (code) {
    case undefined:
    case null:
    case "CONNECTION_CLOSED_CODE_NORMAL":
      return null;
    case "CONNECTION_CLOSED_CODE_MICROPHONE_PERMISSION_DENIED":
      return "Microphone access was denied. Allow the microphone for this page in your browser, then press Start again.";
    case "CONNECTION_CLOSED_CODE_SIGNALLING_CLIENT_CONNECTION_FAILURE":
    case "CONNECTION_CLOSED_CODE_WEBRTC_FAILURE":
      return "The connection to the avatar failed. Check your network and press Start again.";
    case "CONNECTION_CLOSED_CODE_SERVER_CLOSED_CONNECTION":
      return `Anam ended the session${details ? `: ${details}` : ""}. Press Start to begin a new one.`;
    default:
      return `The session stopped unexpectedly${details ? `: ${details}` : ""}.`;
  }
}

/** A readable reason for a failed `POST /api/session-token`; `retryAfter` is the answer's
 * `Retry-After` in seconds, when it had one. */
export function reasonForTokenFailure(status, body, retryAfter) {
  const message = body && typeof body.message === "string" ? body.message : "";
  const error = body && body.error;
  if (error === "session-token request failed") {
    // Anam's own answer, passed on: never a Google or sign-in problem.
    if (status === 401 || status === 403) {
      return "Anam refused this service's API key, so no session can start. The person running it needs to check ANAM_API_KEY.";
    }
    if (status === 429) {
      const wait = Number(retryAfter) > 0 ? `${Math.ceil(Number(retryAfter))} seconds` : "a minute";
      return `Anam is limiting new sessions for this account right now. Try again in ${wait}.`;
    }
    const detail = typeof body.detail === "string" && body.detail ? ` (Anam said: ${body.detail})` : "";
    return `${message || "Anam refused to start the session."}${detail}`;
  }
  if (error === "google_scope_missing") {
    return message || "Google has not given every permission Alex needs. Sign in with Google again and leave every permission ticked.";
  }
  if (status === 401) {
    return body && body.error === "not_signed_in"
      ? "You are not signed in. Sign in with Google, then press Start."
      : "Your Google Calendar is not connected any more. Sign in with Google again, then press Start.";
  }
  if (status === 429) return message || "Too many sessions were started just now. Wait a minute and try again.";
  if (status === 503) return message || "The service is missing a setting. See the checklist on this page.";
  return message || `The session could not be started (error ${status}). Try again in a moment.`;
}

/** A readable reason for an exception thrown while starting the stream. */
export function reasonForStartError(error) {
  const name = error && error.name;
  const text = (error && (error.message || String(error))) || "";
  if (name === "NotAllowedError" || /permission/i.test(text)) {
    return "Microphone access was denied. Allow the microphone for this page in your browser, then press Start again.";
  }
  if (name === "NotFoundError") return "No microphone was found. Connect one and press Start again.";
  return `Could not connect to the avatar${text ? `: ${text}` : ""}. Check your network and press Start again.`;
}

/** Subscribes `dispatch` to the SDK client's events. Returns nothing; the client owns them. */
export function wireClient(client, AnamEvent, dispatch) {
  const on = (name, handler) => {
    if (name) client.addListener(name, handler);
  };
  on(AnamEvent.CONNECTION_ESTABLISHED, () => dispatch({ type: "connected" }));
  on(AnamEvent.SESSION_READY, () => dispatch({ type: "connected" }));
  on(AnamEvent.CONNECTION_CLOSED, (code, details) => dispatch({ type: "closed", code, details }));
  on(AnamEvent.MESSAGE_HISTORY_UPDATED, (messages) => dispatch({ type: "messages", messages }));
  on(AnamEvent.TOOL_CALL_STARTED, (payload) => dispatch({ type: "toolStarted", payload }));
  on(AnamEvent.TOOL_CALL_COMPLETED, (payload) => dispatch({ type: "toolCompleted", payload }));
  on(AnamEvent.TOOL_CALL_FAILED, (payload) => dispatch({ type: "toolFailed", payload }));
  on(AnamEvent.MIC_PERMISSION_DENIED, () =>
    dispatch({ type: "failed", reason: reasonForClose("CONNECTION_CLOSED_CODE_MICROPHONE_PERMISSION_DENIED") }),
  );
}

/** Keeps only the newest of overlapping requests: `begin()` before sending, `isCurrent(t)`
 * when the answer arrives. An older answer arriving late must not replace a newer one. */
export function latestOnly() {
  let newest = 0;
  return {
    begin: () => ++newest,
    isCurrent: (ticket) => ticket === newest,
  };
}
