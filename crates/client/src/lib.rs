//! Espace Pro client library: everything the desktop app does that is not a window. It knows
//! nothing of Tauri, so it is tested without one.

pub mod api;
pub mod error;
pub mod mailbox;
pub mod mime;
pub mod pdf;
pub mod strength;
pub mod vault;

pub use api::ApiClient;
pub use error::ClientError;
pub use vault::SessionVault;
