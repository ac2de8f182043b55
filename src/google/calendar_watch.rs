//! Push notifications from Google Calendar: opening a channel on a calendar (`events.watch`),
//! stopping one (`channels.stop`), and reading what changed (`events.list` with a
//! `syncToken`).

use google_calendar3::api::{Channel, Event};

use super::calendar::{Answer, CalendarClient, path_segment};
use crate::error::Error;
use crate::secret::Secret;

/// Most pages one sync reads (2,500 events each).
const MAX_SYNC_PAGES: usize = 40;

/// A channel Google opened.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Opened {
    /// Google's id of the watched resource (to stop the channel).
    pub resource_id: Option<String>,
    /// When Google will stop sending (unix milliseconds), if it said.
    pub expiration_ms: Option<i64>,
}

/// What changed on a calendar since the last sync.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// Changed events (deleted ones as `cancelled`).
    pub items: Vec<Event>,
    /// Where the next sync resumes.
    pub next_sync_token: Option<String>,
}

/// A sync token Google no longer accepts (410 Gone): start over with a full sync.
pub(crate) fn is_gone(error: &Error) -> bool {
    error.google_status() == Some(410)
}

impl CalendarClient {
    /// `events.watch` on `calendar_id`: Google will POST to `address` when it changes, with
    /// `channel_id` and `channel_token` in its headers, until `expiration_ms`.
    pub(crate) async fn watch_events(
        &self,
        token: &Secret,
        calendar_id: &str,
        (channel_id, channel_token): (&str, &str),
        address: &str,
        expiration_ms: i64,
    ) -> Answer<Opened> {
        let hub = self.hub(token);
        let request = Channel {
            id: Some(channel_id.to_owned()),
            token: Some(channel_token.to_owned()),
            type_: Some("web_hook".into()),
            address: Some(address.to_owned()),
            expiration: Some(expiration_ms),
            ..Default::default()
        };
        let (_, channel) = send!(hub.events().watch(request, &path_segment(calendar_id)))?;
        Ok(Opened {
            resource_id: channel.resource_id,
            expiration_ms: channel.expiration,
        })
    }

    /// `channels.stop`; a channel Google no longer knows (404) is stopped already.
    pub(crate) async fn stop_channel(
        &self,
        token: &Secret,
        channel_id: &str,
        resource_id: &str,
    ) -> Answer<()> {
        let hub = self.hub(token);
        let request = Channel {
            id: Some(channel_id.to_owned()),
            resource_id: Some(resource_id.to_owned()),
            ..Default::default()
        };
        match send!(hub.channels().stop(request)) {
            Ok(_) => Ok(()),
            Err(gone) if gone.status() == Some(404) => Ok(()),
            Err(other) => Err(other),
        }
    }

    /// `events.list` on `calendar_id` from `sync_token` (everything, without one), every page,
    /// until Google gives the next sync token. A token Google no longer accepts is an error
    /// that [`is_gone`] recognises.
    pub(crate) async fn changes(
        &self,
        token: &Secret,
        calendar_id: &str,
        sync_token: Option<&str>,
    ) -> Answer<Changes> {
        let hub = self.hub(token);
        let calendar = path_segment(calendar_id);
        let mut out = Changes::default();
        let mut page: Option<String> = None;
        for _ in 0..MAX_SYNC_PAGES {
            let mut call = hub
                .events()
                .list(&calendar)
                .single_events(true)
                .max_results(2500);
            if let Some(sync) = sync_token {
                call = call.sync_token(sync);
            }
            if let Some(page) = page.as_deref() {
                call = call.page_token(page);
            }
            let (_, events) = send!(call)?;
            out.items.extend(events.items.unwrap_or_default());
            if let Some(next) = events.next_sync_token {
                out.next_sync_token = Some(next);
                return Ok(out);
            }
            page = events.next_page_token;
            if page.is_none() {
                return Ok(out);
            }
        }
        tracing::warn!(
            pages = MAX_SYNC_PAGES,
            "calendar sync stopped before Google's last page; the next notification starts over"
        );
        Ok(out)
    }
}
