//! How what hosts ask for answers when it fails.

use actix_web::http::StatusCode;

use super::NssError;
use crate::http::ApiError;

impl From<NssError> for ApiError {
    fn from(e: NssError) -> Self {
        use NssError as E;
        let message = e.to_string();
        let (status, code) = match e {
            E::InsecureTransport => (StatusCode::FORBIDDEN, "nss.tls_required"),
            E::NotOnHost(_) => (StatusCode::NOT_FOUND, "nss.not_on_host"),
            E::Disabled(_) => (StatusCode::FORBIDDEN, "auth.disabled"),
            E::Locked => (StatusCode::FORBIDDEN, "auth.locked"),
            E::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "nss.invalid"),
            E::User(u) => return u.into(),
            E::Auth(a) => return a.into(),
            E::Ingest(i) => return i.into(),
            E::Host(h) => return h.into(),
            E::Store(s) => return s.into(),
        };
        Self::new(status, code, message)
    }
}
