//! `GET /api/v1/audit`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use time::OffsetDateTime;

use super::{Filter, Page};
use crate::app::Ctx;
use crate::auth::Caller;
use crate::http::{ApiError, ErrorBody};
use crate::orgs::OrgId;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::http::resource("/audit").route(web::get().to(list)));
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
    #[param(value_type = Option<String>)]
    pub from: Option<OffsetDateTime>,
    /// RFC 3339 upper bound (exclusive).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>)]
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
    responses((status = 200, body = Page), (status = 403, body = ErrorBody)))]
pub async fn list(ctx: web::Data<Ctx>, caller: Caller, q: web::Query<AuditQuery>) -> Result<HttpResponse, ApiError> {
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
