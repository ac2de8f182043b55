//! Recurring events (RFC 5545 `RRULE`s as Google keeps them in `recurrence`): the rule said in
//! words for the question "just this one, this and the following, or all of them?", and the
//! rule rewritten for the two changes to a series Google documents: ending it before an
//! occurrence (`UNTIL`, to split it) and moving it to other weekdays. Pure.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};

const DAYS: [(&str, &str, Weekday); 7] = [
    ("MO", "Monday", Weekday::Monday),
    ("TU", "Tuesday", Weekday::Tuesday),
    ("WE", "Wednesday", Weekday::Wednesday),
    ("TH", "Thursday", Weekday::Thursday),
    ("FR", "Friday", Weekday::Friday),
    ("SA", "Saturday", Weekday::Saturday),
    ("SU", "Sunday", Weekday::Sunday),
];

/// One `RRULE` as its parts, in order (`FREQ=WEEKLY;BYDAY=MO` → [(FREQ, WEEKLY), (BYDAY, MO)]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rule {
    parts: Vec<(String, String)>,
}

impl Rule {
    /// The `RRULE` among Google's `recurrence` lines (`EXDATE`/`RDATE` lines are left alone).
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
            .map(|(k, v)| (k.to_ascii_uppercase(), v.to_owned()))
            .collect();
        Self { parts }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.parts
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets `key` where it stands (or at the end), or removes it.
    fn set(&mut self, key: &str, value: Option<String>) {
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

    /// The series ended just before `occurrence` (Google's way to split one): `UNTIL` one
    /// second before it (a date, the day before, for all-day series), any `COUNT` dropped.
    pub(crate) fn ended_before(&self, occurrence: Timestamp, all_day: Option<Date>) -> Self {
        let mut rule = self.clone();
        rule.set("COUNT", None);
        let until = match all_day.and_then(|d| d.yesterday().ok()) {
            Some(day) => day.strftime("%Y%m%d").to_string(),
            None => (occurrence - jiff::SignedDuration::from_secs(1))
                .strftime("%Y%m%dT%H%M%SZ")
                .to_string(),
        };
        rule.set("UNTIL", Some(until));
        rule
    }

    /// The rest of a series from an occurrence on, as a new series: its own `UNTIL` kept, a
    /// `COUNT` reduced by the occurrences before (`before`).
    pub(crate) fn remaining(&self, before: u32) -> Self {
        let mut rule = self.clone();
        if let Some(count) = self.count() {
            rule.set(
                "COUNT",
                Some(count.saturating_sub(before).max(1).to_string()),
            );
        }
        rule
    }

    /// A weekly series moved `days` days later (negative: earlier): its `BYDAY` weekdays move
    /// with it, so "every Monday" moved to a Tuesday becomes "every Tuesday". Other rules keep
    /// their days (Google follows the series' new start).
    pub(crate) fn shifted_days(&self, days: i64) -> Self {
        let mut rule = self.clone();
        let step = days.rem_euclid(7);
        if step == 0 || self.get("FREQ") != Some("WEEKLY") {
            return rule;
        }
        if let Some(by_day) = self.get("BYDAY") {
            let moved: Vec<String> = by_day
                .split(',')
                .map(|code| {
                    DAYS.iter().position(|(c, _, _)| *c == code).map_or_else(
                        || code.to_owned(),
                        |i| DAYS[(i + step as usize) % 7].0.to_owned(),
                    )
                })
                .collect();
            rule.set("BYDAY", Some(moved.join(",")));
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
            let name = DAYS
                .iter()
                .find(|(c, _, _)| *c == day)
                .map_or(day, |(_, n, _)| n);
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

fn until_date(text: &str) -> Option<Date> {
    let digits = text.get(..8)?;
    Date::strptime("%Y%m%d", digits).ok()
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
    fn a_series_ends_one_second_before_the_occurrence_it_is_split_at() {
        let at: Timestamp = "2026-12-07T09:00:00Z".parse().expect("ts");
        let ended = rule("FREQ=WEEKLY;BYDAY=MO;COUNT=10").ended_before(at, None);
        assert_eq!(
            ended.line(),
            "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261207T085959Z"
        );
        let day = Date::new(2026, 12, 7).expect("date");
        let all_day = rule("FREQ=DAILY;UNTIL=20270101").ended_before(at, Some(day));
        assert_eq!(all_day.line(), "RRULE:FREQ=DAILY;UNTIL=20261206");
    }

    #[test]
    fn the_rest_of_a_counted_series_keeps_what_is_left_of_its_count() {
        assert_eq!(
            rule("FREQ=WEEKLY;BYDAY=MO;COUNT=10").remaining(4).line(),
            "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6"
        );
        assert_eq!(
            rule("FREQ=DAILY;UNTIL=20270101T000000Z")
                .remaining(4)
                .line(),
            "RRULE:FREQ=DAILY;UNTIL=20270101T000000Z"
        );
    }

    #[test]
    fn a_weekly_series_moved_a_day_moves_its_weekdays() {
        assert_eq!(
            rule("FREQ=WEEKLY;BYDAY=MO,FR").shifted_days(1).line(),
            "RRULE:FREQ=WEEKLY;BYDAY=TU,SA"
        );
        assert_eq!(
            rule("FREQ=WEEKLY;BYDAY=MO").shifted_days(-1).line(),
            "RRULE:FREQ=WEEKLY;BYDAY=SU"
        );
        assert_eq!(
            rule("FREQ=MONTHLY;BYMONTHDAY=15").shifted_days(1).line(),
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=15"
        );
    }
}
