//! The rewrite and the guard of one change to a series (see the parent module): the rule's
//! lines moved or ended, and the occurrences they leave compared with the intent.

use jiff::{SignedDuration, Timestamp};

use super::engine::{Clock, Recurrence};
use super::{
    Asked, At, Change, Exception, JUDGED_FOR, Length, Repeats, Rule, Scope, Unsupported, Writes,
    later,
};

/// The rewrite and the guard of one change: its series' clock, its exceptions, how far it is
/// judged, and the move.
pub(super) struct Judge<'a> {
    clock: Clock,
    exceptions: &'a [Exception],
    /// Occurrences from here on are not compared.
    horizon: Timestamp,
    /// Expanded this far, so that what a move brings before the horizon is in.
    pub(super) last: Timestamp,
    /// The move on the series' wall clock.
    delta: chrono::Duration,
    /// The days the occurrence's date moves (the rule's weekdays and month days move as many).
    days: i64,
}

impl<'a> Judge<'a> {
    /// The judge of `change` on the series' `clock`: judged two years past now (or past the
    /// occurrence, or the series' start), expanded a move's length and two days further.
    pub(super) fn new(change: &Change<'a>, clock: Clock) -> Self {
        let o = change.occurrence;
        let (delta, days) = match change.asked {
            Asked::Move { to, .. } => (
                clock.wall(to) - clock.wall(o),
                (clock.wall(to).date() - clock.wall(o).date()).num_days(),
            ),
            Asked::Cancel => (chrono::Duration::zero(), 0),
        };
        let horizon = [change.now, o.instant(), change.series.start.instant()]
            .into_iter()
            .max()
            .map_or(change.now, |t| later(t, JUDGED_FOR));
        let margin = delta.num_seconds().abs() + 2 * 86_400;
        Self {
            clock,
            exceptions: change.exceptions,
            horizon,
            last: later(horizon, SignedDuration::from_secs(margin)),
            delta,
            days,
        }
    }

    /// What `change`, of `scope`, writes to the series' event (and, for a split, adds).
    pub(super) fn writes(
        &self,
        change: &Change<'_>,
        scope: Scope,
        recurrence: &Recurrence,
    ) -> Result<Writes, Unsupported> {
        let (o, first) = (change.occurrence, change.series.start);
        let Asked::Move { to, end } = change.asked else {
            return Ok(Writes::Series {
                times: None,
                recurrence: self.ended_before(recurrence, o),
            });
        };
        let length = Length::between(to, end);
        Ok(if scope == Scope::All {
            let start = self.shift(first);
            Writes::Series {
                times: Some((start, length.after(start))),
                recurrence: self.moved(recurrence, None, first)?,
            }
        } else {
            let start = self.shift(o);
            Writes::Split {
                ended: self.ended_before(recurrence, o),
                times: (start, length.after(start)),
                recurrence: self.moved(recurrence, Some(o), first)?,
            }
        })
    }

    pub(super) fn exception(&self, slot: At) -> Option<&Exception> {
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
                .map_err(|why| Unsupported::new("series_uncountable", why))?
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
    pub(super) fn synced(&self, recurrence: &Recurrence, start: At) -> Result<(), String> {
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
    pub(super) fn check(
        &self,
        change: &Change<'_>,
        visible: &[(At, At)],
        writes: &Writes,
        words: &Repeats,
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
            return Err(Unsupported::new(
                "series_doubles",
                "the intent doubles an occurrence",
            ));
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

    fn refusal(&self, words: &Repeats, why: String) -> Unsupported {
        Unsupported {
            key: "series_wrong_day",
            repeats: Some(words.clone()),
            why,
        }
    }
}
