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
            date: mail.header("Date").unwrap_or_default().to_owned(),
            body: mail.body,
        });
    }
    // File names are the zero-padded outbox ids: reverse order is newest first.
    mails.sort_by(|a, b| b.id.cmp(&a.id));
    Ok(mails)
}
