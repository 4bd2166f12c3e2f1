//! The HTTP plumbing every feature shares: the listeners (plain, TLS, redirect), middleware,
//! [`ApiError`] and its body, the JSON extractor, extractor configuration, the route helpers
//! and the embedded web UI.
//!
//! Features own their routes and map their own errors to [`ApiError`]; the composition
//! root's route table mounts them. This module must not import a feature or hold domain
//! logic.

pub mod assets;
mod error;
mod json;
mod middleware;
mod server;

pub use assets::has_index;
#[cfg(test)]
pub(crate) use error::answer;
pub use error::{ApiError, ErrorBody};
pub use json::{Json, is_json};
pub use server::{Routes, Running, start};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

/// The body size limit and how query and path extraction errors answer.
pub fn extractors(cfg: &mut web::ServiceConfig, body_limit_bytes: usize) {
    cfg.app_data(web::PayloadConfig::new(body_limit_bytes))
        .app_data(web::QueryConfig::default().error_handler(|e, _| {
            ApiError::new(StatusCode::BAD_REQUEST, "request.invalid_query", e.to_string()).into()
        }))
        .app_data(
            web::PathConfig::default().error_handler(|e, _| {
                ApiError::new(StatusCode::NOT_FOUND, "request.invalid_path", e.to_string()).into()
            }),
        );
}

/// A route path whose unknown methods answer 405 `http.method_not_allowed` (a bare
/// `.route()` per method would fall through to 404 instead).
pub fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let message = format!("{} is not allowed on {}", req.method(), req.path());
    Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "http.method_not_allowed", message))
}

/// The answer under `/api/v1` when no route matches.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("http.not_found", format!("no route for {} {}", req.method(), req.path())))
}
