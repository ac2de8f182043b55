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
mod rule;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use engine::{Clock, Recurrence};
pub(crate) use rule::Rule;

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

/// A change the plan will not make, with the sentence the avatar says instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Unsupported {
    /// What can be done instead, sayable.
    pub message: String,
    /// Why, for the log.
    pub why: String,
}

/// How far an endless series is judged: two years past now (or past the occurrence).
pub const JUDGED_FOR: SignedDuration = SignedDuration::from_hours(24 * 731);

/// Decides the writes of `change` and checks them against the intent (see the module). Pure.
pub fn plan(change: &Change<'_>) -> Result<Planned, Unsupported> {
    let series = change.series;
    let words = Rule::find(series.recurrence)
        .map_or_else(|| "on a repeating schedule".to_owned(), |r| r.describe());
    let unreadable = |why: String| Unsupported {
        message: "I can't rewrite that series safely: its repeat rule is not one I change. I can \
                  move or cancel just this one, or cancel all of them."
            .into(),
        why,
    };
    let clock = Clock::of(series.start, series.zone).map_err(unreadable)?;
    let recurrence = Recurrence::read(series.recurrence, clock).map_err(unreadable)?;
    let o = change.occurrence;
    let delta = match change.asked {
        Asked::Move { to, .. } => Some(clock.wall(to) - clock.wall(o)),
        Asked::Cancel => None,
    };
    let days = match change.asked {
        Asked::Move { to, .. } => (clock.wall(to).date() - clock.wall(o).date()).num_days(),
        Asked::Cancel => 0,
    };
    let horizon = [change.now, o.instant(), series.start.instant()]
        .into_iter()
        .max()
        .map_or(change.now, |t| later(t, JUDGED_FOR));
    let margin = delta.map_or(0, |d| d.num_seconds().abs()) + 2 * 86_400;
    let last = later(horizon, SignedDuration::from_secs(margin));
    let judge = Judge {
        clock,
        exceptions: change.exceptions,
        horizon,
        last,
        delta: delta.unwrap_or_default(),
        days,
    };
    // One occurrence, or the whole series deleted: nothing of the rule to judge.
    match (change.scope, change.asked) {
        (Scope::This, _) => return Ok(Planned::of(Scope::This, Writes::Occurrence)),
        (Scope::All, Asked::Cancel) => return Ok(Planned::of(Scope::All, Writes::DeleteSeries)),
        _ => {}
    }
    let slots = recurrence
        .expand(series.start, clock, last, true)
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
    let reset: Vec<At> = match change.asked {
        Asked::Cancel => Vec::new(),
        Asked::Move { .. } => change
            .exceptions
            .iter()
            .filter(|e| e.original != o && (scope == Scope::All || e.original >= o))
            .filter_map(|e| e.now.filter(|now| *now != e.original))
            .collect(),
    };
    let writes = match change.asked {
        Asked::Cancel => Writes::Series {
            times: None,
            recurrence: judge.ended_before(&recurrence, o),
        },
        Asked::Move { to, end } => {
            let length = Length::between(to, end);
            if scope == Scope::All {
                let start = judge.shift(series.start);
                Writes::Series {
                    times: Some((start, length.after(start))),
                    recurrence: judge.moved(&recurrence, None, series.start)?,
                }
            } else {
                let start = judge.shift(o);
                Writes::Split {
                    ended: judge.ended_before(&recurrence, o),
                    times: (start, length.after(start)),
                    recurrence: judge.moved(&recurrence, Some(o), series.start)?,
                }
            }
        }
    };
    judge.check(change, &visible, &writes, &words)?;
    Ok(Planned {
        scope,
        writes,
        reset,
    })
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

/// The rewrite and the guard of one change: its series' clock, its exceptions, how far it is
/// judged, and the move.
struct Judge<'a> {
    clock: Clock,
    exceptions: &'a [Exception],
    /// Occurrences from here on are not compared.
    horizon: Timestamp,
    /// Expanded this far, so that what a move brings before the horizon is in.
    last: Timestamp,
    /// The move on the series' wall clock.
    delta: chrono::Duration,
    /// The days the occurrence's date moves (the rule's weekdays and month days move as many).
    days: i64,
}

impl Judge<'_> {
    fn exception(&self, slot: At) -> Option<&Exception> {
        self.exceptions.iter().find(|e| e.original == slot)
    }

    /// `at` moved by the change's Δ on the series' wall clock.
    fn shift(&self, at: At) -> At {
        self.clock.resolve(self.clock.wall(at) + self.delta)
    }

    /// The lines of the series ended just before `o`: `UNTIL` one second before it (the day
    /// before, for an all-day series: the same value type as its start), `COUNT` dropped, and
    /// only the dates before `o` kept.
    fn ended_before(&self, recurrence: &Recurrence, o: At) -> Vec<String> {
        let mut rule = recurrence.rule.clone();
        rule.set("COUNT", None);
        let until = match o {
            At::Day(day) => At::Day(day.yesterday().unwrap_or(day)),
            At::Instant(ts) => At::Instant(ts - SignedDuration::from_secs(1)),
        };
        rule.set("UNTIL", Some(self.clock.utc_text(until)));
        let keep = |at: &&At| **at < o;
        self.lines(
            &rule,
            recurrence.exdates.iter().filter(keep).copied(),
            recurrence.rdates.iter().filter(keep).copied(),
        )
    }

    /// The lines of the series moved by Δ from `from` on (`None`: all of it): the rule's days
    /// shifted, `UNTIL` shifted on the series' clock, a `COUNT` reduced by the occurrences
    /// before `from`, and the dropped and added dates from there on shifted, including the
    /// occurrences Google keeps cancelled apart from the rule.
    fn moved(
        &self,
        recurrence: &Recurrence,
        from: Option<At>,
        start: At,
    ) -> Result<Vec<String>, Unsupported> {
        let keep = |at: &At| from.is_none_or(|o| *at >= o);
        let mut rule = recurrence.rule.shifted_by_days(self.days);
        if let Some(until) = recurrence.until(self.clock).ok().flatten() {
            rule.set("UNTIL", Some(self.clock.utc_text(self.shift(until))));
        }
        if let (Some(count), Some(o)) = (recurrence.rule.count(), from) {
            let before = recurrence
                .expand(start, self.clock, o.instant(), false)
                .map_err(|why| Unsupported {
                    message: "I can't count that series' occurrences safely. I can move just \
                              this one."
                        .into(),
                    why,
                })?
                .into_iter()
                .filter(|at| *at < o)
                .count();
            let left = u32::try_from(before).map_or(0, |b| count.saturating_sub(b));
            rule.set("COUNT", Some(left.max(1).to_string()));
        }
        let cancelled = self
            .exceptions
            .iter()
            .filter(|e| e.now.is_none())
            .map(|e| e.original);
        let exdates: Vec<At> = recurrence
            .exdates
            .iter()
            .copied()
            .chain(cancelled)
            .filter(keep)
            .map(|at| self.shift(at))
            .collect();
        let rdates: Vec<At> = recurrence
            .rdates
            .iter()
            .copied()
            .filter(keep)
            .map(|at| self.shift(at))
            .collect();
        Ok(self.lines(&rule, exdates.into_iter(), rdates.into_iter()))
    }

    fn lines(
        &self,
        rule: &Rule,
        exdates: impl Iterator<Item = At>,
        rdates: impl Iterator<Item = At>,
    ) -> Vec<String> {
        let mut exdates: Vec<At> = exdates.collect();
        exdates.sort();
        exdates.dedup();
        let mut rdates: Vec<At> = rdates.collect();
        rdates.sort();
        rdates.dedup();
        std::iter::once(rule.line())
            .chain(
                exdates
                    .into_iter()
                    .map(|at| self.clock.date_line("EXDATE", at)),
            )
            .chain(
                rdates
                    .into_iter()
                    .map(|at| self.clock.date_line("RDATE", at)),
            )
            .collect()
    }

    /// A series whose first start is not an occurrence of its own rule is read differently
    /// by different engines (Google counts the start; RFC 5545 leaves it undefined): not
    /// rewritten.
    fn synced(&self, recurrence: &Recurrence, start: At) -> Result<(), String> {
        let first = recurrence
            .expand(start, self.clock, start.instant(), false)?
            .first()
            .copied();
        if first == Some(start) {
            Ok(())
        } else {
            Err(format!(
                "start {start:?} is not the rule's first occurrence"
            ))
        }
    }

    /// What the series' event holds under `lines` from `start`: the rule's occurrences, with
    /// the exceptions Google keeps by their original start still applied where that start is
    /// still an occurrence (elsewhere they no longer belong to the series).
    fn holds(&self, lines: &[String], start: At) -> Result<Vec<At>, String> {
        let recurrence = Recurrence::read(lines, self.clock)?;
        self.synced(&recurrence, start)?;
        Ok(recurrence
            .expand(start, self.clock, self.last, true)?
            .into_iter()
            .filter_map(|s| match self.exception(s) {
                Some(e) => e.now,
                None => Some(s),
            })
            .collect())
    }

    /// The guard: the occurrences `writes` leave equal the intent, and none is doubled.
    fn check(
        &self,
        change: &Change<'_>,
        visible: &[(At, At)],
        writes: &Writes,
        words: &str,
    ) -> Result<(), Unsupported> {
        let o = change.occurrence;
        let intent: Vec<At> = visible
            .iter()
            .filter_map(|(slot, now)| match (change.asked, writes) {
                (Asked::Cancel, _) => (*slot < o).then_some(*now),
                (Asked::Move { .. }, Writes::Split { .. }) if *slot < o => Some(*now),
                (Asked::Move { .. }, _) => Some(self.shift(*slot)),
            })
            .collect();
        let series_start = change.series.start;
        let after = match writes {
            Writes::Series { times, recurrence } => {
                let start = times.map_or(series_start, |(s, _)| s);
                self.holds(recurrence, start)
            }
            Writes::Split {
                ended,
                times,
                recurrence,
            } => self.holds(ended, series_start).and_then(|mut held| {
                let continuation = Recurrence::read(recurrence, self.clock)?;
                self.synced(&continuation, times.0)?;
                held.extend(continuation.expand(times.0, self.clock, self.last, true)?);
                Ok(held)
            }),
            Writes::Occurrence | Writes::DeleteSeries => return Ok(()),
        }
        .map_err(|why| self.refusal(words, why))?;
        let within = |list: Vec<At>| {
            let mut list: Vec<At> = list
                .into_iter()
                .filter(|at| at.instant() < self.horizon)
                .collect();
            list.sort();
            list
        };
        let mut distinct = intent.clone();
        distinct.sort();
        distinct.dedup();
        if distinct.len() != intent.len() {
            return Err(Unsupported {
                message: "That would put two of them at the same time. I can move just this \
                          one, or pick a time that does not land on another one."
                    .into(),
                why: "the intent doubles an occurrence".into(),
            });
        }
        let (intent, after) = (within(intent), within(after));
        if intent == after {
            return Ok(());
        }
        let first = intent
            .iter()
            .zip(&after)
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("meant {a:?}, would hold {b:?}"))
            .unwrap_or_else(|| format!("{} meant, {} held", intent.len(), after.len()));
        Err(self.refusal(words, first))
    }

    fn refusal(&self, words: &str, why: String) -> Unsupported {
        Unsupported {
            message: format!(
                "I can't move every one of them that way: this series repeats {words}, and no \
                 repeat rule puts each of them on the new day, so some would land on the wrong \
                 day. I can move just this one, or end the series here by cancelling this one \
                 and the ones after it."
            ),
            why,
        }
    }
}

#[cfg(test)]
mod tests;
