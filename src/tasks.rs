//! The tracked background tasks: spawned through [`Background`], told to stop at shutdown,
//! and waited for before the pool closes. (Each background Google call is bounded by the user's
//! background access, [`crate::state::AppState::google_in_background`].)

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The tracked background tasks and the signal that tells them to stop.
#[derive(Default)]
pub(crate) struct Background {
    tasks: TaskTracker,
    cancel: CancellationToken,
}

impl Background {
    /// Runs `work` as a tracked task: shutdown waits for it.
    pub(crate) fn spawn<F>(&self, work: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.tasks.spawn(work);
    }

    /// Whether shutdown asked background work to stop.
    pub(crate) fn is_stopping(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Resolves when shutdown asks background work to stop.
    pub(crate) async fn stop_requested(&self) {
        self.cancel.cancelled().await;
    }

    /// Asks every task to stop at its next safe point and waits up to `within` for them all.
    /// Returns whether they all ended.
    pub(crate) async fn stop(&self, within: Duration) -> bool {
        self.cancel.cancel();
        self.tasks.close();
        tokio::time::timeout(within, self.tasks.wait())
            .await
            .is_ok()
    }

    /// How many tasks are running.
    pub(crate) fn running(&self) -> usize {
        self.tasks.len()
    }
}
