//! Request and response bodies of API v1 (SPEC §3.1). Dates are `YYYY-MM-DD`, instants RFC 3339.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::{PasswordPolicy, Secret, SubscriberNumber};

time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportContacts {
    pub hotline: String,
    pub hotline_hours: String,
    pub online_form: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceInfo {
    pub name: String,
    pub support: SupportContacts,
    pub password_policy: PasswordPolicy,
    pub max_email_chars: usize,
    pub password_validity_years: u8,
    pub reauthentication_after_seconds: u64,
    pub activation_code_validity_hours: u32,
    /// True when the service runs with test switches (test clock, fixed CAPTCHA answer).
    pub test_mode: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: Secret,
}

#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    pub token: Secret,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub idle_expires_at: OffsetDateTime,
    /// The password has expired: the session may only choose a new one.
    pub must_change_password: bool,
}

impl std::fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginResponse")
            .field("expires_at", &self.expires_at)
            .field("must_change_password", &self.must_change_password)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dossier {
    pub siren: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingEmailChange {
    pub new_email: String,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: OffsetDateTime,
    pub with_new_password: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountView {
    pub subscriber_number: SubscriberNumber,
    /// "Mme", "M." or "" (the guide's "Civ. neutre").
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub login_email: String,
    #[serde(with = "iso_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub password_expires_on: Date,
    pub dossiers: Vec<Dossier>,
    pub pending_email_change: Option<PendingEmailChange>,
    /// Seconds left before a credential change needs the current password again.
    pub reauthentication_needed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChangeRequest {
    pub new_password: Secret,
    pub confirm_password: Secret,
    #[serde(default)]
    pub current_password: Option<Secret>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChangeResponse {
    #[serde(with = "iso_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub valid_until: Date,
    pub confirmation_sent_to: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso_and_secrets_stay_hidden() {
        let r = PasswordChangeResponse {
            valid_until: time::macros::date!(2026 - 08 - 24),
            confirmation_sent_to: "a@b.fr".into(),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"valid_until":"2026-08-24","confirmation_sent_to":"a@b.fr"}"#
        );
        let req: LoginRequest =
            serde_json::from_str(r#"{"email":"a@b.fr","password":"s3cret-value"}"#).unwrap();
        assert!(!format!("{req:?}").contains("s3cret"));
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(
            serde_json::from_str::<LoginRequest>(r#"{"email":"a","password":"b","x":1}"#).is_err()
        );
    }
}
