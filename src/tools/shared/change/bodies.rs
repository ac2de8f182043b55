//! What a change sends Google: times as Google writes them, a note added to the description,
//! and the series that continues a split one. Also the reverse: an event's times read as the
//! domain's [`At`].

use google_calendar3::api::{Event, EventDateTime};
use jiff::civil::Date;
use serde_json::{Map, Value, json};

use super::Times;
use crate::calendar::from_chrono;
use crate::calendar::series::At;

/// An event edge as the domain reads it: a day, or an instant.
pub(super) fn start_at(at: Option<&EventDateTime>) -> Option<At> {
    let at = at?;
    if let Some(day) = at.date {
        use chrono::Datelike;
        return Date::new(
            i16::try_from(day.year()).ok()?,
            i8::try_from(day.month()).ok()?,
            i8::try_from(day.day()).ok()?,
        )
        .ok()
        .map(At::Day);
    }
    at.date_time.and_then(from_chrono).map(At::Instant)
}

/// Where the rule puts an occurrence (Google's `originalStartTime`), else where it starts.
pub(super) fn occurrence_of(event: &Event) -> Option<At> {
    start_at(event.original_start_time.as_ref()).or_else(|| start_at(event.start.as_ref()))
}

/// An edge as Google writes it: `{"date"}` for a day, `{"dateTime","timeZone"}` for a time.
pub(super) fn at_json(at: At, zone: &str) -> Value {
    match at {
        At::Instant(ts) => json!({"dateTime": ts.to_string(), "timeZone": zone}),
        At::Day(day) => json!({"date": day.to_string()}),
    }
}

/// New times as Google writes them.
pub(super) fn times_json(times: Times, zone: &str) -> (Value, Value) {
    let (start, end) = times.ats();
    (at_json(start, zone), at_json(end, zone))
}

/// The description with the user's note for the guests added at its end.
pub(super) fn with_note(event: &Event, note: Option<&str>, body: &mut Map<String, Value>) {
    if let Some(note) = note {
        let before = event.description.as_deref().unwrap_or_default();
        let text = if before.is_empty() {
            note.to_owned()
        } else {
            format!("{before}\n\n{note}")
        };
        body.insert("description".into(), json!(text));
    }
}

/// The series that continues a split one from the new time, as a series of its own with its
/// own fixed id: the series' zone, its details and mark, its Meet link, reminders and colour,
/// and its guests (rooms too) with their `optional` flags. The user organizes it again.
pub(super) fn continuation(
    master: &Event,
    id: &str,
    (start, end): (At, At),
    zone: &str,
    recurrence: &[String],
    note: Option<&str>,
) -> Value {
    let mut body = Map::from_iter([
        ("id".into(), json!(id)),
        ("summary".into(), json!(master.summary)),
        ("start".into(), at_json(start, zone)),
        ("end".into(), at_json(end, zone)),
        ("recurrence".into(), json!(recurrence)),
    ]);
    let copied = serde_json::to_value(master).unwrap_or_default();
    for key in [
        "location",
        "description",
        "reminders",
        "transparency",
        "visibility",
        "colorId",
        "extendedProperties",
        "guestsCanModify",
        "guestsCanInviteOthers",
        "guestsCanSeeOtherGuests",
        "eventType",
        "focusTimeProperties",
        "outOfOfficeProperties",
    ] {
        if let Some(value) = copied.get(key).filter(|v| !v.is_null()) {
            body.insert(key.into(), value.clone());
        }
    }
    if let Some(conference) = copied
        .get("conferenceData")
        .filter(|c| c.get("entryPoints").is_some())
    {
        // The same Meet (its id and entry points), not a request for a new one.
        let mut same = Map::new();
        for key in ["conferenceId", "conferenceSolution", "entryPoints", "notes"] {
            if let Some(v) = conference.get(key).filter(|v| !v.is_null()) {
                same.insert(key.into(), v.clone());
            }
        }
        body.insert("conferenceData".into(), Value::Object(same));
    }
    let attendees: Vec<Value> = master
        .attendees
        .iter()
        .flatten()
        .filter(|a| a.self_ != Some(true) && a.organizer != Some(true))
        .filter_map(|a| {
            let mut guest = json!({"email": a.email.as_deref()?});
            if a.optional == Some(true) {
                guest["optional"] = json!(true);
            }
            if a.resource == Some(true) {
                guest["resource"] = json!(true);
            }
            if let Some(name) = a.display_name.as_deref().filter(|n| !n.is_empty()) {
                guest["displayName"] = json!(name);
            }
            Some(guest)
        })
        .collect();
    if !attendees.is_empty() {
        body.insert("attendees".into(), json!(attendees));
    }
    with_note(master, note, &mut body);
    Value::Object(body)
}
