//! `loadtest accounts [SECONDS] [LATENCY_MS]`: `list_events` for people with one Google account
//! beside people with two, on this build, against the stand-in answering each `events.list`
//! after LATENCY_MS (a Google round trip). Eight people sign in; the last four add a second
//! account. The two groups are driven one at a time (4 connections, SQLite), alternating for
//! several rounds, and the median round is kept: with the accounts fetched at once, the
//! second account should cost well under half again.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::server::{add_account, sign_in, start};
use crate::standin::Standin;
use crate::wrk::{Phase, post_script, wrk};

const ROUNDS: usize = 5;

/// Runs it; `lists` are the eight people's signed `list_events` paths, in order.
pub async fn run(
    binary: &Path,
    g: &str,
    standin: &Arc<Standin>,
    dir: &Path,
    lists: &[String],
    seconds: u64,
    latency_ms: u64,
) -> String {
    let database = format!("sqlite://{}", dir.join("accounts.db").display());
    let (child, address) = start(binary, g, &database, dir).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client");
    let half = lists.len() / 2;
    for i in 0..lists.len() {
        let cookie = sign_in(&client, &address, &format!("load{i}@example.com")).await;
        if i >= half {
            add_account(&client, &address, &cookie, &format!("work{i}@example.com")).await;
        }
    }
    // Every call answers, and the two-account people's name both accounts.
    for (i, path) in lists.iter().enumerate() {
        let answer: serde_json::Value = client
            .post(format!("{address}{path}"))
            .json(&serde_json::json!({"timezone": "UTC", "window_start": "2030-01-01", "window_end": "2030-02-01"}))
            .send()
            .await
            .expect("tool call")
            .json()
            .await
            .expect("json");
        let named = answer["events"][0].get("account").is_some();
        assert_eq!(named, i >= half, "{answer}");
    }
    standin.list_latency_ms.store(latency_ms, Ordering::Relaxed);
    let body = r#"{"timezone": "UTC", "window_start": "2030-01-01", "window_end": "2030-02-01"}"#;
    let groups = [&lists[..half], &lists[half..]];
    let scripts: Vec<_> = groups
        .iter()
        .enumerate()
        .map(|(n, paths)| {
            let path = dir.join(format!("accounts{n}.lua"));
            std::fs::write(&path, post_script(paths, body, false)).expect("lua");
            path
        })
        .collect();
    let pid = child.id().expect("pid");
    let mut rounds: [Vec<Phase>; 2] = [Vec::new(), Vec::new()];
    for round in 0..=ROUNDS {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for n in order {
            let name = if n == 0 {
                "one account"
            } else {
                "two accounts"
            };
            let phase = wrk(name, &address, &scripts[n], seconds, 4, true, pid).await;
            // The first round warms both up and is not kept.
            if round > 0 {
                rounds[n].push(phase);
            }
        }
    }
    standin.list_latency_ms.store(0, Ordering::Relaxed);
    let [one, two] = rounds.map(|mut r| {
        r.sort_by(|a, b| a.p50_ms.total_cmp(&b.p50_ms));
        r.swap_remove(r.len() / 2)
    });
    let mut out = format!(
        "\n## list_events with one and with two Google accounts (stand-in events.list {latency_ms} ms, SQLite, 4 connections, {seconds} s per phase, median of {ROUNDS} rounds)\n\n\
         | people | req/s | p50 ms | p99 ms | p50 / one account | unexpected |\n|---|---|---|---|---|---|\n"
    );
    for p in [&one, &two] {
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.2} | {:.2} | {:.3} | {} |",
            p.name,
            p.rps,
            p.p50_ms,
            p.p99_ms,
            p.p50_ms / one.p50_ms,
            p.unexpected + p.non_2xx + p.socket_errors
        );
    }
    drop(child);
    out
}
