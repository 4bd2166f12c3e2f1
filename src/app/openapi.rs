//! The OpenAPI document, assembled from the paths each feature lists here (generated from
//! the handlers' annotations), and the Swagger UI page at `/api/docs` (vendored into the
//! binary: nothing loads from the network).

use std::sync::LazyLock;

use actix_web::{HttpResponse, web};
use utoipa::OpenApi;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::http::{Allowed, EmptyQueryValues};

#[derive(OpenApi)]
#[openapi(
    info(title = "Steward API", description = "Self-hosted monitoring appliance. Errors are `{\"code\", \"message\"}`; cookie sessions send `X-CSRF-Token` on state changes; scripts use `Authorization: Bearer stw_...`; machines enroll with `X-API-Key: sti_...` (an ingest key) and, once an admin approved them, push with the machine token `stm_...` their answer carried."),
    paths(
        crate::system::health,
        crate::system::status,
        crate::auth::routes::login,
        crate::auth::routes::logout,
        crate::auth::routes::logout_all,
        crate::auth::routes::me,
        crate::auth::routes::change_password,
        crate::auth::routes::list_tokens,
        crate::auth::routes::create_token,
        crate::auth::routes::revoke_token,
        crate::users::routes::list,
        crate::users::routes::create,
        crate::users::routes::get,
        crate::users::routes::update,
        crate::users::routes::delete,
        crate::users::routes::reset_password,
        crate::users::routes::unlock,
        crate::orgs::routes::list,
        crate::orgs::routes::create,
        crate::orgs::routes::get,
        crate::audit::routes::list,
        crate::audit::routes::verify,
        crate::hosts::routes::overview,
        crate::hosts::routes::detail,
        crate::hosts::routes::delete,
        crate::hosts::routes::series,
        crate::hosts::routes::approve,
        crate::hosts::routes::reject,
        crate::poll::routes::create,
        crate::poll::routes::update,
        crate::poll::routes::pin,
        crate::poll::routes::test_new,
        crate::poll::routes::test_saved,
        crate::live::host_stream,
        crate::live::org_stream,
        crate::ingest::routes::ingest,
        crate::ingest::routes::list,
        crate::ingest::routes::create,
        crate::ingest::routes::update,
        crate::ingest::routes::delete,
        crate::sshkeys::routes::list,
        crate::sshkeys::routes::generate,
        crate::sshkeys::routes::import,
        crate::sshkeys::routes::get,
        crate::sshkeys::routes::public,
        crate::sshkeys::routes::hosts,
        crate::sshkeys::routes::delete,
        crate::accounts::routes::list_rules,
        crate::accounts::routes::grant,
        crate::accounts::routes::revoke,
        crate::accounts::routes::list_groups,
        crate::accounts::routes::create_group,
        crate::accounts::routes::update_group,
        crate::accounts::routes::delete_group,
        crate::accounts::routes::unix,
        crate::accounts::routes::set_shell,
        crate::accounts::routes::add_key,
        crate::accounts::routes::remove_key,
        crate::nss::routes::bundle,
        crate::nss::routes::file,
        crate::nss::routes::status,
        crate::nss::routes::password,
        crate::nss::routes::host_accounts,
    ),
    // The live streams' messages (`/api/v1/ws/...`): no handler returns them, so they are listed here.
    components(schemas(crate::hosts::HostState, crate::live::Hello, crate::live::Hosts, crate::live::HostUpdate, crate::live::Samples)),
    modifiers(&EmptyQueryValues),
    tags(
        (name = "system"), (name = "auth"), (name = "tokens"), (name = "users"), (name = "orgs"), (name = "audit"),
        (name = "hosts"), (name = "ingest"), (name = "ssh-keys"), (name = "accounts"),
    )
)]
pub struct ApiDoc;

pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header(("Location", "/api/docs/")).finish()
}

/// The Swagger UI page; it loads the document from [`document`]'s route.
pub fn docs() -> SwaggerUi {
    SwaggerUi::new("/api/docs/{_:.*}").config(Config::new([DOCUMENT_PATH]))
}

pub const DOCUMENT_PATH: &str = "/api/v1/openapi.json";

/// What the process keeps of the document: its JSON and the methods of each route.
///
/// Why not the `OpenApi` value itself: built, it takes about 4 MB of small allocations
/// (measured with valgrind's massif on `steward serve`), more than the appliance's whole
/// idle heap otherwise; its JSON is a tenth of that. It is built once per process, on
/// first use, and dropped once both are taken from it.
struct Built {
    json: web::Bytes,
    allowed: web::Data<Allowed>,
}

fn built() -> &'static Built {
    static BUILT: LazyLock<Built> = LazyLock::new(|| {
        let doc = ApiDoc::openapi();
        let json = match serde_json::to_vec(&doc) {
            Ok(json) => json,
            // Serializing plain data into memory has no failure but a bug; say so in the
            // body rather than crash the appliance.
            Err(e) => {
                tracing::error!(error = %e, "serializing the OpenAPI document failed");
                br#"{"openapi":"3.1.0","info":{"title":"unavailable","version":"0"},"paths":{}}"#.to_vec()
            }
        };
        Built { json: web::Bytes::from(json), allowed: web::Data::new(Allowed::from_document(&doc)) }
    });
    &BUILT
}

/// `GET /api/v1/openapi.json`: the document, as bytes built once.
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(built().json.clone())
}

/// The methods each route accepts, for the `Allow` header of a 405: read from the document
/// once per process and shared by every worker.
pub fn allowed() -> web::Data<Allowed> {
    built().allowed.clone()
}
