//! The Google writes of a planned change, in order: patches and deletions on the etag read,
//! and for a split the continuation's insert under an id derived from the change.

use google_calendar3::api::Event;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::bodies::{at_json, continuation, occurrence_of, times_json, with_note};
use super::{Asked, Read, Step, Times, Undo, Write};
use crate::calendar::Zone;
use crate::calendar::series::{At, Writes};

/// The writes, the event the user ends up with, and how a split is put back.
pub(super) struct Written {
    pub(super) steps: Vec<Step>,
    pub(super) result_id: String,
    pub(super) undo: Option<Undo>,
}

/// The steps that make `writes` on what was `read`, telling as `send` says.
pub(super) fn written(
    read: &Read,
    writes: &Writes,
    asked: &Asked<'_>,
    moved_to: Option<Times>,
    send: &str,
) -> Written {
    let cal = read.calendar_id.as_str();
    let event = &read.event;
    let master = read.master.as_ref().unwrap_or(event);
    let mut steps = Vec::new();
    let mut undo = None;
    let result_id = match writes {
        Writes::Occurrence => {
            match moved_to {
                None => cancel(&mut steps, cal, event, asked.note, send),
                Some(times) => {
                    let (start, end) = times_json(times, &asked.zone.name);
                    let mut body = Map::from_iter([("start".into(), start), ("end".into(), end)]);
                    with_note(event, asked.note, &mut body);
                    steps.push(step(Write::Patch, cal, event, Value::Object(body), send));
                }
            }
            event.id.clone()
        }
        Writes::DeleteSeries => {
            cancel(&mut steps, cal, master, asked.note, send);
            master.id.clone()
        }
        Writes::Series { times, recurrence } => {
            let zone = series_zone(master, asked.zone);
            let mut body = Map::from_iter([("recurrence".into(), json!(recurrence))]);
            if let Some((start, end)) = times {
                body.insert("start".into(), at_json(*start, &zone));
                body.insert("end".into(), at_json(*end, &zone));
            }
            with_note(master, asked.note, &mut body);
            steps.push(step(Write::Patch, cal, master, Value::Object(body), send));
            master.id.clone()
        }
        Writes::Split {
            ended,
            times,
            recurrence,
        } => {
            let body = json!({ "recurrence": ended });
            steps.push(step(Write::Patch, cal, master, body, send));
            let id = continuation_id(
                asked.user_id,
                master.id.as_deref().unwrap_or_default(),
                occurrence_of(event).unwrap_or(times.0),
                moved_to.map_or(format!("{times:?}"), |t| format!("{t:?}")),
            );
            let zone = series_zone(master, asked.zone);
            let body = continuation(master, &id, *times, &zone, recurrence, asked.note);
            steps.push(Step {
                write: Write::Insert,
                calendar: cal.to_owned(),
                event_id: id.clone(),
                etag: None,
                body,
                send_updates: send.to_owned(),
            });
            undo = Some(Undo {
                original: master.recurrence.clone().unwrap_or_default(),
                ended: ended.clone(),
            });
            Some(id)
        }
    };
    Written {
        steps,
        result_id: result_id.unwrap_or_default(),
        undo,
    }
}

fn step(write: Write, calendar: &str, event: &Event, body: Value, send: &str) -> Step {
    Step {
        write,
        calendar: calendar.to_owned(),
        event_id: event.id.clone().unwrap_or_default(),
        etag: event.etag.clone(),
        body,
        send_updates: send.to_owned(),
    }
}

/// The continuation of a split series: the same for every proposal of the same split, so a
/// retry that reaches Google meets its own series (409) instead of making a second one.
fn continuation_id(user_id: &str, master: &str, from: At, times: String) -> String {
    let mut hash = Sha256::new();
    for part in [
        "calendar-agent/split/v1",
        user_id,
        master,
        &format!("{from:?}"),
        &times,
    ] {
        hash.update(part.len().to_le_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(&hash.finalize()[..16])
}

/// A cancellation of `event`: with a note, the note goes into the description quietly first,
/// so the notice carries it; then the deletion on the etag that left.
fn cancel(steps: &mut Vec<Step>, cal: &str, event: &Event, note: Option<&str>, send: &str) {
    if note.is_some() {
        let mut body = Map::new();
        with_note(event, note, &mut body);
        steps.push(step(Write::Patch, cal, event, Value::Object(body), "none"));
    }
    let mut delete = step(Write::Delete, cal, event, Value::Null, send);
    if note.is_some() {
        delete.etag = None;
    }
    steps.push(delete);
}

/// The series' own zone (Google requires one on a series; the answer's zone otherwise).
pub(super) fn series_zone(master: &Event, zone: &Zone) -> String {
    master
        .start
        .as_ref()
        .and_then(|s| s.time_zone.clone())
        .unwrap_or_else(|| zone.name.clone())
}
