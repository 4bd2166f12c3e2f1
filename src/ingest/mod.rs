//! Ingest: the endpoint machines push samples to (`POST /api/v1/ingest/metrics`, with an
//! `X-API-Key`), the ingest keys that enroll them, and the enrollment protocol that decides
//! which pushes are let in ([`enroll`]).
//!
//! Owns the ingest key tables and routes. It checks a batch at the edge, finds, registers
//! or enrolls the machine through [`crate::hosts`], and stores samples through
//! [`crate::tsdb::Tsdb::append`]; it must not write hosts, token or series tables itself.

mod api_error;
pub mod body;
pub mod enroll;
pub mod keys;
pub mod routes;

pub use keys::{CreatedKey, IngestKey, KeyPatch, create_tables};
pub use routes::configure;

use thiserror::Error;

use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum IngestError {
    #[error("send the ingest key in the X-API-Key header")]
    KeyRequired,
    #[error("the ingest key is not valid")]
    InvalidKey,
    #[error("the ingest key is deactivated; an admin can enable it again")]
    KeyInactive,
    #[error(
        "the machine token is not valid (its host was rejected or deleted); enroll the machine again with an ingest key"
    )]
    InvalidToken,
    #[error("host {id} ({name}) is pending: an admin must approve host {id} ({name}) before its samples are accepted")]
    ApprovalRequired { id: u64, name: String },
    #[error("host {id} ({name}) was rejected by an admin: its samples are refused")]
    HostRejected { id: u64, name: String },
    #[error(
        "host {id} ({name}) is enrolled with another ingest key, which is still active: push with the machine token it was given"
    )]
    KeyMismatch { id: u64, name: String },
    #[error(
        "host {id} ({name}): the machine already holds a machine token; push with it, or delete the host to enroll it again"
    )]
    TokenRequired { id: u64, name: String },
    #[error("the machine token belongs to host {id}, not to the machine with fingerprint {fingerprint:?}")]
    TokenMismatch { id: u64, fingerprint: String },
    #[error(
        "host {id} was enrolled with {}, which is deactivated or deleted: an admin can enable it again, or delete the host so the machine enrolls with another key",
        key_name(*key)
    )]
    EnrollingKeyInactive { id: u64, key: Option<u64> },
    #[error("ingest key {0} not found")]
    KeyNotFound(u64),
    #[error("ingest key name {0:?} is invalid: 1-64 characters without control characters")]
    InvalidKeyName(String),
    #[error("content encoding {0:?} is not supported: send identity, gzip or zstd")]
    UnsupportedEncoding(String),
    #[error("send the body as Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("body is larger than {limit_kib} KiB (after decompression)")]
    TooLarge { limit_kib: usize },
    #[error("body could not be read: {0}")]
    Payload(String),
    #[error("request body is not JSON: {0}")]
    Malformed(String),
    #[error("invalid batch: {0}")]
    Invalid(String),
    #[error("{got} samples in one batch, more than the limit of {limit}; split it")]
    TooManySamples { got: usize, limit: usize },
    #[error("no randomness available")]
    Random,
    #[error(transparent)]
    Forbidden(#[from] crate::caller::Forbidden),
    #[error(transparent)]
    Host(#[from] crate::hosts::HostError),
    #[error(transparent)]
    Metrics(#[from] crate::tsdb::TsdbError),
    #[error("reading or writing ingest keys: {0}")]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(IngestError);

fn key_name(key: Option<u64>) -> String {
    key.map_or_else(|| "no ingest key".to_string(), |k| format!("ingest key {k}"))
}
