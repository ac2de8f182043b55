//! Changes to a recurring series, judged by the occurrences the calendar holds afterwards.
//!
//! A change to occurrence *o* moves it (by Δ, days and a wall-clock time on the series' own
//! clock) or cancels it, for *o* alone (`this`), *o* and every later one (`following`), or
//! every one (`all`). [`plan`] decides the writes in one pass: the series' rule rewritten by
//! the RFC 5545 engine's reading of it (weekdays, month days, `UNTIL`, `EXDATE` and `RDATE`
//! shifted with the series; a split's continuation carrying what follows *o*), then the
//! guard: the series as it is and as the writes leave it are both expanded over its life (two
//! years for an endless one) and compared with the intent. Any difference, and nothing is
//! written: the answer is a sentence saying what can be done instead.
//!
//! Pure and at the bottom: no Google types; the tools read the events and write the plan.

mod engine;
mod judge;
mod rule;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use engine::{Clock, Recurrence};
use judge::Judge;
pub(crate) use rule::Rule;
pub use rule::{Every, Repeats};

/// When an occurrence starts: an instant (a timed series), or a day (an all-day series).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum At {
    /// A timed occurrence's start.
    Instant(Timestamp),
    /// An all-day occurrence's day.
    Day(Date),
}

impl At {
    /// As an instant, for ordering against now and horizons (a day at its midnight in UTC).
    pub fn instant(self) -> Timestamp {
        match self {
            Self::Instant(ts) => ts,
            Self::Day(day) => day
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map_or(Timestamp::UNIX_EPOCH, |z| z.timestamp()),
        }
    }
}

/// Which occurrences of a series a change is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// This occurrence (or the one event that does not repeat).
    This,
    /// This occurrence and the ones after it: the series is split.
    Following,
    /// Every occurrence.
    All,
}

/// A series as it is: when it starts (its first occurrence), its zone, its lines.
#[derive(Clone, Copy, Debug)]
pub struct Series<'a> {
    /// The first occurrence's start (`DTSTART`).
    pub start: At,
    /// The series' own zone (Google's `start.timeZone`); ignored for an all-day series.
    pub zone: &'a str,
    /// Google's `recurrence` lines.
    pub recurrence: &'a [String],
}

/// An occurrence Google keeps apart from the rule: cancelled (`now: None`), or moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exception {
    /// Where the rule puts it (Google's `originalStartTime`).
    pub original: At,
    /// Where it is now; `None` when it was cancelled.
    pub now: Option<At>,
}

/// What is asked of the occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    /// To start at `to` and end at `end` (the same kind of value as the series').
    Move {
        /// The occurrence's new start.
        to: At,
        /// Its new end (for a day, the day after the last, as Google writes it).
        end: At,
    },
    /// Cancelled.
    Cancel,
}

/// A change to one occurrence of a series.
#[derive(Clone, Copy, Debug)]
pub struct Change<'a> {
    /// The series.
    pub series: Series<'a>,
    /// Its cancelled and moved occurrences.
    pub exceptions: &'a [Exception],
    /// The occurrence named, by where the rule puts it.
    pub occurrence: At,
    /// Which occurrences.
    pub scope: Scope,
    /// What is asked.
    pub asked: Asked,
    /// Now, from which an endless series is judged over two years.
    pub now: Timestamp,
}

/// What the series' event is made to hold, or what is added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Writes {
    /// Only the occurrence itself changes (its own id; the rule stays).
    Occurrence,
    /// The whole series goes.
    DeleteSeries,
    /// The series' event gets these `recurrence` lines and, for a move, these times.
    Series {
        /// New first start and end, for a move.
        times: Option<(At, At)>,
        /// The new `recurrence`.
        recurrence: Vec<String>,
    },
    /// The series ends before the occurrence and a new series continues from the new time.
    Split {
        /// The old series' new `recurrence` (it ends before the occurrence).
        ended: Vec<String>,
        /// The continuation's first start and end.
        times: (At, At),
        /// The continuation's `recurrence`.
        recurrence: Vec<String>,
    },
}

/// The writes decided, checked against the intent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// The scope as applied: `following` from the first occurrence is `all`.
    pub scope: Scope,
    /// What is written.
    pub writes: Writes,
    /// Occurrences moved on their own that the change puts back in the series' pattern (their
    /// own time is not kept): said in the read-back, where they are now.
    pub reset: Vec<At>,
}

impl Planned {
    fn of(scope: Scope, writes: Writes) -> Self {
        Self {
            scope,
            writes,
            reset: Vec::new(),
        }
    }
}

/// A change the plan will not make: the key of the sentence the avatar says instead (the
/// service's tables hold it in each language), with the series' rule when it names it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {why}")]
pub struct Unsupported {
    /// Which sentence says what can be done instead.
    pub key: &'static str,
    /// The series' rule, for a sentence that says how it repeats.
    pub repeats: Option<Repeats>,
    /// Why, for the log.
    pub why: String,
}

impl Unsupported {
    /// Refused as the sentence `key` says, for the reason `why`.
    pub(crate) fn new(key: &'static str, why: impl Into<String>) -> Self {
        Self {
            key,
            repeats: None,
            why: why.into(),
        }
    }
}

/// How far an endless series is judged: two years past now (or past the occurrence).
pub const JUDGED_FOR: SignedDuration = SignedDuration::from_hours(24 * 731);

/// Decides the writes of `change` and checks them against the intent (see the module). Pure.
pub fn plan(change: &Change<'_>) -> Result<Planned, Unsupported> {
    // One occurrence, or the whole series deleted: nothing of the rule to judge.
    match (change.scope, change.asked) {
        (Scope::This, _) => return Ok(Planned::of(Scope::This, Writes::Occurrence)),
        (Scope::All, Asked::Cancel) => return Ok(Planned::of(Scope::All, Writes::DeleteSeries)),
        _ => {}
    }
    let series = change.series;
    let clock = Clock::of(series.start, series.zone).map_err(unreadable)?;
    let recurrence = Recurrence::read(series.recurrence, clock).map_err(unreadable)?;
    let judge = Judge::new(change, clock);
    let o = change.occurrence;
    let slots = recurrence
        .expand(series.start, clock, judge.last, true)
        .map_err(unreadable)?;
    let visible: Vec<(At, At)> = slots
        .iter()
        .filter_map(|s| match judge.exception(*s) {
            Some(e) => e.now.map(|now| (*s, now)),
            None => Some((*s, *s)),
        })
        .collect();
    let scope = match change.scope {
        Scope::Following if !visible.iter().any(|(s, _)| *s < o) => Scope::All,
        scope => scope,
    };
    if change.asked == Asked::Cancel && scope == Scope::All {
        return Ok(Planned::of(scope, Writes::DeleteSeries));
    }
    if !slots.contains(&o) {
        return Err(unreadable(format!(
            "occurrence {o:?} is not one of the rule's"
        )));
    }
    judge
        .synced(&recurrence, series.start)
        .map_err(unreadable)?;
    let writes = judge.writes(change, scope, &recurrence)?;
    let words = Repeats::of(series.recurrence);
    judge.check(change, &visible, &writes, &words)?;
    Ok(Planned {
        scope,
        writes,
        reset: reset(change, scope),
    })
}

/// A series whose rule the engine cannot read, or does not read as Google does.
fn unreadable(why: String) -> Unsupported {
    Unsupported::new("series_unreadable", why)
}

/// The occurrences moved on their own that a move of `scope` puts back in the pattern.
fn reset(change: &Change<'_>, scope: Scope) -> Vec<At> {
    if change.asked == Asked::Cancel {
        return Vec::new();
    }
    let o = change.occurrence;
    change
        .exceptions
        .iter()
        .filter(|e| e.original != o && (scope == Scope::All || e.original >= o))
        .filter_map(|e| e.now.filter(|now| *now != e.original))
        .collect()
}

/// `at` plus `by`, at most the last instant there is.
fn later(at: Timestamp, by: SignedDuration) -> Timestamp {
    at.checked_add(by).unwrap_or(Timestamp::MAX)
}

/// An occurrence's length: a duration, or whole days (the last day counted).
#[derive(Clone, Copy, Debug)]
enum Length {
    Timed(SignedDuration),
    Days(i64),
}

impl Length {
    fn between(start: At, end: At) -> Self {
        match (start, end) {
            (At::Day(a), At::Day(b)) => Self::Days(i64::from((b - a).get_days())),
            (a, b) => Self::Timed(b.instant().duration_since(a.instant())),
        }
    }

    fn after(self, start: At) -> At {
        match (self, start) {
            (Self::Days(n), At::Day(day)) => {
                At::Day(day.checked_add(jiff::Span::new().days(n)).unwrap_or(day))
            }
            (Self::Timed(d), at) => At::Instant(later(at.instant(), d)),
            (Self::Days(n), at) => {
                At::Instant(later(at.instant(), SignedDuration::from_hours(24 * n)))
            }
        }
    }
}

#[cfg(test)]
mod tests;
