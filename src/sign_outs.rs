//! Whether a tool URL's session began before its user's latest sign-out, checked on every tool
//! call without a store read on every call.
//!
//! Each instance keeps the answer per user for at most [`CACHE_FOR`]; a sign-out on this
//! instance, or one another instance announces on the change bus, drops it at once, and the
//! sign-out itself answers only once [`CACHE_FOR`] has passed since it was recorded. So when the
//! user sees "signed out", no instance can still be serving a URL minted before it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::store::{Store, StoreError};

/// The longest an instance trusts what it read about a user's sign-out.
pub(crate) const CACHE_FOR: Duration = Duration::from_millis(500);

/// The per-instance cache.
#[derive(Default)]
pub(crate) struct SignOuts {
    /// User → (their latest sign-out, when it was read).
    known: Mutex<HashMap<String, (Option<i64>, Instant)>>,
    /// Bumped by every invalidation: a read that began before one is not cached.
    generation: AtomicU64,
}

impl SignOuts {
    /// When `user_id` last signed out (unix seconds), from the cache or the store.
    pub(crate) async fn latest(
        &self,
        store: &Store,
        user_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        if let Some((at, read)) = self.lock().get(user_id).copied() {
            if read.elapsed() < CACHE_FOR {
                return Ok(at);
            }
        }
        let generation = self.generation.load(Ordering::Acquire);
        // Dated from before the read: an answer that missed a sign-out committed while it was
        // being read lapses no later than the sign-out's own wait.
        let asked = Instant::now();
        let at = store.signed_out_at(user_id).await?;
        let mut known = self.lock();
        if self.generation.load(Ordering::Acquire) == generation {
            known.insert(user_id.to_owned(), (at, asked));
        }
        Ok(at)
    }

    /// `user_id` signed out (here or on another instance): read it again next time.
    pub(crate) fn forget(&self, user_id: &str) {
        let mut known = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        known.remove(user_id);
    }

    /// Changes may have been missed (the relay reconnected): read everyone again.
    pub(crate) fn forget_all(&self) {
        let mut known = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        known.clear();
    }

    /// Drops answers too old to be used (bounded memory).
    pub(crate) fn prune(&self) {
        self.lock()
            .retain(|_, (_, read)| read.elapsed() < CACHE_FOR);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Option<i64>, Instant)>> {
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }
}
