//! Load run: the release server against a zero-latency Google/Anam stand-in (in this process,
//! on loopback), driven by `wrk` for a bounded time per phase. The same phases run on SQLite and,
//! when a PostgreSQL URL is given, on PostgreSQL in the same run; then list_events on one
//! instance against two instances sharing that PostgreSQL. Prints Markdown tables for
//! BENCHMARKS.md. Run it with `scripts/load.sh` (installs wrk, starts a throwaway PostgreSQL,
//! builds).
//!
//! Arguments: `[seconds per phase, default 10] [connections, default 64] [postgres URL]`
//! (the URL may also come from `TEST_POSTGRES_URL`).
//!
//! `ceiling [seconds] [connections] [older service binary] [its revision]`: the service beside
//! a bare Axum app with the same HMAC check (`examples/ceiling.rs`); see `ceiling.rs`.
//!
//! `toolpath OLDER_BINARY [its revision] [seconds] [postgres URL]`: this build's tool path
//! beside an older build's; see `toolpath.rs` and `scripts/toolpath.sh`.
//!
//! `mint OLDER_BINARY [its revision] [seconds]`: Start (`POST /api/session-token`) on this
//! build beside an older build's, at 4 connections; `scripts/toolpath.sh` runs it with `mint`.
//!
//! `accounts [seconds] [latency ms, default 60]`: `list_events` for people with one Google
//! account beside people with two; see `accounts.rs`.

mod accounts;
mod ceiling;
mod server;
mod standin;
mod toolpath;
mod wrk;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use calendar_agent::clock::unix_now;
use calendar_agent::presign::{SigningKeys, presign_url};
use calendar_agent::secret::Secret;
use server::{PUBLIC_BASE_URL, SECRET, sign_in, start};
use wrk::{Phase, cookie_script, get_script, name_slug, post_script, rss_mb, run_direct};

const USERS: usize = 8;

/// Everything one backend's run measured.
struct BackendRun {
    label: &'static str,
    phases: Vec<Phase>,
    direct: [Phase; 2],
    peak: f64,
    before_faults: f64,
    after_faults: f64,
    refreshes: HashMap<String, usize>,
}

/// What the run needs to start servers and talk to them.
struct Rig {
    binary: PathBuf,
    standin: Arc<standin::Standin>,
    g: String,
    work: tempfile::TempDir,
    seconds: u64,
    connections: u64,
}

#[tokio::main]
async fn main() {
    let mut args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "ceiling") {
        args.remove(1);
        let seconds = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
        let connections = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(64);
        let before = args.get(3).map(|binary| {
            let revision = args.get(4).cloned().unwrap_or_else(|| "older build".into());
            (PathBuf::from(binary), revision)
        });
        ceiling::run(seconds, connections, before).await;
        return;
    }
    if args.get(1).is_some_and(|a| a == "accounts") {
        let seconds = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
        let latency = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(60);
        let binary =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/calendar-agent");
        let (standin, g) = standin_up().await;
        let work = tempfile::tempdir().expect("tempdir");
        let lists = signed("/api/calendar/list-events");
        let out = accounts::run(&binary, &g, &standin, work.path(), &lists, seconds, latency).await;
        println!("{out}");
        return;
    }
    if args.get(1).is_some_and(|a| a == "mint") {
        mint_run(&args[2..]).await;
        return;
    }
    if args.get(1).is_some_and(|a| a == "toolpath") {
        toolpath_run(&args[2..]).await;
        return;
    }
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let connections: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(64);
    let postgres = args
        .get(3)
        .cloned()
        .or_else(|| std::env::var("TEST_POSTGRES_URL").ok());
    let binary = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/calendar-agent");
    assert!(
        binary.exists(),
        "build first: cargo build --release (scripts/load.sh does)"
    );
    let (standin, g) = standin_up().await;
    let rig = Rig {
        binary,
        standin,
        g,
        work: tempfile::tempdir().expect("tempdir"),
        seconds,
        connections,
    };

    let sqlite_url = format!("sqlite://{}", rig.work.path().join("load.db").display());
    let mut runs = vec![run_backend(&rig, "SQLite", &sqlite_url).await];
    let mut instances = None;
    if let Some(url) = &postgres {
        runs.push(run_backend(&rig, "PostgreSQL", url).await);
        instances = Some(one_vs_two_instances(&rig, url).await);
    } else {
        eprintln!("no PostgreSQL URL given: the PostgreSQL and two-instance phases are skipped");
    }
    let mut out = String::new();
    for run in &runs {
        out.push_str(&report(run, seconds, connections));
    }
    if runs.len() == 2 {
        out.push_str(&side_by_side(&runs[0], &runs[1]));
    }
    if let Some((one, two)) = instances {
        out.push_str(&instances_report(&one, &two, connections));
    }
    println!("{out}");
}

/// The Google/Anam stand-in, served on loopback in this process: it and its base URL.
async fn standin_up() -> (Arc<standin::Standin>, String) {
    let standin = Arc::new(standin::Standin::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let g = format!("http://{}", listener.local_addr().expect("addr"));
    let app = standin::router(Arc::clone(&standin));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("stand-in") });
    (standin, g)
}

/// `toolpath OLDER_BINARY [REVISION] [SECONDS] [POSTGRES_URL]`.
async fn toolpath_run(args: &[String]) {
    let older = args
        .first()
        .map(PathBuf::from)
        .expect("the older build's binary");
    let revision = args.get(1).cloned().unwrap_or_else(|| "older build".into());
    let seconds = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let postgres = args
        .get(3)
        .cloned()
        .or_else(|| std::env::var("TEST_POSTGRES_URL").ok());
    let binary = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/calendar-agent");
    let (_standin, g) = standin_up().await;
    let work = tempfile::tempdir().expect("tempdir");
    let sqlite = |name: &str| format!("sqlite://{}", work.path().join(name).display());
    let mut backends = vec![("SQLite", sqlite("new.db"), sqlite("old.db"))];
    if let Some(url) = postgres {
        backends.push((
            "PostgreSQL",
            fresh_pg(&url, "new").await,
            fresh_pg(&url, "old").await,
        ));
    }
    let lists = signed("/api/calendar/list-events");
    let older = (older, revision);
    let mut out = toolpath::run(&binary, &older, &g, work.path(), &backends, &lists, seconds).await;
    if std::process::Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok()
    {
        out.push_str(&toolpath::cost(&binary, &older, &g, work.path(), &lists).await);
    } else {
        eprintln!("valgrind is not installed: the instruction count is skipped");
    }
    println!("{out}");
}

/// `mint OLDER_BINARY [REVISION] [SECONDS]`: Start on this build beside an older one.
async fn mint_run(args: &[String]) {
    let older = args
        .first()
        .map(PathBuf::from)
        .expect("the older build's binary");
    let revision = args.get(1).cloned().unwrap_or_else(|| "older build".into());
    let seconds = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let binary = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/calendar-agent");
    let (_standin, g) = standin_up().await;
    let work = tempfile::tempdir().expect("tempdir");
    let sqlite = |name: &str| format!("sqlite://{}", work.path().join(name).display());
    let lists = signed("/api/calendar/list-events");
    let out = toolpath::mint(
        &binary,
        &(older, revision),
        &g,
        work.path(),
        (sqlite("new.db"), sqlite("old.db")),
        &lists,
        seconds,
    )
    .await;
    println!("{out}");
}

/// A new database `toolpath_{name}_{random}` on the cluster at `admin`: its URL.
async fn fresh_pg(admin: &str, name: &str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::postgres::PgConnection::connect(admin)
        .await
        .expect("postgres");
    let mut bytes = [0u8; 4];
    rand::fill(&mut bytes);
    let db = format!("toolpath_{name}_{}", hex::encode(bytes));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&mut conn)
        .await
        .expect("create database");
    let (base, _) = admin.rsplit_once('/').expect("URL with a database");
    format!("{base}/{db}")
}

/// Tool URL paths (with their signed queries) for every user, for `route`.
fn signed(route: &str) -> Vec<String> {
    let keys = SigningKeys::new(Secret::new(SECRET));
    let exp = unix_now() + 3600;
    (0..USERS)
        .map(|i| {
            let url = presign_url(
                &keys,
                &format!("{PUBLIC_BASE_URL}{route}"),
                &format!("load{i}@example.com"),
                exp,
            );
            url.trim_start_matches(PUBLIC_BASE_URL).to_owned()
        })
        .collect()
}

async fn run_phase(
    rig: &Rig,
    address: &str,
    pid: u32,
    name: &'static str,
    script: String,
    expect_2xx: bool,
    connections: u64,
) -> Phase {
    let lua = rig
        .work
        .path()
        .join(format!("{}-{pid}.lua", name_slug(name)));
    std::fs::write(&lua, script).expect("lua");
    wrk::wrk(
        name,
        address,
        &lua,
        rig.seconds,
        connections,
        expect_2xx,
        pid,
    )
    .await
}

/// Signs the users in on a first server, then restarts it so every token cache starts cold and
/// the stored tokens are read back from the database, then runs every phase.
async fn run_backend(rig: &Rig, label: &'static str, database_url: &str) -> BackendRun {
    rig.standin.refreshes.lock().expect("lock").clear();
    let (mut first, address) = start(&rig.binary, &rig.g, database_url, rig.work.path()).await;
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
    let (mut server, address) = start(&rig.binary, &rig.g, database_url, rig.work.path()).await;
    let pid = server.id().expect("pid");
    let c = rig.connections;

    let lists = signed("/api/calendar/list-events");
    // The last hex digit changed (never to itself: that would be a genuine URL).
    let forged: Vec<String> = lists
        .iter()
        .map(|p| {
            let last = if p.ends_with('0') { '1' } else { '0' };
            format!("{}{last}", &p[..p.len() - 1])
        })
        .collect();
    let ny = r#"{"timezone":"America/New_York"}"#;
    let free = r#"{"window_start":"2030-03-05T08:00:00","window_end":"2030-03-05T18:00:00","duration_minutes":60,"timezone":"America/New_York"}"#;
    let block = r#"{"title":"Focus #N","start":"2030-03-05T09:00:00","end":"2030-03-05T10:00:00","timezone":"America/New_York"}"#;
    let mut phases = vec![
        run_phase(
            rig,
            &address,
            pid,
            "GET /healthz (ceiling)",
            get_script("/healthz"),
            true,
            c,
        )
        .await,
        run_phase(
            rig,
            &address,
            pid,
            "GET /readyz (one store query)",
            get_script("/readyz"),
            true,
            c,
        )
        .await,
        run_phase(
            rig,
            &address,
            pid,
            "forged tool URL (401)",
            post_script(&forged, r#"{"timezone":"UTC"}"#, false),
            false,
            c,
        )
        .await,
        run_phase(
            rig,
            &address,
            pid,
            "list_events",
            post_script(&lists, ny, false),
            true,
            c,
        )
        .await,
        run_phase(
            rig,
            &address,
            pid,
            "find_free_time",
            post_script(&signed("/api/calendar/freebusy"), free, false),
            true,
            c,
        )
        .await,
        run_phase(
            rig,
            &address,
            pid,
            "block_time (each a new event)",
            post_script(&signed("/api/calendar/events"), block, true),
            true,
            c,
        )
        .await,
        run_phase(
            rig,
            &address,
            pid,
            "POST /api/session-token",
            cookie_script(&cookies),
            true,
            c,
        )
        .await,
    ];
    let before_faults = rss_mb(pid, "VmRSS");
    rig.standin.flaky.store(true, Ordering::Relaxed);
    phases.push(
        run_phase(
            rig,
            &address,
            pid,
            "list_events, Google failing 30%",
            post_script(&lists, r#"{"timezone":"UTC"}"#, false),
            false,
            c,
        )
        .await,
    );
    rig.standin.flaky.store(false, Ordering::Relaxed);
    let after_faults = rss_mb(pid, "VmRSS");
    // The stand-in alone, for the server's share of list_events latency: saturated, and at 4
    // connections, where queueing on the 2 cores no longer dominates the tail.
    let direct = run_direct(&rig.g, rig.work.path(), rig.seconds, c).await;
    let mut quiet = run_phase(
        rig,
        &address,
        pid,
        "list_events",
        post_script(&lists, ny, false),
        true,
        4,
    )
    .await;
    quiet.name = "list_events at 4 connections";
    let mut quiet_direct = run_direct(&rig.g, rig.work.path(), rig.seconds, 4).await;
    quiet_direct.name = "stand-in events.list, direct, 4 connections";
    phases.push(quiet);
    let peak = rss_mb(pid, "VmHWM");
    server.start_kill().expect("stop");
    let _ = server.wait().await;
    BackendRun {
        label,
        phases,
        direct: [direct, quiet_direct],
        peak,
        before_faults,
        after_faults,
        refreshes: rig.standin.refreshes.lock().expect("lock").clone(),
    }
}

/// list_events on one instance with all connections, then on two instances sharing the
/// database, half the connections each, at the same time. Returns (one, [two a, two b]).
async fn one_vs_two_instances(rig: &Rig, database_url: &str) -> (Phase, [Phase; 2]) {
    let lists = post_script(
        &signed("/api/calendar/list-events"),
        r#"{"timezone":"UTC"}"#,
        false,
    );
    let (mut a, address_a) = start(&rig.binary, &rig.g, database_url, rig.work.path()).await;
    let (mut b, address_b) = start(&rig.binary, &rig.g, database_url, rig.work.path()).await;
    let (pid_a, pid_b) = (a.id().expect("pid"), b.id().expect("pid"));
    // Warm both token caches, so both measurements are of warm instances.
    for (address, pid) in [(&address_a, pid_a), (&address_b, pid_b)] {
        run_phase(rig, address, pid, "warm-up", lists.clone(), true, 4).await;
    }
    let c = rig.connections;
    let mut one = run_phase(
        rig,
        &address_a,
        pid_a,
        "list_events",
        lists.clone(),
        true,
        c,
    )
    .await;
    one.name = "list_events, one instance";
    let (mut two_a, mut two_b) = tokio::join!(
        run_phase(
            rig,
            &address_a,
            pid_a,
            "list_events",
            lists.clone(),
            true,
            c / 2
        ),
        run_phase(
            rig,
            &address_b,
            pid_b,
            "list_events",
            lists.clone(),
            true,
            c / 2
        ),
    );
    two_a.name = "list_events, two instances: A";
    two_b.name = "list_events, two instances: B";
    a.start_kill().expect("stop");
    b.start_kill().expect("stop");
    (one, [two_a, two_b])
}

fn row(out: &mut String, p: &Phase, ceiling: f64) {
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

fn find<'a>(phases: &'a [Phase], name: &str) -> &'a Phase {
    phases
        .iter()
        .find(|p| p.name.starts_with(name))
        .unwrap_or_else(|| panic!("phase {name}"))
}

fn report(run: &BackendRun, seconds: u64, connections: u64) -> String {
    let ceiling = run.phases[0].rps;
    let mut out = format!(
        "\n## Load run on {} ({connections} connections, {seconds} s per phase)\n\n",
        run.label
    );
    out.push_str("| phase | requests | req/s | vs /healthz | p50 ms | p99 ms | non-2xx | socket errors | server RSS MB |\n|---|---|---|---|---|---|---|---|---|\n");
    for p in run.phases.iter().chain(&run.direct) {
        row(&mut out, p, ceiling);
    }
    let counts: Vec<usize> = run.refreshes.values().copied().collect();
    let _ = write!(
        out,
        "\n- forged-URL rejection: {:.2} of /healthz req/s (target at least 0.50)\n\
         - list_events p99 minus the stand-in's own p99, at 4 connections: {:.2} ms (target under 2 ms); saturated at {connections}: {:.2} ms\n\
         - server peak RSS (VmHWM): {:.1} MB (target under 50 MB)\n\
         - RSS before / after the 30%-failure phase: {:.1} / {:.1} MB\n\
         - token refreshes per user: {:?} over {} users (target exactly 1 each)\n\
         - unexpected answers (socket errors, or non-2xx where 2xx is expected): {}\n",
        find(&run.phases, "forged").rps / ceiling,
        find(&run.phases, "list_events at 4").p99_ms - run.direct[1].p99_ms,
        find(&run.phases, "list_events").p99_ms - run.direct[0].p99_ms,
        run.peak,
        run.before_faults,
        run.after_faults,
        counts,
        run.refreshes.len(),
        run.phases
            .iter()
            .filter(|p| !p.name.contains("30%"))
            .map(|p| p.unexpected)
            .sum::<u64>(),
    );
    out
}

fn side_by_side(sqlite: &BackendRun, postgres: &BackendRun) -> String {
    let mut out = String::from(
        "\n## SQLite and PostgreSQL, same phases, same run\n\n| phase | SQLite req/s | PostgreSQL req/s | PostgreSQL / SQLite | SQLite p99 ms | PostgreSQL p99 ms |\n|---|---|---|---|---|---|\n",
    );
    for (s, p) in sqlite.phases.iter().zip(&postgres.phases) {
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.0} | {:.2} | {:.2} | {:.2} |",
            s.name,
            s.rps,
            p.rps,
            p.rps / s.rps,
            s.p99_ms,
            p.p99_ms
        );
    }
    out
}

fn instances_report(one: &Phase, two: &[Phase; 2], connections: u64) -> String {
    let together = two[0].rps + two[1].rps;
    let unexpected: u64 = std::iter::once(one).chain(two).map(|p| p.unexpected).sum();
    format!(
        "\n## One instance or two on one PostgreSQL (list_events, {connections} connections in all)\n\n\
         | setup | req/s | vs one instance | p99 ms |\n|---|---|---|---|\n\
         | one instance | {:.0} | 1.00 | {:.2} |\n\
         | two instances (A + B) | {:.0} | {:.2} | {:.2} / {:.2} |\n\n\
         - unexpected answers: {unexpected}\n",
        one.rps,
        one.p99_ms,
        together,
        together / one.rps,
        two[0].p99_ms,
        two[1].p99_ms,
    )
}
