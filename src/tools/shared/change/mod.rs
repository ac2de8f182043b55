//! A change to an event, read back by `propose_change` and applied by `apply_change`: what is
//! stored under the change id, and the exact writes it makes, decided when it is proposed.
//! Deciding is one pure pass ([`plan`]): what was read becomes the domain's series and change,
//! the domain decides and checks the series' writes ([`crate::calendar::series::plan`]), and
//! the writes become Google requests (`bodies`). The tools around it read and write.

mod bodies;
pub(crate) mod repair;
mod series_plan;
mod steps;

use google_calendar3::api::Event;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::args::{Choice, choice};
pub(crate) use crate::calendar::series::Scope;
use crate::calendar::series::{At, Writes};
use crate::calendar::{Zone, edge, guests_told};
use crate::error::{Error, Result};
use series_plan::plan_series;

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
    /// The Google account the event is on, when the person has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) account: Option<String>,
}

impl Proposal {
    /// The change in a few words, for the audit: `move (following) Standup, 2030-03-05T09:00 →
    /// 2030-03-05T10:00`.
    pub(crate) fn summary(&self) -> String {
        let scope = serde_json::to_value(self.scope).unwrap_or_default();
        let edge = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let mut out = format!(
            "{} ({}) {}, {}",
            self.action.word(),
            scope.as_str().unwrap_or_default(),
            self.title,
            edge(&self.from.0)
        );
        if let Some((start, _)) = &self.to {
            out.push_str(&format!(" → {}", edge(start)));
        }
        out
    }
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

/// Decides the writes of `asked` on what was `read`. Pure.
pub(crate) fn plan(read: &Read, asked: &Asked<'_>) -> Result<Proposal> {
    let event = &read.event;
    let all_day = event.start.as_ref().is_some_and(|s| s.date.is_some());
    let moved_to = match (asked.action, asked.times) {
        (Verb::Move, None) => return Err(start_required()),
        (Verb::Move, Some(times)) => Some(times),
        (Verb::Cancel, _) => None,
    };
    let planned = match &read.master {
        Some(master) => Some(plan_series(read, master, asked, moved_to)?),
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
    let written = steps::written(read, writes, asked, moved_to, send);
    let tellings = written
        .steps
        .iter()
        .filter(|s| s.send_updates == "all")
        .count();
    let reset = planned.map(|p| p.reset).unwrap_or_default();
    Ok(Proposal {
        action: asked.action,
        scope,
        title: event.summary.clone().unwrap_or_else(|| "(no title)".into()),
        timezone: asked.zone.name.clone(),
        from: (
            edge(event.start.as_ref(), asked.zone, false),
            edge(event.end.as_ref(), asked.zone, all_day),
        ),
        to: moved_to.map(|t| answer_times(t, asked.zone)),
        emails: u32::try_from(guests.len().saturating_mul(tellings)).unwrap_or(u32::MAX),
        guests,
        result_id: written.result_id,
        steps: written.steps,
        series_id: (scope != Scope::This).then(|| master.id.clone()).flatten(),
        reset: reset
            .into_iter()
            .map(|at| reset_json(at, asked.zone))
            .collect(),
        undo: written.undo,
        account: None,
    })
}

/// A move without its new start.
fn start_required() -> Error {
    Error::invalid(
        "start",
        crate::messages::Said::key("move_needs").var("argument", "start"),
    )
}

fn reset_json(at: At, zone: &Zone) -> Value {
    match at {
        At::Instant(ts) => json!(zone.format(ts)),
        At::Day(day) => json!(day.to_string()),
    }
}

#[cfg(test)]
mod tests;
