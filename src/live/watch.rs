//! Google Calendar push channels: opened on each selected calendar of a user with a page open or
//! a live session, renewed before they expire, stopped on sign-out; and what a genuine
//! notification sets off: an incremental sync (`syncToken`; a 410 starts over), new declines
//! noticed, and the user's pages told.
//!
//! Channels need Google to reach `PUBLIC_BASE_URL` over https; over plain http there are none
//! and the page re-reads every minute instead.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use google_calendar3::api::Event;

use super::bus::Change;
use crate::error::Result;
use crate::google::calendar_watch::is_gone;
use crate::google::scopes;
use crate::google::user_calendar::UserCalendar;
use crate::state::AppState;
use crate::store::{Allowance, Channel, now_i64};
use crate::tools::made_by_agent::organised_by_user;

/// Where Google sends notifications.
pub const NOTIFICATIONS_PATH: &str = "/api/google/notifications";
/// How long a channel is asked to live (Google may shorten it).
pub const CHANNEL_SECONDS: i64 = 7 * 86_400;
/// Channels are renewed when they end sooner than this.
pub const RENEW_BEFORE_SECONDS: i64 = 3_600;
/// A user's channels are kept this long after their page or session was last seen.
pub const WANTED_SECONDS: i64 = 86_400;

/// Whether channels can work: Google delivers only to https.
pub fn enabled(state: &AppState) -> bool {
    state.config.public_base_url.starts_with("https://")
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    hex::encode(buf)
}

/// Syncs running on this instance, by channel: a notification arriving during one asks for one
/// more after it, so a burst costs two syncs, not one each.
#[derive(Default)]
pub struct Syncs {
    running: Mutex<HashMap<String, bool>>,
}

impl Syncs {
    /// True if the caller should run a sync now; false if one is running (it will run again).
    fn start(&self, channel_id: &str) -> bool {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        match running.get_mut(channel_id) {
            Some(again) => {
                *again = true;
                false
            }
            None => {
                running.insert(channel_id.to_owned(), false);
                true
            }
        }
    }

    /// After a sync: true if another was asked for meanwhile (and is now due).
    fn again(&self, channel_id: &str) -> bool {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        match running.get_mut(channel_id) {
            Some(again) if *again => {
                *again = false;
                true
            }
            _ => {
                running.remove(channel_id);
                false
            }
        }
    }
}

/// Makes sure each calendar the user has selected is watched, and keeps their channels wanted.
/// Called when a page opens its stream and when a session starts; runs at most once a minute
/// per user across instances.
pub async fn ensure_watching(state: &AppState, user_id: &str) -> Result<()> {
    if !enabled(state) {
        return Ok(());
    }
    let store = &state.store;
    store
        .want_channels(user_id, now_i64() + WANTED_SECONDS)
        .await?;
    let key = format!("watch:{user_id}");
    if let Allowance::Exhausted { .. } = store
        .take_allowance(&key, 1, Duration::from_secs(60), 1)
        .await?
    {
        return Ok(());
    }
    let mut google = UserCalendar::new(state, user_id);
    let context = google.context().await?;
    let existing = store.channels_of(user_id).await?;
    let soon = now_i64() + RENEW_BEFORE_SECONDS;
    for calendar in &context.calendars {
        let watched = existing
            .iter()
            .any(|c| c.calendar_id == calendar.id && c.expires_at > soon);
        if !watched {
            open(state, &mut google, user_id, &calendar.id).await?;
        }
    }
    for channel in existing {
        if context.calendar(&channel.calendar_id).is_none() {
            stop(state, &mut google, &channel).await;
        }
    }
    Ok(())
}

/// Opens a channel on `calendar_id`, records it, and syncs once to set the starting point.
async fn open(
    state: &AppState,
    google: &mut UserCalendar<'_>,
    user_id: &str,
    calendar_id: &str,
) -> Result<()> {
    let (id, token) = (random_hex(16), random_hex(32));
    let address = state.config.public_url(NOTIFICATIONS_PATH);
    let asked = now_i64() + CHANNEL_SECONDS;
    let (id_ref, token_ref, address_ref) = (&id, &token, &address);
    let opened = google
        .call(&[&scopes::EVENTS_WATCH], |client, t| async move {
            client
                .watch_events(
                    &t,
                    calendar_id,
                    id_ref,
                    token_ref,
                    address_ref,
                    asked * 1000,
                )
                .await
        })
        .await?;
    let channel = Channel {
        id: id.clone(),
        user_id: user_id.to_owned(),
        calendar_id: calendar_id.to_owned(),
        resource_id: opened.resource_id,
        expires_at: opened.expiration_ms.map_or(asked, |ms| ms / 1000),
        wanted_until: now_i64() + WANTED_SECONDS,
        sync_token: None,
    };
    state.store.save_channel(&channel, &token).await?;
    tracing::info!(user_id, channel = %id, "watching a calendar for changes");
    schedule_sync(state, &id);
    Ok(())
}

/// Stops a channel at Google (best effort: it expires by itself anyway) and forgets it.
async fn stop(state: &AppState, google: &mut UserCalendar<'_>, channel: &Channel) {
    if let Some(resource) = channel.resource_id.as_deref() {
        let id = channel.id.as_str();
        let stopped = google
            .call(&[&scopes::CHANNELS_STOP], |client, t| async move {
                client.stop_channel(&t, id, resource).await
            })
            .await;
        if let Err(e) = stopped {
            tracing::info!(channel = %channel.id, error = %e, "stopping a channel at Google failed; it will expire");
        }
    }
    if let Err(e) = state.store.delete_channel(&channel.id).await {
        tracing::warn!(channel = %channel.id, error = %e, "forgetting a channel failed");
    }
}

/// How long sign-out waits for Google to stop a user's channels.
const STOP_BUDGET: Duration = Duration::from_secs(3);

/// Stops every channel of `user_id` (sign-out, forget-me). A slow Google does not hold the
/// sign-out up: after [`STOP_BUDGET`] the channels are forgotten here and left to expire there
/// (their notifications then meet an unknown channel).
pub async fn stop_all(state: &AppState, user_id: &str) -> Result<()> {
    let channels = state.store.channels_of(user_id).await?;
    let mut google = UserCalendar::new(state, user_id);
    let stopping = async {
        for channel in &channels {
            stop(state, &mut google, channel).await;
        }
    };
    if tokio::time::timeout(STOP_BUDGET, stopping).await.is_err() {
        tracing::warn!(
            user_id,
            "Google was slow to stop channels; they will expire by themselves"
        );
        for channel in &channels {
            state.store.delete_channel(&channel.id).await?;
        }
    }
    Ok(())
}

/// Renews channels about to end whose user is still around, and stops the others. Run every
/// minute by every instance; each channel is claimed by one.
pub async fn renew_due(state: &AppState) -> Result<()> {
    renew_due_at(state, now_i64()).await
}

/// [`renew_due`] as if it were `at` (unix seconds).
pub async fn renew_due_at(state: &AppState, at: i64) -> Result<()> {
    let due = state.store.claim_expiring(at, RENEW_BEFORE_SECONDS).await?;
    for channel in due {
        let mut google = UserCalendar::new(state, &channel.user_id);
        if channel.wanted_until > at && enabled(state) {
            if let Err(e) = open(state, &mut google, &channel.user_id, &channel.calendar_id).await {
                tracing::warn!(channel = %channel.id, error = %e, "renewing a channel failed");
                continue;
            }
        }
        stop(state, &mut google, &channel).await;
    }
    Ok(())
}

/// A genuine notification for `channel_id`: sync in the background (answering Google at once),
/// one sync at a time per channel, bursts folded into one more.
pub fn schedule_sync(state: &AppState, channel_id: &str) {
    if !state.syncs.start(channel_id) {
        return;
    }
    let (state, id) = (state.clone(), channel_id.to_owned());
    tokio::spawn(async move {
        loop {
            if let Err(e) = sync_once(&state, &id).await {
                tracing::warn!(channel = %id, error = %e, "calendar sync failed");
            }
            if !state.syncs.again(&id) {
                break;
            }
        }
    });
}

async fn sync_once(state: &AppState, channel_id: &str) -> Result<()> {
    let Some(channel) = state.store.channel(channel_id).await? else {
        return Ok(());
    };
    let mut google = UserCalendar::new(state, &channel.user_id);
    let calendar = channel.calendar_id.as_str();
    let mut full = channel.sync_token.is_none();
    let from = channel.sync_token.as_deref();
    let changes = match google
        .call(&[&scopes::EVENTS_LIST], |client, t| async move {
            client.changes(&t, calendar, from).await
        })
        .await
    {
        Err(e) if is_gone(&e) => {
            tracing::info!(channel = %channel.id, "sync token expired; syncing in full");
            full = true;
            google
                .call(&[&scopes::EVENTS_LIST], |client, t| async move {
                    client.changes(&t, calendar, None).await
                })
                .await?
        }
        other => other?,
    };
    state
        .store
        .set_sync_token(&channel.id, changes.next_sync_token.as_deref())
        .await?;
    let declines = new_declines(state, &channel.user_id, &changes.items, !full).await?;
    state
        .bus
        .publish(Change::Changed {
            user_id: channel.user_id.clone(),
            calendar_id: channel.calendar_id.clone(),
        })
        .await;
    for change in declines {
        state.bus.publish(change).await;
    }
    Ok(())
}

/// Remembers each guest's answer on the user's own meetings that have not ended, and returns a
/// notice for each decline that is new. On a full sync (`announce` false) a guest seen for the
/// first time is only remembered: the first sync of a calendar must not replay old declines.
async fn new_declines(
    state: &AppState,
    user_id: &str,
    items: &[Event],
    announce: bool,
) -> Result<Vec<Change>> {
    let now = jiff::Timestamp::now();
    let mut out = Vec::new();
    for event in items {
        let ended = event
            .end
            .as_ref()
            .and_then(|e| e.date_time)
            .and_then(crate::google::calendar::from_chrono)
            .is_some_and(|end| end < now);
        let Some(event_id) = event.id.as_deref() else {
            continue;
        };
        if ended || event.status.as_deref() == Some("cancelled") || event.organizer.is_none() {
            continue;
        }
        if !organised_by_user(event) {
            continue;
        }
        for guest in event.attendees.iter().flatten() {
            if guest.self_ == Some(true) || guest.resource == Some(true) {
                continue;
            }
            let Some(email) = guest.email.as_deref() else {
                continue;
            };
            let response = guest.response_status.as_deref().unwrap_or("needsAction");
            let before = state
                .store
                .swap_guest_response(user_id, event_id, email, response)
                .await?;
            // A full sync (the first, or after a 410) announces only answers that changed from
            // one remembered; the first sight of a guest is a baseline.
            let known = before.is_some() || announce;
            if known && response == "declined" && before.as_deref() != Some("declined") {
                out.push(Change::Declined {
                    user_id: user_id.to_owned(),
                    // Clipped: it travels in a PostgreSQL NOTIFY (8,000 bytes at most).
                    title: event
                        .summary
                        .as_deref()
                        .map_or_else(|| "(no title)".into(), |t| t.chars().take(200).collect()),
                    guest: guest
                        .display_name
                        .clone()
                        .unwrap_or_else(|| email.to_owned()),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_runs_one_sync_and_one_more() {
        let syncs = Syncs::default();
        assert!(syncs.start("c1"), "the first runs");
        for _ in 0..49 {
            assert!(!syncs.start("c1"), "the rest fold in");
        }
        assert!(syncs.start("c2"), "another channel is separate");
        assert!(syncs.again("c1"), "one more after the burst");
        assert!(!syncs.again("c1"), "then done");
        assert!(syncs.start("c1"), "and free again");
    }
}
