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

    /// The rule in words, as a person says it: "every Monday", "every weekday", "every 2 weeks
    /// on Tuesday and Thursday", "every month on the 15th", "every day until 31 March 2027".
    pub(crate) fn describe(&self) -> String {
        let every = self
            .get("INTERVAL")
            .and_then(|i| i.parse::<u32>().ok())
            .filter(|i| *i > 1);
        let days = self.get("BYDAY").map(day_names);
        let mut words = match (self.get("FREQ").unwrap_or(""), every, days) {
            ("DAILY", None, _) => "every day".to_owned(),
            ("DAILY", Some(n), _) => format!("every {n} days"),
            ("WEEKLY", None, Some(days)) if days == "weekday" => "every weekday".to_owned(),
            ("WEEKLY", None, Some(days)) => format!("every {days}"),
            ("WEEKLY", Some(n), Some(days)) => format!("every {n} weeks on {days}"),
            ("WEEKLY", None, None) => "every week".to_owned(),
            ("WEEKLY", Some(n), None) => format!("every {n} weeks"),
            ("MONTHLY", n, _) => monthly(self, n),
            ("YEARLY", None, _) => "every year".to_owned(),
            ("YEARLY", Some(n), _) => format!("every {n} years"),
            _ => "on a repeating schedule".to_owned(),
        };
        if let Some(count) = self.count() {
            words.push_str(&format!(", {count} times in all"));
        } else if let Some(until) = self.get("UNTIL").and_then(until_date) {
            words.push_str(&format!(" until {}", until.strftime("%-d %B %Y")));
        }
        words
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

const DAYS: [(&str, &str); 7] = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
];

/// The weekdays of a `BYDAY` list in words ("Monday, Wednesday and Friday"; all five
/// working days: "weekday").
fn day_names(by_day: &str) -> String {
    let codes: Vec<&str> = by_day.split(',').map(str::trim).collect();
    if codes.len() == 5
        && ["MO", "TU", "WE", "TH", "FR"]
            .iter()
            .all(|d| codes.contains(d))
    {
        return "weekday".to_owned();
    }
    let names: Vec<String> = codes
        .iter()
        .map(|code| {
            let (ordinal, day) = code.split_at(code.len().saturating_sub(2));
            let name = DAYS.iter().find(|(c, _)| *c == day).map_or(day, |(_, n)| n);
            match ordinal {
                "" => name.to_owned(),
                "1" | "+1" => format!("first {name}"),
                "2" | "+2" => format!("second {name}"),
                "3" | "+3" => format!("third {name}"),
                "4" | "+4" => format!("fourth {name}"),
                "-1" => format!("last {name}"),
                other => format!("{other}. {name}"),
            }
        })
        .collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

fn monthly(rule: &Rule, every: Option<u32>) -> String {
    let period = every.map_or_else(|| "every month".to_owned(), |n| format!("every {n} months"));
    if let Some(days) = rule.get("BYDAY") {
        return format!("on the {} of {period}", day_names(days));
    }
    match rule.get("BYMONTHDAY").and_then(|d| d.parse::<i32>().ok()) {
        Some(-1) => format!("{period} on its last day"),
        Some(day) => format!("{period} on the {}", ordinal(day)),
        None => period,
    }
}

fn ordinal(n: i32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

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
    fn rules_are_said_as_a_person_says_them() {
        for (text, words) in [
            ("FREQ=WEEKLY;BYDAY=MO", "every Monday"),
            ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),
            (
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
                "every 2 weeks on Tuesday and Thursday",
            ),
            (
                "FREQ=WEEKLY;BYDAY=MO,WE,FR",
                "every Monday, Wednesday and Friday",
            ),
            ("FREQ=DAILY", "every day"),
            ("FREQ=DAILY;INTERVAL=3", "every 3 days"),
            ("FREQ=MONTHLY;BYMONTHDAY=15", "every month on the 15th"),
            (
                "FREQ=MONTHLY;BYDAY=1MO",
                "on the first Monday of every month",
            ),
            (
                "FREQ=MONTHLY;BYDAY=-1FR",
                "on the last Friday of every month",
            ),
            ("FREQ=YEARLY", "every year"),
            (
                "FREQ=WEEKLY;BYDAY=MO;COUNT=10",
                "every Monday, 10 times in all",
            ),
            (
                "FREQ=DAILY;UNTIL=20270331T000000Z",
                "every day until 31 March 2027",
            ),
            ("FREQ=SECONDLY", "on a repeating schedule"),
        ] {
            assert_eq!(rule(text).describe(), words, "{text}");
        }
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
