//! `cancel_hold`: deletes a hold or meeting this service made for the user. Any other event is
//! refused before anything is written; a meeting's guests are told; cancelling twice is fine.

use serde_json::{Value, json};

use super::args::{event_id, no_such_event};
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::calendar;
use crate::error::{Action, Error, Result};
use crate::google::scopes;
use crate::guest_emails;

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/holds/cancel";

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "cancel_hold",
    route: ROUTE,
    description: "Cancel (delete) an event this assistant created: a hold, or a meeting it \
                  sent. Only events list_events marks madeByAgent can be cancelled. First read \
                  back which event will be cancelled, and call it only after the user clearly \
                  says yes. Guests of a meeting are told.",
    when_to_use: "Cancelling something you made (madeByAgent): cancel_hold. First read back \
                  which event it is and that a meeting's guests will be told; call it only \
                  after the user clearly says yes.",
    offered: Offered::Always,
    url_life: UrlLife::Session,
    parameters,
    examples: || vec![json!({"event_id": "abc123"})],
    prepare: |args, _| {
        Ok(Work::new(event_id(args)?, |call, id| {
            Box::pin(run(call, id))
        }))
    },
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

async fn run(call: &mut Call, id: String) -> Result<Value> {
    let (state, user, google) = (&call.state, &call.user, &mut call.google);
    let event = google.event(&id).await?.ok_or_else(no_such_event)?;
    if !calendar::made_by_agent_for_user(&event) {
        return Err(Error::Action(Action::NotMadeByAgent));
    }
    let title = event.summary.clone();
    if event.status.as_deref() == Some("cancelled") {
        // Already gone (an earlier call, or the user in Google Calendar): nothing to write.
        return Ok(
            json!({"eventId": id, "title": title, "cancelled": true, "guestsNotified": false}),
        );
    }
    let send = calendar::send_updates(&event);
    let told = calendar::guests_told(&event).len();
    guest_emails::take(
        &state.store,
        &state.config,
        &user.user_id,
        guest_emails::count(told),
    )
    .await?;
    let id_ref = id.as_str();
    google
        .call(&[&scopes::EVENTS_DELETE], |client, token| async move {
            client.delete_event(&token, id_ref, send).await
        })
        .await?;
    Ok(json!({"eventId": id, "title": title, "cancelled": true, "guestsNotified": send == "all"}))
}
