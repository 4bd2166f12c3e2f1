//! The error answers the shared plumbing can give any operation, declared once for the
//! OpenAPI document: list the sets an operation is exposed to after its own answers, e.g.
//! `responses((status = 200, body = X), AuthErrors, BodyErrors)`.
//!
//! Each set follows a piece of plumbing, so an operation declares what it can really get:
//! [`AuthErrors`] the `Caller` extractors and the CSRF check, [`BodyErrors`] the [`Json`]
//! extractor, [`QueryErrors`] and [`PathErrors`] the [`Query`] and [`Path`] extractors. This
//! module declares; it must not decide any answer.
//!
//! [`Json`]: super::Json
//! [`Query`]: super::Query
//! [`Path`]: super::Path

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, response::Response};

/// One `{"code", "message"}` answer.
fn error(description: &str) -> RefOr<Response> {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    ResponseBuilder::new().description(description).content("application/json", content).build().into()
}

macro_rules! error_set {
    ($(#[$doc:meta])* $name:ident { $($status:literal => $description:literal,)* }) => {
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([$(($status.to_string(), error($description)),)*])
            }
        }
    };
}

error_set!(
    /// An operation that needs a signed-in caller.
    AuthErrors {
        "401" => "No credentials, or they are unknown, expired or revoked (`auth.required`, `auth.session_expired`).",
        "403" => "The caller's role or organization does not allow this, a cookie session sent no matching `X-CSRF-Token` (`auth.csrf`), or a password change is due first.",
    }
);

error_set!(
    /// An operation that reads a JSON body.
    BodyErrors {
        "400" => "The body is not JSON (`request.malformed_json`).",
        "413" => "The body is larger than the configured limit (`request.too_large`).",
        "415" => "The body is not sent as `Content-Type: application/json`.",
        "422" => "A field is missing, unknown, of the wrong type or against a rule; the message names it.",
    }
);

error_set!(
    /// An operation that reads query parameters.
    QueryErrors {
        "400" => "A query parameter is unknown or not of its type (`request.invalid_query`).",
        "422" => "An integer query parameter is outside its documented range (`request.out_of_range`).",
    }
);

error_set!(
    /// An operation on a resource named in its path.
    PathErrors {
        "404" => "No such resource, or the path parameter is not of its type (`request.invalid_path`).",
        "422" => "An integer path parameter is outside its documented range (`request.out_of_range`).",
    }
);
