//! Configuration from the environment (`.env` loaded by `main`), per DESIGN.md §1.
//!
//! Missing Anam/Google settings never stop start-up: they are listed by [`Config::missing`]
//! and the routes that need them answer 503. A malformed value does stop start-up, with a
//! [`ConfigError`] naming the variable.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::str::FromStr;

use ipnet::IpNet;
use url::Url;

use crate::calendar::WorkingHours;
use crate::presign::SigningKeys;
use crate::secret::Secret;

/// The shortest accepted `PRESIGN_SECRET` / `PRESIGN_SECRET_PREVIOUS`, in bytes: tool URLs (and
/// their signatures) show up in logs, so a short secret would fall to an offline search.
pub const MIN_SECRET_BYTES: usize = 32;

/// Variables renamed: (old name, still read with a warning; new name).
pub const RENAMED: &[(&str, &str)] = &[("INVITES_PER_HOUR", "GUEST_EMAILS_PER_HOUR")];

/// The default Anam SDK build the page loads, and its subresource-integrity hash.
pub const DEFAULT_ANAM_SDK_URL: &str =
    "https://cdn.jsdelivr.net/npm/@anam-ai/js-sdk@4.27.0/dist/umd/anam.js";
/// SRI hash of [`DEFAULT_ANAM_SDK_URL`] (the file in the npm package 4.27.0).
pub const DEFAULT_ANAM_SDK_INTEGRITY: &str =
    "sha384-YlLVEzjnPjezw7TzjG3RWqeUtTruSn3+WnfBBg9CyHOCpf0VqVorwHodrE7ZieF0";

/// A variable that could not be used, and why. Displayed as one line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    /// The environment variable's name.
    pub variable: &'static str,
    /// What is wrong with its value.
    pub reason: String,
}

impl ConfigError {
    fn new(variable: &'static str, reason: impl Into<String>) -> Self {
        Self {
            variable,
            reason: reason.into(),
        }
    }
}

/// A setting the service can run without, but some routes cannot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MissingSetting {
    /// The environment variable.
    pub variable: &'static str,
    /// What it is and where to get it, in one sentence.
    pub help: &'static str,
}

/// Every optional external setting with the help text shown when it is missing.
const CHECKLIST: &[MissingSetting] = &[
    MissingSetting {
        variable: "ANAM_API_KEY",
        help: "Anam API key: lab.anam.ai → API keys.",
    },
    MissingSetting {
        variable: "ANAM_AVATAR_ID",
        help: "Avatar id: run `calendar-agent anam avatars` once ANAM_API_KEY is set.",
    },
    MissingSetting {
        variable: "ANAM_VOICE_ID",
        help: "Voice id: run `calendar-agent anam voices` once ANAM_API_KEY is set.",
    },
    MissingSetting {
        variable: "ANAM_LLM_ID",
        help: "LLM id: run `calendar-agent anam llms` once ANAM_API_KEY is set.",
    },
    MissingSetting {
        variable: "GOOGLE_CLIENT_ID",
        help: "OAuth client id: Google Cloud console → APIs & Services → Credentials → \
               OAuth client (Web application).",
    },
    MissingSetting {
        variable: "GOOGLE_CLIENT_SECRET",
        help: "OAuth client secret of the same Web application client.",
    },
];

/// Anam settings.
#[derive(Clone, Debug)]
pub struct AnamConfig {
    /// `ANAM_API_KEY`.
    pub api_key: Option<Secret>,
    /// `ANAM_AVATAR_ID`.
    pub avatar_id: Option<String>,
    /// `ANAM_VOICE_ID`.
    pub voice_id: Option<String>,
    /// `ANAM_LLM_ID`.
    pub llm_id: Option<String>,
    /// `ANAM_API_BASE_URL`, without a trailing `/`.
    pub api_base_url: String,
    /// `ANAM_SDK_URL`.
    pub sdk_url: String,
    /// The SRI hash to put on the SDK's script tag (only for the default URL).
    pub sdk_integrity: Option<&'static str>,
    /// `ANAM_MAX_SESSION_SECONDS`: the longest a session may run (unset: Anam's own limit).
    pub max_session_seconds: Option<u32>,
}

/// Google OAuth and Calendar settings.
#[derive(Clone, Debug)]
pub struct GoogleConfig {
    /// `GOOGLE_CLIENT_ID`.
    pub client_id: Option<String>,
    /// `GOOGLE_CLIENT_SECRET`.
    pub client_secret: Option<Secret>,
    /// `GOOGLE_REDIRECT_URI`.
    pub redirect_uri: String,
    /// `GOOGLE_AUTH_URL`.
    pub auth_url: String,
    /// `GOOGLE_TOKEN_URL`.
    pub token_url: String,
    /// `GOOGLE_USERINFO_URL`.
    pub userinfo_url: String,
    /// `GOOGLE_REVOKE_URL`.
    pub revoke_url: String,
    /// `GOOGLE_CALENDAR_BASE_URL`, always ending in `/`.
    pub calendar_base_url: String,
    /// `GOOGLE_PEOPLE_BASE_URL`, always ending in `/`.
    pub people_base_url: String,
}

/// How logs are written (`LOG_FORMAT`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Where the signing secret came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretSource {
    /// `PRESIGN_SECRET` was set.
    Configured,
    /// Generated at start-up: tool URLs die with the process.
    GeneratedForThisProcess,
}

/// The whole configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// `HOST`.
    pub host: IpAddr,
    /// `PORT`.
    pub port: u16,
    /// `PUBLIC_BASE_URL` without a trailing `/`.
    pub public_base_url: String,
    /// `PRESIGN_SECRET` and `PRESIGN_SECRET_PREVIOUS`.
    pub presign: SigningKeys,
    /// Whether the presign secret was configured or generated.
    pub presign_source: SecretSource,
    /// `TOOL_URL_TTL_SECONDS`.
    pub tool_url_ttl_seconds: u64,
    /// `MEETING_URL_TTL_SECONDS`: the `create_meeting` URL's shorter life.
    pub meeting_url_ttl_seconds: u64,
    /// `GUEST_EMAILS_PER_HOUR` (formerly `INVITES_PER_HOUR`): e-mails Google may send to other
    /// people for one user per hour (invitations, updates, cancellations, answers), counted in
    /// the store before each write.
    pub guest_emails_per_hour: NonZeroU32,
    /// Variables read under an old name, with the name to use instead (logged at start-up).
    pub deprecated: Vec<(&'static str, &'static str)>,
    /// `COOKIE_SECRET`, when set explicitly (else derived from the presign secrets).
    pub cookie_secret: Option<Secret>,
    /// Anam settings.
    pub anam: AnamConfig,
    /// Google settings.
    pub google: GoogleConfig,
    /// `DATABASE_URL`.
    pub database_url: String,
    /// `TOKEN_ENCRYPTION_KEY`, decoded (None: the dev key file is used).
    pub token_encryption_key: Option<[u8; 32]>,
    /// `TOKEN_ENCRYPTION_KEY_PREVIOUS`: the key being rotated away from, read only.
    pub token_encryption_key_previous: Option<[u8; 32]>,
    /// `SESSION_TOKEN_RATE_PER_MINUTE`.
    pub session_token_rate_per_minute: NonZeroU32,
    /// `TOOL_RATE_PER_MINUTE`.
    pub tool_rate_per_minute: NonZeroU32,
    /// `TRUSTED_PROXIES`: peers whose `X-Forwarded-For` is believed (loopback always is).
    pub trusted_proxies: Vec<IpNet>,
    /// `LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `METRICS_ADDR`: where Prometheus metrics are served, on a listener of their own (unset:
    /// no metrics listener).
    pub metrics_addr: Option<SocketAddr>,
    /// `WORKING_HOURS` and `WORKING_DAYS`: where `find_free_time` looks unless told `any_time`.
    pub working_hours: WorkingHours,
    /// `SHUTDOWN_GRACE_SECONDS`: after SIGTERM, how long the listener keeps serving (with
    /// `/readyz` 503) before it stops taking connections.
    pub shutdown_grace: std::time::Duration,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (tests pass a map; nothing global is touched).
    /// Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let host = match get("HOST") {
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(h) if h == "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(h) => IpAddr::from_str(&h).map_err(|_| {
                ConfigError::new(
                    "HOST",
                    format!("`{h}` is not an IP address (e.g. 127.0.0.1)"),
                )
            })?,
        };
        let port = parse_number::<u16>("PORT", get("PORT"), 3000)?;
        let local_origin = format!("http://localhost:{port}");

        let public_base_url = get("PUBLIC_BASE_URL").unwrap_or_else(|| local_origin.clone());
        let public = parse_http("PUBLIC_BASE_URL", &public_base_url)?;
        if public.query().is_some() || public.fragment().is_some() {
            return Err(ConfigError::new(
                "PUBLIC_BASE_URL",
                "must not have a query or fragment",
            ));
        }
        let public_base_url = public_base_url.trim_end_matches('/').to_owned();

        let (current, presign_source) = match get("PRESIGN_SECRET") {
            Some(s) => (
                Secret::new(long_secret("PRESIGN_SECRET", s)?),
                SecretSource::Configured,
            ),
            None => (
                Secret::new(random_hex_secret()),
                SecretSource::GeneratedForThisProcess,
            ),
        };
        let presign = SigningKeys {
            current,
            previous: get("PRESIGN_SECRET_PREVIOUS")
                .map(|s| long_secret("PRESIGN_SECRET_PREVIOUS", s).map(Secret::new))
                .transpose()?,
        };

        let tool_url_ttl_seconds =
            parse_number::<u64>("TOOL_URL_TTL_SECONDS", get("TOOL_URL_TTL_SECONDS"), 3600)?;
        if tool_url_ttl_seconds == 0 {
            return Err(ConfigError::new(
                "TOOL_URL_TTL_SECONDS",
                "must be at least 1",
            ));
        }

        let meeting_url_ttl_seconds = parse_number::<u64>(
            "MEETING_URL_TTL_SECONDS",
            get("MEETING_URL_TTL_SECONDS"),
            900,
        )?;
        if meeting_url_ttl_seconds == 0 {
            return Err(ConfigError::new(
                "MEETING_URL_TTL_SECONDS",
                "must be at least 1",
            ));
        }

        // The routes that send e-mail as the user get the shorter life, never a longer one.
        if meeting_url_ttl_seconds > tool_url_ttl_seconds {
            return Err(ConfigError::new(
                "MEETING_URL_TTL_SECONDS",
                format!("must not be longer than TOOL_URL_TTL_SECONDS ({tool_url_ttl_seconds} s)"),
            ));
        }

        let mut deprecated = Vec::new();
        let guest_emails_per_hour = match (get("GUEST_EMAILS_PER_HOUR"), get("INVITES_PER_HOUR")) {
            (Some(v), old) => {
                if old.is_some() {
                    deprecated.push(("INVITES_PER_HOUR", "GUEST_EMAILS_PER_HOUR"));
                }
                rate("GUEST_EMAILS_PER_HOUR", Some(v), 20)?
            }
            (None, Some(old)) => {
                deprecated.push(("INVITES_PER_HOUR", "GUEST_EMAILS_PER_HOUR"));
                rate("INVITES_PER_HOUR", Some(old), 20)?
            }
            (None, None) => rate("GUEST_EMAILS_PER_HOUR", None, 20)?,
        };

        let cookie_secret = match get("COOKIE_SECRET") {
            Some(s) if s.len() < 32 => {
                return Err(ConfigError::new(
                    "COOKIE_SECRET",
                    "must be at least 32 characters (try `calendar-agent secret`)",
                ));
            }
            other => other.map(Secret::new),
        };

        let anam_api_base_url = http_url(
            "ANAM_API_BASE_URL",
            get("ANAM_API_BASE_URL").unwrap_or_else(|| "https://api.anam.ai".into()),
        )?
        .trim_end_matches('/')
        .to_owned();
        let (sdk_url, sdk_integrity) = match get("ANAM_SDK_URL") {
            Some(u) if u != DEFAULT_ANAM_SDK_URL => (http_or_path("ANAM_SDK_URL", u)?, None),
            _ => (
                DEFAULT_ANAM_SDK_URL.to_owned(),
                Some(DEFAULT_ANAM_SDK_INTEGRITY),
            ),
        };
        let anam = AnamConfig {
            api_key: get("ANAM_API_KEY").map(Secret::new),
            avatar_id: get("ANAM_AVATAR_ID"),
            voice_id: get("ANAM_VOICE_ID"),
            llm_id: get("ANAM_LLM_ID"),
            api_base_url: anam_api_base_url,
            sdk_url,
            sdk_integrity,
            max_session_seconds: match get("ANAM_MAX_SESSION_SECONDS") {
                None => None,
                Some(v) => match v.parse::<u32>() {
                    Ok(n) if (MIN_SESSION_SECONDS..=MAX_SESSION_SECONDS).contains(&n) => Some(n),
                    _ => {
                        return Err(ConfigError::new(
                            "ANAM_MAX_SESSION_SECONDS",
                            format!(
                                "`{v}` must be a whole number of seconds from {MIN_SESSION_SECONDS} to {MAX_SESSION_SECONDS}"
                            ),
                        ));
                    }
                },
            },
        };

        let url_or = |name: &'static str, default: &str| {
            http_url(name, get(name).unwrap_or_else(|| default.to_owned()))
        };
        let mut calendar_base_url = url_or(
            "GOOGLE_CALENDAR_BASE_URL",
            "https://www.googleapis.com/calendar/v3/",
        )?;
        if !calendar_base_url.ends_with('/') {
            calendar_base_url.push('/');
        }
        let mut people_base_url = url_or(
            "GOOGLE_PEOPLE_BASE_URL",
            "https://people.googleapis.com/v1/",
        )?;
        if !people_base_url.ends_with('/') {
            people_base_url.push('/');
        }
        let google = GoogleConfig {
            client_id: get("GOOGLE_CLIENT_ID"),
            client_secret: get("GOOGLE_CLIENT_SECRET").map(Secret::new),
            redirect_uri: url_or(
                "GOOGLE_REDIRECT_URI",
                &format!("{local_origin}/api/auth/google/callback"),
            )?,
            auth_url: url_or(
                "GOOGLE_AUTH_URL",
                "https://accounts.google.com/o/oauth2/v2/auth",
            )?,
            token_url: url_or("GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token")?,
            userinfo_url: url_or(
                "GOOGLE_USERINFO_URL",
                "https://openidconnect.googleapis.com/v1/userinfo",
            )?,
            revoke_url: url_or("GOOGLE_REVOKE_URL", "https://oauth2.googleapis.com/revoke")?,
            calendar_base_url,
            people_base_url,
        };

        let database_url =
            get("DATABASE_URL").unwrap_or_else(|| "sqlite://.data/calendar-agent.db".into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "must start with sqlite:, postgres:// or postgresql://",
            ));
        }

        let token_encryption_key = get("TOKEN_ENCRYPTION_KEY")
            .map(|hex_key| parse_key("TOKEN_ENCRYPTION_KEY", &hex_key))
            .transpose()?;
        let token_encryption_key_previous = get("TOKEN_ENCRYPTION_KEY_PREVIOUS")
            .map(|hex_key| parse_key("TOKEN_ENCRYPTION_KEY_PREVIOUS", &hex_key))
            .transpose()?;
        if token_encryption_key_previous.is_some() && token_encryption_key.is_none() {
            return Err(ConfigError::new(
                "TOKEN_ENCRYPTION_KEY_PREVIOUS",
                "is set without TOKEN_ENCRYPTION_KEY (the new key to rotate to)",
            ));
        }
        // A shared database means several instances: a per-machine development key or a
        // per-process secret would make each one unable to read the others' tokens and URLs.
        if !database_url.starts_with("sqlite:") {
            if token_encryption_key.is_none() {
                return Err(ConfigError::new(
                    "TOKEN_ENCRYPTION_KEY",
                    "must be set (the same on every instance) when DATABASE_URL is PostgreSQL",
                ));
            }
            if presign_source == SecretSource::GeneratedForThisProcess {
                return Err(ConfigError::new(
                    "PRESIGN_SECRET",
                    "must be set (the same on every instance) when DATABASE_URL is PostgreSQL",
                ));
            }
        }

        Ok(Self {
            host,
            port,
            public_base_url,
            presign,
            presign_source,
            tool_url_ttl_seconds,
            meeting_url_ttl_seconds,
            guest_emails_per_hour,
            deprecated,
            cookie_secret,
            anam,
            google,
            database_url,
            token_encryption_key,
            token_encryption_key_previous,
            session_token_rate_per_minute: rate(
                "SESSION_TOKEN_RATE_PER_MINUTE",
                get("SESSION_TOKEN_RATE_PER_MINUTE"),
                5,
            )?,
            tool_rate_per_minute: rate("TOOL_RATE_PER_MINUTE", get("TOOL_RATE_PER_MINUTE"), 60)?,
            trusted_proxies: get("TRUSTED_PROXIES")
                .map(|v| parse_proxies(&v))
                .transpose()?
                .unwrap_or_default(),
            working_hours: {
                let hours = get("WORKING_HOURS").unwrap_or_else(|| "09:00-18:00".into());
                let days = get("WORKING_DAYS").unwrap_or_else(|| "Mon-Fri".into());
                WorkingHours::parse(&hours, &days).map_err(|reason| {
                    let variable = if WorkingHours::parse(&hours, "Mon").is_err() {
                        "WORKING_HOURS"
                    } else {
                        "WORKING_DAYS"
                    };
                    ConfigError::new(variable, reason)
                })?
            },
            shutdown_grace: {
                let seconds = parse_number::<u64>(
                    "SHUTDOWN_GRACE_SECONDS",
                    get("SHUTDOWN_GRACE_SECONDS"),
                    5,
                )?;
                if seconds > MAX_SHUTDOWN_GRACE_SECONDS {
                    return Err(ConfigError::new(
                        "SHUTDOWN_GRACE_SECONDS",
                        format!("must be at most {MAX_SHUTDOWN_GRACE_SECONDS}"),
                    ));
                }
                std::time::Duration::from_secs(seconds)
            },
            metrics_addr: get("METRICS_ADDR")
                .map(|v| {
                    v.parse::<SocketAddr>().map_err(|_| {
                        ConfigError::new(
                            "METRICS_ADDR",
                            format!("`{v}` is not an address and port such as 127.0.0.1:9464"),
                        )
                    })
                })
                .transpose()?,
            log_format: match get("LOG_FORMAT").as_deref().map(str::to_ascii_lowercase) {
                None => LogFormat::Text,
                Some(f) if f == "text" => LogFormat::Text,
                Some(f) if f == "json" => LogFormat::Json,
                Some(other) => {
                    return Err(ConfigError::new(
                        "LOG_FORMAT",
                        format!("`{other}` is not a log format (text or json)"),
                    ));
                }
            },
        })
    }

    /// The optional settings that are not set, in checklist order.
    pub fn missing(&self) -> Vec<MissingSetting> {
        let set = |variable: &str| match variable {
            "ANAM_API_KEY" => self.anam.api_key.is_some(),
            "ANAM_AVATAR_ID" => self.anam.avatar_id.is_some(),
            "ANAM_VOICE_ID" => self.anam.voice_id.is_some(),
            "ANAM_LLM_ID" => self.anam.llm_id.is_some(),
            "GOOGLE_CLIENT_ID" => self.google.client_id.is_some(),
            "GOOGLE_CLIENT_SECRET" => self.google.client_secret.is_some(),
            _ => true,
        };
        CHECKLIST
            .iter()
            .filter(|s| !set(s.variable))
            .copied()
            .collect()
    }

    /// `http://localhost:{PORT}`: the origin a browser on this machine uses.
    pub fn local_origin(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// Whether cookies must carry `Secure` (the public URL is https).
    pub fn secure_cookies(&self) -> bool {
        self.public_base_url.starts_with("https://")
    }

    /// `PUBLIC_BASE_URL` + `path`: the base URL a tool URL for `path` is signed over.
    pub fn public_url(&self, path: &str) -> String {
        format!("{}{path}", self.public_base_url)
    }
}

/// The longest drain: orchestrators kill long before this.
const MAX_SHUTDOWN_GRACE_SECONDS: u64 = 300;

/// `ANAM_MAX_SESSION_SECONDS` bounds: a session shorter than a minute is no conversation; Anam
/// ends sessions by itself long before a day.
const MIN_SESSION_SECONDS: u32 = 60;
const MAX_SESSION_SECONDS: u32 = 86_400;

fn parse_number<T: FromStr>(
    name: &'static str,
    value: Option<String>,
    default: T,
) -> Result<T, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| ConfigError::new(name, format!("`{v}` is not a valid number"))),
    }
}

fn rate(
    name: &'static str,
    value: Option<String>,
    default: u32,
) -> Result<NonZeroU32, ConfigError> {
    let n = parse_number::<u32>(name, value, default)?;
    NonZeroU32::new(n).ok_or_else(|| ConfigError::new(name, "must be at least 1"))
}

fn parse_http(name: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value)
        .map_err(|e| ConfigError::new(name, format!("`{value}` is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ConfigError::new(
            name,
            format!("`{value}` must be an http:// or https:// URL"),
        ));
    }
    Ok(url)
}

fn http_url(name: &'static str, value: String) -> Result<String, ConfigError> {
    parse_http(name, &value).map(|_| value)
}

/// The SDK may be served by this app or a local server in tests: a URL or an absolute path.
fn http_or_path(name: &'static str, value: String) -> Result<String, ConfigError> {
    if value.starts_with('/') && !value.starts_with("//") {
        Ok(value)
    } else {
        http_url(name, value)
    }
}

fn long_secret(name: &'static str, value: String) -> Result<String, ConfigError> {
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

/// Comma- or space-separated CIDRs (`10.0.0.0/8`) or single addresses (`192.0.2.7`).
fn parse_proxies(value: &str) -> Result<Vec<IpNet>, ConfigError> {
    value
        .split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<IpNet>()
                .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    ConfigError::new(
                        "TRUSTED_PROXIES",
                        format!("`{p}` is not an IP address or CIDR (e.g. 10.0.0.0/8)"),
                    )
                })
        })
        .collect()
}

fn parse_key(name: &'static str, value: &str) -> Result<[u8; 32], ConfigError> {
    let bytes = hex::decode(value)
        .map_err(|_| ConfigError::new(name, "must be 64 hex characters (32 bytes)"))?;
    bytes
        .try_into()
        .map_err(|_| ConfigError::new(name, "must be 64 hex characters (32 bytes)"))
}

/// 32 random bytes as 64 lowercase hex characters.
pub fn random_hex_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests;
