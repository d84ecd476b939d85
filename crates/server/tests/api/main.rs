//! Service tests over real HTTP: the service on a random loopback port, a temporary SQLite file,
//! a real SMTP listener, and a clock the tests move.

mod helpers;

mod accounts;
mod bad_input;
mod outbox;
mod password;
mod sessions;
mod throttling;
