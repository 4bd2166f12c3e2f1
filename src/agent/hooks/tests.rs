use std::os::unix::fs::PermissionsExt;

use serde_json::json;

use super::*;
use crate::agent::nss::fake::{Fake, TOKEN};

fn keys_dir(content: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(AUTHORIZED_KEYS), content).unwrap();
    std::fs::set_permissions(dir.path().join(AUTHORIZED_KEYS), std::fs::Permissions::from_mode(0o644)).unwrap();
    dir
}

fn keys_of(dir: &Path, user: &str) -> Result<String, HookError> {
    let mut out = Vec::new();
    authorized_keys(dir, user, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

const KEYS: &str =
    "alice\tssh-ed25519 AAAA1 alice@laptop\nbob\tssh-rsa BBBB\nalice\tssh-ed25519 AAAA2\nalice-x\tssh-rsa X\n";

#[test]
fn authorized_keys_prints_the_users_lines_only() {
    let dir = keys_dir(KEYS);
    assert_eq!(keys_of(dir.path(), "alice").unwrap(), "ssh-ed25519 AAAA1 alice@laptop\nssh-ed25519 AAAA2\n");
    assert_eq!(keys_of(dir.path(), "bob").unwrap(), "ssh-rsa BBBB\n");
    assert_eq!(keys_of(dir.path(), "carol").unwrap(), "", "an unknown user has no keys, and that is no error");
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(keys_of(empty.path(), "alice").unwrap(), "", "not synced yet");
    let err = keys_of(dir.path(), "alice\tssh-rsa").unwrap_err();
    assert_eq!(err.to_string(), "\"alice\\tssh-rsa\" is not a valid user name");
    assert!(matches!(keys_of(dir.path(), "../etc"), Err(HookError::BadUser(_))));
}

#[test]
fn authorized_keys_refuses_a_file_others_could_write() {
    let dir = keys_dir(KEYS);
    let file = dir.path().join(AUTHORIZED_KEYS);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    let err = keys_of(dir.path(), "alice").unwrap_err().to_string();
    assert!(err.starts_with("refusing ") && err.ends_with("writable by others than its owner"), "{err}");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    assert!(matches!(keys_of(dir.path(), "alice"), Err(HookError::Writable { .. })));
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    if rustix::process::geteuid().is_root() {
        std::os::unix::fs::chown(&file, Some(65534), None).unwrap();
        let err = keys_of(dir.path(), "alice").unwrap_err().to_string();
        assert!(err.ends_with("is owned by uid 65534, not root"), "{err}");
    }
}

fn parsed(input: &[u8]) -> (String, String) {
    let p = parse_passwords(input).unwrap();
    (p.old.to_string(), p.new.to_string())
}

fn pair(old: &str, new: &str) -> (String, String) {
    (old.into(), new.into())
}

#[test]
fn stdin_holds_old_and_new_separated_by_nul_or_newline() {
    assert_eq!(parsed(b"old\0new\0"), pair("old", "new"));
    assert_eq!(parsed(b"old\0new"), pair("old", "new"));
    assert_eq!(parsed(b"\0new\0"), pair("", "new"), "root sets a password without the old one");
    assert_eq!(parsed(b"o\nld\0n ew\n\0"), pair("o\nld", "n ew\n"), "with NULs, newlines are password bytes");
    assert_eq!(parsed(b"old\nnew\n"), pair("old", "new"));
    assert_eq!(parsed(b"old\nnew"), pair("old", "new"));
    assert_eq!(parsed("vieux\nnouveau été\n".as_bytes()), pair("vieux", "nouveau été"));
}

#[test]
fn stdin_without_a_new_password_is_refused() {
    for bad in [&b""[..], b"\0", b"old", b"old\0", b"old\0\0", b"old\n", b"old\n\n", b"\n"] {
        let err = parse_passwords(bad).unwrap_err();
        assert!(matches!(err, HookError::NoPassword), "{bad:?}: {err}");
        assert!(err.to_string().starts_with("no password on stdin: "), "{err}");
    }
    for extra in [&b"old\0new\0more"[..], b"old\0new\0\0", b"old\nnew\nmore\n"] {
        let err = parse_passwords(extra).unwrap_err().to_string();
        assert!(err.contains("unexpected data after the new password"), "{extra:?}: {err}");
    }
    assert!(parse_passwords(b"old\0\xff\xfe\0").unwrap_err().to_string().contains("not UTF-8"));
    assert_eq!(format!("{:?}", parse_passwords(b"a\0b").unwrap()), "Passwords(<redacted>)");
}

fn hook_config(server: &str, state: &Path) -> AgentConfig {
    let cli = vec![
        ("server", "server", toml::Value::String(server.into())),
        ("state_dir", "state_dir", toml::Value::String(state.display().to_string())),
    ];
    AgentConfig::load_without_key(None, std::iter::empty(), cli).unwrap().config
}

fn passwords() -> Passwords {
    Passwords { old: Zeroizing::new("old secret".into()), new: Zeroizing::new("new \"secret\"".into()) }
}

#[test]
fn the_appliance_decides_a_password_change() {
    let fake = Fake::start(Vec::new());
    let tmp = tempfile::tempdir().unwrap();
    let config = hook_config(&fake.url, &tmp.path().join("state"));
    State::open(&config.state_dir).unwrap().set_token(TOKEN).unwrap();
    change_password(&config, "alice", &passwords()).unwrap();
    let sent = fake.shared.password_bodies.lock().unwrap().clone();
    assert_eq!(sent, vec![json!({"user": "alice", "old": "old secret", "new": "new \"secret\""})]);

    let answer = |status: u16, body: serde_json::Value| *fake.shared.password_answer.lock().unwrap() = (status, body);
    answer(403, json!({"code": "users.wrong_password", "message": "the current password is wrong"}));
    let err = change_password(&config, "alice", &passwords()).unwrap_err();
    assert_eq!(err.to_string(), "the current password is wrong");
    answer(422, json!({"code": "password.too_short", "message": "at least 12 characters"}));
    assert_eq!(change_password(&config, "alice", &passwords()).unwrap_err().to_string(), "at least 12 characters");
    answer(200, serde_json::Value::Null);
    let err = change_password(&config, "alice", &passwords()).unwrap_err().to_string();
    assert_eq!(err, "the appliance answered 200 OK", "only 204 is a yes");
    answer(502, serde_json::Value::Null);
    let err = change_password(&config, "alice", &passwords()).unwrap_err().to_string();
    assert_eq!(err, "the appliance answered 502 Bad Gateway");

    State::open(&config.state_dir).unwrap().set_token("stm_unknown").unwrap();
    let err = change_password(&config, "alice", &passwords()).unwrap_err().to_string();
    assert_eq!(err, "unknown token");
    assert!(change_password(&config, "Alice", &passwords()).unwrap_err().to_string().contains("not a valid user name"));
}

#[test]
fn a_password_change_fails_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let state_dir = tmp.path().join("state");
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = hook_config(&format!("http://127.0.0.1:{port}"), &state_dir);
    let err = change_password(&config, "alice", &passwords()).unwrap_err().to_string();
    assert_eq!(err, format!("this host is not enrolled yet: no machine token in {}", state_dir.display()));
    assert!(!state_dir.exists(), "the hook never creates the state directory");
    State::open(&state_dir).unwrap();
    assert!(change_password(&config, "alice", &passwords()).unwrap_err().to_string().contains("not enrolled yet"));
    State::open(&state_dir).unwrap().set_token(TOKEN).unwrap();
    let err = change_password(&config, "alice", &passwords()).unwrap_err().to_string();
    assert!(err.starts_with("the appliance cannot be reached: "), "{err}");
}

#[test]
fn messages_stay_on_one_line() {
    assert_eq!(one_line("bad\nthing\x1b[31m"), "bad thing [31m");
}
