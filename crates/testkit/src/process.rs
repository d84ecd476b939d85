//! The service's binary driven from outside, as a script would: its commands, the secrets they
//! read on their standard input, and child processes that do not outlive the test.

use std::io::Write as _;
use std::process::{Child, Command};

/// A child process, killed (and waited for) when dropped.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Writes `input` to the standard input of `child` (spawned with it piped), then closes it.
pub fn write_stdin(child: &mut Child, input: &str) {
    let mut stdin = child.stdin.take().expect("a piped standard input");
    stdin
        .write_all(input.as_bytes())
        .expect("the child reads its input");
}

/// `bin account create` on the database `db` for `email` (the caller adds the other fields).
pub fn account_create(bin: &str, db: &str, email: &str) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(["account", "create", "--database", db, "--email", email]);
    cmd
}

/// `bin serve` on the loopback `port` and the database `db`, with its metrics on a free port.
pub fn serve(bin: &str, port: u16, db: &str) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--metrics-listen", "127.0.0.1:0", "--database", db]);
    cmd
}
