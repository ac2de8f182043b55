//! One `RRULE` as Google keeps it in `recurrence`: its parts in the order written, read by the
//! `rrule` crate for everything that needs the rule's meaning, and said in words for the
//! question "just this one, this and the following, or all of them?".
//!
//! The parts are kept as written so a rewrite changes only the parts it must (the `rrule`
//! crate's own printer drops an ordinal of 1, turning "the first Monday" into "every Monday").

use std::str::FromStr;

use chrono::Weekday;
use rrule::{Frequency, NWeekday, RRule, Unvalidated};

/// An `RRULE`'s parts, in order (`FREQ=WEEKLY;BYDAY=MO` → [(FREQ, WEEKLY), (BYDAY, MO)]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rule {
    parts: Vec<(String, String)>,
}

impl Rule {
    /// The `RRULE` among Google's `recurrence` lines (`EXDATE`/`RDATE` lines are read apart).
    pub(crate) fn find(recurrence: &[String]) -> Option<Self> {
        recurrence
            .iter()
            .find_map(|line| line.strip_prefix("RRULE:"))
            .map(Self::parse)
    }

    fn parse(text: &str) -> Self {
        let parts = text
            .split(';')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.trim().to_ascii_uppercase(), v.trim().to_owned()))
            .collect();
        Self { parts }
    }

    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.parts
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets `key` where it stands (or at the end), or removes it.
    pub(super) fn set(&mut self, key: &str, value: Option<String>) {
        match (self.parts.iter().position(|(k, _)| k == key), value) {
            (Some(i), Some(value)) => self.parts[i].1 = value,
            (Some(i), None) => {
                self.parts.remove(i);
            }
            (None, Some(value)) => self.parts.push((key.to_owned(), value)),
            (None, None) => {}
        }
    }

    /// As Google's `recurrence` line.
    pub(crate) fn line(&self) -> String {
        let body: Vec<String> = self.parts.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("RRULE:{}", body.join(";"))
    }

    /// `COUNT`, when the series ends after so many occurrences.
    pub(crate) fn count(&self) -> Option<u32> {
        self.get("COUNT").and_then(|c| c.parse().ok())
    }

    /// The rule as the engine reads it, without its `UNTIL` (whose value type depends on the
    /// series' start; the caller sets it).
    pub(super) fn engine(&self) -> Result<RRule<Unvalidated>, String> {
        let body: Vec<String> = self
            .parts
            .iter()
            .filter(|(k, _)| k != "UNTIL")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        RRule::from_str(&body.join(";")).map_err(|e| e.to_string())
    }

    /// The rule's frequency, as the engine reads it.
    pub(super) fn frequency(&self) -> Option<Frequency> {
        self.engine().ok().map(|r| r.get_freq())
    }

    /// The same pattern `days` days later (negative: earlier), as far as a rule can say it:
    /// weekdays move (with the week's start, for a rule every few weeks on several days), month
    /// days and year days move, an ordinal weekday moves by whole weeks. What a rule cannot
    /// say stays as it was; the guard then sees the difference and refuses.
    pub(super) fn shifted_by_days(&self, days: i64) -> Self {
        let mut rule = self.clone();
        if days == 0 {
            return rule;
        }
        let Ok(engine) = self.engine() else {
            return rule;
        };
        let step = days.rem_euclid(7);
        let weeks = (days % 7 == 0).then_some(days / 7);
        let by_day: Vec<NWeekday> = engine.get_by_weekday().to_vec();
        if !by_day.is_empty() {
            let moved: Vec<String> = by_day
                .iter()
                .map(|d| match *d {
                    NWeekday::Every(w) => day_code(None, plus(w, step)),
                    NWeekday::Nth(n, w) => match weeks {
                        Some(k) => day_code(Some(ordinal_plus(n, k)), w),
                        None => day_code(Some(n), plus(w, step)),
                    },
                })
                .collect();
            rule.set("BYDAY", Some(moved.join(",")));
            let several_weeks = engine.get_interval() > 1 && by_day.len() > 1;
            if engine.get_freq() == Frequency::Weekly && several_weeks && step != 0 {
                // Every few weeks on several days: the week's boundary moves with the days, so
                // each day stays in the week it belonged to.
                let start = plus(engine.get_week_start(), step);
                rule.set("WKST", Some(day_code(None, start)));
            }
        }
        for key in ["BYMONTHDAY", "BYYEARDAY"] {
            if let Some(values) = self.get(key) {
                let moved: Vec<String> = values
                    .split(',')
                    .map(|v| match v.trim().parse::<i64>() {
                        Ok(n) => counted_day(n, days).to_string(),
                        Err(_) => v.to_owned(),
                    })
                    .collect();
                rule.set(key, Some(moved.join(",")));
            }
        }
        rule
    }

    /// What the rule says, for a person (the service says it in their language): how often,
    /// on which days, until when.
    pub(crate) fn repeats(&self) -> Repeats {
        let interval = self
            .get("INTERVAL")
            .and_then(|i| i.parse::<u32>().ok())
            .filter(|i| *i > 1);
        let every = match self.get("FREQ").unwrap_or("") {
            "DAILY" => Every::Day,
            "WEEKLY" => Every::Week,
            "MONTHLY" => Every::Month,
            "YEARLY" => Every::Year,
            _ => Every::Other,
        };
        let days: Vec<(Option<i16>, usize)> = self
            .get("BYDAY")
            .into_iter()
            .flat_map(|list| list.split(','))
            .filter_map(|code| {
                let code = code.trim();
                let (ordinal, day) = code.split_at(code.len().saturating_sub(2));
                let weekday = DAYS.iter().position(|d| *d == day)?;
                let ordinal = match ordinal {
                    "" => None,
                    n => Some(n.trim_start_matches('+').parse().ok()?),
                };
                Some((ordinal, weekday))
            })
            .collect();
        let count = self.count();
        Repeats {
            every,
            interval,
            working_days: days.len() == 5 && (0..5).all(|d| days.contains(&(None, d))),
            days,
            month_day: self.get("BYMONTHDAY").and_then(|d| d.parse().ok()),
            count,
            until: count
                .is_none()
                .then(|| self.get("UNTIL").and_then(until_date))
                .flatten(),
        }
    }
}

/// How often a rule repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    /// `FREQ=DAILY`.
    Day,
    /// `FREQ=WEEKLY`.
    Week,
    /// `FREQ=MONTHLY`.
    Month,
    /// `FREQ=YEARLY`.
    Year,
    /// Anything else ("on a repeating schedule").
    Other,
}

/// A rule as a person says it, in no language yet (see [`Rule::repeats`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repeats {
    /// How often.
    pub every: Every,
    /// Every so many of them, when more than one.
    pub interval: Option<u32>,
    /// `BYDAY`: the weekday (0 is Monday) with its ordinal in the month (`-1` the last).
    pub days: Vec<(Option<i16>, usize)>,
    /// Monday to Friday, all five and only they.
    pub working_days: bool,
    /// `BYMONTHDAY` (`-1` the last day).
    pub month_day: Option<i32>,
    /// `COUNT`.
    pub count: Option<u32>,
    /// `UNTIL`, as a date.
    pub until: Option<jiff::civil::Date>,
}

impl Repeats {
    /// A rule that cannot be read: "on a repeating schedule".
    pub fn unknown() -> Self {
        Self {
            every: Every::Other,
            interval: None,
            days: Vec::new(),
            working_days: false,
            month_day: None,
            count: None,
            until: None,
        }
    }

    /// What `recurrence` (Google's lines) says, or [`Self::unknown`].
    pub fn of(recurrence: &[String]) -> Self {
        Rule::find(recurrence).map_or_else(Self::unknown, |r| r.repeats())
    }
}

/// A day of the month (or year) counted from its start (`n > 0`) or its end (`n < 0`),
/// moved `days` on: across the start of the month the day before the 1st is the last day of
/// the one before (-1), across its end the day after the last is the 1st. (Past the 28th a
/// month day is not in every month; the guard finds that.)
fn counted_day(n: i64, days: i64) -> i64 {
    let moved = n + days;
    match (n > 0, moved) {
        (true, m) if m >= 1 => m,
        (true, m) => m - 1,
        (false, m) if m <= -1 => m,
        (false, m) => m + 1,
    }
}

/// `weekday` moved `step` days on.
fn plus(weekday: Weekday, step: i64) -> Weekday {
    (0..step).fold(weekday, |d, _| d.succ())
}

/// An ordinal weekday moved by whole weeks: the 2nd Monday a week later is the 3rd; the
/// second to last a week later is the last. (A move that passes an end of the month keeps an
/// ordinal the guard then finds wrong.)
fn ordinal_plus(n: i16, weeks: i64) -> i16 {
    let moved = i64::from(n) + weeks;
    match (n > 0, moved) {
        (true, m) if (1..=5).contains(&m) => m as i16,
        (false, m) if (-5..=-1).contains(&m) => m as i16,
        _ => n,
    }
}

fn day_code(n: Option<i16>, weekday: Weekday) -> String {
    let code = match weekday {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    };
    match n {
        Some(n) => format!("{n}{code}"),
        None => code.to_owned(),
    }
}

/// The `BYDAY` codes, Monday first.
const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

fn until_date(text: &str) -> Option<jiff::civil::Date> {
    let digits = text.get(..8)?;
    jiff::civil::Date::strptime("%Y%m%d", digits).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> Rule {
        Rule::find(&[format!("RRULE:{text}"), "EXDATE:20261201T090000Z".into()]).expect("rule")
    }

    #[test]
    fn what_a_rule_says_is_read_for_a_person() {
        let r = rule("FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR,+2MO;UNTIL=20270331T000000Z");
        assert_eq!(r.repeats().every, Every::Month);
        assert_eq!(r.repeats().interval, Some(2));
        assert_eq!(r.repeats().days, [(Some(-1), 4), (Some(2), 0)]);
        assert_eq!(
            r.repeats().until.map(|d| d.to_string()).as_deref(),
            Some("2027-03-31")
        );
        assert!(
            rule("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
                .repeats()
                .working_days
        );
        assert!(!rule("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH").repeats().working_days);
        let counted = rule("FREQ=WEEKLY;BYDAY=MO;COUNT=10;UNTIL=20270331T000000Z").repeats();
        assert_eq!((counted.count, counted.until), (Some(10), None));
        assert_eq!(rule("FREQ=SECONDLY").repeats().every, Every::Other);
        assert_eq!(Repeats::of(&[]), Repeats::unknown());
    }

    #[test]
    fn weekdays_move_with_the_days_and_every_other_week_moves_its_week_start() {
        let moved = |text: &str, days: i64| rule(text).shifted_by_days(days).line();
        assert_eq!(
            moved("FREQ=WEEKLY;BYDAY=MO,FR", 1),
            "RRULE:FREQ=WEEKLY;BYDAY=TU,SA"
        );
        assert_eq!(
            moved("FREQ=WEEKLY;BYDAY=MO", -1),
            "RRULE:FREQ=WEEKLY;BYDAY=SU"
        );
        assert_eq!(
            moved("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,FR", 4),
            "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,TU;WKST=FR"
        );
        assert_eq!(
            moved("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", 4),
            "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA",
            "one day a week: the week's start does not matter"
        );
        assert_eq!(
            moved("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=9", 7),
            "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=9"
        );
    }

    #[test]
    fn month_days_and_ordinal_weekdays_move_as_far_as_a_rule_can_say() {
        let moved = |text: &str, days: i64| rule(text).shifted_by_days(days).line();
        assert_eq!(
            moved("FREQ=MONTHLY;BYMONTHDAY=15", 1),
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=16"
        );
        assert_eq!(
            moved("FREQ=MONTHLY;BYMONTHDAY=-1", -1),
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=-2"
        );
        assert_eq!(
            moved("FREQ=MONTHLY;BYMONTHDAY=1", -1),
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1",
            "the day before the 1st is the last day"
        );
        assert_eq!(
            moved("FREQ=MONTHLY;BYMONTHDAY=-1", 2),
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=2"
        );
        assert_eq!(
            moved("FREQ=MONTHLY;BYDAY=2MO", 7),
            "RRULE:FREQ=MONTHLY;BYDAY=3MO"
        );
        assert_eq!(
            moved("FREQ=MONTHLY;BYDAY=1MO", 14),
            "RRULE:FREQ=MONTHLY;BYDAY=3MO",
            "the first Monday keeps its ordinal in writing"
        );
        assert_eq!(
            moved("FREQ=MONTHLY;BYDAY=-2FR", 7),
            "RRULE:FREQ=MONTHLY;BYDAY=-1FR"
        );
        // Not a rule any more: left as the guard will find it wrong.
        assert_eq!(
            moved("FREQ=MONTHLY;BYDAY=2MO", 1),
            "RRULE:FREQ=MONTHLY;BYDAY=2TU"
        );
    }
}
