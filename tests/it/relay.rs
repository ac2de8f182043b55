//! Cross-instance delivery when the network misbehaves (docs/operations.md, Guarantees): instance B reaches
//! PostgreSQL through a TCP proxy that, for a while, silently drops everything (no FIN, no
//! RST), as a dead switch or a dropped NAT mapping does. B must notice by itself, reconnect once
//! the network heals, and tell its open pages to read again.

use crate::common;

use common::ADA;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use calendar_agent::state::bus::Change;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A TCP proxy to `target` that can fall silent. While silent, bytes in either direction are
/// read and thrown away and new connections are held unanswered; when it heals, every
/// connection that lived through the silence is closed (its stream lost bytes) and new ones
/// pass again.
struct Proxy {
    port: u16,
    silent: Arc<AtomicBool>,
    /// Bumped at each heal: connections of an older era are cut.
    era: Arc<AtomicU64>,
}

impl Proxy {
    async fn start(target: std::net::SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (silent, era) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicU64::new(0)),
        );
        let (s, e) = (Arc::clone(&silent), Arc::clone(&era));
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (silent, era) = (Arc::clone(&s), Arc::clone(&e));
                tokio::spawn(async move { carry(client, target, silent, era).await });
            }
        });
        Self { port, silent, era }
    }

    fn fall_silent(&self) {
        self.silent.store(true, Ordering::SeqCst);
    }

    fn heal(&self) {
        self.era.fetch_add(1, Ordering::SeqCst);
        self.silent.store(false, Ordering::SeqCst);
    }
}

async fn carry(
    client: TcpStream,
    target: std::net::SocketAddr,
    silent: Arc<AtomicBool>,
    era: Arc<AtomicU64>,
) {
    let born = era.load(Ordering::SeqCst);
    // A connection that arrives while silent waits, unanswered, until the heal cuts it.
    while silent.load(Ordering::SeqCst) {
        if era.load(Ordering::SeqCst) != born {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let Ok(server) = TcpStream::connect(target).await else {
        return;
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = tokio::spawn(pump(
        client_read,
        server_write,
        Arc::clone(&silent),
        Arc::clone(&era),
        born,
    ));
    let down = tokio::spawn(pump(server_read, client_write, silent, era, born));
    let _ = tokio::join!(up, down);
}

/// Copies `from` to `to`, dropping bytes while silent, until either side closes or a heal
/// ends this connection's era (dropping both halves closes the sockets).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    silent: Arc<AtomicBool>,
    era: Arc<AtomicU64>,
    born: u64,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let read = tokio::select! {
            r = from.read(&mut buf) => r,
            () = tokio::time::sleep(Duration::from_millis(50)) => {
                if era.load(Ordering::SeqCst) != born {
                    return;
                }
                continue;
            }
        };
        let n = match read {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if era.load(Ordering::SeqCst) != born {
            return;
        }
        if silent.load(Ordering::SeqCst) {
            continue; // dropped on the floor
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// Polls `check` every 50 ms for up to `within`; how long it took.
async fn within<F: FnMut() -> bool>(within: Duration, what: &str, mut check: F) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < within, "not within {within:?}: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (scripts/test-postgres.sh); cargo test -- --include-ignored"]
async fn a_silently_dropped_listen_connection_is_noticed_healed_and_its_pages_read_again() {
    let Some(common::Db::Postgres(url)) = common::Db::postgres().await else {
        return;
    };
    let target: std::net::SocketAddr = {
        let parsed = url::Url::parse(&url).expect("url");
        format!("127.0.0.1:{}", parsed.port().expect("port"))
            .parse()
            .expect("addr")
    };
    let proxy = Proxy::start(target).await;
    let mut through = url::Url::parse(&url).expect("url");
    through.set_port(Some(proxy.port)).expect("port");
    let a = common::spawn_app(&[("DATABASE_URL", &url)]).await;
    // B checks its connection every second instead of every 5: silence is noticed in about 2.
    let b = common::spawn_app(&[
        ("DATABASE_URL", through.as_str()),
        (common::RELAY_CHECK_MS, "1000"),
    ])
    .await;
    a.mount_google(3600).await;
    let cookie = a.sign_in(ADA).await;
    let mut page = live_page(&b, &cookie).await;
    within(Duration::from_secs(10), "B's relay listening", || {
        b.state.metrics.relay_is_up()
    })
    .await;

    proxy.fall_silent();
    let noticed = within(Duration::from_secs(30), "B noticing the silence", || {
        !b.state.metrics.relay_is_up()
    })
    .await;
    println!("B noticed the dead LISTEN connection after {noticed:?}");

    proxy.heal();
    let healed = Instant::now();
    // Whatever was missed meanwhile, the page is told to read again.
    let (name, _) = page
        .next(Duration::from_secs(30))
        .await
        .expect("changed after the heal");
    assert_eq!(name, "changed");
    println!(
        "B's page told to read again {:?} after the heal",
        healed.elapsed()
    );
    assert!(b.state.metrics.relay_is_up());
    assert!(
        b.state
            .metrics
            .render()
            .contains("calendar_agent_change_relay_reconnects_total 1"),
        "{}",
        b.state.metrics.render()
    );
    // And another instance's changes reach it again.
    a.state
        .bus
        .publish(Change::Changed {
            user_id: ADA.into(),
            calendar_id: "work".into(),
            events: Vec::new(),
        })
        .await;
    let (name, data) = page
        .next(Duration::from_secs(10))
        .await
        .expect("A's change");
    assert_eq!(
        (name.as_str(), data["calendarId"].as_str()),
        ("changed", Some("work"))
    );
}

/// An open `GET /api/events/stream` on `app`, read event by event.
struct Page {
    response: reqwest::Response,
    buffer: String,
}

async fn live_page(app: &common::TestApp, cookie: &str) -> Page {
    let response = app.get_with_cookie("/api/events/stream", cookie).await;
    assert_eq!(response.status().as_u16(), 200);
    Page {
        response,
        buffer: String::new(),
    }
}

impl Page {
    /// The next named event and its data, comments skipped.
    async fn next(&mut self, within: Duration) -> Option<(String, serde_json::Value)> {
        let deadline = Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut name, mut data) = (String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if !name.is_empty() {
                    return Some((name, serde_json::from_str(&data).unwrap_or_default()));
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let chunk = tokio::time::timeout(left, self.response.chunk())
                .await
                .expect("a stream message in time")
                .expect("stream readable")?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}
