//! Espace Pro account service: log-in, sessions, password and login e-mail changes (SPEC §3).

pub mod accounts;
pub mod activation;
pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod dates;
pub mod demo;
pub mod email_change;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod profile;
pub mod recovery;
pub mod services;
pub mod store;
pub mod throttle;

pub use app::Application;
pub use config::Config;
