//! The change bus: what happened to whose calendar, to every open page of that user. Within one
//! instance a broadcast channel; across instances on PostgreSQL, `NOTIFY` / `LISTEN`, so a push
//! notification received by one instance reaches a page streaming from another.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::store::{Backend, Store};

/// The PostgreSQL notification channel.
pub const PG_CHANNEL: &str = "calendar_agent_changes";

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
    /// The user signed out: their streams end.
    SignedOut {
        /// Who.
        user_id: String,
    },
}

impl Change {
    /// Whose change it is.
    pub fn user_id(&self) -> &str {
        match self {
            Self::Changed { user_id, .. }
            | Self::Declined { user_id, .. }
            | Self::SignedOut { user_id } => user_id,
        }
    }
}

/// The bus. Cheap to share behind an `Arc`.
pub struct ChangeBus {
    local: broadcast::Sender<Change>,
    store: Store,
}

impl ChangeBus {
    /// A bus over `store` (PostgreSQL: relayed through the database).
    pub fn new(store: Store) -> Self {
        Self {
            local: broadcast::channel(1024).0,
            store,
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

    /// A receiver of every change on this instance (each stream keeps its own user's).
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.local.subscribe()
    }

    /// On PostgreSQL, relays other instances' (and this one's) `NOTIFY`s to this instance's
    /// streams, reconnecting after an outage. Nothing to do on SQLite.
    pub fn start_relay(&self, database_url: &str) {
        if self.store.backend() != Backend::Postgres {
            return;
        }
        let (url, local) = (database_url.to_owned(), self.local.clone());
        tokio::spawn(async move {
            loop {
                match relay(&url, &local).await {
                    Ok(()) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "change relay lost; reconnecting in 2 s");
                        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    }
                }
            }
        });
    }
}

async fn relay(url: &str, local: &broadcast::Sender<Change>) -> Result<(), sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(PG_CHANNEL).await?;
    loop {
        let note = listener.recv().await?;
        match serde_json::from_str::<Change>(note.payload()) {
            Ok(change) => {
                let _ = local.send(change);
            }
            Err(e) => tracing::warn!(error = %e, "unreadable change notification"),
        }
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
