//! Configuration from the environment (`.env` loaded by `main`), as `.env.example` lists it, read one
//! section at a time ([`Server`], [`Signing`], [`AnamConfig`], [`GoogleConfig`],
//! [`StoreConfig`], [`Limits`], [`VoiceConfig`], working hours), each by its own small reader.
//!
//! Missing Anam/Google settings never stop start-up: they are listed by [`Config::missing`]
//! and the routes that need them answer 503. A malformed value does stop start-up, with a
//! [`ConfigError`] naming the variable. A secret may be given as a file (`NAME_FILE`).

mod anam;
mod budgets;
mod google;
mod limits;
mod secrets;
mod server;
mod signing;
mod store;
mod vars;
mod voice;

pub(crate) use anam::AnamConfig;
pub use budgets::Budgets;
pub(crate) use google::GoogleConfig;
pub use limits::{Limits, RENAMED};
pub(crate) use server::{LogFormat, Server};
pub(crate) use signing::{SecretSource, Signing, random_hex_secret};
pub(crate) use store::StoreConfig;
pub(crate) use vars::ConfigError;
pub use vars::SECRET_FILES;
pub use voice::VoiceConfig;

use vars::{Read, Vars};

use crate::calendar::WorkingHours;

/// A setting the service can run without, but some routes cannot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) struct MissingSetting {
    /// The environment variable.
    pub(crate) variable: &'static str,
    /// What it is and where to get it, in one sentence.
    pub(crate) help: &'static str,
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

/// The whole configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where it listens, how it is reached, logged, measured and stopped.
    pub server: Server,
    /// The presign secrets, the tool URLs' lives, the cookie secret.
    pub signing: Signing,
    /// Anam settings.
    pub anam: AnamConfig,
    /// The session's language and voice.
    pub voice: VoiceConfig,
    /// Google settings.
    pub(crate) google: GoogleConfig,
    /// The store and its keys.
    pub store: StoreConfig,
    /// Rates and allowances.
    pub(crate) limits: Limits,
    /// `WORKING_HOURS` and `WORKING_DAYS`: where `find_free_time` looks unless told `any_time`.
    pub(crate) working_hours: WorkingHours,
    /// How long a tool call and a background Google call may take (not read from the
    /// environment).
    pub budgets: Budgets,
    /// This instance's clock: the system's (tests set one ahead; not read from the
    /// environment).
    pub clock: crate::clock::Clock,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (tests pass a map; nothing global is touched).
    /// Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars::new(&lookup);
        let server = Server::read(&vars)?;
        let signing = Signing::read(&vars)?;
        let google = GoogleConfig::read(&vars, &server.local_origin())?;
        Ok(Self {
            anam: AnamConfig::read(&vars)?,
            voice: VoiceConfig::read(&vars)?,
            store: StoreConfig::read(&vars, signing.presign_source)?,
            limits: Limits::read(&vars)?,
            working_hours: working_hours(&vars)?,
            budgets: Budgets::default(),
            clock: crate::clock::Clock::default(),
            server,
            signing,
            google,
        })
    }

    /// The optional settings that are not set, in checklist order.
    pub(crate) fn missing(&self) -> Vec<MissingSetting> {
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
    pub(crate) fn local_origin(&self) -> String {
        self.server.local_origin()
    }

    /// Whether cookies must carry `Secure` (the public URL is https).
    pub(crate) fn secure_cookies(&self) -> bool {
        self.server.public_base_url.starts_with("https://")
    }

    /// `PUBLIC_BASE_URL` + `path`: the base URL a tool URL for `path` is signed over.
    pub fn public_url(&self, path: &str) -> String {
        format!("{}{path}", self.server.public_base_url)
    }
}

/// `WORKING_HOURS` and `WORKING_DAYS`, the error naming whichever is wrong.
fn working_hours(vars: &Vars<'_>) -> Read<WorkingHours> {
    let hours = vars
        .get("WORKING_HOURS")
        .unwrap_or_else(|| "09:00-18:00".into());
    let days = vars.get("WORKING_DAYS").unwrap_or_else(|| "Mon-Fri".into());
    WorkingHours::parse(&hours, &days).map_err(|reason| {
        let variable = if WorkingHours::parse(&hours, "Mon").is_err() {
            "WORKING_HOURS"
        } else {
            "WORKING_DAYS"
        };
        ConfigError::new(variable, reason)
    })
}

#[cfg(test)]
mod tests;
