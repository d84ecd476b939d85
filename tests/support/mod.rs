pub mod service;
pub mod webdriver;
