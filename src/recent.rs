//! What an instance read from the store about a user lately, used on every tool call without a
//! store read on every call: their latest sign-out (whether a tool URL's session began before
//! it), and their Google accounts.
//!
//! Each instance keeps an answer per user for at most [`CACHE_FOR`]; a change made on this
//! instance, or one another instance announces on the change bus, drops it at once, and the
//! change itself answers only once [`CACHE_FOR`] has passed since it was recorded. So when the
//! user sees "signed out" or an account removed, no instance still acts on what was before.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

/// The longest an instance trusts what it read about a user.
pub(crate) const CACHE_FOR: Duration = Duration::from_millis(500);

/// Per user, what was read and when, on this instance.
pub(crate) struct Recent<V> {
    /// User → (what was read, when).
    known: Mutex<HashMap<String, (V, Instant)>>,
    /// Bumped by every invalidation: a read that began before one is not cached.
    generation: AtomicU64,
}

impl<V> Default for Recent<V> {
    fn default() -> Self {
        Self {
            known: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }
}

/// When each user last signed out (unix seconds), as lately read.
pub(crate) type SignOuts = Recent<Option<i64>>;
/// Each person's Google accounts (addresses, the primary first), as lately read.
pub(crate) type Accounts = Recent<Vec<String>>;

impl<V: Clone> Recent<V> {
    /// What is known of `user_id`, from the cache or, when it is older than [`CACHE_FOR`],
    /// from `read` (the store).
    pub(crate) async fn read<E>(
        &self,
        user_id: &str,
        read: impl Future<Output = Result<V, E>>,
    ) -> Result<V, E> {
        if let Some((value, at)) = self.lock().get(user_id) {
            if at.elapsed() < CACHE_FOR {
                return Ok(value.clone());
            }
        }
        let generation = self.generation.load(Ordering::Acquire);
        // Dated from before the read: an answer that missed a change committed while it was
        // being read lapses no later than the change's own wait.
        let asked = Instant::now();
        let value = read.await?;
        let mut known = self.lock();
        if self.generation.load(Ordering::Acquire) == generation {
            known.insert(user_id.to_owned(), (value.clone(), asked));
        }
        Ok(value)
    }

    /// `user_id` changed (here or on another instance): read it again next time.
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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (V, Instant)>> {
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }
}
