//! Shared application state handed to every handler and extractor, built once at start-up.

pub mod bus;
pub(crate) mod streams;
pub(crate) mod syncs;

use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::anam::AnamClient;
use crate::config::Config;
use crate::cookies::CookieKeys;
use crate::google::Google;
use crate::google::access_tokens::AccessTokens;
use crate::google::calendar::CalendarClient;
use crate::google::oauth::OAuthClient;
use crate::google::people::{PeopleClient, Warmups};
use crate::google::user_calendar::UserCalendar;
use crate::google::user_context::ContextCache;
use crate::log_budget::LogBudget;
use crate::metrics::Metrics;
use crate::rate_limit::PerMinute;
use crate::store::{Store, StoreError};
use crate::token_cipher::{TokenCipher, load_or_create_key_file};
use bus::ChangeBus;
use streams::Streams;
use syncs::Syncs;

/// Where the development token key is kept when `TOKEN_ENCRYPTION_KEY` is not set.
pub(crate) const DEV_KEY_FILE: &str = ".data/token-encryption.key";

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The token store could not be opened.
    #[error("token store: {0}")]
    Store(#[from] StoreError),
    /// The development key file could not be read or created.
    #[error("TOKEN_ENCRYPTION_KEY is not set and {DEV_KEY_FILE} could not be used: {0}")]
    KeyFile(std::io::Error),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    /// The Calendar client could not load the machine's root certificates.
    #[error("Calendar client (root certificates): {0}")]
    Tls(std::io::Error),
}

/// The application state: one pointer, so the clone every request makes (Axum's handler
/// service, each `State` extractor) is one reference count, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct Shared {
    /// The configuration read at start-up.
    pub(crate) config: Arc<Config>,
    /// Encrypted refresh tokens.
    pub store: Store,
    /// Google OAuth endpoints.
    pub(crate) oauth: OAuthClient,
    /// Google: access tokens, the Calendar client, users' zones and calendars.
    pub google: Arc<Google>,
    /// Keys for the signed cookies.
    pub cookie_keys: CookieKeys,
    /// Google People (contact search).
    pub(crate) people: PeopleClient,
    /// When each user's contact search was last warmed up.
    pub(crate) contacts_warmups: Arc<Warmups>,
    /// Changes to users' calendars, to their open pages.
    pub bus: Arc<ChangeBus>,
    /// Calendar syncs running on this instance.
    pub(crate) syncs: Arc<Syncs>,
    /// Event streams open on this instance, per user (`STREAMS_PER_USER`).
    pub(crate) streams: Arc<Streams>,
    /// Tool calls per user per minute.
    pub(crate) tool_limit: Arc<PerMinute<String>>,
    /// Anam's API.
    pub(crate) anam: AnamClient,
    /// Sign-in starts per client IP per minute (each writes an OAuth state row).
    pub(crate) auth_ip_limit: Arc<PerMinute<std::net::IpAddr>>,
    /// `GET /api/events` per user per minute (each costs a Google call).
    pub(crate) events_user_limit: Arc<PerMinute<String>>,
    /// Prometheus metrics (served on `METRICS_ADDR` when set).
    pub metrics: Arc<Metrics>,
    /// How many lines about strangers' requests may be logged.
    pub(crate) log_budget: Arc<LogBudget>,
    /// Users' latest sign-outs, as this instance last read them.
    pub(crate) sign_outs: crate::recent::SignOuts,
    /// Each person's Google accounts, lately read.
    pub(crate) accounts: crate::recent::Accounts,
    /// Serving, draining (SIGTERM: not ready) or stopping (streams end).
    phase: tokio::sync::watch::Sender<Phase>,
    /// Tracked background tasks, stopped cleanly at shutdown.
    pub(crate) background: crate::tasks::Background,
}

/// Where the instance is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    /// Ready for traffic.
    Serving,
    /// SIGTERM received: still serving, `/readyz` 503.
    Draining,
    /// Shutting down: no new connections, open streams end.
    Stopping,
}

/// Sign-in starts allowed per client IP per minute.
pub const AUTH_STARTS_PER_MINUTE: u32 = 60;
/// Bookings reads allowed per user per minute: the page reads on load, on week changes, after
/// a change and once a minute; more than this is a script.
pub const EVENTS_READS_PER_MINUTE: u32 = 30;

impl AppState {
    /// Google access for `user_id`.
    pub(crate) fn google_for(&self, user_id: &str) -> UserCalendar {
        UserCalendar::new(&self.google, user_id)
    }

    /// The addresses of the person's Google accounts, the primary first (the person's own
    /// address alone when nothing else is stored).
    /// Read lately on this instance ([`crate::recent`]): no store read on most tool calls.
    pub(crate) async fn accounts_of(&self, user_id: &str) -> crate::error::Result<Vec<String>> {
        let read = async {
            let mut accounts = self.store.accounts(user_id).await?;
            if accounts.is_empty() {
                return Ok(vec![user_id.to_owned()]);
            }
            // Stable: the primary first, the others as stored.
            accounts.sort_by_key(|a| !a.primary);
            Ok(accounts.into_iter().map(|a| a.email).collect())
        };
        self.accounts.read(user_id, read).await
    }

    /// The account new events go to, and whose grant a session needs: the first of
    /// [`Self::accounts_of`].
    pub(crate) async fn primary_account(&self, user_id: &str) -> crate::error::Result<String> {
        let accounts = self.accounts_of(user_id).await?;
        Ok(accounts
            .into_iter()
            .next()
            .unwrap_or_else(|| user_id.to_owned()))
    }

    /// The person's accounts changed here: this instance reads them again at once, every other
    /// instance hears it on the bus, and, given when it `changed`, the caller answers only once
    /// no instance can still trust an older read ([`crate::recent::CACHE_FOR`] after it).
    pub(crate) async fn accounts_changed(
        &self,
        user_id: &str,
        changed: Option<tokio::time::Instant>,
    ) {
        self.accounts.forget(user_id);
        self.bus
            .publish(crate::state::bus::Change::Accounts {
                user_id: user_id.to_owned(),
            })
            .await;
        if let Some(changed) = changed {
            tokio::time::sleep_until(changed + crate::recent::CACHE_FOR).await;
        }
    }

    /// One user's Google access for background work: every call within the background budget,
    /// so one that never answers holds up nothing else.
    pub(crate) fn google_in_background(&self, user_id: &str) -> UserCalendar {
        let budgets = &self.config.budgets;
        UserCalendar::in_background(
            &self.google,
            user_id,
            budgets.background_call,
            budgets.background_retry,
        )
    }

    /// SIGTERM: `/readyz` answers 503 from now on, so the load balancer stops sending; requests
    /// are still served.
    pub(crate) fn begin_drain(&self) {
        self.phase.send_if_modified(|phase| {
            let was = *phase;
            *phase = was.max(Phase::Draining);
            was != *phase
        });
    }

    /// Tells open event streams to end (after the drain's grace: graceful shutdown).
    pub(crate) fn begin_shutdown(&self) {
        self.phase.send_replace(Phase::Stopping);
    }

    /// Whether the instance is draining or stopping (not ready for new traffic).
    pub(crate) fn is_draining(&self) -> bool {
        *self.phase.borrow() >= Phase::Draining
    }

    /// Resolves once shutdown has begun (at once if it already has).
    pub(crate) async fn stopping(&self) {
        // The sender lives as long as this state, so this only ends on `Stopping`.
        let _ = self
            .phase
            .subscribe()
            .wait_for(|phase| *phase == Phase::Stopping)
            .await;
    }

    /// Forgets rate-limit keys whose allowance is full again, so memory stays bounded.
    pub(crate) fn prune_limits(&self) {
        self.tool_limit.prune();
        self.auth_ip_limit.prune();
        self.events_user_limit.prune();
        self.google.tokens.prune();
        self.google.contexts.prune();
        self.contacts_warmups.prune();
        self.sign_outs.prune();
        self.accounts.prune();
    }

    /// Opens the store (migrating it) and builds the clients.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let store = open_store(&config).await?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("calendar-agent/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let oauth = OAuthClient::new(
            http.clone(),
            config.google.clone(),
            config.budgets.oauth_call,
        );
        let metrics = Arc::new(Metrics::default());
        let google = Arc::new(Google {
            tokens: AccessTokens::new(oauth.clone(), store.clone(), Arc::clone(&metrics)),
            calendar: Arc::new(
                CalendarClient::new(&config.google.calendar_base_url, http.clone())
                    .map_err(StartupError::Tls)?,
            ),
            contexts: ContextCache::default(),
            metrics: Arc::clone(&metrics),
        });
        let phase = tokio::sync::watch::Sender::new(Phase::Serving);
        let cookie_keys = CookieKeys::from_config(&config);
        let tool_limit = Arc::new(PerMinute::new(config.limits.tool_rate_per_minute));
        let people = PeopleClient::new(
            http.clone(),
            &config.google.people_base_url,
            config.budgets.people_call,
        );
        let anam = AnamClient::new(
            http.clone(),
            &config.anam.api_base_url,
            config.anam.api_key.clone(),
            config.budgets.anam_call,
        );
        Ok(Self(Arc::new(Shared {
            anam,
            auth_ip_limit: Arc::new(PerMinute::new(per_minute(AUTH_STARTS_PER_MINUTE))),
            events_user_limit: Arc::new(PerMinute::new(per_minute(EVENTS_READS_PER_MINUTE))),
            people,
            contacts_warmups: Arc::default(),
            bus: Arc::new(ChangeBus::new(store.clone())),
            syncs: Arc::default(),
            streams: Arc::default(),
            tool_limit,
            config: Arc::new(config),
            store,
            oauth,
            google,
            cookie_keys,
            metrics,
            log_budget: Arc::default(),
            sign_outs: crate::recent::SignOuts::default(),
            accounts: crate::recent::Accounts::default(),
            phase,
            background: crate::tasks::Background::default(),
        })))
    }
}

fn per_minute(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// The token key (`TOKEN_ENCRYPTION_KEY`, or the development key file) and the store.
pub(crate) async fn open_store(config: &Config) -> Result<Store, StartupError> {
    let key = match config.store.token_encryption_key {
        Some(key) => key,
        None => {
            let (key, created) =
                load_or_create_key_file(Path::new(DEV_KEY_FILE)).map_err(StartupError::KeyFile)?;
            tracing::warn!(
                "TOKEN_ENCRYPTION_KEY is not set: {} {DEV_KEY_FILE} (mode 0600). Fine for \
                 development; in production set TOKEN_ENCRYPTION_KEY (`calendar-agent secret`).",
                if created { "generated" } else { "using" }
            );
            key
        }
    };
    let cipher =
        TokenCipher::new(&key).with_previous(config.store.token_encryption_key_previous.as_ref());
    let store = &config.store;
    Ok(Store::connect_with(&store.database_url, cipher, store.pool_size).await?)
}
