use std::path::Path;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("opening store {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("{path} is not a Steward store (it holds tables Steward did not write); refusing to touch it")]
    Foreign { path: String },
    #[error(
        "{path} was written by a newer Steward (schema version {found}, this binary knows up to {supported}); upgrade Steward or restore a backup"
    )]
    TooNew { path: String, found: u32, supported: u32 },
    #[error("store record is corrupt: {0}")]
    Corrupt(String),
    #[error("store: {0}")]
    Db(#[from] redb::Error),
    #[error(transparent)]
    Blocking(#[from] crate::blocking::BlockingError),
}

impl StoreError {
    pub(crate) fn open(path: &Path, err: redb::DatabaseError) -> Self {
        let reason = match err {
            redb::DatabaseError::DatabaseAlreadyOpen => {
                "it is in use by another process (is `steward serve` running on this data directory?)".to_string()
            }
            redb::DatabaseError::Storage(redb::StorageError::Io(e)) => e.to_string(),
            other => format!("not a readable Steward store ({other})"),
        };
        Self::Open { path: path.display().to_string(), reason }
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                Self::Db(e.into())
            }
        }
    )*};
}
from_redb!(redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError);

/// Lets a feature error type absorb redb's error types with `?` inside a transaction.
#[macro_export]
macro_rules! impl_from_redb {
    ($t:ty) => {
        impl From<redb::TransactionError> for $t {
            fn from(e: redb::TransactionError) -> Self {
                $crate::store::StoreError::from(e).into()
            }
        }
        impl From<redb::TableError> for $t {
            fn from(e: redb::TableError) -> Self {
                $crate::store::StoreError::from(e).into()
            }
        }
        impl From<redb::StorageError> for $t {
            fn from(e: redb::StorageError) -> Self {
                $crate::store::StoreError::from(e).into()
            }
        }
    };
}
