//! The writes that change a series: ended before an occurrence (Google's way to split one),
//! moved as a whole, or continued from a new time as a series of its own.

use google_calendar3::api::Event;
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::{Map, Value, json};

use super::{Asked, Times, day_of, start_of, times_json, with_note};
use crate::calendar::{Rule, Zone, from_chrono};
use crate::error::{Error, Result};

/// When the occurrence was meant to start (Google's `originalStartTime`), else its start.
pub(super) fn occurrence_start(event: &Event) -> Option<Timestamp> {
    event
        .original_start_time
        .as_ref()
        .and_then(|o| o.date_time)
        .and_then(from_chrono)
        .or_else(|| start_of(event))
}

/// The day an all-day occurrence was meant to be on, else its day; `None` when it has times.
fn occurrence_day(event: &Event) -> Option<Date> {
    day_of(event.original_start_time.as_ref().or(event.start.as_ref()))
}

fn no_start() -> Error {
    Error::invalid("start", "That series has no start time to move from.")
}

fn rule_of(series: &Event) -> Result<Rule> {
    Rule::find(series.recurrence.as_deref().unwrap_or_default()).ok_or_else(|| {
        Error::invalid(
            "scope",
            "That series has no rule I can change; change just this one (scope this).",
        )
    })
}

/// The series ended just before `occurrence` (its other recurrence lines kept).
pub(super) fn trimmed(series: &Event, occurrence: &Event, note: Option<&str>) -> Result<Value> {
    let rule = rule_of(series)?;
    let at = occurrence_start(occurrence).unwrap_or(Timestamp::UNIX_EPOCH);
    let ended = rule.ended_before(at, occurrence_day(occurrence)).line();
    let lines: Vec<String> = series
        .recurrence
        .iter()
        .flatten()
        .map(|l| {
            if l.starts_with("RRULE:") {
                ended.clone()
            } else {
                l.clone()
            }
        })
        .collect();
    let mut body = Map::from_iter([("recurrence".into(), json!(lines))]);
    with_note(series, note, &mut body);
    Ok(Value::Object(body))
}

/// Every occurrence moved by as much as this one: the series' start and end shifted (by whole
/// days for an all-day series moved to dates), a weekly rule's weekdays with them.
pub(super) fn shifted_series(
    series: &Event,
    occurrence: &Event,
    times: Times,
    asked: &Asked<'_>,
) -> Result<Value> {
    let zone_name = series
        .start
        .as_ref()
        .and_then(|s| s.time_zone.clone())
        .unwrap_or_else(|| asked.zone.name.clone());
    let zone = Zone::parse(&zone_name, "timezone").unwrap_or_else(|_| asked.zone.clone());
    let (moved, days) = match times {
        Times::Timed(..) if day_of(series.start.as_ref()).is_some() => {
            return Err(Error::invalid(
                "start",
                "That series is all day: give the new day as a date (like 2030-03-13) to move \
                 every one, or move just this one to a time (scope this).",
            ));
        }
        Times::Timed(new_start, new_end) => {
            let from = occurrence_start(occurrence).ok_or_else(no_start)?;
            let first = start_of(series).ok_or_else(no_start)?;
            let delta = new_start.duration_since(from);
            let start = first
                .checked_add(delta)
                .map_err(|_| Error::invalid("start", "start is out of range."))?;
            let end = start
                .checked_add(new_end.duration_since(new_start))
                .map_err(|_| Error::invalid("end", "end is out of range."))?;
            let days =
                i64::from((zone.zoned(new_start).date() - zone.zoned(from).date()).get_days());
            (Times::Timed(start, end), days)
        }
        Times::AllDay(new_first, new_after) => {
            // Whole days: the series' first day moves by as many days as this occurrence.
            let from = occurrence_day(occurrence).ok_or_else(no_start)?;
            let first = day_of(series.start.as_ref()).ok_or_else(no_start)?;
            let shift = new_first - from;
            let start = first
                .checked_add(shift)
                .map_err(|_| Error::invalid("start", "start is out of range."))?;
            let end = start
                .checked_add(new_after - new_first)
                .map_err(|_| Error::invalid("end", "end is out of range."))?;
            (Times::AllDay(start, end), i64::from(shift.get_days()))
        }
    };
    let (start_json, end_json) = times_json(moved, &zone.name);
    let mut body = Map::from_iter([("start".into(), start_json), ("end".into(), end_json)]);
    let rule = rule_of(series)?.shifted_days(days).line();
    let lines: Vec<String> = series
        .recurrence
        .iter()
        .flatten()
        .filter(|l| !l.starts_with("EXDATE"))
        .map(|l| {
            if l.starts_with("RRULE:") {
                rule.clone()
            } else {
                l.clone()
            }
        })
        .collect();
    body.insert("recurrence".into(), json!(lines));
    with_note(series, asked.note, &mut body);
    Ok(Value::Object(body))
}

/// The series that continues a split one from the new time: the same rule (what is left of
/// a count), guests, details and mark; its own fixed id.
pub(super) fn continuation(
    series: &Event,
    id: &str,
    times: Times,
    asked: &Asked<'_>,
    before: Option<u32>,
) -> Result<Value> {
    let rule = rule_of(series)?.remaining(before.unwrap_or(0));
    let (start, end) = times_json(times, &asked.zone.name);
    let mut body = Map::from_iter([
        ("id".into(), json!(id)),
        ("summary".into(), json!(series.summary)),
        ("start".into(), start),
        ("end".into(), end),
        ("recurrence".into(), json!([rule.line()])),
    ]);
    let copied = serde_json::to_value(series).unwrap_or_default();
    for key in [
        "location",
        "description",
        "reminders",
        "transparency",
        "visibility",
        "colorId",
        "extendedProperties",
    ] {
        if let Some(value) = copied.get(key).filter(|v| !v.is_null()) {
            body.insert(key.into(), value.clone());
        }
    }
    let attendees: Vec<Value> = series
        .attendees
        .iter()
        .flatten()
        // The organizer (the user) organizes it again; the guests are invited again.
        .filter(|a| a.self_ != Some(true) && a.organizer != Some(true))
        .filter_map(|a| Some(json!({"email": a.email.as_deref()?})))
        .collect();
    if !attendees.is_empty() {
        body.insert("attendees".into(), json!(attendees));
    }
    with_note(series, asked.note, &mut body);
    Ok(Value::Object(body))
}
