//! `cancel_hold`: deletes a hold or meeting this service made for the user. Any other event is
//! refused before anything is written; a meeting's guests are told; cancelling twice is fine.

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Map, Value, json};

use super::args::event_id;
use super::run::answer;
use super::{Offered, Tool, UrlLife, made_by_agent};
use crate::error::Result;
use crate::google::scopes;
use crate::guest_emails;
use crate::state::AppState;
use crate::tool_args::ToolArgs;
use crate::webhook_auth::VerifiedUser;

/// The route.
pub const ROUTE: &str = "/api/calendar/holds/cancel";

/// The declaration.
pub const TOOL: Tool = Tool {
    name: "cancel_hold",
    route: ROUTE,
    description: "Cancel (delete) an event this assistant created: a hold, or a meeting it \
                  sent. Only events list_events marks madeByAgent can be cancelled. First read \
                  back which event will be cancelled, and call it only after the user clearly \
                  says yes. Guests of a meeting are told.",
    parameters,
    handler: || post(cancel_hold),
    offered: Offered::Always,
    url_life: UrlLife::Session,
};

fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "event_id": { "type": "string", "description": "The id list_events gave for the event" }
        },
        "required": ["event_id"]
    })
}

async fn cancel_hold(
    State(state): State<AppState>,
    user: VerifiedUser,
    ToolArgs(raw): ToolArgs<Map<String, Value>>,
) -> Result<Json<Value>> {
    let id = event_id(&raw)?;
    answer(&state, &user, "cancel_hold", async |google| {
        let event = made_by_agent::read(google, &id).await?;
        made_by_agent::ensure_ours(&event)?;
        let title = event.summary.clone();
        if event.status.as_deref() == Some("cancelled") {
            // Already gone (an earlier call, or the user in Google Calendar): nothing to write.
            return Ok(json!({"eventId": id, "title": title, "cancelled": true, "guestsNotified": false}));
        }
        let send = made_by_agent::send_updates(&event);
        let told = guest_emails::guests_told(&event).len();
        guest_emails::take(google.state(), &user.user_id, guest_emails::count(told)).await?;
        let id_ref = id.as_str();
        google
            .call(&[&scopes::EVENTS_DELETE], |client, token| async move {
                client.delete_event(&token, id_ref, send).await
            })
            .await?;
        Ok(json!({"eventId": id, "title": title, "cancelled": true, "guestsNotified": send == "all"}))
    })
    .await
}
