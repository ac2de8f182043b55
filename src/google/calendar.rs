//! Google Calendar through `google-calendar3`'s typed API, at `GOOGLE_CALENDAR_BASE_URL`, on one
//! shared hyper connection pool. Each call takes the caller's access token.

use google_calendar3::api::{Event, EventDateTime, FreeBusyRequest, FreeBusyRequestItem};
use google_calendar3::{CalendarHub, Error as ApiError};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use jiff::Timestamp;

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::tools::free_slots::Interval;
use crate::tools::time::{Window, Zone};

type Connector = HttpsConnector<HttpConnector>;

/// The calendar all tools act on.
pub const PRIMARY: &str = "primary";

/// A typed Calendar API client. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct CalendarClient {
    client: google_calendar3::common::Client<Connector>,
    base_url: String,
    root_url: String,
}

/// What `events.insert` did.
#[derive(Debug)]
pub enum Inserted {
    /// A new event.
    Created(Box<Event>),
    /// An event with that id already exists (409): the call was a repeat.
    AlreadyExists,
}

impl CalendarClient {
    /// A client for `base_url` (ending in `/`). Speaks HTTP/1 and HTTP/2, https and http (for
    /// mocks), with the machine's root certificates.
    pub fn new(base_url: &str) -> std::io::Result<Self> {
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
            base_url: base_url.to_owned(),
            root_url,
        })
    }

    fn hub(&self, token: &Secret) -> CalendarHub<Connector> {
        let mut hub = CalendarHub::new(self.client.clone(), token.expose().to_owned());
        hub.base_url(self.base_url.clone());
        hub.root_url(self.root_url.clone());
        hub.user_agent(concat!("calendar-agent/", env!("CARGO_PKG_VERSION")).to_owned());
        hub
    }

    /// `events.list` on primary: single events, ordered by start, expressed in `zone`.
    pub async fn list_events(
        &self,
        token: &Secret,
        window: Window,
        max_results: u32,
        zone: &Zone,
    ) -> Result<Vec<Event>> {
        let hub = self.hub(token);
        let (_, events) = hub
            .events()
            .list(PRIMARY)
            .time_min(to_chrono(window.start))
            .time_max(to_chrono(window.end))
            .single_events(true)
            .order_by("startTime")
            .max_results(i32::try_from(max_results).unwrap_or(50))
            .time_zone(&zone.name)
            .doit()
            .await
            .map_err(|e| api_error("events.list", e))?;
        Ok(events.items.unwrap_or_default())
    }

    /// `freebusy.query` on primary: the busy intervals in `window`.
    pub async fn busy(&self, token: &Secret, window: Window, zone: &Zone) -> Result<Vec<Interval>> {
        let hub = self.hub(token);
        let request = FreeBusyRequest {
            time_min: Some(to_chrono(window.start)),
            time_max: Some(to_chrono(window.end)),
            time_zone: Some(zone.name.clone()),
            items: Some(vec![FreeBusyRequestItem {
                id: Some(PRIMARY.to_owned()),
            }]),
            ..Default::default()
        };
        let (_, answer) = hub
            .freebusy()
            .query(request)
            .doit()
            .await
            .map_err(|e| api_error("freebusy.query", e))?;
        let calendar = answer
            .calendars
            .and_then(|mut c| c.remove(PRIMARY))
            .unwrap_or_default();
        if let Some(errors) = calendar.errors.filter(|e| !e.is_empty()) {
            let reason = errors
                .first()
                .and_then(|e| e.reason.clone())
                .unwrap_or_else(|| "unknown".into());
            return Err(Error::Google {
                what: "freebusy.query",
                status: None,
                detail: format!("calendar error: {reason}"),
            });
        }
        Ok(calendar
            .busy
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| {
                Some(Interval {
                    start: from_chrono(p.start?)?,
                    end: from_chrono(p.end?)?,
                })
            })
            .collect())
    }

    /// `events.insert` on primary, never notifying anyone.
    pub async fn insert_event(&self, token: &Secret, event: Event) -> Result<Inserted> {
        let hub = self.hub(token);
        match hub
            .events()
            .insert(event, PRIMARY)
            .send_updates("none")
            .doit()
            .await
        {
            Ok((_, event)) => Ok(Inserted::Created(Box::new(event))),
            Err(e) => match api_error("events.insert", e) {
                Error::Google {
                    status: Some(409), ..
                } => Ok(Inserted::AlreadyExists),
                other => Err(other),
            },
        }
    }

    /// `events.get` on primary.
    pub async fn get_event(&self, token: &Secret, event_id: &str) -> Result<Event> {
        let hub = self.hub(token);
        let (_, event) = hub
            .events()
            .get(PRIMARY, event_id)
            .doit()
            .await
            .map_err(|e| api_error("events.get", e))?;
        Ok(event)
    }

    /// The user's calendar time zone (`settings/timezone`), as an IANA name.
    pub async fn timezone(&self, token: &Secret) -> Result<String> {
        let hub = self.hub(token);
        let (_, setting) = hub
            .settings()
            .get("timezone")
            .doit()
            .await
            .map_err(|e| api_error("settings.get", e))?;
        setting.value.ok_or_else(|| Error::Google {
            what: "settings.get",
            status: None,
            detail: "no timezone value".into(),
        })
    }
}

/// An event's start or end: an instant (sent as UTC, decoded as UTC by the crate) with the
/// zone it should be shown in.
pub fn event_time(at: Timestamp, zone: &Zone) -> EventDateTime {
    EventDateTime {
        date: None,
        date_time: Some(to_chrono(at)),
        time_zone: Some(zone.name.clone()),
    }
}

/// The crate's `chrono` time to a jiff instant.
pub fn from_chrono(at: chrono::DateTime<chrono::Utc>) -> Option<Timestamp> {
    Timestamp::new(
        at.timestamp(),
        i32::try_from(at.timestamp_subsec_nanos()).ok()?,
    )
    .ok()
}

fn to_chrono(at: Timestamp) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(at.as_second(), at.subsec_nanosecond().unsigned_abs())
        .unwrap_or_default()
}

/// google-calendar3 returns Google's JSON error body without the HTTP status; the status is
/// in `error.code`.
fn api_error(what: &'static str, error: ApiError) -> Error {
    match error {
        ApiError::BadRequest(body) => {
            let status = body["error"]["code"]
                .as_u64()
                .and_then(|c| u16::try_from(c).ok());
            let detail = body["error"]["message"]
                .as_str()
                .unwrap_or("no message")
                .to_owned();
            Error::Google {
                what,
                status,
                detail,
            }
        }
        ApiError::Failure(response) => Error::Google {
            what,
            status: Some(response.status().as_u16()),
            detail: "error without a JSON body".into(),
        },
        ApiError::HttpError(e) => Error::Google {
            what,
            status: None,
            detail: format!("connection failed: {e}"),
        },
        ApiError::JsonDecodeError(_, e) => Error::Google {
            what,
            status: None,
            detail: format!("unexpected answer: {e}"),
        },
        other => Error::Internal(format!("{what}: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrono_and_jiff_instants_round_trip() {
        let at: Timestamp = "2026-11-24T14:00:00.5Z".parse().expect("ts");
        assert_eq!(from_chrono(to_chrono(at)), Some(at));
    }

    #[test]
    fn the_status_comes_from_googles_error_body() {
        let body = serde_json::json!({"error": {"code": 409, "message": "The requested identifier already exists."}});
        match api_error("events.insert", ApiError::BadRequest(body)) {
            Error::Google { status, detail, .. } => {
                assert_eq!(status, Some(409));
                assert!(detail.contains("already exists"));
            }
            other => panic!("{other:?}"),
        }
    }
}
