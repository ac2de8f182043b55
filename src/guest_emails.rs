//! The guest e-mail allowance (`GUEST_EMAILS_PER_HOUR`): every e-mail Google sends to someone
//! else on the user's behalf (a new meeting's guests, the guests told of a moved or cancelled
//! event, the organizer told of an answer) is counted in the store *before* the write, so N
//! racing calls on N instances can never send more than the allowance.

use std::time::Duration;

use crate::config::Config;
use crate::error::{Error, Input, Result};
use crate::store::{Allowance, Limit, Store};

/// The allowance's window.
pub(crate) const WINDOW: Duration = Duration::from_secs(3600);

/// The store key the user's e-mails are counted under.
pub fn key(user_id: &str) -> String {
    format!("guest-emails:{user_id}")
}

/// The limit for `key` under this configuration.
pub(crate) fn limit<'a>(config: &Config, key: &'a str) -> Limit<'a> {
    Limit {
        key,
        limit: config.limits.guest_emails_per_hour.get(),
        window: WINDOW,
    }
}

/// The 429 for a refused allowance.
pub(crate) fn refused(config: &Config, retry_after: Duration) -> Error {
    Error::Input(Input::InviteLimit {
        per_hour: config.limits.guest_emails_per_hour.get(),
        retry_after,
    })
}

/// Counts `emails` for `user_id` before a write that sends them; 429 (nothing counted) when
/// they do not fit. Zero e-mails cost nothing and never touch the store.
pub(crate) async fn take(store: &Store, config: &Config, user_id: &str, emails: u32) -> Result<()> {
    if emails == 0 {
        return Ok(());
    }
    let key = key(user_id);
    let limit = limit(config, &key);
    match store
        .take_allowance(limit.key, limit.limit, limit.window, emails)
        .await?
    {
        Allowance::Granted => Ok(()),
        Allowance::Exhausted { retry_after } => {
            tracing::warn!(
                user_id,
                emails,
                "guest e-mail allowance reached; nothing written"
            );
            Err(refused(config, retry_after))
        }
    }
}

/// As a count for [`take`].
pub(crate) fn count(people: usize) -> u32 {
    u32::try_from(people).unwrap_or(u32::MAX)
}
