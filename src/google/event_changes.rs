//! Changing an event the user read back, only if it is still what they heard: `events.get` on
//! any of their calendars, then `events.patch` / `events.delete` with `If-Match` and the etag
//! read (Google answers 412 when it changed since: nothing is written), `events.instances` to
//! read a series' occurrences as Google keeps them, and `events.insert` of the series that continues a
//! split one. `google-calendar3` cannot send `If-Match`, so these are plain JSON calls to
//! `GOOGLE_CALENDAR_BASE_URL`, each within the time left to the call.

use google_calendar3::api::Event;
use reqwest::{Method as Verb, StatusCode};
use serde_json::Value;

use super::api_error::api_error_from_status;
use super::calendar::{CalendarClient, path_segment};
use super::transport_error;
use crate::error::{Action, Error, Result};
use crate::scopes::{self, Method};
use crate::secret::Secret;

/// A change to make only if the event's etag is still `etag`.
#[derive(Debug)]
pub(crate) enum Guarded<'a> {
    /// `events.patch` with these fields.
    Patch(&'a Value),
    /// `events.delete`.
    Delete,
}

impl CalendarClient {
    fn event_url(&self, calendar_id: &str, event_id: &str) -> String {
        format!(
            "{}calendars/{}/events/{}",
            self.base_url,
            path_segment(calendar_id),
            path_segment(event_id)
        )
    }

    async fn json_call(
        &self,
        method: &Method,
        request: reqwest::RequestBuilder,
        token: &Secret,
    ) -> Result<(StatusCode, Value)> {
        let response = request
            .bearer_auth(token.expose())
            .send()
            .await
            .map_err(|e| transport_error(method.name, e))?;
        let status = response.status();
        let body: Value = if status == StatusCode::NO_CONTENT {
            Value::Null
        } else {
            response.json().await.unwrap_or(Value::Null)
        };
        Ok((status, body))
    }

    /// `events.get` on `calendar_id`; `None` when Google does not know the event there.
    pub(crate) async fn event_on(
        &self,
        token: &Secret,
        calendar_id: &str,
        event_id: &str,
    ) -> Result<Option<Event>> {
        let request = self.http.get(self.event_url(calendar_id, event_id));
        let (status, body) = self.json_call(&scopes::EVENTS_GET, request, token).await?;
        match status.as_u16() {
            200 => serde_json::from_value(body)
                .map(Some)
                .map_err(|e| Error::google("events.get", Some(200), format!("unexpected: {e}"))),
            404 | 410 => Ok(None),
            code => Err(api_error_from_status(&scopes::EVENTS_GET, code, &body)),
        }
    }

    /// Makes `change` to the event if its etag is still `etag` (else 409 `event_changed`,
    /// nothing written), telling the guests as `send_updates` says. A patch answers the event
    /// as Google now holds it; a delete of an event already gone is done.
    pub(crate) async fn change_if_unchanged(
        &self,
        token: &Secret,
        (calendar_id, event_id, etag): (&str, &str, &str),
        change: Guarded<'_>,
        send_updates: &str,
    ) -> Result<Option<Event>> {
        let url = self.event_url(calendar_id, event_id);
        let (method, request) = match change {
            Guarded::Patch(fields) => (
                &scopes::EVENTS_PATCH,
                self.http.request(Verb::PATCH, &url).json(fields),
            ),
            Guarded::Delete => (
                &scopes::EVENTS_DELETE,
                self.http.request(Verb::DELETE, &url),
            ),
        };
        let request = request
            .query(&[("sendUpdates", send_updates)])
            .header(reqwest::header::IF_MATCH, etag);
        let (status, body) = self.json_call(method, request, token).await?;
        match status.as_u16() {
            200 => serde_json::from_value(body)
                .map(Some)
                .map_err(|e| Error::google(method.name, Some(200), format!("unexpected: {e}"))),
            204 | 410 => Ok(None),
            412 => Err(Action::EventChanged.into()),
            code => Err(api_error_from_status(method, code, &body)),
        }
    }

    /// `events.instances` of the series `master_id` up to `until` (RFC 3339), deleted ones
    /// included (Google keeps a deleted occurrence as a cancelled one), pages followed; only
    /// the fields that say where each occurrence is and was.
    pub(crate) async fn instances(
        &self,
        token: &Secret,
        calendar_id: &str,
        master_id: &str,
        until: &str,
    ) -> Result<Vec<Event>> {
        let url = format!("{}/instances", self.event_url(calendar_id, master_id));
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..super::calendar::MAX_PAGES {
            let mut query = vec![
                ("timeMax", until.to_owned()),
                ("maxResults", "2500".to_owned()),
                ("showDeleted", "true".to_owned()),
                (
                    "fields",
                    "items(id,status,start,end,originalStartTime,recurringEventId),nextPageToken"
                        .to_owned(),
                ),
            ];
            if let Some(page) = next.take() {
                query.push(("pageToken", page));
            }
            let request = self.http.get(&url).query(&query);
            let (status, body) = self
                .json_call(&scopes::EVENTS_INSTANCES, request, token)
                .await?;
            if status != StatusCode::OK {
                return Err(api_error_from_status(
                    &scopes::EVENTS_INSTANCES,
                    status.as_u16(),
                    &body,
                ));
            }
            let page: google_calendar3::api::Events =
                serde_json::from_value(body).map_err(|e| {
                    Error::google("events.instances", Some(200), format!("unexpected: {e}"))
                })?;
            out.extend(page.items.unwrap_or_default());
            next = page.next_page_token.filter(|t| !t.is_empty());
            if next.is_none() {
                return Ok(out);
            }
        }
        Err(Error::google(
            "events.instances",
            Some(200),
            "more occurrences than are read",
        ))
    }

    /// `events.insert` of `event` (with its own id) on `calendar_id`, telling its guests as
    /// `send_updates` says (a Meet link it carries is kept: `conferenceDataVersion=1`); an id
    /// already taken (a retry of this very insert) answers Google's copy.
    pub(crate) async fn insert_series(
        &self,
        token: &Secret,
        calendar_id: &str,
        event: &Value,
        send_updates: &str,
    ) -> Result<Event> {
        let url = format!(
            "{}calendars/{}/events",
            self.base_url,
            path_segment(calendar_id)
        );
        let request = self
            .http
            .post(url)
            .query(&[
                ("sendUpdates", send_updates),
                ("conferenceDataVersion", "1"),
            ])
            .json(event);
        let (status, body) = self
            .json_call(&scopes::EVENTS_INSERT, request, token)
            .await?;
        match status.as_u16() {
            200 => serde_json::from_value(body)
                .map_err(|e| Error::google("events.insert", Some(200), format!("unexpected: {e}"))),
            409 => {
                let id = event["id"].as_str().unwrap_or_default();
                self.event_on(token, calendar_id, id)
                    .await?
                    .ok_or_else(|| Error::google("events.insert", Some(409), "taken, then gone"))
            }
            code => Err(api_error_from_status(&scopes::EVENTS_INSERT, code, &body)),
        }
    }
}
