//! `respond_to_invite`: the user's own answer to an invitation. Only their attendee entry
//! changes; every other guest's response is sent back exactly as Google gave it.

use google_calendar3::api::Event;
use serde_json::{Value, json};

use super::shared::args::{Args, event_id, no_such_event, optional_text, required_str};
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
    parameters,
    examples: || vec![json!({"event_id": "inv1", "response": "declined", "comment": "Travelling"})],
    prepare: |args, _| {
        Ok(Work::new(RespondArgs::parse(args)?, |call, args| {
            Box::pin(run(call, args))
        }))
    },
};

fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "event_id": { "type": "string", "description": "The id list_events gave for the event" },
            "response": { "type": "string", "enum": ["accepted", "declined", "tentative"], "description": "The user's answer" },
            "comment": { "type": "string", "description": "A short note to the organizer, if the user gave one" }
        },
        "required": ["event_id", "response"]
    })
}

const MAX_COMMENT_CHARS: usize = 500;

/// `respond_to_invite`'s arguments.
#[derive(Clone, Debug)]
pub(crate) struct RespondArgs {
    /// `event_id`.
    pub event_id: String,
    /// `accepted`, `declined` or `tentative`.
    pub response: &'static str,
    /// `comment`.
    pub comment: Option<String>,
}

impl RespondArgs {
    /// Parses the JSON arguments.
    pub(crate) fn parse(args: &Args<'_>) -> Result<Self> {
        let event_id = event_id(args)?;
        let given = required_str(args.get("response"), "response")?.trim();
        let response = ["accepted", "declined", "tentative"]
            .into_iter()
            .find(|r| r.eq_ignore_ascii_case(given))
            .ok_or_else(|| {
                Error::invalid(
                    "response",
                    "response must be accepted, declined or tentative.",
                )
            })?;
        Ok(Self {
            event_id,
            response,
            comment: optional_text(args, "comment", MAX_COMMENT_CHARS)?.filter(|c| !c.is_empty()),
        })
    }
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
            "The user organised this event, so there is no invitation to answer.",
        ));
    }
    let mut attendees = event.attendees.clone().unwrap_or_default();
    let Some(me) = attendees.iter_mut().find(|a| a.self_ == Some(true)) else {
        return Err(Error::invalid(
            "event_id",
            "The user is not a guest of this event, so there is no invitation to answer.",
        ));
    };
    me.response_status = Some(args.response.to_owned());
    if let Some(comment) = &args.comment {
        me.comment = Some(comment.clone());
    }
    Ok(Event {
        attendees: Some(attendees),
        ..Default::default()
    })
}

async fn run(call: &mut Call, args: RespondArgs) -> Result<Value> {
    let (state, user, google) = (&call.state, &call.user, &mut call.google);
    let event = google
        .event(PRIMARY, &args.event_id)
        .await?
        .ok_or_else(no_such_event)?;
    if event.status.as_deref() == Some("cancelled") {
        return Err(no_such_event());
    }
    let patch = answered(&event, &args)?;
    // The organizer hears of the answer: one e-mail, counted before the write.
    guest_emails::take(&state.store, &state.config, &user.user_id, 1).await?;
    let patch = event_json(&patch);
    google.patch(PRIMARY, &args.event_id, &patch, "all").await?;
    Ok(json!({"eventId": args.event_id, "title": event.summary, "response": args.response}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Input;
    use crate::tools::test_support::map;

    fn strip_nulls(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|_, v| !v.is_null());
                map.values_mut().for_each(strip_nulls);
            }
            Value::Array(items) => items.iter_mut().for_each(strip_nulls),
            _ => {}
        }
    }

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
        let args = RespondArgs::parse(&map(
            json!({"event_id": "inv1", "response": "Tentative", "comment": "maybe late"}),
        ))
        .expect("args");
        let patch = answered(&invitation(), &args).expect("answered");
        // As google-calendar3 sends it: without nulls.
        let mut sent = serde_json::to_value(&patch).expect("json");
        strip_nulls(&mut sent);
        assert_eq!(
            sent["attendees"],
            json!([
                {"email": "bob@example.com", "organizer": true, "responseStatus": "accepted"},
                {"email": "ada@example.com", "self": true, "responseStatus": "tentative", "comment": "maybe late"},
                {"email": "cy@example.com", "responseStatus": "declined", "comment": "away"}
            ])
        );
    }

    #[test]
    fn bad_responses_and_organised_events_are_refused() {
        assert!(matches!(
            RespondArgs::parse(&map(json!({"event_id": "inv1", "response": "maybe"}))),
            Err(Error::Input(Input::InvalidArgument {
                argument: "response",
                ..
            }))
        ));
        let args = RespondArgs::parse(&map(json!({"event_id": "inv1", "response": "accepted"})))
            .expect("args");
        let mut mine = invitation();
        mine.organizer =
            serde_json::from_value(json!({"email": "ada@example.com", "self": true})).ok();
        assert!(matches!(
            answered(&mine, &args),
            Err(Error::Input(Input::InvalidArgument {
                argument: "event_id",
                ..
            }))
        ));
        let mut not_on_it = invitation();
        not_on_it.attendees = serde_json::from_value(json!([{"email": "bob@example.com"}])).ok();
        assert!(matches!(
            answered(&not_on_it, &args),
            Err(Error::Input(Input::InvalidArgument {
                argument: "event_id",
                ..
            }))
        ));
    }
}
