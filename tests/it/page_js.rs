//! Runs the page's JavaScript unit tests (`node --test static/js/tests/`) as part of
//! `cargo test`. Without Node they are skipped, except in CI (`CI=true`), where they must run.

use std::process::Command;

#[test]
fn the_page_logic_passes_its_node_tests() {
    let root = env!("CARGO_MANIFEST_DIR");
    let node = Command::new("node").arg("--version").output();
    if node.is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "Node.js is required in CI to test the page's JavaScript"
        );
        eprintln!("SKIPPED: node is not installed; the page's JavaScript was not tested");
        return;
    }
    let output = Command::new("node")
        .args(["--test", "static/js/tests/"])
        .current_dir(root)
        .output()
        .expect("run node --test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "node --test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("# fail 0"), "{stdout}");
}
