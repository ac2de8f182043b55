//! Prometheus metrics (docs/operations.md, Metrics), kept in a registry of this process state's own (no
//! global recorder: several routers in one process, as in tests, count apart) and served as
//! text on their own listener at `METRICS_ADDR`, never on the public port.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Latency buckets in seconds: a tool must answer within 5 s, Google usually within 1.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.5, 10.0,
];

/// Label sets: each a struct of named `&'static str` labels.
macro_rules! labels {
    ($($name:ident { $($label:ident),+ })*) => {
        $(
            #[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
            struct $name { $($label: &'static str),+ }
        )*
    };
}

labels! {
    ToolOutcome { tool, outcome }
    ToolLabel { tool }
    ApiLabel { api }
    ReasonLabel { reason }
    OutcomeLabel { outcome }
    StateLabel { state }
}

fn histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// The metrics, one line each: field, type, name and help text (the table the operations
/// guide gives), registered in one registry. Counters get `_total` appended when encoded.
macro_rules! metrics {
    ($($field:ident: $type:ty = $name:literal, $help:literal $(, $new:expr)?;)*) => {
        /// The service's metrics.
        pub struct Metrics {
            registry: Mutex<Registry>,
            $($field: $type,)*
        }

        impl Default for Metrics {
            fn default() -> Self {
                let mut registry = Registry::default();
                $(
                    let $field: $type = metrics!(@new $($new)?);
                    registry.register($name, $help, $field.clone());
                )*
                Self { registry: Mutex::new(registry), $($field,)* }
            }
        }
    };
    (@new $new:expr) => { $new };
    (@new) => { Default::default() };
}

metrics! {
    tool_calls: Family<ToolOutcome, Counter> = "calendar_agent_tool_calls",
        "Tool webhook calls by tool and outcome (ok, or the error's short reason)";
    tool_duration: Histograms<ToolLabel> = "calendar_agent_tool_duration_seconds",
        "Time from a tool call's arrival to its answer",
        Histograms::new_with_constructor(histogram as fn() -> _);
    google_duration: Histograms<ApiLabel> = "calendar_agent_google_request_duration_seconds",
        "Time spent in one piece of Google work, by the API method it starts with",
        Histograms::new_with_constructor(histogram as fn() -> _);
    presign_refusals: Family<ReasonLabel, Counter> = "calendar_agent_presign_refusals",
        "Tool calls refused by their presigned URL, by reason";
    session_mints: Family<OutcomeLabel, Counter> = "calendar_agent_session_mints",
        "Anam session tokens asked for, by outcome";
    token_refreshes: Family<OutcomeLabel, Counter> = "calendar_agent_token_refreshes",
        "Google access-token refreshes, by outcome";
    log_lines_dropped: Counter = "calendar_agent_log_lines_dropped",
        "Log lines dropped because the log output was not keeping up";
    pool_connections: Family<StateLabel, Gauge> = "calendar_agent_db_pool_connections",
        "Database connections of the requests' pool, by state (in_use, idle)";
    relay_up: Gauge = "calendar_agent_change_relay_up",
        "1 while the PostgreSQL LISTEN connection of the change relay works (its self-check \
         heard back), else 0 (always 0 on SQLite, which needs no relay)";
    relay_reconnects: Counter = "calendar_agent_change_relay_reconnects",
        "Times the change relay reconnected after losing its LISTEN connection";
    renewal_failures: Counter = "calendar_agent_channel_renewal_failures",
        "Push-channel renewals that failed (they are tried again)";
    undecryptable_grants: Counter = "calendar_agent_undecryptable_grants",
        "Reads of a stored grant that no configured TOKEN_ENCRYPTION_KEY opens";
}

impl Metrics {
    /// A tool call answered: `outcome` is `ok` or the error's short reason.
    pub fn tool_call(&self, tool: &'static str, outcome: &'static str, took: Duration) {
        self.tool_calls
            .get_or_create(&ToolOutcome { tool, outcome })
            .inc();
        self.tool_duration
            .get_or_create(&ToolLabel { tool })
            .observe(took.as_secs_f64());
    }

    /// One piece of Google work that started with method `api` (e.g. `events.list`).
    pub fn google_request(&self, api: &'static str, took: Duration) {
        self.google_duration
            .get_or_create(&ApiLabel { api })
            .observe(took.as_secs_f64());
    }

    /// A tool URL refused, with the verifier's short reason.
    pub fn presign_refusal(&self, reason: &'static str) {
        self.presign_refusals
            .get_or_create(&ReasonLabel { reason })
            .inc();
    }

    /// A session-token request answered: `ok` or the error's short reason.
    pub fn session_mint(&self, outcome: &'static str) {
        self.session_mints
            .get_or_create(&OutcomeLabel { outcome })
            .inc();
    }

    /// An access-token refresh: `ok`, `invalid_grant` or `error`.
    pub fn token_refresh(&self, outcome: &'static str) {
        self.token_refreshes
            .get_or_create(&OutcomeLabel { outcome })
            .inc();
    }

    /// Log lines the writer dropped since the last report.
    pub fn log_lines_dropped(&self, n: u64) {
        self.log_lines_dropped.inc_by(n);
    }

    /// The requests' pool: `size` connections open, `idle` of them idle.
    pub fn pool(&self, size: u32, idle: usize) {
        let idle = i64::try_from(idle).unwrap_or(i64::MAX);
        self.pool_connections
            .get_or_create(&StateLabel { state: "idle" })
            .set(idle);
        self.pool_connections
            .get_or_create(&StateLabel { state: "in_use" })
            .set(i64::from(size) - idle);
    }

    /// The change relay's connection is up (or not).
    pub fn relay(&self, up: bool) {
        self.relay_up.set(i64::from(up));
    }

    /// The change relay reconnected.
    pub fn relay_reconnected(&self) {
        self.relay_reconnects.inc();
    }

    /// Whether the change relay is up.
    pub fn relay_is_up(&self) -> bool {
        self.relay_up.get() == 1
    }

    /// A push-channel renewal failed.
    pub fn renewal_failed(&self) {
        self.renewal_failures.inc();
    }

    /// A stored grant did not decrypt.
    pub fn undecryptable_grant(&self) {
        self.undecryptable_grants.inc();
    }

    /// Everything in Prometheus' text format (OpenMetrics).
    pub fn render(&self) -> String {
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &registry) {
            tracing::warn!(error = %e, "metrics could not be encoded");
        }
        out
    }
}

/// The metrics listener's routes: `GET /metrics` only.
pub(crate) fn router(metrics: Arc<Metrics>) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let metrics = Arc::clone(&metrics);
            async move {
                (
                    StatusCode::OK,
                    [(
                        header::CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )],
                    metrics.render(),
                )
                    .into_response()
            }
        }),
    )
}

/// Serves [`router`] on `listener` until `shutdown` resolves.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    metrics: Arc<Metrics>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(metrics).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_are_the_documented_ones() {
        let m = Metrics::default();
        m.tool_call("list_events", "ok", Duration::from_millis(120));
        m.google_request("events.list", Duration::from_millis(80));
        m.presign_refusal("wrong_signature");
        m.session_mint("ok");
        m.token_refresh("ok");
        let text = m.render();
        for line in [
            r#"calendar_agent_tool_calls_total{tool="list_events",outcome="ok"} 1"#,
            r#"calendar_agent_tool_duration_seconds_count{tool="list_events"} 1"#,
            r#"calendar_agent_tool_duration_seconds_bucket{le="0.25",tool="list_events"} 1"#,
            r#"calendar_agent_google_request_duration_seconds_count{api="events.list"} 1"#,
            r#"calendar_agent_presign_refusals_total{reason="wrong_signature"} 1"#,
            r#"calendar_agent_session_mints_total{outcome="ok"} 1"#,
            r#"calendar_agent_token_refreshes_total{outcome="ok"} 1"#,
            "calendar_agent_log_lines_dropped_total 0",
            "calendar_agent_change_relay_up 0",
            "calendar_agent_change_relay_reconnects_total 0",
            "calendar_agent_channel_renewal_failures_total 0",
            "calendar_agent_undecryptable_grants_total 0",
        ] {
            assert!(text.contains(line), "{line} in:\n{text}");
        }
    }
}
