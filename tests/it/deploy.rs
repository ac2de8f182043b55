//! The deploy files hold to the code: the probes name routes that answer, the
//! port is the one the service listens on, every variable they set is one the service reads
//! (`.env.example` lists them all), and every secret comes from a file (a compose secret or a
//! Kubernetes Secret), never from the environment. And `calendar-agent health`, which the
//! compose health check runs inside the shell-less image, says what the server says.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use calendar_agent::config::SECRET_FILES;
use common::process::{run_to_exit, start_server};
use common::spawn_app;
use yaml_rust2::{Yaml, YamlLoader};

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn yaml(path: &str) -> Vec<Yaml> {
    YamlLoader::load_from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The variables `.env.example` documents (every one the configuration reads).
fn documented() -> BTreeSet<String> {
    read(".env.example")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(name, _)| name.trim().to_owned())
        .filter(|name| !name.starts_with('#'))
        .collect()
}

fn str_of(y: &Yaml) -> String {
    match y {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Holds the rules for one workload's environment: every name documented, no secret set
/// directly, every `NAME_FILE` a path under `secret_dir`. Returns the files named.
fn check_environment(env: &BTreeMap<String, String>, secret_dir: &str, file: &str) -> Vec<String> {
    let documented = documented();
    let mut files = Vec::new();
    for (name, value) in env {
        assert!(
            documented.contains(name),
            "{file}: {name} is not a variable the service reads (.env.example)"
        );
        assert!(
            !SECRET_FILES.iter().any(|(secret, _)| secret == name),
            "{file}: the secret {name} is set directly; give it as {name}_FILE"
        );
        if SECRET_FILES.iter().any(|(_, file_var)| file_var == name) {
            let file_name = value
                .strip_prefix(secret_dir)
                .unwrap_or_else(|| panic!("{file}: {name}={value} is not under {secret_dir}"));
            files.push(file_name.trim_start_matches('/').to_owned());
        }
    }
    for required in ["PRESIGN_SECRET", "TOKEN_ENCRYPTION_KEY", "DATABASE_URL"] {
        assert!(
            env.contains_key(&format!("{required}_FILE")),
            "{file}: several instances need {required} (as {required}_FILE)"
        );
    }
    let grace: u64 = env
        .get("SHUTDOWN_GRACE_SECONDS")
        .map_or(5, |v| v.parse().expect("a number"));
    assert!(grace >= 1, "{file}: SHUTDOWN_GRACE_SECONDS");
    files
}

fn seconds(text: &str) -> u64 {
    text.trim_end_matches('s').parse().expect("seconds")
}

#[test]
fn compose_runs_the_service_on_its_port_with_every_secret_from_a_file() {
    let doc = &yaml("deploy/compose.yaml")[0];
    let app = &doc["services"]["app"];
    let env: BTreeMap<String, String> = app["environment"]
        .as_hash()
        .expect("environment as a map")
        .iter()
        .map(|(k, v)| (str_of(k), str_of(v)))
        .collect();
    let files = check_environment(&env, "/run/secrets", "compose.yaml");
    let mounted: BTreeSet<String> = app["secrets"]
        .as_vec()
        .expect("secrets")
        .iter()
        .map(str_of)
        .collect();
    for file in &files {
        assert!(
            mounted.contains(file),
            "compose.yaml: {file} is not mounted"
        );
        assert!(
            !doc["secrets"][file.as_str()]["file"].is_badvalue(),
            "compose.yaml: the secret {file} comes from a file"
        );
    }
    let ports: Vec<String> = app["ports"]
        .as_vec()
        .expect("ports")
        .iter()
        .map(str_of)
        .collect();
    assert!(
        ports.iter().any(|p| p.ends_with(":3000")),
        "the container port is PORT's default, 3000: {ports:?}"
    );
    // Plain HTTP is published on loopback only, for a TLS proxy on the host; nothing deployed
    // here is a proxy, so none is trusted.
    assert!(
        ports.iter().all(|p| p.starts_with("127.0.0.1:")),
        "compose.yaml publishes on 127.0.0.1 only: {ports:?}"
    );
    assert!(
        !env.contains_key("TRUSTED_PROXIES"),
        "compose.yaml trusts no proxy it does not deploy"
    );
    assert!(
        read("deploy/compose.yaml").contains("TLS proxy"),
        "compose.yaml says how to put TLS in front"
    );
    let check: Vec<String> = app["healthcheck"]["test"]
        .as_vec()
        .expect("a health check")
        .iter()
        .map(str_of)
        .collect();
    assert_eq!(check, ["CMD", "/calendar-agent", "health", "--ready"]);
    let grace = env["SHUTDOWN_GRACE_SECONDS"].parse::<u64>().expect("grace");
    assert!(
        seconds(&str_of(&app["stop_grace_period"])) > grace + 10,
        "compose.yaml: stop_grace_period above SHUTDOWN_GRACE_SECONDS + 10 s"
    );
    let volumes: Vec<String> = app["volumes"]
        .as_vec()
        .expect("volumes")
        .iter()
        .map(str_of)
        .collect();
    let data = volumes
        .iter()
        .find_map(|v| v.strip_suffix(":/data"))
        .expect("a volume at /data");
    assert!(
        !doc["volumes"][data].is_badvalue(),
        "compose.yaml: {data} is a named volume"
    );
    assert!(
        !doc["services"]["db"]["healthcheck"].is_badvalue(),
        "PostgreSQL has a health check too"
    );
}

#[test]
fn kubernetes_probes_ports_and_secrets_match_the_service() {
    let deployment = &yaml("deploy/kubernetes/deployment.yaml")[0];
    let service = &yaml("deploy/kubernetes/service.yaml")[0];
    let secret = &yaml("deploy/kubernetes/secret.yaml")[0];
    assert_eq!(deployment["kind"].as_str(), Some("Deployment"));
    assert_eq!(deployment["spec"]["replicas"].as_i64(), Some(2));
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(container["ports"][0]["containerPort"].as_i64(), Some(3000));
    let port_name = container["ports"][0]["name"].as_str().expect("named port");
    assert_eq!(
        container["readinessProbe"]["httpGet"]["path"].as_str(),
        Some("/readyz")
    );
    assert_eq!(
        container["livenessProbe"]["httpGet"]["path"].as_str(),
        Some("/healthz")
    );
    for probe in ["readinessProbe", "livenessProbe"] {
        assert_eq!(
            container[probe]["httpGet"]["port"].as_str(),
            Some(port_name)
        );
    }
    assert_eq!(
        service["spec"]["ports"][0]["targetPort"].as_str(),
        Some(port_name)
    );
    assert_eq!(
        service["spec"]["selector"]["app"],
        deployment["spec"]["template"]["metadata"]["labels"]["app"]
    );
    let env: BTreeMap<String, String> = container["env"]
        .as_vec()
        .expect("env")
        .iter()
        .map(|e| {
            assert!(
                e["valueFrom"].is_badvalue(),
                "secrets come as files, not env values"
            );
            (str_of(&e["name"]), str_of(&e["value"]))
        })
        .collect();
    let mount = container["volumeMounts"]
        .as_vec()
        .expect("mounts")
        .iter()
        .find(|m| m["name"].as_str() == Some("secrets"))
        .expect("the Secret is mounted");
    let dir = mount["mountPath"].as_str().expect("path");
    let files = check_environment(&env, dir, "deployment.yaml");
    let volume = pod["volumes"]
        .as_vec()
        .expect("volumes")
        .iter()
        .find(|v| v["name"].as_str() == Some("secrets"))
        .expect("the secrets volume");
    let secret_name = volume["secret"]["secretName"].as_str().expect("a Secret");
    assert_eq!(secret["kind"].as_str(), Some("Secret"));
    assert_eq!(secret["metadata"]["name"].as_str(), Some(secret_name));
    for file in files {
        assert!(
            !secret["stringData"][file.as_str()].is_badvalue(),
            "the Secret template has {file}"
        );
    }
    let grace = env["SHUTDOWN_GRACE_SECONDS"].parse::<i64>().expect("grace");
    let termination = pod["terminationGracePeriodSeconds"].as_i64().expect("set");
    assert!(
        termination > grace + 10,
        "terminationGracePeriodSeconds above SHUTDOWN_GRACE_SECONDS + 10"
    );
    // Readiness tolerates a blip of the store, and waits out the store ping's own limit; a
    // stopping replica is out of the Service before its grace ends.
    let ready = &container["readinessProbe"];
    let failures = ready["failureThreshold"]
        .as_i64()
        .expect("failureThreshold");
    assert!(failures >= 3, "readiness failureThreshold {failures} < 3");
    let timeout = ready["timeoutSeconds"].as_i64().expect("timeoutSeconds");
    let ping = i64::try_from(calendar_agent::store::READY_PING_LIMIT.as_secs()).expect("secs");
    assert!(
        timeout > ping,
        "readiness timeoutSeconds {timeout} must exceed the store ping's {ping} s"
    );
    let period = ready["periodSeconds"].as_i64().expect("periodSeconds");
    assert!(
        grace > failures * period,
        "SHUTDOWN_GRACE_SECONDS outlasts readiness' {failures} x {period} s"
    );
    assert!(
        !env.contains_key("TRUSTED_PROXIES"),
        "deployment.yaml trusts no proxy it does not deploy"
    );
    assert_eq!(pod["securityContext"]["runAsNonRoot"].as_bool(), Some(true));
    assert!(pod["securityContext"]["runAsUser"].as_i64() > Some(0));
    assert_eq!(
        container["securityContext"]["readOnlyRootFilesystem"].as_bool(),
        Some(true)
    );
    assert_eq!(
        container["securityContext"]["allowPrivilegeEscalation"].as_bool(),
        Some(false)
    );
}

#[test]
fn the_containerfile_and_the_ci_image_agree_on_user_port_entrypoint_and_variables() {
    let containerfile = read("Containerfile");
    let runtime = containerfile
        .split("FROM ")
        .last()
        .expect("a runtime stage");
    let script = read("scripts/image.sh");
    for (what, text) in [("Containerfile", runtime), ("scripts/image.sh", &script)] {
        assert!(text.contains("EXPOSE 3000"), "{what}: EXPOSE 3000");
        assert!(
            text.contains(r#"ENTRYPOINT ["/calendar-agent"]"#),
            "{what}: the binary is the entrypoint"
        );
        assert!(text.contains("WORKDIR /data"), "{what}: data under /data");
        assert!(
            text.contains("ENV HOST=0.0.0.0 PORT=3000"),
            "{what}: listens on every address"
        );
        let user = text
            .lines()
            .find_map(|l| l.strip_prefix("USER "))
            .expect("a USER line");
        assert!(
            !user.starts_with('0') && !user.starts_with("root"),
            "{what}: not root ({user})"
        );
        for (secret, _) in SECRET_FILES {
            assert!(
                !text.contains(&format!("ENV {secret}")),
                "{what}: no secret in the image"
            );
        }
    }
}

#[tokio::test]
async fn the_probe_paths_answer_on_the_running_service() {
    let app = spawn_app(&[]).await;
    for path in ["/healthz", "/readyz"] {
        let status = app
            .client
            .get(app.url(path))
            .send()
            .await
            .expect("probe")
            .status();
        assert_eq!(status, 200, "{path}");
    }
}

#[tokio::test]
async fn the_health_command_says_what_the_server_says() {
    let google = wiremock::MockServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}/health.db", dir.path().display());
    let server = start_server(&google, &db, &[]).await;
    let port = server.address.rsplit(':').next().expect("port").to_owned();
    for args in [&["health"][..], &["health", "--ready"][..]] {
        let (code, output) = run_to_exit(&google, &db, &[("PORT", &port)], args).await;
        assert_eq!(code, Some(0), "{args:?}: {output}");
    }
    drop(server);
    let (code, output) =
        run_to_exit(&google, &db, &[("PORT", &port)], &["health", "--ready"]).await;
    assert_ne!(code, Some(0), "nothing listening: {output}");
}
