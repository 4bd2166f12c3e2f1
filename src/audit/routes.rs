//! `GET /api/v1/audit` and `GET /api/v1/audit/verify`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use time::OffsetDateTime;

use super::{Filter, Page, Verification};
use crate::caller::{Caller, OrgId};
use crate::ctx::Ctx;
use crate::http::Query;
use crate::http::{ApiError, ErrorBody};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::http::resource("/audit").route(web::get().to(list)));
    cfg.service(crate::http::resource("/audit/verify").route(web::get().to(verify)));
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Actor name, exact.
    pub actor: Option<String>,
    /// Action, exact (`auth.login`) or a dotted prefix (`user` matches `user.create`).
    pub action: Option<String>,
    /// Target, exact.
    pub target: Option<String>,
    /// RFC 3339 lower bound (inclusive).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<OffsetDateTime>,
    /// RFC 3339 upper bound (exclusive).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<OffsetDateTime>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<u64>,
    /// Entries per page (1-500, default 100).
    pub limit: Option<usize>,
    /// Superadmins: only this organization.
    pub org: Option<u64>,
}

/// Audit entries, newest first (admins: their organization; superadmins: all).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Page), (status = 403, body = ErrorBody), crate::http::AuthErrors, crate::http::QueryErrors))]
pub async fn list(ctx: web::Data<Ctx>, caller: Caller, q: Query<AuditQuery>) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    caller.in_org(q.org.map(OrgId))?;
    let filter = Filter {
        actor: q.actor,
        action: q.action,
        target: q.target,
        from: q.from,
        to: q.to,
        cursor: q.cursor,
        limit: q.limit.unwrap_or(super::DEFAULT_LIMIT),
        org: q.org.map(OrgId),
    };
    Ok(HttpResponse::Ok().json(super::query(&ctx.store, &caller.scope, filter).await?))
}

/// Verify the hash chain of the whole trail, as `steward audit verify` does (admins).
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = Verification), (status = 403, body = ErrorBody), crate::http::AuthErrors))]
pub async fn verify(ctx: web::Data<Ctx>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::verify_as(&ctx.store, &caller.scope).await?))
}
