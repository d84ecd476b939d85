//! Helpers of the end-to-end tests.

pub mod app;
pub mod service;
pub mod steps;
pub mod webdriver;
