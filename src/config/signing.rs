//! Signing: the presign secrets, the tool URLs' lives, and the cookie secret.

use super::vars::{ConfigError, Read, Vars};
use crate::presign::SigningKeys;
use crate::secret::Secret;

/// The shortest accepted `PRESIGN_SECRET` / `PRESIGN_SECRET_PREVIOUS`, in bytes: tool URLs (and
/// their signatures) show up in logs, so a short secret would fall to an offline search.
pub(crate) const MIN_SECRET_BYTES: usize = 32;

/// Where the signing secret came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretSource {
    /// `PRESIGN_SECRET` was set.
    Configured,
    /// Generated at start-up: tool URLs die with the process.
    GeneratedForThisProcess,
}

/// The signing section.
#[derive(Clone, Debug)]
pub struct Signing {
    /// `PRESIGN_SECRET` and `PRESIGN_SECRET_PREVIOUS`.
    pub presign: SigningKeys,
    /// Whether the presign secret was configured or generated.
    pub(crate) presign_source: SecretSource,
    /// `TOOL_URL_TTL_SECONDS`.
    pub(crate) tool_url_ttl_seconds: u64,
    /// `MEETING_URL_TTL_SECONDS`: the shorter life of the URLs that send e-mail as the user.
    pub(crate) meeting_url_ttl_seconds: u64,
    /// `COOKIE_SECRET`, when set explicitly (else derived from the presign secrets).
    pub(crate) cookie_secret: Option<Secret>,
}

impl Signing {
    /// Reads the section.
    pub(crate) fn read(vars: &Vars<'_>) -> Read<Self> {
        let (current, presign_source) = match vars.secret("PRESIGN_SECRET")? {
            Some(s) => (
                Secret::new(long_secret("PRESIGN_SECRET", s)?),
                SecretSource::Configured,
            ),
            None => (
                Secret::new(random_hex_secret()),
                SecretSource::GeneratedForThisProcess,
            ),
        };
        let previous = vars
            .secret("PRESIGN_SECRET_PREVIOUS")?
            .map(|s| long_secret("PRESIGN_SECRET_PREVIOUS", s).map(Secret::new))
            .transpose()?;
        let tool_url_ttl_seconds = life(vars, "TOOL_URL_TTL_SECONDS", 3600)?;
        let meeting_url_ttl_seconds = life(vars, "MEETING_URL_TTL_SECONDS", 900)?;
        // The routes that send e-mail as the user get the shorter life, never a longer one.
        if meeting_url_ttl_seconds > tool_url_ttl_seconds {
            return Err(ConfigError::new(
                "MEETING_URL_TTL_SECONDS",
                format!("must not be longer than TOOL_URL_TTL_SECONDS ({tool_url_ttl_seconds} s)"),
            ));
        }
        let cookie_secret = match vars.secret("COOKIE_SECRET")? {
            Some(s) if s.len() < 32 => {
                return Err(ConfigError::new(
                    "COOKIE_SECRET",
                    "must be at least 32 characters (try `calendar-agent secret`)",
                ));
            }
            other => other.map(Secret::new),
        };
        Ok(Self {
            presign: SigningKeys { current, previous },
            presign_source,
            tool_url_ttl_seconds,
            meeting_url_ttl_seconds,
            cookie_secret,
        })
    }
}

fn life(vars: &Vars<'_>, name: &'static str, default: u64) -> Read<u64> {
    let seconds = vars.number::<u64>(name, default)?;
    if seconds == 0 {
        return Err(ConfigError::new(name, "must be at least 1"));
    }
    Ok(seconds)
}

fn long_secret(name: &'static str, value: String) -> Read<String> {
    if value.len() < MIN_SECRET_BYTES {
        return Err(ConfigError::new(
            name,
            format!(
                "must be at least {MIN_SECRET_BYTES} bytes (it is {}); `calendar-agent secret` \
                 prints a good one",
                value.len()
            ),
        ));
    }
    Ok(value)
}

/// 32 random bytes as 64 lowercase hex characters.
pub(crate) fn random_hex_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}
