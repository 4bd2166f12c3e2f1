//! How organization errors answer.

use actix_web::http::StatusCode;

use super::OrgError;
use crate::http::ApiError;

impl From<OrgError> for ApiError {
    fn from(e: OrgError) -> Self {
        let (status, code) = match &e {
            OrgError::InvalidName(_) => (StatusCode::UNPROCESSABLE_ENTITY, "orgs.invalid_name"),
            OrgError::Exists(_) => (StatusCode::CONFLICT, "orgs.exists"),
            OrgError::NotFound(_) => (StatusCode::NOT_FOUND, "orgs.not_found"),
            OrgError::Forbidden(f) => return (*f).into(),
            OrgError::Store(_) => return Self::internal(&e),
        };
        Self::new(status, code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::answer;

    #[test]
    fn org_errors_map() {
        let cases: Vec<(ApiError, u16, &str)> = vec![
            (OrgError::Exists("x".into()).into(), 409, "orgs.exists"),
            (OrgError::InvalidName("X".into()).into(), 422, "orgs.invalid_name"),
        ];
        for (err, status, code) in cases {
            let (s, b, _) = answer(err);
            assert_eq!((s, b["code"].as_str().unwrap()), (status, code));
        }
    }
}
