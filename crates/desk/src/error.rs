//! The one error that crosses to the window: `{code, message, fields}`. The service's errors
//! keep its code and its message (already in the screens' language); the app's own carry an
//! [`AppCode`], whose texts live only in the screens (`apperr.<code>` in `ui/js/i18n.js`, French
//! and English). Their `message` is a detail for the log, never shown.

use std::collections::BTreeMap;

use espace_pro_client::ClientError;
use serde::Serialize;

/// The app's own errors: each has `apperr.<code>` in the screens' texts, in both languages
/// (a test reads `ui/js/i18n.js` for every one of [`AppCode::ALL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppCode {
    /// The service could not be reached.
    Network,
    /// The service's certificate (or a proxy's) is not trusted by this computer.
    UntrustedCertificate,
    /// The service answered something that is not its API.
    UnexpectedResponse,
    /// The service answered with a redirection, which the app never follows.
    Redirected,
    /// A service URL that is neither https nor this computer's http.
    InsecureUrl,
    Keyring,
    Pdf,
    /// A file could not be written.
    Io,
    /// The PDF viewer could not be opened.
    Open,
    NoSession,
    /// An activation or recovery step came without the ticket of the step before.
    NoTicket,
    NoSummary,
    NotDemo,
    /// The account is no longer in this computer's list.
    UnknownAccount,
    AccountsFile,
    /// Another service was chosen while this operation was under way: what it obtained was not
    /// kept.
    ServiceChanged,
    UpdateSignature,
    UpdateUrl,
    UpdateInstall,
    UpdateUnreachable,
    /// The update server's certificate is not trusted by this computer.
    UpdateUntrusted,
    NoUpdate,
    /// A name for this computer that the service would refuse.
    DeviceName,
    /// "Déconnecter" on this computer's own session (which "Quitter" ends).
    CurrentSession,
    /// "Enregistrer" or "Imprimer" the recovery codes outside the session that got them.
    NoRecoveryCodes,
    Unexpected,
}

impl AppCode {
    pub const ALL: &[AppCode] = &[
        AppCode::Network,
        AppCode::UntrustedCertificate,
        AppCode::UnexpectedResponse,
        AppCode::Redirected,
        AppCode::InsecureUrl,
        AppCode::Keyring,
        AppCode::Pdf,
        AppCode::Io,
        AppCode::Open,
        AppCode::NoSession,
        AppCode::NoTicket,
        AppCode::NoSummary,
        AppCode::NotDemo,
        AppCode::UnknownAccount,
        AppCode::AccountsFile,
        AppCode::ServiceChanged,
        AppCode::UpdateSignature,
        AppCode::UpdateUrl,
        AppCode::UpdateInstall,
        AppCode::UpdateUnreachable,
        AppCode::UpdateUntrusted,
        AppCode::NoUpdate,
        AppCode::DeviceName,
        AppCode::CurrentSession,
        AppCode::NoRecoveryCodes,
        AppCode::Unexpected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppCode::Network => "network",
            AppCode::UntrustedCertificate => "untrusted_certificate",
            AppCode::UnexpectedResponse => "unexpected_response",
            AppCode::Redirected => "redirected",
            AppCode::InsecureUrl => "insecure_url",
            AppCode::Keyring => "keyring",
            AppCode::Pdf => "pdf",
            AppCode::Io => "io",
            AppCode::Open => "open",
            AppCode::NoSession => "no_session",
            AppCode::NoTicket => "no_ticket",
            AppCode::NoSummary => "no_summary",
            AppCode::NotDemo => "not_demo",
            AppCode::UnknownAccount => "unknown_account",
            AppCode::AccountsFile => "accounts_file",
            AppCode::ServiceChanged => "service_changed",
            AppCode::UpdateSignature => "update_signature",
            AppCode::UpdateUrl => "update_url",
            AppCode::UpdateInstall => "update_install",
            AppCode::UpdateUnreachable => "update_unreachable",
            AppCode::UpdateUntrusted => "update_untrusted",
            AppCode::NoUpdate => "no_update",
            AppCode::DeviceName => "device_name",
            AppCode::CurrentSession => "current_session",
            AppCode::NoRecoveryCodes => "no_recovery_codes",
            AppCode::Unexpected => "unexpected",
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CommandError {
    /// The service's error code, or one of [`AppCode`].
    pub code: String,
    /// The service's message (in the screens' language); for the app's own errors, a detail
    /// for the log (the screens show `apperr.<code>`).
    pub message: String,
    /// Per-field rule codes, for the messages beside each field.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Vec<String>>,
    /// Seconds to wait, when throttled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl CommandError {
    /// One of the app's own errors, with a detail for the log.
    pub fn app(code: AppCode, detail: impl std::fmt::Display) -> Self {
        Self {
            code: code.as_str().to_owned(),
            message: detail.to_string(),
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }

    /// A refusal the service would make, made here (the service's code; `detail` for the log).
    pub fn service(code: espace_pro_contract::ErrorCode, detail: impl std::fmt::Display) -> Self {
        Self {
            code: code.as_str().to_owned(),
            message: detail.to_string(),
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }

    pub fn no_session() -> Self {
        Self::app(AppCode::NoSession, "no session in use")
    }

    /// The service's answer, or one of the app's.
    pub fn is(&self, code: AppCode) -> bool {
        self.code == code.as_str()
    }
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> Self {
        let app = |code| CommandError::app(code, &e);
        match &e {
            ClientError::Api {
                code,
                message,
                fields,
                retry_after,
                ..
            } => Self {
                code: code.as_str().to_owned(),
                message: message.clone(),
                fields: fields.clone(),
                retry_after: *retry_after,
            },
            ClientError::Network(_) => app(AppCode::Network),
            ClientError::UntrustedCertificate(_) => app(AppCode::UntrustedCertificate),
            ClientError::Decode(_) => app(AppCode::UnexpectedResponse),
            ClientError::Redirected(_) => app(AppCode::Redirected),
            ClientError::InsecureUrl(_) => app(AppCode::InsecureUrl),
            ClientError::Keyring(_) => app(AppCode::Keyring),
            ClientError::Pdf(_) => app(AppCode::Pdf),
            ClientError::Io(_) => app(AppCode::Io),
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shape_is_pinned() {
        let mut e = CommandError::app(AppCode::Io, "disk full");
        e.code = "password_policy".into();
        e.fields
            .insert("new_password".into(), vec!["too_short".into()]);
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"code":"password_policy","message":"disk full","fields":{"new_password":["too_short"]}}"#
        );
        let net: CommandError = ClientError::Network("refused".into()).into();
        assert_eq!(net.code, "network");
        assert!(net.is(AppCode::Network));
    }

    /// Every app code has its French and English text in the screens, and the screens name no
    /// app code that does not exist.
    #[test]
    fn every_app_code_has_both_texts() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/js/i18n.js");
        let source = std::fs::read_to_string(path).unwrap();
        let mut missing = Vec::new();
        for code in AppCode::ALL {
            let key = format!("'apperr.{}': [", code.as_str());
            let Some(at) = source.find(&key) else {
                missing.push(code.as_str());
                continue;
            };
            let line = source[at..].lines().next().unwrap();
            // ['French', 'English'],: two non-empty quoted texts.
            let texts = line[key.len()..].trim_end().trim_end_matches("],");
            let quoted = texts
                .split(['\'', '"'])
                .filter(|s| s.trim().len() > 2)
                .count();
            assert!(quoted >= 2, "apperr.{}: {line}", code.as_str());
        }
        assert_eq!(missing, Vec::<&str>::new(), "codes without texts");
        let mut serialized: Vec<String> = AppCode::ALL
            .iter()
            .map(|c| {
                serde_json::to_value(c)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        let names: Vec<String> = AppCode::ALL.iter().map(|c| c.as_str().to_owned()).collect();
        assert_eq!(serialized, names, "as_str and serde agree");
        serialized.sort();
        serialized.dedup();
        assert_eq!(serialized.len(), AppCode::ALL.len(), "no code twice");
        for line in source
            .lines()
            .filter(|l| l.trim_start().starts_with("'apperr."))
        {
            let code = line.trim_start()["'apperr.".len()..]
                .split('\'')
                .next()
                .unwrap();
            assert!(
                names.iter().any(|n| n == code) || code == "no_backend",
                "apperr.{code} names no app code"
            );
        }
    }
}
