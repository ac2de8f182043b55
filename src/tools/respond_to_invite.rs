//! `respond_to_invite`: the user's own answer to an invitation. Only their attendee entry
//! changes; every other guest's response is sent back exactly as Google gave it.

use google_calendar3::api::Event;
use serde_json::{Value, json};

use schemars::JsonSchema;
use serde::Deserialize;

use super::shared::args::{self, Choice, EventId, Text, choice, no_such_event, optional};
use super::shared::audit::Audit;
use super::{Call, Offered, Tool, UrlLife, Work};
use crate::error::{Error, Result};
use crate::google::calendar::{PRIMARY, event_json};
use crate::guest_emails;

/// The route.
pub(crate) const ROUTE: &str = "/api/calendar/invites/respond";

/// The declaration.
pub(crate) const TOOL: Tool = Tool {
    name: "respond_to_invite",
    route: ROUTE,
    description: "Answer an invitation the user received: accepted, declined or tentative, \
                  with an optional short comment for the organizer. Use it for events where \
                  list_events shows a myResponse. First read back the event and the answer, and \
                  call it only after the user clearly says yes. The organizer is told.",
    when_to_use: "Answering an invitation: respond_to_invite. Read back the event and the \
                  answer, accepted, declined or tentative, and any note, and call it only after \
                  the user clearly says yes.",
    offered: Offered::Always,
    url_life: UrlLife::Session,
    parameters: args::schema::<RespondArgs>,
    prepare: |given, _| {
        let parsed: RespondArgs = args::read(given)?;
        Ok(Work::new(parsed, |call, args| Box::pin(run(call, args))))
    },
};

choice! {
    /// The user's answer to an invitation (Google's `responseStatus`).
    pub(crate) enum Answer {
        /// Going.
        Accepted = "accepted",
        /// Not going.
        Declined = "declined",
        /// Maybe.
        Tentative = "tentative",
    }
}

/// `respond_to_invite`'s arguments (the model's schema is derived from them).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub(crate) struct RespondArgs {
    /// The id list_events gave for the event
    pub event_id: EventId,
    /// The user's answer
    pub response: Answer,
    /// A short note to the organizer, if the user gave one
    #[serde(default, deserialize_with = "optional")]
    pub comment: Option<Text<500>>,
}

/// The attendees to send back: the user's entry answered, everyone else as they were. 400 when
/// the user organised the event or is not on it.
fn answered(event: &Event, args: &RespondArgs) -> Result<Event> {
    if event
        .organizer
        .as_ref()
        .is_some_and(|o| o.self_ == Some(true))
    {
        return Err(Error::invalid(
            "event_id",
            crate::messages::Said::key("invite_own_event"),
        ));
    }
    let mut attendees = event.attendees.clone().unwrap_or_default();
    let Some(me) = attendees.iter_mut().find(|a| a.self_ == Some(true)) else {
        return Err(Error::invalid(
            "event_id",
            crate::messages::Said::key("invite_not_guest"),
        ));
    };
    me.response_status = Some(args.response.word().to_owned());
    if let Some(comment) = &args.comment {
        me.comment = Some(comment.0.clone());
    }
    Ok(Event {
        attendees: Some(attendees),
        ..Default::default()
    })
}

async fn run(call: &mut Call, args: RespondArgs) -> Result<Value> {
    // Answered by the account that was invited.
    call.use_account_of(&args.event_id.0, false).await?;
    let (state, user, google) = (&call.state, &call.user, &mut call.google);
    let event = google
        .event(PRIMARY, &args.event_id.0)
        .await?
        .ok_or_else(no_such_event)?;
    if event.status.as_deref() == Some("cancelled") {
        return Err(no_such_event());
    }
    let patch = answered(&event, &args)?;
    // The organizer hears of the answer: one e-mail, counted before the write.
    guest_emails::take(&state.store, &state.config, &user.user_id, 1).await?;
    let patch = event_json(&patch);
    let organizer = event.organizer.as_ref().and_then(|o| o.email.clone());
    let what = format!(
        "{} {}",
        args.response.word(),
        event.summary.as_deref().unwrap_or("(no title)")
    );
    let audit = Audit::new(&state.store, &user.user_id, "respond_to_invite", what)
        .people(organizer.unwrap_or_default());
    let id = &args.event_id.0;
    audit
        .attempt(id, async {
            google.patch(PRIMARY, id, &patch, "all").await?;
            Ok(((), "answered"))
        })
        .await?;
    Ok(json!({"eventId": args.event_id.0, "title": event.summary, "response": args.response}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::test_support::{argument_of, parsed};

    fn invitation() -> Event {
        serde_json::from_value(json!({
            "id": "inv1", "summary": "Budget review",
            "organizer": {"email": "bob@example.com"},
            "attendees": [
                {"email": "bob@example.com", "organizer": true, "responseStatus": "accepted"},
                {"email": "ada@example.com", "self": true, "responseStatus": "needsAction"},
                {"email": "cy@example.com", "responseStatus": "declined", "comment": "away"}
            ]
        }))
        .expect("event")
    }

    #[test]
    fn only_the_users_own_entry_changes() {
        let args: RespondArgs =
            parsed(json!({"event_id": "inv1", "response": "Tentative", "comment": "maybe late"}))
                .expect("args");
        let patch = answered(&invitation(), &args).expect("answered");
        assert_eq!(
            event_json(&patch)["attendees"],
            json!([
                {"email": "bob@example.com", "organizer": true, "responseStatus": "accepted"},
                {"email": "ada@example.com", "self": true, "responseStatus": "tentative", "comment": "maybe late"},
                {"email": "cy@example.com", "responseStatus": "declined", "comment": "away"}
            ])
        );
    }

    #[test]
    fn bad_responses_and_organised_events_are_refused() {
        assert_eq!(
            argument_of(parsed::<RespondArgs>(
                json!({"event_id": "inv1", "response": "maybe"})
            )),
            "response"
        );
        let args: RespondArgs =
            parsed(json!({"event_id": "inv1", "response": "accepted"})).expect("args");
        let mut mine = invitation();
        mine.organizer =
            serde_json::from_value(json!({"email": "ada@example.com", "self": true})).ok();
        assert_eq!(argument_of(answered(&mine, &args)), "event_id");
        let mut not_on_it = invitation();
        not_on_it.attendees = serde_json::from_value(json!([{"email": "bob@example.com"}])).ok();
        assert_eq!(argument_of(answered(&not_on_it, &args)), "event_id");
    }
}
