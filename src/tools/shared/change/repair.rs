//! A split is finished or undone. Moving "this and the following" occurrences is two writes:
//! the series ends before the occurrence, then a new series continues it. When the second is
//! not confirmed (Google failed, or did not answer in time) or the first's outcome is unknown,
//! the split is handed over here: kept in the store, retried in the background (on this
//! instance at once, on any instance from the minute's housekeeping if this one goes away),
//! with the continuation's fixed id so Google never makes two. Past `GOOGLE_SPLIT_RETRY_SECONDS` the
//! series' end is put back instead, on the etag just read and only while the series still has
//! the end this change gave it. Either way the change's audit row says which.

use std::time::Duration;

use google_calendar3::api::Event;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Proposal, Step, Undo, Write};
use crate::error::{Action, Error, Result};
use crate::google::user_calendar::{Guarded, UserCalendar};
use crate::state::AppState;
use crate::store::{SplitRepair, now_i64};

/// How long one worker holds a repair (its Google calls have 10 s each).
const LEASE_SECONDS: i64 = 45;
/// The longest wait between two tries.
const MOST_BETWEEN: Duration = Duration::from_secs(30);
/// Past giving up, how long putting the series back is tried before it is left to the log.
const UNDO_FOR_SECONDS: i64 = 3600;

/// What a half-done split needs to be finished or undone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct HalfDone {
    /// The calendar both writes are on.
    pub(crate) calendar: String,
    /// The series that was ended.
    pub(crate) series_id: String,
    /// Its lines before and after the end was written.
    pub(crate) undo: Undo,
    /// The continuation's insert.
    pub(crate) continuation: Step,
}

impl HalfDone {
    fn of(proposal: &Proposal) -> Result<Self> {
        let (Some(undo), Some(end), Some(continuation)) = (
            proposal.undo.clone(),
            proposal.steps.first(),
            proposal.steps.iter().find(|s| s.write == Write::Insert),
        ) else {
            return Err(Error::internal("a split without its two writes"));
        };
        Ok(Self {
            calendar: end.calendar.clone(),
            series_id: end.event_id.clone(),
            undo,
            continuation: continuation.clone(),
        })
    }
}

/// Hands a half-done split to the background: stored first (so any instance can finish it),
/// then worked on here at once.
pub(crate) async fn hand_over(
    state: &AppState,
    user_id: &str,
    audit_id: i64,
    proposal: &Proposal,
) -> Result<()> {
    let half = HalfDone::of(proposal)?;
    let payload =
        serde_json::to_string(&half).map_err(|e| Error::internal(format!("repair: {e}")))?;
    let window = i64::try_from(state.config.google.split_retry_seconds).unwrap_or(i64::MAX);
    let id = state
        .store
        .add_split_repair(
            user_id,
            audit_id,
            &payload,
            now_i64().saturating_add(window),
        )
        .await?;
    spawn(state, id);
    Ok(())
}

/// Works on repair `id` until it is done (or shutdown), with growing waits between tries.
fn spawn(state: &AppState, id: i64) {
    let state = state.clone();
    state.clone().background.spawn(async move {
        let mut wait = Duration::from_secs(1);
        loop {
            tokio::select! {
                () = state.background.stop_requested() => return,
                () = tokio::time::sleep(jittered(wait)) => {}
            }
            match state.store.take_split_repair(Some(id), LEASE_SECONDS).await {
                Ok(Some(repair)) => {
                    if work(&state, &repair).await {
                        return;
                    }
                }
                // Not due, or another instance holds it; it may also be done.
                Ok(None) => {
                    if !matches!(state.store.open_split_repairs().await, Ok(n) if n > 0) {
                        return;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reading a split repair failed"),
            }
            wait = (wait * 2).min(MOST_BETWEEN);
        }
    });
}

/// The minute's housekeeping: repairs whose worker went away (a restart, another instance).
pub(crate) async fn overdue(state: &AppState) {
    while let Ok(Some(repair)) = state.store.take_split_repair(None, LEASE_SECONDS).await {
        if state.background.is_stopping() {
            return;
        }
        work(state, &repair).await;
    }
}

fn jittered(wait: Duration) -> Duration {
    let spread = u64::try_from(wait.as_millis() / 5).unwrap_or(0).max(1);
    wait + Duration::from_millis(rand::random_range(0..spread))
}

/// One try at `repair`; whether it is done.
async fn work(state: &AppState, repair: &SplitRepair) -> bool {
    let outcome = match serde_json::from_str::<HalfDone>(&repair.payload) {
        Ok(half) => {
            let mut google = state.google_in_background(&repair.user_id);
            attempt(&mut google, &half, repair).await
        }
        Err(e) => Ok(Some(("abandoned", format!("unreadable: {e}")))),
    };
    let store = &state.store;
    match outcome {
        Ok(Some((outcome, detail))) => {
            tracing::info!(user_id = %repair.user_id, outcome, detail, attempts = repair.attempts, "split repair done");
            if outcome == "abandoned" {
                tracing::error!(user_id = %repair.user_id, detail, "a split series could be neither finished nor put back; it needs a look");
            }
            let audit = store
                .finish_audit(repair.audit_id, outcome, Some(&detail))
                .await;
            let done = store.finish_split_repair(repair.id, outcome).await;
            if let Err(e) = audit.and(done) {
                tracing::warn!(error = %e, "recording a split repair failed; it is tried again");
                return false;
            }
            true
        }
        Ok(None) | Err(_) => {
            if let Err(e) = &outcome {
                tracing::warn!(user_id = %repair.user_id, error = %e, attempts = repair.attempts, "a split repair try failed; it is tried again");
            }
            let wait = 1i64 << repair.attempts.clamp(0, 5);
            let next = now_i64() + wait.min(MOST_BETWEEN.as_secs() as i64);
            if let Err(e) = store.retry_split_repair(repair.id, next).await {
                tracing::warn!(error = %e, "rescheduling a split repair failed");
            }
            false
        }
    }
}

/// One try: done with (outcome, detail), or `None` to try again.
async fn attempt(
    google: &mut UserCalendar,
    half: &HalfDone,
    repair: &SplitRepair,
) -> Result<Option<(&'static str, String)>> {
    let calendar = half.calendar.as_str();
    let continuation = half.continuation.event_id.as_str();
    if read(google, calendar, continuation)
        .await?
        .is_some_and(|e| e.status.as_deref() != Some("cancelled"))
    {
        return Ok(Some((
            "applied",
            format!(
                "the new series was written (after {} tries)",
                repair.attempts
            ),
        )));
    }
    let Some(series) = read(google, calendar, &half.series_id).await? else {
        return Ok(Some(("abandoned", "the series is gone".into())));
    };
    let lines = series.recurrence.clone().unwrap_or_default();
    if lines != half.undo.ended {
        let (outcome, detail) = if lines == half.undo.original {
            ("failed", "the series was never ended: nothing changed")
        } else {
            ("abandoned", "the series was changed elsewhere since")
        };
        return Ok(Some((outcome, detail.into())));
    }
    if now_i64() < repair.give_up_at {
        let step = &half.continuation;
        let inserted = google
            .insert(calendar, &step.body, &step.send_updates)
            .await;
        return Ok(inserted.ok().map(|_| {
            (
                "applied",
                format!(
                    "the new series was written (after {} tries)",
                    repair.attempts
                ),
            )
        }));
    }
    // Given up: the series' end is put back, on the etag just read.
    let etag = series.etag.clone().unwrap_or_default();
    let body = json!({ "recurrence": half.undo.original });
    let restored = google
        .change_if_unchanged(
            (calendar, &half.series_id, &etag),
            Guarded::Patch(&body),
            &half.continuation.send_updates,
        )
        .await;
    match restored {
        Ok(_) => Ok(Some((
            "undone",
            "the new series could not be written, so the series was put back as it was".into(),
        ))),
        Err(Error::Action(Action::EventChanged)) => Ok(None),
        Err(_) if now_i64() > repair.give_up_at.saturating_add(UNDO_FOR_SECONDS) => Ok(Some((
            "abandoned",
            "neither the new series nor the old end could be written".into(),
        ))),
        Err(e) => Err(e),
    }
}

async fn read(google: &mut UserCalendar, calendar: &str, id: &str) -> Result<Option<Event>> {
    google.event(calendar, id).await
}
