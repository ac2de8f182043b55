//! `loadtest toolpath OLDER_BINARY [REVISION]`: the tool path of this build beside an older
//! build of the service, in one run, on SQLite and on PostgreSQL. Each build gets its own store
//! with the same eight users signed in; `list_events` is then driven on one build at a time
//! (the other idle), alternating for several rounds, and the median round is kept. A change that
//! adds work to every tool call (a store read, a check) shows up as the ratio of the two.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::server::{sign_in, start};
use crate::wrk::{Phase, cookie_script, post_script, wrk};

const ROUNDS: usize = 5;

/// One build's server, signed in and warm.
struct Running {
    child: tokio::process::Child,
    address: String,
    /// Each user's sign-in cookie.
    cookies: Vec<String>,
}

async fn ready(
    binary: &Path,
    g: &str,
    database_url: &str,
    dir: &Path,
    lists: &[String],
) -> Running {
    let (child, address) = start(binary, g, database_url, dir).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client");
    let mut cookies = Vec::new();
    for i in 0..lists.len() {
        cookies.push(sign_in(&client, &address, &format!("load{i}@example.com")).await);
    }
    // Every user's call must succeed before anything is measured.
    for path in lists {
        let answer = client
            .post(format!("{address}{path}"))
            .json(&serde_json::json!({"timezone": "America/New_York"}))
            .send()
            .await
            .expect("tool call");
        let status = answer.status();
        let body = answer.text().await.unwrap_or_default();
        if !status.is_success() {
            let logs: Vec<String> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect();
            panic!("{}: {status} {body}\n{}", binary.display(), logs.join("\n"));
        }
    }
    Running {
        child,
        address,
        cookies,
    }
}

/// `POST /api/session-token` (Start) on this build beside the older one, SQLite, at 4
/// connections (a person waiting, not a saturated server), alternating rounds, median kept.
/// Built for comparing a build that reads the day at Start with one that does not.
pub async fn mint(
    binary: &Path,
    older: &(PathBuf, String),
    g: &str,
    dir: &Path,
    databases: (String, String),
    lists: &[String],
    seconds: u64,
) -> String {
    let mut builds = [
        ready(binary, g, &databases.0, dir, lists).await,
        ready(&older.0, g, &databases.1, dir, lists).await,
    ];
    let scripts: Vec<PathBuf> = builds
        .iter()
        .enumerate()
        .map(|(b, build)| {
            let path = dir.join(format!("mint{b}.lua"));
            std::fs::write(&path, cookie_script(&build.cookies)).expect("lua");
            path
        })
        .collect();
    let mut rounds: [Vec<Phase>; 2] = [Vec::new(), Vec::new()];
    for round in 0..=ROUNDS {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for b in order {
            let build = &builds[b];
            let pid = build.child.id().expect("pid");
            let phase = wrk(
                "POST /api/session-token",
                &build.address,
                &scripts[b],
                seconds,
                4,
                true,
                pid,
            )
            .await;
            if round > 0 {
                rounds[b].push(phase);
            }
        }
    }
    let [this, before] = rounds.map(median);
    let mut out = format!(
        "\n## Start: this build beside {} (POST /api/session-token, SQLite, 4 connections, {seconds} s per phase, median of {ROUNDS} rounds)\n\n\
         | build | req/s | p50 ms | p99 ms | p50 this / before | unexpected |\n|---|---|---|---|---|---|\n",
        older.1
    );
    for (name, p) in [("this build", &this), (older.1.as_str(), &before)] {
        let _ = writeln!(
            out,
            "| {name} | {:.0} | {:.2} | {:.2} | {:.3} | {} |",
            p.rps,
            p.p50_ms,
            p.p99_ms,
            p.p50_ms / before.p50_ms,
            p.unexpected
        );
    }
    for build in &mut builds {
        build.child.start_kill().expect("stop");
        let _ = build.child.wait().await;
    }
    out
}

fn median(mut rounds: Vec<Phase>) -> Phase {
    rounds.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    rounds.swap_remove(rounds.len() / 2)
}

/// Runs the comparison for each `(label, database URL for this build, for the older build)`.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    binary: &Path,
    older: &(PathBuf, String),
    g: &str,
    dir: &Path,
    backends: &[(&str, String, String)],
    lists: &[String],
    seconds: u64,
) -> String {
    let mut out = format!(
        "\n## Tool path: this build beside {} (list_events, {seconds} s per phase, median of {ROUNDS} rounds, order alternating)\n\n\
         | store | connections | build | req/s | this / before | p50 ms | p99 ms |\n|---|---|---|---|---|---|---|\n",
        older.1
    );
    let script = dir.join("toolpath.lua");
    std::fs::write(
        &script,
        post_script(lists, r#"{"timezone":"America/New_York"}"#, false),
    )
    .expect("lua");
    for (label, new_db, old_db) in backends {
        let mut builds = [
            ready(binary, g, new_db, dir, lists).await,
            ready(&older.0, g, old_db, dir, lists).await,
        ];
        for connections in [64, 4] {
            let mut rounds: [Vec<Phase>; 2] = [Vec::new(), Vec::new()];
            // A first round warms both token caches and is not kept; the order alternates, so
            // neither build always runs first.
            for round in 0..=ROUNDS {
                let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
                for b in order {
                    let build = &builds[b];
                    let pid = build.child.id().expect("pid");
                    let phase = wrk(
                        "list_events",
                        &build.address,
                        &script,
                        seconds,
                        connections,
                        true,
                        pid,
                    )
                    .await;
                    if round > 0 {
                        rounds[b].push(phase);
                    }
                }
            }
            let [this, before] = rounds.map(median);
            for (name, p) in [("this build", &this), (older.1.as_str(), &before)] {
                let _ = writeln!(
                    out,
                    "| {label} | {connections} | {name} | {:.0} | {:.3} | {:.2} | {:.2} |",
                    p.rps,
                    if std::ptr::eq(p, &this) {
                        this.rps / before.rps
                    } else {
                        1.0
                    },
                    p.p50_ms,
                    p.p99_ms
                );
            }
            let unexpected = this.unexpected + before.unexpected;
            if unexpected > 0 {
                let _ = writeln!(
                    out,
                    "| {label} | {connections} | unexpected answers: {unexpected} | | | | |"
                );
            }
        }
        for build in &mut builds {
            build.child.start_kill().expect("stop");
            let _ = build.child.wait().await;
        }
    }
    out
}

/// Calls per measured run: the per-call cost is the difference of two runs over the
/// difference of their calls, so start-up and shutdown cancel out.
const FEW: usize = 100;
const MANY: usize = 600;

/// Instructions one `list_events` call costs the server, counted by callgrind (repeatable,
/// whatever else the machine is doing), for each build: `(label, instructions per call)`.
pub async fn cost(
    binary: &Path,
    older: &(PathBuf, String),
    g: &str,
    dir: &Path,
    lists: &[String],
) -> String {
    let mut out = format!(
        "\n## Tool path cost: instructions per list_events call (callgrind, SQLite, {MANY} minus {FEW} sequential calls)\n\n\
         | build | instructions per call | this / before |\n|---|---|---|\n"
    );
    let mut per_call = Vec::new();
    for (label, path) in [
        ("this build", binary),
        (older.1.as_str(), older.0.as_path()),
    ] {
        let few = counted_run(path, g, dir, &lists[..1], FEW).await;
        let many = counted_run(path, g, dir, &lists[..1], MANY).await;
        let cost = (many - few) as f64 / (MANY - FEW) as f64;
        eprintln!("{label}: {few} / {many} instructions -> {cost:.0} per call");
        per_call.push((label, cost));
    }
    let before = per_call[1].1;
    for (label, cost) in &per_call {
        let _ = writeln!(out, "| {label} | {cost:.0} | {:.3} |", cost / before);
    }
    out
}

/// Runs `binary` under callgrind, makes `calls` sequential list_events calls after a warm-up,
/// stops it, and returns the instructions it executed in all.
async fn counted_run(binary: &Path, g: &str, dir: &Path, lists: &[String], calls: usize) -> u64 {
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let counts = dir.join(format!("callgrind-{n}.out"));
    let db = format!("sqlite://{}", dir.join(format!("cost-{n}.db")).display());
    let wrapper = vec![
        "valgrind".to_owned(),
        "--tool=callgrind".to_owned(),
        format!("--callgrind-out-file={}", counts.display()),
    ];
    let (mut child, address) = crate::server::start_under(&wrapper, binary, g, &db, dir).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client");
    sign_in(&client, &address, "load0@example.com").await;
    for i in 0..(20 + calls) {
        let answer = client
            .post(format!("{address}{}", lists[i % lists.len()]))
            .json(&serde_json::json!({"timezone": "America/New_York"}))
            .send()
            .await
            .expect("tool call");
        assert!(answer.status().is_success(), "{}", answer.status());
    }
    let pid = child.id().expect("pid");
    let _ = tokio::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .await;
    let _ = child.wait().await;
    let text = std::fs::read_to_string(&counts).expect("callgrind output");
    text.lines()
        .find_map(|l| {
            l.strip_prefix("totals:")
                .or_else(|| l.strip_prefix("summary:"))
        })
        .and_then(|n| n.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("callgrind totals")
}
