//! Who is calling: tool URLs, cookies, Google grants, channel tokens, origins.

use axum::http::StatusCode;

use super::Parts;
use crate::presign::VerifyError;

/// The caller is not (or no longer) allowed in.
#[derive(Debug, thiserror::Error)]
pub enum Auth {
    /// A tool URL whose signature, expiry or parameters do not check out.
    #[error("presigned URL refused: {0}")]
    Presign(#[from] VerifyError),
    /// The URL of a tool that sends outlived its shorter life (`MEETING_URL_TTL_SECONDS`).
    #[error("sending URL expired")]
    MeetingUrlExpired,
    /// A tool URL of a session minted before the user's latest sign-out.
    #[error("tool URL from before the user signed out")]
    SignedOut,
    /// No valid signed `userId` cookie.
    #[error("not signed in")]
    NotSignedIn,
    /// The user has no usable Google grant stored (never signed in, or forgotten).
    #[error("user has no Google connection")]
    NotConnected,
    /// Google refused the stored refresh token (`invalid_grant`): consent revoked or expired.
    #[error("Google grant revoked or expired")]
    ReauthRequired,
    /// The OAuth callback's `state`/cookie check failed (the key of the sentence saying why);
    /// Google was not called.
    #[error("OAuth state check failed: {0}")]
    InvalidOAuthState(&'static str),
    /// A push notification whose token is not its channel's.
    #[error("wrong channel token")]
    BadChannelToken,
    /// A cross-site request to a route that changes state (the key of the sentence saying why).
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
}

impl Auth {
    /// Status, reason and sentence.
    pub fn parts(&self) -> Parts {
        use StatusCode as S;
        match self {
            Self::Presign(VerifyError::Expired { .. }) => {
                Parts::new(S::UNAUTHORIZED, "url_expired")
            }
            Self::Presign(refused) => Parts::said(
                S::UNAUTHORIZED,
                match refused {
                    VerifyError::Missing(_) => "missing_signature",
                    VerifyError::BeyondLife { .. } => "url_too_long_lived",
                    _ => "invalid_signature",
                },
                "invalid_signature",
            ),
            Self::MeetingUrlExpired => {
                Parts::said(S::UNAUTHORIZED, "url_expired", "meeting_url_expired")
            }
            Self::SignedOut => Parts::new(S::UNAUTHORIZED, "signed_out"),
            Self::NotSignedIn => Parts::new(S::UNAUTHORIZED, "not_signed_in"),
            Self::NotConnected => Parts::new(S::UNAUTHORIZED, "not_connected"),
            Self::ReauthRequired => Parts::new(S::UNAUTHORIZED, "google_reauth_required"),
            Self::InvalidOAuthState(why) => Parts::new(S::BAD_REQUEST, "invalid_oauth_state")
                .var_said("detail", crate::messages::Said::key(why)),
            Self::BadChannelToken => Parts::new(S::UNAUTHORIZED, "invalid_channel_token"),
            Self::Forbidden(why) => Parts::new(S::FORBIDDEN, "forbidden")
                .var_said("detail", crate::messages::Said::key(why)),
        }
    }
}
