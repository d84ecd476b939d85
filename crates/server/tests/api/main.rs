//! Service tests over real HTTP: the service on a random loopback port, a temporary SQLite file,
//! a real SMTP listener, and a clock the tests move.

mod helpers;
mod language;

mod accounts;
mod activation;
mod addresses;
mod attacks;
mod bad_input;
mod devices;
mod email_change;
mod one_call;
mod outbox;
mod password;
mod profile;
mod races;
mod recovery;
mod rotation;
mod second_factor;
mod sessions;
mod throttling;
