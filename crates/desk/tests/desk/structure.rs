//! The shape that keeps the rules here: this crate knows nothing of the window's framework, the
//! shell holds no async lock, and its commands are one call each.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "toml") {
            into.push(path);
        }
    }
}

#[test]
fn the_core_knows_nothing_of_the_window() {
    // Spelled in two halves, so that this file passes its own check.
    let framework = ["tau", "ri"].concat();
    let mut files = Vec::new();
    rust_files(Path::new(env!("CARGO_MANIFEST_DIR")), &mut files);
    assert!(files.len() > 10);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains(&framework),
            "{} names {framework}",
            file.display()
        );
    }
}

#[test]
fn the_shell_holds_no_async_lock_and_its_commands_are_short() {
    let mut files = Vec::new();
    let framework = ["tau", "ri"].concat();
    rust_files(&root().join(format!("src-{framework}")), &mut files);
    let attribute = format!("#[{framework}::command]");
    let mut commands = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.display();
        assert!(
            !text.contains(".lock().await"),
            "{name}: an async lock around plain data"
        );
        let lines: Vec<&str> = text.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            if line.trim() != attribute {
                continue;
            }
            commands += 1;
            let length = lines[at + 1..]
                .iter()
                .position(|l| *l == "}")
                .expect("a command ends at column 0")
                + 1;
            assert!(
                length <= 20,
                "{name}:{}: a command of {length} lines",
                at + 2
            );
        }
    }
    assert!(commands >= 35, "{commands} commands found");
}
