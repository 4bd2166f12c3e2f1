use actix_web::body::MessageBody;

use super::*;

fn body(e: ApiError) -> (u16, serde_json::Value, Option<String>) {
    let res = e.error_response();
    let status = res.status().as_u16();
    let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    let bytes = res.into_body().try_into_bytes().unwrap();
    (status, serde_json::from_slice(&bytes).unwrap(), retry)
}

#[test]
fn auth_errors_map_to_their_status_and_code() {
    let cases: Vec<(AuthError, u16, &str)> = vec![
        (AuthError::InvalidCredentials, 401, "auth.invalid_credentials"),
        (AuthError::Locked { until: time::OffsetDateTime::UNIX_EPOCH }, 403, "auth.locked"),
        (AuthError::Disabled, 403, "auth.disabled"),
        (AuthError::Unauthenticated, 401, "auth.required"),
        (AuthError::SessionExpired, 401, "auth.session_expired"),
        (AuthError::CsrfMismatch, 403, "auth.csrf"),
        (AuthError::PasswordChangeRequired, 403, "auth.password_change_required"),
        (AuthError::TokenNotFound(3), 404, "tokens.not_found"),
        (AuthError::User(UserError::PasswordTooLong(73)), 422, "password.too_long"),
    ];
    for (err, status, code) in cases {
        let (s, b, _) = body(err.into());
        assert_eq!((s, b["code"].as_str().unwrap()), (status, code));
        assert!(!b["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn rate_limits_carry_retry_after() {
    let (s, b, retry) = body(AuthError::RateLimited { retry_after_s: 7 }.into());
    assert_eq!((s, b["code"].as_str().unwrap(), retry.as_deref()), (429, "auth.rate_limited", Some("7")));
}

#[test]
fn internal_errors_hide_their_cause() {
    let (s, b, _) = body(StoreError::Corrupt("secret detail about the file".into()).into());
    assert_eq!(s, 500);
    assert_eq!(b["code"], "internal");
    assert!(!b["message"].as_str().unwrap().contains("secret detail"));
}

#[test]
fn user_and_org_errors_map() {
    let cases: Vec<(ApiError, u16, &str)> = vec![
        (UserError::UsernameTaken("a".into()).into(), 409, "users.username_taken"),
        (UserError::NotFound("1".into()).into(), 404, "users.not_found"),
        (UserError::PasswordTooCommon.into(), 422, "password.too_common"),
        (UserError::Forbidden(Forbidden { needed: "admin" }).into(), 403, "auth.forbidden"),
        (OrgError::Exists("x".into()).into(), 409, "orgs.exists"),
        (OrgError::InvalidName("X".into()).into(), 422, "orgs.invalid_name"),
    ];
    for (err, status, code) in cases {
        let (s, b, _) = body(err);
        assert_eq!((s, b["code"].as_str().unwrap()), (status, code));
    }
}

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
        let (s, b, _) = body(err.into());
        assert_eq!((s, b["code"].as_str().unwrap()), (status, code));
        assert!(!b["message"].as_str().unwrap().is_empty());
    }
}

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
        let (s, b, _) = body(err.into());
        assert_eq!((s, b["code"].as_str().unwrap()), (status, code));
        assert!(!b["message"].as_str().unwrap().is_empty());
    }
    let (_, b, _) = body(E::InUse { id: 3, hosts: vec![(7, "web-1".into()), (9, "db-2".into())] }.into());
    assert_eq!(b["message"], "key 3 is used by hosts 7 (web-1), 9 (db-2); change their authentication first");
}

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
        let (s, b, _) = body(err.into());
        assert_eq!((s, b["code"].as_str().unwrap()), (status, code));
        assert!(!b["message"].as_str().unwrap().is_empty());
    }
}
