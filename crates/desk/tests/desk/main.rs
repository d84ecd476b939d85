//! The desktop app's rules, without a window: real services in the process, a keyring in
//! memory, relays that hold or record what passes between the desk and a service.

mod devices;
mod kit;
mod procedures;
mod quit;
mod races;
mod second_factor;
mod sessions;
mod structure;
