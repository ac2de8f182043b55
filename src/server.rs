//! Binding, start-up report and graceful shutdown.

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

/// After SIGTERM or Ctrl-C, how long in-flight requests get before the process exits anyway
/// (orchestrators usually kill at 10 s).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(8);

/// Binds `HOST:PORT` (and `METRICS_ADDR` when set), reports what is missing, and serves until
/// Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> io::Result<()> {
    let listener = bind((config.host, config.port).into(), "HOST:PORT").await?;
    let metrics_listener = match config.metrics_addr {
        Some(addr) => Some(bind(addr, "METRICS_ADDR").await?),
        None => None,
    };
    let addr = listener.local_addr()?;
    // Report only once everything has opened, so "listening" is never followed by a failure.
    let state = AppState::build(config)
        .await
        .map_err(|e| io::Error::other(e.to_string()))?;
    report_startup(&state.config, addr);
    state.start_background();
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

    let signalled = state.clone();
    let graceful = async move {
        shutdown_signal().await;
        // Open event streams end; in-flight requests run to their end.
        signalled.begin_shutdown();
    };
    let serving = axum::serve(
        listener,
        app(state.clone()).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(graceful)
    .into_future();
    let deadline = async {
        state.stopping().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        served = serving => served?,
        () = deadline => tracing::warn!(
            "requests still running {} s after the signal; exiting anyway",
            SHUTDOWN_GRACE.as_secs()
        ),
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
    tracing::info!(public_base_url = %config.public_base_url, "tool URLs are signed for this address");
    if config.presign_source == SecretSource::GeneratedForThisProcess {
        tracing::warn!(
            "PRESIGN_SECRET is not set: using a random secret for this process only. Tool URLs \
             and sign-in cookies stop working at every restart. Run `calendar-agent secret` and \
             put the result in .env as PRESIGN_SECRET."
        );
    }
    for (old, new) in &config.deprecated {
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
    tracing::info!("shutting down: no new connections; open requests may finish");
}
