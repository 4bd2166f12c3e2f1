//! How the push endpoint's and ingest keys' errors answer.

use actix_web::http::StatusCode;

use super::IngestError;
use crate::http::ApiError;

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        use IngestError as E;
        let e = match e {
            E::Host(h) => return h.into(),
            E::Metrics(m) => return m.into(),
            other => other,
        };
        let (status, code) = match &e {
            E::KeyRequired => (StatusCode::UNAUTHORIZED, "ingest.key_required"),
            E::InvalidKey => (StatusCode::UNAUTHORIZED, "ingest.invalid_key"),
            E::KeyInactive | E::EnrollingKeyInactive { .. } => (StatusCode::FORBIDDEN, "ingest.key_inactive"),
            E::InvalidToken => (StatusCode::UNAUTHORIZED, "ingest.invalid_token"),
            E::ApprovalRequired { .. } => (StatusCode::FORBIDDEN, "host.pending"),
            E::HostRejected { .. } => (StatusCode::FORBIDDEN, "host.rejected"),
            E::KeyMismatch { .. } => (StatusCode::FORBIDDEN, "ingest.key_mismatch"),
            E::TokenRequired { .. } => (StatusCode::FORBIDDEN, "ingest.token_required"),
            E::TokenMismatch { .. } => (StatusCode::FORBIDDEN, "ingest.token_mismatch"),
            E::KeyNotFound(_) => (StatusCode::NOT_FOUND, "ingest_keys.not_found"),
            E::InvalidKeyName(_) => (StatusCode::UNPROCESSABLE_ENTITY, "ingest_keys.invalid_name"),
            E::UnsupportedEncoding(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "ingest.unsupported_encoding"),
            E::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.unsupported_media_type"),
            E::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "request.too_large"),
            E::Payload(_) => (StatusCode::BAD_REQUEST, "request.bad_body"),
            E::Malformed(_) => (StatusCode::BAD_REQUEST, "request.malformed_json"),
            E::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "ingest.invalid"),
            E::TooManySamples { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "ingest.too_many_samples"),
            E::Forbidden(f) => return (*f).into(),
            E::Host(_) | E::Metrics(_) | E::Random | E::Store(_) => return Self::internal(&e),
        };
        Self::new(status, code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use crate::http::answer;

    #[test]
    fn enrollment_refusals_map_to_their_status_and_code() {
        use crate::ingest::IngestError as E;
        let host = || ("web-1".to_string(), 7);
        let cases: Vec<(E, u16, &str)> = vec![
            (E::InvalidToken, 401, "ingest.invalid_token"),
            (E::ApprovalRequired { id: host().1, name: host().0 }, 403, "host.pending"),
            (E::HostRejected { id: host().1, name: host().0 }, 403, "host.rejected"),
            (E::KeyMismatch { id: host().1, name: host().0 }, 403, "ingest.key_mismatch"),
            (E::TokenRequired { id: host().1, name: host().0 }, 403, "ingest.token_required"),
            (E::TokenMismatch { id: 7, fingerprint: "fp".into() }, 403, "ingest.token_mismatch"),
            (E::EnrollingKeyInactive { id: 7, key: Some(2) }, 403, "ingest.key_inactive"),
            (E::Host(crate::hosts::HostError::Local(1)), 409, "hosts.local"),
            (E::Host(crate::hosts::HostError::Random), 500, "internal"),
        ];
        for (err, status, code) in cases {
            let (s, b, _) = answer(err.into());
            assert_eq!((s, b["code"].as_str().unwrap()), (status, code));
            assert!(!b["message"].as_str().unwrap().is_empty());
        }
    }
}
