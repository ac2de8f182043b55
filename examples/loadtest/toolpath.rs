//! `loadtest toolpath OLDER_BINARY [REVISION]`: the tool path of this build beside an older
//! build of the service, in one run, on SQLite and on PostgreSQL. Each build gets its own store
//! with the same eight users signed in; `list_events` is then driven on one build at a time
//! (the other idle), alternating for several rounds, and the median round is kept. A change that
//! adds work to every tool call (a store read, a check) shows up as the ratio of the two.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::server::{sign_in, start};
use crate::wrk::{Phase, post_script, wrk};

const ROUNDS: usize = 5;

/// One build's server, signed in and warm.
struct Running {
    child: tokio::process::Child,
    address: String,
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
    for i in 0..lists.len() {
        sign_in(&client, &address, &format!("load{i}@example.com")).await;
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
    Running { child, address }
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
        "\n## Tool path: this build beside {} (list_events, {seconds} s per phase, median of {ROUNDS} alternating rounds)\n\n\
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
            // A first round warms both token caches and is not kept.
            for round in 0..=ROUNDS {
                for (b, build) in builds.iter().enumerate() {
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
