//! Work that runs beside the requests: the change relay, the once-a-second report, and the
//! minute's housekeeping (pruning, push-channel renewal).
//!
//! Bounded and independent (docs/operations.md, Guarantees): each step is its own task on its own timer, so a
//! Google call that never answers holds up at most the step that made it, and every background
//! Google call has the background budget (`Config::budgets`). Every task is tracked
//! ([`crate::tasks::Background`]), so shutdown can stop them at a safe point (between two
//! channels, never inside one) and wait for them before the pool closes.

use std::future::Future;
use std::time::Duration;

use crate::log_budget::report_skipped;
use crate::state::AppState;
/// How often pruning and renewal run.
pub(crate) const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(60);
/// The longest one pruning pass may take (its deletes are bounded by the store's timeouts too).
const PRUNE_BUDGET: Duration = Duration::from_secs(30);

/// Starts the relay, the once-a-second report and the housekeeping loops.
pub fn start(state: &AppState) {
    crate::live::relay::start_relay(state);
    follow_changes_of_users(state);
    every(state, Duration::from_secs(1), |state| async move {
        report(&state);
    });
    every(state, HOUSEKEEPING_EVERY, |state| async move {
        if tokio::time::timeout(PRUNE_BUDGET, prune(&state))
            .await
            .is_err()
        {
            tracing::warn!(
                "pruning took over {} s; it runs again in a minute",
                PRUNE_BUDGET.as_secs()
            );
        }
    });
    every(state, HOUSEKEEPING_EVERY, |state| async move {
        crate::tools::shared::change::repair::overdue(&state).await;
    });
    every(state, HOUSEKEEPING_EVERY, |state| async move {
        if let Err(e) = crate::live::watch::renew_due(&state).await {
            tracing::warn!(error = %e, "renewing push channels failed");
        }
    });
}

/// Another instance's sign-out or change of accounts (or a relay reconnect, after which
/// anything may have been missed) drops this instance's cached answers at once.
fn follow_changes_of_users(state: &AppState) {
    use crate::state::bus::Change;
    use tokio::sync::broadcast::error::RecvError;
    let state = state.clone();
    let mut changes = state.bus.subscribe();
    state.clone().background.spawn(async move {
        loop {
            let change = tokio::select! {
                () = state.background.stop_requested() => return,
                change = changes.recv() => change,
            };
            match change {
                Ok(Change::SignedOut { user_id }) => {
                    state.sign_outs.forget(&user_id);
                    state.accounts.forget(&user_id);
                }
                Ok(Change::Accounts { user_id }) => state.accounts.forget(&user_id),
                Ok(Change::Resync) | Err(RecvError::Lagged(_)) => {
                    state.sign_outs.forget_all();
                    state.accounts.forget_all();
                }
                Ok(_) => {}
                Err(RecvError::Closed) => return,
            }
        }
    });
}

/// Runs `step` every `period` (the first time one period after start) on its own task, until
/// shutdown.
fn every<F, Fut>(state: &AppState, period: Duration, step: F)
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let state = state.clone();
    state.clone().background.spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = state.background.stop_requested() => return,
                _ = tick.tick() => step(state.clone()).await,
            }
        }
    });
}

/// What the log budget held back, what the log writer dropped, and the pool's gauges.
fn report(state: &AppState) {
    report_skipped(&state.log_budget);
    let dropped = crate::telemetry::take_dropped_lines();
    if dropped > 0 {
        state.metrics.log_lines_dropped(dropped);
        tracing::warn!(
            dropped,
            "log lines dropped: the log output is not keeping up"
        );
    }
    let (size, idle) = state.store.pool_size();
    state.metrics.pool(size, idle);
}

/// One pruning pass: in-memory limits, then each store table on its own (one failing does not
/// keep the others from being pruned).
pub async fn prune(state: &AppState) {
    state.prune_limits();
    if let Err(e) = state.store.prune().await {
        tracing::warn!(error = %e, "pruning the store failed");
    }
    // A sign-out matters until every URL minted before it has expired.
    let longest = state.config.signing.tool_url_ttl_seconds + crate::presign::CLOCK_SKEW_SECONDS;
    let before = crate::store::now_i64() - i64::try_from(longest).unwrap_or(i64::MAX);
    if let Err(e) = state.store.prune_sign_outs(before).await {
        tracing::warn!(error = %e, "pruning sign-outs failed");
    }
    let kept = i64::from(state.config.store.audit_retention_days) * 86_400;
    if let Err(e) = state
        .store
        .prune_audit(crate::store::now_i64() - kept)
        .await
    {
        tracing::warn!(error = %e, "pruning the audit failed");
    }
}
