//! Google sign-in: consent redirect, callback, sign-out, and `GET /api/me`.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::accounts::{self, revoke_and_drop};
use super::page::page_with_message;
use crate::cookies::{
    OAUTH_COOKIE, OAUTH_COOKIE_MINUTES, OAUTH_COOKIE_PATH, OAuthFlow, SignedUser, USER_COOKIE,
    oauth_cookie, removal, user_cookie,
};
use crate::error::{Auth, Error, Result, Service};
use crate::google::oauth::{Pkce, TokenGrant, random_token};
use crate::http::client_ip::ClientIp;
use crate::http::current_user::CurrentUser;
use crate::http::origin::PageOrigin;
use crate::live::watch;
use crate::log_safe::clip;
use crate::scopes::Granted;
use crate::state::AppState;
use crate::state::bus::Change;

/// Routes of this area.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/google", get(start))
        .route("/api/auth/google/callback", get(callback))
        .route("/api/auth/signout", post(signout))
        .route("/api/me", get(me))
}

/// Redirects to Google's consent screen with a fresh `state` and PKCE pair kept in an
/// encrypted, HttpOnly cookie; the state is also remembered server-side, for one use.
/// `?with=contacts` asks to allow contact search as well; `?add_account=1` (signed in) adds
/// another Google account to the person signed in, letting them choose it at Google.
async fn start(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: Option<CurrentUser>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    state.oauth.ensure_configured()?;
    // Each start writes a row: a client cannot fill the table.
    if let Err(limited) = state.auth_ip_limit.check(&ip) {
        tracing::warn!(%ip, "sign-in starts rate-limited");
        return Err(limited);
    }
    let asked = |key: &str, value: &str| {
        form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
            .any(|(k, v)| k == key && v == value)
    };
    let contacts = asked("with", "contacts");
    let add_account = asked("add_account", "1") || asked("add_account", "true");
    if add_account && user.is_none() {
        return Err(Error::Auth(Auth::NotSignedIn));
    }
    let csrf = random_token();
    let pkce = Pkce::generate();
    let url = state
        .oauth
        .authorization_url(&csrf, &pkce, contacts, add_account)?;
    let minutes = u64::try_from(OAUTH_COOKIE_MINUTES).unwrap_or(10);
    state
        .store
        .remember_oauth_state(&csrf, state.config.clock.unix_now() + minutes * 60)
        .await?;
    let jar = state
        .cookie_keys
        .private_jar(&HeaderMap::new())
        .add(oauth_cookie(
            &OAuthFlow {
                state: csrf,
                verifier: pkce.verifier,
                contacts,
                add_account,
            },
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

/// Checks `state` against the cookie and uses it up server-side (both before any call to
/// Google), exchanges the code, stores the refresh token and signs the user in. Every failure
/// ends on the page with a sentence, never raw JSON.
async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: Option<CurrentUser>,
    RawQuery(query): RawQuery,
) -> Response {
    let jar = state.cookie_keys.private_jar(&headers);
    let stored = jar.get(OAUTH_COOKIE).map(|c| c.value().to_owned());
    // Single use: whatever happens next, the state cookie goes.
    let cleared = removal(OAUTH_COOKIE, OAUTH_COOKIE_PATH);
    match sign_in(&state, query.as_deref(), stored.as_deref(), user).await {
        Ok(done) => (cleared, done).into_response(),
        Err(error) => {
            let status = error.status_code();
            if status.is_server_error() {
                tracing::error!(error = %error, "sign-in failed");
            } else {
                tracing::info!(error = %error, "sign-in refused");
            }
            (cleared, page_with_message(&state, status, error.message())).into_response()
        }
    }
}

async fn sign_in(
    state: &AppState,
    query: Option<&str>,
    stored: Option<&str>,
    user: Option<CurrentUser>,
) -> Result<Response> {
    let params = Callback::parse(query);
    if let Some(error) = params.error {
        tracing::info!(google_error = %clip(&error), "sign-in cancelled or refused at Google");
        let reason = if error == "access_denied" {
            "access_denied"
        } else {
            "google_refused"
        };
        return Ok(back_with(reason).into_response());
    }
    let (code, flow) = checked_state(state, params.code, params.state, stored).await?;

    let grant = match state.oauth.exchange_code(&code, &flow.verifier).await {
        Ok(grant) => grant,
        Err(e @ Error::Service(Service::NotConfigured { .. })) => return Err(e),
        Err(e) => {
            tracing::warn!(error = %e, "code exchange failed");
            return Ok(back_with("exchange_failed").into_response());
        }
    };
    let email = match state.oauth.email(&grant.access_token).await {
        Ok(email) => email,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the signed-in email");
            return Ok(back_with("exchange_failed").into_response());
        }
    };
    let scopes = Granted::new(grant.scope.clone().unwrap_or_default());
    let missing = scopes.missing();
    if !missing.is_empty() {
        tracing::info!(user_id = %email, ?missing, "permissions were not granted at consent");
        let keys: Vec<&str> = missing.iter().map(|p| p.key()).collect();
        return Ok(Redirect::to(&format!(
            "/?auth_error=scope_missing&missing={}",
            keys.join(",")
        ))
        .into_response());
    }
    if flow.add_account {
        let Some(person) = user.filter(|p| p.user_id != email) else {
            if user_is_gone(state, &email).await? {
                return Err(Error::Auth(Auth::NotSignedIn));
            }
            // The account signed in already: its grant is renewed like a sign-in's.
            return finish_sign_in(state, email, grant, scopes, false).await;
        };
        let back = accounts::add_account(state, &person.user_id, email, grant, scopes).await?;
        return Ok(Redirect::to(&back).into_response());
    }
    let contacts_refused = flow.contacts && !scopes.allows_contacts();
    finish_sign_in(state, email, grant, scopes, contacts_refused).await
}

/// Whether nobody signed in to add an account to: the page's cookie went meanwhile.
async fn user_is_gone(state: &AppState, email: &str) -> Result<bool> {
    Ok(state.store.person_of(email).await?.is_none())
}

/// Stores the grant of the account the user chose and signs in the person it belongs to (the
/// person who added it, when it was added to someone).
async fn finish_sign_in(
    state: &AppState,
    email: String,
    grant: TokenGrant,
    scopes: Granted,
    contacts_refused: bool,
) -> Result<Response> {
    let coming_back = state.store.own_account_removed(&email).await?;
    let Some(own_epoch) = store_grant(state, &email, &grant, &scopes).await? else {
        return Ok(back_with("no_refresh_token").into_response());
    };
    state
        .google
        .tokens
        .seed(&email, grant.access_token, grant.expires_in, scopes)
        .await;
    let person = state
        .store
        .person_of(&email)
        .await?
        .unwrap_or_else(|| email.clone());
    let epoch = if person == email {
        own_epoch
    } else {
        state
            .store
            .epoch(&person)
            .await?
            .ok_or(Error::Auth(Auth::NotSignedIn))?
    };
    if coming_back {
        // An account the person had removed is theirs again: read their accounts anew.
        state.accounts_changed(&person, None).await;
    }
    tracing::info!(user_id = %person, "signed in");
    let user = SignedUser {
        user_id: person,
        issued_at: state.config.clock.unix_now(),
        epoch,
    };
    let signed = state
        .cookie_keys
        .signed_jar()
        .add(user_cookie(&user, state.config.secure_cookies()));
    // Contacts are optional: unticked, the user is signed in all the same, and told.
    let back = if contacts_refused {
        "/?auth_error=contacts_not_allowed"
    } else {
        "/"
    };
    Ok((signed, Redirect::to(back)).into_response())
}

/// The callback's `state` against this browser's cookie, then used up in the store (one use,
/// on every instance): the code and the flow it belongs to.
async fn checked_state(
    state: &AppState,
    code: Option<String>,
    returned: Option<String>,
    stored: Option<&str>,
) -> Result<(String, OAuthFlow)> {
    let refused = |why| Err(Error::Auth(Auth::InvalidOAuthState(why)));
    let (Some(code), Some(returned_state)) = (code, returned) else {
        return refused("oauth_no_code");
    };
    let Some(flow) = stored.and_then(OAuthFlow::parse) else {
        return refused("oauth_cookie_missing");
    };
    if !bool::from(flow.state.as_bytes().ct_eq(returned_state.as_bytes())) {
        return refused("oauth_state_mismatch");
    }
    // The cookie can be replayed for its 10 minutes; the server-side row only once.
    if !state.store.take_oauth_state(&returned_state).await? {
        return refused("oauth_state_used");
    }
    Ok((code, flow))
}

/// Stores the new grant and returns the user's sign-in epoch; `None` when Google gave no
/// refresh token and none is stored (nothing lasting to act with).
async fn store_grant(
    state: &AppState,
    user_id: &str,
    grant: &TokenGrant,
    scopes: &Granted,
) -> Result<Option<i64>> {
    if let Some(refresh_token) = &grant.refresh_token {
        let epoch = state
            .store
            .save_grant(user_id, user_id, refresh_token, scopes.as_str())
            .await?;
        return Ok(Some(epoch));
    }
    // Google omits the refresh token when it considers consent already given: the stored one
    // belongs to the same grant and now carries these scopes.
    match state.store.grant(user_id).await? {
        Some(existing) if existing.connected => {
            if !scopes.is_unknown() {
                state.store.set_scope(user_id, scopes.as_str()).await?;
            }
            Ok(Some(existing.epoch))
        }
        _ => {
            tracing::warn!(
                user_id,
                "Google returned no refresh token and none is stored"
            );
            Ok(None)
        }
    }
}

/// Signs out: the cookie is cleared and the user's sign-in epoch replaced, so copies of the
/// cookie stop working too. With `?forget=1`, also revokes the grant at Google and deletes the
/// stored token. Refuses cross-site requests by their `Origin`.
async fn signout(
    State(state): State<AppState>,
    _: PageOrigin,
    user: Option<CurrentUser>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let forget = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .any(|(k, v)| k == "forget" && matches!(v.as_ref(), "1" | "true" | "yes"));
    if let Some(user) = &user {
        // First what makes the sign-out hold everywhere: the avatar's tool URLs minted before
        // now stop working on every instance.
        state.store.record_sign_out(&user.user_id).await?;
        let recorded = tokio::time::Instant::now();
        state.sign_outs.forget(&user.user_id);
        // Nobody is looking any more: Google can stop telling us about this calendar.
        if let Err(e) = watch::stop_all(&state, &user.user_id).await {
            tracing::warn!(user_id = %user.user_id, error = %e, "stopping push channels failed; they expire by themselves");
        }
        if forget {
            forget_user(&state, &user.user_id).await?;
        } else {
            state.store.bump_epoch(&user.user_id).await?;
            tracing::info!(user_id = %user.user_id, "signed out");
        }
        // Every open page of this user, on every instance, ends its stream, and every instance
        // drops what it knew of the user's sign-out.
        state
            .bus
            .publish(Change::SignedOut {
                user_id: user.user_id.clone(),
            })
            .await;
        // Answered only once no instance can still trust an older read of the sign-out.
        tokio::time::sleep_until(recorded + crate::recent::CACHE_FOR).await;
    }
    Ok((removal(USER_COOKIE, "/"), Redirect::to("/")).into_response())
}

async fn forget_user(state: &AppState, user_id: &str) -> Result<()> {
    let mut accounts: Vec<String> = state
        .store
        .accounts(user_id)
        .await?
        .into_iter()
        .map(|a| a.email)
        .collect();
    // The accounts they added first: the person's own row goes last.
    accounts.retain(|a| a != user_id);
    for account in &accounts {
        revoke_and_drop(state, account).await?;
    }
    revoke_and_drop(state, user_id).await?;
    tracing::info!(user_id, "signed out and forgotten");
    Ok(())
}

/// Who is signed in, and whether their Google grant is usable: `connected` is false when the
/// grant was revoked or forgotten, or lacks a permission (`missingPermissions` names them).
async fn me(State(state): State<AppState>, user: Option<CurrentUser>) -> Result<Json<Value>> {
    let Some(user) = user else {
        return Ok(Json(json!({ "signedIn": false })));
    };
    // The connection that counts is the primary account's (the one sessions go through).
    let primary = state.primary_account(&user.user_id).await?;
    let grant = state.store.grant(&primary).await?;
    let has_token = grant.as_ref().is_some_and(|g| g.connected);
    let missing = grant
        .as_ref()
        .map(|g| g.scope.missing())
        .unwrap_or_default();
    let mut body = json!({
        "signedIn": true,
        "userId": user.user_id,
        "email": user.user_id,
        "connected": has_token && missing.is_empty(),
        "contacts": has_token && grant.as_ref().is_some_and(|g| g.scope.allows_contacts()),
    });
    if has_token && !missing.is_empty() {
        body["missingPermissions"] = json!(missing.iter().map(|p| p.key()).collect::<Vec<_>>());
    }
    Ok(Json(body))
}
