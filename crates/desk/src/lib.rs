//! The desktop app's rules, with no window: sessions of several accounts kept in the system's
//! keyring, the service in use and the choice of another ("Paramètres"), settings, expiry
//! reminders and links from the e-mails. The window's shell turns each command into one call
//! here; everything here is tested without a display.
//!
//! One [`Desk`] holds the state behind one std mutex around plain data, never held across an
//! await. An operation takes the connection once and does every step with it (the API, the
//! keyring entries' names, revocations): a token is never kept nor sent under another service
//! than the one that gave it. Keyring calls and file I/O run on the blocking threads.

pub mod accounts;
pub mod connection;
mod desk;
pub mod devices;
mod embedded;
pub mod error;
pub mod keyring;
pub mod links;
mod procedures;
pub mod reminders;
pub mod second_factor;
mod service;
mod session;
pub mod settings;

pub use connection::{Connection, DemoInfo};
pub use desk::Desk;
pub use error::{AppCode, CommandError, CommandResult};
pub use procedures::{CaptchaView, SUMMARY_FILE_NAME, write_summary};
pub use service::{AppInfo, SERVICE_INFO_WAIT, check_service};
pub use session::{KnownAccount, LoggedIn, Switched};
