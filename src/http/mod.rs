//! The HTTP plumbing every feature shares: the listeners (plain, TLS, redirect), middleware,
//! [`ApiError`] and its body, the JSON extractor, extractor configuration, the route helpers
//! and the embedded web UI.
//!
//! Features own their routes and map their own errors to [`ApiError`]; the composition
//! root's route table mounts them. This module must not import a feature or hold domain
//! logic.

mod allow;
pub mod assets;
mod error;
mod json;
mod middleware;
mod params;
mod responses;
mod server;

pub use allow::Allowed;
pub use assets::has_index;
#[cfg(test)]
pub(crate) use error::answer;
pub use error::{ApiError, ErrorBody};
pub use json::{Json, is_json};
pub use params::{EmptyQueryValues, Path, Query, from_query};
pub use responses::{AuthErrors, BodyErrors, PathErrors, QueryErrors};
pub use server::{Routes, Running, start};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

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

/// The 405 carries `Allow` (RFC 9110) with the methods the OpenAPI document lists for the
/// route, so the document stays the one list of what each path accepts.
async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let message = format!("{} is not allowed on {}", req.method(), req.path());
    let allowed = req.app_data::<web::Data<Allowed>>();
    let allow = req.match_pattern().and_then(|p| allowed.and_then(|a| a.get(&p)).map(str::to_string));
    let mut res = ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "http.method_not_allowed", message).error_response();
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allow.unwrap_or_default()) {
        res.headers_mut().insert(actix_web::http::header::ALLOW, value);
    }
    res
}

/// The answer under `/api/v1` when no route matches.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("http.not_found", format!("no route for {} {}", req.method(), req.path())))
}
