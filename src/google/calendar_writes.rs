//! Writing events, as plain JSON requests on any of the user's calendars: insert (with a chosen
//! id, so a repeat meets Google's 409 instead of making a second event), update, and patch or
//! delete, optionally only if the event is still what was read (`If-Match` with its etag:
//! Google answers 412 when it changed since, and nothing is written). `google-calendar3` cannot
//! send `If-Match`; one transport for every write keeps their answers read the same way.
//! `send_updates` is Google's `sendUpdates`: `all` tells the guests, `none` tells nobody.

use google_calendar3::api::Event;
use reqwest::Method as Verb;
use serde_json::Value;

use super::api_error::Failure;
use super::calendar::{Answer, CalendarClient, parse, path_segment};
use crate::secret::Secret;

/// What a patch or a delete found.
#[derive(Debug)]
pub(crate) enum Written {
    /// Written; the event as Google now holds it (a delete answers none).
    Done(Option<Box<Event>>),
    /// The event is gone already (a delete of a deleted event: nothing left to do).
    Gone,
    /// The event changed since its etag was read (412): nothing was written.
    Stale,
}

impl CalendarClient {
    fn events_url(&self, calendar_id: &str) -> String {
        format!(
            "{}calendars/{}/events",
            self.base_url,
            path_segment(calendar_id)
        )
    }

    /// `events.insert` of `event` (carrying its own id) on `calendar_id`. A Meet link it
    /// carries or asks for is kept (`conferenceDataVersion=1`). `None`: the id is taken (an
    /// earlier attempt made it).
    pub(crate) async fn insert(
        &self,
        token: &Secret,
        calendar_id: &str,
        event: &Value,
        send_updates: &str,
    ) -> Answer<Option<Event>> {
        let request = self
            .http
            .post(self.events_url(calendar_id))
            .query(&[
                ("sendUpdates", send_updates),
                ("conferenceDataVersion", "1"),
            ])
            .json(event);
        match self.json_call(request, token).await? {
            (200, body) => parse(body).map(Some),
            (409, _) => Ok(None),
            (code, body) => Err(Failure::answered(code, body)),
        }
    }

    /// `events.update`: the event `event_id` replaced by `event`.
    pub(crate) async fn update(
        &self,
        token: &Secret,
        calendar_id: &str,
        event_id: &str,
        event: &Value,
        send_updates: &str,
    ) -> Answer<Event> {
        let request = self
            .http
            .put(self.event_url(calendar_id, event_id))
            .query(&[("sendUpdates", send_updates)])
            .json(event);
        match self.json_call(request, token).await? {
            (200, body) => parse(body),
            (code, body) => Err(Failure::answered(code, body)),
        }
    }

    /// `events.patch` (only the fields of `fields` change) or, with `fields: None`,
    /// `events.delete`; with `etag`, only if the event still has it.
    pub(crate) async fn write(
        &self,
        token: &Secret,
        (calendar_id, event_id): (&str, &str),
        fields: Option<&Value>,
        etag: Option<&str>,
        send_updates: &str,
    ) -> Answer<Written> {
        let url = self.event_url(calendar_id, event_id);
        let request = match fields {
            Some(fields) => self.http.request(Verb::PATCH, &url).json(fields),
            None => self.http.request(Verb::DELETE, &url),
        };
        let mut request = request.query(&[("sendUpdates", send_updates)]);
        if let Some(etag) = etag {
            request = request.header(reqwest::header::IF_MATCH, etag);
        }
        match self.json_call(request, token).await? {
            (200, body) => parse(body).map(|e| Written::Done(Some(Box::new(e)))),
            (204, _) => Ok(Written::Done(None)),
            (410, _) => Ok(Written::Gone),
            (412, _) => Ok(Written::Stale),
            (code, body) => Err(Failure::answered(code, body)),
        }
    }
}
