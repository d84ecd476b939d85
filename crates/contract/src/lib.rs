//! The wire contract of Espace Pro: what client and service say to each other, and the rules they
//! both apply. Parse types ("parse, don't validate") carry each rule once: a `LoginEmail` or a
//! `NewPassword` in hand has already passed it.

pub mod api;
pub mod code;
pub mod email;
pub mod error;
pub mod link;
pub mod password;
pub mod secret;
pub mod subscriber;
pub mod zone;

pub use code::ActivationCode;
pub use email::{EmailError, LoginEmail};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use password::{NewPassword, PasswordContext, PasswordPolicy, PasswordRule};
pub use secret::Secret;
pub use subscriber::SubscriberNumber;
pub use zone::TimeZone;

/// Both wire as plain strings; their schemas say so.
#[cfg(feature = "openapi")]
mod openapi_impls {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
    use utoipa::openapi::{KnownFormat, RefOr, Schema};

    impl utoipa::PartialSchema for crate::Secret {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
                .into()
        }
    }
    impl utoipa::ToSchema for crate::Secret {}

    impl utoipa::PartialSchema for crate::SubscriberNumber {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[0-9]{14}$"))
                .description(Some(
                    "Year, day of the year (3 digits), 7-digit sequence of that day",
                ))
                .examples(["20232330000101"])
                .into()
        }
    }
    impl utoipa::ToSchema for crate::SubscriberNumber {}
}
