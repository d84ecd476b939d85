//! One error type for every route. The procedures' domain errors (`crate::errors`) are mapped to
//! a status, a code and a French message here and nowhere else; messages that quote a policy
//! number take it from the error, which carries the policy in force. Unexpected failures are
//! logged with their cause and answered without it.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use espace_pro_contract::api::{
    ADDRESS_MAX_CHARS, PHONE_MAX_CHARS, SECURITY_ANSWER_MAX_CHARS, SECURITY_QUESTION_MAX_CHARS,
};
use espace_pro_contract::code::{ACTIVATION_VALIDITY_HOURS, CODE_LENGTH};
use espace_pro_contract::{
    EmailError, ErrorBody, ErrorCode, ErrorDetail, PasswordPolicy, PasswordRule,
};

use crate::errors::{AuthError, CodeError, CredentialError, EmailProblem, Fault, ProfileError};
use crate::store::StoreError;

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

    pub fn password_policy(failures: &[PasswordRule], policy: &PasswordPolicy) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::PasswordPolicy,
            format!(
                "Le nouveau mot de passe ne peut pas être accepté : {}.",
                PasswordRule::explain_all_fr(failures, policy)
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

    fn unprocessable(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    fn gone(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, code, message)
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

    /// The database is busy or cannot be written: worth trying again in a few seconds, which
    /// `Retry-After` says.
    pub fn unavailable() -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "Le service est momentanément indisponible. Réessayez dans quelques instants.",
        );
        e.retry_after = Some(5);
        e
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

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => Self::invalid_credentials(),
            AuthError::Unauthorized => Self::unauthorized(),
            AuthError::PasswordExpired => Self::password_expired(),
            AuthError::Throttled { retry_after } => Self::too_many_attempts(retry_after),
            AuthError::CaptchaRequired => Self::new(
                StatusCode::FORBIDDEN,
                ErrorCode::CaptchaRequired,
                "De nombreuses tentatives de connexion ont échoué pour cette adresse : pour vous connecter, recopiez aussi les caractères de l'image.",
            )
            .with_field("captcha_answer", "required"),
            AuthError::InvalidCaptcha => invalid_captcha(),
            AuthError::ReauthenticationRequired => Self::reauthentication_required(),
            AuthError::ReauthenticationFailed => Self::reauthentication_failed(),
            AuthError::Fault(f) => f.into(),
        }
    }
}

fn email_problem(problem: EmailProblem) -> (ErrorCode, &'static str, String, &'static str) {
    match problem {
        EmailProblem::Invalid(e) => (
            ErrorCode::InvalidEmail,
            "new_email",
            e.code().to_owned(),
            "Saisissez une adresse électronique valide de {max} caractères au plus, comme nom@domaine.fr.",
        ),
        EmailProblem::Mismatch => (
            ErrorCode::EmailMismatch,
            "confirm_email",
            "mismatch".into(),
            "Les deux adresses saisies ne sont pas identiques : saisissez deux fois la même adresse.",
        ),
        EmailProblem::SameAsCurrent => (
            ErrorCode::SameAsCurrentEmail,
            "new_email",
            "same_as_current".into(),
            "La nouvelle adresse est celle que vous utilisez déjà : saisissez une autre adresse.",
        ),
    }
}

impl From<CredentialError> for ApiError {
    fn from(e: CredentialError) -> Self {
        match e {
            CredentialError::Auth(e) => e.into(),
            CredentialError::Refused {
                email,
                password,
                policy,
            } => {
                // The first address problem leads; password problems, if any, are in `fields`
                // too.
                let Some(first) = email.first() else {
                    return Self::password_policy(&password, &policy);
                };
                let (code, _, _, message) = email_problem(*first);
                let max = espace_pro_contract::email::MAX_EMAIL_CHARS.to_string();
                let mut error = Self::unprocessable(code, message.replace("{max}", &max));
                for problem in &email {
                    let (_, field, code, _) = email_problem(*problem);
                    error.add_field(field, &code);
                }
                error.add_password_fields(&password);
                error
            }
            CredentialError::NoPendingChange => Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "Aucune modification d'adresse électronique n'est en attente.",
            ),
            CredentialError::Fault(f) => f.into(),
        }
    }
}

impl From<CodeError> for ApiError {
    fn from(e: CodeError) -> Self {
        match e {
            CodeError::Throttled { retry_after } => Self::too_many_attempts(retry_after),
            CodeError::InvalidCaptcha => invalid_captcha(),
            CodeError::UnknownCode(_) => Self::unprocessable(
                ErrorCode::InvalidCode,
                format!("Ce code d'activation n'est pas reconnu. Recopiez les {CODE_LENGTH} lettres reçues par courriel, en respectant les majuscules et les minuscules."),
            )
            .with_field("code", "invalid"),
            CodeError::Expired(_) => Self::gone(
                ErrorCode::CodeExpired,
                format!("Ce code d'activation n'est plus valable : il a déjà été utilisé, remplacé par une demande plus récente, annulé, ou son délai de {ACTIVATION_VALIDITY_HOURS} heures est dépassé. Recommencez la demande de modification pour recevoir un nouveau code."),
            )
            .with_field("code", "expired"),
            CodeError::Locked(_) => Self::gone(
                ErrorCode::CodeLocked,
                "Trop d'adresses erronées ont été saisies : la demande de modification est annulée. Recommencez-la depuis votre espace.",
            ),
            CodeError::TicketExpired => Self::gone(
                ErrorCode::TicketExpired,
                "Votre saisie a expiré. Saisissez de nouveau le code reçu par courriel.",
            ),
            CodeError::WrongAddress { tries_left } => {
                let s = if tries_left > 1 { "s" } else { "" };
                Self::unprocessable(
                    ErrorCode::EmailMismatch,
                    format!("Cette adresse ne correspond pas à la nouvelle adresse demandée. Saisissez l'adresse à laquelle vous avez reçu le code ({tries_left} essai{s} restant{s})."),
                )
                .with_field("email", "mismatch")
            }
            CodeError::EmailTaken => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::EmailTaken,
                "Cette adresse électronique est déjà celle d'un autre espace professionnel : la modification ne peut pas être activée. Recommencez la demande avec une autre adresse.",
            )
            .with_field("email", "taken"),
            CodeError::WrongAnswer => Self::unprocessable(
                ErrorCode::InvalidSecurityAnswer,
                "La réponse ne correspond pas à votre réponse de confiance. Vérifiez l'orthographe, puis réessayez.",
            )
            .with_field("security_answer", "incorrect"),
            CodeError::InvalidEmail(e) => invalid_login_email(e),
            CodeError::RecoveryUnavailable => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::RecoveryUnavailable,
                "Aucune question de confiance n'est enregistrée pour cet espace : contactez l'assistance pour retrouver l'accès.",
            ),
            CodeError::Password { failures, policy } => Self::password_policy(&failures, &policy),
            CodeError::Fault(f) => f.into(),
        }
    }
}

fn invalid_captcha() -> ApiError {
    ApiError::unprocessable(
        ErrorCode::InvalidCaptcha,
        "Les caractères saisis ne correspondent pas à l'image. Recopiez les caractères de la nouvelle image.",
    )
    .with_field("captcha_answer", "incorrect")
}

fn invalid_login_email(e: EmailError) -> ApiError {
    ApiError::unprocessable(
        ErrorCode::InvalidEmail,
        "Saisissez l'adresse électronique de connexion de votre espace, comme nom@domaine.fr.",
    )
    .with_field("email", e.code())
}

impl From<ProfileError> for ApiError {
    fn from(e: ProfileError) -> Self {
        match e {
            ProfileError::Auth(e) => e.into(),
            ProfileError::Invalid(problems) => {
                let mut e = Self::unprocessable(
                    ErrorCode::InvalidProfile,
                    format!(
                        "Certaines coordonnées ne peuvent pas être enregistrées : corrigez les champs signalés (téléphone : chiffres, espaces et + . - ( ) seulement, {PHONE_MAX_CHARS} caractères au plus ; adresse : {ADDRESS_MAX_CHARS} caractères au plus ; question : {SECURITY_QUESTION_MAX_CHARS} caractères au plus ; réponse : {SECURITY_ANSWER_MAX_CHARS} caractères au plus ; une nouvelle question demande une nouvelle réponse)."
                    ),
                );
                for (field, code) in problems {
                    e.add_field(field, code);
                }
                e
            }
            ProfileError::Fault(f) => f.into(),
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
