//! The error body every 4xx answer carries: `{"error":{"code","message","fields"?}}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Top-level error codes (SPEC §3.1). Unknown codes from a newer service deserialize as `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    InvalidCredentials,
    TooManyAttempts,
    ReauthenticationRequired,
    ReauthenticationFailed,
    PasswordExpired,
    PasswordPolicy,
    InvalidEmail,
    EmailMismatch,
    SameAsCurrentEmail,
    InvalidCaptcha,
    /// The address is over its failure limit: the log-in must come with a solved CAPTCHA.
    CaptchaRequired,
    /// The password was right; the account also asks its second factor's code.
    SecondFactorRequired,
    /// The second factor is already on (enrolment) or is off (turning it off).
    SecondFactorEnabled,
    SecondFactorDisabled,
    InvalidCode,
    CodeExpired,
    CodeLocked,
    TicketExpired,
    EmailTaken,
    InvalidProfile,
    InvalidSecurityAnswer,
    RecoveryUnavailable,
    Unauthorized,
    InvalidRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    NotFound,
    MethodNotAllowed,
    Unavailable,
    Internal,
    #[serde(other)]
    Other,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::ReauthenticationRequired => "reauthentication_required",
            ErrorCode::ReauthenticationFailed => "reauthentication_failed",
            ErrorCode::PasswordExpired => "password_expired",
            ErrorCode::PasswordPolicy => "password_policy",
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::EmailMismatch => "email_mismatch",
            ErrorCode::SameAsCurrentEmail => "same_as_current_email",
            ErrorCode::InvalidCaptcha => "invalid_captcha",
            ErrorCode::CaptchaRequired => "captcha_required",
            ErrorCode::SecondFactorRequired => "second_factor_required",
            ErrorCode::SecondFactorEnabled => "second_factor_enabled",
            ErrorCode::SecondFactorDisabled => "second_factor_disabled",
            ErrorCode::InvalidCode => "invalid_code",
            ErrorCode::CodeExpired => "code_expired",
            ErrorCode::CodeLocked => "code_locked",
            ErrorCode::TicketExpired => "ticket_expired",
            ErrorCode::EmailTaken => "email_taken",
            ErrorCode::InvalidProfile => "invalid_profile",
            ErrorCode::InvalidSecurityAnswer => "invalid_security_answer",
            ErrorCode::RecoveryUnavailable => "recovery_unavailable",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// French, for people; clients may show their own text keyed on `code`.
    pub message: String,
    /// Per-field rule codes, e.g. `{"new_password": ["too_short"]}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shape_is_pinned() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::PasswordPolicy,
                message: "m".into(),
                fields: BTreeMap::from([("new_password".into(), vec!["too_short".into()])]),
            },
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":{"code":"password_policy","message":"m","fields":{"new_password":["too_short"]}}}"#
        );
        let unknown: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"brand_new","message":"x"}}"#).unwrap();
        assert_eq!(unknown.error.code, ErrorCode::Other);
    }

    #[test]
    fn as_str_matches_serde() {
        for code in [
            ErrorCode::TooManyAttempts,
            ErrorCode::SameAsCurrentEmail,
            ErrorCode::PayloadTooLarge,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
