//! The Calendar API's transport, at `GOOGLE_CALENDAR_BASE_URL`: `google-calendar3`'s generated
//! client where it can (one shared hyper connection pool), plain JSON requests where it cannot
//! (`If-Match`, fields it does not have). Each call takes an access token and answers a
//! [`Failure`] when Google does not give what was asked; the typed per-user client
//! ([`super::user_calendar::UserCalendar`]) is the only caller, and reads each failure for the
//! method it called. This file reads; `calendar_writes.rs` writes; `calendar_watch.rs` watches.

use std::collections::HashMap;

use google_calendar3::CalendarHub;
use google_calendar3::api::{Event, FreeBusyRequest, FreeBusyRequestItem};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::Value;

use super::api_error::Failure;
use crate::calendar::{
    CalendarRef, Interval, Page as EventPage, Window, Zone, from_chrono, to_chrono,
};
use crate::secret::Secret;

/// What a transport call answers.
pub(crate) type Answer<T> = std::result::Result<T, Failure>;

type Connector = HttpsConnector<HttpConnector>;

/// The calendar all tools act on.
pub(crate) const PRIMARY: &str = "primary";

/// Most pages of `events.list` followed for one answer; each is one round trip to Google.
pub(crate) const MAX_PAGES: usize = 10;
/// Google's largest page for `events.list`.
const GOOGLE_PAGE_MAX: u32 = 2500;

/// Event types that are commitments. Working-location entries ("working from home") and
/// birthdays are not, and are neither listed nor counted.
const COMMITMENT_TYPES: [&str; 4] = ["default", "focusTime", "outOfOffice", "fromGmail"];

/// What a listing asks Google for besides the window: the user's commitments ([`is_commitment`];
/// Google is asked for those types only, and an answer holding others is filtered too).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Asked<'q> {
    /// Only the events matching these words (Google's `q`).
    pub(crate) query: Option<&'q str>,
    /// The working-location entries too, in the same call, kept apart from the events (they
    /// do not count against the cap).
    pub(crate) working_locations: bool,
}

/// A working-location entry that stands.
fn is_working_location(event: &Event) -> bool {
    event.status.as_deref() != Some("cancelled")
        && event.event_type.as_deref() == Some("workingLocation")
}

/// A typed Calendar API client. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub(crate) struct CalendarClient {
    client: google_calendar3::common::Client<Connector>,
    /// For what `google-calendar3` cannot say (`If-Match`): plain JSON calls to `base_url`.
    pub(super) http: reqwest::Client,
    pub(super) base_url: String,
    root_url: String,
}

/// Google counts at most this many calendars in one `freebusy.query`.
pub(crate) const MAX_FREEBUSY_ITEMS: usize = 50;

/// A `freebusy.query` answer: busy time per calendar asked about, or why it is unknown.
#[derive(Debug, Default)]
pub(crate) struct FreeBusy {
    /// Busy intervals, by the id asked with.
    pub busy: HashMap<String, Vec<Interval>>,
    /// Calendars Google could not answer for (no shared free/busy, unknown, external), with
    /// its reason.
    pub errors: HashMap<String, String>,
}

impl CalendarClient {
    /// A client for `base_url` (ending in `/`). Speaks HTTP/1 and HTTP/2, https and http (for
    /// mocks), with the machine's root certificates.
    pub(crate) fn new(base_url: &str, http: reqwest::Client) -> std::io::Result<Self> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()?
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_idle_timeout(std::time::Duration::from_secs(90))
                .build(connector);
        let root_url = base_url
            .strip_suffix("calendar/v3/")
            .unwrap_or(base_url)
            .to_owned();
        Ok(Self {
            client,
            http,
            base_url: base_url.to_owned(),
            root_url,
        })
    }

    pub(super) fn hub(&self, token: &Secret) -> CalendarHub<Connector> {
        let mut hub = CalendarHub::new(self.client.clone(), token.expose().to_owned());
        hub.base_url(self.base_url.clone());
        hub.root_url(self.root_url.clone());
        hub.user_agent(concat!("calendar-agent/", env!("CARGO_PKG_VERSION")).to_owned());
        hub
    }

    /// `events.list` on `calendar_id`: single events, ordered by start, expressed in `zone`,
    /// matching `query` (Google's free-text `q`) if given, following `nextPageToken` until
    /// `cap` events (Google may send fewer than asked for with more to come). Working-location
    /// entries, birthdays and cancelled events are left out.
    pub(crate) async fn list_events(
        &self,
        token: &Secret,
        calendar_id: &str,
        window: Window,
        cap: u32,
        zone: &Zone,
        asked: Asked<'_>,
    ) -> Answer<EventPage> {
        let hub = self.hub(token);
        let mut page = EventPage::default();
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let wanted = cap.saturating_sub(u32::try_from(page.items.len()).unwrap_or(cap));
            let mut call = hub
                .events()
                .list(&path_segment(calendar_id))
                .time_min(to_chrono(window.start))
                .time_max(to_chrono(window.end))
                .single_events(true)
                .order_by("startTime")
                .max_results(i32::try_from(wanted.min(GOOGLE_PAGE_MAX)).unwrap_or(250))
                .time_zone(&zone.name);
            for kind in COMMITMENT_TYPES {
                call = call.add_event_types(kind);
            }
            if asked.working_locations {
                call = call.add_event_types("workingLocation");
            }
            if let Some(token) = next.as_deref() {
                call = call.page_token(token);
            }
            if let Some(q) = asked.query {
                call = call.q(q);
            }
            let (_, events) = send!(call)?;
            for event in events.items.unwrap_or_default() {
                if asked.working_locations && is_working_location(&event) {
                    page.working_locations.push(event);
                } else if is_commitment(&event) {
                    page.items.push(event);
                }
            }
            next = events.next_page_token.filter(|t| !t.is_empty());
            if next.is_none() {
                return Ok(page);
            }
            if page.items.len() >= cap as usize {
                page.items.truncate(cap as usize);
                page.truncated = true;
                return Ok(page);
            }
        }
        page.truncated = next.is_some();
        Ok(page)
    }

    /// `freebusy.query` for `ids` (calendars or people's addresses) in one call.
    pub(crate) async fn free_busy(
        &self,
        token: &Secret,
        window: Window,
        zone: &Zone,
        ids: &[String],
    ) -> Answer<FreeBusy> {
        let hub = self.hub(token);
        let request = FreeBusyRequest {
            time_min: Some(to_chrono(window.start)),
            time_max: Some(to_chrono(window.end)),
            time_zone: Some(zone.name.clone()),
            items: Some(
                ids.iter()
                    .map(|id| FreeBusyRequestItem {
                        id: Some(id.clone()),
                    })
                    .collect(),
            ),
            ..Default::default()
        };
        let (_, answer) = send!(hub.freebusy().query(request))?;
        let mut calendars = answer.calendars.unwrap_or_default();
        let mut out = FreeBusy::default();
        for id in ids {
            // A calendar Google left out of its answer is as unknown as one with an error.
            let Some(calendar) = calendars.remove(id) else {
                out.errors.insert(id.clone(), "notFound".into());
                continue;
            };
            if let Some(error) = calendar.errors.as_ref().and_then(|e| e.first()) {
                let reason = error.reason.clone().unwrap_or_else(|| "unknown".into());
                out.errors.insert(id.clone(), reason);
                continue;
            }
            let busy = calendar
                .busy
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| {
                    Some(Interval {
                        start: from_chrono(p.start?)?,
                        end: from_chrono(p.end?)?,
                    })
                })
                .collect();
            out.busy.insert(id.clone(), busy);
        }
        Ok(out)
    }

    /// `calendarList.list`: the calendars that count (primary first, then the selected ones, at
    /// most [`MAX_FREEBUSY_ITEMS`]), and the ids of every calendar the user owns; pages
    /// followed.
    pub(crate) async fn calendars(
        &self,
        token: &Secret,
    ) -> Answer<(Vec<CalendarRef>, Vec<String>)> {
        let hub = self.hub(token);
        let mut out: Vec<CalendarRef> = Vec::new();
        let mut owned_ids: Vec<String> = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut call = hub.calendar_list().list().max_results(250);
            if let Some(token) = next.as_deref() {
                call = call.page_token(token);
            }
            let (_, list) = send!(call)?;
            for entry in list.items.unwrap_or_default() {
                let primary = entry.primary == Some(true);
                let owned = primary || entry.access_role.as_deref() == Some("owner");
                if let Some(id) = entry.id.as_ref().filter(|_| owned) {
                    owned_ids.push(id.clone());
                }
                let counts = primary
                    || (entry.selected == Some(true)
                        && entry.deleted != Some(true)
                        && entry.hidden != Some(true));
                let Some(id) = entry.id.filter(|_| counts) else {
                    continue;
                };
                out.push(CalendarRef {
                    id: if primary { PRIMARY.to_owned() } else { id },
                    name: entry
                        .summary_override
                        .or(entry.summary)
                        .unwrap_or_else(|| "(unnamed calendar)".into()),
                    primary,
                    color: entry.background_color,
                    owned,
                });
            }
            next = list.next_page_token.filter(|t| !t.is_empty());
            if next.is_none() {
                break;
            }
        }
        if !out.iter().any(|c| c.primary) {
            // Even a list without it (or an empty one) leaves the primary calendar.
            out.push(CalendarRef {
                id: PRIMARY.to_owned(),
                name: "Calendar".into(),
                primary: true,
                color: None,
                owned: true,
            });
        }
        out.sort_by_key(|c| !c.primary);
        out.truncate(MAX_FREEBUSY_ITEMS);
        Ok((out, owned_ids))
    }

    /// The user's calendar time zone (`settings/timezone`), as an IANA name.
    pub(crate) async fn timezone(&self, token: &Secret) -> Answer<String> {
        let hub = self.hub(token);
        let (_, setting) = send!(hub.settings().get("timezone"))?;
        setting
            .value
            .ok_or_else(|| Failure::Unexpected("no timezone value".into()))
    }

    pub(super) fn event_url(&self, calendar_id: &str, event_id: &str) -> String {
        format!(
            "{}calendars/{}/events/{}",
            self.base_url,
            path_segment(calendar_id),
            path_segment(event_id)
        )
    }

    /// A plain JSON call (for what google-calendar3 cannot say): the status and the body. A
    /// refusal that may pass with time (403, 429, 5xx) is a failure already, with Google's
    /// `Retry-After` kept; no caller reads those statuses as an answer.
    pub(super) async fn json_call(
        &self,
        request: reqwest::RequestBuilder,
        token: &Secret,
    ) -> Answer<(u16, Value)> {
        let response = request
            .bearer_auth(token.expose())
            .send()
            .await
            .map_err(Failure::Transport)?;
        let status = response.status().as_u16();
        let retry_after = super::api_error::retry_after(response.headers());
        let body: Value = if status == 204 {
            Value::Null
        } else {
            response.json().await.unwrap_or(Value::Null)
        };
        if status == 403 || status == 429 || status >= 500 {
            return Err(Failure::Status {
                code: status,
                body,
                retry_after,
            });
        }
        Ok((status, body))
    }

    /// `events.get` on `calendar_id`: `None` when Google does not know the event there (a
    /// deleted one is answered, `cancelled`).
    pub(crate) async fn event(
        &self,
        token: &Secret,
        calendar_id: &str,
        event_id: &str,
    ) -> Answer<Option<Event>> {
        let request = self.http.get(self.event_url(calendar_id, event_id));
        match self.json_call(request, token).await? {
            (200, body) => parse(body).map(Some),
            (404 | 410, _) => Ok(None),
            (code, body) => Err(Failure::answered(code, body)),
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
    ) -> Answer<Vec<Event>> {
        let url = format!("{}/instances", self.event_url(calendar_id, master_id));
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
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
            let page: google_calendar3::api::Events = match self
                .json_call(self.http.get(&url).query(&query), token)
                .await?
            {
                (200, body) => parse(body)?,
                (code, body) => return Err(Failure::answered(code, body)),
            };
            out.extend(page.items.unwrap_or_default());
            next = page.next_page_token.filter(|t| !t.is_empty());
            if next.is_none() {
                return Ok(out);
            }
        }
        Err(Failure::Unexpected("more occurrences than are read".into()))
    }
}

/// An event as the JSON Google is sent: the fields it has (the generated type writes every
/// field it does not have as `null`, which a patch would read as "clear it").
pub(crate) fn event_json(event: &Event) -> Value {
    fn without_nulls(value: Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k, without_nulls(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
            other => other,
        }
    }
    without_nulls(serde_json::to_value(event).unwrap_or(Value::Null))
}

/// A success's JSON body as what the call returns.
pub(super) fn parse<T: serde::de::DeserializeOwned>(body: Value) -> Answer<T> {
    serde_json::from_value(body).map_err(|e| Failure::Unexpected(e.to_string()))
}

/// google-calendar3 puts ids into the URL path as given; a calendar id such as
/// `en.usa#holiday@group.v.calendar.google.com` would end the path at `#`. Percent-encoded, it
/// names the calendar.
pub(super) fn path_segment(id: &str) -> String {
    crate::presign::encode_component(id)
}

/// Whether an event is something the user is committed to: not cancelled, not a
/// working-location entry or a birthday.
fn is_commitment(event: &Event) -> bool {
    event.status.as_deref() != Some("cancelled")
        && !matches!(
            event.event_type.as_deref(),
            Some("workingLocation" | "birthday")
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_ids_are_safe_in_a_path() {
        assert_eq!(path_segment("primary"), "primary");
        assert_eq!(
            path_segment("en.usa#holiday@group.v.calendar.google.com"),
            "en.usa%23holiday%40group.v.calendar.google.com"
        );
        assert_eq!(path_segment("a/b?c"), "a%2Fb%3Fc");
    }
}
