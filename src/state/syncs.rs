//! Syncs running on this instance, one per channel at a time: a notification arriving during
//! one asks for one more after it, so a burst costs two syncs, not one each.

use std::collections::HashMap;
use std::sync::Mutex;

/// Syncs running on this instance, by channel: a notification arriving during one asks for one
/// more after it, so a burst costs two syncs, not one each.
#[derive(Default)]
pub(crate) struct Syncs {
    running: Mutex<HashMap<String, bool>>,
}

impl Syncs {
    /// True if the caller should run a sync now; false if one is running (it will run again).
    pub(crate) fn start(&self, channel_id: &str) -> bool {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        match running.get_mut(channel_id) {
            Some(again) => {
                *again = true;
                false
            }
            None => {
                running.insert(channel_id.to_owned(), false);
                true
            }
        }
    }

    /// After a sync: true if another was asked for meanwhile (and is now due).
    pub(crate) fn again(&self, channel_id: &str) -> bool {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        match running.get_mut(channel_id) {
            Some(again) if *again => {
                *again = false;
                true
            }
            _ => {
                running.remove(channel_id);
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_runs_one_sync_and_one_more() {
        let syncs = Syncs::default();
        assert!(syncs.start("c1"), "the first runs");
        for _ in 0..49 {
            assert!(!syncs.start("c1"), "the rest fold in");
        }
        assert!(syncs.start("c2"), "another channel is separate");
        assert!(syncs.again("c1"), "one more after the burst");
        assert!(!syncs.again("c1"), "then done");
        assert!(syncs.start("c1"), "and free again");
    }
}
