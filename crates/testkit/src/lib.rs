//! Test helpers shared by the service, client and end-to-end tests: a real SMTP listener on
//! loopback that records what it receives, the decoding needed to read those messages, tools
//! from PyPI in virtual environments, and the service's binary run as a child process.

pub mod process;
pub mod python;
pub mod smtp;
pub mod tls;

pub use espace_pro_client::mime;
pub use espace_pro_client::mime::ReceivedMail;
pub use smtp::{SmtpListener, reserve_port};

/// The first line of a message body that is exactly a 12-letter code (activation or recovery).
pub fn find_code(body: &str) -> Option<String> {
    body.lines()
        .map(str::trim)
        .find(|l| l.len() == 12 && l.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_owned)
}
