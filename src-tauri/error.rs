//! The one error that crosses the IPC boundary: `{code, message, fields}`.

use std::collections::BTreeMap;

use espace_pro_client::ClientError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CommandError {
    /// The service's error code, or one of the app's (`network`, `no_session`, …).
    pub code: String,
    /// French, ready to show.
    pub message: String,
    /// Per-field rule codes, for the messages beside each field.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Vec<String>>,
    /// Seconds to wait, when throttled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }

    pub fn no_session() -> Self {
        Self::new(
            "no_session",
            "Votre session a pris fin. Connectez-vous à nouveau.",
        )
    }
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> Self {
        let retry_after = match &e {
            ClientError::Api { retry_after, .. } => *retry_after,
            _ => None,
        };
        Self {
            code: e.code().to_owned(),
            message: e.to_string(),
            fields: e.fields(),
            retry_after,
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shape_is_pinned() {
        let mut e = CommandError::new("password_policy", "Trop court.");
        e.fields
            .insert("new_password".into(), vec!["too_short".into()]);
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"code":"password_policy","message":"Trop court.","fields":{"new_password":["too_short"]}}"#
        );
        let net: CommandError = ClientError::Network("refused".into()).into();
        assert_eq!(
            serde_json::to_value(&net).unwrap(),
            serde_json::json!({"code": "network", "message": "Le service Espace Pro est injoignable. Vérifiez votre connexion, puis réessayez."})
        );
    }
}
