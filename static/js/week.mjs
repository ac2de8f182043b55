// The week view's logic without the DOM: dates and wall-clock times in the user's calendar zone
// (not the browser's), where each event and highlighted slot sits on the grid, how overlapping
// events share a column, and what a tool result asks the grid to show. Tested with
// `node --test` (static/js/tests/).

/** Tools whose completion changes the calendar: the grid reads it again. */
export const WRITING_TOOLS = Object.freeze([
  "block_time",
  "create_meeting",
  "apply_change",
  "respond_to_invite",
]);

/** Hours shown when the week has nothing outside them. */
export const DEFAULT_HOURS = Object.freeze({ from: 8, to: 18 });

const DAY_MS = 86400000;

/** `YYYY-MM-DD` plus `n` days (calendar arithmetic, no time zone involved). */
export function addDays(date, n) {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday of the week holding `date`. */
export function mondayOf(date) {
  const [y, m, d] = date.split("-").map(Number);
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(date, -weekday);
}

const clocks = new Map();

function clockIn(zone) {
  if (!clocks.has(zone)) {
    clocks.set(
      zone,
      new Intl.DateTimeFormat("en-CA", {
        timeZone: zone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }),
    );
  }
  return clocks.get(zone);
}

/** Where the instant `iso` (with its offset) falls on a wall clock in `zone`:
 * `{ date: "YYYY-MM-DD", minutes }` with minutes since that day's midnight. `null` if `iso` is
 * not a time. */
export function wallClock(iso, zone) {
  const at = new Date(iso);
  if (typeof iso !== "string" || iso.length < 11 || Number.isNaN(at.getTime())) return null;
  const parts = {};
  for (const { type, value } of clockIn(zone).formatToParts(at)) parts[type] = value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** "9:00 AM", "14:30": a wall-clock time in `zone`, in the reader's locale. */
export function timeLabel(iso, zone, locale) {
  return new Date(iso).toLocaleTimeString(locale, { timeZone: zone, hour: "numeric", minute: "2-digit" });
}

/** "Mon 23 Nov": a day of the grid, in the reader's locale. */
export function dayLabel(date, locale) {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d, 12)).toLocaleDateString(locale, {
    timeZone: "UTC",
    weekday: "short",
    day: "numeric",
    month: "short",
  });
}

/** The pieces of a timed span on each day of `days` it touches: `[{ date, from, to }]` in
 * minutes since midnight (a span past midnight is cut at the day's end). */
export function piecesOf(start, end, zone, days) {
  const a = wallClock(start, zone);
  const b = wallClock(end, zone);
  if (!a || !b) return [];
  const out = [];
  for (const date of days) {
    if (date < a.date || date > b.date) continue;
    const from = date === a.date ? a.minutes : 0;
    const to = date === b.date ? b.minutes : 24 * 60;
    if (to > from) out.push({ date, from, to });
  }
  return out;
}

/** Whether an all-day event (inclusive `start`..`end` dates) covers `date`. */
export function coversDay(event, date) {
  return event.start <= date && date <= (event.end || event.start);
}

/** The hours the grid shows: the default working day, widened to whole hours that hold every
 * timed piece. */
export function hourRange(pieces) {
  let from = DEFAULT_HOURS.from * 60;
  let to = DEFAULT_HOURS.to * 60;
  for (const p of pieces) {
    from = Math.min(from, p.from);
    to = Math.max(to, p.to);
  }
  return { from: Math.floor(from / 60), to: Math.min(24, Math.ceil(to / 60)) };
}

/** Side-by-side columns for one day's pieces: each gets `lane` (0-based) and `lanes` (how many
 * columns its group of overlapping pieces needs). Input order does not matter. */
export function lanes(pieces) {
  const sorted = [...pieces].sort((x, y) => x.from - y.from || y.to - x.to);
  const out = [];
  let group = [];
  let groupEnd = -1;
  let ends = [];
  const close = () => {
    for (const item of group) item.lanes = ends.length;
  };
  for (const piece of sorted) {
    if (piece.from >= groupEnd) {
      close();
      group = [];
      ends = [];
    }
    let lane = ends.findIndex((end) => end <= piece.from);
    if (lane === -1) {
      lane = ends.length;
      ends.push(piece.to);
    } else {
      ends[lane] = piece.to;
    }
    const placed = { ...piece, lane, lanes: 1 };
    group.push(placed);
    out.push(placed);
    groupEnd = Math.max(groupEnd, piece.to);
  }
  close();
  return out;
}

/** Top and height of a piece as percentages of the shown hours. */
export function position(piece, range) {
  const span = (range.to - range.from) * 60;
  const top = ((piece.from - range.from * 60) / span) * 100;
  const height = ((piece.to - piece.from) / span) * 100;
  return { top: Math.max(0, top), height: Math.max(1.5, Math.min(height, 100 - Math.max(0, top))) };
}

/** The guests who said no, by name or address. */
export function declinedGuests(event) {
  return (event.attendees || []).filter((a) => a.response === "declined").map((a) => a.email);
}

/** A tool result as the SDK hands it over: a JSON string (a webhook's body) or already parsed. */
export function resultOf(payload) {
  const result = payload && payload.result;
  if (typeof result === "string") {
    try {
      return JSON.parse(result);
    } catch {
      return null;
    }
  }
  return result && typeof result === "object" ? result : null;
}

/** What a completed tool call asks of the grid:
 * `{ slots, eventIds, at, refresh, series }` (`at`: an instant whose week to show, or `null`;
 * `series`: for a change to several occurrences of a series, what `seriesSlots` draws), or
 * `null` when it is not about the calendar.
 * - `find_free_time`: its slots, and the week of the first one;
 * - `draft_meeting`: the proposed time, as a slot;
 * - `list_events`: those events;
 * - a writing tool: read the calendar again, with the event it wrote highlighted. */
export function highlightOf(payload) {
  const name = payload && payload.toolName;
  const result = resultOf(payload);
  const weekOf = (slots) => (slots.length ? slots[0].start : null);
  if (name === "find_free_time" && result && Array.isArray(result.slots)) {
    const slots = result.slots.filter(isSpan).map(({ start, end }) => ({ start, end, label: "Free" }));
    return { slots, eventIds: [], at: weekOf(slots), refresh: false };
  }
  if (name === "draft_meeting" && result && isSpan(result)) {
    const label = `Proposed${typeof result.title === "string" ? `: ${result.title}` : ""}`;
    const slots = [{ start: result.start, end: result.end, label }];
    return { slots, eventIds: [], at: weekOf(slots), refresh: false };
  }
  if (name === "propose_change" && result && result.from && isSpan(result.from)) {
    // Read back, not yet done: where it is now and, for a move, where it would go.
    const title = typeof result.title === "string" ? result.title : "the event";
    const moving = result.to && isSpan(result.to);
    const slots = [{ start: result.from.start, end: result.from.end, label: `${moving ? "Now" : "Cancelling"}: ${title}` }];
    if (moving) slots.push({ start: result.to.start, end: result.to.end, label: `Moving to: ${title}` });
    const series =
      typeof result.series_id === "string" && (result.scope === "all" || result.scope === "following")
        ? { id: result.series_id, scope: result.scope, title, from: result.from, to: moving ? result.to : null }
        : null;
    return { slots, eventIds: [], at: moving ? result.to.start : result.from.start, refresh: false, series };
  }
  if (name === "list_events" && result && Array.isArray(result.events)) {
    const eventIds = result.events.map((e) => e && e.id).filter((id) => typeof id === "string");
    return { slots: [], eventIds, at: null, refresh: false };
  }
  if (WRITING_TOOLS.includes(name)) {
    const id = result && (result.eventId || result.event_id);
    const start = result && typeof result.start === "string" && result.start.length > 10 ? result.start : null;
    return {
      slots: [],
      eventIds: typeof id === "string" ? [id] : [],
      at: start,
      refresh: true,
    };
  }
  return null;
}

/** For a change read back to several occurrences of a series (`highlight.series`), the other
 * occurrences it touches among the week's `events` (the page's, which carry `seriesId`): each
 * where it is now and, for a move, where it would go (moved by as much as the one named). */
export function seriesSlots(series, events) {
  if (!series || !isSpan(series.from)) return [];
  const named = Date.parse(series.from.start);
  const shift = series.to && isSpan(series.to) ? Date.parse(series.to.start) - named : null;
  const later = (iso) => new Date(Date.parse(iso) + shift).toISOString();
  const out = [];
  for (const event of events || []) {
    if (!event || event.seriesId !== series.id || event.allDay || !isSpan(event)) continue;
    const at = Date.parse(event.start);
    if (at === named || (series.scope === "following" && at < named)) continue;
    out.push({ start: event.start, end: event.end, label: `${shift === null ? "Cancelling" : "Now"}: ${series.title}` });
    if (shift !== null) out.push({ start: later(event.start), end: later(event.end), label: `Moving to: ${series.title}` });
  }
  return out;
}

function isSpan(x) {
  return x && typeof x.start === "string" && typeof x.end === "string" && x.start.length > 10;
}

/** What the avatar's own tool calls wrote, to tell apart from changes made elsewhere: the
 * event ids and titles in a completed writing tool's (or proposal's) result. */
export function ownWritesOf(payload) {
  const name = payload && payload.toolName;
  if (!WRITING_TOOLS.includes(name) && name !== "propose_change") return [];
  const result = resultOf(payload);
  if (!result) return [];
  const id = result.eventId || result.event_id;
  return [{ id: typeof id === "string" ? id : null, title: typeof result.title === "string" ? result.title : null }];
}

/** One plain sentence for the avatar about a change the page heard of (`kind` is the stream's
 * `changed` or `declined`, `data` its JSON), or `null` when there is nothing to say: nothing
 * named, or only what the avatar's own tool calls (`own`) wrote. */
export function contextSentence(kind, data, own = []) {
  if (kind === "declined") {
    if (!data || typeof data.title !== "string") return null;
    return `${data.guest || "A guest"} declined “${data.title}”.`;
  }
  if (kind !== "changed" || !data || !Array.isArray(data.events)) return null;
  const mine = (e) => own.some((o) => (o.id && o.id === e.id) || (o.title && o.title === e.title));
  const others = data.events.filter((e) => e && typeof e.title === "string" && !mine(e));
  if (!others.length) return null;
  if (others.length === 1) {
    const [e] = others;
    return `“${e.title}” was ${e.cancelled ? "cancelled" : "added or changed"} in the user's calendar, not by you.`;
  }
  const titles = others.map((e) => `“${e.title}”`);
  return `${titles.slice(0, -1).join(", ")} and ${titles[titles.length - 1]} changed in the user's calendar, not by you.`;
}
