//! The day at Start: what is left of today in the user's calendars and the next free hour
//! inside working hours, as a few compact lines of the system prompt, so that "what's on
//! today?" needs no tool call and the avatar can open with it. Pure: the route reads the
//! calendars (within the mint's budget) and hands the events here.

use google_calendar3::api::Event;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::calendar::{
    CalendarRef, DayPlace, Interval, Window, WorkingHours, Zone, from_chrono, my_response,
    offered_slots,
};

/// Most events of the day named in the prompt.
pub const MAX_EVENTS: usize = 8;
/// Most bytes the agenda lines take in the prompt.
pub const MAX_BYTES: usize = 600;
/// Longest title kept on a line.
const TITLE_CHARS: usize = 48;

/// The rest of today in `zone` from `now`: `None` when the day is over.
pub(crate) fn rest_of_today(zone: &Zone, now: Timestamp) -> Option<Window> {
    let local = zone.zoned(now);
    let midnight = local.date().checked_add(1.day()).ok()?;
    let end = midnight.to_zoned(zone.tz.clone()).ok()?.timestamp();
    Window::new(now, end).ok()
}

fn timed(at: Option<&google_calendar3::api::EventDateTime>) -> Option<Timestamp> {
    at.and_then(|a| a.date_time).and_then(from_chrono)
}

/// The agenda lines: at most [`MAX_EVENTS`] events that have not ended, within
/// [`MAX_BYTES`], then how many more there are.
pub(crate) fn agenda(events: &[(Event, CalendarRef)], zone: &Zone, now: Timestamp) -> String {
    let left: Vec<&Event> = events
        .iter()
        .map(|(e, _)| e)
        .filter(|e| timed(e.end.as_ref()).is_none_or(|end| end > now))
        .collect();
    let mut out = String::new();
    for (shown, event) in left.iter().enumerate() {
        let line = line(event, zone);
        let more = left.len() - shown - 1;
        let tail = if more > 0 {
            format!("and {more} more\n").len()
        } else {
            0
        };
        if shown == MAX_EVENTS || out.len() + line.len() + tail > MAX_BYTES {
            out.push_str(&format!("and {} more\n", left.len() - shown));
            return out;
        }
        out.push_str(&line);
    }
    out
}

/// `14:00-15:00 Standup (declined)`, or `all day: Holiday`.
fn line(event: &Event, zone: &Zone) -> String {
    let mut title: String = event
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or("(no title)")
        .chars()
        .filter(|c| !c.is_control())
        .take(TITLE_CHARS)
        .collect();
    if my_response(event) == Some("declined") {
        title.push_str(" (declined)");
    }
    match (timed(event.start.as_ref()), timed(event.end.as_ref())) {
        (Some(start), Some(end)) => format!(
            "{}-{} {title}\n",
            zone.zoned(start).strftime("%H:%M"),
            zone.zoned(end).strftime("%H:%M")
        ),
        _ => format!("all day: {title}\n"),
    }
}

/// The first free hour from `now` to the end of today, inside working hours, around the timed
/// events the user has not declined and that block time.
pub(crate) fn next_free_hour(
    events: &[(Event, CalendarRef)],
    zone: &Zone,
    now: Timestamp,
    working: &WorkingHours,
) -> Option<Interval> {
    let today = rest_of_today(zone, now)?;
    let allowed = working.intervals(today, zone);
    let busy: Vec<Interval> = events
        .iter()
        .map(|(e, _)| e)
        .filter(|e| e.transparency.as_deref() != Some("transparent"))
        .filter(|e| my_response(e) != Some("declined"))
        .filter_map(|e| {
            Some(Interval {
                start: timed(e.start.as_ref())?,
                end: timed(e.end.as_ref())?,
            })
        })
        .collect();
    offered_slots(
        &allowed,
        &busy,
        SignedDuration::from_hours(1),
        zone,
        None,
        1,
    )
    .into_iter()
    .next()
}

/// The prompt's lines about today: the agenda, where the user works today (when they set it),
/// the next free hour.
pub(crate) fn section(
    agenda: &str,
    free: Option<Interval>,
    place: Option<&DayPlace>,
    zone: &Zone,
) -> String {
    let agenda = if agenda.is_empty() {
        "nothing more today\n".to_owned()
    } else {
        agenda.to_owned()
    };
    let free = free.map_or_else(
        || "none left today".to_owned(),
        |f| {
            format!(
                "{}-{}",
                zone.zoned(f.start).strftime("%H:%M"),
                zone.zoned(f.end).strftime("%H:%M")
            )
        },
    );
    let place = place.map_or_else(String::new, |p| {
        let named = p.label.as_deref().map_or_else(String::new, |l| {
            format!(
                " ({})",
                l.chars()
                    .filter(|c| !c.is_control())
                    .take(TITLE_CHARS)
                    .collect::<String>()
            )
        });
        format!("Working location today: {}{named}.\n", p.place.word())
    });
    format!(
        "The rest of today, as the calendar stood at Start (24-hour times in the user's zone):\n\
         {agenda}{place}The next free hour inside working hours today: {free}.\n\
         You may open the conversation with a one-sentence summary of this, and answer \
         questions about the rest of today from it; use list_events for anything else or if \
         something may have changed."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn zone() -> Zone {
        Zone::parse("Europe/Berlin", "timezone").expect("zone")
    }

    fn event(title: &str, start: &str, end: &str) -> (Event, CalendarRef) {
        let e: Event = serde_json::from_value(json!({
            "summary": title,
            "start": {"dateTime": start}, "end": {"dateTime": end}
        }))
        .expect("event");
        (e, CalendarRef::test_primary())
    }

    fn at(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    #[test]
    fn twelve_events_left_give_eight_lines_within_600_bytes() {
        let events: Vec<_> = (0..12)
            .map(|h| {
                event(
                    &format!("Review of the quarterly planning document, part {h}"),
                    &format!("2026-12-07T{:02}:00:00Z", 6 + h),
                    &format!("2026-12-07T{:02}:30:00Z", 6 + h),
                )
            })
            .collect();
        let text = agenda(&events, &zone(), at("2026-12-07T05:00:00Z"));
        assert!(text.len() <= MAX_BYTES, "{} bytes", text.len());
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() <= MAX_EVENTS + 1, "{text}");
        assert!(
            lines.last().is_some_and(|l| l.starts_with("and ")),
            "{text}"
        );
        assert!(lines[0].starts_with("07:00-07:30 Review"), "{text}");
    }

    #[test]
    fn ended_events_are_left_out_and_declined_ones_said() {
        let mut declined = event("Lunch", "2026-12-07T12:00:00Z", "2026-12-07T13:00:00Z");
        declined.0.attendees = Some(vec![google_calendar3::api::EventAttendee {
            self_: Some(true),
            response_status: Some("declined".into()),
            ..Default::default()
        }]);
        let events = vec![
            event("Standup", "2026-12-07T08:00:00Z", "2026-12-07T08:15:00Z"),
            declined,
        ];
        let text = agenda(&events, &zone(), at("2026-12-07T10:00:00Z"));
        assert_eq!(text, "13:00-14:00 Lunch (declined)\n");
    }

    #[test]
    fn the_next_free_hour_is_inside_working_hours_around_what_blocks_time() {
        let events = vec![
            event("Standup", "2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z"),
            event("Focus", "2026-12-07T10:00:00Z", "2026-12-07T11:30:00Z"),
        ];
        let working = WorkingHours::default();
        // 09:00 in Berlin (08:00Z): busy 10:00-12:30 local, so 09:00-10:00 is free.
        let free = next_free_hour(&events, &zone(), at("2026-12-07T08:00:00Z"), &working)
            .expect("a free hour");
        assert_eq!(
            zone().zoned(free.start).strftime("%H:%M").to_string(),
            "09:00"
        );
        let free = next_free_hour(&events, &zone(), at("2026-12-07T08:30:00Z"), &working)
            .expect("a free hour");
        assert_eq!(
            zone().zoned(free.start).strftime("%H:%M").to_string(),
            "12:30"
        );
        // After work on Friday evening: nothing today.
        assert!(next_free_hour(&[], &zone(), at("2026-12-11T18:00:00Z"), &working).is_none());
    }

    #[test]
    fn the_working_location_is_said_once_when_set() {
        let office = DayPlace {
            date: jiff::civil::date(2030, 3, 5),
            place: crate::calendar::Place::Office,
            label: Some("Berlin HQ".into()),
        };
        let with = section("", None, Some(&office), &zone());
        assert!(
            with.contains("Working location today: office (Berlin HQ).\n"),
            "{with}"
        );
        let without = section("", None, None, &zone());
        assert!(!without.contains("Working location"), "{without}");
    }
}
