//! The change bus: what happened to whose calendar, to every open page of that user. Within one
//! instance a broadcast channel; across instances on PostgreSQL, `NOTIFY` / `LISTEN`, so a push
//! notification received by one instance reaches a page streaming from another.
//!
//! The `LISTEN` connection is checked, not trusted (DESIGN.md §14): a connection whose peer
//! vanished without FIN or RST would wait forever, so the relay `NOTIFY`s itself every few
//! seconds on a channel of its own and reconnects when it does not hear back. After any
//! reconnect, whatever was missed is unknown, so every open page on this instance is told to
//! read again.

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;
use tokio::time::Instant;

use crate::state::AppState;
use crate::store::{Backend, Store};

/// The PostgreSQL notification channel.
pub const PG_CHANNEL: &str = "calendar_agent_changes";
/// How often the relay checks its connection by notifying itself.
pub const SELF_CHECK_EVERY: Duration = Duration::from_secs(5);
/// A self-check not heard back within this long means the connection is dead.
pub const SELF_CHECK_DEADLINE: Duration = Duration::from_secs(10);
/// The longest one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The pause between connection attempts.
const RETRY_AFTER: Duration = Duration::from_secs(2);

/// Something a user's open pages should know.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A calendar changed: read it again.
    Changed {
        /// Whose.
        user_id: String,
        /// Which calendar.
        calendar_id: String,
    },
    /// A guest declined one of the user's meetings.
    Declined {
        /// Whose meeting.
        user_id: String,
        /// The meeting's title.
        title: String,
        /// Who declined (their name, else their address).
        guest: String,
    },
    /// The user signed out: their streams end.
    SignedOut {
        /// Who.
        user_id: String,
    },
    /// This instance's relay reconnected: changes may have been missed, so every open page,
    /// whoever's, reads again. Never sent to other instances.
    Resync,
}

impl Change {
    /// Whose change it is.
    pub fn user_id(&self) -> &str {
        match self {
            Self::Changed { user_id, .. }
            | Self::Declined { user_id, .. }
            | Self::SignedOut { user_id } => user_id,
            Self::Resync => "",
        }
    }
}

/// The bus. Cheap to share behind an `Arc`.
pub struct ChangeBus {
    local: broadcast::Sender<Change>,
    store: Store,
    /// This instance's self-check channel (`calendar_agent_check_` + random hex).
    check_channel: String,
}

impl ChangeBus {
    /// A bus over `store` (PostgreSQL: relayed through the database).
    pub fn new(store: Store) -> Self {
        let mut id = [0u8; 8];
        rand::fill(&mut id);
        Self {
            local: broadcast::channel(1024).0,
            store,
            check_channel: format!("calendar_agent_check_{}", hex::encode(id)),
        }
    }

    /// Tells every open page of the change's user, on every instance.
    pub async fn publish(&self, change: Change) {
        if self.store.backend() == Backend::Postgres {
            match serde_json::to_string(&change) {
                Ok(payload) => match self.store.notify(PG_CHANNEL, &payload).await {
                    // This instance hears its own NOTIFY through the relay.
                    Ok(()) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "NOTIFY failed; telling this instance's pages only")
                    }
                },
                Err(e) => tracing::warn!(error = %e, "change not serialisable"),
            }
        }
        let _ = self.local.send(change);
    }

    /// A receiver of every change on this instance (each stream keeps its own user's).
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.local.subscribe()
    }
}

/// On PostgreSQL, relays every instance's `NOTIFY`s to this instance's streams, as a tracked
/// background task, reconnecting whenever the connection fails or its self-check goes
/// unanswered. Nothing to do on SQLite.
pub fn start_relay(state: &AppState) {
    if state.store.backend() != Backend::Postgres {
        return;
    }
    let state = state.clone();
    state.clone().background.spawn(async move {
        let mut connected_before = false;
        loop {
            let lost = tokio::select! {
                () = state.background.stop_requested() => return,
                lost = relay(&state, &mut connected_before) => lost,
            };
            state.metrics.relay(false);
            tracing::warn!(error = %lost, "change relay lost; reconnecting");
            tokio::select! {
                () = state.background.stop_requested() => return,
                () = tokio::time::sleep(RETRY_AFTER) => {}
            }
        }
    });
}

/// Why the relay's connection was given up.
#[derive(Debug, thiserror::Error)]
enum Lost {
    #[error("{0}")]
    Database(#[from] sqlx::Error),
    #[error("connecting or listening took over {} s", CONNECT_TIMEOUT.as_secs())]
    Slow,
    #[error("the connection closed")]
    Closed,
    #[error("its self-check was not heard back within {} s", SELF_CHECK_DEADLINE.as_secs())]
    Silent,
}

async fn within<T>(work: impl Future<Output = Result<T, sqlx::Error>>) -> Result<T, Lost> {
    Ok(tokio::time::timeout(CONNECT_TIMEOUT, work)
        .await
        .map_err(|_| Lost::Slow)??)
}

/// One connection's life: connect, listen, relay until it fails or falls silent.
async fn relay(state: &AppState, connected_before: &mut bool) -> Lost {
    match relay_until_lost(state, connected_before).await {
        Ok(never) => match never {},
        Err(lost) => lost,
    }
}

async fn relay_until_lost(
    state: &AppState,
    connected_before: &mut bool,
) -> Result<std::convert::Infallible, Lost> {
    let bus = &state.bus;
    let mut listener = within(PgListener::connect(&state.config.database_url)).await?;
    // PostgreSQL drops the old session too when this client vanishes.
    within(sqlx::query("SET tcp_keepalives_idle = 10").execute(&mut listener)).await?;
    within(listener.listen_all([PG_CHANNEL, bus.check_channel.as_str()])).await?;
    state.metrics.relay(true);
    if std::mem::replace(connected_before, true) {
        state.metrics.relay_reconnected();
        tracing::info!("change relay reconnected; every open page reads again");
        let _ = bus.local.send(Change::Resync);
    } else {
        tracing::info!("change relay listening");
    }
    let mut tick = tokio::time::interval(SELF_CHECK_EVERY);
    let mut unanswered: Option<Instant> = None;
    loop {
        tokio::select! {
            note = listener.try_recv() => {
                let Some(note) = note? else { return Err(Lost::Closed) };
                if note.channel() == bus.check_channel {
                    unanswered = None;
                    continue;
                }
                match serde_json::from_str::<Change>(note.payload()) {
                    Ok(Change::Resync) => {}
                    Ok(change) => {
                        let _ = bus.local.send(change);
                    }
                    Err(e) => tracing::warn!(error = %e, "unreadable change notification"),
                }
            }
            _ = tick.tick() => match unanswered {
                Some(sent) if sent.elapsed() > SELF_CHECK_DEADLINE => return Err(Lost::Silent),
                Some(_) => {}
                None => {
                    unanswered = Some(Instant::now());
                    // Sent from the pool, off this loop: a dead pool must not stall it.
                    let (store, channel) = (state.store.clone(), bus.check_channel.clone());
                    tokio::spawn(async move {
                        let _ = tokio::time::timeout(CONNECT_TIMEOUT, store.notify(&channel, "check")).await;
                    });
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_travel_as_tagged_json() {
        let change = Change::Declined {
            user_id: "ada@example.com".into(),
            title: "Kickoff".into(),
            guest: "Sam".into(),
        };
        let text = serde_json::to_string(&change).expect("json");
        assert!(text.contains(r#""type":"declined""#), "{text}");
        assert_eq!(serde_json::from_str::<Change>(&text).expect("back"), change);
        assert_eq!(change.user_id(), "ada@example.com");
    }
}
