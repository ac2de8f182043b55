//! Changes to recurring events run end to end (propose, then apply, through the real router)
//! against the stand-in Google, and judged by the occurrences the calendar holds afterwards:
//! - the 120 changes of `tests/data/series-cases.json`, whose results another RFC 5545
//!   implementation (python-dateutil) computed: where `must_apply`, exactly that; elsewhere
//!   that, or a 400 with nothing written;
//! - random series and changes (a property test): daily, weekly, monthly and yearly rules with
//!   intervals, several weekdays, month days, positions, counts, ends and deleted dates, in
//!   zones with clock changes and one far from UTC, all-day ones too; a random occurrence moved
//!   (days and hours, said in another zone sometimes) or cancelled, for any scope. After
//!   `apply_change` the calendar holds exactly what was meant, or the answer was a 400 and
//!   nothing was written.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};

use crate::common::fake_calendar::{self, Events, requests_with};
use crate::common::fake_series::{Slot, expand};
use crate::common::routes::{APPLY, PROPOSE};
use crate::common::{ADA, TestApp, json_of, spawn_with_user};
use calendar_agent::clock::unix_now;

/// Occurrences are compared up to here: inside what the plan judges for every series below
/// (they start in 2027, and it judges two years past the occurrence).
const CUTOFF: &str = "2028-12-20T00:00:00Z";

async fn ready() -> (TestApp, Events) {
    let app = spawn_with_user(&[("TOOL_RATE_PER_MINUTE", "100000")], ADA).await;
    let events = fake_calendar::mount_events(&app.google).await;
    (app, events)
}

async fn call(app: &TestApp, path: &str, minted: u64, args: &Value) -> (u16, Value) {
    json_of(
        app.post_json(&app.session_url(path, ADA, minted), args)
            .await,
    )
    .await
}

async fn write_count(app: &TestApp) -> usize {
    let mut n = 0;
    for verb in ["POST", "PUT", "PATCH", "DELETE"] {
        n += requests_with(&app.google, verb).await.len();
    }
    n
}

/// What happened to one change.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Applied; the calendar holds these.
    Holds(Vec<String>),
    /// Refused with a 400 and nothing written.
    Refused,
}

/// Proposes and applies `args`; what the calendar holds then (before `cutoff`), or that it
/// was refused with nothing written (anything else fails the test).
async fn run(app: &TestApp, events: &Events, args: &Value, cutoff: &str, label: &str) -> Outcome {
    let minted = unix_now();
    let writes_before = write_count(app).await;
    let held_before = events.held(cutoff);
    let (status, body) = call(app, PROPOSE, minted, args).await;
    if status == 400 && body["error"] == "series_change_unsupported" {
        assert_eq!(
            write_count(app).await,
            writes_before,
            "{label}: refused, yet written"
        );
        assert_eq!(
            events.held(cutoff),
            held_before,
            "{label}: refused, yet changed"
        );
        return Outcome::Refused;
    }
    assert_eq!(status, 200, "{label}: {args} → {body}");
    let (status, applied) =
        call(app, APPLY, minted, &json!({"change_id": body["change_id"]})).await;
    assert_eq!(status, 200, "{label}: {applied}");
    assert!(applied.get("finishing").is_none(), "{label}: {applied}");
    Outcome::Holds(events.held(cutoff))
}

fn ts(text: &str) -> jiff::Timestamp {
    text.parse().expect("timestamp")
}

/// A wall-clock date-time in `zone` (compatible: a gap moves on, an overlap takes the earlier).
fn resolve(wall: jiff::civil::DateTime, zone: &str) -> jiff::Timestamp {
    wall.in_tz(zone).expect("zone").timestamp()
}

fn wall_in(at: jiff::Timestamp, zone: &str) -> jiff::civil::DateTime {
    at.in_tz(zone).expect("zone").datetime()
}

fn wall_text(wall: jiff::civil::DateTime) -> String {
    wall.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cross_checked_change_holds_what_python_dateutil_computed_or_is_refused() {
    let (app, events) = ready().await;
    let data: Value =
        serde_json::from_str(include_str!("../../data/series-cases.json")).expect("cases");
    let mut applied = 0;
    for case in data["cases"].as_array().expect("cases") {
        let label = case["id"].as_str().unwrap_or_default();
        events.clear();
        let id = label.replace("case", "c");
        let mut master = case["series"].clone();
        master["id"] = json!(id);
        master["summary"] = json!(label);
        master["organizer"] = json!({"email": ADA, "self": true});
        events.put(master.clone());
        let change = &case["change"];
        let occurrence = Slot::of(
            &if change["occurrence"].as_str().unwrap_or_default().len() == 10 {
                json!({"date": change["occurrence"]})
            } else {
                json!({"dateTime": change["occurrence"]})
            },
        )
        .expect("occurrence");
        let mut args = json!({
            "event_id": format!("{id}_{}", occurrence.suffix()),
            "action": change["action"],
            "scope": change["scope"],
        });
        if change["action"] == "move" {
            let to = change["to"].as_str().expect("to");
            let zone = change["timezone"].as_str().expect("zone");
            args["timezone"] = json!(zone);
            args["start"] = json!(to);
            args["end"] = json!(if to.len() == 10 {
                // One-day series: the last day is the first.
                to.to_owned()
            } else {
                let (a, b) = (
                    Slot::of(&master["start"]).expect("start").instant(),
                    Slot::of(&master["end"]).expect("end").instant(),
                );
                let start = resolve(to.parse().expect("wall"), zone);
                wall_text(wall_in(start + b.duration_since(a), zone))
            });
        }
        let expected: Vec<String> = case["expected"]
            .as_array()
            .expect("expected")
            .iter()
            .filter_map(Value::as_str)
            .map(|s| {
                Slot::of(&if s.len() == 10 {
                    json!({"date": s})
                } else {
                    json!({"dateTime": s})
                })
            })
            .map(|s| s.expect("slot"))
            .filter(|s| s.instant() < ts(CUTOFF))
            .map(|s| s.text())
            .collect();
        match run(&app, &events, &args, CUTOFF, label).await {
            Outcome::Holds(held) => {
                applied += 1;
                assert_eq!(held, expected, "{label}: {args}");
            }
            Outcome::Refused => assert_eq!(case["must_apply"], false, "{label} must apply: {args}"),
        }
    }
    assert!(applied >= 100, "{applied} of 120 applied");
}

/// One random series and change.
struct Case {
    master: Value,
    /// Occurrences deleted in Google Calendar before the change (ids).
    deleted: Vec<String>,
    args: Value,
    /// The occurrence's slot, the change, and the series' zone (for the intent).
    occurrence: Slot,
    shift: Option<(i64, i64)>,
    scope: &'static str,
    zone: String,
    all_day: bool,
}

const ZONES: [&str; 7] = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "Pacific/Kiritimati",
    "UTC",
];
const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn random_rule(rng: &mut StdRng) -> String {
    let mut parts = match rng.random_range(0..10) {
        0..=1 => {
            let mut p = vec!["FREQ=DAILY".to_owned()];
            if rng.random_bool(0.3) {
                p.push("BYDAY=MO,TU,WE,TH,FR".into());
            } else {
                p.push(format!("INTERVAL={}", rng.random_range(1..4)));
            }
            p
        }
        2..=5 => {
            let mut days: Vec<&str> = (0..rng.random_range(1..4))
                .map(|_| *pick(rng, &DAYS))
                .collect();
            days.sort_by_key(|d| DAYS.iter().position(|x| x == d));
            days.dedup();
            vec![
                "FREQ=WEEKLY".into(),
                format!("INTERVAL={}", rng.random_range(1..4)),
                format!("BYDAY={}", days.join(",")),
            ]
        }
        6..=8 => {
            let by = match rng.random_range(0..4) {
                0 => format!("BYMONTHDAY={}", rng.random_range(1..29)),
                1 => "BYMONTHDAY=-1".into(),
                2 => format!("BYDAY={}{}", pick(rng, &[1, 2, 3, 4, -1]), pick(rng, &DAYS)),
                _ => format!("BYDAY=MO,TU,WE,TH,FR;BYSETPOS={}", pick(rng, &[1, -1])),
            };
            vec![
                "FREQ=MONTHLY".into(),
                format!("INTERVAL={}", rng.random_range(1..3)),
                by,
            ]
        }
        _ => vec!["FREQ=YEARLY".into()],
    };
    match rng.random_range(0..3) {
        0 => parts.push(format!("COUNT={}", rng.random_range(3..25))),
        1 => parts.push("UNTIL=END".into()),
        _ => {}
    }
    parts.join(";")
}

fn random_case(rng: &mut StdRng, n: usize, events: &Events) -> Option<Case> {
    let zone = pick(rng, &ZONES).to_string();
    let all_day = rng.random_bool(0.2);
    let anchor = jiff::civil::date(2027, 1, 4)
        .checked_add(jiff::Span::new().days(rng.random_range(0..300)))
        .ok()?;
    let rule = random_rule(rng);
    let id = format!("p{n}");
    let (start, end, until) = if all_day {
        let until_day = anchor
            .checked_add(jiff::Span::new().days(rng.random_range(60..500)))
            .ok()?;
        (
            json!({"date": anchor.to_string()}),
            json!({"date": anchor.tomorrow().ok()?.to_string()}),
            until_day.strftime("%Y%m%d").to_string(),
        )
    } else {
        let time = jiff::civil::time(rng.random_range(7..20), *pick(rng, &[0, 15, 30, 45]), 0, 0);
        let at = resolve(anchor.to_datetime(time), &zone);
        let minutes = *pick(rng, &[30, 45, 60, 90]);
        let until_at = at + jiff::SignedDuration::from_hours(24 * rng.random_range(60..500));
        (
            json!({"dateTime": at.to_string(), "timeZone": zone}),
            json!({"dateTime": (at + jiff::SignedDuration::from_mins(minutes)).to_string(), "timeZone": zone}),
            until_at.strftime("%Y%m%dT%H%M%SZ").to_string(),
        )
    };
    let rule = rule.replace("UNTIL=END", &format!("UNTIL={until}"));
    let mut master = json!({"id": id, "summary": "Random", "organizer": {"email": ADA, "self": true},
        "start": start, "end": end, "recurrence": [format!("RRULE:{rule}")]});
    // The series starts on its rule's first occurrence, as Google Calendar makes them.
    let first = expand(&master, ts("2032-01-01T00:00:00Z")).ok()?;
    let first = first.first()?.clone();
    let length = Slot::of(&master["end"])?
        .instant()
        .duration_since(Slot::of(&master["start"])?.instant());
    master["start"] = first.json(&zone);
    master["end"] = match &first {
        Slot::Day(day) => json!({"date": day.tomorrow().ok()?.to_string()}),
        Slot::At(at) => json!({"dateTime": (*at + length).to_string(), "timeZone": zone}),
    };
    let slots = expand(&master, ts("2032-01-01T00:00:00Z")).ok()?;
    if slots.len() < 2 {
        return None;
    }
    // Dates deleted in the rule, and occurrences deleted in Google Calendar.
    let early: Vec<Slot> = slots.iter().skip(1).take(15).cloned().collect();
    if !early.is_empty() && rng.random_bool(0.4) {
        let gone = pick(rng, &early).clone();
        let line = match &gone {
            Slot::Day(day) => format!("EXDATE;VALUE=DATE:{}", day.strftime("%Y%m%d")),
            Slot::At(at) => format!(
                "EXDATE;TZID={zone}:{}",
                wall_in(*at, &zone).strftime("%Y%m%dT%H%M%S")
            ),
        };
        master["recurrence"].as_array_mut()?.push(json!(line));
    }
    let mut deleted = Vec::new();
    if !early.is_empty() && rng.random_bool(0.3) {
        deleted.push(format!("{id}_{}", pick(rng, &early).suffix()));
    }
    events.put(master.clone());
    for occurrence in &deleted {
        events.cancel(occurrence);
    }
    let visible: Vec<Slot> = events
        .occurrences(&id)
        .iter()
        .filter_map(|e| Slot::of(&e["originalStartTime"]))
        .take(20)
        .collect();
    let occurrence = pick(rng, &visible).clone();
    let scope = *pick(rng, &["this", "following", "all"]);
    let mut args = json!({"event_id": format!("{id}_{}", occurrence.suffix()), "scope": scope});
    let shift = if rng.random_bool(0.7) {
        let days = rng.random_range(-3..11);
        let minutes = if all_day {
            0
        } else {
            *pick(rng, &[0, 0, 60, -60, 90, 30, -120])
        };
        let said_in = if rng.random_bool(0.3) {
            pick(rng, &ZONES).to_string()
        } else {
            zone.clone()
        };
        args["action"] = json!("move");
        args["timezone"] = json!(said_in);
        match &occurrence {
            Slot::Day(day) => {
                let to = day.checked_add(jiff::Span::new().days(days)).ok()?;
                args["start"] = json!(to.to_string());
                args["end"] = json!(to.to_string());
            }
            Slot::At(at) => {
                let wall = wall_in(*at, &zone)
                    .checked_add(jiff::Span::new().days(days).minutes(minutes))
                    .ok()?;
                let to = resolve(wall, &zone);
                args["start"] = json!(wall_text(wall_in(to, &said_in)));
                args["end"] = json!(wall_text(wall_in(to + length, &said_in)));
            }
        }
        Some((days, minutes))
    } else {
        args["action"] = json!("cancel");
        None
    };
    Some(Case {
        master,
        deleted,
        args,
        occurrence,
        shift,
        scope,
        zone,
        all_day,
    })
}

/// What the user meant: the occurrences before (visible), each kept, moved on the series' wall
/// clock, or gone, as the scope says.
fn intent(case: &Case, before: &[Slot]) -> Vec<String> {
    let o = &case.occurrence;
    let moved = |slot: &Slot| -> Slot {
        let (days, minutes) = case.shift.unwrap_or((0, 0));
        match slot {
            Slot::Day(day) => Slot::Day(
                day.checked_add(jiff::Span::new().days(days))
                    .unwrap_or(*day),
            ),
            Slot::At(at) => {
                let wall = wall_in(*at, &case.zone)
                    .checked_add(jiff::Span::new().days(days).minutes(minutes))
                    .unwrap_or_default();
                Slot::At(resolve(wall, &case.zone))
            }
        }
    };
    let mut out: Vec<Slot> = before
        .iter()
        .filter_map(|slot| {
            let affected = match case.scope {
                "this" => slot == o,
                "following" => slot >= o,
                _ => true,
            };
            match (affected, case.shift) {
                (false, _) => Some(slot.clone()),
                (true, None) => None,
                (true, Some(_)) => Some(moved(slot)),
            }
        })
        .filter(|s| s.instant() < ts(CUTOFF))
        .collect();
    out.sort();
    out.iter().map(Slot::text).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_changes_to_random_series_hold_what_was_meant_or_write_nothing() {
    let cases: usize = std::env::var("SERIES_PROPERTY_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(250);
    let seed: u64 = std::env::var("SERIES_PROPERTY_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_261_205);
    let mut rng = StdRng::seed_from_u64(seed);
    let (app, events) = ready().await;
    let mut met = std::collections::BTreeSet::new();
    let (mut applied, mut refused) = (0, 0);
    let mut n = 0;
    while applied + refused < cases {
        n += 1;
        events.clear();
        let Some(case) = random_case(&mut rng, n, &events) else {
            continue;
        };
        let before: Vec<Slot> = events
            .occurrences(case.master["id"].as_str().unwrap_or_default())
            .iter()
            .filter_map(|e| Slot::of(&e["start"]))
            .collect();
        let label = format!(
            "seed {seed} case {n}: {} from {} in {} (deleted {:?}); {}",
            case.master["recurrence"], case.master["start"], case.zone, case.deleted, case.args
        );
        let action = if case.shift.is_some() {
            "move"
        } else {
            "cancel"
        };
        match run(&app, &events, &case.args, CUTOFF, &label).await {
            Outcome::Holds(held) => {
                applied += 1;
                assert_eq!(held, intent(&case, &before), "{label}");
                met.insert(format!(
                    "{action} {} {}",
                    case.scope,
                    if case.all_day { "day" } else { "timed" }
                ));
            }
            Outcome::Refused => {
                refused += 1;
                met.insert(format!("refused {action} {}", case.scope));
            }
        }
    }
    for branch in [
        "move this timed",
        "move following timed",
        "move all timed",
        "cancel this timed",
        "cancel following timed",
        "cancel all timed",
        "move this day",
        "move following day",
        "move all day",
        "cancel following day",
        "refused move all",
        "refused move following",
    ] {
        assert!(
            met.contains(branch),
            "{cases} cases never met {branch}: {met:?}"
        );
    }
    assert!(applied > refused, "{applied} applied, {refused} refused");
}
