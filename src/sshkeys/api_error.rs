//! How the SSH key store's errors answer.

use actix_web::http::StatusCode;

use super::SshKeyError;
use crate::http::ApiError;

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

#[cfg(test)]
mod tests {
    use crate::caller::Forbidden;
    use crate::http::answer;
    use crate::store::StoreError;

    #[test]
    fn ssh_key_errors_map_to_their_status_and_code() {
        use crate::sshkeys::SshKeyError as E;
        let cases: Vec<(E, u16, &str)> = vec![
            (E::NotFound(3), 404, "ssh_key.not_found"),
            (E::InUse { id: 3, hosts: vec![(7, "web-1".into())] }, 409, "ssh_key.in_use"),
            (E::InvalidName("".into()), 422, "ssh_key.invalid_name"),
            (E::InvalidComment("a\nb".into()), 422, "ssh_key.invalid_comment"),
            (E::TooLarge { bytes: 20_000 }, 400, "ssh_key.too_large"),
            (E::Invalid("this is a public key".into()), 400, "ssh_key.invalid"),
            (E::UnsupportedAlgorithm("ecdsa-sha2-nistp256".into()), 400, "ssh_key.unsupported_algorithm"),
            (E::TooWeak { bits: 1024 }, 400, "ssh_key.too_weak"),
            (E::ConvertFirst("legacy".into()), 400, "ssh_key.unsupported_format"),
            (E::PassphraseRequired, 400, "ssh_key.passphrase_required"),
            (E::BadPassphrase, 400, "ssh_key.bad_passphrase"),
            (E::Forbidden(Forbidden { needed: "admin" }), 403, "auth.forbidden"),
            (E::Generate("no entropy".into()), 500, "internal"),
            (E::Store(StoreError::Corrupt("x".into())), 500, "internal"),
        ];
        for (err, status, code) in cases {
            let (s, b, _) = answer(err.into());
            assert_eq!((s, b["code"].as_str().unwrap()), (status, code));
            assert!(!b["message"].as_str().unwrap().is_empty());
        }
        let (_, b, _) = answer(E::InUse { id: 3, hosts: vec![(7, "web-1".into()), (9, "db-2".into())] }.into());
        assert_eq!(b["message"], "key 3 is used by hosts 7 (web-1), 9 (db-2); change their authentication first");
    }
}
