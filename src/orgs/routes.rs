//! `/api/v1/orgs*`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Org, OrgName};
use crate::caller::Caller;
use crate::caller::OrgId;
use crate::ctx::Ctx;
use crate::http::Path;
use crate::http::{ApiError, ErrorBody, Json, resource};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/orgs")
            .service(resource("").route(web::get().to(list)).route(web::post().to(create)))
            .service(resource("/{id}").route(web::get().to(get))),
    );
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    /// 1-63 lowercase letters, digits and '-', starting with a letter.
    pub name: String,
}

/// Organizations you can see (superadmins: all).
#[utoipa::path(get, path = "/api/v1/orgs", tag = "orgs", responses((status = 200, body = Vec<Org>), (status = 401, body = ErrorBody), crate::http::AuthErrors))]
pub async fn list(ctx: web::Data<Ctx>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::list(&ctx.store, &caller.scope).await?))
}

/// Create an organization (superadmins).
#[utoipa::path(post, path = "/api/v1/orgs", tag = "orgs", request_body = NewOrg,
    responses((status = 201, body = Org), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors))]
pub async fn create(ctx: web::Data<Ctx>, caller: Caller, body: Json<NewOrg>) -> Result<HttpResponse, ApiError> {
    let org =
        super::create(&ctx.store, &caller.scope, OrgName::try_from(body.into_inner().name)?, ctx.clock.now()).await?;
    Ok(HttpResponse::Created().json(org))
}

/// One organization (members and superadmins).
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = u64, Path)),
    responses((status = 200, body = Org), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn get(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::get(&ctx.store, &caller.scope, OrgId(*id)).await?))
}
