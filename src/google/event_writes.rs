//! Writing events on the user's primary calendar: insert (never twice: a chosen id meets
//! Google's 409), update, patch and delete, each saying whom Google tells (`sendUpdates`).

use google_calendar3::api::Event;

use super::api_error::api_error;
use super::calendar::{CalendarClient, PRIMARY};
use crate::error::Result;
use crate::scopes;
use crate::secret::Secret;

/// What `events.insert` did.
#[derive(Debug)]
pub enum Inserted {
    /// A new event.
    Created(Box<Event>),
    /// An event with that id already exists (409): the call was a repeat.
    AlreadyExists,
}

/// What `events.delete` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Deleted {
    /// The event is now cancelled.
    Now,
    /// It was already deleted (Google's 410).
    Already,
}

impl CalendarClient {
    /// `events.insert` on primary, never notifying anyone.
    pub async fn insert_event(&self, token: &Secret, event: Event) -> Result<Inserted> {
        self.insert(token, event, "none").await
    }

    /// `events.insert` on primary of a meeting: the guests get their invitations
    /// (`sendUpdates=all`), and a conference asked for in `conferenceData.createRequest` is
    /// made (`conferenceDataVersion=1`).
    pub async fn insert_meeting(&self, token: &Secret, event: Event) -> Result<Inserted> {
        self.insert(token, event, "all").await
    }

    async fn insert(&self, token: &Secret, event: Event, send_updates: &str) -> Result<Inserted> {
        let hub = self.hub(token);
        let conference = event.conference_data.is_some();
        let mut call = hub
            .events()
            .insert(event, PRIMARY)
            .send_updates(send_updates);
        if conference {
            call = call.conference_data_version(1);
        }
        match call.doit().await {
            Ok((_, event)) => Ok(Inserted::Created(Box::new(event))),
            Err(e) => match api_error(&scopes::EVENTS_INSERT, e) {
                e if e.google_status() == Some(409) => Ok(Inserted::AlreadyExists),
                other => Err(other),
            },
        }
    }

    /// `events.update` on primary, never notifying anyone: replaces the event with `event`
    /// (which must carry its id). Used to bring back a hold the user had deleted.
    pub async fn update_event(&self, token: &Secret, event: Event) -> Result<Event> {
        let hub = self.hub(token);
        let id = event.id.clone().unwrap_or_default();
        let (_, event) = hub
            .events()
            .update(event, PRIMARY, &id)
            .send_updates("none")
            .doit()
            .await
            .map_err(|e| api_error(&scopes::EVENTS_UPDATE, e))?;
        Ok(event)
    }

    /// `events.patch` on primary: only the fields set in `patch` change. `send_updates` is
    /// Google's `sendUpdates` (`all` tells the guests, `none` tells nobody).
    pub async fn patch_event(
        &self,
        token: &Secret,
        event_id: &str,
        patch: Event,
        send_updates: &str,
    ) -> Result<Event> {
        let hub = self.hub(token);
        let (_, event) = hub
            .events()
            .patch(patch, PRIMARY, event_id)
            .send_updates(send_updates)
            .doit()
            .await
            .map_err(|e| api_error(&scopes::EVENTS_PATCH, e))?;
        Ok(event)
    }

    /// `events.delete` on primary; an event already deleted (410) is not an error.
    pub async fn delete_event(
        &self,
        token: &Secret,
        event_id: &str,
        send_updates: &str,
    ) -> Result<Deleted> {
        let hub = self.hub(token);
        match hub
            .events()
            .delete(PRIMARY, event_id)
            .send_updates(send_updates)
            .doit()
            .await
        {
            Ok(_) => Ok(Deleted::Now),
            Err(e) => match api_error(&scopes::EVENTS_DELETE, e) {
                e if e.google_status() == Some(410) => Ok(Deleted::Already),
                other => Err(other),
            },
        }
    }
}
