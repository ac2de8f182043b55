//! The server under load: started as a child process, users signed in through it.

use std::path::Path;
use std::process::Stdio;

use tokio::process::{Child, Command};

/// Tool URLs are signed for this base; wrk sends their path and query to each instance.
pub const PUBLIC_BASE_URL: &str = "https://load.example";
/// The presign secret of the run.
pub const SECRET: &str = "load-test-presign-secret-0123456789abcdef";

/// What every server of a run is started with (default logging).
pub const SETTINGS: [(&str, &str); 10] = [
    ("RUST_LOG", "info"),
    // Stopped servers exit at once (builds before the drain ignore it).
    ("SHUTDOWN_GRACE_SECONDS", "0"),
    ("PRESIGN_SECRET", SECRET),
    ("GOOGLE_CLIENT_ID", "id"),
    ("GOOGLE_CLIENT_SECRET", "secret"),
    ("ANAM_API_KEY", "key"),
    ("ANAM_AVATAR_ID", "a"),
    ("ANAM_VOICE_ID", "v"),
    ("ANAM_LLM_ID", "l"),
    (
        "TOKEN_ENCRYPTION_KEY",
        "d5417d126871ee1ffd7857cdaee0e77a1f2be03bb0d9a35ffbe07aca48f88aaa",
    ),
];

/// Starts the release server on a free port against the stand-in at `g` and the store at
/// `database_url`; its log goes to `{dir}/server-{port}.log`.
pub async fn start(binary: &Path, g: &str, database_url: &str, dir: &Path) -> (Child, String) {
    start_under(&[], binary, g, database_url, dir).await
}

/// [`start`], run by `wrapper` (e.g. `valgrind --tool=callgrind …`) when it is not empty.
pub async fn start_under(
    wrapper: &[String],
    binary: &Path,
    g: &str,
    database_url: &str,
    dir: &Path,
) -> (Child, String) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let log = std::fs::File::create(dir.join(format!("server-{port}.log"))).expect("log");
    let address = format!("http://127.0.0.1:{port}");
    let mut command = match wrapper.split_first() {
        None => Command::new(binary),
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args).arg(binary);
            c
        }
    };
    let mut child = command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(SETTINGS)
        .envs([
            ("TOOL_RATE_PER_MINUTE", "100000000"),
            ("SESSION_TOKEN_RATE_PER_MINUTE", "100000000"),
        ])
        .env("GOOGLE_TOKEN_URL", format!("{g}/token"))
        .env("GOOGLE_USERINFO_URL", format!("{g}/userinfo"))
        .env("GOOGLE_CALENDAR_BASE_URL", format!("{g}/calendar/v3/"))
        .env("ANAM_API_BASE_URL", g)
        .env("PORT", port.to_string())
        // One public URL for every instance, as behind a load balancer: tool URLs are signed
        // for it and work on any of them.
        .env("PUBLIC_BASE_URL", PUBLIC_BASE_URL)
        .env("DATABASE_URL", database_url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("server starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut listening = false;
    while let Ok(Some(line)) = lines.next_line().await {
        if line.contains("listening on ") {
            listening = true;
            break;
        }
    }
    assert!(listening, "server did not start");
    // The rest of the log goes to a file, as it would in production.
    tokio::spawn(async move {
        use std::io::Write;
        let mut log = log;
        while let Ok(Some(line)) = lines.next_line().await {
            let _ = writeln!(log, "{line}");
        }
    });
    (child, address)
}

/// Signs `email` in through the stand-in's consent; the `userId=…` cookie.
pub async fn sign_in(client: &reqwest::Client, address: &str, email: &str) -> String {
    let done = consented(client, address, "/api/auth/google", None, email).await;
    assert_eq!(done.status().as_u16(), 303, "sign-in of {email}");
    set_cookie(&done, "userId")
}

/// Adds the Google account `email` to the person signed in with `cookie` (the page's "Add
/// another Google account" through the stand-in's consent).
pub async fn add_account(client: &reqwest::Client, address: &str, cookie: &str, email: &str) {
    let start = "/api/auth/google?add_account=1";
    let done = consented(client, address, start, Some(cookie), email).await;
    assert_eq!(
        done.headers()["location"].to_str().ok(),
        Some("/?account_added=1"),
        "adding {email}"
    );
}

/// The consent begun at `start` (with the browser's `cookie`, if any), approved for `email`:
/// the callback's answer.
async fn consented(
    client: &reqwest::Client,
    address: &str,
    start: &str,
    cookie: Option<&str>,
    email: &str,
) -> reqwest::Response {
    let mut begin = client.get(format!("{address}{start}"));
    if let Some(cookie) = cookie {
        begin = begin.header("cookie", cookie);
    }
    let begun = begin.send().await.expect("start");
    let flow = set_cookie(&begun, "oauth_state");
    let location = begun.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let state = url::Url::parse(&location)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    let code: String =
        form_urlencoded::byte_serialize(format!("code:{email}").as_bytes()).collect();
    let cookies = cookie.map_or_else(|| flow.clone(), |c| format!("{flow}; {c}"));
    client
        .get(format!(
            "{address}/api/auth/google/callback?code={code}&state={state}"
        ))
        .header("cookie", cookies)
        .send()
        .await
        .expect("callback")
}

fn set_cookie(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_owned()
}
