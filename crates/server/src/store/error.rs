//! The store's one error, in terms the rest of the service can act on.

/// What can go wrong with the database, in terms the rest of the service can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer holds the database, or no connection was free in time: worth retrying.
    #[error("the database is busy: {0}")]
    Busy(String),
    /// A write broke a uniqueness or integrity rule that the caller did not expect.
    #[error("a write conflicts with the data already stored: {0}")]
    Conflict(String),
    /// The database cannot be reached or written (I/O, disk full, pool closed).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// What was read is not what the service wrote (a column, a type or a state it does not know).
    #[error("the stored data is not as expected: {0}")]
    Corrupt(String),
    #[error("database failure: {0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::Error as E;
        let text = e.to_string();
        match &e {
            E::PoolTimedOut => Self::Busy(text),
            E::Database(db) => {
                let message = db.message().to_ascii_lowercase();
                // PostgreSQL's SQLSTATE: serialization failures, deadlocks and lock or statement
                // timeouts are worth retrying; lost connections, a server shutting down and
                // exhausted resources (a full disk) are an outage.
                let code = db.code().unwrap_or_default();
                if matches!(&*code, "40001" | "40P01" | "55P03" | "57014") {
                    Self::Busy(text)
                } else if code.starts_with("08")
                    || code.starts_with("53")
                    || code.starts_with("57P")
                {
                    Self::Unavailable(text)
                } else if message.contains("locked") || message.contains("busy") {
                    Self::Busy(text)
                } else if matches!(
                    db.kind(),
                    sqlx::error::ErrorKind::UniqueViolation
                        | sqlx::error::ErrorKind::ForeignKeyViolation
                        | sqlx::error::ErrorKind::NotNullViolation
                        | sqlx::error::ErrorKind::CheckViolation
                ) {
                    Self::Conflict(text)
                } else if message.contains("disk")
                    || message.contains("i/o")
                    || message.contains("readonly")
                    || message.contains("full")
                {
                    Self::Unavailable(text)
                } else {
                    Self::Other(text)
                }
            }
            E::Io(_) | E::Tls(_) | E::PoolClosed | E::WorkerCrashed | E::BeginFailed => {
                Self::Unavailable(text)
            }
            E::RowNotFound
            | E::TypeNotFound { .. }
            | E::ColumnIndexOutOfBounds { .. }
            | E::ColumnNotFound(_)
            | E::ColumnDecode { .. }
            | E::Decode(_) => Self::Corrupt(text),
            _ => Self::Other(text),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Other(format!("migrations: {e}"))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
