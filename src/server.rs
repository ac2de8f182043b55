//! Binding, start-up report and graceful shutdown.

use std::io;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::config::{Config, SecretSource};
use crate::routes::app;
use crate::state::AppState;

/// Binds `HOST:PORT`, reports what is missing, and serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> io::Result<()> {
    let listener = TcpListener::bind((config.host, config.port))
        .await
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot listen on {}:{}: {e}", config.host, config.port),
            )
        })?;
    let addr = listener.local_addr()?;
    // Report only once everything has opened, so "listening" is never followed by a failure.
    let state = AppState::build(config)
        .await
        .map_err(|e| io::Error::other(e.to_string()))?;
    report_startup(&state.config, addr);
    state.start_background();
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
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
    tracing::info!("shutting down");
}
