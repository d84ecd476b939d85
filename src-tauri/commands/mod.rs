//! Tauri commands, grouped by domain. Each parses its input, calls the client library, maps the
//! error: the logic lives in crates that know nothing of Tauri.

pub mod account;
pub mod activation;
pub mod demo;
pub mod links;
pub mod profile;
pub mod recovery;
pub mod session;
pub mod settings;
pub mod updates;
