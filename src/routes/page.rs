//! `GET /`: the page, rendered with Askama.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::assets::VERSION;
use crate::config::MissingSetting;
use crate::error::Result;
use crate::http::current_user::CurrentUser;
use crate::language::Language;
use crate::messages::permissions;
use crate::scopes::Permission;
use crate::state::AppState;

/// Routes of this area.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/", get(index))
}

#[derive(Template, WebTemplate)]
#[template(path = "index.html")]
struct Index {
    version: String,
    signed_in: bool,
    email: String,
    connected: bool,
    contacts: bool,
    reconnect: Option<String>,
    google_configured: bool,
    anam_configured: bool,
    missing: Vec<MissingSetting>,
    auth_error: Option<String>,
    sdk_url: String,
    sdk_integrity: Option<&'static str>,
}

impl Index {
    /// The page as a visitor who is not signed in sees it.
    fn visitor(state: &AppState, auth_error: Option<String>) -> Self {
        let config = &state.config;
        let missing = config.missing();
        let is_missing = |prefix: &str| missing.iter().any(|m| m.variable.starts_with(prefix));
        Self {
            version: VERSION.clone(),
            signed_in: false,
            email: String::new(),
            connected: false,
            contacts: false,
            reconnect: None,
            google_configured: !is_missing("GOOGLE_"),
            anam_configured: !is_missing("ANAM_"),
            missing,
            auth_error,
            sdk_url: config.anam.sdk_url.clone(),
            sdk_integrity: config.anam.sdk_integrity,
        }
    }
}

/// The page, signed out, with `message` shown as an error, answering `status`: how the sign-in
/// callback reports a failure to a person instead of with JSON.
pub(super) fn page_with_message(state: &AppState, status: StatusCode, message: String) -> Response {
    (status, Index::visitor(state, Some(message))).into_response()
}

/// The missing permissions named by a `missing=` list of keys (unknown keys are ignored, so
/// nothing from the URL reaches the page but our own words).
fn permissions_from(keys: &str) -> Vec<Permission> {
    keys.split(',').filter_map(Permission::from_key).collect()
}

/// What the page says for each `/?auth_error=` the sign-in callback can send back.
fn auth_error_message(code: &str, missing: &[Permission]) -> String {
    match code {
        "access_denied" => {
            "Sign-in was cancelled at Google. Sign in again and allow calendar access to continue."
                .into()
        }
        "scope_missing" if !missing.is_empty() => format!(
            "Google did not give this app permission to {}. Sign in again and leave every \
             permission ticked: Alex needs them all to plan your time.",
            permissions(Language::ENGLISH, missing)
        ),
        "scope_missing" | "calendar_scope_missing" => {
            "Google did not grant every permission Alex needs. Sign in again and leave every \
             permission ticked."
                .into()
        }
        "contacts_not_allowed" => {
            "Google did not give access to your contacts, so Alex will ask you to spell \
             addresses. Everything else works. You can allow contacts again at any time."
                .into()
        }
        "no_refresh_token" => {
            "Google did not give lasting access because this app was approved before. Remove it \
             at myaccount.google.com/permissions (Third-party apps), then sign in again."
                .into()
        }
        "account_taken" => {
            "That Google account is already connected here for someone else, so it was not \
             added. Sign in with it, use \"Sign out and forget me\", then add it again."
                .into()
        }
        _ => "Google sign-in could not be completed. Please try again.".into(),
    }
}

async fn index(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    RawQuery(query): RawQuery,
) -> Result<Index> {
    let params: Vec<(String, String)> =
        form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let auth_error = param("auth_error")
        .map(|code| auth_error_message(code, &permissions_from(param("missing").unwrap_or(""))));
    let mut page = Index::visitor(&state, auth_error);
    if let Some(user) = user {
        page.signed_in = true;
        // The connection that counts is the primary account's (the one sessions go through).
        let primary = state.primary_account(&user.user_id).await?;
        if let Some(grant) = state.store.grant(&primary).await? {
            let missing = grant.scope.missing();
            page.connected = grant.connected && missing.is_empty();
            page.contacts = grant.connected && grant.scope.allows_contacts();
            if grant.connected && !missing.is_empty() {
                page.reconnect = Some(permissions(Language::ENGLISH, &missing));
            }
        }
        page.email = user.user_id;
    }
    Ok(page)
}
