//! The wire contract of Espace Pro: what client and service say to each other, and the rules they
//! both apply. Parse types ("parse, don't validate") carry each rule once: a `LoginEmail` or a
//! `NewPassword` in hand has already passed it.

pub mod api;
pub mod email;
pub mod error;
pub mod password;
pub mod secret;
pub mod subscriber;

pub use email::{EmailError, LoginEmail};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use password::{NewPassword, PasswordContext, PasswordPolicy, PasswordRule};
pub use secret::Secret;
pub use subscriber::SubscriberNumber;
