//! How host errors answer.

use actix_web::http::StatusCode;

use super::HostError;
use crate::http::ApiError;

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
