//! Binding, start-up report and the drain on SIGTERM.
//!
//! Rolling restarts lose nothing (docs/operations.md, Guarantees): on SIGTERM `/readyz` answers 503 at once,
//! the listener keeps serving for `SHUTDOWN_GRACE_SECONDS` so the load balancer can stop
//! sending, then no new connection is taken, in-flight requests finish and open streams end,
//! background work stops at a safe point, and the pool closes, all within [`STOP_BUDGET`].

use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::config::{Config, SecretSource};
use crate::metrics;
use crate::routes::app;
use crate::state::AppState;

/// After the grace, how long in-flight requests, background work and the pool get before the
/// process exits anyway (orchestrators kill at grace + this, or later).
pub(crate) const STOP_BUDGET: Duration = Duration::from_secs(10);

/// Binds `HOST:PORT` (and `METRICS_ADDR` when set), reports what is missing, and serves until
/// Ctrl-C or SIGTERM, then drains.
pub async fn run(config: Config) -> io::Result<()> {
    let listener = bind((config.server.host, config.server.port).into(), "HOST:PORT").await?;
    let metrics_listener = match config.server.metrics_addr {
        Some(addr) => Some(bind(addr, "METRICS_ADDR").await?),
        None => None,
    };
    let addr = listener.local_addr()?;
    // Report only once everything has opened, so "listening" is never followed by a failure.
    let state = AppState::build(config)
        .await
        .map_err(|e| io::Error::other(e.to_string()))?;
    report_startup(&state.config, addr);
    crate::background::start(&state);
    if let Some(listener) = metrics_listener {
        tracing::info!("metrics on http://{}/metrics", listener.local_addr()?);
        let (metrics, stopping) = (Arc::clone(&state.metrics), state.clone());
        tokio::spawn(async move {
            let stopped = async move { stopping.stopping().await };
            if let Err(e) = metrics::serve(listener, metrics, stopped).await {
                tracing::error!(error = %e, "the metrics listener failed");
            }
        });
    }

    let draining = state.clone();
    let grace = state.config.server.shutdown_grace;
    let stopped_at = Arc::new(std::sync::OnceLock::new());
    let stop_began = Arc::clone(&stopped_at);
    let graceful = async move {
        shutdown_signal().await;
        draining.begin_drain();
        tracing::info!(
            grace_s = grace.as_secs(),
            "draining: /readyz answers 503; still serving until the grace ends"
        );
        tokio::time::sleep(grace).await;
        tracing::info!("no new connections; open requests may finish");
        // Open event streams end; in-flight requests run to their end.
        let _ = stop_began.set(tokio::time::Instant::now());
        draining.begin_shutdown();
    };
    let serving = axum::serve(
        listener,
        app(state.clone()).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(graceful)
    .into_future();
    let stop_by = async {
        state.stopping().await;
        tokio::time::sleep(STOP_BUDGET).await;
    };
    tokio::select! {
        served = serving => served?,
        () = stop_by => tracing::warn!(
            "requests still running {} s after the grace; exiting anyway",
            STOP_BUDGET.as_secs()
        ),
    }
    // Whatever is left of the budget goes to background work, then the pool closes.
    let spent = stopped_at.get().map_or(Duration::ZERO, |at| at.elapsed());
    let left = STOP_BUDGET.saturating_sub(spent);
    if !state
        .background
        .stop(left.max(Duration::from_secs(1)))
        .await
    {
        tracing::warn!(
            running = state.background.running(),
            "background work still running; exiting anyway"
        );
    }
    if tokio::time::timeout(Duration::from_secs(2), state.store.close())
        .await
        .is_err()
    {
        tracing::warn!("the database pool did not close in time");
    }
    tracing::info!("stopped");
    Ok(())
}

async fn bind(addr: SocketAddr, what: &str) -> io::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("cannot listen on {addr} ({what}): {e}")))
}

fn report_startup(config: &Config, addr: SocketAddr) {
    let shown = if addr.ip().is_loopback() {
        format!("http://localhost:{}", addr.port())
    } else {
        format!("http://{addr}")
    };
    tracing::info!("calendar-agent listening on {shown}");
    tracing::info!(public_base_url = %config.server.public_base_url, "tool URLs are signed for this address");
    if config.signing.presign_source == SecretSource::GeneratedForThisProcess {
        tracing::warn!(
            "PRESIGN_SECRET is not set: using a random secret for this process only. Tool URLs \
             and sign-in cookies stop working at every restart. Run `calendar-agent secret` and \
             put the result in .env as PRESIGN_SECRET."
        );
    }
    for (old, new) in &config.limits.deprecated {
        tracing::warn!("{old} is an old name: rename it to {new} (it is still read for now)");
    }
    let missing = config.missing();
    if missing.is_empty() {
        tracing::info!("all Anam and Google settings are present");
    } else {
        tracing::warn!(
            "{} setting(s) missing; the routes that need them answer 503 until they are set in .env:",
            missing.len()
        );
        for m in missing {
            tracing::warn!("  [ ] {}: {}", m.variable, m.help);
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
