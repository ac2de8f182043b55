//! A change to an event, read back by `propose_change` and applied by `apply_change`: what is
//! stored under the change id, and the exact writes it makes, decided when it is proposed
//! (DESIGN.md §15). Deciding is pure ([`plan`]); the tools around it read and write.

use google_calendar3::api::{Event, EventDateTime};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::calendar::{Zone, edge, from_chrono, guests_told};

mod series;

use crate::error::{Error, Result};
use series::{continuation, occurrence_start, shifted_series, trimmed};

/// What the change does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Verb {
    /// New times.
    Move,
    /// Deleted, guests told.
    Cancel,
}

/// Which occurrences of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Scope {
    /// This occurrence (or the one event that does not repeat).
    This,
    /// This occurrence and the ones after it: the series is split.
    Following,
    /// Every occurrence.
    All,
}

/// New times: on the clock, or whole days (an all-day event moved to whole days stays one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Times {
    /// From, to.
    Timed(Timestamp, Timestamp),
    /// The first day and the day after the last (Google's exclusive end).
    AllDay(Date, Date),
}

/// One write, in order. `etag: None` takes the etag the previous write left.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Step {
    /// `patch`, `delete` or `insert`.
    pub(crate) write: Write,
    /// The calendar written.
    pub(crate) calendar: String,
    /// The event written (an insert's new id).
    pub(crate) event_id: String,
    /// `If-Match`.
    pub(crate) etag: Option<String>,
    /// The fields sent (patch, insert).
    pub(crate) body: Value,
    /// Google's `sendUpdates`.
    pub(crate) send_updates: String,
}

/// The kind of write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Write {
    /// `events.patch` with `If-Match`.
    Patch,
    /// `events.delete` with `If-Match`.
    Delete,
    /// `events.insert` of a series' continuation, its id fixed.
    Insert,
}

/// What is stored under a change id: what was read back and what will be written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Proposal {
    pub(crate) action: Verb,
    pub(crate) scope: Scope,
    pub(crate) title: String,
    /// The answer's zone.
    pub(crate) timezone: String,
    /// Now (RFC 3339 in the zone; dates for all-day).
    pub(crate) from: (Value, Value),
    /// After a move.
    pub(crate) to: Option<(Value, Value)>,
    /// Everyone Google tells.
    pub(crate) guests: Vec<String>,
    /// The e-mails Google sends (the guests, twice for a split series moved: its end and
    /// the new series).
    pub(crate) emails: u32,
    /// The event the user ends up with (a moved series' continuation, when split).
    pub(crate) result_id: String,
    /// The writes.
    pub(crate) steps: Vec<Step>,
}

/// What `propose_change` read: the event named, where, and for an occurrence its series.
pub(crate) struct Read {
    pub(crate) calendar_id: String,
    /// The event named (an occurrence, a series, or a single event).
    pub(crate) event: Event,
    /// The series of an occurrence.
    pub(crate) master: Option<Event>,
    /// For a split of a series with a `COUNT`: its occurrences before this one.
    pub(crate) before: Option<u32>,
}

/// The change asked for.
pub(crate) struct Asked<'a> {
    pub(crate) action: Verb,
    pub(crate) scope: Scope,
    pub(crate) times: Option<Times>,
    pub(crate) note: Option<&'a str>,
    pub(crate) zone: &'a Zone,
    /// Who asks, to derive the continuation's id.
    pub(crate) user_id: &'a str,
}

fn start_of(event: &Event) -> Option<Timestamp> {
    event.start.as_ref()?.date_time.and_then(from_chrono)
}

fn day_of(at: Option<&EventDateTime>) -> Option<Date> {
    use chrono::Datelike;
    let d = at?.date?;
    Date::new(
        i16::try_from(d.year()).ok()?,
        i8::try_from(d.month()).ok()?,
        i8::try_from(d.day()).ok()?,
    )
    .ok()
}

fn times_json(times: Times, zone: &str) -> (Value, Value) {
    match times {
        Times::Timed(s, e) => (
            json!({"dateTime": s.to_string(), "timeZone": zone}),
            json!({"dateTime": e.to_string(), "timeZone": zone}),
        ),
        Times::AllDay(s, e) => (
            json!({"date": s.to_string()}),
            json!({"date": e.to_string()}),
        ),
    }
}

fn answer_times(times: Times, zone: &Zone) -> (Value, Value) {
    match times {
        Times::Timed(s, e) => (json!(zone.format(s)), json!(zone.format(e))),
        Times::AllDay(s, e) => (
            json!(s.to_string()),
            json!(e.yesterday().unwrap_or(e).to_string()),
        ),
    }
}

fn with_note(event: &Event, note: Option<&str>, body: &mut Map<String, Value>) {
    if let Some(note) = note {
        let before = event.description.as_deref().unwrap_or_default();
        let text = if before.is_empty() {
            note.to_owned()
        } else {
            format!("{before}\n\n{note}")
        };
        body.insert("description".into(), json!(text));
    }
}

fn step(write: Write, calendar: &str, event: &Event, body: Value, send: &str) -> Step {
    Step {
        write,
        calendar: calendar.to_owned(),
        event_id: event.id.clone().unwrap_or_default(),
        etag: event.etag.clone(),
        body,
        send_updates: send.to_owned(),
    }
}

/// The continuation of a split series: the same for every proposal of the same split, so a
/// retry that reaches Google meets its own series (409) instead of making a second one.
fn continuation_id(user_id: &str, master: &str, from: Timestamp, times: Times) -> String {
    let mut hash = Sha256::new();
    for part in [
        "calendar-agent/split/v1",
        user_id,
        master,
        &from.to_string(),
        &format!("{times:?}"),
    ] {
        hash.update(part.len().to_le_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(&hash.finalize()[..16])
}

/// Decides the writes of `asked` on what was `read`. Pure.
pub(crate) fn plan(read: &Read, asked: &Asked<'_>) -> Result<Proposal> {
    let event = &read.event;
    let series = read
        .master
        .as_ref()
        .or(event.recurrence.as_ref().map(|_| event));
    let guests = guests_told(event);
    let send = if guests.is_empty() { "none" } else { "all" };
    // The first occurrence split off is the whole series.
    let scope = match (asked.scope, series, read.master.as_ref()) {
        (_, None, _) => Scope::This,
        (Scope::Following, Some(m), Some(_))
            if start_of(m).is_some() && start_of(m) == occurrence_start(event) =>
        {
            Scope::All
        }
        (scope, _, _) => scope,
    };
    let target = match scope {
        Scope::This => event,
        Scope::All | Scope::Following => series.unwrap_or(event),
    };
    let all_day = event.start.as_ref().is_some_and(|s| s.date.is_some());
    let cal = read.calendar_id.as_str();
    let (steps, result_id, emails_per_guest) = steps(read, asked, scope, target, cal, send)?;
    let emails = u32::try_from(guests.len())
        .unwrap_or(u32::MAX)
        .saturating_mul(emails_per_guest);
    Ok(Proposal {
        action: asked.action,
        scope,
        title: event.summary.clone().unwrap_or_else(|| "(no title)".into()),
        timezone: asked.zone.name.clone(),
        from: (
            edge(event.start.as_ref(), asked.zone, false),
            edge(event.end.as_ref(), asked.zone, all_day),
        ),
        to: asked
            .times
            .filter(|_| asked.action == Verb::Move)
            .map(|t| answer_times(t, asked.zone)),
        guests,
        emails,
        result_id,
        steps,
    })
}

/// The writes of `asked` on `target`, the event the user ends up with, and how many e-mails
/// each guest gets.
fn steps(
    read: &Read,
    asked: &Asked<'_>,
    scope: Scope,
    target: &Event,
    cal: &str,
    send: &str,
) -> Result<(Vec<Step>, String, u32)> {
    let event = &read.event;
    let mut steps = Vec::new();
    let mut per_guest = 1;
    let mut result_id = target.id.clone().unwrap_or_default();
    match (asked.action, scope, asked.times) {
        (Verb::Cancel, Scope::Following, _) => {
            steps.push(step(
                Write::Patch,
                cal,
                target,
                trimmed(target, event, asked.note)?,
                send,
            ));
        }
        (Verb::Cancel, _, _) => {
            if asked.note.is_some() {
                let mut body = Map::new();
                with_note(target, asked.note, &mut body);
                steps.push(step(Write::Patch, cal, target, Value::Object(body), "none"));
            }
            let mut delete = step(Write::Delete, cal, target, Value::Null, send);
            if asked.note.is_some() {
                delete.etag = None;
            }
            steps.push(delete);
        }
        (Verb::Move, _, None) => {
            return Err(Error::invalid(
                "start",
                "start is required to move an event.",
            ));
        }
        (Verb::Move, Scope::This, Some(times)) => {
            let (start, end) = times_json(times, &asked.zone.name);
            let mut body = Map::from_iter([("start".into(), start), ("end".into(), end)]);
            with_note(target, asked.note, &mut body);
            steps.push(step(Write::Patch, cal, target, Value::Object(body), send));
        }
        (Verb::Move, Scope::All, Some(times)) => {
            let body = shifted_series(target, event, times, asked)?;
            steps.push(step(Write::Patch, cal, target, body, send));
        }
        (Verb::Move, Scope::Following, Some(times)) => {
            steps.push(step(
                Write::Patch,
                cal,
                target,
                trimmed(target, event, None)?,
                send,
            ));
            let from = occurrence_start(event).unwrap_or(Timestamp::UNIX_EPOCH);
            let id = continuation_id(
                asked.user_id,
                target.id.as_deref().unwrap_or_default(),
                from,
                times,
            );
            let body = continuation(target, &id, times, asked, read.before)?;
            steps.push(Step {
                write: Write::Insert,
                calendar: cal.to_owned(),
                event_id: id.clone(),
                etag: None,
                body,
                send_updates: "all".into(),
            });
            per_guest = 2;
            result_id = id;
        }
    }
    Ok((steps, result_id, per_guest))
}

#[cfg(test)]
mod tests;
