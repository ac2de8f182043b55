// DOM glue for the page: renders the state from session.mjs and connects buttons, the Anam
// SDK (loaded as a UMD script that sets window.anam) and the bookings panel.

import {
  CONNECT_TIMEOUT_MS,
  Phase,
  describeBooking,
  initialState,
  latestOnly,
  reasonForStartError,
  reasonForTokenFailure,
  reduce,
  wireClient,
} from "./session.mjs";

const $ = (id) => document.getElementById(id);
const body = document.body;
let state = initialState({
  signedIn: body.dataset.signedIn === "true",
  configured: body.dataset.configured === "true",
});
let client = null;
let shownBookingsVersion = -1;
let connectTimer = null;
const bookingsRequests = latestOnly();

const STATUS = {
  [Phase.READY]: "Ready. Press Start, allow the microphone, and ask about your calendar.",
  [Phase.NEEDS_CONFIG]: "The avatar is not set up yet: see the checklist above.",
  [Phase.CONNECTING]: "Connecting to Alex…",
  [Phase.LIVE]: "Live. Ask what is on your calendar, or for some free time.",
  [Phase.ENDED]: "Session ended. Press Start to talk again.",
};

function dispatch(event) {
  const before = state;
  state = reduce(state, event);
  if (state.phase === Phase.ERROR && before.phase !== Phase.ERROR) stopClient();
  // However Start ends (live, ended, failed), its timer goes with it.
  if (state.phase !== Phase.CONNECTING && connectTimer !== null) {
    clearTimeout(connectTimer);
    connectTimer = null;
  }
  render();
}

function stopClient() {
  const c = client;
  client = null;
  if (c) c.stopStreaming().catch(() => {});
}

function render() {
  const status = $("status");
  if (!status) return;
  body.dataset.phase = state.phase;
  status.textContent = state.phase === Phase.ERROR ? `Error: ${state.error}` : STATUS[state.phase] || "";
  status.classList.toggle("error", state.phase === Phase.ERROR);

  const start = $("start");
  start.hidden = ![Phase.READY, Phase.ENDED, Phase.ERROR].includes(state.phase);
  start.textContent = [Phase.ENDED, Phase.ERROR].includes(state.phase) ? "Start again" : "Start";
  $("end").hidden = ![Phase.CONNECTING, Phase.LIVE].includes(state.phase);
  const mute = $("mute");
  mute.hidden = state.phase !== Phase.LIVE;
  mute.textContent = state.muted ? "Unmute" : "Mute";
  mute.setAttribute("aria-pressed", String(state.muted));

  const transcript = $("transcript");
  transcript.replaceChildren(
    ...state.transcript.map(({ who, text }) => {
      const li = document.createElement("li");
      const name = document.createElement("strong");
      name.textContent = `${who}: `;
      li.append(name, text);
      return li;
    }),
  );
  transcript.scrollTop = transcript.scrollHeight;
  $("transcript-empty").hidden = state.transcript.length > 0;

  $("activity").replaceChildren(
    ...state.activity.map((line) => {
      const li = document.createElement("li");
      li.textContent = line;
      return li;
    }),
  );

  if (state.bookingsVersion !== shownBookingsVersion) {
    shownBookingsVersion = state.bookingsVersion;
    loadBookings();
  }
}

async function start() {
  dispatch({ type: "start" });
  if (state.phase !== Phase.CONNECTING) return;
  const attempt = state.attempt;
  connectTimer = setTimeout(() => dispatch({ type: "timeout", attempt }), CONNECT_TIMEOUT_MS);
  try {
    const response = await fetch("/api/session-token", { method: "POST", credentials: "same-origin" });
    const answer = await response.json().catch(() => ({}));
    if (state.attempt !== attempt) return;
    if (!response.ok) {
      const reason = reasonForTokenFailure(response.status, answer, response.headers.get("retry-after"));
      dispatch({ type: "failed", reason });
      return;
    }
    if (state.phase !== Phase.CONNECTING) return;
    if (!window.anam || typeof window.anam.createClient !== "function") {
      dispatch({ type: "failed", reason: "The Anam SDK did not load. Check ANAM_SDK_URL and your network, then reload the page." });
      return;
    }
    client = window.anam.createClient(answer.sessionToken);
    wireClient(client, window.anam.AnamEvent || {}, dispatch);
    await client.streamToVideoElement("avatar-video");
  } catch (error) {
    dispatch({ type: "failed", reason: reasonForStartError(error) });
  }
}

function end() {
  stopClient();
  dispatch({ type: "ended" });
}

function toggleMute() {
  if (!client) return;
  if (state.muted) client.unmuteInputAudio();
  else client.muteInputAudio();
  dispatch({ type: "muted", muted: !state.muted });
}

async function loadBookings() {
  const list = $("bookings");
  const note = $("bookings-status");
  if (!list) return;
  note.textContent = "Loading your bookings…";
  const ticket = bookingsRequests.begin();
  try {
    const response = await fetch("/api/events", { credentials: "same-origin" });
    const answer = await response.json().catch(() => ({}));
    if (!bookingsRequests.isCurrent(ticket)) return;
    if (!response.ok) {
      note.textContent =
        response.status === 401
          ? "Sign in with Google again to see your bookings."
          : `Bookings could not be loaded (error ${response.status}). Reload the page to try again.`;
      list.replaceChildren();
      return;
    }
    const events = answer.events || [];
    note.textContent = events.length ? "" : "Nothing on your calendar this month or next.";
    list.replaceChildren(
      ...events.map((event) => {
        const { day, time } = describeBooking(event);
        const li = document.createElement("li");
        const when = document.createElement("span");
        when.className = "when";
        when.textContent = `${day} · ${time}`;
        const title = document.createElement("span");
        title.className = "title";
        title.textContent = event.title;
        li.append(when, title);
        return li;
      }),
    );
  } catch {
    if (bookingsRequests.isCurrent(ticket)) {
      note.textContent = "Bookings could not be loaded. Check your connection.";
    }
  }
}

if ($("status")) {
  $("start").addEventListener("click", start);
  $("end").addEventListener("click", end);
  $("mute").addEventListener("click", toggleMute);
  window.addEventListener("pagehide", stopClient);
  render();
}
