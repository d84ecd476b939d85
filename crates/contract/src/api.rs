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

const GUIDE_HOURS: [&str; 2] = [
    "du lundi au vendredi, de 8 h à 19 h 30 (service gratuit + prix de l'appel)",
    "Monday to Friday, 8 am to 7.30 pm (free service + cost of the call)",
];
const GUIDE_FORM: [&str; 2] = [
    "Contact et RDV > Professionnel > Une assistance aux téléprocédures",
    "Contact and appointments > Professional > Help with online procedures",
];

impl SupportContacts {
    /// The guide's hotline and online form, in French or in English.
    pub fn guide(english: bool) -> Self {
        let i = usize::from(english);
        Self {
            hotline: "0 809 400 210".into(),
            hotline_hours: GUIDE_HOURS[i].into(),
            online_form: GUIDE_FORM[i].into(),
        }
    }

    /// These contacts for an English reader: the guide's French texts become their English
    /// twins; any other text (an operator's own) stays as written.
    pub fn in_english(&self) -> Self {
        let twin =
            |text: &str, pair: [&str; 2]| if text == pair[0] { pair[1] } else { text }.to_owned();
        Self {
            hotline: self.hotline.clone(),
            hotline_hours: twin(&self.hotline_hours, GUIDE_HOURS),
            online_form: twin(&self.online_form, GUIDE_FORM),
        }
    }
}

/// Longest telephone number in the coordinates.
pub const PHONE_MAX_CHARS: usize = 20;
/// Longest postal address.
pub const ADDRESS_MAX_CHARS: usize = 200;
/// Longest security question.
pub const SECURITY_QUESTION_MAX_CHARS: usize = 200;
/// Longest security answer.
pub const SECURITY_ANSWER_MAX_CHARS: usize = 100;
/// A device id (`LoginRequest::device_id`): 16 to 64 of `A-Z a-z 0-9 _ -`. The app makes one of
/// 128 random bits per account.
pub const DEVICE_ID_PATTERN: &str = "^[A-Za-z0-9_-]{16,64}$";
pub const DEVICE_NAME_MAX_CHARS: usize = 100;

/// Whether `id` is a device id the service takes ([`DEVICE_ID_PATTERN`]).
pub fn device_id_acceptable(id: &str) -> bool {
    (16..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether `name` (trimmed) is a device name the service takes: one line of at most
/// [`DEVICE_NAME_MAX_CHARS`] characters, without control characters or the invisible ones that
/// reorder, hide or break text (bidirectional marks, zero widths, line separators, fillers,
/// tags), and without what a mail reader would make a link of (`://`, `www.`, `@`): the alert
/// e-mail quotes it.
pub fn device_name_acceptable(name: &str) -> bool {
    let name = name.trim();
    let lower = name.to_lowercase();
    name.chars().count() <= DEVICE_NAME_MAX_CHARS
        && !name.chars().any(|c| {
            c.is_control()
                || matches!(c, '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}'
                    | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}'
                    | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
                    | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}'
                    | '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
        })
        && !["://", "www.", "@"].iter().any(|p| lower.contains(p))
}

/// Longest session token or ticket the service reads (its own are 43 characters).
pub const TOKEN_MAX_CHARS: usize = 128;
/// Longest CAPTCHA id, and longest CAPTCHA answer, the service reads.
pub const CAPTCHA_FIELD_MAX_CHARS: usize = 64;

/// Every number the screens show or check besides the password policy, as the service applies
/// them: the screens read them here instead of writing them down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limits {
    pub email_max_chars: usize,
    /// Letters of an activation or recovery code.
    pub code_chars: usize,
    pub activation_code_validity_hours: u32,
    pub recovery_code_validity_minutes: u32,
    pub captcha_chars: usize,
    pub phone_max_chars: usize,
    pub address_max_chars: usize,
    pub security_question_max_chars: usize,
    pub security_answer_max_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            email_max_chars: crate::email::MAX_EMAIL_CHARS,
            code_chars: crate::code::CODE_LENGTH,
            activation_code_validity_hours: crate::code::ACTIVATION_VALIDITY_HOURS,
            recovery_code_validity_minutes: crate::code::RECOVERY_VALIDITY_MINUTES,
            captcha_chars: crate::code::CAPTCHA_LENGTH,
            phone_max_chars: PHONE_MAX_CHARS,
            address_max_chars: ADDRESS_MAX_CHARS,
            security_question_max_chars: SECURITY_QUESTION_MAX_CHARS,
            security_answer_max_chars: SECURITY_ANSWER_MAX_CHARS,
        }
    }
}

/// 30, 7 and 1 days before the expiry.
pub const EXPIRY_REMINDER_DAYS: [u32; 3] = [30, 7, 1];

fn default_reminders() -> Vec<u32> {
    EXPIRY_REMINDER_DAYS.to_vec()
}

fn default_zone() -> String {
    crate::zone::DEFAULT_ZONE.into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceInfo {
    pub name: String,
    /// The service's version.
    #[serde(default)]
    pub version: String,
    pub support: SupportContacts,
    pub password_policy: PasswordPolicy,
    pub max_email_chars: usize,
    pub password_validity_years: u8,
    pub reauthentication_after_seconds: u64,
    pub activation_code_validity_hours: u32,
    #[serde(default)]
    pub limits: Limits,
    /// How many days before a password expires its owner is reminded (largest first).
    #[serde(default = "default_reminders")]
    pub expiry_reminder_days: Vec<u32>,
    /// The IANA time zone of the service's dates (validity dates, e-mails): the app shows
    /// dates in it too.
    #[serde(default = "default_zone")]
    pub time_zone: String,
    /// True when the service runs with test switches (test clock, fixed CAPTCHA answer).
    pub test_mode: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: Secret,
    /// With `captcha_answer`, when a previous answer was `captcha_required` (SPEC §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha_answer: Option<String>,
    /// An id the app keeps for this account on this computer (SPEC §4): a log-in from an id the
    /// account never used (or with none) is told to the login address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// How the person's list of sessions names this computer ("Espace Pro 0.2 — Linux — poste").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// For an account with a second factor: the authenticator's current code (6 digits)…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_code: Option<Secret>,
    /// …or one of its unused recovery codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<Secret>,
}

/// The current password again, to see or print what it protects (the security answer) when the
/// session's last password entry is older than the re-authentication delay.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReauthenticateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_password: Option<Secret>,
    /// With the password, for an account with a second factor: the authenticator's current
    /// code (SPEC §4), taken once like at log-in. Never instead of the password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_code: Option<Secret>,
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
    /// Whose session this is: the app keeps one session per account and knows the account by
    /// this number even when the password has expired (and `GET /v1/account` refuses). Absent
    /// from older services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriber_number: Option<SubscriberNumber>,
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
    /// Days from the service's today to `password_expires_on` (0: the last valid day), for
    /// the expiry reminders; absent from older services (no reminder then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_expires_in_days: Option<i64>,
    pub dossiers: Vec<Dossier>,
    /// Always present: the pending change, or null.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub pending_email_change: Option<PendingEmailChange>,
    /// True when a credential change (or seeing the security answer) needs the current password
    /// again: the last one entered on this session is older than the re-authentication delay.
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
    /// With `current_password`, for an account with a second factor: the authenticator's
    /// current code (or a recovery code), asked as at log-in (`second_factor_required`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_code: Option<Secret>,
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

// ---- e-mail change and activation (SPEC §2.6) ---------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailChangeRequest {
    pub new_email: String,
    pub confirm_email: String,
    /// Optional: applied at activation, together with the address.
    #[serde(default)]
    pub new_password: Option<Secret>,
    #[serde(default)]
    pub confirm_password: Option<Secret>,
    #[serde(default)]
    pub current_password: Option<Secret>,
    /// With `current_password`, for an account with a second factor: the authenticator's
    /// current code (or a recovery code), asked as at log-in (`second_factor_required`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_code: Option<Secret>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailChangeResponse {
    /// Where the activation code went (the new address).
    pub sent_to: String,
    /// The old address, which got a notice of the request.
    pub notice_sent_to: String,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: OffsetDateTime,
    pub with_new_password: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Captcha {
    pub id: String,
    /// PNG, base64.
    pub image_png: String,
    /// WAV, base64: the characters read aloud one by one.
    pub audio_wav: String,
    pub length: usize,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyCodeRequest {
    pub code: Secret,
    pub captcha_id: String,
    pub captcha_answer: String,
}

#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketResponse {
    pub ticket: Secret,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: OffsetDateTime,
    /// Recovery only: the question to answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_question: Option<String>,
    /// Recovery only: the words the new password is checked against (the account's names,
    /// login address and subscriber number, lowercased, as `PasswordContext::words`), so that
    /// the app's meter judges as the service does. Given only to whoever holds a code sent to
    /// the login address.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub password_context: Vec<String>,
}

impl std::fmt::Debug for TicketResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketResponse")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompleteActivationRequest {
    pub ticket: Secret,
    /// The new login address, typed again.
    pub email: String,
}

/// What the summary PDF shows (SPEC §2.8).
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryData {
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub subscriber_number: SubscriberNumber,
    pub login_email: String,
    pub phone: String,
    pub address: String,
    pub security_question: String,
    pub security_answer: String,
}

impl std::fmt::Debug for SummaryData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SummaryData")
            .field("subscriber_number", &self.subscriber_number)
            .field("login_email", &self.login_email)
            .finish_non_exhaustive()
    }
}

/// What a completed activation answers: who, under which number, with which login address.
/// Never the security answer, phone or postal address: holding the code (and the new mailbox)
/// proves nothing about who one is; the summary needs the password (SPEC §2.8, §3.1).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivationResult {
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub subscriber_number: SubscriberNumber,
    pub login_email: String,
    #[serde(with = "iso_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub activated_on: Date,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountSummary {
    #[serde(flatten)]
    pub summary: SummaryData,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub generated_at: OffsetDateTime,
}

// ---- profile, activity ---------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub phone: String,
    pub address: String,
    pub security_question: String,
    pub security_answer: Secret,
}

/// Fields left out are unchanged. Changing the question or answer needs re-authentication.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileUpdate {
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub security_question: Option<String>,
    #[serde(default)]
    pub security_answer: Option<Secret>,
    #[serde(default)]
    pub current_password: Option<Secret>,
    /// With `current_password`, for an account with a second factor: the authenticator's
    /// current code (or a recovery code), asked as at log-in (`second_factor_required`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_code: Option<Secret>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityEvent {
    /// Machine name: `login`, `login_failed`, `password_changed`, `email_change_requested`, …
    pub kind: String,
    /// French, for people.
    pub label: String,
    /// English, for people.
    #[serde(default)]
    pub label_en: String,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
    pub client_ip: Option<String>,
    /// The device a log-in came from, as the app named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    pub events: Vec<ActivityEvent>,
}

// ---- sessions and devices (SPEC §4) --------------------------------------------------------

/// One open session of the account ("Appareils connectés").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenSession {
    /// What `DELETE /v1/account/sessions/{id}` takes.
    pub id: String,
    pub device_name: Option<String>,
    pub client_ip: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub last_seen_at: OffsetDateTime,
    /// The session this request was made with.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenSessions {
    /// The most recently used first.
    pub sessions: Vec<OpenSession>,
}

// ---- your data (SPEC §4) ---------------------------------------------------------------------

/// Everything the service keeps about the account (`GET /v1/account/export`), never a hash or a
/// sealed value: what they protect is given where the person may read it (the security answer,
/// as the summary shows it), or left out (passwords, codes, tokens, device ids).
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountExport {
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub generated_at: OffsetDateTime,
    /// Identity and coordinates, the security question and its answer.
    pub identity: SummaryData,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub password_changed_at: OffsetDateTime,
    /// `YYYY-MM-DD`.
    pub password_valid_until: String,
    pub dossiers: Vec<Dossier>,
    /// Every session, ended ones included.
    pub sessions: Vec<ExportedSession>,
    /// When each device the account logged in from was first seen (their ids are kept hashed).
    pub devices_first_seen: Vec<Instant>,
    /// Every security event kept (the activity screen shows the latest).
    pub activity: Vec<ActivityEvent>,
    pub email_changes: Vec<ExportedEmailChange>,
    pub password_recoveries: Vec<ExportedRecovery>,
    /// The e-mails sent or waiting for the account's addresses (their texts are erased once
    /// delivered).
    pub emails: Vec<ExportedMail>,
    pub second_factor: SecondFactorState,
}

/// An instant, RFC 3339.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
#[serde(transparent)]
pub struct Instant(#[serde(with = "time::serde::rfc3339")] pub OffsetDateTime);

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedSession {
    pub id: String,
    pub device_name: Option<String>,
    pub client_ip: Option<String>,
    pub created_at: Instant,
    pub last_seen_at: Instant,
    pub expires_at: Instant,
    pub ended_at: Option<Instant>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedEmailChange {
    pub new_email: String,
    pub requested_at: Instant,
    pub expires_at: Instant,
    /// `pending`, `activated`, `cancelled`, `superseded` or `locked`.
    pub state: String,
    pub ended_at: Option<Instant>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedRecovery {
    pub requested_at: Instant,
    pub expires_at: Instant,
    /// `pending`, `used`, `superseded` or `locked`.
    pub state: String,
    pub ended_at: Option<Instant>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedMail {
    pub to: String,
    pub subject: String,
    pub created_at: Instant,
    pub sent_at: Option<Instant>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorState {
    pub enabled: bool,
    /// Since when, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_at: Option<Instant>,
    /// How many of its recovery codes are still unused.
    #[serde(default)]
    pub recovery_codes_left: u32,
}

/// A second factor being enrolled (`POST /v1/account/totp`): the secret to give the
/// authenticator app, as text (base32) and as an `otpauth://` URI (what the QR code holds).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpEnrolment {
    pub secret: Secret,
    pub otpauth_uri: Secret,
    /// Until when the first code may confirm it.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// Starting a second factor: the current password, always (SPEC §4: a session alone, even a
/// fresh one, does not put an authenticator on the account).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpStartRequest {
    pub current_password: Secret,
}

/// The authenticator's first code, which turns the second factor on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpConfirmRequest {
    pub code: Secret,
}

/// The 10 single-use recovery codes, shown once.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<Secret>,
}

/// Turning the second factor off: the password and a code (the authenticator's or a recovery
/// code).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpDisableRequest {
    pub current_password: Secret,
    pub code: Secret,
}

/// Digits of a TOTP code; its time step in seconds.
pub const TOTP_DIGITS: usize = 6;
pub const TOTP_PERIOD_SECONDS: i64 = 30;
/// Longest second-factor code read (a recovery code typed with spaces is 19 to 24 characters).
pub const SECOND_FACTOR_CODE_MAX_CHARS: usize = 32;
/// Recovery codes given at enrolment.
pub const RECOVERY_CODE_COUNT: usize = 10;

/// How many sessions `DELETE /v1/account/sessions` ended.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionsEnded {
    pub ended: u64,
}

// ---- forgotten password (SPEC §2.7) --------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryRequest {
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryAccepted {
    pub message: String,
    pub code_validity_minutes: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryQuestionRequest {
    pub email: String,
    pub code: Secret,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCompleteRequest {
    pub ticket: Secret,
    pub security_answer: Secret,
    pub new_password: Secret,
    pub confirm_password: Secret,
}
