//! Event streams open on this instance, counted per user, so one user (a script, a browser
//! reopening tabs) cannot hold an unbounded number of connections and bus subscriptions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Streams open on this instance, by user.
#[derive(Default)]
pub(crate) struct Streams {
    open: Mutex<HashMap<String, u32>>,
}

/// One open stream: counted until dropped (the page went away, the server ended it).
pub(crate) struct Slot {
    streams: Arc<Streams>,
    user_id: String,
}

impl Streams {
    /// A slot for one more of `user_id`'s streams, or `None` when `limit` are open.
    pub(crate) fn open(self: &Arc<Self>, user_id: &str, limit: u32) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(user_id.to_owned()).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(Slot {
            streams: Arc::clone(self),
            user_id: user_id.to_owned(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.user_id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.user_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_holds_at_most_the_limit_and_a_closed_stream_frees_its_slot() {
        let streams = Arc::new(Streams::default());
        let held: Vec<Slot> = (0..3).filter_map(|_| streams.open("ada", 3)).collect();
        assert_eq!(held.len(), 3);
        assert!(streams.open("ada", 3).is_none());
        assert!(streams.open("bob", 3).is_some(), "per user");
        drop(held);
        assert!(streams.open("ada", 3).is_some());
        assert!(
            streams
                .open
                .lock()
                .map(|m| m.get("bob").is_none())
                .unwrap_or(false)
        );
    }
}
