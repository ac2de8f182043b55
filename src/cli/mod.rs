//! The command line: serve by default, plus the tools a user needs when Anam gets 401s, and
//! the audit of what was written for users.

mod anam;
mod audit;
mod urls;

pub use anam::{AnamList, anam_table, table};
pub use audit::audit;
use clap::{Parser, Subcommand};
pub use urls::{UrlReport, check_url, require_configured_secret, route_life, sign_url};

use crate::config::{Config, random_hex_secret};

/// calendar-agent: talk to an Anam AI avatar about your own Google Calendar.
#[derive(Debug, Parser)]
#[command(name = "calendar-agent", version, about)]
pub struct Cli {
    /// What to do; serves when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the page, the API and the tool webhooks (the default).
    Serve,
    /// Print a fresh random 32-byte secret as hex (for PRESIGN_SECRET, COOKIE_SECRET or
    /// TOKEN_ENCRYPTION_KEY).
    Secret,
    /// Print a presigned tool URL, as the server would sign it.
    SignUrl {
        /// Route path, e.g. /api/calendar/list-events.
        path: String,
        /// The user id (email) to sign for.
        #[arg(long)]
        user: String,
        /// Seconds until it expires (default and most: the route's URL life, TOOL_URL_TTL_SECONDS
        /// or MEETING_URL_TTL_SECONDS; the server refuses a longer one).
        #[arg(long)]
        ttl: Option<u64>,
    },
    /// Say whether a presigned tool URL would be accepted here, and if not, why.
    VerifyUrl {
        /// The full URL, e.g. one copied from Anam's tool-call log.
        url: String,
    },
    /// Re-encrypt every stored grant under TOKEN_ENCRYPTION_KEY (after a rotation, with the old
    /// key as TOKEN_ENCRYPTION_KEY_PREVIOUS).
    RotateKey,
    /// Print the audit: every write made for users (holds, invitation answers, changes,
    /// meetings), oldest first.
    Audit {
        /// Only this user's (their email).
        #[arg(long)]
        user: Option<String>,
        /// How many of the newest rows.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Ask this machine's running server whether it is alive (`/healthz`) or, with `--ready`,
    /// ready (`/readyz`): exit 0 if so. For container health checks (the image has no shell).
    Health {
        /// Ask `/readyz` instead of `/healthz`.
        #[arg(long)]
        ready: bool,
    },
    /// List what your Anam account offers, to fill in ANAM_AVATAR_ID, ANAM_VOICE_ID, ANAM_LLM_ID.
    Anam {
        /// What to list.
        #[command(subcommand)]
        list: AnamList,
    },
}

/// `calendar-agent rotate-key`: re-encrypts what the previous key wrote, and says what is left.
pub async fn rotate_key(config: &Config) -> Result<String, String> {
    if config.store.token_encryption_key.is_none() {
        return Err(
            "TOKEN_ENCRYPTION_KEY is not set: set the new key there and the old one \
                    as TOKEN_ENCRYPTION_KEY_PREVIOUS"
                .into(),
        );
    }
    let store = crate::state::open_store(config)
        .await
        .map_err(|e| e.to_string())?;
    let done = store.rotate_key().await.map_err(|e| e.to_string())?;
    let mut line = format!(
        "re-encrypted {} grant(s) under TOKEN_ENCRYPTION_KEY; {} already were",
        done.reencrypted, done.current
    );
    if done.unreadable > 0 {
        line.push_str(&format!(
            "; {} grant(s) open under neither key (those users must sign in again)",
            done.unreadable
        ));
    }
    line.push_str(if done.unreadable == 0 {
        ". None is left under the old key: TOKEN_ENCRYPTION_KEY_PREVIOUS can be removed."
    } else {
        "."
    });
    Ok(line)
}

/// A fresh secret for `calendar-agent secret`.
pub fn fresh_secret() -> String {
    random_hex_secret()
}

/// `calendar-agent health [--ready]`: asks the server at `HOST:PORT` (loopback when it listens
/// on every address) for `/healthz` or `/readyz`, within 2 seconds.
pub async fn health(config: &Config, ready: bool) -> Result<String, String> {
    let host = match config.server.host {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_owned(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_owned(),
        std::net::IpAddr::V4(ip) => ip.to_string(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
    };
    let path = if ready { "/readyz" } else { "/healthz" };
    let url = format!("http://{host}:{}{path}", config.server.port);
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(2))
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| format!("{url}: {}", e.without_url()))?;
    let status = response.status();
    if status.is_success() {
        Ok(format!("{path}: {status}"))
    } else {
        Err(format!("{path}: {status}"))
    }
}

/// `rows` under `header`, each column as wide as its widest cell, two spaces apart.
fn aligned(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let rows: Vec<Vec<String>> = std::iter::once(header.iter().map(|h| (*h).to_owned()).collect())
        .chain(rows)
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |row: &Vec<String>| {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:<w$}"))
            .collect();
        cells.join("  ").trim_end().to_owned()
    };
    rows.iter().map(line).collect::<Vec<_>>().join("\n")
}
