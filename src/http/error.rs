//! How errors become HTTP answers: `{"code": "area.reason", "message"}`, through one
//! mechanism, `From<E> for ApiError`. This file maps the shared layers' errors (store,
//! time-series engine, identity); each feature maps its own error type in its folder.
//!
//! 4xx messages say what was wrong; 5xx answers are generic and the cause is logged.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::caller::{Forbidden, UnknownOrg};
use crate::store::StoreError;
use crate::tsdb::TsdbError;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable: `area.reason`.
    pub code: String,
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after: None }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// A failure that is ours, not the caller's: log the cause, answer generically.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; the cause is in the appliance log")
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        if let Some(s) = self.retry_after {
            res.insert_header(("Retry-After", s.to_string()));
        }
        res.json(ErrorBody { code: self.code.to_string(), message: self.message.clone() })
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::internal(&e)
    }
}

impl From<Forbidden> for ApiError {
    fn from(e: Forbidden) -> Self {
        Self::new(StatusCode::FORBIDDEN, "auth.forbidden", e.to_string())
    }
}

impl From<UnknownOrg> for ApiError {
    fn from(e: UnknownOrg) -> Self {
        Self::not_found("orgs.not_found", e.to_string())
    }
}

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

/// Status, body and `Retry-After` of an answer: the mapping tests of every feature read
/// their answers through this.
#[cfg(test)]
pub(crate) fn answer(e: ApiError) -> (u16, serde_json::Value, Option<String>) {
    use actix_web::body::MessageBody;
    let res = e.error_response();
    let status = res.status().as_u16();
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    let bytes = res.into_body().try_into_bytes().unwrap();
    (status, serde_json::from_slice(&bytes).unwrap(), retry)
}

#[cfg(test)]
mod tests;
