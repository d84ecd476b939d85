//! The demo mailbox: the `.eml` files the embedded service writes, newest first.

use std::path::Path;

use serde::Serialize;

use crate::mime::ReceivedMail;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DemoMail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub date: String,
    pub body: String,
}

/// How long the demo keeps a message (an activation code's life).
pub const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(48 * 3600);

/// Removes the messages older than `kept_for` (all of them with zero): codes do not lie around.
pub fn purge_mailbox(dir: &Path, kept_for: std::time::Duration) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let age = std::fs::metadata(&path)?
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        if kept_for.is_zero() || age > kept_for {
            std::fs::remove_file(&path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

pub fn read_mailbox(dir: &Path) -> std::io::Result<Vec<DemoMail>> {
    let mut mails = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(mails),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let raw = std::fs::read_to_string(&path)?;
        let mail = ReceivedMail::parse(String::new(), Vec::new(), raw);
        mails.push(DemoMail {
            id: path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            to: mail.header("To").unwrap_or_default().to_owned(),
            subject: mail.subject.clone(),
            date: instant(mail.header("Date").unwrap_or_default()),
            body: mail.body,
        });
    }
    // File names are the zero-padded outbox ids: reverse order is newest first.
    mails.sort_by(|a, b| b.id.cmp(&a.id));
    Ok(mails)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_messages_are_purged_and_all_on_demand() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("0000000001.eml");
        let new = dir.path().join("0000000002.eml");
        std::fs::write(&old, "Subject: a\r\n\r\nmHPstewGkBYj").unwrap();
        std::fs::write(&new, "Subject: b\r\n\r\nabcdefghijkl").unwrap();
        let three_days_ago =
            std::time::SystemTime::now() - std::time::Duration::from_secs(72 * 3600);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(three_days_ago)
            .unwrap();
        assert_eq!(purge_mailbox(dir.path(), KEPT_FOR).unwrap(), 1);
        assert!(!old.exists() && new.exists());
        assert_eq!(
            purge_mailbox(dir.path(), std::time::Duration::ZERO).unwrap(),
            1
        );
        assert!(read_mailbox(dir.path()).unwrap().is_empty());
    }
}

/// An e-mail's `Date` (RFC 5322) as an RFC 3339 instant, which the screens show in the service's
/// time zone; left as written if it does not parse.
fn instant(date: &str) -> String {
    use time::format_description::well_known::{Rfc2822, Rfc3339};
    time::OffsetDateTime::parse(date.trim(), &Rfc2822)
        .ok()
        .and_then(|d| d.format(&Rfc3339).ok())
        .unwrap_or_else(|| date.to_owned())
}

#[cfg(test)]
mod date_tests {
    #[test]
    fn dates_become_instants() {
        assert_eq!(
            super::instant("Sat, 28 Nov 2026 03:57:45 +0000"),
            "2026-11-28T03:57:45Z"
        );
        assert_eq!(super::instant("hier"), "hier");
    }
}
