//! One error type for the client; the app turns it into `{code, message}` for the screens. The
//! service's refusals carry its own message, in the language asked for; the others are details
//! for the log (the screens have their own texts for them).

use std::collections::BTreeMap;

use espace_pro_contract::ErrorCode;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    /// The service refused the request; `message` is its text, in the language asked for.
    #[error("{message}")]
    Api {
        status: u16,
        code: ErrorCode,
        message: String,
        fields: BTreeMap<String, Vec<String>>,
        retry_after: Option<u64>,
    },
    #[error("the service could not be reached: {0}")]
    Network(String),
    /// The service (or a proxy on the way) showed a certificate this computer does not trust:
    /// an authority not in its store, another name, an expired one. Not "unreachable": the
    /// person's IT department can fix it, and trying again will not.
    #[error("the service's certificate is not trusted by this computer: {0}")]
    UntrustedCertificate(String),
    #[error("the service's answer is not its API: {0}")]
    Decode(String),
    /// The service answered with a redirection (to the address given): never followed, since
    /// the request's body (a password, a code, an answer) would go along to another address.
    #[error("the service answered with a redirection to {0}, which is not followed")]
    Redirected(String),
    #[error("a service URL must be https:// (http:// only on this computer): {0}")]
    InsecureUrl(String),
    #[error("the system keyring failed: {0}")]
    Keyring(String),
    #[error("the summary could not be made: {0}")]
    Pdf(String),
    #[error("the file could not be written: {0}")]
    Io(String),
}

impl ClientError {
    /// A stable machine code: the service's own code, or one of the client's.
    pub fn code(&self) -> &str {
        match self {
            ClientError::Api { code, .. } => code.as_str(),
            ClientError::Network(_) => "network",
            ClientError::UntrustedCertificate(_) => "untrusted_certificate",
            ClientError::Decode(_) => "unexpected_response",
            ClientError::Redirected(_) => "redirected",
            ClientError::InsecureUrl(_) => "insecure_url",
            ClientError::Keyring(_) => "keyring",
            ClientError::Pdf(_) => "pdf",
            ClientError::Io(_) => "io",
        }
    }

    pub fn fields(&self) -> BTreeMap<String, Vec<String>> {
        match self {
            ClientError::Api { fields, .. } => fields.clone(),
            _ => BTreeMap::new(),
        }
    }

    pub fn api_code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The session is gone (expired, revoked, logged out elsewhere).
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self,
            ClientError::Api {
                status: 401,
                code: ErrorCode::Unauthorized,
                ..
            }
        )
    }
}

/// Whether `error` (or an error it wraps) is a TLS certificate this computer does not trust: an
/// authority not in its store, another name, an expired one. Returns rustls's reason. Used for
/// the service's requests and the updater's alike.
pub fn untrusted_certificate(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(error);
    while let Some(err) = cause {
        if let Some(refused @ rustls::Error::InvalidCertificate(_)) =
            err.downcast_ref::<rustls::Error>()
        {
            return Some(refused.to_string());
        }
        // `io::Error` hides the error it wraps from `source()`: it is asked for it directly.
        cause = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}
