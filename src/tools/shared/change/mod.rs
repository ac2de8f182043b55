//! A change to an event, read back by `propose_change` and applied by `apply_change`: what is
//! stored under the change id, and the exact writes it makes, decided when it is proposed.
//! Deciding is one pure pass ([`plan`]): what was read becomes the domain's series and change,
//! the domain decides and checks the series' writes ([`crate::calendar::series::plan`]), and
//! the writes become Google requests (`bodies`). The tools around it read and write.

mod bodies;
pub(crate) mod repair;

use google_calendar3::api::Event;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::args::choice;
pub(crate) use crate::calendar::series::Scope;
use crate::calendar::series::{self, Asked as SeriesAsked, At, Change, Exception, Series, Writes};
use crate::calendar::{Zone, edge, guests_told};
use crate::error::{Action, Error, Result};
use bodies::{at_json, continuation, occurrence_of, start_at, times_json, with_note};

choice! {
    /// What the change does.
    pub(crate) enum Verb {
        /// New times.
        Move = "move",
        /// Deleted, guests told.
        Cancel = "cancel",
    }
}

/// New times: on the clock, or whole days (an all-day event moved to whole days stays one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Times {
    /// From, to.
    Timed(Timestamp, Timestamp),
    /// The first day and the day after the last (Google's exclusive end).
    AllDay(Date, Date),
}

impl Times {
    fn ats(self) -> (At, At) {
        match self {
            Self::Timed(s, e) => (At::Instant(s), At::Instant(e)),
            Self::AllDay(s, e) => (At::Day(s), At::Day(e)),
        }
    }
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

/// How a split series is put back if its continuation cannot be written: the series' own
/// lines before the change, and the ones the change gave it (to recognise its own write).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Undo {
    /// The series' `recurrence` as it was read.
    pub(crate) original: Vec<String>,
    /// Its `recurrence` once ended before the occurrence.
    pub(crate) ended: Vec<String>,
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
    /// Everyone any of the writes tells (`sendUpdates=all`): the series' guests for `all` and
    /// `following`, the occurrence's for `this`.
    pub(crate) guests: Vec<String>,
    /// The e-mails Google sends: each write that tells, one per guest (a split tells twice:
    /// its end and the new series).
    pub(crate) emails: u32,
    /// The event the user ends up with (a moved series' continuation, when split).
    pub(crate) result_id: String,
    /// The writes.
    pub(crate) steps: Vec<Step>,
    /// For `all` and `following`: the series, so the page can draw each occurrence moved.
    #[serde(default)]
    pub(crate) series_id: Option<String>,
    /// Occurrences moved on their own that the change puts back in the series' pattern, where
    /// they are now (said in the read-back).
    #[serde(default)]
    pub(crate) reset: Vec<Value>,
    /// For a split: how to put the series back.
    #[serde(default)]
    pub(crate) undo: Option<Undo>,
}

/// What `propose_change` read: the event named, where, and for an occurrence its series and
/// the occurrences Google keeps apart from the series' rule.
pub(crate) struct Read {
    pub(crate) calendar_id: String,
    /// The event named (an occurrence, a series, or a single event).
    pub(crate) event: Event,
    /// The series of an occurrence (or the series itself when it was named).
    pub(crate) master: Option<Event>,
    /// The series' occurrences as Google keeps them (read for `following` and `all`).
    pub(crate) instances: Vec<Event>,
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
    /// Now.
    pub(crate) now: Timestamp,
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
fn continuation_id(user_id: &str, master: &str, from: At, times: Times) -> String {
    let mut hash = Sha256::new();
    for part in [
        "calendar-agent/split/v1",
        user_id,
        master,
        &format!("{from:?}"),
        &format!("{times:?}"),
    ] {
        hash.update(part.len().to_le_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(&hash.finalize()[..16])
}

/// The occurrences Google keeps apart from the rule: cancelled ones, and ones moved.
fn exceptions(instances: &[Event]) -> Vec<Exception> {
    instances
        .iter()
        .filter_map(|i| {
            let original = occurrence_of(i)?;
            if i.status.as_deref() == Some("cancelled") {
                return Some(Exception {
                    original,
                    now: None,
                });
            }
            let now = start_at(i.start.as_ref())?;
            (now != original).then_some(Exception {
                original,
                now: Some(now),
            })
        })
        .collect()
}

/// Decides the writes of `asked` on what was `read`. Pure.
pub(crate) fn plan(read: &Read, asked: &Asked<'_>) -> Result<Proposal> {
    let event = &read.event;
    let cal = read.calendar_id.as_str();
    let all_day = event.start.as_ref().is_some_and(|s| s.date.is_some());
    let title = event.summary.clone().unwrap_or_else(|| "(no title)".into());
    let from = (
        edge(event.start.as_ref(), asked.zone, false),
        edge(event.end.as_ref(), asked.zone, all_day),
    );
    let to = asked
        .times
        .filter(|_| asked.action == Verb::Move)
        .map(|t| answer_times(t, asked.zone));
    if asked.action == Verb::Move && asked.times.is_none() {
        return Err(Error::invalid(
            "start",
            "start is required to move an event.",
        ));
    }
    let planned = match &read.master {
        Some(master) => Some(plan_series(read, master, asked)?),
        None => None,
    };
    let scope = planned.as_ref().map_or(Scope::This, |p| p.scope);
    let writes = planned.as_ref().map_or(&Writes::Occurrence, |p| &p.writes);
    let master = read.master.as_ref().unwrap_or(event);
    // Who hears of it: the series' guests when the series is written, else the event's.
    let guests = match writes {
        Writes::Occurrence => guests_told(event),
        _ => guests_told(master),
    };
    let send = if guests.is_empty() { "none" } else { "all" };
    let mut steps = Vec::new();
    let mut result_id = event.id.clone().unwrap_or_default();
    let mut undo = None;
    match (writes, asked.times) {
        (Writes::Occurrence, _) if asked.action == Verb::Cancel => {
            cancel(&mut steps, cal, event, asked.note, send);
        }
        (Writes::Occurrence, times) => {
            let (start, end) = times
                .map(|t| times_json(t, &asked.zone.name))
                .unwrap_or_default();
            let mut body = Map::from_iter([("start".into(), start), ("end".into(), end)]);
            with_note(event, asked.note, &mut body);
            steps.push(step(Write::Patch, cal, event, Value::Object(body), send));
        }
        (Writes::DeleteSeries, _) => {
            cancel(&mut steps, cal, master, asked.note, send);
            result_id = master.id.clone().unwrap_or_default();
        }
        (Writes::Series { times, recurrence }, _) => {
            let zone = series_zone(master, asked.zone);
            let mut body = Map::from_iter([("recurrence".into(), json!(recurrence))]);
            if let Some((start, end)) = times {
                body.insert("start".into(), at_json(*start, &zone));
                body.insert("end".into(), at_json(*end, &zone));
            }
            with_note(master, asked.note, &mut body);
            steps.push(step(Write::Patch, cal, master, Value::Object(body), send));
            result_id = master.id.clone().unwrap_or_default();
        }
        (
            Writes::Split {
                ended,
                times,
                recurrence,
            },
            Some(asked_times),
        ) => {
            let body = json!({ "recurrence": ended });
            steps.push(step(Write::Patch, cal, master, body, send));
            let occurrence = occurrence_of(event).unwrap_or(times.0);
            let id = continuation_id(
                asked.user_id,
                master.id.as_deref().unwrap_or_default(),
                occurrence,
                asked_times,
            );
            let zone = series_zone(master, asked.zone);
            let body = continuation(master, &id, *times, &zone, recurrence, asked.note);
            steps.push(Step {
                write: Write::Insert,
                calendar: cal.to_owned(),
                event_id: id.clone(),
                etag: None,
                body,
                send_updates: send.to_owned(),
            });
            undo = Some(Undo {
                original: master.recurrence.clone().unwrap_or_default(),
                ended: ended.clone(),
            });
            result_id = id;
        }
        (Writes::Split { .. }, None) => {
            return Err(Error::invalid(
                "start",
                "start is required to move an event.",
            ));
        }
    }
    let tellings = steps.iter().filter(|s| s.send_updates == "all").count();
    let emails = u32::try_from(guests.len().saturating_mul(tellings)).unwrap_or(u32::MAX);
    let series_id = (scope != Scope::This).then(|| master.id.clone()).flatten();
    let reset = planned
        .map(|p| p.reset)
        .unwrap_or_default()
        .into_iter()
        .map(|at| reset_json(at, asked.zone))
        .collect();
    Ok(Proposal {
        action: asked.action,
        scope,
        title,
        timezone: asked.zone.name.clone(),
        from,
        to,
        guests,
        emails,
        result_id,
        steps,
        series_id,
        reset,
        undo,
    })
}

fn reset_json(at: At, zone: &Zone) -> Value {
    match at {
        At::Instant(ts) => json!(zone.format(ts)),
        At::Day(day) => json!(day.to_string()),
    }
}

/// A cancellation of `event`: with a note, the note goes into the description quietly first,
/// so the notice carries it; then the deletion on the etag that left.
fn cancel(steps: &mut Vec<Step>, cal: &str, event: &Event, note: Option<&str>, send: &str) {
    if note.is_some() {
        let mut body = Map::new();
        with_note(event, note, &mut body);
        steps.push(step(Write::Patch, cal, event, Value::Object(body), "none"));
    }
    let mut delete = step(Write::Delete, cal, event, Value::Null, send);
    if note.is_some() {
        delete.etag = None;
    }
    steps.push(delete);
}

/// The series' own zone (Google requires one on a series; the answer's zone otherwise).
fn series_zone(master: &Event, zone: &Zone) -> String {
    master
        .start
        .as_ref()
        .and_then(|s| s.time_zone.clone())
        .unwrap_or_else(|| zone.name.clone())
}

/// The domain's plan for a change to an occurrence of `master` (or to the series named).
fn plan_series(read: &Read, master: &Event, asked: &Asked<'_>) -> Result<series::Planned> {
    let event = &read.event;
    let Some(start) = start_at(master.start.as_ref()) else {
        return Err(Error::invalid(
            "event_id",
            "That series has no start I can read; change just this one (scope this).",
        ));
    };
    let occurrence = occurrence_of(event).unwrap_or(start);
    let series_asked = match (asked.action, asked.times) {
        (Verb::Cancel, _) => SeriesAsked::Cancel,
        (Verb::Move, Some(times)) => {
            let (to, end) = times.ats();
            if matches!(start, At::Day(_))
                && matches!(to, At::Instant(_))
                && asked.scope != Scope::This
            {
                return Err(Error::invalid(
                    "start",
                    "That series is all day: give the new day as a date (like 2030-03-13) to \
                     move every one, or move just this one to a time (scope this).",
                ));
            }
            SeriesAsked::Move { to, end }
        }
        (Verb::Move, None) => {
            return Err(Error::invalid(
                "start",
                "start is required to move an event.",
            ));
        }
    };
    let recurrence = master.recurrence.clone().unwrap_or_default();
    let zone = series_zone(master, asked.zone);
    let exceptions = exceptions(&read.instances);
    let change = Change {
        series: Series {
            start,
            zone: &zone,
            recurrence: &recurrence,
        },
        exceptions: &exceptions,
        occurrence,
        scope: asked.scope,
        asked: series_asked,
        now: asked.now,
    };
    series::plan(&change).map_err(|refused| {
        tracing::info!(why = %refused.why, "a series change was refused by the guard");
        Error::Action(Action::SeriesChangeUnsupported(refused.message))
    })
}

#[cfg(test)]
mod tests;
