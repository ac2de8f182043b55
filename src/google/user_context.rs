//! What a user's tools need and that rarely changes: their calendar time zone and the
//! calendars that count for them. Read from Google together, cached together for an hour.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::calendar::UserContext;

/// How long a user's zone and calendars are trusted before asking Google again.
pub(crate) const CONTEXT_TTL: Duration = Duration::from_secs(3600);

/// User id → context, with an expiry.
#[derive(Default)]
pub(crate) struct ContextCache {
    entries: Mutex<HashMap<String, (Arc<UserContext>, Instant)>>,
}

impl ContextCache {
    /// The cached context, if fresh.
    pub(crate) fn get(&self, user_id: &str) -> Option<Arc<UserContext>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(user_id)
            .filter(|(_, at)| at.elapsed() < CONTEXT_TTL)
            .map(|(context, _)| Arc::clone(context))
    }

    /// Remembers a context read from Google.
    pub(crate) fn put(&self, user_id: &str, context: UserContext) -> Arc<UserContext> {
        let context = Arc::new(context);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(user_id.to_owned(), (Arc::clone(&context), Instant::now()));
        context
    }

    /// Forgets a user's context (sign-out with forget).
    pub(crate) fn forget(&self, user_id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(user_id);
    }

    /// Drops expired entries (bounded memory).
    pub(crate) fn prune(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|_, (_, at)| at.elapsed() < CONTEXT_TTL);
    }
}
