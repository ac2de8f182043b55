//! `GET /api/events/stream` (Server-Sent Events to the user's open page) and
//! `POST /api/google/notifications` (Google's push notifications).

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, Sse};
use axum::routing::{get, post};
use futures_util::Stream;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::error::{Auth, Error, Input, Result};
use crate::http::current_user::CurrentUser;
use crate::live::watch::{self, NOTIFICATIONS_PATH};
use crate::log_budget::Topic;
use crate::log_safe::clip;
use crate::state::AppState;
use crate::state::bus::Change;
use crate::store::Knock;

/// How often an open stream says it is alive (and checks the user is still signed in).
pub(super) const HEARTBEAT: Duration = Duration::from_secs(15);

/// Routes of this area.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/events/stream", get(stream))
        .route(NOTIFICATIONS_PATH, post(notification))
}

/// The page's stream: a message when a calendar changes (`changed`) or a guest declines
/// (`declined`), a comment every 15 s, and the end when the user signs out (anywhere).
async fn stream(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    let limit = state.config.limits.streams_per_user.get();
    let Some(slot) = state.streams.open(&user.user_id, limit) else {
        tracing::info!(user_id = %user.user_id, limit, "too many open streams for one user");
        return Err(Input::RateLimited {
            retry_after: HEARTBEAT,
        }
        .into());
    };
    let rx = state.bus.subscribe();
    // A page is open: its calendars should be watched (over https), off the request.
    keep_watching(&state, &user.user_id);
    let mut tick = tokio::time::interval(HEARTBEAT);
    tick.reset();
    let kept_at = tokio::time::Instant::now();
    let events = futures_util::stream::unfold(
        (rx, tick, state, user, slot, kept_at),
        |(mut rx, mut tick, state, user, slot, mut kept_at)| async move {
            loop {
                let event = tokio::select! {
                    received = rx.recv() => match received {
                        // The relay reconnected: whatever was missed, reading again covers it.
                        // Every page on this instance hears it at once; each waits a random
                        // moment so that they do not all read from Google together.
                        Ok(Change::Resync) => {
                            let spread = RESYNC_SPREAD.mul_f64(rand::random::<f64>());
                            tokio::time::sleep(spread).await;
                            Event::default().event("changed").data("{}")
                        }
                        Ok(change) if change.user_id() != user.user_id => continue,
                        Ok(Change::SignedOut { .. }) | Err(RecvError::Closed) => return None,
                        Ok(Change::Changed { calendar_id, events, .. }) => Event::default()
                            .event("changed")
                            .data(json!({"calendarId": calendar_id, "events": events}).to_string()),
                        Ok(Change::Accounts { .. }) => Event::default().event("accounts").data("{}"),
                        Ok(Change::Declined { title, guest, .. }) => Event::default()
                            .event("declined")
                            .data(json!({"title": title, "guest": guest}).to_string()),
                        // Fell behind: whatever was missed, reading again covers it.
                        Err(RecvError::Lagged(_)) => Event::default().event("changed").data("{}"),
                    },
                    // The server is shutting down: end, so it can stop in time.
                    () = state.stopping() => return None,
                    _ = tick.tick() => {
                        // A page open for days keeps its channels wanted (and re-opened).
                        if kept_at.elapsed() >= KEEP_WATCHING {
                            kept_at = tokio::time::Instant::now();
                            keep_watching(&state, &user.user_id);
                        }
                        // Signed out on another instance, or the cookie is stale: end.
                        // Bounded: a database that stopped answering must not freeze the page.
                        let check = tokio::time::timeout(HEARTBEAT / 3, state.store.epoch(&user.user_id));
                        match check.await {
                            Ok(Ok(Some(epoch))) if epoch == user.epoch => Event::default().comment("heartbeat"),
                            Ok(Ok(_)) => return None,
                            Ok(Err(e)) => {
                                tracing::info!(error = %e, "stream heartbeat could not check the user");
                                Event::default().comment("heartbeat")
                            }
                            Err(_) => {
                                tracing::info!("stream heartbeat: the database did not answer in time");
                                Event::default().comment("heartbeat")
                            }
                        }
                    }
                };
                return Some((Ok(event), (rx, tick, state, user, slot, kept_at)));
            }
        },
    );
    Ok(Sse::new(events))
}

/// How often an open page renews its wish for its calendars' channels (they are kept a day
/// after the last wish).
const KEEP_WATCHING: Duration = Duration::from_secs(3600);
/// Pages told to read again after the relay reconnected wait a random moment up to this.
const RESYNC_SPREAD: Duration = Duration::from_secs(5);

/// Makes sure `user_id`'s calendars are watched, off the request.
fn keep_watching(state: &AppState, user_id: &str) {
    let (watcher, who) = (state.clone(), user_id.to_owned());
    state.background.spawn(async move {
        if let Err(e) = watch::ensure_watching(&watcher, &who).await {
            tracing::info!(user_id = %who, error = %e, "could not watch the calendars");
        }
    });
}

fn admit(state: &AppState, reason: &'static str) -> Option<u64> {
    state
        .log_budget
        .admit(Topic::Refusal(reason), NOTIFICATIONS_PATH)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Google's push notification: the channel id and its token are checked (constant time) before
/// anything else; a repeated message number is ignored; the sync happens after the answer.
async fn notification(State(state): State<AppState>, headers: HeaderMap) -> Result<StatusCode> {
    let id = header(&headers, "x-goog-channel-id");
    let token = header(&headers, "x-goog-channel-token");
    let channel = match state.store.knock(id, token).await? {
        Knock::Genuine(channel) => channel,
        // Anyone can post here: about a line a second, the rest counted.
        Knock::Unknown => {
            if let Some(n) = admit(&state, "unknown_channel") {
                tracing::info!(channel = %clip(id), not_logged_before = n, "notification for an unknown channel");
            }
            return Err(Error::Input(Input::NotFound));
        }
        Knock::WrongToken => {
            if let Some(n) = admit(&state, "wrong_channel_token") {
                tracing::warn!(channel = %clip(id), not_logged_before = n, "notification with a wrong channel token");
            }
            return Err(Error::Auth(Auth::BadChannelToken));
        }
    };
    // Google numbers each channel's messages from 1; without a number there is nothing to
    // compare, and a sync too many is harmless.
    if let Ok(number) = header(&headers, "x-goog-message-number").parse::<i64>() {
        if !state.store.note_message(&channel.id, number).await? {
            // Google retrying, or another instance got it first.
            return Ok(StatusCode::OK);
        }
    }
    if header(&headers, "x-goog-resource-state") != "sync" {
        crate::live::sync::schedule_sync(&state, &channel.id);
    }
    Ok(StatusCode::OK)
}
