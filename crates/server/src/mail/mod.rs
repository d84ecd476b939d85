//! Outgoing e-mail: texts (from the guide), the transports, and the outbox delivery worker.

pub mod address;
pub(crate) mod relay;
pub mod templates;
pub mod transport;
pub mod worker;

pub use address::RelayAddress;
pub use templates::MailText;
pub use transport::{MailTransport, OutgoingMail};
pub use worker::{DeliveryWorker, OutboxSignal};
