//! The summary PDF checked by a PDF/UA-1 validator we did not write: `pdfua` from PyPI (the
//! machine-checkable subset of ISO 14289-1 on pikepdf; veraPDF does not install from the
//! registries), in a virtual environment of its own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use espace_pro_client::pdf::summary_pdf;
use espace_pro_contract::api::SummaryData;
use serde_json::Value;

const PDFUA: &str = "pdfua==0.1.3";

fn summary() -> Vec<u8> {
    let data = SummaryData {
        civility: "M.".into(),
        first_name: "Zoë-Amélie".into(),
        last_name: "N'GUYÊN".into(),
        subscriber_number: "20232370000001".parse().unwrap(),
        login_email: "zoe@example.fr".into(),
        phone: "+33 1 23 45 67 89".into(),
        address: "3 allée des Tilleuls, 69001 Lyon, France".into(),
        security_question: "Votre ville natale ?".into(),
        security_answer: "Saint-Étienne".into(),
    };
    summary_pdf(&data, time::macros::datetime!(2026-12-04 10:00:00 +01:00)).unwrap()
}

/// `pdfua check` on `pdf`: its JSON report.
fn check(pdf: &[u8]) -> Value {
    // Made once, the two tests running at the same time.
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    let venv = VENV.get_or_init(|| {
        espace_pro_testkit::python::venv(Path::new(env!("CARGO_TARGET_TMPDIR")), PDFUA)
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("summary.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new(venv.join("bin/pdfua"))
        .args(["check", "--format", "json"])
        .arg(&file)
        .output()
        .expect("pdfua");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn rules_found(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_summary_passes_the_pdf_ua_checks() {
    let report = check(&summary());
    assert_eq!(report["exit_code"], 0, "{report:#}");
    assert!(rules_found(&report).is_empty(), "{report:#}");
    let run = report["summary"]["rules_run"].as_u64().unwrap_or(0);
    assert!(run >= 10, "only {run} rules ran: {report:#}");
    // The one rule pdfua 0.1.3 skips is its own failure to read a structure element's kids
    // given as MCIDs (`/K [0 1]`, as ISO 32000-1 §14.7.2 allows); the headings it would check
    // are read back by `pdfinfo -struct-text` in the client's unit tests.
    let skipped: Vec<&str> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["rule_id"].as_str())
        .collect();
    assert!(
        skipped.iter().all(|r| *r == "UA-14-001"),
        "rules skipped: {report:#}"
    );
}

/// The validator sees what the tags add: the same summary without its structure tree and its
/// `/MarkInfo` is refused.
#[test]
fn the_same_summary_untagged_is_refused() {
    let mut pdf = lopdf::Document::load_mem(&summary()).unwrap();
    let root = pdf.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let catalog = pdf.get_object_mut(root).unwrap().as_dict_mut().unwrap();
    catalog.remove(b"StructTreeRoot");
    catalog.remove(b"MarkInfo");
    let mut bytes = Vec::new();
    pdf.save_to(&mut bytes).unwrap();
    let found = rules_found(&check(&bytes));
    for rule in ["UA-01-005", "UA-01-002"] {
        assert!(found.iter().any(|r| r == rule), "{rule} not in {found:?}");
    }
}
