//! Tauri commands, grouped by domain. Each turns the window's arguments into one call of
//! `espace_pro_desk::Desk`, where the rules live (tested there without a window), and at most
//! adds what needs the window: a dialog, the viewer, a notification.

pub mod account;
pub mod activation;
pub mod demo;
pub mod devices;
pub mod links;
pub mod profile;
pub mod recovery;
pub mod second_factor;
pub mod session;
pub mod settings;
pub mod updates;
