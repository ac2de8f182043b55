// DOM glue for the page: renders the state from session.mjs and connects buttons, the Anam
// SDK (loaded as a UMD script that sets window.anam) and the week view (week.mjs), which
// follows changes made elsewhere through the server's event stream (or a re-read every minute
// where the server cannot be told of them).

import {
  CONNECT_TIMEOUT_MS,
  Phase,
  initialState,
  latestOnly,
  reasonForStartError,
  reasonForTokenFailure,
  reduce,
  sessionTokenPath,
  wireClient,
} from "./session.mjs";
import {
  addDays,
  contextSentence,
  coversDay,
  dayLabel,
  declinedGuests,
  hourRange,
  lanes,
  mondayOf,
  piecesOf,
  position,
  seriesSlots,
  timeLabel,
  wallClock,
} from "./week.mjs";

const $ = (id) => document.getElementById(id);
const body = document.body;
let state = initialState({
  signedIn: body.dataset.signedIn === "true",
  configured: body.dataset.configured === "true",
});
let client = null;
let shownBookingsVersion = 0;
let shownHighlight = 0;
let connectTimer = null;
const weekRequests = latestOnly();
// The week view: the week wanted (set when it is asked for, before it arrives, so a re-read
// started meanwhile reads that week and never takes the person back), what the server said about
// the week shown, and whether the person (or a tool) chose it, so it is not moved under them.
const week = { monday: null, chosen: false, answer: null, loadedAt: 0 };

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

  if (state.highlight.seq !== shownHighlight) {
    shownHighlight = state.highlight.seq;
    showHighlight(state.highlight);
  }
  if (state.bookingsVersion !== shownBookingsVersion) {
    shownBookingsVersion = state.bookingsVersion;
    loadWeek(week.monday);
  }
}

async function start() {
  dispatch({ type: "start" });
  if (state.phase !== Phase.CONNECTING) return;
  const attempt = state.attempt;
  connectTimer = setTimeout(() => dispatch({ type: "timeout", attempt }), CONNECT_TIMEOUT_MS);
  try {
    const response = await fetch(sessionTokenPath(state, navigator.language), { method: "POST", credentials: "same-origin" });
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

// ---- The week view ----

const MINUTE = 60000;

function localToday() {
  return new Date().toLocaleDateString("en-CA");
}

/** Reads the week starting `monday` (the browser's week before the user's zone is known). */
async function loadWeek(monday) {
  const grid = $("week-grid");
  if (!grid) return;
  monday = monday || mondayOf(localToday());
  week.monday = monday;
  const note = $("week-status");
  if (!week.answer || week.answer.week_start !== monday) note.textContent = "Loading your week…";
  const ticket = weekRequests.begin();
  try {
    const response = await fetch(`/api/events?week=${monday}`, { credentials: "same-origin" });
    const answer = await response.json().catch(() => ({}));
    if (!weekRequests.isCurrent(ticket)) return;
    if (!response.ok) {
      note.textContent =
        response.status === 401
          ? "Sign in with Google again to see your calendar."
          : answer.message || `Your calendar could not be read (error ${response.status}). It is tried again shortly.`;
      return;
    }
    // The browser's week may not be the user's (another zone, near midnight): show theirs.
    if (!week.chosen && answer.today && answer.week_start !== mondayOf(answer.today)) {
      week.chosen = true;
      return loadWeek(mondayOf(answer.today));
    }
    week.monday = answer.week_start;
    week.answer = answer;
    week.loadedAt = Date.now();
    drawWeek();
    listen(answer.live);
  } catch {
    if (weekRequests.isCurrent(ticket)) note.textContent = "Your calendar could not be read. Check your connection.";
  }
}

function moveWeek(days) {
  week.chosen = true;
  loadWeek(addDays(week.monday || mondayOf(localToday()), days));
}

function thisWeek() {
  week.chosen = true;
  loadWeek(mondayOf((week.answer && week.answer.today) || localToday()));
}

/** A new highlight from the avatar: jump to its week if it is elsewhere, else redraw. */
function showHighlight(highlight) {
  const zone = week.answer && week.answer.timezone;
  if (highlight.at && zone) {
    const at = wallClock(highlight.at, zone);
    if (at && mondayOf(at.date) !== week.monday) {
      week.chosen = true;
      if (!highlight.refresh) loadWeek(mondayOf(at.date));
      else week.monday = mondayOf(at.date); // the refresh that comes with it reads the week wanted
      return;
    }
  }
  if (week.answer) drawWeek();
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

let drawn = "";

function drawWeek() {
  const answer = week.answer;
  const grid = $("week-grid");
  if (!answer || !grid) return;
  // A re-read that found nothing new leaves the grid (and the keyboard focus in it) alone.
  const key = JSON.stringify([answer, state.highlight.seq]);
  if (key === drawn) return;
  drawn = key;
  const focused = document.activeElement && document.activeElement.closest("#week-grid [data-event-id]");
  const refocus = focused ? focused.dataset.eventId : null;
  const zone = answer.timezone;
  const days = answer.days || [];
  const events = answer.events || [];
  const { eventIds } = state.highlight;
  const slots = [...state.highlight.slots, ...seriesSlots(state.highlight.series, events)];
  const marked = new Set(eventIds);

  // Every timed piece of the week, events and highlighted slots alike.
  const items = [];
  for (const event of events.filter((e) => !e.allDay)) {
    for (const piece of piecesOf(event.start, event.end, zone, days)) items.push({ ...piece, event });
  }
  for (const slot of slots) {
    for (const piece of piecesOf(slot.start, slot.end, zone, days)) items.push({ ...piece, slot });
  }
  const range = hourRange(items);
  const allDay = events.filter((e) => e.allDay);
  const allDayRows = Math.max(0, ...days.map((d) => allDay.filter((e) => coversDay(e, d)).length));

  $("week-title").textContent = `Week of ${dayLabel(days[0] || answer.week_start)}`;
  const onGrid = slots.filter((s) => piecesOf(s.start, s.end, zone, days).length);
  const shownSlots = onGrid.filter((s) => !s.label || s.label === "Free").length;
  const shownProposals = onGrid.length - shownSlots;
  $("week-status").textContent = [
    `Times are in ${zone}.`,
    answer.truncated ? "Not every event fits; open Google Calendar for the rest." : "",
    shownSlots ? `${shownSlots} free ${shownSlots === 1 ? "slot is" : "slots are"} highlighted.` : "",
    shownProposals ? "What Alex read back is drawn on the grid." : "",
  ]
    .filter(Boolean)
    .join(" ");

  grid.style.setProperty("--hours", String(range.to - range.from));
  grid.style.setProperty("--all-day-rows", String(allDayRows));
  const gutter = el("div", "hours");
  gutter.setAttribute("aria-hidden", "true");
  for (let h = range.from; h < range.to; h++) {
    const label = el("span", "hour", `${String(h).padStart(2, "0")}:00`);
    label.style.setProperty("--top", `${((h - range.from) / (range.to - range.from)) * 100}%`);
    gutter.append(label);
  }

  const columns = days.map((date) => {
    const day = el("section", "day");
    day.dataset.date = date;
    const heading = el("h3", null, dayLabel(date));
    heading.id = `day-${date}`;
    day.setAttribute("aria-labelledby", heading.id);
    if (date === answer.today) {
      day.classList.add("today");
      day.setAttribute("aria-current", "date");
      heading.append(" ", el("span", "today-tag", "Today"));
    }
    const top = el("ul", "all-day");
    top.setAttribute("aria-label", "All day");
    for (const event of allDay.filter((e) => coversDay(e, date))) {
      top.append(eventItem(event, "All day", marked));
    }
    const timeline = el("ol", "timeline");
    timeline.setAttribute("aria-label", "By time");
    for (const piece of lanes(items.filter((i) => i.date === date))) {
      const li = piece.event
        ? eventItem(piece.event, `${timeLabel(piece.event.start, zone)} – ${timeLabel(piece.event.end, zone)}`, marked)
        : slotItem(piece.slot, zone);
      const { top: y, height } = position(piece, range);
      li.style.setProperty("--top", `${y}%`);
      li.style.setProperty("--height", `${height}%`);
      li.style.setProperty("--lane", String(piece.lane));
      li.style.setProperty("--lanes", String(piece.lanes));
      timeline.append(li);
    }
    day.append(heading, top, timeline);
    if (!top.children.length && !timeline.children.length) day.append(el("p", "empty hint", "Nothing planned"));
    return day;
  });
  grid.replaceChildren(gutter, ...columns);
  if (refocus) {
    const again = [...grid.querySelectorAll("[data-event-id]")].find((li) => li.dataset.eventId === refocus);
    const link = again && again.querySelector("a");
    if (link) link.focus();
  }
}

function eventItem(event, when, marked) {
  const li = el("li", "event");
  li.dataset.eventId = event.id;
  if (event.color) li.style.setProperty("--color", event.color);
  const declined = declinedGuests(event);
  if (event.madeByAgent) li.classList.add("agent");
  if (event.canChange) li.classList.add("can-change");
  if (event.myResponse === "declined") li.classList.add("not-going");
  if (declined.length) li.classList.add("has-declined");
  if (marked.has(event.id)) li.classList.add("highlight");
  const box = event.htmlLink ? el("a") : el("div");
  if (event.htmlLink) {
    box.href = event.htmlLink;
    box.target = "_blank";
    box.rel = "noopener noreferrer";
  }
  box.className = "box";
  box.append(el("span", "time", when), " ", el("span", "title", event.title));
  if (event.calendar) box.append(" ", el("span", "tag", event.calendar));
  if (event.account) box.append(" ", el("span", "tag account", event.account));
  if (event.madeByAgent) box.append(" ", el("span", "tag", "Added by Alex"));
  if (event.recurring) box.append(" ", el("span", "tag", "Repeats"));
  if (event.myResponse === "declined") box.append(" ", el("span", "tag", "You declined"));
  if (declined.length) box.append(" ", el("span", "tag bad", `Declined: ${declined.join(", ")}`));
  if (marked.has(event.id)) box.append(" ", el("span", "tag mention", "Alex mentioned this"));
  box.title = box.textContent;
  li.append(box);
  return li;
}

function slotItem(slot, zone) {
  const li = el("li", "slot");
  // What Alex reads back is named in full, even in a box shorter than its text.
  if (slot.label && slot.label !== "Free") li.classList.add("proposed");
  const box = el("div", "box");
  box.append(
    el("span", "time", `${timeLabel(slot.start, zone)} – ${timeLabel(slot.end, zone)}`),
    " ",
    el("span", "title", slot.label || "Free"),
  );
  box.title = box.textContent;
  li.append(box);
  return li;
}

function notice(text) {
  const p = $("week-notice");
  p.textContent = text;
  p.hidden = false;
}

// ---- Changes made elsewhere ----

let stream = null;
let polling = null;

function parsed(message) {
  try {
    return JSON.parse(message.data) || {};
  } catch {
    return {};
  }
}

/** While a session is live, a change the avatar did not make itself is passed to it in one
 * plain sentence (the SDK's addContext), so it can mention it. */
function tellAvatar(kind, data) {
  if (!client || state.phase !== Phase.LIVE) return;
  const sentence = contextSentence(kind, data, state.ownWrites);
  if (!sentence) return;
  try {
    client.addContext(sentence);
  } catch {
    // Not streaming any more: nothing to tell.
  }
}
let reloadSoon = null;

function reloadShortly() {
  clearTimeout(reloadSoon);
  reloadSoon = setTimeout(() => loadWeek(week.monday), 250);
}

/** Over https the server is told of changes and streams them here; otherwise, re-read every
 * minute while the page is visible. */
function listen(live) {
  if (live && !stream && typeof EventSource === "function") {
    stream = new EventSource("/api/events/stream", { withCredentials: true });
    let opened = false;
    // After a reconnect, whatever happened meanwhile is read at once.
    stream.addEventListener("open", () => {
      if (opened) reloadShortly();
      opened = true;
    });
    stream.addEventListener("changed", (message) => {
      tellAvatar("changed", parsed(message));
      reloadShortly();
    });
    stream.addEventListener("accounts", () => {
      loadAccounts();
      reloadShortly();
    });
    stream.addEventListener("declined", (message) => {
      const data = parsed(message);
      notice(`${data.guest || "A guest"} declined “${data.title || "a meeting"}”.`);
      tellAvatar("declined", data);
      reloadShortly();
    });
    stream.addEventListener("error", () => {
      if (stream.readyState === EventSource.CLOSED) {
        // Signed out elsewhere, or the server refused: fall back to re-reading.
        stream = null;
        poll();
      }
    });
    return;
  }
  if (!live) poll();
}

// ---- Google accounts ----

/** Lists the person's Google accounts, each with what can be done with it: made primary (new
 * events go there) or removed (never the last). */
async function loadAccounts() {
  const list = $("accounts");
  if (!list) return;
  try {
    const response = await fetch("/api/accounts", { credentials: "same-origin" });
    if (!response.ok) return;
    const answer = await response.json();
    drawAccounts(answer.accounts || []);
  } catch {
    // The list stays as it was; the next change reads it again.
  }
}

function drawAccounts(accounts) {
  const list = $("accounts");
  list.replaceChildren(
    ...accounts.map((account) => {
      const li = el("li", "account-item");
      li.dataset.email = account.email;
      li.append(el("strong", "", account.email));
      if (account.primary) li.append(" ", el("span", "tag", "Primary"));
      if (!account.connected) li.append(" ", el("span", "tag bad", "Not connected: add it again"));
      if (account.calendars && account.calendars.length) {
        li.append(" ", el("span", "hint", account.calendars.join(", ")));
      }
      if (!account.primary) {
        const make = el("button", "secondary", "Make primary");
        make.type = "button";
        make.addEventListener("click", () => changeAccount("POST", "/api/accounts/primary", { email: account.email }));
        li.append(" ", make);
      }
      if (accounts.length > 1) {
        const remove = el("button", "secondary", "Remove");
        remove.type = "button";
        remove.addEventListener("click", () => changeAccount("DELETE", `/api/accounts/${encodeURIComponent(account.email)}`));
        li.append(" ", remove);
      }
      return li;
    }),
  );
}

async function changeAccount(method, path, payload) {
  try {
    const response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: payload ? { "content-type": "application/json" } : {},
      body: payload ? JSON.stringify(payload) : undefined,
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      notice(answer.message || `That did not work (error ${response.status}).`);
      return;
    }
    drawAccounts(answer.accounts || []);
    reloadShortly();
  } catch {
    notice("That did not work. Check your connection.");
  }
}

function poll() {
  if (polling) return;
  const due = () => document.visibilityState === "visible" && Date.now() - week.loadedAt >= MINUTE;
  polling = setInterval(() => due() && loadWeek(week.monday), 5000);
  document.addEventListener("visibilitychange", () => due() && loadWeek(week.monday));
}

if ($("status")) {
  $("start").addEventListener("click", start);
  $("end").addEventListener("click", end);
  $("mute").addEventListener("click", toggleMute);
  $("week-prev").addEventListener("click", () => moveWeek(-7));
  $("week-next").addEventListener("click", () => moveWeek(7));
  $("week-today").addEventListener("click", thisWeek);
  window.addEventListener("pagehide", () => {
    stopClient();
    if (stream) stream.close();
  });
  render();
  loadWeek(null);
  loadAccounts();
}
