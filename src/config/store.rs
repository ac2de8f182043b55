//! The store: where it is, and the keys its refresh tokens are encrypted with.

use super::signing::SecretSource;
use super::vars::{ConfigError, Read, Vars};

/// The store section.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// `DATABASE_URL`.
    pub database_url: String,
    /// `TOKEN_ENCRYPTION_KEY`, decoded (None: the dev key file is used).
    pub(crate) token_encryption_key: Option<[u8; 32]>,
    /// `TOKEN_ENCRYPTION_KEY_PREVIOUS`: the key being rotated away from, read only.
    pub(crate) token_encryption_key_previous: Option<[u8; 32]>,
    /// `AUDIT_RETENTION_DAYS`: how long audit rows (and the guest answers last seen) are kept.
    pub(crate) audit_retention_days: u32,
    /// `DATABASE_POOL_SIZE`: the requests' connections per instance (unset: 16 on PostgreSQL,
    /// 8 on SQLite). On PostgreSQL, instances × this (plus two each: readiness and the change
    /// relay) must stay under the server's `max_connections`.
    pub pool_size: Option<u32>,
}

impl StoreConfig {
    /// Reads the section. A shared database means several instances, so it needs the keys
    /// every instance shares set explicitly (`presign`: where the signing secret came from).
    pub(crate) fn read(vars: &Vars<'_>, presign: SecretSource) -> Read<Self> {
        let database_url = vars
            .secret("DATABASE_URL")?
            .unwrap_or_else(|| "sqlite://.data/calendar-agent.db".into());
        let sqlite = database_url.starts_with("sqlite:");
        if !(sqlite
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "must start with sqlite:, postgres:// or postgresql://",
            ));
        }
        let key = |name: &'static str| {
            vars.secret(name)?
                .map(|hex_key| parse_key(name, &hex_key))
                .transpose()
        };
        let token_encryption_key = key("TOKEN_ENCRYPTION_KEY")?;
        let token_encryption_key_previous = key("TOKEN_ENCRYPTION_KEY_PREVIOUS")?;
        if token_encryption_key_previous.is_some() && token_encryption_key.is_none() {
            return Err(ConfigError::new(
                "TOKEN_ENCRYPTION_KEY_PREVIOUS",
                "is set without TOKEN_ENCRYPTION_KEY (the new key to rotate to)",
            ));
        }
        // A per-machine development key or a per-process secret would make each instance
        // unable to read the others' tokens and URLs.
        if !sqlite {
            if token_encryption_key.is_none() {
                return Err(ConfigError::new(
                    "TOKEN_ENCRYPTION_KEY",
                    "must be set (the same on every instance) when DATABASE_URL is PostgreSQL",
                ));
            }
            if presign == SecretSource::GeneratedForThisProcess {
                return Err(ConfigError::new(
                    "PRESIGN_SECRET",
                    "must be set (the same on every instance) when DATABASE_URL is PostgreSQL",
                ));
            }
        }
        let audit_retention_days = vars.number("AUDIT_RETENTION_DAYS", 400)?;
        if audit_retention_days == 0 {
            return Err(ConfigError::new(
                "AUDIT_RETENTION_DAYS",
                "must be at least 1",
            ));
        }
        let pool_size = match vars.get("DATABASE_POOL_SIZE") {
            None => None,
            Some(_) => Some(vars.rate("DATABASE_POOL_SIZE", 1)?.get()),
        };
        Ok(Self {
            database_url,
            token_encryption_key,
            token_encryption_key_previous,
            audit_retention_days,
            pool_size,
        })
    }
}

fn parse_key(name: &'static str, value: &str) -> Read<[u8; 32]> {
    let bytes = hex::decode(value)
        .map_err(|_| ConfigError::new(name, "must be 64 hex characters (32 bytes)"))?;
    bytes
        .try_into()
        .map_err(|_| ConfigError::new(name, "must be 64 hex characters (32 bytes)"))
}
