//! The cross-instance half of the change bus, on PostgreSQL: one `LISTEN` connection relays
//! every instance's `NOTIFY`s to this instance's streams. It is checked, not trusted: a
//! connection whose peer vanished without FIN or RST would wait forever, so the relay notifies
//! itself every few seconds, on its own connection and a channel of its own, and reconnects
//! when it does not hear back.
//! After any reconnect, whatever was missed is unknown, so every open page on this instance is
//! told to read again.

use std::future::Future;
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::time::Instant;

use crate::state::AppState;
use crate::state::bus::{Change, PG_CHANNEL};
use crate::store::Backend;

/// The pause between connection attempts.
const RETRY_AFTER: Duration = Duration::from_secs(2);

/// On PostgreSQL, relays every instance's `NOTIFY`s to this instance's streams, as a tracked
/// background task, reconnecting whenever the connection fails or its self-check goes
/// unanswered. Nothing to do on SQLite.
pub(crate) fn start_relay(state: &AppState) {
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
    #[error("connecting or listening took over {0:?}")]
    Slow(Duration),
    #[error("the connection closed")]
    Closed,
    #[error("its self-check was not heard back within {0:?}")]
    Silent(Duration),
}

/// `work`, given at most `limit`.
async fn within<T>(
    limit: Duration,
    work: impl Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, Lost> {
    Ok(tokio::time::timeout(limit, work)
        .await
        .map_err(|_| Lost::Slow(limit))??)
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
    // A connection attempt may take one check's interval; a check unanswered after two is lost.
    let every = state.config.budgets.relay_check;
    let deadline = every * 2;
    let mut listener = within(every, PgListener::connect(&state.config.store.database_url)).await?;
    // PostgreSQL drops the old session too when this client vanishes.
    within(
        every,
        sqlx::query("SET tcp_keepalives_idle = 10").execute(&mut listener),
    )
    .await?;
    within(
        every,
        listener.listen_all([PG_CHANNEL, bus.check_channel()]),
    )
    .await?;
    state.metrics.relay(true);
    if std::mem::replace(connected_before, true) {
        state.metrics.relay_reconnected();
        tracing::info!("change relay reconnected; every open page reads again");
        bus.deliver(Change::Resync);
    } else {
        tracing::info!("change relay listening");
    }
    let mut tick = tokio::time::interval(every);
    let mut unanswered: Option<Instant> = None;
    loop {
        tokio::select! {
            note = listener.try_recv() => {
                let Some(note) = note? else { return Err(Lost::Closed) };
                if note.channel() == bus.check_channel() {
                    unanswered = None;
                    continue;
                }
                match serde_json::from_str::<Change>(note.payload()) {
                    Ok(Change::Resync) => {}
                    Ok(change) => bus.deliver(change),
                    Err(e) => tracing::warn!(error = %e, "unreadable change notification"),
                }
            }
            _ = tick.tick() => match unanswered {
                Some(sent) if sent.elapsed() > deadline => return Err(Lost::Silent(deadline)),
                Some(_) => {}
                None => {
                    unanswered = Some(Instant::now());
                    // On this connection, never the requests' pool: a busy pool must not tear
                    // down a healthy LISTEN. A session hears its own NOTIFY.
                    let check = sqlx::query("SELECT pg_notify($1, 'check')")
                        .bind(bus.check_channel())
                        .execute(&mut listener);
                    within(every, check).await?;
                }
            },
        }
    }
}
