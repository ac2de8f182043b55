//! What every request goes through, as one layer on every route: its span, the security
//! headers, a panic turned into a 500, the tool-call metrics, and the access log line at its
//! end.
//!
//! Every request runs in a `request` span (method and matched route, never the URI: tool URLs
//! carry signatures) and ends with one `response` line: status, latency, and for a failure its
//! reason (and its cause, for server errors). What strangers can provoke is bounded: error
//! lines are let through at about one a second per route and status, successes at fifty, and
//! the rest are counted (`log_budget`). Health probes log at debug level.
//!
//! One hand-written layer rather than a stack of five header layers, a panic catcher and a
//! `from_fn` middleware: those boxed the response body and the request's future and cloned
//! the stack below them on every request, which halved the rate at which forged tool URLs
//! could be refused (BENCHMARKS.md §6).

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use pin_project_lite::pin_project;
use tower::{Layer, Service};
use tracing::Span;

use crate::error::{Error, Failure};
use crate::log_budget::{LogBudget, Topic};
use crate::metrics::Metrics;
use crate::tools::{self, Tool};

/// The route name of requests no route matched.
const UNMATCHED: &str = "<unmatched>";

struct Shared {
    /// The largest request body; set here rather than as a layer of its own, which would box
    /// and clone every route once more per request.
    body_limit: DefaultBodyLimit,
    budget: Arc<LogBudget>,
    metrics: Arc<Metrics>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

/// The layer; `headers` are set on every answer that does not set its own.
#[derive(Clone)]
pub(super) struct EdgeLayer(Arc<Shared>);

impl EdgeLayer {
    /// Limits bodies to `max_body` bytes (413 beyond), logs within `budget`, counts tool
    /// calls in `metrics`, adds `headers`.
    pub(super) fn new(
        max_body: usize,
        budget: Arc<LogBudget>,
        metrics: Arc<Metrics>,
        headers: Vec<(HeaderName, HeaderValue)>,
    ) -> Self {
        Self(Arc::new(Shared {
            body_limit: DefaultBodyLimit::max(max_body),
            budget,
            metrics,
            headers,
        }))
    }
}

impl<S> Layer<S> for EdgeLayer {
    type Service = Edge<<DefaultBodyLimit as Layer<S>>::Service>;

    fn layer(&self, inner: S) -> Self::Service {
        Edge {
            inner: self.0.body_limit.layer(inner),
            shared: Arc::clone(&self.0),
        }
    }
}

/// The service [`EdgeLayer`] wraps a route in.
#[derive(Clone)]
pub(super) struct Edge<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Service<Request> for Edge<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = EdgeFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let started = Instant::now();
        let route = request.extensions().get::<MatchedPath>().cloned();
        let tool = route.as_ref().and_then(|r| tools::by_route(r.as_str()));
        let method = request.method().clone();
        // A tool call gets its span once it does real work (its first wait), or when its
        // answer is logged: a forged URL, refused in its first poll, costs no span at all. Its
        // refusal line names the route itself.
        let span = tool
            .is_none()
            .then(|| request_span(&method, route.as_ref()));
        let inner = match &span {
            Some(span) => span.in_scope(|| self.inner.call(request)),
            None => self.inner.call(request),
        };
        EdgeFuture {
            inner,
            span,
            started,
            route,
            tool,
            method,
            shared: Arc::clone(&self.shared),
        }
    }
}

/// The span every line about a request is in: its method and matched route.
fn request_span(method: &Method, route: Option<&MatchedPath>) -> Span {
    tracing::info_span!(
        "request",
        method = %method,
        route = route.map_or(UNMATCHED, MatchedPath::as_str),
    )
}

pin_project! {
    /// A request in flight through [`Edge`].
    pub(crate) struct EdgeFuture<F> {
        #[pin]
        inner: F,
        span: Option<Span>,
        started: Instant,
        route: Option<MatchedPath>,
        tool: Option<&'static Tool>,
        method: Method,
        shared: Arc<Shared>,
    }
}

impl<F> Future for EdgeFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut inner = this.inner;
        let polled = {
            let _entered = this.span.as_ref().map(Span::enter);
            std::panic::catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx)))
        };
        let mut response = match polled {
            Ok(Poll::Pending) => {
                if this.span.is_none() {
                    *this.span = Some(request_span(this.method, this.route.as_ref()));
                }
                return Poll::Pending;
            }
            Ok(Poll::Ready(Ok(response))) => response,
            Ok(Poll::Ready(Err(never))) => match never {},
            // The panic's message went to stderr through the panic hook.
            Err(_) => Error::internal("a handler panicked").into_response(),
        };
        let headers = response.headers_mut();
        headers.reserve(this.shared.headers.len());
        for (name, value) in &this.shared.headers {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
        let route = this.route.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
        if let Some(tool) = this.tool {
            count_tool_call(&this.shared.metrics, tool.name, &response, this.started);
        }
        let (method, matched) = (&*this.method, this.route.as_ref());
        let span = this.span;
        log_response(&this.shared.budget, route, &response, this.started, || {
            span.get_or_insert_with(|| request_span(method, matched))
                .clone()
        });
        Poll::Ready(Ok(response))
    }
}

/// Counts a tool call that got past its signature, by outcome (`ok`, or the error's short
/// reason), with its duration. Refused signatures are counted apart (`presign_refusals`), so
/// strangers cannot skew the tools' figures.
fn count_tool_call(metrics: &Metrics, tool: &'static str, response: &Response, started: &Instant) {
    let outcome = match response.extensions().get::<Failure>() {
        Some(failure) if failure.presign => return,
        Some(failure) => failure.reason,
        None if response.status().is_success() => "ok",
        // An answer that is neither ours nor a success (a framework rejection).
        None => "error",
    };
    metrics.tool_call(tool, outcome, started.elapsed());
}

/// The `response` line, within the budget, in the request's span (`span` gives it).
fn log_response(
    budget: &LogBudget,
    route: &str,
    response: &Response,
    started: &Instant,
    span: impl FnOnce() -> Span,
) {
    let status = response.status();
    // Milliseconds to a tenth.
    let latency_ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    if matches!(route, "/healthz" | "/readyz") && status.is_success() {
        if tracing::enabled!(tracing::Level::DEBUG) {
            let span = span();
            let _entered = span.enter();
            tracing::debug!(status = status.as_u16(), latency_ms, "response");
        }
        return;
    }
    let Some(not_logged) = budget.admit(Topic::Response(status.as_u16()), route) else {
        return;
    };
    let span = span();
    let _entered = span.enter();
    let failure = response.extensions().get::<Failure>();
    let error = failure.map(|f| f.reason);
    let cause = failure.and_then(|f| f.cause.as_deref());
    let not_logged_before = (not_logged > 0).then_some(not_logged);
    // A level is part of a log line's static metadata: one macro call per level.
    macro_rules! line {
        ($level:ident) => {
            tracing::$level!(
                status = status.as_u16(),
                latency_ms,
                error,
                cause,
                not_logged_before,
                "response"
            )
        };
    }
    if status.is_server_error() {
        line!(error);
    } else {
        line!(info);
    }
}
