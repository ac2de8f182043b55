//! What each change writes, decided before anything is written.

use serde_json::json;

use super::*;

fn zone() -> Zone {
    Zone::parse("Europe/Berlin", "timezone").expect("zone")
}

fn event(v: Value) -> Event {
    serde_json::from_value(v).expect("event")
}

fn meeting() -> Event {
    event(json!({
        "id": "m1", "etag": "\"11\"", "summary": "Roadmap review", "description": "Agenda",
        "organizer": {"email": "ada@example.com", "self": true},
        "attendees": [{"email": "ada@example.com", "self": true, "organizer": true},
                      {"email": "sam@example.com"}, {"email": "kim@example.com"},
                      {"email": "room@resource.calendar.google.com", "resource": true}],
        "start": {"dateTime": "2026-12-07T08:00:00Z", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-12-07T09:00:00Z", "timeZone": "Europe/Berlin"}
    }))
}

fn series() -> Event {
    event(json!({
        "id": "s1", "etag": "\"21\"", "summary": "Weekly sync",
        "organizer": {"email": "ada@example.com", "self": true},
        "attendees": [{"email": "ada@example.com", "self": true, "organizer": true, "responseStatus": "accepted"},
                      {"email": "sam@example.com", "responseStatus": "accepted"}],
        "start": {"dateTime": "2026-11-02T08:00:00Z", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-11-02T08:30:00Z", "timeZone": "Europe/Berlin"},
        "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10", "EXDATE;TZID=Europe/Berlin:20261109T090000"],
        "extendedProperties": {"private": {"createdBy": "calendar-agent"}}
    }))
}

fn occurrence(day: &str) -> Event {
    event(json!({
        "id": format!("s1_{day}T080000Z"), "etag": "\"31\"", "summary": "Weekly sync",
        "recurringEventId": "s1",
        "originalStartTime": {"dateTime": format!("{}-{}-{}T08:00:00Z", &day[..4], &day[4..6], &day[6..]), "timeZone": "Europe/Berlin"},
        "organizer": {"email": "ada@example.com", "self": true},
        "attendees": [{"email": "ada@example.com", "self": true}, {"email": "sam@example.com"}],
        "start": {"dateTime": format!("{}-{}-{}T08:00:00Z", &day[..4], &day[4..6], &day[6..]), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": format!("{}-{}-{}T08:30:00Z", &day[..4], &day[4..6], &day[6..]), "timeZone": "Europe/Berlin"}
    }))
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("ts")
}

fn asked<'a>(
    action: Verb,
    scope: Scope,
    times: Option<Times>,
    note: Option<&'a str>,
    zone: &'a Zone,
) -> Asked<'a> {
    Asked {
        action,
        scope,
        times,
        note,
        zone,
        user_id: "ada@example.com",
        now: ts("2026-11-01T00:00:00Z"),
    }
}

fn read(event: Event, master: Option<Event>, instances: Vec<Event>) -> Read {
    Read {
        calendar_id: "primary".into(),
        event,
        master,
        instances,
    }
}

#[test]
fn a_meeting_moved_is_one_patch_on_the_etag_read_telling_its_guests() {
    let z = zone();
    let to = Times::Timed(ts("2026-12-08T09:00:00Z"), ts("2026-12-08T10:00:00Z"));
    let p = plan(
        &read(meeting(), None, vec![]),
        &asked(Verb::Move, Scope::All, Some(to), Some("New room"), &z),
    )
    .expect("plan");
    assert_eq!(
        p.scope,
        Scope::This,
        "a single event has no series to change"
    );
    assert_eq!(p.guests, ["sam@example.com", "kim@example.com"]);
    assert_eq!(p.emails, 2);
    assert_eq!(p.steps.len(), 1);
    let s = &p.steps[0];
    assert_eq!(
        (
            s.write,
            s.event_id.as_str(),
            s.etag.as_deref(),
            s.send_updates.as_str()
        ),
        (Write::Patch, "m1", Some("\"11\""), "all")
    );
    assert_eq!(
        s.body["start"],
        json!({"dateTime": "2026-12-08T09:00:00Z", "timeZone": "Europe/Berlin"})
    );
    assert_eq!(s.body["description"], "Agenda\n\nNew room");
    assert_eq!(p.from.0, "2026-12-07T09:00:00+01:00");
    assert_eq!(
        p.to,
        Some((
            json!("2026-12-08T10:00:00+01:00"),
            json!("2026-12-08T11:00:00+01:00")
        ))
    );
}

#[test]
fn a_cancel_with_a_note_writes_the_note_quietly_then_deletes_on_the_etag_it_left() {
    let z = zone();
    let p = plan(
        &read(meeting(), None, vec![]),
        &asked(Verb::Cancel, Scope::This, None, Some("Sorry"), &z),
    )
    .expect("plan");
    let writes: Vec<_> = p
        .steps
        .iter()
        .map(|s| (s.write, s.send_updates.as_str(), s.etag.clone()))
        .collect();
    assert_eq!(
        writes,
        [
            (Write::Patch, "none", Some("\"11\"".into())),
            (Write::Delete, "all", None)
        ]
    );
    assert_eq!(p.emails, 2);
    let bare = plan(
        &read(meeting(), None, vec![]),
        &asked(Verb::Cancel, Scope::This, None, None, &z),
    )
    .expect("plan");
    assert_eq!(bare.steps.len(), 1);
    assert_eq!(bare.steps[0].etag.as_deref(), Some("\"11\""));
}

#[test]
fn this_occurrence_is_written_on_its_own_id() {
    let z = zone();
    let to = Times::Timed(ts("2026-11-24T10:00:00Z"), ts("2026-11-24T10:30:00Z"));
    let p = plan(
        &read(occurrence("20261123"), Some(series()), vec![]),
        &asked(Verb::Move, Scope::This, Some(to), None, &z),
    )
    .expect("plan");
    assert_eq!(p.steps.len(), 1);
    assert_eq!(p.steps[0].event_id, "s1_20261123T080000Z");
    assert_eq!(p.steps[0].etag.as_deref(), Some("\"31\""));
    assert_eq!(p.result_id, "s1_20261123T080000Z");
}

#[test]
fn all_of_a_series_moves_its_start_by_as_much_and_its_weekday_with_it() {
    let z = zone();
    // The 23 November occurrence (Monday 09:00 Berlin) to Tuesday 11:00: a day and two hours.
    let to = Times::Timed(ts("2026-11-24T10:00:00Z"), ts("2026-11-24T10:45:00Z"));
    let p = plan(
        &read(occurrence("20261123"), Some(series()), vec![]),
        &asked(Verb::Move, Scope::All, Some(to), None, &z),
    )
    .expect("plan");
    let s = &p.steps[0];
    assert_eq!(
        (s.event_id.as_str(), s.etag.as_deref()),
        ("s1", Some("\"21\""))
    );
    assert_eq!(s.body["start"]["dateTime"], "2026-11-03T10:00:00Z");
    assert_eq!(s.body["end"]["dateTime"], "2026-11-03T10:45:00Z");
    assert_eq!(
        s.body["recurrence"],
        json!([
            "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10",
            "EXDATE;TZID=Europe/Berlin:20261110T110000"
        ]),
        "the weekday moves, and the occurrence deleted on 9 November stays deleted"
    );
    assert_eq!(p.emails, 1);
}

#[test]
fn all_of_an_all_day_series_moves_its_first_day_by_as_many_days_and_stays_all_day() {
    let z = zone();
    let series = event(json!({
        "id": "b1", "etag": "\"41\"", "summary": "Bins out",
        "organizer": {"email": "ada@example.com", "self": true},
        "start": {"date": "2026-11-02"}, "end": {"date": "2026-11-03"},
        "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270301"]
    }));
    let occurrence = event(json!({
        "id": "b1_20261123", "etag": "\"42\"", "summary": "Bins out", "recurringEventId": "b1",
        "originalStartTime": {"date": "2026-11-23"},
        "organizer": {"email": "ada@example.com", "self": true},
        "start": {"date": "2026-11-23"}, "end": {"date": "2026-11-24"}
    }));
    // Monday 23 November to Wednesday 25 and Thursday 26: two days later, two days long.
    let day = |s: &str| s.parse::<Date>().expect("date");
    let to = Times::AllDay(day("2026-11-25"), day("2026-11-27"));
    let p = plan(
        &read(occurrence.clone(), Some(series.clone()), vec![]),
        &asked(Verb::Move, Scope::All, Some(to), None, &z),
    )
    .expect("plan");
    assert_eq!(p.steps.len(), 1);
    let s = &p.steps[0];
    assert_eq!(
        (s.event_id.as_str(), s.etag.as_deref()),
        ("b1", Some("\"41\""))
    );
    assert_eq!(s.body["start"], json!({"date": "2026-11-04"}));
    assert_eq!(s.body["end"], json!({"date": "2026-11-06"}));
    assert_eq!(
        s.body["recurrence"],
        json!(["RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20270303"]),
        "the end moves with the series, so its last occurrence stays"
    );
    assert_eq!(p.emails, 0, "nobody to tell");
    // To clock times, the whole series cannot go: it asks for a date, or one occurrence.
    let to = Times::Timed(ts("2026-11-25T09:00:00Z"), ts("2026-11-25T10:00:00Z"));
    let Err(refused) = plan(
        &read(occurrence, Some(series), vec![]),
        &asked(Verb::Move, Scope::All, Some(to), None, &z),
    ) else {
        panic!("an all-day series moved to clock times as a whole");
    };
    assert!(refused.to_string().contains("all day"), "{refused}");
}

#[test]
fn the_following_ones_end_the_series_before_and_continue_it_as_a_new_one() {
    let z = zone();
    let to = Times::Timed(ts("2026-11-24T10:00:00Z"), ts("2026-11-24T10:30:00Z"));
    let r = read(occurrence("20261123"), Some(series()), vec![]);
    let p = plan(&r, &asked(Verb::Move, Scope::Following, Some(to), None, &z)).expect("plan");
    assert_eq!(p.steps.len(), 2);
    let (trim, insert) = (&p.steps[0], &p.steps[1]);
    assert_eq!(
        (trim.write, trim.event_id.as_str(), trim.etag.as_deref()),
        (Write::Patch, "s1", Some("\"21\""))
    );
    assert_eq!(
        trim.body["recurrence"],
        json!([
            "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261123T075959Z",
            "EXDATE;TZID=Europe/Berlin:20261109T090000"
        ])
    );
    assert_eq!(insert.write, Write::Insert);
    assert_eq!(insert.body["id"], insert.event_id.as_str());
    assert_eq!(
        insert.body["recurrence"],
        json!(["RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=7"]),
        "on the new weekday, with what is left of the count (the deleted 9th counted)"
    );
    assert_eq!(
        insert.body["start"],
        json!({"dateTime": "2026-11-24T10:00:00Z", "timeZone": "Europe/Berlin"}),
        "in the series' own zone"
    );
    assert_eq!(insert.body["summary"], "Weekly sync");
    assert_eq!(
        insert.body["extendedProperties"]["private"]["createdBy"],
        "calendar-agent"
    );
    assert_eq!(
        insert.body["attendees"],
        json!([{"email": "sam@example.com"}]),
        "the guests, invited again; the user organizes it"
    );
    assert_eq!(p.result_id, insert.event_id);
    assert_eq!(
        p.emails, 2,
        "the guest hears of the end and of the new series"
    );
    let again = plan(&r, &asked(Verb::Move, Scope::Following, Some(to), None, &z)).expect("plan");
    assert_eq!(
        again.result_id, p.result_id,
        "the same split, the same continuation"
    );
    let cancel = plan(&r, &asked(Verb::Cancel, Scope::Following, None, None, &z)).expect("plan");
    assert_eq!(cancel.steps.len(), 1);
    assert_eq!(
        cancel.steps[0].body["recurrence"][0],
        "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261123T075959Z"
    );
}

#[test]
fn the_following_ones_from_the_first_are_all_of_them() {
    let z = zone();
    let p = plan(
        &read(occurrence("20261102"), Some(series()), vec![]),
        &asked(Verb::Cancel, Scope::Following, None, None, &z),
    )
    .expect("plan");
    assert_eq!(p.scope, Scope::All);
    assert_eq!(p.steps[0].write, Write::Delete);
    assert_eq!(p.steps[0].event_id, "s1");
}
