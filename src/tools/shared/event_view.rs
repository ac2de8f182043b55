//! An event as `list_events` gives it to the model, and as the page (`GET /api/events`) draws
//! it: flat, stable keys, times in one zone named once. Google's event has creator, organizer,
//! iCalUID, reminders, links and more; none of it is worth the model's tokens.

use google_calendar3::api::{Event, EventDateTime};
use serde_json::{Map, Value, json};

use crate::calendar::{
    CalendarRef, Owners, Zone, can_change, edge, from_chrono, is_tagged, my_response,
};

/// At most this many other attendees are named per event; the rest are counted.
pub(crate) const MAX_ATTENDEES: usize = 10;

/// Who organizes the event, when it is not the user.
fn organizer(event: &Event) -> Option<&str> {
    event
        .organizer
        .as_ref()
        .filter(|o| o.self_ != Some(true))
        .and_then(|o| o.email.as_deref())
}

/// The people on the event other than the user (rooms and resources left out), each with
/// their answer; `compact` leaves out an answer that is `accepted` (the usual one) and the
/// organizer (named on its own).
fn other_attendees(event: &Event, compact: bool) -> Vec<Value> {
    let named = organizer(event).filter(|_| compact);
    event
        .attendees
        .iter()
        .flatten()
        .filter(|a| a.self_ != Some(true) && a.resource != Some(true))
        .filter(|a| named.is_none() || a.email.as_deref() != named)
        .filter_map(|a| {
            let response = a.response_status.as_deref().unwrap_or("needsAction");
            let mut out = json!({ "email": a.email.as_deref()? });
            if !(compact && response == "accepted") {
                out["response"] = json!(response);
            }
            Some(out)
        })
        .collect()
}

fn title(event: &Event) -> String {
    event
        .summary
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "(no title)".into())
}

/// What the model and the page both get: `id`, `title`, and only what applies: `allDay`,
/// `location`, `calendar` (a calendar other than the primary), `organizer` (the model's, when
/// not the user), `myResponse`, `madeByAgent`, `recurring`, `canChange`, `attendees` (others,
/// at most 10) and `moreAttendees`.
fn event_fields(
    event: &Event,
    calendar: &CalendarRef,
    owners: &Owners,
    compact: bool,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("id".into(), json!(event.id.clone().unwrap_or_default()));
    out.insert("title".into(), json!(title(event)));
    if event.start.as_ref().is_some_and(|s| s.date.is_some()) {
        out.insert("allDay".into(), json!(true));
    }
    if let Some(location) = event.location.as_ref().filter(|l| !l.trim().is_empty()) {
        out.insert("location".into(), json!(location));
    }
    if !calendar.primary {
        out.insert("calendar".into(), json!(calendar.name));
    }
    if let Some(by) = organizer(event).filter(|_| compact) {
        out.insert("organizer".into(), json!(by));
    }
    if let Some(response) = my_response(event).filter(|r| !(compact && *r == "accepted")) {
        out.insert("myResponse".into(), json!(response));
    }
    if is_tagged(event) {
        out.insert("madeByAgent".into(), json!(true));
    }
    if event.recurring_event_id.is_some() || event.recurrence.is_some() {
        out.insert("recurring".into(), json!(true));
    }
    if can_change(event, calendar, owners) {
        out.insert("canChange".into(), json!(true));
    }
    let mut others = other_attendees(event, compact);
    if !others.is_empty() {
        let more = others.len().saturating_sub(MAX_ATTENDEES);
        others.truncate(MAX_ATTENDEES);
        out.insert("attendees".into(), Value::Array(others));
        if more > 0 {
            out.insert("moreAttendees".into(), json!(more));
        }
    }
    out
}

/// One event as `list_events` gives it, as compact as it can be and still say everything:
/// times on the wall clock of the answer's zone (named once, at the top) to the minute, and
/// nothing that only repeats the usual (an answer of `accepted` is left out, the user's own
/// too).
pub(crate) fn tool_event(
    event: &Event,
    zone: &Zone,
    calendar: &CalendarRef,
    owners: &Owners,
) -> Value {
    let all_day = event.start.as_ref().is_some_and(|s| s.date.is_some());
    let mut out = event_fields(event, calendar, owners, true);
    out.insert("start".into(), wall_edge(event.start.as_ref(), zone, false));
    out.insert("end".into(), wall_edge(event.end.as_ref(), zone, all_day));
    Value::Object(out)
}

/// One event as the page draws it: RFC 3339 times with their offsets, every answer, the link,
/// the calendar's id and colour, and `allDay` always.
pub(crate) fn page_event(
    event: &Event,
    zone: &Zone,
    calendar: &CalendarRef,
    owners: &Owners,
) -> Value {
    let all_day = event.start.as_ref().is_some_and(|s| s.date.is_some());
    let mut out = Value::Object(event_fields(event, calendar, owners, false));
    out["start"] = edge(event.start.as_ref(), zone, false);
    out["end"] = edge(event.end.as_ref(), zone, all_day);
    out["allDay"] = json!(all_day);
    out["calendarId"] = json!(calendar.id);
    if let Some(series) = &event.recurring_event_id {
        // So a read-back of a change to a series can draw each occurrence it moves.
        out["seriesId"] = json!(series);
    }
    if let Some(color) = &calendar.color {
        out["color"] = json!(color);
    }
    if let Some(link) = &event.html_link {
        out["htmlLink"] = json!(link);
    }
    out
}

/// Like [`edge`], a timed edge on the zone's wall clock ([`Zone::wall`]).
fn wall_edge(at: Option<&EventDateTime>, zone: &Zone, exclusive_end_date: bool) -> Value {
    match at {
        Some(at) if at.date.is_none() => at
            .date_time
            .and_then(from_chrono)
            .map_or(Value::Null, |ts| json!(zone.wall(ts))),
        other => edge(other, zone, exclusive_end_date),
    }
}

/// Every event of a read across accounts, each shaped by `shape` ([`tool_event`] or
/// [`page_event`]) with its own account's organizer addresses, and naming its account
/// (`"account"`) when the person has several.
pub(crate) fn across_accounts(
    all: &crate::google::accounts::AllEvents,
    shape: fn(&Event, &Zone, &CalendarRef, &Owners) -> Value,
) -> Vec<Value> {
    let several = all.several();
    all.events
        .iter()
        .map(|(event, calendar, account)| {
            let (email, owners) = &all.accounts[*account];
            let mut out = shape(event, &all.zone, calendar, owners);
            if several {
                out["account"] = json!(email);
            }
            out
        })
        .collect()
}

/// The accounts a read across several could not reach, as an answer names them:
/// `[{"account", "error", "message"}]` (the sentence in the session's language); `None` when
/// every account answered.
pub(crate) fn unavailable_accounts(
    unavailable: &[crate::google::accounts::Unavailable],
    language: crate::language::Language,
) -> Option<Value> {
    if unavailable.is_empty() {
        return None;
    }
    Some(Value::Array(
        unavailable
            .iter()
            .map(|u| {
                let said = u.error.parts().message(language);
                json!({
                    "account": u.email,
                    "error": u.error.reason(),
                    "message": crate::messages::say(
                        language,
                        crate::messages::ACCOUNT_UNAVAILABLE,
                        &[("detail", said)],
                    ),
                })
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: Value) -> Event {
        serde_json::from_value(v).expect("event")
    }

    fn owners() -> Owners {
        Owners::new("ada@example.com", [])
    }

    #[test]
    fn a_timed_event_is_flattened_into_the_answer_zone_without_links() {
        let e = parse(json!({
            "id": "e1", "summary": "Standup", "htmlLink": "https://calendar.google.com/e1",
            "start": {"dateTime": "2026-11-24T09:00:00-05:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-11-24T09:15:00-05:00"},
            "organizer": {"email": "bob@example.com"},
            "attendees": [{"email": "ada@example.com", "self": true, "responseStatus": "tentative"},
                          {"email": "bob@example.com", "responseStatus": "accepted", "organizer": true},
                          {"email": "room@resource.calendar.google.com", "resource": true}],
            "creator": {"email": "x"}, "iCalUID": "u", "reminders": {"useDefault": true}
        }));
        let zone = Zone::parse("Europe/London", "timezone").expect("zone");
        assert_eq!(
            tool_event(&e, &zone, &CalendarRef::test_primary(), &owners()),
            json!({
                "id": "e1", "title": "Standup", "start": "2026-11-24T14:00",
                "end": "2026-11-24T14:15", "myResponse": "tentative",
                "organizer": "bob@example.com"
            })
        );
    }

    #[test]
    fn an_all_day_event_gives_its_first_and_last_date() {
        let e = parse(
            json!({"id": "e2", "start": {"date": "2026-11-26"}, "end": {"date": "2026-11-27"}, "location": "Home"}),
        );
        let v = tool_event(&e, &Zone::utc(), &CalendarRef::test_primary(), &owners());
        assert_eq!(v["allDay"], true);
        assert_eq!(v["start"], "2026-11-26");
        assert_eq!(v["end"], "2026-11-26");
        assert_eq!(v["title"], "(no title)");
        assert_eq!(v["location"], "Home");
    }

    #[test]
    fn a_crowd_is_named_up_to_ten_and_counted_beyond() {
        let attendees: Vec<Value> = (0..14)
            .map(|i| json!({"email": format!("p{i}@example.com")}))
            .collect();
        let e = parse(json!({"id": "all-hands", "attendees": attendees,
            "start": {"dateTime": "2026-11-24T09:00:00Z"}, "end": {"dateTime": "2026-11-24T10:00:00Z"}}));
        let v = tool_event(&e, &Zone::utc(), &CalendarRef::test_primary(), &owners());
        assert_eq!(v["attendees"].as_array().map(Vec::len), Some(10));
        assert_eq!(v["moreAttendees"], 4);
        assert_eq!(v["attendees"][0]["response"], "needsAction");
    }
}
