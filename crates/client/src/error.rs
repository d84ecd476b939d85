//! One error type for the client; the app turns it into `{code, message}` for the screens.

use std::collections::BTreeMap;

use espace_pro_contract::ErrorCode;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    /// The service refused the request; `message` is its French text.
    #[error("{message}")]
    Api {
        status: u16,
        code: ErrorCode,
        message: String,
        fields: BTreeMap<String, Vec<String>>,
        retry_after: Option<u64>,
    },
    #[error("Le service Espace Pro est injoignable. Vérifiez votre connexion, puis réessayez.")]
    Network(String),
    #[error("Le service a fait une réponse inattendue. Réessayez dans quelques instants.")]
    Decode(String),
    #[error(
        "L'adresse du service doit commencer par https:// (http:// n'est accepté que sur cet ordinateur) : {0}"
    )]
    InsecureUrl(String),
    #[error("Le trousseau du système n'a pas pu conserver votre session : {0}")]
    Keyring(String),
    #[error("Le récapitulatif n'a pas pu être créé : {0}")]
    Pdf(String),
    #[error("Le fichier n'a pas pu être écrit : {0}")]
    Io(String),
}

impl ClientError {
    /// A stable machine code: the service's own code, or one of the client's.
    pub fn code(&self) -> &str {
        match self {
            ClientError::Api { code, .. } => code.as_str(),
            ClientError::Network(_) => "network",
            ClientError::Decode(_) => "unexpected_response",
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
