//! Tools from PyPI that tests run (schemathesis, an SMTP relay), each in a virtual environment
//! of its own under the build folder, made once.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The folder of a virtual environment with `requirement` (`name==version`) installed, under
/// `parent` (a test's `CARGO_TARGET_TMPDIR`), made when missing.
pub fn venv(parent: &Path, requirement: &str) -> PathBuf {
    let venv = parent.join(requirement.replace("==", "-"));
    let done = venv.join(".installed");
    if done.exists() {
        return venv;
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("python3 (cargo xtask test installs python3-venv)");
    assert!(
        made.success(),
        "python3 -m venv failed: apt install python3-venv"
    );
    let installed = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            requirement,
        ])
        .status()
        .expect("pip in the virtual environment");
    assert!(installed.success(), "pip install {requirement} failed");
    std::fs::write(&done, "").expect("the virtual environment's mark");
    venv
}
