//! Google Calendar push channels: opened on each selected calendar of a user with a page open or
//! a live session, renewed before they expire, stopped on sign-out; and what a genuine
//! notification sets off: an incremental sync (`syncToken`; a 410 starts over), new declines
//! noticed, and the user's pages told.
//!
//! Channels need Google to reach `PUBLIC_BASE_URL` over https; over plain http there are none
//! and the page re-reads every minute instead.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::sync::schedule_sync;
use crate::error::{Error, GoogleError, Result};
use crate::google::user_calendar::UserCalendar;
use crate::state::AppState;
use crate::store::{Allowance, Channel, now_i64};

/// Where Google sends notifications.
pub const NOTIFICATIONS_PATH: &str = "/api/google/notifications";
/// How long a channel is asked to live (Google may shorten it).
pub(crate) const CHANNEL_SECONDS: i64 = 7 * 86_400;
/// Channels are renewed when they end sooner than this.
pub(crate) const RENEW_BEFORE_SECONDS: i64 = 3_600;
/// A user's channels are kept this long after their page or session was last seen.
pub(crate) const WANTED_SECONDS: i64 = 86_400;

/// Whether channels can work: Google delivers only to https.
pub(crate) fn enabled(state: &AppState) -> bool {
    state.config.server.public_base_url.starts_with("https://")
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    hex::encode(buf)
}

/// Makes sure each calendar the user has selected is watched, and keeps their channels wanted.
/// Called when a page opens its stream and when a session starts; runs at most once a minute
/// per user across instances. A calendar that has a channel (live, being opened, or being
/// renewed, on any instance) is left to it: the store holds at most one per calendar.
pub async fn ensure_watching(state: &AppState, user_id: &str) -> Result<()> {
    if !enabled(state) {
        return Ok(());
    }
    let accounts = state.store.accounts(user_id).await?;
    if accounts.len() <= 1 {
        let only = accounts.first().map_or(user_id, |a| a.email.as_str());
        return ensure_watching_account(state, only).await;
    }
    // Each account's calendars through its own grant, at once; one failing leaves the others.
    let watched = accounts
        .iter()
        .filter(|a| a.connected)
        .map(|a| ensure_watching_account(state, &a.email));
    let mut first_error = None;
    for result in futures_util::future::join_all(watched).await {
        if let Err(e) = result {
            first_error.get_or_insert(e);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// [`ensure_watching`] for one Google account (its channels are stored under its address).
async fn ensure_watching_account(state: &AppState, user_id: &str) -> Result<()> {
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
    let watched = watch_selected(state, user_id).await;
    if watched.is_err() {
        // Nothing was opened for it: the next page or Start need not wait a minute to try.
        store.give_back_allowance(&key).await?;
    }
    watched
}

/// Opens a channel on each selected calendar without one, and stops those on calendars no
/// longer selected.
async fn watch_selected(state: &AppState, user_id: &str) -> Result<()> {
    let mut google = state.google_in_background(user_id);
    let context = google.context().await?;
    let existing = state.store.channels_of(user_id).await?;
    for calendar in &context.calendars {
        if !existing.iter().any(|c| c.calendar_id == calendar.id) {
            open(state, user_id, &calendar.id).await?;
        }
    }
    for channel in existing {
        if context.calendar(&channel.calendar_id).is_none() {
            stop(state, &mut google, &channel).await;
        }
    }
    Ok(())
}

/// A channel Google opened: its id and token, and what Google answered. Until
/// [`Unrecorded::recorded`] is called on `unrecorded`, dropping it stops the channel at Google.
struct Opened {
    id: String,
    token: String,
    resource_id: Option<String>,
    expires_at: i64,
    unrecorded: Unrecorded,
}

/// A fresh channel id and token.
fn fresh() -> (String, String) {
    (random_hex(16), random_hex(32))
}

/// How long a watch is still awaited after its caller stopped waiting (the background
/// budget), so that a channel Google opened late is stopped rather than left to send.
const LATE_ANSWER: Duration = Duration::from_secs(60);

/// `events.watch` on `calendar_id` as channel `id` with `token`, answered within the
/// background budget. The call runs as its own task: an answer that comes after the budget,
/// or after the caller was dropped, is stopped at Google.
async fn watch(
    state: &AppState,
    user_id: &str,
    calendar_id: &str,
    (id, token): (String, String),
) -> Result<Opened> {
    let address = state.config.public_url(NOTIFICATIONS_PATH);
    let asked = now_i64() + CHANNEL_SECONDS;
    let (answer, waiting) = tokio::sync::oneshot::channel();
    let (task, user, calendar) = (state.clone(), user_id.to_owned(), calendar_id.to_owned());
    state.background.spawn(async move {
        // Made once: opening is retried as a whole (the next page, the next renewal pass), and a
        // rate limit must reach the renewal pass at once.
        let mut google = task.google_in_background(&user).once_within(LATE_ANSWER);
        let opened = google
            .watch(&calendar, (&id, &token), &address, asked * 1000)
            .await
            .map(|opened| Opened {
                expires_at: opened.expiration_ms.map_or(asked, |ms| ms / 1000),
                unrecorded: Unrecorded::new(&task, &user, &id, opened.resource_id.as_deref()),
                resource_id: opened.resource_id,
                id,
                token,
            });
        if let Err(Ok(late)) = answer.send(opened) {
            tracing::info!(user_id = %user, channel = %late.id, "Google opened a channel after the wait; stopping it");
        }
    });
    match tokio::time::timeout(state.config.budgets.background_call, waiting).await {
        Ok(Ok(opened)) => opened,
        Ok(Err(_)) => Err(Error::internal("the watch task ended without an answer")),
        Err(_) => Err(Error::Google(GoogleError::Timeout {
            what: "events.watch",
        })),
    }
}

/// A channel open at Google that the store does not hold: stopped at Google when dropped (on
/// any path: an error, a store refusal, a renewal cut short), unless it was recorded. The one
/// place a channel the store does not know is stopped.
struct Unrecorded {
    state: AppState,
    user_id: String,
    /// The channel's id and Google's resource id, until recorded.
    channel: Option<(String, Option<String>)>,
}

impl Unrecorded {
    fn new(state: &AppState, user_id: &str, id: &str, resource_id: Option<&str>) -> Self {
        Self {
            state: state.clone(),
            user_id: user_id.to_owned(),
            channel: Some((id.to_owned(), resource_id.map(str::to_owned))),
        }
    }

    /// The store holds the channel now: it lives on.
    fn recorded(mut self) {
        self.channel = None;
    }
}

impl Drop for Unrecorded {
    fn drop(&mut self) {
        let Some((id, resource)) = self.channel.take() else {
            return;
        };
        let Some(resource) = resource else {
            tracing::warn!(channel = %id, "Google opened a channel without a resource id; it cannot be stopped and will expire");
            return;
        };
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let (state, user_id) = (self.state.clone(), std::mem::take(&mut self.user_id));
        self.state.background.spawn(async move {
            let mut google = state.google_in_background(&user_id);
            match google.stop_channel(&id, &resource).await {
                Ok(()) => tracing::info!(channel = %id, "stopped a channel the store does not hold"),
                Err(e) => tracing::warn!(channel = %id, error = %e, "stopping an unrecorded channel failed; it will expire"),
            }
        });
    }
}

/// Opens a channel on `calendar_id`: the calendar's slot is reserved in the store first (so no
/// other page or instance opens a second one), then Google is asked, then the channel is
/// recorded and synced once to set the starting point. A channel Google opened is always either
/// recorded or stopped.
async fn open(state: &AppState, user_id: &str, calendar_id: &str) -> Result<()> {
    let (id, token) = fresh();
    let store = &state.store;
    let wanted = now_i64() + WANTED_SECONDS;
    if !store
        .reserve_channel(user_id, calendar_id, &id, &token, wanted)
        .await?
    {
        return Ok(());
    }
    // Google's first message (`sync`) may come before the answer: the reservation already has
    // the channel's id and token.
    let opened = match watch(state, user_id, calendar_id, (id.clone(), token)).await {
        Ok(opened) => opened,
        Err(e) => {
            store.delete_channel(&id).await?;
            return Err(e);
        }
    };
    // A store failure here drops `opened`, which stops the channel at Google.
    if !store
        .activate_channel(&id, opened.resource_id.as_deref(), opened.expires_at)
        .await?
    {
        tracing::info!(
            user_id,
            "signed out while a channel was opened; stopping it"
        );
        return Ok(());
    }
    opened.unrecorded.recorded();
    tracing::info!(user_id, channel = %id, "watching a calendar for changes");
    schedule_sync(state, &id);
    Ok(())
}

/// Stops a channel at Google (best effort: it expires by itself anyway).
async fn stop_at_google(google: &mut UserCalendar, channel: &Channel) {
    let Some(resource) = channel.resource_id.as_deref() else {
        return;
    };
    let stopped = google.stop_channel(&channel.id, resource).await;
    if let Err(e) = stopped {
        tracing::info!(channel = %channel.id, error = %e, "stopping a channel at Google failed; it will expire");
    }
}

/// Stops a channel at Google and forgets it.
async fn stop(state: &AppState, google: &mut UserCalendar, channel: &Channel) {
    stop_at_google(google, channel).await;
    if let Err(e) = state.store.delete_channel(&channel.id).await {
        tracing::warn!(channel = %channel.id, error = %e, "forgetting a channel failed");
    }
}

/// How long sign-out waits for Google to stop a user's channels.
const STOP_BUDGET: Duration = Duration::from_secs(3);

/// Stops every channel of `user_id` (sign-out, forget-me). A slow Google does not hold the
/// sign-out up: after [`STOP_BUDGET`] the channels are forgotten here and left to expire there
/// (their notifications then meet an unknown channel).
pub(crate) async fn stop_all(state: &AppState, user_id: &str) -> Result<()> {
    let mut accounts: Vec<String> = state
        .store
        .accounts(user_id)
        .await?
        .into_iter()
        .map(|a| a.email)
        .collect();
    if accounts.is_empty() {
        accounts.push(user_id.to_owned());
    }
    let stopping = accounts.iter().map(|a| stop_account(state, a));
    for result in futures_util::future::join_all(stopping).await {
        result?;
    }
    Ok(())
}

/// Stops every channel opened through the Google account `user_id` (the account removed, or
/// one of a person's at sign-out), within [`STOP_BUDGET`] as [`stop_all`] says.
pub(crate) async fn stop_account(state: &AppState, user_id: &str) -> Result<()> {
    let channels = state.store.channels_of(user_id).await?;
    let mut google = state.google_in_background(user_id);
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

/// Channels claimed per batch: small, so a slow Google holds few of them at once.
pub(crate) const RENEW_BATCH: i64 = 8;
/// Renewals of one batch running at once: one Google call that never answers holds up one.
const RENEW_AT_ONCE: usize = 4;
/// The longest one store call of the renewal loop may wait.
const STORE_WAIT: Duration = Duration::from_secs(10);
/// The longest one channel's renewal may take.
const CHANNEL_BUDGET: Duration = Duration::from_secs(30);

/// Renews channels about to end whose user is still around, and stops the others. Run every
/// minute by every instance; each channel is claimed by one.
pub async fn renew_due(state: &AppState) -> Result<()> {
    renew_due_at(state, now_i64()).await
}

/// [`renew_due`] as if it were `at` (unix seconds). Channels are claimed a small batch at a
/// time, the batch's lease extended as each renewal starts; shutdown stops it between channels.
pub async fn renew_due_at(state: &AppState, at: i64) -> Result<()> {
    use futures_util::StreamExt;
    let store = &state.store;
    // Each calendar once per pass: a channel renewed now is not claimed again in the same pass
    // (as it could be when `at` is ahead of the clock).
    let mut done = std::collections::HashSet::new();
    let limited = AtomicBool::new(false);
    while !state.background.is_stopping() {
        let claim = random_hex(16);
        let claiming = store.claim_due(at, RENEW_BEFORE_SECONDS, now_i64(), RENEW_BATCH, &claim);
        let Ok(due) = tokio::time::timeout(STORE_WAIT, claiming).await else {
            tracing::warn!("claiming channels to renew timed out");
            break;
        };
        let (again, due): (Vec<Channel>, Vec<Channel>) = due?
            .into_iter()
            .partition(|c| done.contains(&(c.user_id.clone(), c.calendar_id.clone())));
        for channel in &again {
            store.release_claim(&channel.id).await?;
        }
        if due.is_empty() {
            break;
        }
        done.extend(
            due.iter()
                .map(|c| (c.user_id.clone(), c.calendar_id.clone())),
        );
        let claim = claim.as_str();
        let limited = &limited;
        futures_util::stream::iter(due)
            .for_each_concurrent(RENEW_AT_ONCE, |channel| async move {
                if state.background.is_stopping() {
                    return;
                }
                if limited.load(Ordering::Relaxed) {
                    // Google is limiting this service: the rest waits for the next pass.
                    if let Err(e) = store.release_claim(&channel.id).await {
                        tracing::warn!(channel = %channel.id, error = %e, "releasing a renewal claim failed; its lease runs out");
                    }
                    return;
                }
                let extending = store.extend_claim(claim, now_i64());
                if !matches!(tokio::time::timeout(STORE_WAIT, extending).await, Ok(Ok(()))) {
                    tracing::warn!(channel = %channel.id, "extending the renewal lease failed");
                }
                // Two Google calls of at most 10 s and a few store writes; a store that stopped
                // answering without closing must not hold the loop for good.
                match tokio::time::timeout(CHANNEL_BUDGET, renew_one(state, &channel, at)).await {
                    Ok(Err(Error::Google(GoogleError::RateLimited { .. }))) => {
                        limited.store(true, Ordering::Relaxed);
                    }
                    Ok(_) => {}
                    Err(_) => {
                        state.metrics.renewal_failed();
                        tracing::warn!(channel = %channel.id, "renewing a channel took too long; tried again later");
                    }
                }
            })
            .await;
        if limited.load(Ordering::Relaxed) {
            tracing::warn!(
                "Google is limiting requests; the renewal pass stops until the next one"
            );
            break;
        }
    }
    Ok(())
}

/// Renews one claimed channel in place (a new channel at Google, recorded in the old one's
/// slot, then the old one stopped), or stops it when nobody wants it. A failure leaves the
/// claim to run out, and the renewal is tried again after the lease; Google's refusal to open
/// the new channel is returned (a rate limit stops the pass).
async fn renew_one(state: &AppState, channel: &Channel, at: i64) -> Result<()> {
    let mut google = state.google_in_background(&channel.user_id);
    if channel.wanted_until <= at || !enabled(state) {
        stop(state, &mut google, channel).await;
        return Ok(());
    }
    let opened = match watch(state, &channel.user_id, &channel.calendar_id, fresh()).await {
        Ok(opened) => opened,
        Err(e) => {
            state.metrics.renewal_failed();
            tracing::warn!(channel = %channel.id, error = %e, "renewing a channel failed; tried again later");
            return Err(e);
        }
    };
    let renewed = Channel {
        id: opened.id.clone(),
        resource_id: opened.resource_id.clone(),
        expires_at: opened.expires_at,
        ..channel.clone()
    };
    // Unless the store holds the new channel, dropping `opened` stops it at Google: also when
    // this renewal is cut short.
    match state
        .store
        .replace_channel(&channel.id, &renewed, &opened.token)
        .await
    {
        Ok(true) => {
            opened.unrecorded.recorded();
            stop_at_google(&mut google, channel).await;
        }
        Ok(false) => {}
        Err(e) => {
            state.metrics.renewal_failed();
            tracing::warn!(channel = %channel.id, error = %e, "recording a renewed channel failed; stopping it");
        }
    }
    Ok(())
}
