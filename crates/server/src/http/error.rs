//! One error type for every route. The procedures' domain errors (`crate::errors`) are mapped to
//! a status, a code and a message in French and English here and nowhere else (the answer is in
//! the language the request asks for, `super::lang`); messages that quote a policy number take it
//! from the error, which carries the policy in force. Each procedure has its own wording: a
//! recovery code is not an activation code. Unexpected failures are logged with their cause and
//! answered without it.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use espace_pro_contract::{ErrorBody, ErrorCode, ErrorDetail, PasswordPolicy, PasswordRule};

use super::lang::{self, Lang};
use crate::errors::Fault;
use crate::store::StoreError;

mod refusals;

/// A message in the two languages the service answers in.
#[derive(Debug, Clone)]
pub struct Text {
    pub fr: String,
    pub en: String,
}

impl Text {
    pub fn new(fr: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            fr: fr.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: Text,
    pub fields: BTreeMap<String, Vec<String>>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: ErrorCode,
        fr: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            message: Text::new(fr, en),
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
            "Wrong e-mail address or password. Check what you typed or use “Forgotten password”.",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "Votre session a expiré ou n'est plus valide. Connectez-vous à nouveau.",
            "Your session has expired or is no longer valid. Log in again.",
        )
    }

    pub fn too_many_attempts(retry_after: u64) -> Self {
        let retry_after = retry_after.max(1);
        let (fr, en) = if retry_after == 1 {
            ("1 seconde".to_owned(), "1 second".to_owned())
        } else if retry_after < 120 {
            (
                format!("{retry_after} secondes"),
                format!("{retry_after} seconds"),
            )
        } else {
            let minutes = retry_after.div_ceil(60);
            (format!("{minutes} minutes"), format!("{minutes} minutes"))
        };
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyAttempts,
            format!("Trop de tentatives infructueuses. Réessayez dans {fr}."),
            format!("Too many failed attempts. Try again in {en}."),
        );
        e.retry_after = Some(retry_after);
        e
    }

    pub fn reauthentication_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ReauthenticationRequired,
            "Pour confirmer cette modification, saisissez votre mot de passe actuel.",
            "To confirm this change, enter your current password.",
        )
        .with_field("current_password", "required")
    }

    pub fn reauthentication_failed() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ReauthenticationFailed,
            "Le mot de passe actuel saisi est incorrect. Vérifiez votre saisie.",
            "The current password entered is wrong. Check what you typed.",
        )
        .with_field("current_password", "incorrect")
    }

    pub fn password_expired() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::PasswordExpired,
            "Votre mot de passe a expiré : choisissez un nouveau mot de passe pour continuer.",
            "Your password has expired: choose a new password to continue.",
        )
    }

    pub fn invalid_request(fr: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, fr, en)
    }

    pub fn password_policy(failures: &[PasswordRule], policy: &PasswordPolicy) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::PasswordPolicy,
            format!(
                "Le nouveau mot de passe ne peut pas être accepté : {}.",
                PasswordRule::explain_all_fr(failures, policy)
            ),
            format!(
                "The new password cannot be accepted: {}.",
                PasswordRule::explain_all_en(failures, policy)
            ),
        );
        e.add_password_fields(failures);
        e
    }

    fn add_password_fields(&mut self, failures: &[PasswordRule]) {
        for rule in failures {
            let field = if *rule == PasswordRule::Mismatch {
                "confirm_password"
            } else {
                "new_password"
            };
            self.add_field(field, rule.code());
        }
    }

    fn add_field(&mut self, field: &str, code: &str) {
        self.fields
            .entry(field.to_owned())
            .or_default()
            .push(code.to_owned());
    }

    fn unprocessable(code: ErrorCode, fr: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, fr, en)
    }

    fn gone(code: ErrorCode, fr: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, code, fr, en)
    }

    /// An unexpected failure: logged with its cause, answered with a generic message.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "unexpected failure");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "Le service a rencontré une erreur inattendue. Réessayez dans quelques instants.",
            "The service met an unexpected error. Try again in a few moments.",
        )
    }

    /// The database is busy or cannot be written: worth trying again in a few seconds, which
    /// `Retry-After` says.
    pub fn unavailable() -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "Le service est momentanément indisponible. Réessayez dans quelques instants.",
            "The service is temporarily unavailable. Try again in a few moments.",
        );
        e.retry_after = Some(5);
        e
    }

    /// The body, with the message in the language of the request being served.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.get(lang::current()).to_owned(),
                fields: self.fields.clone(),
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Busy(_) | StoreError::Unavailable(_) => {
                tracing::warn!(error = %e, "database busy or unavailable");
                Self::unavailable()
            }
            StoreError::Conflict(_) | StoreError::Corrupt(_) | StoreError::Other(_) => {
                Self::internal(e)
            }
        }
    }
}

impl From<Fault> for ApiError {
    fn from(e: Fault) -> Self {
        match e {
            Fault::Store(e) => e.into(),
            e => Self::internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"espace-pro\""),
            );
        }
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::refusals::{expired_code, locked_code, unknown_code};
    use super::*;
    use crate::kinds::Purpose;

    #[test]
    fn waits_are_said_in_both_languages() {
        let e = ApiError::too_many_attempts(900);
        assert_eq!(
            e.message.fr,
            "Trop de tentatives infructueuses. Réessayez dans 15 minutes."
        );
        assert_eq!(
            e.message.en,
            "Too many failed attempts. Try again in 15 minutes."
        );
        let e = ApiError::too_many_attempts(1);
        assert_eq!(
            e.message.en,
            "Too many failed attempts. Try again in 1 second."
        );
    }

    #[test]
    fn each_procedure_names_its_own_code() {
        for purpose in [Purpose::Activation, Purpose::Recovery] {
            for e in [
                unknown_code(purpose),
                expired_code(purpose),
                locked_code(purpose),
            ] {
                let about_activation = e.message.fr.contains("activation")
                    || e.message.fr.contains("demande de modification");
                assert_eq!(
                    about_activation,
                    purpose == Purpose::Activation,
                    "{:?}",
                    e.message
                );
                assert_eq!(
                    e.message.en.contains("activation") || e.message.en.contains("change request"),
                    purpose == Purpose::Activation,
                    "{:?}",
                    e.message
                );
            }
        }
    }
}
