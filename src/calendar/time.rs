//! Times: parsing what the model sends (ISO 8601 with an offset, `Z`, or none) into instants,
//! validating windows, formatting answers in one time zone, and Google's date-times.
//!
//! A time without an offset is a wall-clock time in the tool's time zone. In a DST gap the
//! time moves forward by the gap's length; in an overlap the earlier instant wins (jiff's
//! "compatible" rule, as in RFC 5545), so the same text always gives the same instant.

use super::{Invalid, Result};
use google_calendar3::api::EventDateTime;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan, Zoned};
use serde_json::{Value, json};

/// The longest window a tool may ask about.
pub(crate) const MAX_WINDOW_DAYS: i64 = 62;

/// A time zone with the IANA name it was given as.
#[derive(Clone, Debug)]
pub struct Zone {
    /// The IANA name, e.g. `America/New_York`.
    pub(crate) name: String,
    /// The rules.
    pub(crate) tz: TimeZone,
}

impl Zone {
    /// Looks up an IANA zone, in any letter case; `argument` names the tool argument in the
    /// 400 message. The name kept is the database's own spelling (`america/new_york` becomes
    /// `America/New_York`): Google accepts only that.
    pub fn parse(name: &str, argument: &'static str) -> Result<Self> {
        let trimmed = name.trim();
        TimeZone::get(trimmed)
            .map(|tz| Self {
                name: tz.iana_name().unwrap_or(trimmed).to_owned(),
                tz,
            })
            .map_err(|_| Invalid::new(argument, "not_a_zone").var("text", trimmed))
    }

    /// UTC, the fallback when the calendar's own zone cannot be read.
    pub(crate) fn utc() -> Self {
        Self {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }

    /// RFC 3339 in this zone's offset at that instant, e.g. `2026-11-24T09:00:00-05:00`.
    pub(crate) fn format(&self, at: Timestamp) -> String {
        at.to_zoned(self.tz.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }

    /// The wall clock here to the minute, e.g. `2026-11-24T09:00` (seconds only when not
    /// zero): what the model reads out, with the zone named once beside it. In the hour a
    /// fall-back repeats, the offset is added (`2026-11-01T01:30-05:00`), so it stays one
    /// instant.
    pub(crate) fn wall(&self, at: Timestamp) -> String {
        let local = at.to_zoned(self.tz.clone());
        let mut text = if local.second() == 0 {
            local.strftime("%Y-%m-%dT%H:%M").to_string()
        } else {
            local.strftime("%Y-%m-%dT%H:%M:%S").to_string()
        };
        if self.tz.to_ambiguous_zoned(local.datetime()).is_ambiguous() {
            text.push_str(&local.strftime("%:z").to_string());
        }
        text
    }

    /// `at` as a zoned date-time here.
    pub(crate) fn zoned(&self, at: Timestamp) -> Zoned {
        at.to_zoned(self.tz.clone())
    }
}

/// Which end of a window a bare date means: its first moment, or the first moment after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DateMeans {
    /// `2026-11-24` → 2026-11-24T00:00.
    StartOfDay,
    /// `2026-11-24` → 2026-11-25T00:00 (so the whole day is inside).
    EndOfDay,
}

/// A time as the model wrote it, parsed before any zone is known: an instant (with an offset or
/// `Z`), a wall-clock date-time, or a bare date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeText {
    /// Carries its own offset.
    Instant(Timestamp),
    /// Wall-clock time in the tool's zone.
    Civil(DateTime),
    /// A whole day in the tool's zone.
    Date(Date),
}

impl TimeText {
    /// Parses ISO 8601 / RFC 3339 text; the 400 names `argument`.
    pub(crate) fn parse(text: &str, argument: &'static str) -> Result<Self> {
        let text = text.trim();
        if let Ok(ts) = text.parse::<Timestamp>() {
            return Ok(Self::Instant(ts));
        }
        // jiff reads "2026-11-24" as a midnight date-time; a bare date means a whole day here.
        let has_time = text.contains(['T', 't', ' ']);
        if !has_time {
            if let Ok(d) = text.parse::<Date>() {
                return Ok(Self::Date(d));
            }
        }
        if let Ok(dt) = text.parse::<DateTime>() {
            return Ok(Self::Civil(dt));
        }
        Err(Invalid::new(argument, "not_a_time").var("text", text))
    }

    /// The instant, if the text carried its own offset.
    pub(crate) fn instant(&self) -> Option<Timestamp> {
        match self {
            Self::Instant(ts) => Some(*ts),
            _ => None,
        }
    }

    /// The instant this text means in `zone`.
    pub(crate) fn resolve(
        &self,
        zone: &Zone,
        date_means: DateMeans,
        argument: &'static str,
    ) -> Result<Timestamp> {
        let civil = match *self {
            Self::Instant(ts) => return Ok(ts),
            Self::Civil(dt) => Some(dt),
            Self::Date(d) => match date_means {
                DateMeans::StartOfDay => Some(d.to_datetime(jiff::civil::Time::midnight())),
                DateMeans::EndOfDay => d
                    .tomorrow()
                    .ok()
                    .map(|t| t.to_datetime(jiff::civil::Time::midnight())),
            },
        };
        civil
            .and_then(|dt| zone.tz.to_ambiguous_zoned(dt).compatible().ok())
            .map(|z| z.timestamp())
            .ok_or_else(|| Invalid::new(argument, "date_out_of_range"))
    }
}

/// A timed edge in `zone`; an all-day edge as a date. Google's all-day end date is exclusive
/// (the day after); the answer gives the last day itself, so a one-day event starts and ends on
/// the same date, which is what a person would say.
pub(crate) fn edge(at: Option<&EventDateTime>, zone: &Zone, exclusive_end_date: bool) -> Value {
    let Some(at) = at else { return Value::Null };
    if let Some(date) = at.date {
        let shown = if exclusive_end_date {
            date.pred_opt().unwrap_or(date)
        } else {
            date
        };
        return json!(shown.format("%Y-%m-%d").to_string());
    }
    at.date_time
        .and_then(from_chrono)
        .map_or(Value::Null, |ts| json!(zone.format(ts)))
}

/// Parses and resolves in one step.
#[cfg(test)]
pub(crate) fn parse_time(
    text: &str,
    zone: &Zone,
    argument: &'static str,
    date_means: DateMeans,
) -> Result<Timestamp> {
    TimeText::parse(text, argument)?.resolve(zone, date_means, argument)
}

/// A time window with `start < end`, at most [`MAX_WINDOW_DAYS`] long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Inclusive start.
    pub start: Timestamp,
    /// Exclusive end.
    pub end: Timestamp,
}

impl Window {
    /// Checks the order and the length; the messages name the arguments.
    pub fn new(start: Timestamp, end: Timestamp) -> Result<Self> {
        if end <= start {
            return Err(Invalid::new("window_end", "window_end_before_start"));
        }
        if end.duration_since(start) > SignedDuration::from_hours(24 * MAX_WINDOW_DAYS) {
            return Err(Invalid::new("window_end", "window_too_long").var("days", MAX_WINDOW_DAYS));
        }
        Ok(Self { start, end })
    }

    /// Its length.
    pub fn duration(&self) -> SignedDuration {
        self.end.duration_since(self.start)
    }
}

/// `now → now + days` in calendar days of `zone` (a day across a DST change is 23 or 25 hours).
pub(crate) fn days_from(now: Timestamp, zone: &Zone, days: i64) -> Timestamp {
    zone.zoned(now)
        .checked_add(days.days())
        .map_or(now, |z| z.timestamp())
}

/// An event's start or end: an instant (sent as UTC, decoded as UTC by the crate) with the
/// zone it should be shown in.
pub(crate) fn event_time(at: Timestamp, zone: &Zone) -> EventDateTime {
    EventDateTime {
        date: None,
        date_time: Some(to_chrono(at)),
        time_zone: Some(zone.name.clone()),
    }
}

/// The crate's `chrono` time to a jiff instant.
pub(crate) fn from_chrono(at: chrono::DateTime<chrono::Utc>) -> Option<Timestamp> {
    Timestamp::new(
        at.timestamp(),
        i32::try_from(at.timestamp_subsec_nanos()).ok()?,
    )
    .ok()
}

/// A jiff instant as the crate's `chrono` time.
pub(crate) fn to_chrono(at: Timestamp) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(at.as_second(), at.subsec_nanosecond().unsigned_abs())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ny() -> Zone {
        Zone::parse("America/New_York", "timezone").expect("zone")
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn offsets_and_z_are_instants_whatever_the_zone() {
        let z = ny();
        assert_eq!(
            parse_time(
                "2026-11-24T09:00:00-08:00",
                &z,
                "start",
                DateMeans::StartOfDay
            )
            .ok(),
            Some(ts("2026-11-24T17:00:00Z"))
        );
        assert_eq!(
            parse_time("2026-11-24T09:00:00Z", &z, "start", DateMeans::StartOfDay).ok(),
            Some(ts("2026-11-24T09:00:00Z"))
        );
    }

    #[test]
    fn naive_times_are_wall_clock_in_the_zone() {
        assert_eq!(
            parse_time("2026-11-24T09:00:00", &ny(), "start", DateMeans::StartOfDay).ok(),
            Some(ts("2026-11-24T14:00:00Z"))
        );
        // Summer: EDT is UTC-4.
        assert_eq!(
            parse_time("2026-07-01T09:00", &ny(), "start", DateMeans::StartOfDay).ok(),
            Some(ts("2026-07-01T13:00:00Z"))
        );
    }

    #[test]
    fn a_time_in_the_spring_forward_gap_moves_forward() {
        // 2026-03-08 02:30 does not exist in New York; it becomes 03:30 EDT.
        assert_eq!(
            parse_time("2026-03-08T02:30:00", &ny(), "start", DateMeans::StartOfDay).ok(),
            Some(ts("2026-03-08T07:30:00Z"))
        );
    }

    #[test]
    fn a_time_in_the_fall_back_overlap_takes_the_earlier_instant() {
        // 2026-11-01 01:30 happens twice; the first (EDT, UTC-4) is chosen.
        assert_eq!(
            parse_time("2026-11-01T01:30:00", &ny(), "start", DateMeans::StartOfDay).ok(),
            Some(ts("2026-11-01T05:30:00Z"))
        );
    }

    #[test]
    fn bare_dates_cover_whole_days() {
        assert_eq!(
            parse_time("2026-11-24", &ny(), "window_start", DateMeans::StartOfDay).ok(),
            Some(ts("2026-11-24T05:00:00Z"))
        );
        assert_eq!(
            parse_time("2026-11-24", &ny(), "window_end", DateMeans::EndOfDay).ok(),
            Some(ts("2026-11-25T05:00:00Z"))
        );
    }

    #[test]
    fn unparseable_times_name_the_argument() {
        for text in ["next tuesday", "", "2026-13-01T00:00:00", "9am"] {
            match parse_time(text, &ny(), "window_start", DateMeans::StartOfDay) {
                Err(Invalid {
                    argument,
                    key,
                    vars,
                }) => {
                    assert_eq!(argument, "window_start");
                    assert_eq!(key, "not_a_time");
                    assert!(
                        vars.contains(&("argument", "window_start".into())),
                        "{vars:?}"
                    );
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_zones_are_refused() {
        assert!(matches!(
            Zone::parse("Mars/Olympus", "timezone"),
            Err(Invalid {
                argument: "timezone",
                ..
            })
        ));
        assert_eq!(
            Zone::parse(" Europe/London ", "timezone")
                .expect("zone")
                .name,
            "Europe/London"
        );
        for spelled in ["america/new_york", "AMERICA/NEW_YORK", "America/new_York"] {
            assert_eq!(
                Zone::parse(spelled, "timezone").expect("zone").name,
                "America/New_York"
            );
        }
    }

    #[test]
    fn formatting_uses_the_offset_in_force_at_that_instant() {
        let z = ny();
        assert_eq!(
            z.format(ts("2026-11-24T14:00:00Z")),
            "2026-11-24T09:00:00-05:00"
        );
        assert_eq!(
            z.format(ts("2026-07-01T13:00:00Z")),
            "2026-07-01T09:00:00-04:00"
        );
        assert_eq!(
            Zone::utc().format(ts("2026-07-01T13:00:00Z")),
            "2026-07-01T13:00:00+00:00"
        );
    }

    #[test]
    fn windows_must_be_ordered_and_at_most_62_days() {
        let a = ts("2026-11-24T09:00:00Z");
        assert!(Window::new(a, a).is_err());
        assert!(Window::new(a, ts("2026-11-24T08:00:00Z")).is_err());
        assert!(Window::new(a, ts("2027-01-25T09:00:00Z")).is_ok());
        assert!(Window::new(a, ts("2027-01-25T09:00:01Z")).is_err());
    }

    #[test]
    fn seven_calendar_days_across_a_dst_change_are_not_168_hours() {
        let start = ts("2026-10-29T13:00:00Z"); // 09:00 EDT
        let end = days_from(start, &ny(), 7); // 09:00 EST a week later
        assert_eq!(end, ts("2026-11-05T14:00:00Z"));
    }

    #[test]
    fn chrono_and_jiff_instants_round_trip() {
        let at: Timestamp = "2026-11-24T14:00:00.5Z".parse().expect("ts");
        assert_eq!(from_chrono(to_chrono(at)), Some(at));
    }
}
