//! How audit errors answer: refusals as such, anything else as an internal error.

use super::AuditError;
use crate::http::ApiError;

impl From<AuditError> for ApiError {
    fn from(e: AuditError) -> Self {
        match e {
            AuditError::Forbidden(f) => f.into(),
            other => Self::internal(&other),
        }
    }
}
