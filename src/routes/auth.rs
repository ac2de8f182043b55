//! Google sign-in: consent redirect, callback, sign-out, and `GET /api/me`.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::cookies::{
    OAUTH_COOKIE, OAUTH_COOKIE_PATH, USER_COOKIE, oauth_cookie, removal, user_cookie,
};
use crate::current_user::CurrentUser;
use crate::error::{Error, Result};
use crate::google::oauth::{CALENDAR_SCOPE, Pkce, random_token};
use crate::state::AppState;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/google", get(start))
        .route("/api/auth/google/callback", get(callback))
        .route("/api/auth/signout", post(signout))
        .route("/api/me", get(me))
}

/// Redirects to Google's consent screen with a fresh `state` and PKCE pair kept in an
/// encrypted, HttpOnly cookie.
async fn start(State(state): State<AppState>) -> Result<Response> {
    let csrf = random_token();
    let pkce = Pkce::generate();
    let url = state.oauth.authorization_url(&csrf, &pkce)?;
    let jar = state
        .cookie_keys
        .private_jar(&HeaderMap::new())
        .add(oauth_cookie(
            &csrf,
            &pkce.verifier,
            state.config.secure_cookies(),
        ));
    Ok((jar, Redirect::to(&url)).into_response())
}

/// Query parameters Google sends back.
#[derive(Default)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

impl Callback {
    fn parse(query: Option<&str>) -> Self {
        let mut out = Self::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let slot = match key.as_ref() {
                "code" => &mut out.code,
                "state" => &mut out.state,
                "error" => &mut out.error,
                _ => continue,
            };
            slot.get_or_insert_with(|| value.into_owned());
        }
        out
    }
}

/// Back to the page with a reason it can explain.
fn back_with(reason: &str) -> Redirect {
    Redirect::to(&format!("/?auth_error={reason}"))
}

/// Checks `state` against the cookie (before any call to Google), exchanges the code, stores
/// the refresh token and signs the user in.
async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let params = Callback::parse(query.as_deref());
    let jar = state.cookie_keys.private_jar(&headers);
    let stored = jar.get(OAUTH_COOKIE).map(|c| c.value().to_owned());
    // Single use: whatever happens next, the state cookie goes.
    let jar = removal(OAUTH_COOKIE, OAUTH_COOKIE_PATH);

    if let Some(error) = params.error {
        tracing::info!(google_error = %error, "sign-in cancelled or refused at Google");
        let reason = if error == "access_denied" {
            "access_denied"
        } else {
            "google_refused"
        };
        return Ok((jar, back_with(reason)).into_response());
    }
    let (Some(code), Some(returned_state)) = (params.code, params.state) else {
        return Err(Error::InvalidOAuthState(
            "Google's answer had no code or state",
        ));
    };
    let Some((expected_state, verifier)) = stored.as_deref().and_then(|v| v.split_once('.')) else {
        return Err(Error::InvalidOAuthState(
            "the sign-in cookie is missing or expired (it lasts 10 minutes)",
        ));
    };
    if !bool::from(expected_state.as_bytes().ct_eq(returned_state.as_bytes())) {
        return Err(Error::InvalidOAuthState(
            "the state does not match this browser's sign-in",
        ));
    }

    let grant = match state.oauth.exchange_code(&code, verifier).await {
        Ok(grant) => grant,
        Err(e @ Error::NotConfigured { .. }) => return Err(e),
        Err(e) => {
            tracing::warn!(error = %e, "code exchange failed");
            return Ok((jar, back_with("exchange_failed")).into_response());
        }
    };
    let email = match state.oauth.email(&grant.access_token).await {
        Ok(email) => email,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the signed-in email");
            return Ok((jar, back_with("exchange_failed")).into_response());
        }
    };
    let scope = grant.scope.clone().unwrap_or_default();
    if !scope.is_empty() && !scope.split(' ').any(|s| s == CALENDAR_SCOPE) {
        tracing::info!(user_id = %email, "calendar permission was not granted at consent");
        return Ok((jar, back_with("calendar_scope_missing")).into_response());
    }

    let user_id = email.clone();
    match &grant.refresh_token {
        Some(refresh_token) => {
            state
                .store
                .save_grant(&user_id, &email, refresh_token, &scope)
                .await?;
        }
        None => {
            // Google omits the refresh token when it considers consent already given. Keep a
            // stored one; without one we cannot act for the user later.
            let connected = state
                .store
                .grant(&user_id)
                .await?
                .is_some_and(|g| g.connected);
            if !connected {
                tracing::warn!(
                    user_id,
                    "Google returned no refresh token and none is stored"
                );
                return Ok((jar, back_with("no_refresh_token")).into_response());
            }
        }
    }
    state
        .tokens
        .seed(&user_id, grant.access_token, grant.expires_in)
        .await;
    tracing::info!(user_id, "signed in");
    let signed = state
        .cookie_keys
        .signed_jar()
        .add(user_cookie(user_id, state.config.secure_cookies()));
    Ok((jar, signed, Redirect::to("/")).into_response())
}

/// Signs out (clears the cookie). With `?forget=1`, also revokes the grant at Google and deletes
/// the stored token. Refuses cross-site requests by their `Origin`.
async fn signout(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    if let Some(origin) = headers.get("origin") {
        let origin = origin.to_str().unwrap_or("");
        if !allowed_origin(&state, origin) {
            tracing::warn!(origin, "sign-out refused: foreign Origin");
            return Err(Error::Forbidden("sign-out must come from this site's page"));
        }
    }
    let forget = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .any(|(k, v)| k == "forget" && matches!(v.as_ref(), "1" | "true" | "yes"));
    if let (Some(user), true) = (&user, forget) {
        forget_user(&state, &user.user_id).await?;
    }
    Ok((removal(USER_COOKIE, "/"), Redirect::to("/")).into_response())
}

async fn forget_user(state: &AppState, user_id: &str) -> Result<()> {
    match state.store.refresh_token(user_id).await {
        Ok(Some(token)) => {
            if let Err(e) = state.oauth.revoke(&token).await {
                // The local copy goes regardless; the user can also revoke in their Google account.
                tracing::warn!(user_id, error = %e, "revoking at Google failed; deleting the stored token anyway");
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(user_id, error = %e, "stored token unreadable; deleting it"),
    }
    state.store.delete(user_id).await?;
    state.tokens.forget(user_id).await;
    tracing::info!(user_id, "signed out and forgotten");
    Ok(())
}

/// The page's own origins: `PUBLIC_BASE_URL`'s and the local one.
fn allowed_origin(state: &AppState, origin: &str) -> bool {
    let origin_of = |url: &str| {
        url::Url::parse(url)
            .map(|u| u.origin().ascii_serialization())
            .ok()
    };
    let config = &state.config;
    let local = config.local_origin();
    let loopback = format!("http://127.0.0.1:{}", config.port);
    [
        config.public_base_url.as_str(),
        local.as_str(),
        loopback.as_str(),
    ]
    .iter()
    .filter_map(|u| origin_of(u))
    .any(|allowed| allowed == origin)
}

/// Who is signed in, and whether their Google grant is usable.
async fn me(State(state): State<AppState>, user: Option<CurrentUser>) -> Result<Json<Value>> {
    let Some(user) = user else {
        return Ok(Json(json!({ "signedIn": false })));
    };
    let grant = state.store.grant(&user.user_id).await?;
    Ok(Json(json!({
        "signedIn": true,
        "userId": user.user_id,
        "email": grant.as_ref().map_or(user.user_id.as_str(), |g| g.email.as_str()),
        "connected": grant.is_some_and(|g| g.connected),
    })))
}
