//! `POST /api/session-token`: mint an Anam session with the ephemeral persona.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::routing::post;
use axum::{Json, Router};
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::calendar::{Listed, Zone, working_locations};
use crate::error::{Auth, Error, GoogleError, Input, Result};
use crate::google::accounts::{self, Listing};
use crate::http::client_ip::ClientIp;
use crate::http::current_user::CurrentUser;
use crate::http::origin::PageOrigin;
use crate::language::Language;
use crate::persona::{PersonaIds, Session, day, persona_config};
use crate::state::AppState;
use crate::store::Allowance;
use crate::tools::get_contacts;

const MINUTE: std::time::Duration = std::time::Duration::from_secs(60);

/// Routes of this area.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/session-token", post(session_token))
}

/// Every request is counted in the metrics by outcome (`ok`, or the error's short reason).
async fn session_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    origin: Result<PageOrigin>,
    user: Result<CurrentUser>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>> {
    let language = session_language(&state, query.as_deref(), &headers);
    let result = match (origin, user) {
        (Ok(PageOrigin), Ok(user)) => mint(&state, ip, &user, language).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    state
        .metrics
        .session_mint(result.as_ref().map_or_else(Error::reason, |_| "ok"));
    result
}

/// The session's language: the one the page names (`?language=`, the browser's or the one the
/// avatar last changed to), else the browser's `Accept-Language`, else `LANGUAGE`.
fn session_language(state: &AppState, query: Option<&str>, headers: &HeaderMap) -> Language {
    Language::from_query(query, "language")
        .or_else(|| {
            headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Language::from_accept_language)
        })
        .unwrap_or(state.config.voice.language)
}

/// What is left of today, for the prompt; `None` (with a log line) when Google is slow or
/// failing: the session starts anyway, and the avatar asks `list_events`.
async fn read_day(
    state: &AppState,
    accounts: &[String],
    zone: &Zone,
    now: Timestamp,
) -> Option<String> {
    let window = day::rest_of_today(zone, now)?;
    let budget = state.config.budgets.day_at_start;
    let deadline = tokio::time::Instant::now() + budget;
    let user_id = accounts.first().map_or("", String::as_str);
    // Every account's calendars, at once: the dentist on the personal one counts too.
    let mut access: Vec<_> = accounts
        .iter()
        .map(|email| (email.as_str(), state.google_for(email).until(deadline)))
        .collect();
    let listing = Listing {
        zone: Some(zone),
        cap: 50,
        query: None,
        working_locations: true,
    };
    let reading = async {
        let all = accounts::all_events(
            access.iter_mut().map(|(e, g)| (*e, g)).collect(),
            listing,
            |_| Ok(window),
        )
        .await?;
        let events: Vec<_> = all
            .events
            .into_iter()
            .map(|(event, calendar, _)| (event, calendar))
            .collect();
        Ok::<_, Error>(Listed {
            events,
            truncated: all.truncated,
            working_locations: all.working_locations,
        })
    };
    match tokio::time::timeout(budget, reading).await {
        Ok(Ok(listed)) => {
            let agenda = day::agenda(&listed.events, zone, now);
            let free = day::next_free_hour(&listed.events, zone, now, &state.config.working_hours);
            let place = working_locations(&listed.working_locations, zone, window)
                .into_iter()
                .next();
            Some(day::section(&agenda, free, place.as_ref(), zone))
        }
        Ok(Err(e)) => {
            tracing::info!(user_id, error = %e, "the day at Start could not be read; the prompt goes without it");
            None
        }
        Err(_) => {
            tracing::info!(
                user_id,
                budget_ms = budget.as_millis() as u64,
                "the day at Start took too long; the prompt goes without it"
            );
            None
        }
    }
}

/// Sessions cost money: limited per user and per client IP before anything else is spent.
async fn mint(
    state: &AppState,
    ip: std::net::IpAddr,
    user: &CurrentUser,
    language: Language,
) -> Result<Json<Value>> {
    state.anam.ensure_configured()?;
    let ids = PersonaIds::from_config(&state.config)?;
    // Counted in the store: every instance shares one allowance per user and per IP.
    let per_minute = state.config.limits.session_token_rate_per_minute.get();
    for key in [
        format!("mint:user:{}", user.user_id),
        format!("mint:ip:{ip}"),
    ] {
        let allowance = state
            .store
            .take_allowance(&key, per_minute, MINUTE, 1)
            .await?;
        if let Allowance::Exhausted { retry_after } = allowance {
            tracing::warn!(user_id = %user.user_id, %ip, "session token rate-limited");
            return Err(Error::Input(Input::RateLimited { retry_after }));
        }
    }

    // A session whose tools cannot work is money spent on an apology.
    let primary = state.primary_account(&user.user_id).await?;
    let contacts = match state.store.grant(&primary).await? {
        Some(grant) if grant.connected => {
            let missing = grant.scope.missing();
            if !missing.is_empty() {
                return Err(Error::Google(GoogleError::ScopeMissing { missing }));
            }
            grant.scope.allows_contacts()
        }
        _ => return Err(Error::Auth(Auth::NotConnected)),
    };
    let zone = user_zone(state, &primary).await?;
    let now = after_sign_out(state, &user.user_id).await?;
    // A live session: changes made elsewhere should reach the page (over https).
    let (watcher, who) = (state.clone(), user.user_id.clone());
    state.background.spawn(async move {
        if let Err(e) = crate::live::watch::ensure_watching(&watcher, &who).await {
            tracing::info!(user_id = %who, error = %e, "could not watch the calendars");
        }
    });
    if contacts {
        // The People API wants a warm-up search before the first real one: done now, while
        // the avatar connects, not while the user waits for an answer.
        get_contacts::warm_up_in_background(state, &primary);
    }
    let accounts = state.accounts_of(&user.user_id).await?;
    let day = read_day(state, &accounts, &zone, now).await;
    let persona = persona_config(
        &state.config,
        &ids,
        &Session {
            user_id: &user.user_id,
            zone: &zone,
            now,
            contacts,
            language,
            day: day.as_deref(),
            accounts: &accounts,
        },
    );
    let token = state
        .anam
        .create_session_token(&persona)
        .await
        .inspect_err(|e| {
            tracing::warn!(user_id = %user.user_id, error = %e, "Anam refused the session token");
        })?;
    tracing::info!(user_id = %user.user_id, zone = %zone.name, %language, with_day = day.is_some(), "session token minted");
    Ok(Json(json!({ "sessionToken": token })))
}

/// The moment the session is minted at, by the store's clock (the one sign-outs are recorded
/// by), in a later second than the user's latest sign-out: a tool URL counts as minted before
/// a sign-out when its mint second is not after it (URLs carry whole seconds), so a sign-in and
/// Start within the sign-out's second waits for the next one.
async fn after_sign_out(state: &AppState, user_id: &str) -> Result<Timestamp> {
    let mut now = state.store.clock().await?;
    if let Some(out) = state.store.signed_out_at(user_id).await? {
        if now <= out {
            let wait = u64::try_from(out + 1 - now).unwrap_or(1).min(2);
            tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
            now = state.store.clock().await?.max(out + 1);
        }
    }
    Timestamp::from_second(now).map_err(|e| Error::internal(format!("the store's clock: {e}")))
}

/// The user's calendar zone for the prompt (and, cached, for the tools that follow). A session
/// whose tools could not reach the calendar is useless, so a lost Google grant or a missing
/// permission is reported; Google being slow or failing falls back to UTC, with a warning.
async fn user_zone(state: &AppState, user_id: &str) -> Result<Zone> {
    let deadline = tokio::time::Instant::now() + state.config.budgets.tool_call;
    let mut google = state.google_for(user_id).until(deadline);
    match tokio::time::timeout_at(deadline, google.zone()).await {
        Ok(Ok(zone)) => Ok(zone),
        Ok(Err(
            e @ (Error::Auth(Auth::NotConnected)
            | Error::Auth(Auth::ReauthRequired)
            | Error::Google(GoogleError::ScopeMissing { .. })),
        )) => Err(e),
        Ok(Err(e)) => {
            tracing::warn!(user_id, error = %e, "calendar time zone unavailable; the prompt uses UTC");
            Ok(Zone::utc())
        }
        Err(_) => {
            tracing::warn!(user_id, "calendar time zone timed out; the prompt uses UTC");
            Ok(Zone::utc())
        }
    }
}
