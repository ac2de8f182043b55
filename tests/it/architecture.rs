//! `docs/architecture.md` names every file under `src/` once, in its layout table, and names
//! no file that is not there: the map a newcomer reads is the tree they clone.

use std::collections::BTreeMap;
use std::path::Path;

/// Each `.rs` file under `dir`, as a path from the repository root.
fn rust_files(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let entries = std::fs::read_dir(dir).expect("read src");
    for entry in entries {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).expect("under the root");
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The names in backticks in one table cell.
fn ticked(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

#[test]
fn the_layout_names_every_source_file_once_and_nothing_else() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/architecture.md")).expect("the doc");
    let layout = doc
        .split("\n## Layout\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("a Layout section");
    let mut named: BTreeMap<String, usize> = BTreeMap::new();
    for row in layout.lines().filter(|l| l.starts_with("| `src/")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let [folder] = ticked(cells[1])[..] else {
            panic!("one folder per row: {row}");
        };
        for file in ticked(cells[2]) {
            *named.entry(format!("{folder}{file}")).or_default() += 1;
        }
    }
    let mut files = Vec::new();
    rust_files(&root.join("src"), root, &mut files);
    files.sort();
    let twice: Vec<&String> = named
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(f, _)| f)
        .collect();
    assert!(twice.is_empty(), "named more than once: {twice:?}");
    let missing: Vec<&String> = files.iter().filter(|f| !named.contains_key(*f)).collect();
    assert!(
        missing.is_empty(),
        "in src/ but not in the layout: {missing:?}"
    );
    let stale: Vec<&String> = named.keys().filter(|f| !files.contains(f)).collect();
    assert!(stale.is_empty(), "in the layout but not in src/: {stale:?}");
}
