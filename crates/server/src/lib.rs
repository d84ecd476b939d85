//! Espace Pro account service: log-in, sessions, password and login e-mail changes (SPEC §3).
//!
//! How it is laid out, from the outside in:
//! - composition root: `main` → `cli` (command line) → `app` (listener, worker, shutdown);
//! - `http`: routes, extractors, and the one place where domain errors become HTTP answers;
//! - procedures, which know nothing of HTTP: `auth` (log-in, sessions, re-authentication),
//!   `accounts` (provisioning, home view, password change), `email_change` (step 1),
//!   `activation` (step 2), `recovery` (forgotten password), `profile` (coordinates, summary,
//!   activity); they share `passwords` (a new password checked and hashed), `codes` (one-time
//!   codes and tickets) and `captcha`, and return the domain errors of `errors`;
//! - under them: `store` (all SQL), `throttle`, `crypto`, `mail`, `dates`, `kinds` (states and
//!   event kinds), `files` (private files and folders), `clock`, `config`, `metrics`, and
//!   `services` which bundles them for the rest.

pub mod accounts;
pub mod activation;
pub mod app;
pub mod auth;
pub mod captcha;
pub mod cli;
pub mod clock;
pub mod codes;
pub mod config;
pub mod crypto;
pub mod dates;
pub mod demo;
pub mod devices;
pub mod email_change;
pub mod errors;
pub mod export;
pub mod files;
pub mod http;
pub mod kinds;
pub mod mail;
pub mod metrics;
pub mod new_devices;
pub mod passwords;
pub mod profile;
pub mod recovery;
pub mod rotation;
pub mod second_factor;
pub mod services;
pub mod store;
pub mod throttle;
pub mod totp;

pub use app::Application;
pub use config::Config;
