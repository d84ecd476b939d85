//! End-to-end: the built app in a real WebKit window (under Xvfb), driven through WebDriver
//! (tauri-driver → WebKitWebDriver), against the `espace-pro-server` binary running as its own
//! process on loopback (temporary SQLite, `--captcha-test-answer`, `--test-clock-file`) with a
//! real SMTP listener, and once against the embedded default (demo mode). Controls are found by
//! their visible French `<label>`, as a person finds them.
//!
//! `cargo xtask test` provides the display, the D-Bus session with a keyring, and tauri-driver.
//! Linux only: tauri-driver drives WebKitWebDriver there; macOS has no WebDriver for WKWebView.
#![cfg(target_os = "linux")]

//!
//! One file per procedure; what they share (starting the app and the service, finding controls,
//! logging in, axe-core) is in `tests/support/`.

use std::time::Duration;

use espace_pro_server::accounts::NewAccount;

#[path = "../support/mod.rs"]
mod support;

use support::app::*;
use support::screen_reader::*;
use support::steps::*;

mod accessibility;
mod accounts;
mod codes;
mod demo;
mod devices;
mod email_change;
mod english;
mod https;
mod keyboard;
mod links;
mod login;
mod password;
mod recovery;
mod reminders;
mod second_factor;
mod service;

/// "25 août 2023" for a subscriber number registered that day (year, then day of the year).
fn french_date_of_number(number: &str) -> String {
    let number: espace_pro_contract::SubscriberNumber = number.parse().unwrap();
    espace_pro_server::dates::long_french(number.registered_on())
}

/// Lila ROSEMONDE, the person of the guide's examples, without a security question.
fn lila() -> NewAccount {
    account("lila.rosemonde@example.fr", "Lila", "ROSEMONDE")
}

/// Lila ROSEMONDE with her security question and its answer.
fn lila_with_question() -> NewAccount {
    account_with_question(
        "lila.rosemonde@example.fr",
        "Lila",
        "ROSEMONDE",
        "Le prénom de votre conjoint(e) ?",
        "Paul",
    )
}
