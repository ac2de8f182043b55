//! `loadtest ceiling`: the service beside a bare Axum app doing the same HMAC check
//! (`examples/ceiling.rs`), in one run, phase by phase: forged tool URLs (POST), GET on a tool
//! route, and `/healthz`. Each process writes its log straight to a file, as in production,
//! so the table can say how many bytes of log a flood of forgeries costs (per flood of the
//! given length). Given the path of an older build of the service, it runs that too
//! ("before").

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use calendar_agent::clock::unix_now;
use calendar_agent::presign::{SigningKeys, presign_url};
use calendar_agent::secret::Secret;
use tokio::process::{Child, Command};

use crate::server::{PUBLIC_BASE_URL, SECRET, SETTINGS};
use crate::wrk::{Phase, get_script, post_script, wrk};

const ROUTE: &str = "/api/calendar/list-events";

/// One process under test.
struct Target {
    label: String,
    binary: PathBuf,
    is_service: bool,
}

/// How many times each phase is driven on each process.
const ROUNDS: usize = 3;

/// The round with the median request rate.
fn median(mut rounds: Vec<Measured>) -> Measured {
    rounds.sort_by(|a, b| a.phase.rps.total_cmp(&b.phase.rps));
    rounds.swap_remove(rounds.len() / 2)
}

/// One target's figures for one phase.
struct Measured {
    phase: Phase,
    log_bytes: u64,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Starts `target` with its stderr going to `log`; returns once it says it listens.
async fn start(target: &Target, dir: &Path, log: &Path) -> (Child, String) {
    let port = free_port();
    let file = std::fs::File::create(log).expect("log file");
    let mut command = Command::new(&target.binary);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORT", port.to_string())
        .env("PRESIGN_SECRET", SECRET)
        .env("PUBLIC_BASE_URL", PUBLIC_BASE_URL)
        .env("RUST_LOG", "info");
    if target.is_service {
        // Default logging (info, text); no outside service is reached by these phases.
        let nowhere = "http://127.0.0.1:9";
        let db = format!("sqlite://{}", dir.join(format!("{port}.db")).display());
        command.envs(SETTINGS).envs([
            ("GOOGLE_TOKEN_URL", nowhere),
            ("GOOGLE_USERINFO_URL", nowhere),
            ("GOOGLE_CALENDAR_BASE_URL", nowhere),
            ("ANAM_API_BASE_URL", nowhere),
            ("DATABASE_URL", &db),
        ]);
    }
    let child = command
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::from(file))
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    for _ in 0..600 {
        if std::fs::read_to_string(log).is_ok_and(|t| t.contains("listening on")) {
            return (child, format!("http://127.0.0.1:{port}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} did not start; see {}", target.label, log.display());
}

/// Runs the comparison and prints its tables.
pub async fn run(seconds: u64, connections: u64, before: Option<(PathBuf, String)>) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release");
    let mut targets = vec![
        Target {
            label: "ceiling (bare Axum + HMAC)".into(),
            binary: root.join("examples/ceiling"),
            is_service: false,
        },
        Target {
            label: "service".into(),
            binary: root.join("calendar-agent"),
            is_service: true,
        },
    ];
    if let Some((binary, revision)) = before {
        targets.push(Target {
            label: format!("service before ({revision})"),
            binary,
            is_service: true,
        });
    }
    for t in &targets {
        assert!(
            t.binary.exists(),
            "build first: cargo build --release --bin calendar-agent --example ceiling"
        );
    }
    let work = tempfile::tempdir().expect("tempdir");
    let keys = SigningKeys::new(Secret::new(SECRET));
    let exp = unix_now() + 3600;
    // Signed for eight users, then the last hex digit changed: forgeries a scanner could send.
    let forged: Vec<String> = (0..8)
        .map(|i| {
            let url = presign_url(
                &keys,
                &format!("{PUBLIC_BASE_URL}{ROUTE}"),
                &format!("load{i}@example.com"),
                exp,
            );
            let path = url.trim_start_matches(PUBLIC_BASE_URL);
            let last = if path.ends_with('0') { '1' } else { '0' };
            format!("{}{last}", &path[..path.len() - 1])
        })
        .collect();
    let phases: [(&'static str, String); 3] = [
        (
            "forged tool URL, POST (401)",
            post_script(&forged, r#"{"timezone":"UTC"}"#, false),
        ),
        ("tool route, GET (405)", get_script(&forged[0])),
        ("GET /healthz", get_script("/healthz")),
    ];

    // Every process runs at once (idle unless driven); each phase is driven in turn on each,
    // ROUNDS times over, and the median round is kept: drift in the machine's speed then
    // touches every process alike.
    let mut running = Vec::new();
    for (index, target) in targets.iter().enumerate() {
        let log = work.path().join(format!("target-{index}.log"));
        let (child, address) = start(target, work.path(), &log).await;
        running.push((child, address, log));
    }
    let mut rounds: Vec<Vec<Vec<Measured>>> = targets
        .iter()
        .map(|_| phases.iter().map(|_| Vec::new()).collect())
        .collect();
    for (p, (name, script)) in phases.iter().enumerate() {
        let lua = work.path().join(format!("phase-{p}.lua"));
        std::fs::write(&lua, script).expect("lua");
        for _ in 0..ROUNDS {
            for (t, (child, address, log)) in running.iter().enumerate() {
                let pid = child.id().expect("pid");
                let size = || std::fs::metadata(log).map_or(0, |m| m.len());
                let before = size();
                let phase = wrk(name, address, &lua, seconds, connections, false, pid).await;
                // Let the writer drain what the flood queued.
                tokio::time::sleep(Duration::from_millis(1500)).await;
                rounds[t][p].push(Measured {
                    phase,
                    log_bytes: size().saturating_sub(before),
                });
            }
        }
    }
    for (mut child, _, _) in running {
        child.start_kill().expect("stop");
        let _ = child.wait().await;
    }
    let results: Vec<Vec<Measured>> = rounds
        .into_iter()
        .map(|phases| phases.into_iter().map(median).collect())
        .collect();
    println!(
        "{}",
        report(&targets, &results, &phases, seconds, connections)
    );
}

fn report(
    targets: &[Target],
    results: &[Vec<Measured>],
    phases: &[(&'static str, String)],
    seconds: u64,
    connections: u64,
) -> String {
    let mut out = format!(
        "\n## Ceiling and service, side by side ({connections} connections, {seconds} s per phase, median of {ROUNDS} alternating rounds)\n\n\
         | phase | process | req/s | vs ceiling | p50 ms | p99 ms | RSS MB | log bytes |\n\
         |---|---|---|---|---|---|---|---|\n"
    );
    for (p, (name, _)) in phases.iter().enumerate() {
        let ceiling = results[0][p].phase.rps;
        for (t, target) in targets.iter().enumerate() {
            let m = &results[t][p];
            let _ = writeln!(
                out,
                "| {name} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.1} | {} |",
                target.label,
                m.phase.rps,
                m.phase.rps / ceiling,
                m.phase.p50_ms,
                m.phase.p99_ms,
                m.phase.rss_mb,
                m.log_bytes,
            );
        }
    }
    let forged = |t: usize| results[t][0].phase.rps / results[0][0].phase.rps;
    let _ = write!(
        out,
        "\n- forged POST refusal, service / ceiling: {:.2} (target at least 0.60, default logging)\n",
        forged(1)
    );
    if targets.len() > 2 {
        let _ = writeln!(
            out,
            "- before: {:.2} of the ceiling; log written during the {seconds} s forged-POST flood: {} bytes before, {} after",
            forged(2),
            results[2][0].log_bytes,
            results[1][0].log_bytes,
        );
    }
    out
}
