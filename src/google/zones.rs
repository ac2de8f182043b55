//! The user's calendar time zone, cached: tools and the persona read it often, it rarely changes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::tools::time::Zone;

/// How long a user's zone is trusted before asking Google again.
pub const ZONE_TTL: Duration = Duration::from_secs(3600);

/// User id → calendar zone, with an expiry.
#[derive(Default)]
pub struct ZoneCache {
    entries: Mutex<HashMap<String, (Zone, Instant)>>,
}

impl ZoneCache {
    /// The cached zone, if fresh.
    pub fn get(&self, user_id: &str) -> Option<Zone> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(user_id)
            .filter(|(_, at)| at.elapsed() < ZONE_TTL)
            .map(|(zone, _)| zone.clone())
    }

    /// Remembers a zone read from Google.
    pub fn put(&self, user_id: &str, zone: Zone) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(user_id.to_owned(), (zone, Instant::now()));
    }
}
