//! The import rules the README's architecture section states, checked by reading the source:
//! `app/` imports go one way (no cycle between its modules), and `app/` never reaches the
//! network, the terminal or the drawing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The `app` modules: each top-level file or folder of `src/app`, tests left out.
fn app_modules() -> BTreeMap<String, Vec<PathBuf>> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&base).expect("src/app is there") {
        let path = entry.expect("a directory entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if matches!(name.as_str(), "mod" | "tests") {
            continue;
        }
        let files = if path.is_dir() {
            rust_files(&path)
        } else {
            vec![path]
        };
        modules.entry(name).or_insert_with(Vec::new).extend(files);
    }
    modules
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The source without its `#[cfg(test)]` tail (tests may reach anywhere).
fn non_test_source(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("a readable source file");
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// The `app` modules a file names: `crate::app::X`, and `super::X` from a file directly
/// in `src/app` (or a folder's `mod.rs`, whose `super` is `app` too).
fn named_modules(path: &Path, text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let in_app = path.parent().is_some_and(|p| p.ends_with("src/app"))
        || path.file_name().is_some_and(|f| f == "mod.rs");
    let mut names = BTreeSet::new();
    let mut prefixes = vec!["crate::app::"];
    if in_app {
        prefixes.push("super::");
    }
    for prefix in prefixes {
        for (at, _) in text.match_indices(prefix) {
            let rest = &text[at + prefix.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if known.contains(&name) {
                names.insert(name);
            }
        }
    }
    names
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = app_modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, files)| {
            let mut deps = BTreeSet::new();
            for file in files {
                deps.extend(named_modules(file, &non_test_source(file), &known));
            }
            deps.remove(name);
            (name.clone(), deps)
        })
        .collect()
}

/// A cycle, if the graph has one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_app_modules_import_each_other_without_a_cycle() {
    let graph = graph();
    assert!(graph.len() > 15, "the app modules were found: {graph:?}");
    assert!(
        graph["update"].contains("changes") && graph["audit"].contains("state"),
        "imports were read: {graph:?}"
    );
    assert_eq!(find_cycle(&graph), None, "{graph:#?}");
    // The leaves stay leaves, and state depends on no feature.
    for leaf in ["action", "cursor", "effect"] {
        assert!(
            graph[leaf].iter().all(|d| d == "action"),
            "{leaf} imports {:?}",
            graph[leaf]
        );
    }
    for feature in ["audit", "changes", "journal", "listing", "browse", "detail"] {
        assert!(!graph["state"].contains(feature), "state imports {feature}");
    }
}

#[test]
fn the_cycle_finder_finds_a_planted_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.insert("a".into(), ["b".to_owned()].into());
    graph.insert("b".into(), ["c".to_owned()].into());
    graph.insert("c".into(), ["a".to_owned()].into());
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

#[test]
fn the_app_does_no_io_and_draws_nothing() {
    for files in app_modules().values() {
        for file in files {
            let text = non_test_source(file);
            for banned in [
                "tokio::",
                "reqwest",
                "std::fs",
                "crate::ui",
                "ratatui::Frame",
                "crate::effects",
                "std::net",
            ] {
                assert!(!text.contains(banned), "{} uses {banned}", file.display());
            }
        }
    }
}
