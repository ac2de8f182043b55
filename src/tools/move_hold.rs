//! `move_hold`: moves a hold or meeting this service made for the user to a new time. Any
//! other event is refused before anything is written; a meeting's guests are told.

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use google_calendar3::api::Event;
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::answers::edge;
use super::args::{event_id, event_times, no_such_event, required_zone};
use super::run::answer;
use super::time::Zone;
use super::{Offered, Tool, UrlLife, made_by_agent};
use crate::error::Result;
use crate::google::calendar::event_time;
use crate::google::scopes;
use crate::guest_emails;
use crate::state::AppState;
use crate::tool_args::ToolArgs;
use crate::webhook_auth::VerifiedUser;

/// The route.
pub const ROUTE: &str = "/api/calendar/holds/move";

/// The declaration.
pub const TOOL: Tool = Tool {
    name: "move_hold",
    route: ROUTE,
    description: "Move an event this assistant created (a hold, or a meeting it sent) to a new \
                  start and end time. Only events list_events marks madeByAgent can be moved. \
                  First read back the event, its new day, start and end time and time zone, and \
                  call it only after the user clearly says yes. Guests of a meeting are told.",
    parameters,
    handler: || post(move_hold),
    offered: Offered::Always,
    url_life: UrlLife::Session,
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
pub struct MoveHoldArgs {
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
    pub fn parse(args: &Map<String, Value>) -> Result<Self> {
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

async fn move_hold(
    State(state): State<AppState>,
    user: VerifiedUser,
    ToolArgs(raw): ToolArgs<Map<String, Value>>,
) -> Result<Json<Value>> {
    let args = MoveHoldArgs::parse(&raw)?;
    answer(&state, &user, "move_hold", async |google| {
        let event = made_by_agent::read(google, &args.event_id).await?;
        if event.status.as_deref() == Some("cancelled") {
            return Err(no_such_event());
        }
        made_by_agent::ensure_ours(&event)?;
        let send = made_by_agent::send_updates(&event);
        // Each guest told is an e-mail: counted before the write, refused beyond the allowance.
        let told = guest_emails::guests_told(&event).len();
        guest_emails::take(google.state(), &user.user_id, guest_emails::count(told)).await?;
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
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
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
            let mut m = map(ok.clone());
            m.insert(key.into(), value);
            match MoveHoldArgs::parse(&m) {
                Err(Error::InvalidArgument { argument, .. }) => assert_eq!(argument, named),
                other => panic!("{key}: {other:?}"),
            }
        }
    }
}
