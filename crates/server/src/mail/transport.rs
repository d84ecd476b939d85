//! Where messages go: an SMTP relay (lettre) or a folder of `.eml` files.

use std::path::PathBuf;

use lettre::message::header::{self, ContentType};
use lettre::message::{Mailbox, Message};

use super::RelayAddress;
use super::relay::Relay;

/// Where e-mails go, as the configuration says.
#[derive(Debug, Clone)]
pub enum MailTransportConfig {
    /// `smtp://host:port` (plain, loopback relays), `smtp://host:port?tls=required` (STARTTLS) or
    /// `smtps://host:port` (TLS), with optional `user@` (and its password, kept apart).
    Smtp(RelayAddress),
    /// Each message written as an `.eml` file in this folder.
    Directory(PathBuf),
}

#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub outbox_id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: time::OffsetDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("invalid address: {0}")]
    Address(String),
    #[error("could not build the message: {0}")]
    Build(String),
    #[error("SMTP: {0}")]
    Smtp(String),
    #[error("mail folder: {0}")]
    Io(#[from] std::io::Error),
}

impl TransportError {
    /// Permanent failures are not worth retrying quickly (a malformed address stays malformed).
    pub fn is_permanent(&self) -> bool {
        matches!(self, TransportError::Address(_) | TransportError::Build(_))
    }
}

pub enum MailTransport {
    Smtp(Relay),
    Directory(PathBuf),
}

impl MailTransport {
    /// `parallel`: connections to the relay kept open at most (one per delivery in progress).
    /// `ca_pem`: certificate authorities to trust besides the computer's (`--smtp-ca-file`).
    pub fn from_config(
        config: &MailTransportConfig,
        parallel: usize,
        ca_pem: Option<&[u8]>,
    ) -> Result<Self, TransportError> {
        match config {
            MailTransportConfig::Smtp(address) => Ok(Self::Smtp(
                Relay::new(address, parallel, ca_pem).map_err(TransportError::Smtp)?,
            )),
            MailTransportConfig::Directory(dir) => {
                crate::files::private_dir(dir)?;
                Ok(Self::Directory(dir.clone()))
            }
        }
    }

    pub async fn send(&self, from: &str, mail: &OutgoingMail) -> Result<(), TransportError> {
        let message = build_message(from, mail)?;
        match self {
            MailTransport::Smtp(relay) => relay
                .send(message.envelope(), &message.formatted())
                .await
                .map_err(TransportError::Smtp),
            MailTransport::Directory(dir) => {
                // Written under a temporary name, then renamed: a reader never sees half a file,
                // and the outbox id in the name makes a second delivery overwrite the first.
                let name = format!("{:010}.eml", mail.outbox_id);
                let tmp = dir.join(format!(".{name}.tmp"));
                let (path, bytes) = (tmp.clone(), message.formatted());
                tokio::task::spawn_blocking(move || {
                    use std::io::Write as _;
                    let mut file = crate::files::private_file()
                        .create(true)
                        .truncate(true)
                        .open(&path)?;
                    file.write_all(&bytes)
                })
                .await
                .map_err(std::io::Error::other)??;
                tokio::fs::rename(&tmp, dir.join(name)).await?;
                Ok(())
            }
        }
    }
}

fn build_message(from: &str, mail: &OutgoingMail) -> Result<Message, TransportError> {
    let from: Mailbox = from
        .parse()
        .map_err(|_| TransportError::Address(from.to_owned()))?;
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|_| TransportError::Address(mail.to.clone()))?;
    let domain = from.email.domain().to_owned();
    Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        // One id per outbox row: if a crash makes us send twice, clients can tell it is a copy.
        .message_id(Some(format!(
            "<outbox-{}-{}@{}>",
            mail.outbox_id,
            mail.created_at.unix_timestamp(),
            domain
        )))
        .date(mail.created_at.into())
        .header(header::MIME_VERSION_1_0)
        // RFC 3834: written by a machine, so that out-of-office replies do not answer it.
        .raw_header(header::HeaderValue::new(
            header::HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ))
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| TransportError::Build(e.to_string()))
}
