//! The query-string and path extractors every route uses ([`Query`], [`Path`]): how URL text
//! becomes typed parameters, the same way for every feature.
//!
//! Two rules make the OpenAPI document a contract for URL parameters: an empty value
//! (`?wait=`, `?actor=&from=`) counts as absent, as a form left blank would; and an integer
//! must fit the range the document declares for its type. Ids are `u64` inside, but the
//! document calls them `int64` (and JavaScript clients cannot hold more), so a `u64` is
//! refused above 2^63-1 and a `u32` above 2^31-1. A value outside the range is a 422
//! `request.out_of_range`; any other bad query is a 400 `request.invalid_query`, any other
//! bad path a 404 `request.invalid_path` (no such resource). This module must not know any
//! feature's parameters.

use std::future::{Ready, ready};

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::value::MapDeserializer;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use super::ApiError;

/// Query parameters, with empty values dropped before deserializing.
#[derive(Debug)]
pub struct Query<T>(pub T);

/// Path parameters: one segment deserializes as `T` itself (`Path<u64>`), several as a
/// struct or map named by the route's placeholders.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Path<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::Deref for Path<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(from_query(req.query_string()).map(Query))
    }
}

impl<T: DeserializeOwned> FromRequest for Path<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let segments = req.match_info().iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ready(from_segments(segments).map(Path))
    }
}

/// Parses a query string (without the `?`) the way [`Query`] does.
pub fn from_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "request.invalid_query", format!("query string: {e}")))?
        .into_inner();
    let present = pairs.into_iter().filter(|(_, value)| !value.is_empty());
    from_pairs(present).map_err(|e| e.into_api(StatusCode::BAD_REQUEST, "request.invalid_query", "query"))
}

fn from_segments<T: DeserializeOwned>(segments: Vec<(String, String)>) -> Result<T, ApiError> {
    let result = match <[(String, String); 1]>::try_from(segments) {
        Ok([(name, value)]) => T::deserialize(Text { name, value }),
        Err(segments) => from_pairs(segments.into_iter()),
    };
    result.map_err(|e| e.into_api(StatusCode::NOT_FOUND, "request.invalid_path", "path"))
}

fn from_pairs<T: DeserializeOwned>(pairs: impl Iterator<Item = (String, String)>) -> Result<T, ParamError> {
    T::deserialize(MapDeserializer::new(pairs.map(|(name, value)| (name.clone(), Text { name, value }))))
}

/// Why a parameter was refused; `out_of_range` picks the 422.
#[derive(Debug)]
struct ParamError {
    message: String,
    out_of_range: bool,
}

impl ParamError {
    fn into_api(self, status: StatusCode, code: &'static str, what: &str) -> ApiError {
        if self.out_of_range {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "request.out_of_range", format!("{what}: {}", self.message))
        } else {
            ApiError::new(status, code, format!("{what}: {}", self.message))
        }
    }
}

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParamError {}

impl de::Error for ParamError {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        Self { message: msg.to_string(), out_of_range: false }
    }
}

/// One parameter's text, named so errors can say which one was wrong.
struct Text {
    name: String,
    value: String,
}

impl Text {
    fn error(&self, expected: &str, out_of_range: bool) -> ParamError {
        ParamError { message: format!("`{}`: expected {expected}, got {:?}", self.name, self.value), out_of_range }
    }

    /// An integer within `min..=max`; an integer outside it is out of range, anything else
    /// is not an integer at all.
    fn integer(&self, min: i128, max: i128) -> Result<i128, ParamError> {
        let expected = || format!("an integer from {min} to {max}");
        match self.value.parse::<i128>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            Ok(_) => Err(self.error(&expected(), true)),
            // Digits too many even for i128 are still an integer, just a far too large one.
            Err(_) if is_integer_text(&self.value) => Err(self.error(&expected(), true)),
            Err(_) => Err(self.error(&expected(), false)),
        }
    }
}

fn is_integer_text(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

impl<'de> IntoDeserializer<'de, ParamError> for Text {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

/// Integer methods: each checks the range of the OpenAPI `format` utoipa gives the type
/// (`u64` and `i64` are `int64`, the smaller ones `int32`), then hands serde the value.
macro_rules! integers {
    ($($method:ident => $visit:ident($ty:ty) in $min:expr, $max:expr;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
            let n = self.integer(i128::from($min), i128::from($max))?;
            visitor.$visit(n as $ty)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Text {
    type Error = ParamError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_string(self.value)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self.value.as_str() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(self.error("true or false", false)),
        }
    }

    integers! {
        deserialize_u8 => visit_u64(u64) in 0, u8::MAX;
        deserialize_u16 => visit_u64(u64) in 0, u16::MAX;
        deserialize_u32 => visit_u64(u64) in 0, i32::MAX;
        deserialize_u64 => visit_u64(u64) in 0, i64::MAX;
        deserialize_i8 => visit_i64(i64) in i8::MIN, i8::MAX;
        deserialize_i16 => visit_i64(i64) in i16::MIN, i16::MAX;
        deserialize_i32 => visit_i64(i64) in i32::MIN, i32::MAX;
        deserialize_i64 => visit_i64(i64) in i64::MIN, i64::MAX;
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self.value.parse::<f64>() {
            Ok(x) if x.is_finite() => visitor.visit_f64(x),
            _ => Err(self.error("a number", false)),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.deserialize_f64(visitor)
    }

    /// Empty values never get here, so a value that is present is `Some`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        let text: de::value::StringDeserializer<ParamError> = self.value.into_deserializer();
        de::Deserializer::deserialize_enum(text, name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// Writes the empty-value rule into the document: every optional query parameter gets
/// `allowEmptyValue: true`, OpenAPI's own word for "an empty value is accepted" (as absent).
/// A required one does not: empty, it is missing.
pub struct EmptyQueryValues;

impl utoipa::Modify for EmptyQueryValues {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{RefOr, Required};
        for item in doc.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                for parameter in operation.parameters.iter_mut().flatten() {
                    let RefOr::T(p) = parameter else { continue };
                    if p.parameter_in == ParameterIn::Query && p.required == Required::False {
                        p.extensions.get_or_insert_with(Default::default).insert("allowEmptyValue".into(), true.into());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Q {
        org: Option<u64>,
        #[serde(default)]
        wait: u32,
        #[serde(default)]
        all: bool,
        name: Option<String>,
    }

    fn status(query: &str) -> (u16, &'static str) {
        let e = from_query::<Q>(query).expect_err("refused");
        (e.status.as_u16(), e.code)
    }

    #[test]
    fn empty_values_are_absent() {
        let q: Q = from_query("org=&wait=&all=&name=").expect("parsed");
        assert_eq!(q, Q { org: None, wait: 0, all: false, name: None });
        let q: Q = from_query("org=7&wait=3&all=true&name=%20x").expect("parsed");
        assert_eq!(q, Q { org: Some(7), wait: 3, all: true, name: Some(" x".into()) });
    }

    #[test]
    fn integers_must_fit_the_documented_range() {
        let q: Q = from_query("org=9223372036854775807").expect("i64::MAX fits");
        assert_eq!(q.org, Some(i64::MAX as u64));
        for bad in
            ["org=9223372036854775808", "org=-1", "org=99999999999999999999999999999999999999999", "wait=2147483648"]
        {
            assert_eq!(status(bad), (422, "request.out_of_range"), "{bad}");
        }
    }

    #[test]
    fn other_bad_values_are_invalid_queries() {
        for bad in ["org=abc", "org=1.5", "all=maybe", "colour=red"] {
            assert_eq!(status(bad), (400, "request.invalid_query"), "{bad}");
        }
    }

    #[test]
    fn a_single_path_segment_is_the_value_itself() {
        let id: u64 = from_segments(vec![("id".into(), "42".into())]).expect("parsed");
        assert_eq!(id, 42);
        let e = from_segments::<u64>(vec![("id".into(), "x".into())]).expect_err("refused");
        assert_eq!((e.status.as_u16(), e.code), (404, "request.invalid_path"));
        let e = from_segments::<u64>(vec![("id".into(), "9223372036854775808".into())]).expect_err("refused");
        assert_eq!((e.status.as_u16(), e.code), (422, "request.out_of_range"));
    }
}
