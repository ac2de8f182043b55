//! `tracing` logs filtered by `RUST_LOG` (default `info`): human text, or with
//! `LOG_FORMAT=json` one JSON object per line with the same fields (the request span's method
//! and route included), for log collectors.
//!
//! Lines go to stderr through a non-blocking writer: a request never waits for the log. If
//! stderr cannot keep up (a slow pipe, a full disk), lines beyond a bounded queue are dropped
//! and counted; the count is logged and exported as a metric each second.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Lines queued for stderr at most; beyond this they are dropped, never waited for.
const QUEUED_LINES: usize = 64_000;

static DROPPED: OnceLock<ErrorCounter> = OnceLock::new();
static REPORTED: AtomicUsize = AtomicUsize::new(0);

/// Installs the global subscriber. Safe to call once per process. Keep the guard until exit:
/// dropping it flushes what is queued.
pub fn init(format: LogFormat) -> WorkerGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(QUEUED_LINES)
        .thread_name("log-writer")
        .finish(std::io::stderr());
    let _ = DROPPED.set(writer.error_counter());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(writer);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    guard
}

/// Lines dropped since the last call (0 before [`init`]).
pub(crate) fn take_dropped_lines() -> u64 {
    let Some(counter) = DROPPED.get() else {
        return 0;
    };
    let total = counter.dropped_lines();
    let before = REPORTED.swap(total, Ordering::Relaxed);
    total.saturating_sub(before) as u64
}
