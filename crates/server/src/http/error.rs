//! One error type for every route, mapped to status codes here and nowhere else. Unexpected
//! failures are logged with their cause and answered without it.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use espace_pro_contract::{ErrorBody, ErrorCode, ErrorDetail, PasswordRule};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub fields: BTreeMap<String, Vec<String>>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: &str, code: &str) -> Self {
        self.fields
            .entry(field.to_owned())
            .or_default()
            .push(code.to_owned());
        self
    }

    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie ou utilisez « Mot de passe oublié ».",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "Votre session a expiré ou n'est plus valide. Connectez-vous à nouveau.",
        )
    }

    pub fn too_many_attempts(retry_after: u64) -> Self {
        let retry_after = retry_after.max(1);
        let wait = if retry_after == 1 {
            "1 seconde".to_owned()
        } else if retry_after < 120 {
            format!("{retry_after} secondes")
        } else {
            format!("{} minutes", retry_after.div_ceil(60))
        };
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyAttempts,
            format!("Trop de tentatives infructueuses. Réessayez dans {wait}."),
        );
        e.retry_after = Some(retry_after);
        e
    }

    pub fn reauthentication_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ReauthenticationRequired,
            "Pour confirmer cette modification, saisissez votre mot de passe actuel.",
        )
        .with_field("current_password", "required")
    }

    pub fn reauthentication_failed() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ReauthenticationFailed,
            "Le mot de passe actuel saisi est incorrect. Vérifiez votre saisie.",
        )
        .with_field("current_password", "incorrect")
    }

    pub fn password_expired() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::PasswordExpired,
            "Votre mot de passe a expiré : choisissez un nouveau mot de passe pour continuer.",
        )
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, message)
    }

    pub fn password_policy(failures: &[PasswordRule]) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::PasswordPolicy,
            format!(
                "Le nouveau mot de passe ne peut pas être accepté : {}.",
                failures
                    .iter()
                    .map(|r| rule_message(*r))
                    .collect::<Vec<_>>()
                    .join(" ; ")
            ),
        );
        for rule in failures {
            let field = if *rule == PasswordRule::Mismatch {
                "confirm_password"
            } else {
                "new_password"
            };
            e = e.with_field(field, rule.code());
        }
        e
    }

    /// An unexpected failure: logged with its cause, answered with a generic message.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "unexpected failure");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "Le service a rencontré une erreur inattendue. Réessayez dans quelques instants.",
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "Le service est momentanément indisponible. Réessayez dans quelques instants.",
        )
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.clone(),
                fields: self.fields.clone(),
            },
        }
    }
}

pub fn rule_message(rule: PasswordRule) -> &'static str {
    match rule {
        PasswordRule::TooShort => "il doit compter au moins 20 caractères",
        PasswordRule::TooLong => "il doit compter au plus 128 caractères",
        PasswordRule::MissingLetter => "il doit contenir au moins une lettre",
        PasswordRule::MissingDigit => "il doit contenir au moins un chiffre",
        PasswordRule::ContainsWhitespace => "il ne doit pas contenir d'espace",
        PasswordRule::InvalidCharacter => "il contient un caractère invisible ou de contrôle",
        PasswordRule::TooWeak => {
            "il est trop facile à deviner (évitez vos nom, prénom, adresse et numéro d'abonné, et les suites prévisibles)"
        }
        PasswordRule::SameAsCurrent => "il doit être différent du mot de passe actuel",
        PasswordRule::Mismatch => "la confirmation ne correspond pas au nouveau mot de passe",
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut => Self::unavailable(),
            sqlx::Error::Database(db)
                if db.message().contains("locked") || db.message().contains("busy") =>
            {
                tracing::warn!(error = %e, "database busy");
                Self::unavailable()
            }
            _ => Self::internal(e),
        }
    }
}

impl From<crate::crypto::HashError> for ApiError {
    fn from(e: crate::crypto::HashError) -> Self {
        Self::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
