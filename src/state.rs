//! Shared application state handed to every handler and extractor, built once at start-up.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::cookies::CookieKeys;
use crate::google::access_tokens::AccessTokens;
use crate::google::oauth::OAuthClient;
use crate::store::{Store, StoreError};
use crate::token_cipher::{TokenCipher, load_or_create_key_file};

/// Where the development token key is kept when `TOKEN_ENCRYPTION_KEY` is not set.
pub const DEV_KEY_FILE: &str = ".data/token-encryption.key";

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
}

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    /// The configuration read at start-up.
    pub config: Arc<Config>,
    /// The one pooled HTTP client for Google and Anam.
    pub http: reqwest::Client,
    /// Encrypted refresh tokens.
    pub store: Store,
    /// Google OAuth endpoints.
    pub oauth: OAuthClient,
    /// Cached, single-flight Google access tokens.
    pub tokens: Arc<AccessTokens>,
    /// Keys for the signed cookies.
    pub cookie_keys: CookieKeys,
}

impl AppState {
    /// Opens the store (migrating it) and builds the clients.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let key = match config.token_encryption_key {
            Some(key) => key,
            None => {
                let (key, created) = load_or_create_key_file(Path::new(DEV_KEY_FILE))
                    .map_err(StartupError::KeyFile)?;
                tracing::warn!(
                    "TOKEN_ENCRYPTION_KEY is not set: {} {DEV_KEY_FILE} (mode 0600). Fine for \
                     development; in production set TOKEN_ENCRYPTION_KEY (`calendar-agent secret`).",
                    if created { "generated" } else { "using" }
                );
                key
            }
        };
        let store = Store::connect(&config.database_url, TokenCipher::new(&key)).await?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("calendar-agent/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let oauth = OAuthClient::new(http.clone(), config.google.clone());
        let tokens = Arc::new(AccessTokens::new(oauth.clone(), store.clone()));
        let cookie_keys = CookieKeys::from_config(&config);
        Ok(Self {
            config: Arc::new(config),
            http,
            store,
            oauth,
            tokens,
            cookie_keys,
        })
    }
}
