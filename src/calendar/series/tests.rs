//! The plan judged by what the calendar holds afterwards: each case's writes are played on
//! the series (expanded by the engine) and the occurrences compared with what was meant.
//! `tests/data/series-cases.json` holds 120 changes whose results another RFC 5545
//! implementation (python-dateutil) computed; the tests below hold the ones users met.

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::Value;

use super::engine::{Clock, Recurrence};
use super::*;

const NOW: &str = "2026-12-05T12:00:00Z";

fn ts(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

fn day(text: &str) -> Date {
    text.parse().expect("date")
}

/// A wall-clock time in `zone` as an instant.
fn wall(text: &str, zone: &str) -> At {
    let local: jiff::civil::DateTime = text.parse().expect("wall clock");
    At::Instant(local.in_tz(zone).expect("zone").timestamp())
}

/// What the calendar holds after `writes` on `series`: every start, in order.
fn held(
    series: &Series<'_>,
    exceptions: &[Exception],
    change: &Change<'_>,
    planned: &Planned,
) -> Vec<At> {
    let clock = Clock::of(series.start, series.zone).expect("clock");
    let last = ts("2031-01-01T00:00:00Z");
    let expand = |lines: &[String], start: At| -> Vec<At> {
        Recurrence::read(lines, clock)
            .expect("lines")
            .expand(start, clock, last, true)
            .expect("expand")
    };
    // Exceptions Google keeps by original start, applied where the start still is one.
    let apply = |slots: Vec<At>| -> Vec<At> {
        slots
            .into_iter()
            .filter_map(|s| match exceptions.iter().find(|e| e.original == s) {
                Some(e) => e.now,
                None => Some(s),
            })
            .collect()
    };
    let mut out = match &planned.writes {
        Writes::Occurrence => apply(expand(series.recurrence, series.start))
            .into_iter()
            .filter_map(|at| match change.asked {
                _ if at != change.occurrence => Some(at),
                Asked::Cancel => None,
                Asked::Move { to, .. } => Some(to),
            })
            .collect(),
        Writes::DeleteSeries => Vec::new(),
        Writes::Series { times, recurrence } => {
            apply(expand(recurrence, times.map_or(series.start, |t| t.0)))
        }
        Writes::Split {
            ended,
            times,
            recurrence,
        } => {
            let mut all = apply(expand(ended, series.start));
            all.extend(expand(recurrence, times.0));
            all
        }
    };
    out.sort();
    out
}

fn at_of(value: &Value) -> At {
    let text = value.as_str().expect("text");
    if text.len() == 10 {
        At::Day(day(text))
    } else {
        At::Instant(ts(text))
    }
}

#[test]
fn every_cross_checked_change_holds_what_python_dateutil_computed_or_is_refused() {
    let data: Value =
        serde_json::from_str(include_str!("../../../tests/data/series-cases.json")).expect("json");
    let cutoff = ts("2028-12-20T00:00:00Z");
    let mut refused_must = Vec::new();
    let mut wrong = Vec::new();
    let mut applied = 0;
    for case in data["cases"].as_array().expect("cases") {
        let id = case["id"].as_str().unwrap_or_default();
        let s = &case["series"];
        let recurrence: Vec<String> = s["recurrence"]
            .as_array()
            .expect("recurrence")
            .iter()
            .map(|l| l.as_str().unwrap_or_default().to_owned())
            .collect();
        let zone = s["start"]["timeZone"].as_str().unwrap_or("UTC");
        let (start, end) = match s["start"]["date"].as_str() {
            Some(d) => (
                At::Day(day(d)),
                At::Day(day(s["end"]["date"].as_str().expect("end date"))),
            ),
            None => (
                At::Instant(ts(s["start"]["dateTime"].as_str().expect("start"))),
                At::Instant(ts(s["end"]["dateTime"].as_str().expect("end"))),
            ),
        };
        let series = Series {
            start,
            zone,
            recurrence: &recurrence,
        };
        let c = &case["change"];
        let occurrence = at_of(&c["occurrence"]);
        let scope = match c["scope"].as_str() {
            Some("this") => Scope::This,
            Some("following") => Scope::Following,
            _ => Scope::All,
        };
        let asked = match c["action"].as_str() {
            Some("cancel") => Asked::Cancel,
            _ => {
                let to_text = c["to"].as_str().expect("to");
                let to = if to_text.len() == 10 {
                    At::Day(day(to_text))
                } else {
                    wall(to_text, c["timezone"].as_str().unwrap_or("UTC"))
                };
                let length = Length::between(start, end);
                Asked::Move {
                    to,
                    end: length.after(to),
                }
            }
        };
        let change = Change {
            series,
            exceptions: &[],
            occurrence,
            scope,
            asked,
            now: ts(NOW),
        };
        let expected: Vec<At> = case["expected"]
            .as_array()
            .expect("expected")
            .iter()
            .map(at_of)
            .filter(|at| at.instant() < cutoff)
            .collect();
        match plan(&change) {
            Ok(planned) => {
                applied += 1;
                let got: Vec<At> = held(&series, &[], &change, &planned)
                    .into_iter()
                    .filter(|at| at.instant() < cutoff)
                    .collect();
                if got != expected {
                    let first = got
                        .iter()
                        .zip(&expected)
                        .find(|(g, e)| g != e)
                        .map(|(g, e)| format!("got {g:?}, expected {e:?}"))
                        .unwrap_or_else(|| format!("{} vs {}", got.len(), expected.len()));
                    wrong.push(format!("{id}: {first} ({:?})", planned.writes));
                }
            }
            Err(refusal) if case["must_apply"] == true => {
                refused_must.push(format!("{id}: {}", refusal.why));
            }
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "applied wrongly:\n{}", wrong.join("\n"));
    assert!(
        refused_must.is_empty(),
        "refused though it must apply:\n{}",
        refused_must.join("\n")
    );
    assert!(applied >= 90, "{applied} of 120 applied");
}
