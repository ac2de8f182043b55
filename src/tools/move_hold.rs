//! `move_hold`: moves a hold or meeting this service made for the user to a new time. Any
//! other event is refused before anything is written; a meeting's guests are told.

use google_calendar3::api::Event;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::args::{Args, event_id, event_times, no_such_event, required_zone};
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::calendar::{self, Zone, edge, event_time};
use crate::error::{Action, Error, Result};
use crate::google::scopes;
use crate::guest_emails;

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/holds/move";

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "move_hold",
    route: ROUTE,
    description: "Move an event this assistant created (a hold, or a meeting it sent) to a new \
                  start and end time. Only events list_events marks madeByAgent can be moved. \
                  First read back the event, its new day, start and end time and time zone, and \
                  call it only after the user clearly says yes. Guests of a meeting are told.",
    when_to_use: "Moving something you made (madeByAgent): move_hold. First read back which \
                  event it is and exactly what will change, its new day, start and end time and \
                  time zone, and that a meeting's guests will be told; call it only after the \
                  user clearly says yes. You cannot change events you did not make; say the \
                  user can do that in Google Calendar.",
    offered: Offered::Always,
    url_life: UrlLife::Session,
    parameters,
    examples: || {
        vec![json!({"event_id": "abc123", "start": "2026-11-24T09:00:00",
                    "end": "2026-11-24T10:00:00", "timezone": "Europe/Berlin"})]
    },
    prepare: |args, _| {
        Ok(Work::new(MoveHoldArgs::parse(args)?, |call, args| {
            Box::pin(run(call, args))
        }))
    },
};

fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "event_id": { "type": "string", "description": "The id list_events gave for the event" },
            "start": { "type": "string", "description": "ISO 8601 new start date and time" },
            "end": { "type": "string", "description": "ISO 8601 new end date and time" },
            "timezone": { "type": "string", "description": "IANA time zone, such as America/New_York" }
        },
        "required": ["event_id", "start", "end", "timezone"]
    })
}

/// `move_hold`'s arguments.
#[derive(Clone, Debug)]
pub(crate) struct MoveHoldArgs {
    /// `event_id`.
    pub event_id: String,
    /// The new start.
    pub start: Timestamp,
    /// The new end.
    pub end: Timestamp,
    /// `timezone`.
    pub timezone: Zone,
}

impl MoveHoldArgs {
    /// Parses the JSON arguments.
    pub(crate) fn parse(args: &Args<'_>) -> Result<Self> {
        let event_id = event_id(args)?;
        let timezone = required_zone(args)?;
        let (start, end) = event_times(args, &timezone)?;
        Ok(Self {
            event_id,
            start,
            end,
            timezone,
        })
    }
}

async fn run(call: &mut Call, args: MoveHoldArgs) -> Result<Value> {
    let (state, user, google) = (&call.state, &call.user, &mut call.google);
    let event = google
        .event(&args.event_id)
        .await?
        .ok_or_else(no_such_event)?;
    if event.status.as_deref() == Some("cancelled") {
        return Err(no_such_event());
    }
    if !calendar::made_by_agent_for_user(&event) {
        return Err(Error::Action(Action::NotMadeByAgent));
    }
    let send = calendar::send_updates(&event);
    // Each guest told is an e-mail: counted before the write, refused beyond the allowance.
    let told = calendar::guests_told(&event).len();
    guest_emails::take(
        &state.store,
        &state.config,
        &user.user_id,
        guest_emails::count(told),
    )
    .await?;
    let patch = Event {
        start: Some(event_time(args.start, &args.timezone)),
        end: Some(event_time(args.end, &args.timezone)),
        ..Default::default()
    };
    let (id, patch) = (args.event_id.as_str(), &patch);
    let moved = google
        .call(&[&scopes::EVENTS_PATCH], |client, token| async move {
            client.patch_event(&token, id, patch.clone(), send).await
        })
        .await?;
    Ok(json!({
        "eventId": args.event_id,
        "title": moved.summary.or(event.summary),
        "start": edge(moved.start.as_ref(), &args.timezone, false),
        "end": edge(moved.end.as_ref(), &args.timezone, false),
        "timezone": args.timezone.name,
        "guestsNotified": send == "all",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::error::Input;
    use crate::tools::test_support::map;

    #[test]
    fn every_argument_is_checked_before_google() {
        let ok = json!({"event_id": "abc123", "start": "2026-11-24T09:00:00", "end": "2026-11-24T10:00:00", "timezone": "Europe/Berlin"});
        assert!(MoveHoldArgs::parse(&map(ok.clone())).is_ok());
        for (key, value, named) in [
            ("event_id", json!(null), "event_id"),
            ("event_id", json!("a/b"), "event_id"),
            ("start", json!("later"), "start"),
            ("end", json!("2026-11-24T08:00:00"), "end"),
            ("timezone", json!(null), "timezone"),
        ] {
            let mut m = ok.clone();
            m[key] = value;
            match MoveHoldArgs::parse(&map(m)) {
                Err(Error::Input(Input::InvalidArgument { argument, .. })) => {
                    assert_eq!(argument, named)
                }
                other => panic!("{key}: {other:?}"),
            }
        }
    }
}
