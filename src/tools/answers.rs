//! The compact answers the model reads: flat, stable keys, times in one zone. Google's event
//! has creator, organizer, iCalUID, reminders and more; none of it is worth the tokens.

use google_calendar3::api::{Event, EventDateTime};
use serde_json::{Value, json};

use super::free_slots::Interval;
use super::time::{Window, Zone};
use crate::google::calendar::{EventPage, from_chrono};

/// One event as `list_events` and the bookings panel show it.
pub fn event(event: &Event, zone: &Zone) -> Value {
    let all_day = event.start.as_ref().is_some_and(|s| s.date.is_some());
    let mut out = json!({
        "id": event.id.clone().unwrap_or_default(),
        "title": event.summary.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "(no title)".into()),
        "start": edge(event.start.as_ref(), zone, false),
        "end": edge(event.end.as_ref(), zone, all_day),
        "timezone": zone.name,
        "allDay": all_day,
        "attendees": event
            .attendees
            .iter()
            .flatten()
            .filter(|a| a.resource != Some(true))
            .filter_map(|a| a.email.clone())
            .collect::<Vec<_>>(),
    });
    if let Some(location) = event.location.as_ref().filter(|l| !l.trim().is_empty()) {
        out["location"] = json!(location);
    }
    if let Some(link) = &event.html_link {
        out["htmlLink"] = json!(link);
    }
    if let Some(response) = my_response(event) {
        out["myResponse"] = json!(response);
    }
    out
}

/// The user's own answer to an invitation (`accepted`, `declined`, `tentative`,
/// `needsAction`), when they are a guest rather than the organizer. A declined event is not a
/// commitment, and the model must be able to say so.
pub fn my_response(event: &Event) -> Option<&str> {
    if event
        .organizer
        .as_ref()
        .is_some_and(|o| o.self_ == Some(true))
    {
        return None;
    }
    event
        .attendees
        .iter()
        .flatten()
        .find(|a| a.self_ == Some(true))
        .and_then(|a| a.response_status.as_deref())
}

/// A timed edge in `zone`; an all-day edge as a date. Google's all-day end date is exclusive
/// (the day after); the answer gives the last day itself, so a one-day event starts and ends on
/// the same date, which is what a person would say.
fn edge(at: Option<&EventDateTime>, zone: &Zone, exclusive_end_date: bool) -> Value {
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

/// The `list_events` answer. `"truncated": true` says there were more events than the cap.
pub fn event_list(page: &EventPage, zone: &Zone, window: Window) -> Value {
    let events: Vec<Value> = page
        .items
        .iter()
        .filter(|e| e.status.as_deref() != Some("cancelled"))
        .map(|e| event(e, zone))
        .collect();
    let mut out = json!({
        "count": events.len(),
        "events": events,
        "window_start": zone.format(window.start),
        "window_end": zone.format(window.end),
    });
    if page.truncated {
        out["truncated"] = json!(true);
    }
    out
}

/// The `find_free_time` answer.
pub fn slots(slots: &[Interval], zone: &Zone, window: Window) -> Value {
    json!({
        "slots": slots
            .iter()
            .map(|s| json!({ "start": zone.format(s.start), "end": zone.format(s.end) }))
            .collect::<Vec<_>>(),
        "timezone": zone.name,
        "window_start": zone.format(window.start),
        "window_end": zone.format(window.end),
    })
}

/// The `block_time` answer, from the event Google holds.
pub fn blocked(event: &Event, zone: &Zone) -> Value {
    json!({
        "eventId": event.id,
        "htmlLink": event.html_link,
        "start": edge(event.start.as_ref(), zone, false),
        "end": edge(event.end.as_ref(), zone, false),
        "timezone": zone.name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: Value) -> Event {
        serde_json::from_value(v).expect("event")
    }

    #[test]
    fn a_timed_event_is_flattened_into_the_answer_zone() {
        let e = parse(json!({
            "id": "e1", "summary": "Standup", "htmlLink": "https://calendar.google.com/e1",
            "start": {"dateTime": "2026-11-24T09:00:00-05:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-11-24T09:15:00-05:00"},
            "attendees": [{"email": "ada@example.com", "self": true}, {"email": "room@resource.calendar.google.com", "resource": true}],
            "creator": {"email": "x"}, "organizer": {"email": "x"}, "iCalUID": "u", "reminders": {"useDefault": true}
        }));
        let zone = Zone::parse("Europe/London", "timezone").expect("zone");
        assert_eq!(
            event(&e, &zone),
            json!({
                "id": "e1", "title": "Standup", "start": "2026-11-24T14:00:00+00:00",
                "end": "2026-11-24T14:15:00+00:00", "timezone": "Europe/London", "allDay": false,
                "attendees": ["ada@example.com"], "htmlLink": "https://calendar.google.com/e1"
            })
        );
    }

    #[test]
    fn an_all_day_event_gives_its_first_and_last_date() {
        let e = parse(
            json!({"id": "e2", "start": {"date": "2026-11-26"}, "end": {"date": "2026-11-27"}, "location": "Home"}),
        );
        let v = event(&e, &Zone::utc());
        assert_eq!(v["allDay"], true);
        assert_eq!(v["start"], "2026-11-26");
        assert_eq!(v["end"], "2026-11-26");
        assert_eq!(v["title"], "(no title)");
        assert_eq!(v["location"], "Home");
    }
}
