//! schemathesis (from PyPI, in a virtual environment this test makes once under the build folder)
//! against the service binary, reading the service's own OpenAPI document: every check, positive
//! and negative data, the coverage, fuzzing and stateful phases, with a fixed seed so that a
//! finding can be replayed. Any finding fails the test, and so does a run under 1,000 test cases.
//! Settings: `tests/schemathesis.toml`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use espace_pro_testkit::process::{self, account_create, write_stdin};
use espace_pro_testkit::reserve_port;

const BIN: &str = env!("CARGO_BIN_EXE_espace-pro-server");
const SCHEMATHESIS: &str = "schemathesis==4.32.5";
const PASSWORD: &str = "Vert7Citron4Galop9Sable2";

/// schemathesis, in its virtual environment (made when missing).
fn schemathesis() -> PathBuf {
    espace_pro_testkit::python::venv(Path::new(env!("CARGO_TARGET_TMPDIR")), SCHEMATHESIS)
        .join("bin/schemathesis")
}

/// "1052 generated, 1052 passed, 16 skipped" → 1052.
fn generated(summary: &str) -> Option<u64> {
    summary.lines().find_map(|l| {
        let (n, rest) = l.trim().split_once(' ')?;
        rest.starts_with("generated").then(|| n.parse().ok())?
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_nothing_in_a_thousand_cases() {
    let st = tokio::task::spawn_blocking(schemathesis).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let mut create = account_create(BIN, &db, "lila@example.fr")
        .args(["--first-name", "Lila", "--last-name", "ROSEMONDE"])
        .args(["--dossier", "000299001:SARL MARTIN DISTRIBUTION"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    write_stdin(&mut create, &format!("{PASSWORD}\nPaul\n"));
    assert!(create.wait().unwrap().success());
    let port = reserve_port();
    let mut server = process::serve(BIN, port, &db)
        .arg("--mail-dir")
        .arg(dir.path().join("mail"))
        .env("ESPACE_PRO_LOG", "error")
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut token = None;
    for _ in 0..200 {
        if let Ok(r) = http
            .post(format!("{base}/v1/sessions"))
            .json(&serde_json::json!({"email": "lila@example.fr", "password": PASSWORD}))
            .send()
            .await
        {
            let body: serde_json::Value = r.json().await.unwrap();
            token = body["token"].as_str().map(str::to_owned);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let token = token.expect("the service did not start");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis.toml");
    // Schemathesis keeps a cache (`.schemathesis/`) in its working folder: in the test's own
    // folder, each run starts from nothing and the source tree stays as it was.
    let work = dir.path().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(st)
            .current_dir(work)
            .arg("--config-file")
            .arg(config)
            .args(["run", &format!("{base}/v1/openapi.json")])
            .args(["--checks", "all", "--max-examples", "30", "--seed", "1"])
            .args(["--no-color", "--max-failures", "20"])
            .env("ESPACE_PRO_FUZZ_TOKEN", token)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let text = String::from_utf8_lossy(&out.stdout);
    let tail: Vec<&str> = text.lines().rev().take(12).collect();
    eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
    assert!(
        out.status.success(),
        "schemathesis found something:\n{text}"
    );
    let cases = generated(&text).expect("schemathesis printed no summary");
    assert!(cases >= 1000, "only {cases} test cases");
}

#[test]
fn reads_the_summary() {
    assert_eq!(
        generated("Test cases:\n  1052 generated, 1052 passed, 16 skipped"),
        Some(1052)
    );
    assert_eq!(generated("nothing"), None);
}
