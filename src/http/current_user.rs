//! `CurrentUser`: the extractor for the browser's signed `userId` cookie.
//!
//! A cookie counts when one of our keys signed it, it is under 30 days old, and it carries the
//! user's current sign-in epoch from the store: signing out (anywhere) or forget-me replaces the
//! epoch, so copies of the cookie die with the session they came from.

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use crate::error::{Auth, Error, Result};
use crate::state::AppState;

/// The signed-in user. Missing, forged, expired or signed-out cookies → 401.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentUser {
    /// The user id (their Google email).
    pub(crate) user_id: String,
    /// The sign-in epoch the cookie carries (a long-lived stream checks it is still current).
    pub(crate) epoch: i64,
}

/// The user the request's cookie validly names, if any.
async fn current(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>> {
    let Some(signed) = state.cookie_keys.signed_user(&parts.headers) else {
        return Ok(None);
    };
    if !signed.is_fresh(state.config.clock.unix_now()) {
        return Ok(None);
    }
    let epoch = state.store.epoch(&signed.user_id).await?;
    Ok((epoch == Some(signed.epoch)).then_some(CurrentUser {
        user_id: signed.user_id,
        epoch: signed.epoch,
    }))
}

impl<S> FromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        current(parts, &AppState::from_ref(state))
            .await?
            .ok_or(Error::Auth(Auth::NotSignedIn))
    }
}

impl<S> OptionalFromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        current(parts, &AppState::from_ref(state)).await
    }
}
