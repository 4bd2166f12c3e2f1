//! The HTTP layer: app assembly, error mapping, middleware, health/status, OpenAPI and
//! its offline docs page, the embedded web UI, and the listeners (plain, TLS, redirect).
//!
//! Features own their routes; this module only mounts them. It must not hold domain logic.

mod allow;
mod assets;
mod error;
mod health;
mod json;
mod middleware;
mod openapi;
mod params;
mod responses;
mod server;

pub use allow::Allowed;
pub use assets::has_index;
pub use error::{ApiError, ErrorBody};
pub use json::{Json, is_json};
pub use openapi::ApiDoc;
pub use params::{EmptyQueryValues, Path, Query, from_query};
pub use responses::{AuthErrors, BodyErrors, PathErrors, QueryErrors};
pub use server::{Running, start};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::app::Ctx;

/// Mounts every route and the extractor configuration on an actix `App`.
pub fn configure(ctx: web::Data<Ctx>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let limit = ctx.config.http.body_limit_kib as usize * 1024;
        cfg.app_data(ctx)
            .app_data(web::Data::new(Allowed::from_document(&<ApiDoc as utoipa::OpenApi>::openapi())))
            .app_data(web::PayloadConfig::new(limit))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                ApiError::new(StatusCode::BAD_REQUEST, "request.invalid_query", e.to_string()).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|e, _| {
                ApiError::new(StatusCode::NOT_FOUND, "request.invalid_path", e.to_string()).into()
            }))
            // Before the /api/v1 scope: the docs service also answers /api/v1/openapi.json,
            // which the scope's not-found default would otherwise swallow.
            .route("/api/docs", web::get().to(docs_redirect))
            .service(openapi::docs())
            .service(
                web::scope("/api/v1")
                    .wrap(actix_web::middleware::from_fn(crate::auth::resolve))
                    .configure(health::configure)
                    .configure(crate::auth::configure)
                    // Before the users and hosts scopes, which own the prefixes of some of
                    // their paths.
                    .configure(crate::accounts::configure)
                    .configure(crate::nss::configure)
                    .configure(crate::users::configure)
                    .configure(crate::orgs::configure)
                    .configure(crate::audit::configure)
                    .configure(crate::hosts::configure)
                    .configure(crate::ingest::configure)
                    .configure(crate::sshkeys::configure)
                    .configure(crate::live::configure)
                    .default_service(web::to(not_found)),
            )
            .default_service(web::to(assets::serve));
    }
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

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header(("Location", "/api/docs/")).finish()
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("http.not_found", format!("no route for {} {}", req.method(), req.path())))
}
