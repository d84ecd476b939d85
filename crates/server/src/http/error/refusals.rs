//! The procedures' refusals, each in its procedure's words: log-in, credentials, codes,
//! profile.

use axum::http::StatusCode;
use espace_pro_contract::api::{
    ADDRESS_MAX_CHARS, PHONE_MAX_CHARS, SECURITY_ANSWER_MAX_CHARS, SECURITY_QUESTION_MAX_CHARS,
};
use espace_pro_contract::code::{
    ACTIVATION_VALIDITY_HOURS, CODE_LENGTH, RECOVERY_VALIDITY_MINUTES,
};
use espace_pro_contract::{EmailError, ErrorCode};

use super::*;
use crate::errors::{AuthError, CodeError, CredentialError, EmailProblem, ProfileError};
use crate::kinds::Purpose;

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
            // 422: the request is well formed, the name is one the service does not take.
            AuthError::InvalidDevice(field) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidRequest,
                "L'application a envoyé un identifiant ou un nom d'appareil invalide : dans « Paramètres », donnez à cet ordinateur un nom de 100 caractères au plus, sur une ligne.",
                "The app sent an invalid device id or name: in \"Settings\", give this computer a name of at most 100 characters, on one line.",
            )
            .with_field(field, "invalid"),
            AuthError::UnknownSession => Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "Cette session n'est pas ouverte sur votre espace (déjà déconnectée ou inconnue) : actualisez la liste des appareils connectés.",
                "This session is not open on your account (already logged out, or unknown): refresh the list of connected devices.",
            ),
            AuthError::SecondFactorRequired => Self::new(
                StatusCode::FORBIDDEN,
                ErrorCode::SecondFactorRequired,
                "Votre espace est protégé par la double authentification : saisissez aussi le code à 6 chiffres de votre application d'authentification (ou un code de secours).",
                "Your account is protected by two-step verification: also enter the 6-digit code from your authenticator app (or a backup code).",
            )
            .with_field("totp_code", "required"),
            AuthError::WrongSecondFactor(field) => {
                wrong_code(StatusCode::UNPROCESSABLE_ENTITY, field)
            }
            // At log-in, as a wrong password.
            AuthError::WrongLoginCode(field) => wrong_code(StatusCode::UNAUTHORIZED, field),
            AuthError::SecondFactorLocked(field) => Self::new(
                StatusCode::FORBIDDEN,
                ErrorCode::CodeLocked,
                "Trop de codes de double authentification erronés ces dernières 24 heures : saisissez l'un de vos codes de secours, ou réessayez demain. Si ce n'était pas vous, changez votre mot de passe.",
                "Too many wrong two-step verification codes in the last 24 hours: enter one of your backup codes, or try again tomorrow. If it was not you, change your password.",
            )
            .with_field(field, "locked"),
            AuthError::SecondFactorAlreadyOn => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::SecondFactorEnabled,
                "La double authentification est déjà activée sur votre espace : pour changer d'application, désactivez-la puis activez-la de nouveau.",
                "Two-step verification is already on for your account: to change apps, turn it off, then on again.",
            ),
            AuthError::SecondFactorNotOn => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::SecondFactorDisabled,
                "La double authentification n'est pas activée sur votre espace.",
                "Two-step verification is not on for your account.",
            ),
            AuthError::NoEnrolment => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::CodeExpired,
                "Aucune activation de la double authentification n'est en cours (ou elle date de plus de 10 minutes) : recommencez depuis « Double authentification ».",
                "No two-step verification set-up is in progress (or it is more than 10 minutes old): start again from \"Two-step verification\".",
            ),
            AuthError::Fault(f) => f.into(),
        }
    }
}

/// A second-factor code refused (wrong, used, stale), in `field`.
fn wrong_code(status: StatusCode, field: &'static str) -> ApiError {
    ApiError::new(
        status,
        ErrorCode::InvalidCode,
        "Ce code n'est pas valide : saisissez le code à 6 chiffres affiché maintenant par votre application d'authentification (chaque code ne sert qu'une fois), ou un code de secours non utilisé.",
        "This code is not valid: enter the 6-digit code your authenticator app shows now (each code works once), or an unused backup code.",
    )
    .with_field(field, "invalid")
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

pub(super) fn unknown_code(purpose: Purpose) -> ApiError {
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

pub(super) fn expired_code(purpose: Purpose) -> ApiError {
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

pub(super) fn locked_code(purpose: Purpose) -> ApiError {
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
