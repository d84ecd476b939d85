//! The service's structure, checked on its sources: procedures know nothing of HTTP, and no
//! module imports one that imports it back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its path relative to `src`.
fn sources(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The code of a file without its comments (`//` to the end of the line).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a file belongs to: `http/routes.rs` → `http`, `auth.rs` → `auth`.
fn module_of(rel: &str) -> String {
    rel.split('/')
        .next()
        .unwrap()
        .trim_end_matches(".rs")
        .to_owned()
}

const COMPOSITION_ROOT: &[&str] = &["app", "main", "lib"];

#[test]
fn only_the_http_layer_and_the_composition_root_know_http() {
    let mut files = Vec::new();
    sources(&src(), &src(), &mut files);
    let mut offenders = Vec::new();
    for (rel, text) in &files {
        let module = module_of(rel);
        if module == "http" || COMPOSITION_ROOT.contains(&module.as_str()) {
            continue;
        }
        let code = code(text);
        for name in ["axum", "ApiError", "StatusCode"] {
            if code.contains(name) {
                offenders.push(format!("{rel} names {name}"));
            }
        }
    }
    assert!(files.len() > 20, "the sources were not found");
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// The modules a piece of code names through `crate::…` (grouped imports included).
fn crate_references(code: &str, reexports: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            // Top-level names only: `{a, b::{c, d}, e}` gives a, b, e.
            let mut depth = 0;
            let mut names = Vec::new();
            let mut start = 0;
            let mut end = group.len();
            for (i, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        end = i;
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.push(&group[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            names.push(&group[start..end]);
            names
        } else {
            vec![rest]
        };
        for name in names {
            let ident: String = name
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if ident.is_empty() || ident == "self" {
                continue;
            }
            found.insert(reexports.get(&ident).cloned().unwrap_or(ident));
        }
    }
    found
}

/// First cycle found in `graph`, as the path that closes it.
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
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

fn import_graph(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(root, root, &mut files);
    let lib = files
        .iter()
        .find(|(rel, _)| rel == "lib.rs")
        .map(|(_, t)| code(t))
        .unwrap_or_default();
    // `pub use app::Application;` lets `crate::Application` stand for `app`.
    let mut reexports = BTreeMap::new();
    for line in lib.lines() {
        if let Some(rest) = line.trim().strip_prefix("pub use ")
            && let Some((module, item)) = rest.trim_end_matches(';').split_once("::")
        {
            reexports.insert(item.to_owned(), module.to_owned());
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in &files {
        let module = module_of(rel);
        if module == "lib" {
            continue;
        }
        let refs = crate_references(&code(text), &reexports);
        let edges = graph.entry(module.clone()).or_default();
        edges.extend(refs.into_iter().filter(|m| *m != module));
    }
    graph
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = import_graph(&src());
    assert!(graph.len() > 20, "the sources were not found");
    assert!(
        graph["http"].contains("auth") && graph["auth"].contains("store"),
        "the import graph was not read: {graph:#?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let reexports = BTreeMap::from([("Application".to_owned(), "app".to_owned())]);
    let refs = crate_references(
        "use crate::{accounts::{self, x}, dates, b::c};\nlet a = crate::Application::build();",
        &reexports,
    );
    assert_eq!(
        refs,
        BTreeSet::from(["accounts", "app", "b", "dates"].map(str::to_owned))
    );
    let graph = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]);
    assert_eq!(
        find_cycle(&graph).unwrap(),
        ["a", "b", "c", "a"].map(str::to_owned)
    );
    let mut acyclic = graph.clone();
    acyclic.get_mut("c").unwrap().clear();
    assert_eq!(find_cycle(&acyclic), None);
}

/// The functions of a file, each with its text (from `fn` to the next `fn` at the same indent).
fn functions(code: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in code.lines() {
        let trimmed = line.trim_start();
        let starts = [
            "pub async fn ",
            "async fn ",
            "pub fn ",
            "fn ",
            "pub(crate) async fn ",
        ]
        .iter()
        .find_map(|p| trimmed.strip_prefix(p));
        if let Some(rest) = starts {
            let name = rest.split(['(', '<']).next().unwrap_or("").to_owned();
            out.push((name, String::new()));
        }
        if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

/// The read cache (`store/cache.rs`) is right only if every write to a cached table drops what
/// it read before, even when the request that made it is dropped: inside a transaction through
/// `Store::commit` (not `commit_uncached`, kept for the throttle's and the audit's tables),
/// outside one through `self.write_cached` in the same function.
#[test]
fn every_write_to_a_cached_table_tells_the_read_cache() {
    let mut files = Vec::new();
    sources(&src(), &src(), &mut files);
    let cached = ["sessions", "accounts", "dossiers", "email_changes"];
    let mut offenders = Vec::new();
    for (rel, text) in &files {
        let code = code(text);
        let committing = ["store/mod.rs", "store/commit.rs"];
        if !committing.contains(&rel.as_str()) && code.contains(".commit()") {
            offenders.push(format!("{rel}: commits without Store::commit"));
        }
        let uncached_allowed = ["throttle.rs", "store/throttle.rs", "store/audit.rs"];
        if code.contains("commit_uncached(")
            && !committing.contains(&rel.as_str())
            && !uncached_allowed.contains(&rel.as_str())
        {
            offenders.push(format!("{rel}: commits without telling the read cache"));
        }
        if !rel.starts_with("store/") {
            continue;
        }
        for (name, body) in functions(&code) {
            let writes_cached = cached.iter().any(|t| {
                ["INSERT INTO", "UPDATE", "DELETE FROM"].iter().any(|verb| {
                    body.contains(&format!("{verb} {t} "))
                        || body.contains(&format!("{verb} {t}\n"))
                })
            });
            if writes_cached && body.contains("self.pool") && !body.contains("self.write_cached(") {
                offenders.push(format!("{rel}: {name} writes a cached table outside a transaction without self.write_cached"));
            }
            if writes_cached && body.contains("commit_uncached(") {
                offenders.push(format!(
                    "{rel}: {name} writes a cached table and commits without telling the read cache"
                ));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// A function's signature: its text up to the `{` that opens its body.
fn signature(body: &str) -> &str {
    let mut depth = 0i32;
    for (i, ch) in body.char_indices() {
        match ch {
            '(' | '<' | '[' => depth += 1,
            ')' | '>' | ']' => depth -= 1,
            '{' if depth <= 0 => return &body[..i],
            _ => {}
        }
    }
    body
}

/// The response types that hold the security answer, built anywhere: each must be built in a
/// function that takes the proof of a fresh password entry (`auth::Fresh`), which only the
/// re-authentication check hands out (review finding: a stale session read the answer through
/// `PUT /v1/account/profile`).
#[test]
fn the_security_answer_is_answered_only_with_a_fresh_password_entry() {
    let mut files = Vec::new();
    sources(&src(), &src(), &mut files);
    let holding_the_answer = ["Profile", "SummaryData", "AccountSummary"];
    let mut built = 0;
    let mut offenders = Vec::new();
    for (rel, text) in &files {
        let code = code(text);
        for (name, body) in functions(&code) {
            for ty in holding_the_answer {
                let literal = format!("{ty} {{");
                let builds = body.match_indices(&literal).any(|(at, _)| {
                    let before = body[..at].chars().next_back();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if !builds {
                    continue;
                }
                built += 1;
                if !signature(&body).contains("Fresh") {
                    offenders.push(format!("{rel}: {name} builds {ty} without a Fresh proof"));
                }
            }
        }
        // The answer in clear is compared (recovery) or put into those responses, nowhere else.
        if code.contains("security_answer(svc")
            && !["profile.rs", "recovery.rs"].contains(&rel.as_str())
        {
            offenders.push(format!("{rel}: opens the security answer"));
        }
    }
    assert!(built >= 3, "the responses were not found ({built})");
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// A procedure acting for a session writes through `auth::begin_write_as`, which checks the
/// session again inside the transaction: a session revoked while its request was on its way
/// (a password changed meanwhile) commits nothing.
#[test]
fn writes_for_a_session_check_it_inside_their_transaction() {
    let mut files = Vec::new();
    sources(&src(), &src(), &mut files);
    let mut offenders = Vec::new();
    let mut checked = 0;
    for (rel, text) in &files {
        if rel.starts_with("store/") || rel.starts_with("http/") {
            continue;
        }
        let code = code(text);
        for (name, body) in functions(&code) {
            let for_a_session =
                signature(&body).contains("Session") || signature(&body).contains("Fresh<");
            if !for_a_session {
                continue;
            }
            if body.contains("begin_write_as(") {
                checked += 1;
            }
            // `logout` is the revocation itself, which those checks wait for.
            if body.contains(".begin_write(")
                && !["begin_write_as", "logout"].contains(&name.as_str())
            {
                offenders.push(format!(
                    "{rel}: {name} writes for a session without begin_write_as"
                ));
            }
        }
    }
    assert!(
        checked >= 4,
        "the session writes were not found ({checked})"
    );
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// One concept per file, read in one sitting: no file's code (its tests aside) is over 400
/// lines.
#[test]
fn no_file_is_over_400_lines_besides_its_tests() {
    let mut files = Vec::new();
    sources(&src(), &src(), &mut files);
    assert!(files.len() > 30);
    let long: Vec<String> = files
        .iter()
        .filter_map(|(rel, text)| {
            let code = text.split("#[cfg(test)]\nmod ").next().unwrap_or("");
            let lines = code.lines().count();
            (lines > 400).then(|| format!("{rel}: {lines} lines"))
        })
        .collect();
    assert!(long.is_empty(), "{long:?}");
}
