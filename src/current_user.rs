//! `CurrentUser`: the extractor for the browser's signed `userId` cookie.

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use crate::error::Error;
use crate::state::AppState;

/// The signed-in user, from a `userId` cookie signed by one of our keys. Missing or forged → 401.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentUser {
    /// The user id (their Google email).
    pub user_id: String,
}

impl<S> FromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        state
            .cookie_keys
            .user_id(&parts.headers)
            .map(|user_id| Self { user_id })
            .ok_or(Error::NotSignedIn)
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
        let state = AppState::from_ref(state);
        Ok(state
            .cookie_keys
            .user_id(&parts.headers)
            .map(|user_id| Self { user_id }))
    }
}
