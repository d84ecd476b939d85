//! One error type for every route. The procedures' domain errors (`crate::errors`) are mapped to
//! a status, a code and a message in French and English here and nowhere else (the answer is in
//! the language the request asks for, `super::lang`); messages that quote a policy number take it
//! from the error, which carries the policy in force. Each procedure has its own wording: a
//! recovery code is not an activation code. Unexpected failures are logged with their cause and
//! answered without it.

use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use espace_pro_contract::api::{
    ADDRESS_MAX_CHARS, PHONE_MAX_CHARS, SECURITY_ANSWER_MAX_CHARS, SECURITY_QUESTION_MAX_CHARS,
};
use espace_pro_contract::code::{
    ACTIVATION_VALIDITY_HOURS, CODE_LENGTH, RECOVERY_VALIDITY_MINUTES,
};
use espace_pro_contract::{
    EmailError, ErrorBody, ErrorCode, ErrorDetail, PasswordPolicy, PasswordRule,
};

use super::lang::{self, Lang};
use crate::errors::{AuthError, CodeError, CredentialError, EmailProblem, Fault, ProfileError};
use crate::kinds::Purpose;
use crate::store::StoreError;

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
                "Many log-in attempts failed for this address: to log in, also copy the characters in the image.",
            )
            .with_field("captcha_answer", "required"),
            AuthError::InvalidCaptcha => invalid_captcha(),
            AuthError::ReauthenticationRequired => Self::reauthentication_required(),
            AuthError::ReauthenticationFailed => Self::reauthentication_failed(),
            AuthError::Fault(f) => f.into(),
        }
    }
}

/// The code, field, field code and message (French, English; `{max}` is the length limit) of an
/// address refused at the e-mail change.
fn email_problem(
    problem: EmailProblem,
) -> (ErrorCode, &'static str, String, &'static str, &'static str) {
    match problem {
        EmailProblem::Invalid(e) => (
            ErrorCode::InvalidEmail,
            "new_email",
            e.code().to_owned(),
            "Saisissez une adresse électronique valide de {max} caractères au plus, comme nom@domaine.fr.",
            "Enter a valid e-mail address of at most {max} characters, like name@domain.fr.",
        ),
        EmailProblem::Mismatch => (
            ErrorCode::EmailMismatch,
            "confirm_email",
            "mismatch".into(),
            "Les deux adresses saisies ne sont pas identiques : saisissez deux fois la même adresse.",
            "The two addresses entered are not the same: enter the same address twice.",
        ),
        EmailProblem::SameAsCurrent => (
            ErrorCode::SameAsCurrentEmail,
            "new_email",
            "same_as_current".into(),
            "La nouvelle adresse est celle que vous utilisez déjà : saisissez une autre adresse.",
            "The new address is the one you already use: enter another address.",
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
                let (code, _, _, fr, en) = email_problem(*first);
                let max = espace_pro_contract::email::MAX_EMAIL_CHARS.to_string();
                let mut error =
                    Self::unprocessable(code, fr.replace("{max}", &max), en.replace("{max}", &max));
                for problem in &email {
                    let (_, field, code, _, _) = email_problem(*problem);
                    error.add_field(field, &code);
                }
                error.add_password_fields(&password);
                error
            }
            CredentialError::NoPendingChange => Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "Aucune modification d'adresse électronique n'est en attente.",
                "No change of e-mail address is pending.",
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
            CodeError::UnknownCode(purpose) => unknown_code(purpose),
            CodeError::Expired(purpose) => expired_code(purpose),
            CodeError::Locked(purpose) => locked_code(purpose),
            CodeError::TicketExpired => Self::gone(
                ErrorCode::TicketExpired,
                "Votre saisie a expiré. Saisissez de nouveau le code reçu par courriel.",
                "Your entry has expired. Enter the code received by e-mail again.",
            ),
            CodeError::WrongAddress { tries_left } => {
                let s = if tries_left > 1 { "s" } else { "" };
                let tries = if tries_left > 1 { "tries" } else { "try" };
                Self::unprocessable(
                    ErrorCode::EmailMismatch,
                    format!("Cette adresse ne correspond pas à la nouvelle adresse demandée. Saisissez l'adresse à laquelle vous avez reçu le code ({tries_left} essai{s} restant{s})."),
                    format!("This address is not the new address requested. Enter the address where you received the code ({tries_left} {tries} left)."),
                )
                .with_field("email", "not_requested")
            }
            CodeError::EmailTaken => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::EmailTaken,
                "Cette adresse électronique est déjà celle d'un autre espace professionnel : la modification ne peut pas être activée. Recommencez la demande avec une autre adresse.",
                "This e-mail address already belongs to another professional account: the change cannot be activated. Make the request again with another address.",
            )
            .with_field("email", "taken"),
            CodeError::WrongAnswer => Self::unprocessable(
                ErrorCode::InvalidSecurityAnswer,
                "La réponse ne correspond pas à votre réponse de confiance. Vérifiez l'orthographe, puis réessayez.",
                "The answer does not match your security answer. Check the spelling, then try again.",
            )
            .with_field("security_answer", "incorrect"),
            CodeError::InvalidEmail(e) => invalid_login_email(e),
            CodeError::RecoveryUnavailable => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::RecoveryUnavailable,
                "Aucune question de confiance n'est enregistrée pour cet espace : contactez l'assistance pour retrouver l'accès.",
                "No security question is recorded for this account: contact user support to get your access back.",
            ),
            CodeError::Password { failures, policy } => Self::password_policy(&failures, &policy),
            CodeError::Fault(f) => f.into(),
        }
    }
}

fn unknown_code(purpose: Purpose) -> ApiError {
    let (fr, en) = match purpose {
        Purpose::Activation => (
            format!(
                "Ce code d'activation n'est pas reconnu. Recopiez les {CODE_LENGTH} lettres reçues par courriel, en respectant les majuscules et les minuscules."
            ),
            format!(
                "This activation code is not recognised. Copy the {CODE_LENGTH} letters received by e-mail, respecting upper and lower case."
            ),
        ),
        Purpose::Recovery => (
            format!(
                "Ce code n'est pas reconnu pour cette adresse. Vérifiez l'adresse électronique de connexion et recopiez les {CODE_LENGTH} lettres du courriel « Mot de passe oublié », en respectant les majuscules et les minuscules."
            ),
            format!(
                "This code is not recognised for this address. Check the login e-mail address and copy the {CODE_LENGTH} letters of the “Forgotten password” e-mail, respecting upper and lower case."
            ),
        ),
    };
    ApiError::unprocessable(ErrorCode::InvalidCode, fr, en).with_field("code", "invalid")
}

fn expired_code(purpose: Purpose) -> ApiError {
    let (fr, en) = match purpose {
        Purpose::Activation => (
            format!(
                "Ce code d'activation n'est plus valable : il a déjà été utilisé, remplacé par une demande plus récente, annulé, ou son délai de {ACTIVATION_VALIDITY_HOURS} heures est dépassé. Recommencez la demande de modification pour recevoir un nouveau code."
            ),
            format!(
                "This activation code is no longer valid: it was already used, replaced by a more recent request, cancelled, or its {ACTIVATION_VALIDITY_HOURS}-hour limit has passed. Make the change request again to receive a new code."
            ),
        ),
        Purpose::Recovery => (
            format!(
                "Ce code n'est plus valable : il a déjà été utilisé, remplacé par un code plus récent, ou son délai de {RECOVERY_VALIDITY_MINUTES} minutes est dépassé. Demandez un nouveau code depuis « Mot de passe oublié »."
            ),
            format!(
                "This code is no longer valid: it was already used, replaced by a more recent code, or its {RECOVERY_VALIDITY_MINUTES}-minute limit has passed. Ask for a new code from “Forgotten password”."
            ),
        ),
    };
    ApiError::gone(ErrorCode::CodeExpired, fr, en).with_field("code", "expired")
}

fn locked_code(purpose: Purpose) -> ApiError {
    let (fr, en) = match purpose {
        Purpose::Activation => (
            "Trop d'adresses erronées ont été saisies : la demande de modification est annulée. Connectez-vous avec votre adresse actuelle et recommencez la demande depuis « Gérer votre adresse électronique de connexion / votre mot de passe ».",
            "Too many wrong addresses were entered: the change request is cancelled. Log in with your current address and make the request again from “Manage your login e-mail address / your password”.",
        ),
        Purpose::Recovery => (
            "Trop de réponses erronées ont été saisies : ce code est annulé. Demandez un nouveau code depuis « Mot de passe oublié ».",
            "Too many wrong answers were entered: this code is cancelled. Ask for a new code from “Forgotten password”.",
        ),
    };
    ApiError::gone(ErrorCode::CodeLocked, fr, en).with_field("code", "locked")
}

fn invalid_captcha() -> ApiError {
    ApiError::unprocessable(
        ErrorCode::InvalidCaptcha,
        "Les caractères saisis ne correspondent pas à l'image. Recopiez les caractères de la nouvelle image.",
        "The characters entered do not match the image. Copy the characters of the new image.",
    )
    .with_field("captcha_answer", "incorrect")
}

fn invalid_login_email(e: EmailError) -> ApiError {
    ApiError::unprocessable(
        ErrorCode::InvalidEmail,
        "Saisissez l'adresse électronique de connexion de votre espace, comme nom@domaine.fr.",
        "Enter the login e-mail address of your account, like name@domain.fr.",
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
                    format!(
                        "Some contact details cannot be saved: correct the fields shown (telephone: digits, spaces and + . - ( ) only, at most {PHONE_MAX_CHARS} characters; address: at most {ADDRESS_MAX_CHARS} characters; question: at most {SECURITY_QUESTION_MAX_CHARS} characters; answer: at most {SECURITY_ANSWER_MAX_CHARS} characters; a new question needs a new answer)."
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

#[cfg(test)]
mod tests {
    use super::*;

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
