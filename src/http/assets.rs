//! The web UI: the files `web/` builds into `web/dist` (see `build.rs`), embedded in the
//! binary by rust-embed (debug builds read them from disk), served at every path the API
//! does not own.
//!
//! It owns caching and encoding: hashed files under `/assets/` are immutable, everything else
//! (above all `index.html`) is revalidated on every load; a `.br` or `.gz` twin written at
//! build time is sent when the client accepts it. Any other GET path that does not name a
//! file is a route of the single-page app and gets `index.html`. It must not know any page.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::Embed;

use super::ApiError;

#[derive(Embed)]
#[folder = "web/dist"]
struct Dist;

const INDEX: &str = "index.html";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Whether the embedded UI has its entry page (false only in a build made without the UI).
pub fn has_index() -> bool {
    Dist::get(INDEX).is_some()
}

/// Answers everything no API route took: a file of the UI, or the app for a client route.
pub async fn serve(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let path = req.path().trim_start_matches('/');
    if path == "api" || path.starts_with("api/") {
        return Err(ApiError::not_found("http.not_found", format!("no route for {} {}", req.method(), req.path())));
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let message = format!("{} is not allowed on {}", req.method(), req.path());
        return Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "http.method_not_allowed", message));
    }
    let name = if path.is_empty() { INDEX } else { path };
    if Dist::get(name).is_some() {
        return Ok(file(&req, name));
    }
    // A missing file (a stale hashed asset, a typo) is a 404, not the app: a script tag
    // given HTML would fail with a confusing parse error.
    if name.rsplit('/').next().is_some_and(|last| last.contains('.')) || !has_index() {
        return Err(ApiError::not_found("http.not_found", format!("no file {}", req.path())));
    }
    Ok(file(&req, INDEX))
}

/// One embedded file, in the best encoding the client accepts, with its cache policy.
fn file(req: &HttpRequest, name: &str) -> HttpResponse {
    let Some(plain) = Dist::get(name) else {
        return HttpResponse::NotFound().finish();
    };
    let etag = format!("\"{}\"", hex::encode(&plain.metadata.sha256_hash()[..16]));
    let unchanged = req.headers().get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let mut res = if unchanged { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    let cache = if name.starts_with("assets/") { IMMUTABLE } else { REVALIDATE };
    res.insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, etag))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((header::CONTENT_TYPE, plain.metadata.mimetype()));
    if unchanged {
        return res.finish();
    }
    let accepted = accepted(req);
    for (encoding, suffix) in [("br", ".br"), ("gzip", ".gz")] {
        if accepted.contains(&encoding)
            && let Some(packed) = Dist::get(&format!("{name}{suffix}"))
        {
            res.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static(encoding)));
            return body(req, res, packed.data.into_owned());
        }
    }
    body(req, res, plain.data.into_owned())
}

fn body(req: &HttpRequest, mut res: actix_web::HttpResponseBuilder, data: Vec<u8>) -> HttpResponse {
    if req.method() == Method::HEAD {
        return res.insert_header((header::CONTENT_LENGTH, data.len())).finish();
    }
    res.body(data)
}

/// The encodings of `Accept-Encoding` that are not refused with `q=0`.
fn accepted(req: &HttpRequest) -> Vec<&'static str> {
    let Some(value) = req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for part in value.split(',') {
        let mut fields = part.split(';').map(str::trim);
        let coding = fields.next().unwrap_or("").to_ascii_lowercase();
        let refused = fields.any(|f| f.strip_prefix("q=").is_some_and(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0)));
        if refused {
            continue;
        }
        match coding.as_str() {
            "br" => out.push("br"),
            "gzip" | "x-gzip" => out.push("gzip"),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn refused_encodings_are_not_used() {
        let req = TestRequest::default().insert_header(("Accept-Encoding", "gzip, deflate, br;q=0")).to_http_request();
        assert_eq!(accepted(&req), vec!["gzip"]);
        let req = TestRequest::default().insert_header(("Accept-Encoding", "br;q=0.5, GZIP")).to_http_request();
        assert_eq!(accepted(&req), vec!["br", "gzip"]);
        assert!(accepted(&TestRequest::default().to_http_request()).is_empty());
    }
}
