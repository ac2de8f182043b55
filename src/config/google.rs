//! Google: the OAuth client and every endpoint (each a base URL tests point at a stand-in).

use super::vars::{Read, Vars, with_slash};
use crate::secret::Secret;

/// Google OAuth and API settings.
#[derive(Clone, Debug)]
pub struct GoogleConfig {
    /// `GOOGLE_CLIENT_ID`.
    pub(crate) client_id: Option<String>,
    /// `GOOGLE_CLIENT_SECRET`.
    pub(crate) client_secret: Option<Secret>,
    /// `GOOGLE_REDIRECT_URI`.
    pub(crate) redirect_uri: String,
    /// `GOOGLE_AUTH_URL`.
    pub(crate) auth_url: String,
    /// `GOOGLE_TOKEN_URL`.
    pub(crate) token_url: String,
    /// `GOOGLE_USERINFO_URL`.
    pub(crate) userinfo_url: String,
    /// `GOOGLE_REVOKE_URL`.
    pub(crate) revoke_url: String,
    /// `GOOGLE_CALENDAR_BASE_URL`, always ending in `/`.
    pub(crate) calendar_base_url: String,
    /// `GOOGLE_PEOPLE_BASE_URL`, always ending in `/`.
    pub(crate) people_base_url: String,
    /// `GOOGLE_SPLIT_RETRY_SECONDS`: how long a series split in two whose second half Google
    /// did not take is retried in the background before its first half is undone.
    pub(crate) split_retry_seconds: u64,
}

impl GoogleConfig {
    /// Reads the section; the redirect URI defaults to the local origin's callback.
    pub(crate) fn read(vars: &Vars<'_>, local_origin: &str) -> Read<Self> {
        Ok(Self {
            client_id: vars.get("GOOGLE_CLIENT_ID"),
            client_secret: vars.secret("GOOGLE_CLIENT_SECRET")?.map(Secret::new),
            redirect_uri: vars.url(
                "GOOGLE_REDIRECT_URI",
                &format!("{local_origin}/api/auth/google/callback"),
            )?,
            auth_url: vars.url(
                "GOOGLE_AUTH_URL",
                "https://accounts.google.com/o/oauth2/v2/auth",
            )?,
            token_url: vars.url("GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token")?,
            userinfo_url: vars.url(
                "GOOGLE_USERINFO_URL",
                "https://openidconnect.googleapis.com/v1/userinfo",
            )?,
            revoke_url: vars.url("GOOGLE_REVOKE_URL", "https://oauth2.googleapis.com/revoke")?,
            calendar_base_url: with_slash(vars.url(
                "GOOGLE_CALENDAR_BASE_URL",
                "https://www.googleapis.com/calendar/v3/",
            )?),
            people_base_url: with_slash(vars.url(
                "GOOGLE_PEOPLE_BASE_URL",
                "https://people.googleapis.com/v1/",
            )?),
            split_retry_seconds: vars.number("GOOGLE_SPLIT_RETRY_SECONDS", 180)?,
        })
    }
}
