//! Limits: what one user (or client IP) may do per minute or per hour.

use std::num::NonZeroU32;

use super::vars::{Read, Vars};

/// Variables renamed: (old name, still read with a warning; new name).
pub const RENAMED: &[(&str, &str)] = &[("INVITES_PER_HOUR", "GUEST_EMAILS_PER_HOUR")];

/// The limits section.
#[derive(Clone, Debug)]
pub struct Limits {
    /// `SESSION_TOKEN_RATE_PER_MINUTE`.
    pub(crate) session_token_rate_per_minute: NonZeroU32,
    /// `TOOL_RATE_PER_MINUTE`.
    pub(crate) tool_rate_per_minute: NonZeroU32,
    /// `GUEST_EMAILS_PER_HOUR` (formerly `INVITES_PER_HOUR`): e-mails Google may send to other
    /// people for one user per hour (invitations, updates, cancellations, answers), counted in
    /// the store before each write.
    pub(crate) guest_emails_per_hour: NonZeroU32,
    /// `STREAMS_PER_USER`: event streams (open pages) one user may hold on one instance.
    pub(crate) streams_per_user: NonZeroU32,
    /// Variables read under an old name, with the name to use instead (logged at start-up).
    pub(crate) deprecated: Vec<(&'static str, &'static str)>,
}

impl Limits {
    /// Reads the section.
    pub(crate) fn read(vars: &Vars<'_>) -> Read<Self> {
        let mut deprecated = Vec::new();
        let old = vars.get("INVITES_PER_HOUR").is_some();
        if old {
            deprecated.push(("INVITES_PER_HOUR", "GUEST_EMAILS_PER_HOUR"));
        }
        // The new name wins; the old one is read only when the new one is not set.
        let guest_emails_per_hour = if old && vars.get("GUEST_EMAILS_PER_HOUR").is_none() {
            vars.rate("INVITES_PER_HOUR", 20)?
        } else {
            vars.rate("GUEST_EMAILS_PER_HOUR", 20)?
        };
        Ok(Self {
            session_token_rate_per_minute: vars.rate("SESSION_TOKEN_RATE_PER_MINUTE", 5)?,
            tool_rate_per_minute: vars.rate("TOOL_RATE_PER_MINUTE", 60)?,
            guest_emails_per_hour,
            streams_per_user: vars.rate("STREAMS_PER_USER", 8)?,
            deprecated,
        })
    }
}
