//! The real binary as a child process: several instances on one database, crashes, logs.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use wiremock::MockServer;

use super::{TEST_PRESIGN_SECRET, TEST_TOKEN_KEY, cookie_pair, fake_google, location, query_param};

/// A running server process.
pub struct Server {
    /// The process (killed when dropped).
    pub child: Child,
    /// `http://127.0.0.1:{port}`.
    pub address: String,
    /// Every line it has written to stderr so far.
    pub log: Arc<Mutex<Vec<String>>>,
}

/// Starts the binary on a free port against fake Google on `google` and the store at
/// `database_url`, with `extra` settings; returns once it says it listens.
pub async fn start_server(
    google: &MockServer,
    database_url: &str,
    extra: &[(&str, &str)],
) -> Server {
    let mut child = server_command(google, database_url, extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("server binary starts");
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let seen = Arc::clone(&log);
    let address = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            seen.lock().expect("lock").push(line.clone());
            if let Some(rest) = line.split("listening on ").nth(1) {
                let url: String = rest
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '"')
                    .collect();
                return url.replace("localhost", "127.0.0.1");
            }
        }
        panic!(
            "the server exited before listening:\n{}",
            seen.lock().expect("lock").join("\n")
        );
    })
    .await
    .expect("listening within 30 s");
    // Keep reading the log so the server never blocks on a full pipe.
    let keep = Arc::clone(&log);
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            keep.lock().expect("lock").push(line);
        }
    });
    Server {
        child,
        address,
        log,
    }
}

/// Runs the binary as [`start_server`] would, with `args` (none: serve), expecting it to exit
/// within 30 s: its exit code and what it wrote to stdout and stderr.
pub async fn run_to_exit(
    google: &MockServer,
    database_url: &str,
    extra: &[(&str, &str)],
    args: &[&str],
) -> (Option<i32>, String) {
    let mut command = server_command(google, database_url, extra);
    command.args(args).kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .expect("exits within 30 s")
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// The binary with the test settings against `google` and `database_url`, then `extra`, run
/// where there is no developer's `.env`.
fn server_command(google: &MockServer, database_url: &str, extra: &[(&str, &str)]) -> Command {
    let g = google.uri();
    // Set for integration tests; an example that borrows this harness never starts the binary.
    let Some(binary) = option_env!("CARGO_BIN_EXE_calendar-agent") else {
        panic!("the server binary is known only to integration tests");
    };
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORT", "0")
        .env("RUST_LOG", "info")
        .env("PRESIGN_SECRET", TEST_PRESIGN_SECRET)
        .env("PUBLIC_BASE_URL", "https://demo.ngrok.app")
        .env("GOOGLE_CLIENT_ID", "id")
        .env("GOOGLE_CLIENT_SECRET", "secret")
        .env("GOOGLE_AUTH_URL", format!("{g}/auth"))
        .env("GOOGLE_TOKEN_URL", format!("{g}/token"))
        .env("GOOGLE_USERINFO_URL", format!("{g}/userinfo"))
        .env("GOOGLE_CALENDAR_BASE_URL", format!("{g}/calendar/v3/"))
        .env("ANAM_API_BASE_URL", &g)
        .env("ANAM_API_KEY", "test-anam-key")
        .env("ANAM_AVATAR_ID", "avatar-test")
        .env("ANAM_VOICE_ID", "voice-test")
        .env("ANAM_LLM_ID", "llm-test")
        .env("DATABASE_URL", database_url)
        .env("TOKEN_ENCRYPTION_KEY", TEST_TOKEN_KEY);
    for (k, v) in extra {
        command.env(k, v);
    }
    command.current_dir(std::env::temp_dir());
    command
}

/// The URL of `route`'s tool on `server`, signed for `user` (as a Start at
/// `https://demo.ngrok.app` would sign it), expiring at `exp`.
pub fn signed_tool_url(server: &Server, route: &str, user: &str, exp: u64) -> String {
    use calendar_agent::presign::{SigningKeys, presign_url};
    use calendar_agent::secret::Secret;
    let keys = SigningKeys::new(Secret::new(TEST_PRESIGN_SECRET));
    let url = presign_url(&keys, &format!("https://demo.ngrok.app{route}"), user, exp);
    let query = url.split_once('?').map_or("", |(_, q)| q);
    format!("{}{route}?{query}", server.address)
}

/// A client that follows no redirects and uses no proxy.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client")
}

/// One browser sign-in at `address`, from the client IP `ip` (`X-Forwarded-For`, believed from
/// loopback); the `userId=…` cookie if the server acknowledged it.
pub async fn browser_sign_in(
    client: &reqwest::Client,
    address: &str,
    email: &str,
    ip: &str,
) -> Option<String> {
    let start = client
        .get(format!("{address}/api/auth/google"))
        .header("x-forwarded-for", ip)
        .send()
        .await
        .ok()?;
    let cookie = cookie_pair(&start, "oauth_state")?;
    start.headers().get("location")?;
    let state = query_param(&location(&start), "state")?;
    let url = format!(
        "{address}/api/auth/google/callback?code={}&state={state}",
        fake_google::code_for(email)
    );
    let done = client.get(url).header("cookie", cookie).send().await.ok()?;
    if done.status().as_u16() != 303 {
        return None;
    }
    cookie_pair(&done, "userId")
}

/// Fires `users` concurrent browser sign-ins at `server` (each from its own client IP) and
/// `kill -9`s it as soon as a third are through, others still in flight. Returns the
/// acknowledged ones: (email, `userId` cookie).
pub async fn sign_ins_cut_by_kill_9(server: &mut Server, users: usize) -> Vec<(String, String)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let client = client();
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..users)
        .map(|i| {
            let (client, address) = (client.clone(), server.address.clone());
            let (acknowledged, done) = (Arc::clone(&acknowledged), Arc::clone(&done));
            tokio::spawn(async move {
                let email = format!("crash{i}@example.com");
                let ip = format!("198.51.100.{}", i % 250 + 1);
                if let Some(cookie) = browser_sign_in(&client, &address, &email, &ip).await {
                    acknowledged.lock().expect("lock").push((email, cookie));
                }
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    while done.load(Ordering::SeqCst) < users / 3 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.child.start_kill().expect("kill -9");
    server.child.wait().await.expect("reaped");
    for task in tasks {
        task.await.expect("task");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    println!(
        "acknowledged before the kill: {} of {users}",
        acknowledged.len()
    );
    assert!(
        !acknowledged.is_empty(),
        "some sign-ins finished before the kill"
    );
    acknowledged
}
