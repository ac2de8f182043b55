//! Load run: the release server against a zero-latency Google/Anam stand-in (in this process,
//! on loopback), driven by `wrk` at 64 connections for a bounded time per phase. Prints a
//! Markdown table for BENCHMARKS.md. Run it with `scripts/load.sh` (installs wrk, builds).
//!
//! Arguments: `[seconds per phase, default 10] [connections, default 64]`.

mod standin;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use calendar_agent::clock::unix_now;
use calendar_agent::presign::{SigningKeys, presign_url};
use calendar_agent::secret::Secret;
use tokio::process::{Child, Command};

const SECRET: &str = "load-test-presign-secret-0123456789abcdef";
const USERS: usize = 8;

struct Phase {
    name: &'static str,
    requests: u64,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    non_2xx: u64,
    socket_errors: u64,
    unexpected: u64,
    rss_mb: f64,
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let connections: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(64);
    let binary = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/calendar-agent");
    assert!(
        binary.exists(),
        "build first: cargo build --release (scripts/load.sh does)"
    );
    let work = tempfile::tempdir().expect("tempdir");

    let standin = Arc::new(standin::Standin::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let g = format!("http://{}", listener.local_addr().expect("addr"));
    let app = standin::router(Arc::clone(&standin));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("stand-in") });

    // Sign users in on a first server, then restart so every token cache starts cold.
    let db = work.path().join("load.db").display().to_string();
    let (mut first, address) = start(&binary, &g, &db, work.path()).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client");
    let mut cookies = Vec::new();
    for i in 0..USERS {
        cookies.push(sign_in(&client, &address, &format!("load{i}@example.com")).await);
    }
    first.start_kill().expect("stop");
    first.wait().await.expect("stopped");
    let (mut server, address) = start(&binary, &g, &db, work.path()).await;
    let pid = server.id().expect("pid");

    let keys = SigningKeys::new(Secret::new(SECRET));
    let exp = unix_now() + 3600;
    let signed = |route: &str| -> Vec<String> {
        (0..USERS)
            .map(|i| {
                let url = presign_url(
                    &keys,
                    &format!("{address}{route}"),
                    &format!("load{i}@example.com"),
                    exp,
                );
                url.trim_start_matches(&address).to_owned()
            })
            .collect()
    };
    let lists = signed("/api/calendar/list-events");
    let forged: Vec<String> = lists
        .iter()
        .map(|p| format!("{}0", &p[..p.len() - 1]))
        .collect();
    let run = |name, script: String, expect_2xx| {
        let (address, work) = (address.clone(), work.path().to_path_buf());
        async move {
            let lua = work.join(format!("{}.lua", name_slug(name)));
            std::fs::write(&lua, script).expect("lua");
            wrk(name, &address, &lua, seconds, connections, expect_2xx, pid).await
        }
    };

    let mut phases = Vec::new();
    phases.push(run("GET /healthz (ceiling)", get_script("/healthz"), true).await);
    phases.push(
        run(
            "forged tool URL (401)",
            post_script(&forged, r#"{"timezone":"UTC"}"#, false),
            false,
        )
        .await,
    );
    phases.push(
        run(
            "list_events",
            post_script(&lists, r#"{"timezone":"America/New_York"}"#, false),
            true,
        )
        .await,
    );
    let free = r#"{"window_start":"2030-03-05T08:00:00","window_end":"2030-03-05T18:00:00","duration_minutes":60,"timezone":"America/New_York"}"#;
    phases.push(
        run(
            "find_free_time",
            post_script(&signed("/api/calendar/freebusy"), free, false),
            true,
        )
        .await,
    );
    let block = r#"{"title":"Focus #N","start":"2030-03-05T09:00:00","end":"2030-03-05T10:00:00","timezone":"America/New_York"}"#;
    phases.push(
        run(
            "block_time (each a new event)",
            post_script(&signed("/api/calendar/events"), block, true),
            true,
        )
        .await,
    );
    phases.push(run("POST /api/session-token", cookie_script(&cookies), true).await);
    let before_faults = rss_mb(pid, "VmRSS");
    standin.flaky.store(true, Ordering::Relaxed);
    let faulty = run(
        "list_events, Google failing 30%",
        post_script(&lists, r#"{"timezone":"UTC"}"#, false),
        false,
    )
    .await;
    standin.flaky.store(false, Ordering::Relaxed);
    let after_faults = rss_mb(pid, "VmRSS");
    phases.push(faulty);
    // The stand-in alone, for the server's share of list_events latency: saturated, and at 4
    // connections, where queueing on the 2 cores no longer dominates the tail.
    let direct = run_direct(&g, work.path(), seconds, connections).await;
    let quiet = 4;
    let lua = work.path().join("quiet-list.lua");
    std::fs::write(
        &lua,
        post_script(&lists, r#"{"timezone":"America/New_York"}"#, false),
    )
    .expect("lua");
    let mut quiet_list = wrk("list_events", &address, &lua, seconds, quiet, true, pid).await;
    quiet_list.name = "list_events at 4 connections";
    let mut quiet_direct = run_direct(&g, work.path(), seconds, quiet).await;
    quiet_direct.name = "stand-in events.list, direct, 4 connections";
    phases.push(quiet_list);

    let peak = rss_mb(pid, "VmHWM");
    let refreshes = standin.refreshes.lock().expect("lock").clone();
    server.start_kill().expect("stop");
    report(
        &phases,
        &[direct, quiet_direct],
        peak,
        before_faults,
        after_faults,
        &refreshes,
        seconds,
        connections,
    );
}

async fn start(binary: &Path, g: &str, db: &str, dir: &Path) -> (Child, String) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let log = std::fs::File::create(dir.join("server.log")).expect("log");
    // A free port, so PUBLIC_BASE_URL (which tool URLs are signed for) can name it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let address = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(binary)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs([
            ("RUST_LOG", "info"),
            ("PRESIGN_SECRET", SECRET),
            ("GOOGLE_CLIENT_ID", "id"),
            ("GOOGLE_CLIENT_SECRET", "secret"),
            ("ANAM_API_KEY", "key"),
            ("ANAM_AVATAR_ID", "a"),
            ("ANAM_VOICE_ID", "v"),
            ("ANAM_LLM_ID", "l"),
            ("TOOL_RATE_PER_MINUTE", "100000000"),
            ("SESSION_TOKEN_RATE_PER_MINUTE", "100000000"),
            ("TOKEN_ENCRYPTION_KEY", &"42".repeat(32)),
        ])
        .env("GOOGLE_TOKEN_URL", format!("{g}/token"))
        .env("GOOGLE_USERINFO_URL", format!("{g}/userinfo"))
        .env("GOOGLE_CALENDAR_BASE_URL", format!("{g}/calendar/v3/"))
        .env("ANAM_API_BASE_URL", g)
        .env("PORT", port.to_string())
        .env("PUBLIC_BASE_URL", &address)
        .env("DATABASE_URL", format!("sqlite://{db}"))
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

async fn sign_in(client: &reqwest::Client, address: &str, email: &str) -> String {
    let start = client
        .get(format!("{address}/api/auth/google"))
        .send()
        .await
        .expect("start");
    let cookie = set_cookie(&start, "oauth_state");
    let location = start.headers()["location"]
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
    let done = client
        .get(format!(
            "{address}/api/auth/google/callback?code={code}&state={state}"
        ))
        .header("cookie", cookie)
        .send()
        .await
        .expect("callback");
    assert_eq!(done.status().as_u16(), 303, "sign-in of {email}");
    set_cookie(&done, "userId")
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

fn name_slug(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).collect()
}

fn lua_list(items: &[String]) -> String {
    items
        .iter()
        .map(|p| format!("{p:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn get_script(path: &str) -> String {
    format!("wrk.method = \"GET\"\nwrk.path = {path:?}\n")
}

/// POSTs `body` to the paths in turn; with `numbered`, `#N` in the body becomes a counter.
fn post_script(paths: &[String], body: &str, numbered: bool) -> String {
    format!(
        r##"local paths = {{ {} }}
local i, n = 0, 0
local headers = {{ ["Content-Type"] = "application/json" }}
request = function()
  i = i % #paths + 1
  n = n + 1
  local body = {body:?}
  if {numbered} then body = body:gsub("#N", tostring(n) .. "-" .. tostring(math.random(1, 1000000000))) end
  return wrk.format("POST", paths[i], headers, body)
end
"##,
        lua_list(paths)
    )
}

fn cookie_script(cookies: &[String]) -> String {
    format!(
        r#"local cookies = {{ {} }}
local i = 0
request = function()
  i = i % #cookies + 1
  return wrk.format("POST", "/api/session-token", {{ ["Cookie"] = cookies[i] }}, "")
end
"#,
        lua_list(cookies)
    )
}

async fn wrk(
    name: &'static str,
    base: &str,
    lua: &Path,
    seconds: u64,
    connections: u64,
    expect_2xx: bool,
    pid: u32,
) -> Phase {
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "--timeout",
            "10s",
            "-s",
        ])
        .arg(lua)
        .arg(base)
        .output()
        .await
        .expect("wrk is installed (apt-get install wrk)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let number_after = |label: &str| -> Option<f64> {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.trim_start()[label.len()..].split_whitespace().next())
            .and_then(parse_wrk_number)
    };
    let requests = text
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let non_2xx = number_after("Non-2xx or 3xx responses:").unwrap_or(0.0) as u64;
    let socket_errors: u64 = text
        .lines()
        .find(|l| l.contains("Socket errors"))
        .map(|l| {
            l.split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    let unexpected = socket_errors + if expect_2xx { non_2xx } else { 0 };
    eprintln!(
        "{name}: {}",
        text.lines()
            .filter(|l| l.contains("Requests/sec") || l.contains("99%"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    Phase {
        name,
        requests,
        rps: number_after("Requests/sec:").unwrap_or(0.0),
        p50_ms: number_after("50%").unwrap_or(f64::NAN),
        p99_ms: number_after("99%").unwrap_or(f64::NAN),
        non_2xx,
        socket_errors,
        unexpected,
        rss_mb: rss_mb(pid, "VmRSS"),
    }
}

/// wrk prints `1.23ms`, `850.00us`, `1.02s`, `12.3k`: all to milliseconds (or plain numbers).
fn parse_wrk_number(text: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = text.strip_suffix('k') {
        (n, 1000.0)
    } else {
        (text, 1.0)
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

async fn run_direct(g: &str, dir: &Path, seconds: u64, connections: u64) -> Phase {
    let lua = dir.join("direct.lua");
    std::fs::write(&lua, "wrk.method = \"GET\"\nwrk.path = \"/calendar/v3/calendars/primary/events\"\nwrk.headers[\"Authorization\"] = \"Bearer at:x\"\n").expect("lua");
    wrk(
        "stand-in events.list, direct",
        g,
        &lua,
        seconds,
        connections,
        true,
        std::process::id(),
    )
    .await
}

fn rss_mb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[allow(clippy::too_many_arguments)]
fn report(
    phases: &[Phase],
    direct: &[Phase],
    peak: f64,
    before_faults: f64,
    after_faults: f64,
    refreshes: &std::collections::HashMap<String, usize>,
    seconds: u64,
    connections: u64,
) {
    let ceiling = phases[0].rps;
    let mut out = format!("\n## Load run ({connections} connections, {seconds} s per phase)\n\n");
    out.push_str("| phase | requests | req/s | vs /healthz | p50 ms | p99 ms | non-2xx | socket errors | server RSS MB |\n|---|---|---|---|---|---|---|---|---|\n");
    for p in phases.iter().chain(direct) {
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {} |",
            p.name,
            p.requests,
            p.rps,
            p.rps / ceiling,
            p.p50_ms,
            p.p99_ms,
            p.non_2xx,
            p.socket_errors,
            if p.name.starts_with("stand-in") {
                "-".to_owned()
            } else {
                format!("{:.1}", p.rss_mb)
            }
        );
    }
    let list = phases
        .iter()
        .find(|p| p.name == "list_events")
        .expect("list phase");
    let quiet = phases
        .iter()
        .find(|p| p.name.starts_with("list_events at 4"))
        .expect("quiet phase");
    let forged = phases
        .iter()
        .find(|p| p.name.starts_with("forged"))
        .expect("forged phase");
    let counts: Vec<usize> = refreshes.values().copied().collect();
    let _ = write!(
        out,
        "\n- forged-URL rejection: {:.2} of /healthz req/s (target at least 0.50)\n\
         - list_events p99 minus the stand-in's own p99, at 4 connections: {:.2} ms (target under 2 ms); saturated at {connections}: {:.2} ms\n\
         - server peak RSS (VmHWM): {:.1} MB (target under 50 MB)\n\
         - RSS before / after the 30%-failure phase: {:.1} / {:.1} MB\n\
         - token refreshes per user: {:?} over {} users (target exactly 1 each)\n\
         - unexpected answers (socket errors, or non-2xx where 2xx is expected): {}\n",
        forged.rps / ceiling,
        quiet.p99_ms - direct[1].p99_ms,
        list.p99_ms - direct[0].p99_ms,
        peak,
        before_faults,
        after_faults,
        counts,
        refreshes.len(),
        phases
            .iter()
            .filter(|p| !p.name.contains("30%"))
            .map(|p| p.unexpected)
            .sum::<u64>(),
    );
    println!("{out}");
}
