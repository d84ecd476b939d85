//! Helpers of the end-to-end tests.

pub mod app;
pub mod screen_reader;
pub mod service;
pub mod steps;
pub mod webdriver;
