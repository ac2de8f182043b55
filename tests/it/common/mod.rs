//! Test harness: the real router on a random loopback port, configured from a map, with its own
//! SQLite file and a wiremock server standing in for Google.
#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod discovery;
pub mod fake_calendar;
pub mod fake_events;
pub mod fake_google;
pub mod fake_people;
pub mod fake_series;
pub mod postgres;
pub mod process;
pub mod routes;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use calendar_agent::{AppState, Config, app};
use tokio::net::TcpListener;
use wiremock::MockServer;

/// A fixed token-encryption key for tests.
/// The user most tests act as.
pub const ADA: &str = "ada@example.com";

pub const TEST_TOKEN_KEY: &str = "fe3e39be8702afb75a2d03cb19acff4939585f7c96a5d5663524061149dff7a1";

/// A running server, the mock Google it talks to, and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:{port}`.
    pub address: String,
    /// The configuration the server runs with.
    pub config: Config,
    /// The server's state (store, token cache) for assertions.
    pub state: AppState,
    /// A client that follows no redirects and uses no proxy.
    pub client: reqwest::Client,
    /// Stands in for every Google endpoint.
    pub google: MockServer,
    /// Holds the SQLite file; deleted when the test ends.
    pub dir: tempfile::TempDir,
    /// The access tokens fake Google issued and their scopes (what its Calendar guard checks).
    pub tokens: fake_google::Tokens,
}

/// [`TEST_TOKEN_KEY`]'s 32 bytes, for a store opened by hand.
pub fn test_token_key() -> [u8; 32] {
    let bytes =
        (0..32).map(|i| u8::from_str_radix(&TEST_TOKEN_KEY[2 * i..2 * i + 2], 16).expect("hex"));
    let bytes: Vec<u8> = bytes.collect();
    bytes.try_into().expect("32 bytes")
}

/// A presign secret of the required length for tests.
pub const TEST_PRESIGN_SECRET: &str = "test-presign-secret-7Kq2Wm9xR4tZ8vL3";

/// Test-only overrides of `Config::budgets` (in milliseconds), passed with the variables: a test
/// of what happens when a budget runs out need not wait the real seconds. Not environment
/// variables.
pub const TOOL_BUDGET_MS: &str = "budget:tool_call_ms";
/// See [`TOOL_BUDGET_MS`].
pub const BACKGROUND_BUDGET_MS: &str = "budget:background_call_ms";
/// See [`TOOL_BUDGET_MS`]: the first backoff of background work refused for now.
pub const BACKGROUND_RETRY_MS: &str = "budget:background_retry_ms";
/// See [`TOOL_BUDGET_MS`].
pub const OAUTH_BUDGET_MS: &str = "budget:oauth_call_ms";
/// See [`TOOL_BUDGET_MS`].
pub const RELAY_CHECK_MS: &str = "budget:relay_check_ms";
/// Test-only: this instance's clock runs this many seconds ahead (`Config::clock`).
pub const CLOCK_AHEAD_S: &str = "clock:ahead_s";

/// Starts the app with test defaults overridden by `overrides` (an empty value unsets a
/// variable; `{app}` in a value stands for the app's own address, `{google}` for the mock's;
/// [`TOOL_BUDGET_MS`] and its siblings shorten the time budgets).
pub async fn spawn_app(overrides: &[(&str, &str)]) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    let google = MockServer::start().await;
    let tokens = fake_google::Tokens::default();
    discovery::guard(&google).await;
    fake_google::guard(&google, &tokens).await;
    fake_calendar::mount_defaults(&google).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let g = google.uri();
    let db = format!("sqlite://{}", dir.path().join("test.db").display());
    let mut vars: HashMap<String, String> = [
        ("PRESIGN_SECRET", TEST_PRESIGN_SECRET),
        // A tunnel-like public URL that differs from the address tests call, as with ngrok.
        ("PUBLIC_BASE_URL", "https://demo.ngrok.app"),
        (
            "GOOGLE_CLIENT_ID",
            "test-client-id.apps.googleusercontent.com",
        ),
        ("GOOGLE_CLIENT_SECRET", "test-client-secret"),
        (
            "GOOGLE_REDIRECT_URI",
            "https://demo.ngrok.app/api/auth/google/callback",
        ),
        (
            "GOOGLE_AUTH_URL",
            "https://accounts.example.test/o/oauth2/v2/auth",
        ),
        ("GOOGLE_TOKEN_URL", &format!("{g}/token")),
        ("GOOGLE_USERINFO_URL", &format!("{g}/userinfo")),
        ("GOOGLE_REVOKE_URL", &format!("{g}/revoke")),
        ("GOOGLE_CALENDAR_BASE_URL", &format!("{g}/calendar/v3/")),
        ("GOOGLE_PEOPLE_BASE_URL", &format!("{g}/people/v1/")),
        ("DATABASE_URL", &db),
        // Anam's API on the same mock server (its paths start with /v1).
        ("ANAM_API_BASE_URL", &g),
        ("ANAM_API_KEY", "test-anam-key"),
        ("ANAM_AVATAR_ID", "avatar-test"),
        ("ANAM_VOICE_ID", "voice-test"),
        ("ANAM_LLM_ID", "llm-test"),
        ("TOKEN_ENCRYPTION_KEY", TEST_TOKEN_KEY),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (k, v) in overrides {
        if v.is_empty() {
            vars.remove(*k);
        } else {
            let value = v.replace("{app}", &address).replace("{google}", &g);
            vars.insert((*k).to_owned(), value);
        }
    }
    let mut config =
        Config::from_lookup(|name| vars.get(name).cloned()).expect("valid test config");
    for (key, budget) in [
        (TOOL_BUDGET_MS, &mut config.budgets.tool_call),
        (BACKGROUND_BUDGET_MS, &mut config.budgets.background_call),
        (BACKGROUND_RETRY_MS, &mut config.budgets.background_retry),
        (OAUTH_BUDGET_MS, &mut config.budgets.oauth_call),
        (RELAY_CHECK_MS, &mut config.budgets.relay_check),
    ] {
        if let Some(ms) = vars.get(key) {
            *budget = Duration::from_millis(ms.parse().expect("a budget in milliseconds"));
        }
    }
    if let Some(seconds) = vars.get(CLOCK_AHEAD_S) {
        config.clock = calendar_agent::clock::Clock::ahead_by(seconds.parse().expect("seconds"));
    }
    let state = AppState::build(config.clone()).await.expect("state");
    calendar_agent::background::start(&state);
    let router = app(state.clone());
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
        state,
        client,
        google,
        dir,
        tokens,
    }
}

impl TestApp {
    /// The local address for a public URL (same path and query, our loopback origin).
    pub fn local(&self, public_url: &str) -> String {
        let rest = public_url
            .strip_prefix(&self.config.server.public_base_url)
            .expect("URL under PUBLIC_BASE_URL");
        format!("{}{rest}", self.address)
    }

    /// Mounts fake Google's OAuth endpoints; access tokens last `expires_in` seconds.
    pub async fn mount_google(&self, expires_in: u64) {
        fake_google::mount(&self.google, &self.tokens, expires_in).await;
    }

    /// A user with a stored grant whose refresh works (fake Google mounted, 1-hour tokens).
    pub async fn connect(&self, user: &str) {
        let token = calendar_agent::secret::Secret::new(fake_google::refresh_token_for(user));
        self.state
            .store
            .save_grant(user, user, &token, fake_google::GRANTED)
            .await
            .expect("save grant");
    }

    /// A tool URL for `path` signed for `user`, valid for ten minutes.
    pub fn tool_url(&self, path: &str, user: &str) -> String {
        calendar_agent::presign::presign_url(
            &self.config.signing.presign,
            &self.config.public_url(path),
            user,
            calendar_agent::clock::unix_now() + 600,
        )
    }

    /// The URL of the tool at `path` as a session minted at `minted` (unix seconds) signs it:
    /// each tool's URL expires its own life after Start.
    pub fn session_url(&self, path: &str, user: &str, minted: u64) -> String {
        let life = calendar_agent::tools::by_route(path)
            .map_or(calendar_agent::tools::UrlLife::Session, |t| t.url_life)
            .seconds(&self.config);
        calendar_agent::presign::presign_url(
            &self.config.signing.presign,
            &self.config.public_url(path),
            user,
            minted + life,
        )
    }

    /// `http://127.0.0.1:{port}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
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

    /// GET with a `Cookie` header.
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .expect("request")
    }

    /// `GET /api/auth/google`: the redirect to consent and the state cookie.
    pub async fn start_sign_in(&self) -> reqwest::Response {
        self.client
            .get(self.url("/api/auth/google"))
            .send()
            .await
            .expect("start")
    }

    /// Starts a browser sign-in and comes back from Google's consent with `code`: the
    /// callback's response.
    pub async fn callback_with(&self, code: &str) -> reqwest::Response {
        let start = self.start_sign_in().await;
        assert_eq!(start.status().as_u16(), 303);
        let oauth_cookie = cookie_pair(&start, "oauth_state").expect("state cookie");
        let consent = location(&start);
        let state = query_param(&consent, "state").expect("state param");
        // The user ticks everything the consent screen asks for, and no more.
        let decoded: String = form_urlencoded::parse(format!("c={code}").as_bytes())
            .map(|(_, v)| v.into_owned())
            .collect();
        if let Some(email) = decoded.strip_prefix("code:") {
            let asked = query_param(&consent, "scope").expect("scope param");
            self.tokens.consent(email, &asked);
        }
        self.client
            .get(self.url(&format!(
                "/api/auth/google/callback?code={code}&state={state}"
            )))
            .header("cookie", oauth_cookie)
            .send()
            .await
            .expect("callback")
    }

    /// Runs the whole browser sign-in against the fake Google (which must be mounted) and
    /// returns the `userId=…` cookie pair.
    pub async fn sign_in(&self, email: &str) -> String {
        let callback = self.callback_with(&fake_google::code_for(email)).await;
        assert_eq!(callback.status().as_u16(), 303, "callback for {email}");
        assert_eq!(location(&callback), "/");
        cookie_pair(&callback, "userId").expect("userId cookie")
    }

    /// Whether the Google/Anam mock has received no request at all.
    pub async fn google_untouched(&self) -> bool {
        self.google
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    }

    /// POSTs `args` to the tool at `path`, signed for `user`.
    pub async fn call_tool(
        &self,
        path: &str,
        user: &str,
        args: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        json_of(self.post_json(&self.tool_url(path, user), &args).await).await
    }
}

/// The store a backend-parameterised test runs on.
pub enum Db {
    /// The embedded default, a file in the test's folder.
    Sqlite,
    /// A fresh database on the test PostgreSQL cluster.
    Postgres(String),
}

impl Db {
    /// A fresh PostgreSQL database, or `None` (skipped, said so) when there is none locally.
    pub async fn postgres() -> Option<Self> {
        postgres::fresh_database().await.map(Self::Postgres)
    }

    /// Starts the app on this store.
    pub async fn spawn(&self, overrides: &[(&str, &str)]) -> TestApp {
        match self {
            Self::Sqlite => spawn_app(overrides).await,
            Self::Postgres(url) => {
                let mut all: Vec<(&str, &str)> = vec![("DATABASE_URL", url.as_str())];
                all.extend_from_slice(overrides);
                spawn_app(&all).await
            }
        }
    }
}

/// Runs each test body once on SQLite and once on PostgreSQL (`sqlite::name`,
/// `postgres::name`): the same behaviour is required of both stores.
#[allow(unused_macros)] // the examples that borrow this harness do not use it
macro_rules! on_both_backends {
    ($(async fn $name:ident($db:ident) $body:block)+) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $db = crate::common::Db::Sqlite;
                    $body
                }
            )+
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
                async fn $name() {
                    let Some($db) = crate::common::Db::postgres().await else {
                        return;
                    };
                    $body
                }
            )+
        }
    };
}

/// The app with `user` connected: fake Google mounted (1-hour tokens) and a grant stored.
pub async fn spawn_with_user(overrides: &[(&str, &str)], user: &str) -> TestApp {
    let app = spawn_app(overrides).await;
    app.mount_google(3600).await;
    app.connect(user).await;
    app
}

/// The `name=value` part of the response's `Set-Cookie` for `name`, if set (and not a removal).
pub fn cookie_pair(response: &reqwest::Response, name: &str) -> Option<String> {
    set_cookie(response, name)
        .map(|c| c.split(';').next().unwrap_or("").to_owned())
        .filter(|pair| pair.len() > name.len() + 1)
}

/// The full `Set-Cookie` header for `name`.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The `Location` header.
pub fn location(response: &reqwest::Response) -> String {
    location_of(response)
}

fn location_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location header")
        .to_owned()
}

/// A decoded query parameter of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let parsed = url::Url::parse(url)
        .or_else(|_| url::Url::parse(&format!("http://x{url}")))
        .ok()?;
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Reads a response as `(status, JSON body)`.
pub async fn json_of(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, json)
}

/// Asserts an error answer as docs/api.md shapes it: the status, the short reason, and a
/// sentence the avatar can say (a whole sentence, no Rust or SQL in it).
#[track_caller]
pub fn assert_error(status: u16, body: &serde_json::Value, want_status: u16, reason: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"], reason, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.len() > 10 && message.ends_with(['.', '?', '!']),
        "a sayable sentence: {body}"
    );
    assert!(
        !message.contains("sqlx") && !message.contains("panicked") && !message.contains("Error {"),
        "nothing internal in the sentence: {message}"
    );
}

/// How many drafts and change proposals the app's SQLite store holds (read from the side, as
/// an operator would): what "nothing stored" is checked against.
pub async fn stored_items(app: &TestApp) -> i64 {
    let pool = sqlx::SqlitePool::connect(&app.config.store.database_url)
        .await
        .expect("the test store");
    let n = sqlx::query_scalar("SELECT COUNT(*) FROM meeting_drafts")
        .fetch_one(&pool)
        .await
        .expect("count");
    pool.close().await;
    n
}
