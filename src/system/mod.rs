//! Liveness and status: `/api/v1/health` and `/api/v1/status`.
//!
//! Reads only the context's shared parts (store, time-series engine, start time); it must
//! not reach into features.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::ctx::Ctx;
use crate::http::{ApiError, ErrorBody, resource};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health").route(web::get().to(health)))
        .service(resource("/status").route(web::get().to(status)));
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Named apart from the hosts' `Status`: both would otherwise be the document's `Status`.
#[derive(Serialize, ToSchema)]
#[schema(as = ApplianceStatus)]
pub struct Status {
    pub version: &'static str,
    pub uptime_s: u64,
    pub store_bytes: u64,
    pub schema_version: u32,
    pub tls: bool,
    /// The time-series engine's counters since start.
    pub metrics: crate::tsdb::StatsSnapshot,
}

/// Liveness: answers as long as the appliance serves requests. No authentication.
#[utoipa::path(get, path = "/api/v1/health", tag = "system", responses((status = 200, body = Health)))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(Health { status: "ok" })
}

/// Version, uptime, store size and metrics counters (any authenticated caller).
#[utoipa::path(get, path = "/api/v1/status", tag = "system", responses((status = 200, body = Status), (status = 401, body = ErrorBody), crate::http::AuthErrors))]
pub async fn status(ctx: web::Data<Ctx>, _caller: Caller) -> Result<HttpResponse, ApiError> {
    let store = ctx.store.clone();
    // Both read the file (its header, its length): off the executor.
    let (schema_version, store_bytes) =
        crate::blocking::run(move || store.schema_version().map(|v| (v, store.file_size())))
            .await
            .map_err(|e| ApiError::internal(&e))??;
    Ok(HttpResponse::Ok().json(Status {
        version: env!("CARGO_PKG_VERSION"),
        uptime_s: ctx.started.elapsed().as_secs(),
        store_bytes,
        schema_version,
        tls: ctx.tls,
        metrics: ctx.tsdb.stats(),
    }))
}
