//! The JSON body extractor every route uses: size checked before parsing (413), content
//! type checked (415), syntax errors (400) and field errors (422) named by their path.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;

use super::ApiError;

pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = is_json(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "request.unsupported_media_type",
                    "send the body as Content-Type: application/json",
                ));
            }
            let body = bytes.await.map_err(|e| payload_error(&e))?;
            parse(&body).map(Json)
        })
    }
}

/// Whether the request says its body is JSON (`application/json`, any parameters).
pub fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// Parses in two steps so the status says whose fault it is: text that is not JSON is a
/// 400, JSON that does not fit the type is a 422 naming the field's path. (serde_json
/// alone reports some type mismatches, such as a number where an enum goes, as syntax.)
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "request.malformed_json", format!("request body is not JSON: {e}"))
    })?;
    whole_numbers_as_integers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = if path == "." || path.is_empty() {
            format!("request body: {inner}")
        } else {
            format!("field `{path}`: {inner}")
        };
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "request.invalid_field", message)
    })
}

/// JSON Schema, and so the OpenAPI document, counts `7.0` as an integer; serde would refuse
/// it where a field is one. Whole numbers written as floats become integers before typing
/// (a float field takes an integer as well).
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0) {
                // `i64::MAX as f64` is 2^63, itself out of range: hence `<`.
                if f >= i64::MIN as f64 && f < i64::MAX as f64 {
                    *n = (f as i64).into();
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

fn payload_error(e: &actix_web::Error) -> ApiError {
    let limit_hit = e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE;
    if limit_hit {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request.too_large", format!("request body too large: {e}"))
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "request.bad_body", format!("reading request body: {e}"))
    }
}
