//! The person's Google accounts, for the page: `GET /api/accounts`, `POST
//! /api/accounts/primary` and `DELETE /api/accounts/{email}` (cookie auth; the two that change
//! something only from this site's page). Adding one is the sign-in flow with
//! `?add_account=1` (see [`super::auth`]).

use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{Action, Error, Input, Result};
use crate::google::oauth::TokenGrant;
use crate::http::current_user::CurrentUser;
use crate::http::origin::PageOrigin;
use crate::live::watch;
use crate::scopes::Granted;
use crate::state::AppState;
use crate::store::Linked;

/// Routes of this area.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/accounts", get(list))
        .route("/api/accounts/primary", post(make_primary))
        .route("/api/accounts/{email}", delete(remove))
}

/// `{"accounts":[{"email","primary","connected","calendars"}]}`: each account in the order
/// added (the one signed in with first), whether new events go to it, whether its grant works,
/// and the names of the calendars it shows (read from Google, cached; empty when it cannot be
/// read now).
async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Value>> {
    Ok(Json(accounts_answer(&state, &user.user_id).await?))
}

async fn accounts_answer(state: &AppState, person: &str) -> Result<Value> {
    let accounts = state.store.accounts(person).await?;
    let deadline = tokio::time::Instant::now() + state.config.budgets.tool_call;
    let calendars = accounts.iter().map(|account| async move {
        if !account.connected {
            return Vec::new();
        }
        let mut google = state.google_for(&account.email).until(deadline);
        let context = tokio::time::timeout_at(deadline, google.context()).await;
        match context {
            Ok(Ok(context)) => context.calendars.iter().map(|c| c.name.clone()).collect(),
            Ok(Err(e)) => {
                tracing::info!(error = %e, "an account's calendars could not be read");
                Vec::new()
            }
            Err(_) => Vec::new(),
        }
    });
    let calendars = futures_util::future::join_all(calendars).await;
    let list: Vec<Value> = accounts
        .iter()
        .zip(calendars)
        .map(|(a, calendars)| {
            json!({
                "email": a.email,
                "primary": a.primary,
                "connected": a.connected && a.scope.missing().is_empty(),
                "calendars": calendars,
            })
        })
        .collect();
    Ok(json!({ "accounts": list }))
}

/// The body of `POST /api/accounts/primary`.
#[derive(Deserialize)]
struct Primary {
    email: String,
}

/// Makes one of the person's accounts the one new events go to.
async fn make_primary(
    State(state): State<AppState>,
    _: PageOrigin,
    user: CurrentUser,
    body: axum::body::Bytes,
) -> Result<Json<Value>> {
    let Primary { email } = serde_json::from_slice(&body)
        .map_err(|e| Error::Input(Input::InvalidJson(e.to_string())))?;
    let email = email.trim().to_ascii_lowercase();
    let changed = tokio::time::Instant::now();
    if !state
        .store
        .set_primary_account(&user.user_id, &email)
        .await?
    {
        return Err(Action::AccountUnknown.into());
    }
    tracing::info!(user_id = %user.user_id, "primary account changed");
    state.accounts_changed(&user.user_id, Some(changed)).await;
    Ok(Json(accounts_answer(&state, &user.user_id).await?))
}

/// Removes one of the person's accounts: its channels stopped, its grant revoked at Google and
/// deleted here. The last one stays (409: sign-out is for that). The one they signed in with
/// keeps its row, without a token, for their sign-in; signing in with it again brings it back.
async fn remove(
    State(state): State<AppState>,
    _: PageOrigin,
    user: CurrentUser,
    Path(email): Path<String>,
) -> Result<Json<Value>> {
    let email = email.trim().to_ascii_lowercase();
    let accounts = state.store.accounts(&user.user_id).await?;
    if !accounts.iter().any(|a| a.email == email) {
        return Err(Action::AccountUnknown.into());
    }
    if accounts.len() == 1 {
        return Err(Action::AccountLast.into());
    }
    let changed = tokio::time::Instant::now();
    // Its channels first, while its grant can still stop them at Google.
    if let Err(e) = watch::stop_account(&state, &email).await {
        tracing::warn!(user_id = %user.user_id, error = %e, "stopping the account's channels failed; they expire by themselves");
    }
    if email == user.user_id {
        revoke_grant(&state, &email).await;
        state.store.remove_own_account(&email).await?;
        state.google.tokens.forget(&email).await;
        state.google.contexts.forget(&email);
    } else {
        revoke_and_drop(&state, &email).await?;
        // Its row is gone; this also hands "primary" back to the person's own account.
        state.store.remove_account(&user.user_id, &email).await?;
    }
    tracing::info!(user_id = %user.user_id, "removed a Google account");
    state.accounts_changed(&user.user_id, Some(changed)).await;
    Ok(Json(accounts_answer(&state, &user.user_id).await?))
}

/// Adds the account `email` chose at Google to `person` (signed in in this browser): its own
/// grant, encrypted, beside theirs. The person stays signed in as before. Returns where the
/// browser goes back to.
pub(super) async fn add_account(
    state: &AppState,
    person: &str,
    email: String,
    grant: TokenGrant,
    scopes: Granted,
) -> Result<String> {
    let Some(refresh_token) = &grant.refresh_token else {
        // Consent given before: a token is stored for this account only if it is theirs already.
        let theirs = state.store.person_of(&email).await?.as_deref() == Some(person);
        let connected = state
            .store
            .grant(&email)
            .await?
            .is_some_and(|g| g.connected);
        if !(theirs && connected) {
            tracing::warn!(user_id = %person, "Google returned no refresh token for the added account");
            return Ok("/?auth_error=no_refresh_token".into());
        }
        if !scopes.is_unknown() {
            state.store.set_scope(&email, scopes.as_str()).await?;
        }
        return Ok("/".into());
    };
    match state
        .store
        .add_account(person, &email, refresh_token, scopes.as_str())
        .await?
    {
        Linked::Taken => {
            tracing::info!(user_id = %person, "the account chosen belongs to another person here");
            Ok("/?auth_error=account_taken".into())
        }
        Linked::Added => {
            let changed = tokio::time::Instant::now();
            state.google.tokens.forget(&email).await;
            state.google.contexts.forget(&email);
            state
                .google
                .tokens
                .seed(&email, grant.access_token, grant.expires_in, scopes)
                .await;
            tracing::info!(user_id = %person, "added another Google account");
            state.accounts_changed(person, Some(changed)).await;
            // The page it was added from is open: its calendars should be watched too.
            let (watcher, who) = (state.clone(), person.to_owned());
            state.background.spawn(async move {
                if let Err(e) = watch::ensure_watching(&watcher, &who).await {
                    tracing::info!(user_id = %who, error = %e, "could not watch the added account's calendars");
                }
            });
            Ok("/?account_added=1".into())
        }
    }
}

/// Revokes the grant of the Google account `account` at Google (best effort: the local copy
/// goes regardless) and deletes it here, with what this instance keeps of it.
pub(super) async fn revoke_and_drop(state: &AppState, account: &str) -> Result<()> {
    revoke_grant(state, account).await;
    state.store.delete(account).await?;
    state.store.forget_guest_responses(account).await?;
    state.google.tokens.forget(account).await;
    state.google.contexts.forget(account);
    Ok(())
}

/// Revokes the grant of the Google account `account` at Google, best effort: what is stored
/// goes regardless (the user can also revoke in their Google account).
async fn revoke_grant(state: &AppState, account: &str) {
    match state.store.refresh_token(account).await {
        Ok(Some(token)) => {
            if let Err(e) = state.oauth.revoke(&token).await {
                // The user can also revoke in their Google account.
                tracing::warn!(user_id = account, error = %e, "revoking at Google failed; deleting the stored token anyway");
            }
        }
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(user_id = account, error = %e, "stored token unreadable; deleting it")
        }
    }
}
