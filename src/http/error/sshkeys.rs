//! How the SSH key store's errors answer.

use actix_web::http::StatusCode;

use super::ApiError;
use crate::sshkeys::SshKeyError;

impl From<SshKeyError> for ApiError {
    fn from(e: SshKeyError) -> Self {
        use SshKeyError as E;
        let (bad, unprocessable) = (StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, code) = match &e {
            E::NotFound(_) => (StatusCode::NOT_FOUND, "ssh_key.not_found"),
            E::InUse { .. } => (StatusCode::CONFLICT, "ssh_key.in_use"),
            E::InvalidName(_) => (unprocessable, "ssh_key.invalid_name"),
            E::InvalidComment(_) => (unprocessable, "ssh_key.invalid_comment"),
            E::TooLarge { .. } => (bad, "ssh_key.too_large"),
            E::Invalid(_) => (bad, "ssh_key.invalid"),
            E::UnsupportedAlgorithm(_) => (bad, "ssh_key.unsupported_algorithm"),
            E::TooWeak { .. } => (bad, "ssh_key.too_weak"),
            E::ConvertFirst(_) => (bad, "ssh_key.unsupported_format"),
            E::PassphraseRequired => (bad, "ssh_key.passphrase_required"),
            E::BadPassphrase => (bad, "ssh_key.bad_passphrase"),
            E::Forbidden(f) => return (*f).into(),
            E::Generate(_) | E::Hosts(_) | E::Seal(_) | E::Blocking(_) | E::Store(_) => return Self::internal(&e),
        };
        Self::new(status, code, e.to_string())
    }
}
