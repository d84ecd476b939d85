//! Why a procedure refused, in the domain's terms: one error enum per domain (log-in and
//! sessions, credentials, one-time codes, coordinates). They know nothing of HTTP: `http::error`
//! alone turns them into a status, a code and a French message, and the command line prints
//! them.

use espace_pro_contract::{EmailError, PasswordPolicy, PasswordRule};

use crate::crypto::HashError;
use crate::kinds::Purpose;
use crate::store::StoreError;

/// Not the user's doing: the database, the hasher, or stored data that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum Fault {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
    /// Stored data the service cannot use (a date, a number, a sealed answer).
    #[error("stored data unusable: {0}")]
    Corrupt(String),
    /// A background computation (strength estimate, CAPTCHA drawing) failed or panicked.
    #[error("background task failed: {0}")]
    Task(String),
}

/// Lets each domain error take a [`Fault`] (and what makes one) with `?`.
macro_rules! carries_fault {
    ($($error:ident),*) => {$(
        impl From<StoreError> for $error {
            fn from(e: StoreError) -> Self {
                Self::Fault(e.into())
            }
        }
        impl From<HashError> for $error {
            fn from(e: HashError) -> Self {
                Self::Fault(e.into())
            }
        }
        impl From<Fault> for $error {
            fn from(e: Fault) -> Self {
                Self::Fault(e)
            }
        }
    )*};
}

carries_fault!(AuthError, CredentialError, CodeError, ProfileError);

/// Log-in, sessions and re-authentication.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("wrong address or password")]
    InvalidCredentials,
    /// No session, or one that is unknown, revoked or timed out.
    #[error("no live session")]
    Unauthorized,
    /// The session may only change its expired password.
    #[error("password expired")]
    PasswordExpired,
    #[error("too many attempts; retry in {retry_after} s")]
    Throttled { retry_after: u64 },
    /// The address is over its failure limit: only an attempt with a solved CAPTCHA is evaluated.
    #[error("CAPTCHA required")]
    CaptchaRequired,
    #[error("wrong CAPTCHA")]
    InvalidCaptcha,
    /// The last password entry is too old for a credential change.
    #[error("re-authentication required")]
    ReauthenticationRequired,
    #[error("wrong current password")]
    ReauthenticationFailed,
    /// The log-in's `device_id` or `device_name` (the field named) is not one the service takes.
    #[error("invalid {0}")]
    InvalidDevice(&'static str),
    /// No open session of the account has this id (another account's, or one already ended).
    #[error("no such session")]
    UnknownSession,
    /// The password was right, and the account asks its second factor too.
    #[error("second factor required")]
    SecondFactorRequired,
    /// The code given (in the field named) is wrong, already used, or not a code.
    #[error("wrong second-factor code")]
    WrongSecondFactor(&'static str),
    /// The same at log-in (a 401, as a wrong password).
    #[error("wrong second-factor code at log-in")]
    WrongLoginCode(&'static str),
    /// Too many wrong authenticator codes in 24 hours: only a recovery code is taken.
    #[error("second-factor codes locked")]
    SecondFactorLocked(&'static str),
    #[error("second factor already on")]
    SecondFactorAlreadyOn,
    #[error("second factor off")]
    SecondFactorNotOn,
    /// No enrolment waits for its first code (never started, replaced, or too old).
    #[error("no enrolment in progress")]
    NoEnrolment,
    #[error(transparent)]
    Fault(Fault),
}

/// Something wrong with the new address of an e-mail change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailProblem {
    /// Not an address (the contract's reason, e.g. too long).
    Invalid(EmailError),
    /// The confirmation differs.
    Mismatch,
    /// It is the current login address.
    SameAsCurrent,
}

/// A password or login-address change.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// Rules broken by the request, all of them: address problems first, then password rules
    /// (judged with the policy in force, which messages quote).
    #[error("refused: {email:?} {password:?}")]
    Refused {
        email: Vec<EmailProblem>,
        password: Vec<PasswordRule>,
        policy: PasswordPolicy,
    },
    #[error("no pending change")]
    NoPendingChange,
    #[error(transparent)]
    Fault(Fault),
}

impl CredentialError {
    pub fn password(failures: Vec<PasswordRule>, policy: PasswordPolicy) -> Self {
        Self::Refused {
            email: Vec::new(),
            password: failures,
            policy,
        }
    }
}

/// One-time codes and what follows them: the activation of an e-mail change, the forgotten
/// password.
#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error("too many attempts; retry in {retry_after} s")]
    Throttled { retry_after: u64 },
    #[error("wrong CAPTCHA")]
    InvalidCaptcha,
    /// The code is unknown (or not of this account).
    #[error("unknown {0:?} code")]
    UnknownCode(Purpose),
    /// Used, replaced, cancelled or too old.
    #[error("{0:?} code no longer valid")]
    Expired(Purpose),
    /// Voided by too many wrong attempts at the next step.
    #[error("{0:?} code locked")]
    Locked(Purpose),
    /// The ticket between two steps is unknown, used or too old.
    #[error("ticket expired")]
    TicketExpired,
    #[error("wrong address at activation; {tries_left} tries left")]
    WrongAddress { tries_left: i64 },
    #[error("the new address belongs to another account")]
    EmailTaken,
    #[error("wrong security answer")]
    WrongAnswer,
    #[error("invalid address")]
    InvalidEmail(EmailError),
    /// No security question is recorded: recovery cannot go on.
    #[error("no security question")]
    RecoveryUnavailable,
    #[error("new password refused: {failures:?}")]
    Password {
        failures: Vec<PasswordRule>,
        policy: PasswordPolicy,
    },
    #[error(transparent)]
    Fault(Fault),
}

/// A profile field and what is wrong with it.
pub type FieldProblem = (&'static str, &'static str);

/// "Gérer vos coordonnées".
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("invalid fields: {0:?}")]
    Invalid(Vec<FieldProblem>),
    #[error(transparent)]
    Fault(Fault),
}

/// A new password checked against the policy and hashed, or why not.
#[derive(Debug)]
pub enum NewPasswordError {
    Refused(Vec<PasswordRule>, PasswordPolicy),
    Fault(Fault),
}

impl From<NewPasswordError> for CredentialError {
    fn from(e: NewPasswordError) -> Self {
        match e {
            NewPasswordError::Refused(failures, policy) => Self::password(failures, policy),
            NewPasswordError::Fault(f) => Self::Fault(f),
        }
    }
}

impl From<NewPasswordError> for CodeError {
    fn from(e: NewPasswordError) -> Self {
        match e {
            NewPasswordError::Refused(failures, policy) => Self::Password { failures, policy },
            NewPasswordError::Fault(f) => Self::Fault(f),
        }
    }
}

impl From<HashError> for NewPasswordError {
    fn from(e: HashError) -> Self {
        Self::Fault(e.into())
    }
}
