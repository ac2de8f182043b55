//! The change bus: what happened to whose calendar, to every open page of that user. Within one
//! instance a broadcast channel; across instances on PostgreSQL, `NOTIFY` / `LISTEN`, so a push
//! notification received by one instance reaches a page streaming from another.
//! The relay that listens is [`crate::live::relay`].

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::store::{Backend, Store};

/// The PostgreSQL notification channel.
pub(crate) const PG_CHANNEL: &str = "calendar_agent_changes";
/// Something a user's open pages should know.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A calendar changed: read it again.
    Changed {
        /// Whose.
        user_id: String,
        /// Which calendar.
        calendar_id: String,
        /// What changed, as far as the sync saw (at most a few, titles clipped).
        #[serde(default)]
        events: Vec<Changed>,
    },
    /// A guest declined one of the user's meetings.
    Declined {
        /// Whose meeting.
        user_id: String,
        /// The meeting's title.
        title: String,
        /// Who declined (their name, else their address).
        guest: String,
    },
    /// The person's Google accounts changed (one added, removed, or made primary): their pages
    /// read the accounts and the week again.
    Accounts {
        /// Whose.
        user_id: String,
    },
    /// The user signed out: their streams end.
    SignedOut {
        /// Who.
        user_id: String,
    },
    /// This instance's relay reconnected: changes may have been missed, so every open page,
    /// whoever's, reads again. Never sent to other instances.
    Resync,
}

impl Change {
    /// Whose change it is.
    pub(crate) fn user_id(&self) -> &str {
        match self {
            Self::Changed { user_id, .. }
            | Self::Declined { user_id, .. }
            | Self::Accounts { user_id }
            | Self::SignedOut { user_id } => user_id,
            Self::Resync => "",
        }
    }
}

/// One event a sync saw change, for the page to say what happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed {
    /// Its id.
    pub id: String,
    /// Its title (clipped).
    pub title: String,
    /// Whether it was cancelled.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
}

/// The bus. Cheap to share behind an `Arc`.
pub struct ChangeBus {
    local: broadcast::Sender<Change>,
    store: Store,
    /// This instance's self-check channel (`calendar_agent_check_` + random hex).
    check_channel: String,
}

impl ChangeBus {
    /// A bus over `store` (PostgreSQL: relayed through the database).
    pub(crate) fn new(store: Store) -> Self {
        let mut id = [0u8; 8];
        rand::fill(&mut id);
        Self {
            local: broadcast::channel(1024).0,
            store,
            check_channel: format!("calendar_agent_check_{}", hex::encode(id)),
        }
    }

    /// Tells every open page of the change's user, on every instance.
    pub async fn publish(&self, change: Change) {
        if self.store.backend() == Backend::Postgres {
            match serde_json::to_string(&change) {
                Ok(payload) => match self.store.notify(PG_CHANNEL, &payload).await {
                    // This instance hears its own NOTIFY through the relay.
                    Ok(()) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "NOTIFY failed; telling this instance's pages only")
                    }
                },
                Err(e) => tracing::warn!(error = %e, "change not serialisable"),
            }
        }
        let _ = self.local.send(change);
    }

    /// Tells this instance's streams only (the relay, handing on what it heard).
    pub(crate) fn deliver(&self, change: Change) {
        let _ = self.local.send(change);
    }

    /// This instance's self-check channel.
    pub(crate) fn check_channel(&self) -> &str {
        &self.check_channel
    }

    /// A receiver of every change on this instance (each stream keeps its own user's).
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.local.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_travel_as_tagged_json() {
        let change = Change::Declined {
            user_id: "ada@example.com".into(),
            title: "Kickoff".into(),
            guest: "Sam".into(),
        };
        let text = serde_json::to_string(&change).expect("json");
        assert!(text.contains(r#""type":"declined""#), "{text}");
        assert_eq!(serde_json::from_str::<Change>(&text).expect("back"), change);
        assert_eq!(change.user_id(), "ada@example.com");
    }
}
