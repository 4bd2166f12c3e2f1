//! Ingest: the endpoint machines push samples to (`POST /api/v1/ingest/metrics`, with an
//! `X-API-Key`), and the ingest keys that admit them.
//!
//! Owns the ingest key tables and routes. It checks a batch at the edge, finds or
//! registers the machine through [`crate::hosts`], and stores samples through
//! [`crate::tsdb::Tsdb::append`]; it must not write hosts or series tables itself.

pub mod body;
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
    Forbidden(#[from] crate::orgs::Forbidden),
    #[error(transparent)]
    Host(#[from] crate::hosts::HostError),
    #[error(transparent)]
    Metrics(#[from] crate::tsdb::TsdbError),
    #[error("reading or writing ingest keys: {0}")]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(IngestError);
