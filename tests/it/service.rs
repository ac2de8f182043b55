//! Service-wide behaviour: health, and JSON for every error including unknown routes.

use crate::common;

use common::{assert_error, json_of, spawn_app};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app(&[]).await;
    let response = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .expect("request");
    let (status, body) = json_of(response).await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({ "status": "ok" }));
}

#[tokio::test]
async fn an_unknown_route_answers_404_json() {
    let app = spawn_app(&[]).await;
    let response = app
        .client
        .get(format!("{}/nope", app.address))
        .send()
        .await
        .expect("request");
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 404, "not_found");
}

#[tokio::test]
async fn a_wrong_method_answers_405_json() {
    let app = spawn_app(&[]).await;
    let response = app
        .client
        .get(format!("{}/api/calendar/events", app.address))
        .send()
        .await
        .expect("request");
    let (status, body) = json_of(response).await;
    assert_error(status, &body, 405, "method_not_allowed");
}

#[test]
fn a_short_presign_secret_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_calendar-agent"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORT", "0")
        .env("PRESIGN_SECRET", "hunter2-hunter2")
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("PRESIGN_SECRET"), "{stderr}");
    assert!(stderr.contains("at least 32 bytes"), "{stderr}");
    assert!(
        !stderr.contains("hunter2"),
        "the secret is not echoed: {stderr}"
    );
}

/// Starts the binary with `vars` (secrets as files, as the deploy files pass them) and returns
/// its exit code and what it printed on stderr.
fn start_with(vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_calendar-agent"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORT", "0")
        .current_dir(dir.path());
    for (name, value) in vars {
        let file = dir.path().join(name.to_ascii_lowercase());
        std::fs::write(&file, format!("{value}\n")).expect("write");
        command.env(format!("{name}_FILE"), &file);
    }
    // A configuration it accepts would serve forever: it must have stopped within seconds.
    let mut child = command
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn each_placeholder_of_the_secret_template_and_a_guessable_key_stop_start_up_by_name() {
    let template = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/kubernetes/secret.yaml"
    ))
    .expect("the template");
    // stringData's keys are the variables' names in lower case, as the Deployment mounts them.
    let placeholders: Vec<(String, String)> = template
        .split("stringData:")
        .nth(1)
        .expect("stringData")
        .lines()
        .filter_map(|l| {
            let (key, value) = l.trim().split_once(": \"")?;
            Some((
                key.to_ascii_uppercase(),
                value.strip_suffix('"')?.to_owned(),
            ))
        })
        .collect();
    assert_eq!(placeholders.len(), 5);
    for (variable, placeholder) in &placeholders {
        let (code, stderr) = start_with(&[(variable.as_str(), placeholder.as_str())]);
        assert_eq!(code, Some(2), "{variable}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "{variable}: is still the deploy files' placeholder"
            )),
            "{variable}: {stderr}"
        );
    }
    // Long enough, but a pattern: a public signing key would let anyone mint tool URLs.
    for (variable, weak) in [
        ("PRESIGN_SECRET", "changeme-changeme-changeme-changeme"),
        (
            "TOKEN_ENCRYPTION_KEY",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ),
        ("COOKIE_SECRET", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
    ] {
        let (code, stderr) = start_with(&[(variable, weak)]);
        assert_eq!(code, Some(2), "{variable}: {stderr}");
        assert!(
            stderr.contains(&format!("{variable}: looks guessable")),
            "{stderr}"
        );
        assert!(!stderr.contains(weak), "the secret is not echoed: {stderr}");
    }
}
