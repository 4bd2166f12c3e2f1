//! How SSH host management errors answer.

use actix_web::http::StatusCode;

use super::SshError;
use crate::http::ApiError;

impl From<SshError> for ApiError {
    fn from(e: SshError) -> Self {
        let e = match e {
            SshError::Host(h) => return h.into(),
            SshError::Forbidden(f) => return f.into(),
            // Any key store error but a missing key answers as the key store's routes do.
            SshError::Key(k) if !matches!(k, crate::sshkeys::SshKeyError::NotFound(_)) => return k.into(),
            other => other,
        };
        let (status, code) = match &e {
            SshError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "hosts.invalid"),
            SshError::NotSsh(_) => (StatusCode::CONFLICT, "hosts.not_ssh"),
            SshError::KeyNotFound(_) => (StatusCode::UNPROCESSABLE_ENTITY, "hosts.ssh_key_not_found"),
            // A key the host was to use but that is not there is the request's mistake.
            SshError::Key(crate::sshkeys::SshKeyError::NotFound(_)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "hosts.ssh_key_not_found")
            }
            SshError::Key(_)
            | SshError::Host(_)
            | SshError::Forbidden(_)
            | SshError::NoPassword(_)
            | SshError::Seal(_)
            | SshError::Store(_) => {
                return Self::internal(&e);
            }
        };
        Self::new(status, code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use crate::http::answer;

    #[test]
    fn ssh_host_errors_map_to_their_status_and_code() {
        use crate::poll::SshError as E;
        use crate::sshkeys::SshKeyError as K;
        let cases: Vec<(E, u16, &str)> = vec![
            (E::NotSsh(3), 409, "hosts.not_ssh"),
            (E::KeyNotFound(4), 422, "hosts.ssh_key_not_found"),
            (E::Key(K::NotFound(4)), 422, "hosts.ssh_key_not_found"),
            (E::Key(K::BadPassphrase), 400, "ssh_key.bad_passphrase"),
            (E::Host(crate::hosts::HostError::NotFound(5)), 404, "hosts.not_found"),
            (E::NoPassword(6), 500, "internal"),
        ];
        for (err, status, code) in cases {
            let (s, b, _) = answer(err.into());
            assert_eq!((s, b["code"].as_str().unwrap()), (status, code));
            assert!(!b["message"].as_str().unwrap().is_empty());
        }
    }
}
