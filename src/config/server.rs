//! Where the service listens and how it is reached, logged, measured and stopped.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use ipnet::IpNet;

use super::vars::{ConfigError, Read, Vars, parse_http};

/// How logs are written (`LOG_FORMAT`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The longest drain: orchestrators kill long before this.
const MAX_SHUTDOWN_GRACE_SECONDS: u64 = 300;

/// The server section.
#[derive(Clone, Debug)]
pub struct Server {
    /// `HOST`.
    pub(crate) host: IpAddr,
    /// `PORT`.
    pub port: u16,
    /// `PUBLIC_BASE_URL` without a trailing `/`.
    pub public_base_url: String,
    /// `TRUSTED_PROXIES`: peers whose `X-Forwarded-For` is believed (loopback always is).
    pub(crate) trusted_proxies: Vec<IpNet>,
    /// `LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `METRICS_ADDR`: where Prometheus metrics are served, on a listener of their own (unset:
    /// no metrics listener).
    pub(crate) metrics_addr: Option<SocketAddr>,
    /// `SHUTDOWN_GRACE_SECONDS`: after SIGTERM, how long the listener keeps serving (with
    /// `/readyz` 503) before it stops taking connections.
    pub(crate) shutdown_grace: Duration,
}

impl Server {
    /// `http://localhost:{PORT}`: the origin a browser on this machine uses.
    pub(crate) fn local_origin(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// Reads the section.
    pub(crate) fn read(vars: &Vars<'_>) -> Read<Self> {
        let host = match vars.get("HOST") {
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(h) if h == "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(h) => IpAddr::from_str(&h).map_err(|_| {
                ConfigError::new(
                    "HOST",
                    format!("`{h}` is not an IP address (e.g. 127.0.0.1)"),
                )
            })?,
        };
        let port = vars.number::<u16>("PORT", 3000)?;
        let public = vars
            .get("PUBLIC_BASE_URL")
            .unwrap_or_else(|| format!("http://localhost:{port}"));
        let parsed = parse_http("PUBLIC_BASE_URL", &public)?;
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(ConfigError::new(
                "PUBLIC_BASE_URL",
                "must not have a query or fragment",
            ));
        }
        let grace = vars.number::<u64>("SHUTDOWN_GRACE_SECONDS", 5)?;
        if grace > MAX_SHUTDOWN_GRACE_SECONDS {
            return Err(ConfigError::new(
                "SHUTDOWN_GRACE_SECONDS",
                format!("must be at most {MAX_SHUTDOWN_GRACE_SECONDS}"),
            ));
        }
        Ok(Self {
            host,
            port,
            public_base_url: public.trim_end_matches('/').to_owned(),
            trusted_proxies: vars
                .get("TRUSTED_PROXIES")
                .map(|v| parse_proxies(&v))
                .transpose()?
                .unwrap_or_default(),
            log_format: log_format(vars.get("LOG_FORMAT"))?,
            metrics_addr: vars
                .get("METRICS_ADDR")
                .map(|v| {
                    v.parse::<SocketAddr>().map_err(|_| {
                        ConfigError::new(
                            "METRICS_ADDR",
                            format!("`{v}` is not an address and port such as 127.0.0.1:9464"),
                        )
                    })
                })
                .transpose()?,
            shutdown_grace: Duration::from_secs(grace),
        })
    }
}

fn log_format(value: Option<String>) -> Read<LogFormat> {
    match value.as_deref().map(str::to_ascii_lowercase) {
        None => Ok(LogFormat::Text),
        Some(f) if f == "text" => Ok(LogFormat::Text),
        Some(f) if f == "json" => Ok(LogFormat::Json),
        Some(other) => Err(ConfigError::new(
            "LOG_FORMAT",
            format!("`{other}` is not a log format (text or json)"),
        )),
    }
}

/// Comma- or space-separated CIDRs (`10.0.0.0/8`) or single addresses (`192.0.2.7`).
fn parse_proxies(value: &str) -> Read<Vec<IpNet>> {
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
