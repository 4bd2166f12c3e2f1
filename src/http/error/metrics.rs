//! How the metrics features' errors (time-series store, hosts, ingest) answer.

use actix_web::http::StatusCode;

use super::ApiError;
use crate::hosts::HostError;
use crate::ingest::IngestError;
use crate::poll::SshError;
use crate::tsdb::TsdbError;

impl From<TsdbError> for ApiError {
    fn from(e: TsdbError) -> Self {
        use TsdbError as E;
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        let (status, code) = match &e {
            E::InvalidMetric(_) => (unprocessable, "metrics.invalid_metric"),
            E::InvalidLabels(_) => (unprocessable, "metrics.invalid_labels"),
            E::SeriesLimit { .. } => (unprocessable, "metrics.series_limit"),
            E::InvalidIngestId(_) => (unprocessable, "ingest.invalid_id"),
            E::InvalidQuery(_) => (StatusCode::BAD_REQUEST, "metrics.invalid_query"),
            E::WriterGone | E::WriterStart(_) | E::CommitFailed(_) | E::Corrupt(_) | E::Store(_) => {
                return Self::internal(&e);
            }
        };
        Self::new(status, code, e.to_string())
    }
}

impl From<HostError> for ApiError {
    fn from(e: HostError) -> Self {
        let e = match e {
            HostError::Metrics(m) => return m.into(),
            other => other,
        };
        let (status, code) = match &e {
            HostError::NotFound(_) => (StatusCode::NOT_FOUND, "hosts.not_found"),
            HostError::InvalidMachine(_) => (StatusCode::UNPROCESSABLE_ENTITY, "ingest.invalid_machine"),
            HostError::Local(_) => (StatusCode::CONFLICT, "hosts.local"),
            HostError::Forbidden(f) => return (*f).into(),
            HostError::Metrics(_) | HostError::Random | HostError::Store(_) | HostError::Seal(_) => {
                return Self::internal(&e);
            }
        };
        Self::new(status, code, e.to_string())
    }
}

impl From<SshError> for ApiError {
    fn from(e: SshError) -> Self {
        let e = match e {
            SshError::Host(h) => return h.into(),
            SshError::Forbidden(f) => return f.into(),
            // Any key store error but a missing key answers as the key store's routes do.
            SshError::Key(k) if !matches!(k, crate::sshkeys::SshKeyError::NotFound(_)) => return k.into(),
            other => other,
        };
        let (status, code) = match &e {
            SshError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "hosts.invalid"),
            SshError::NotSsh(_) => (StatusCode::CONFLICT, "hosts.not_ssh"),
            SshError::KeyNotFound(_) => (StatusCode::UNPROCESSABLE_ENTITY, "hosts.ssh_key_not_found"),
            // A key the host was to use but that is not there is the request's mistake.
            SshError::Key(crate::sshkeys::SshKeyError::NotFound(_)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "hosts.ssh_key_not_found")
            }
            SshError::Key(_)
            | SshError::Host(_)
            | SshError::Forbidden(_)
            | SshError::NoPassword(_)
            | SshError::Seal(_)
            | SshError::Store(_) => {
                return Self::internal(&e);
            }
        };
        Self::new(status, code, e.to_string())
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        use IngestError as E;
        let e = match e {
            E::Host(h) => return h.into(),
            E::Metrics(m) => return m.into(),
            other => other,
        };
        let (status, code) = match &e {
            E::KeyRequired => (StatusCode::UNAUTHORIZED, "ingest.key_required"),
            E::InvalidKey => (StatusCode::UNAUTHORIZED, "ingest.invalid_key"),
            E::KeyInactive | E::EnrollingKeyInactive { .. } => (StatusCode::FORBIDDEN, "ingest.key_inactive"),
            E::InvalidToken => (StatusCode::UNAUTHORIZED, "ingest.invalid_token"),
            E::ApprovalRequired { .. } => (StatusCode::FORBIDDEN, "host.pending"),
            E::HostRejected { .. } => (StatusCode::FORBIDDEN, "host.rejected"),
            E::KeyMismatch { .. } => (StatusCode::FORBIDDEN, "ingest.key_mismatch"),
            E::TokenRequired { .. } => (StatusCode::FORBIDDEN, "ingest.token_required"),
            E::TokenMismatch { .. } => (StatusCode::FORBIDDEN, "ingest.token_mismatch"),
            E::KeyNotFound(_) => (StatusCode::NOT_FOUND, "ingest_keys.not_found"),
            E::InvalidKeyName(_) => (StatusCode::UNPROCESSABLE_ENTITY, "ingest_keys.invalid_name"),
            E::UnsupportedEncoding(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "ingest.unsupported_encoding"),
            E::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.unsupported_media_type"),
            E::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "request.too_large"),
            E::Payload(_) => (StatusCode::BAD_REQUEST, "request.bad_body"),
            E::Malformed(_) => (StatusCode::BAD_REQUEST, "request.malformed_json"),
            E::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "ingest.invalid"),
            E::TooManySamples { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "ingest.too_many_samples"),
            E::Forbidden(f) => return (*f).into(),
            E::Host(_) | E::Metrics(_) | E::Random | E::Store(_) => return Self::internal(&e),
        };
        Self::new(status, code, e.to_string())
    }
}
