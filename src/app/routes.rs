//! The route table: every feature's routes, mounted in one place. Adding a feature is one
//! line here (and its paths in [`super::openapi`]).

use actix_web::middleware::from_fn;
use actix_web::web;

use crate::ctx::Ctx;

/// Mounts every route and the extractor configuration on a worker's `App`.
pub fn configure(ctx: web::Data<Ctx>, cfg: &mut web::ServiceConfig) {
    let limit = ctx.config.http.body_limit_kib as usize * 1024;
    cfg.app_data(ctx).app_data(super::openapi::allowed());
    crate::http::extractors(cfg, limit);
    // Before the /api/v1 scope, whose not-found default would otherwise swallow the document.
    cfg.route("/api/docs", web::get().to(super::openapi::docs_redirect))
        .route(super::openapi::DOCUMENT_PATH, web::get().to(super::openapi::document))
        .service(super::openapi::docs())
        .service(
            web::scope("/api/v1")
                .wrap(from_fn(crate::auth::resolve))
                .configure(crate::system::configure)
                .configure(crate::auth::configure)
                // Before the users and hosts scopes, which own the prefixes of some of their
                // paths.
                .configure(crate::accounts::configure)
                .configure(crate::nss::configure)
                .configure(crate::users::configure)
                .configure(crate::orgs::configure)
                .configure(crate::audit::configure)
                // SSH hosts are created and changed on the hosts' own paths.
                .configure(|cfg| crate::hosts::configure(cfg, crate::poll::routes::on_hosts()))
                .configure(crate::ingest::configure)
                .configure(crate::sshkeys::configure)
                .configure(crate::live::configure)
                .default_service(web::to(crate::http::not_found)),
        )
        .default_service(web::to(crate::http::assets::serve));
}
