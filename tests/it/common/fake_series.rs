//! How the stand-in Google expands a series: Google's `recurrence` lines handed, as an
//! iCalendar text, to the `rrule` crate's own parser and expander (never to the service's code,
//! whose rewrite of a rule is what the tests judge). All-day series are expanded as midnights
//! in UTC, as dates.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use rrule::RRuleSet;
use serde_json::{Value, json};

/// One occurrence of a series: where the rule puts it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    /// A timed occurrence's start.
    At(jiff::Timestamp),
    /// An all-day occurrence's day.
    Day(jiff::civil::Date),
}

impl Slot {
    /// The suffix Google gives the occurrence's id (`_20300311T090000Z`, `_20300311`).
    pub fn suffix(&self) -> String {
        match self {
            Self::At(ts) => ts.strftime("%Y%m%dT%H%M%SZ").to_string(),
            Self::Day(day) => day.strftime("%Y%m%d").to_string(),
        }
    }

    /// As Google writes it in `originalStartTime` and `start`.
    pub fn json(&self, zone: &str) -> Value {
        match self {
            Self::At(ts) => json!({"dateTime": ts.to_string(), "timeZone": zone}),
            Self::Day(day) => json!({"date": day.to_string()}),
        }
    }

    /// As the tests compare it: `2030-03-11T09:00:00Z`, or `2030-03-11`.
    pub fn text(&self) -> String {
        match self {
            Self::At(ts) => ts.to_string(),
            Self::Day(day) => day.to_string(),
        }
    }

    /// An instant to order and window by (a day at its midnight in UTC).
    pub fn instant(&self) -> jiff::Timestamp {
        match self {
            Self::At(ts) => *ts,
            Self::Day(day) => day
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp())
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        }
    }

    /// Reads an event edge (`{"date"}` or `{"dateTime"}`).
    pub fn of(edge: &Value) -> Option<Self> {
        if let Some(day) = edge["date"].as_str() {
            return day.parse().ok().map(Self::Day);
        }
        edge["dateTime"].as_str()?.parse().ok().map(Self::At)
    }
}

/// Every occurrence of the series `master` up to `until`, or why the rule cannot be read.
pub fn expand(master: &Value, until: jiff::Timestamp) -> Result<Vec<Slot>, String> {
    let start = &master["start"];
    let all_day = start["date"].is_string();
    let zone = start["timeZone"].as_str().unwrap_or("UTC");
    let tz = chrono_tz::Tz::from_str(zone).map_err(|_| format!("zone {zone}"))?;
    let mut text = if all_day {
        let day = start["date"].as_str().unwrap_or_default().replace('-', "");
        format!("DTSTART:{day}T000000Z")
    } else {
        let at: jiff::Timestamp = start["dateTime"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .ok_or("no start")?;
        let local = utc(at).with_timezone(&tz).format("%Y%m%dT%H%M%S");
        format!("DTSTART;TZID={zone}:{local}")
    };
    for line in master["recurrence"].as_array().into_iter().flatten() {
        let line = line.as_str().unwrap_or_default();
        text.push('\n');
        text.push_str(&if all_day {
            dated(line)
        } else {
            zoned(line, zone)
        });
    }
    let set = RRuleSet::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
    let last = utc(until).with_timezone(&rrule::Tz::UTC);
    let found = set.before(last).all(20_000);
    Ok(found
        .dates
        .into_iter()
        .map(|d| {
            let utc = d.with_timezone(&Utc);
            if all_day {
                Slot::Day(date(utc.date_naive()))
            } else {
                Slot::At(jiff::Timestamp::from_second(utc.timestamp()).unwrap_or_default())
            }
        })
        .collect())
}

/// An all-day series' line with its dates as midnights in UTC (`UNTIL=20280301` →
/// `UNTIL=20280301T000000Z`, `EXDATE;VALUE=DATE:20270302` → `EXDATE:20270302T000000Z`).
fn dated(line: &str) -> String {
    if let Some(rule) = line.strip_prefix("RRULE:") {
        let parts: Vec<String> = rule
            .split(';')
            .map(|p| match p.split_once('=') {
                Some(("UNTIL", v)) if v.len() == 8 => format!("UNTIL={v}T000000Z"),
                _ => p.to_owned(),
            })
            .collect();
        return format!("RRULE:{}", parts.join(";"));
    }
    let Some((head, values)) = line.split_once(':') else {
        return line.to_owned();
    };
    let name = head.split(';').next().unwrap_or(head);
    let values: Vec<String> = values
        .split(',')
        .map(|v| {
            if v.len() == 8 {
                format!("{v}T000000Z")
            } else {
                format!("{}T000000Z", &v[..8.min(v.len())])
            }
        })
        .collect();
    format!("{name}:{}", values.join(","))
}

/// A timed series' date line with its zone said (a floating value is on the series' clock).
fn zoned(line: &str, zone: &str) -> String {
    let Some((head, values)) = line.split_once(':') else {
        return line.to_owned();
    };
    if head.starts_with("RRULE") || head.contains("TZID=") || values.ends_with('Z') {
        return line.to_owned();
    }
    format!("{head};TZID={zone}:{values}")
}

fn utc(at: jiff::Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp(at.as_second(), 0).unwrap_or_default()
}

fn date(day: NaiveDate) -> jiff::civil::Date {
    use chrono::Datelike;
    jiff::civil::date(
        i16::try_from(day.year()).unwrap_or(1970),
        i8::try_from(day.month()).unwrap_or(1),
        i8::try_from(day.day()).unwrap_or(1),
    )
}
