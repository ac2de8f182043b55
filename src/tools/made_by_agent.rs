//! The mark this service puts on what it creates (`block_time` holds, `create_meeting`
//! meetings), and the check that an event carries it. It lives in the event's *private*
//! extended properties: private to the copy on this user's calendar, so a guest's copy of a
//! meeting someone else made here does not carry it.

use std::collections::HashMap;

use google_calendar3::api::{Event, EventExtendedProperties};

use super::args::no_such_event;
use crate::error::{Error, Result};
use crate::google::scopes;
use crate::google::user_calendar::UserCalendar;

/// The private extended property key.
pub const KEY: &str = "createdBy";
/// Its value.
pub const VALUE: &str = "calendar-agent";

/// The extended properties to give a new event.
pub fn tag() -> EventExtendedProperties {
    EventExtendedProperties {
        private: Some(HashMap::from([(KEY.to_owned(), VALUE.to_owned())])),
        shared: None,
    }
}

/// Whether this service made `event` for the calendar it is on.
pub fn is_tagged(event: &Event) -> bool {
    event
        .extended_properties
        .as_ref()
        .and_then(|p| p.private.as_ref())
        .and_then(|p| p.get(KEY))
        .is_some_and(|v| v == VALUE)
}

/// Whether the user whose calendar this is organised `event` (holds have no organizer field
/// set by us; Google fills in the calendar's owner).
pub fn organised_by_user(event: &Event) -> bool {
    event
        .organizer
        .as_ref()
        .is_none_or(|o| o.self_ == Some(true))
}

/// Reads event `id` from the user's primary calendar before anything is changed: an unknown id
/// is a 400 naming `event_id`.
pub async fn read(google: &mut UserCalendar<'_>, id: &str) -> Result<Event> {
    google
        .call(&[&scopes::EVENTS_GET], |client, token| async move {
            client.get_event(&token, id).await
        })
        .await
        .map_err(|e| match e {
            Error::Google {
                status: Some(404), ..
            } => no_such_event(),
            other => other,
        })
}

/// Refuses (403, nothing written) unless this service made `event` and the user organises it.
pub fn ensure_ours(event: &Event) -> Result<()> {
    if is_tagged(event) && organised_by_user(event) {
        Ok(())
    } else {
        Err(Error::NotMadeByAgent)
    }
}

/// Google's `sendUpdates` for a change to `event`: its guests hear of it, a hold tells nobody.
pub fn send_updates(event: &Event) -> &'static str {
    if crate::guest_emails::guests_told(event).is_empty() {
        "none"
    } else {
        "all"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(v: serde_json::Value) -> Event {
        serde_json::from_value(v).expect("event")
    }

    #[test]
    fn only_the_private_tag_counts() {
        assert!(is_tagged(&event(
            serde_json::json!({"extendedProperties": {"private": {"createdBy": "calendar-agent"}}})
        )));
        for other in [
            serde_json::json!({}),
            serde_json::json!({"extendedProperties": {"shared": {"createdBy": "calendar-agent"}}}),
            serde_json::json!({"extendedProperties": {"private": {"createdBy": "someone-else"}}}),
        ] {
            assert!(!is_tagged(&event(other.clone())), "{other}");
        }
    }
}
