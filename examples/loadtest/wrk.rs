//! Driving `wrk`: Lua scripts for the phases, running it, and reading its figures.

use std::path::Path;

use tokio::process::Command;

/// One phase's figures.
pub struct Phase {
    pub name: &'static str,
    pub requests: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub non_2xx: u64,
    pub socket_errors: u64,
    pub unexpected: u64,
    pub rss_mb: f64,
}

pub fn name_slug(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).collect()
}

fn lua_list(items: &[String]) -> String {
    items
        .iter()
        .map(|p| format!("{p:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn get_script(path: &str) -> String {
    format!("wrk.method = \"GET\"\nwrk.path = {path:?}\n")
}

/// POSTs `body` to the paths in turn; with `numbered`, `#N` in the body becomes a counter.
pub fn post_script(paths: &[String], body: &str, numbered: bool) -> String {
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

pub fn cookie_script(cookies: &[String]) -> String {
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

pub async fn wrk(
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

pub async fn run_direct(g: &str, dir: &Path, seconds: u64, connections: u64) -> Phase {
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

pub fn rss_mb(pid: u32, field: &str) -> f64 {
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
