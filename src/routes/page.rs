//! `GET /`: the page, rendered with Askama.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::routing::get;

use super::assets::VERSION;
use crate::config::MissingSetting;
use crate::current_user::CurrentUser;
use crate::error::Result;
use crate::state::AppState;

/// Routes of this area.
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(index))
}

#[derive(Template, WebTemplate)]
#[template(path = "index.html")]
struct Index {
    version: String,
    signed_in: bool,
    email: String,
    connected: bool,
    google_configured: bool,
    anam_configured: bool,
    missing: Vec<MissingSetting>,
    auth_error: Option<&'static str>,
    sdk_url: String,
    sdk_integrity: Option<&'static str>,
}

/// What the page says for each `/?auth_error=` the sign-in callback can send back.
fn auth_error_message(code: &str) -> &'static str {
    match code {
        "access_denied" => {
            "Sign-in was cancelled at Google. Sign in again and allow calendar access to continue."
        }
        "calendar_scope_missing" => {
            "Google did not grant access to your calendar. Sign in again and leave the calendar \
             permission ticked."
        }
        "no_refresh_token" => {
            "Google did not give lasting access because this app was approved before. Remove it \
             at myaccount.google.com/permissions (Third-party apps), then sign in again."
        }
        _ => "Google sign-in could not be completed. Please try again.",
    }
}

async fn index(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    RawQuery(query): RawQuery,
) -> Result<Index> {
    let config = &state.config;
    let missing = config.missing();
    let is_missing = |prefix: &str| missing.iter().any(|m| m.variable.starts_with(prefix));
    let auth_error = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "auth_error")
        .map(|(_, v)| auth_error_message(&v));
    let (email, connected) = match &user {
        Some(user) => match state.store.grant(&user.user_id).await? {
            Some(grant) => (grant.email, grant.connected),
            None => (user.user_id.clone(), false),
        },
        None => (String::new(), false),
    };
    Ok(Index {
        version: VERSION.clone(),
        signed_in: user.is_some(),
        email,
        connected,
        google_configured: !is_missing("GOOGLE_"),
        anam_configured: !is_missing("ANAM_"),
        missing,
        auth_error,
        sdk_url: config.anam.sdk_url.clone(),
        sdk_integrity: config.anam.sdk_integrity,
    })
}
