//! Test harness: the real router on a random loopback port, configured from a map.
#![allow(dead_code)] // each test binary uses a different part of the harness

use std::collections::HashMap;
use std::net::SocketAddr;

use calendar_agent::{AppState, Config, app};
use tokio::net::TcpListener;

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:{port}`.
    pub address: String,
    /// The configuration the server runs with.
    pub config: Config,
    /// A client that follows no redirects and uses no proxy.
    pub client: reqwest::Client,
}

/// The settings every test starts from: a fixed secret and a tunnel-like public URL that differs
/// from the address the test actually calls, as with ngrok.
pub fn base_vars() -> HashMap<String, String> {
    [
        ("PRESIGN_SECRET", "test-presign-secret"),
        ("PUBLIC_BASE_URL", "https://demo.ngrok.app"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Starts the app with `base_vars()` overridden by `overrides`.
pub async fn spawn_app(overrides: &[(&str, &str)]) -> TestApp {
    let mut vars = base_vars();
    for (k, v) in overrides {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("valid test config");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    let router = app(AppState::new(config.clone()));
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("server");
    });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client");
    TestApp {
        address,
        config,
        client,
    }
}

impl TestApp {
    /// The local address for a public URL (same path and query, our loopback origin).
    pub fn local(&self, public_url: &str) -> String {
        let rest = public_url
            .strip_prefix(&self.config.public_base_url)
            .expect("URL under PUBLIC_BASE_URL");
        format!("{}{rest}", self.address)
    }

    /// POSTs a JSON body to a public (presigned) URL.
    pub async fn post_json(&self, public_url: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.local(public_url))
            .json(body)
            .send()
            .await
            .expect("request")
    }
}

/// Reads a response as `(status, JSON body)`.
pub async fn json_of(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, json)
}
