//! Key material against OpenSSH's own tools: keys made by `ssh-keygen` at test time are
//! imported, and what we generate or store is read back by `ssh-keygen`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

/// Runs `ssh-keygen` with `args`; panics unless it succeeds. Returns stdout.
fn ssh_keygen(args: &[&str]) -> String {
    let out = Command::new("ssh-keygen").args(args).output().expect("ssh-keygen runs (openssh-client)");
    assert!(out.status.success(), "ssh-keygen {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A key pair made by `ssh-keygen -t TYPE [extra...]` with `passphrase` (empty: none) and
/// comment `test@fixture`; returns the private key file's path.
fn fixture(dir: &Path, name: &str, kind: &str, passphrase: &str, extra: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let file = path.to_str().expect("path");
    let mut args = vec!["-q", "-t", kind, "-N", passphrase, "-C", "test@fixture", "-f", file];
    args.extend_from_slice(extra);
    ssh_keygen(&args);
    path
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("key file")
}

/// The SHA256 field of `ssh-keygen -l -f FILE`: `BITS SHA256:... COMMENT (TYPE)`.
fn keygen_fingerprint(public_file: &Path) -> String {
    let line = ssh_keygen(&["-l", "-E", "sha256", "-f", public_file.to_str().expect("path")]);
    line.split_whitespace().nth(1).expect("fingerprint field").to_string()
}

/// Writes the stored private PEM to a 0600 file and has `ssh-keygen -y` derive its public
/// key: what an OpenSSH client would do with it.
fn public_from_stored(dir: &Path, material: &Material) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("stored");
    std::fs::write(&path, material.private_pem.as_bytes()).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let line = ssh_keygen(&["-y", "-f", path.to_str().expect("path")]);
    std::fs::remove_file(&path).expect("remove");
    line
}

/// Type and base64 blob of an `authorized_keys` line (the comment aside).
fn blob(line: &str) -> String {
    line.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

/// What every stored key must satisfy: unencrypted OpenSSH PEM that OpenSSH reads back to
/// the same public key, whose fingerprint is the one `ssh-keygen -l` prints.
fn check_stored(dir: &Path, material: &Material) {
    assert!(material.private_pem.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
    let parsed = PrivateKey::from_openssh(material.private_pem.as_str()).expect("stored PEM parses");
    assert!(!parsed.is_encrypted(), "stored keys are unencrypted");
    assert_eq!(blob(&public_from_stored(dir, material)), blob(&material.public_key));
    let pub_file = dir.join("check.pub");
    std::fs::write(&pub_file, format!("{}\n", material.public_key)).expect("write");
    assert_eq!(keygen_fingerprint(&pub_file), material.fingerprint);
    assert!(material.fingerprint.starts_with("SHA256:") && !material.fingerprint.ends_with('='));
}

#[test]
fn generated_keys_are_what_openssh_expects() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ed = generate(KeyAlgorithm::Ed25519, "deploy@steward").expect("ed25519");
    assert_eq!((ed.key_type, ed.bits, ed.comment.as_str()), (KeyType::Ed25519, None, "deploy@steward"));
    assert!(ed.public_key.starts_with("ssh-ed25519 AAAA") && ed.public_key.ends_with(" deploy@steward"));
    check_stored(dir.path(), &ed);
    let other = generate(KeyAlgorithm::Ed25519, "deploy@steward").expect("ed25519");
    assert_ne!(other.fingerprint, ed.fingerprint, "every key is fresh");

    // Once: 4096-bit RSA takes seconds even optimized.
    let rsa = generate(KeyAlgorithm::Rsa4096, "old-servers").expect("rsa");
    assert_eq!((rsa.key_type, rsa.bits), (KeyType::Rsa, Some(4096)));
    assert!(rsa.public_key.starts_with("ssh-rsa AAAA"));
    check_stored(dir.path(), &rsa);
}

#[test]
fn openssh_keys_import_with_or_without_a_passphrase() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        ("ed", "ed25519", "", vec![]),
        ("ed-enc", "ed25519", "correct horse", vec![]),
        ("rsa", "rsa", "", vec!["-b", "2048"]),
        ("rsa-enc", "rsa", "s3cret", vec!["-b", "3072"]),
    ];
    for (name, kind, pass, extra) in cases {
        let path = fixture(dir.path(), name, kind, pass, &extra);
        let pass = (!pass.is_empty()).then_some(pass);
        let material = import(&read(&path), pass, "unused").unwrap_or_else(|e| panic!("{name}: {e}"));
        let pub_line = read(&path.with_extension("pub"));
        assert_eq!(material.public_key, pub_line.trim(), "{name}");
        assert_eq!(material.comment, "test@fixture", "{name}");
        let bits = if kind == "rsa" { Some(if name == "rsa" { 2048 } else { 3072 }) } else { None };
        assert_eq!(material.bits, bits, "{name}");
        check_stored(dir.path(), &material);
    }
}

#[test]
fn passphrases_are_asked_for_and_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = read(&fixture(dir.path(), "enc", "ed25519", "right one", &[]));
    assert!(matches!(import(&text, None, "k"), Err(SshKeyError::PassphraseRequired)));
    assert!(matches!(import(&text, Some(""), "k"), Err(SshKeyError::PassphraseRequired)));
    assert!(matches!(import(&text, Some("wrong one"), "k"), Err(SshKeyError::BadPassphrase)));
    assert!(import(&text, Some("right one"), "k").is_ok());
    // A passphrase for a key that has none is simply not needed.
    let plain = read(&fixture(dir.path(), "plain", "ed25519", "", &[]));
    assert!(import(&plain, Some("anything"), "k").is_ok());
}

#[test]
fn rsa_keys_in_pem_import_as_openssh() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, format, armour) in [("pkcs1", "PEM", "RSA PRIVATE KEY"), ("pkcs8", "PKCS8", "PRIVATE KEY")] {
        let path = fixture(dir.path(), name, "rsa", "", &["-b", "2048", "-m", format]);
        let text = read(&path);
        assert!(text.starts_with(&format!("-----BEGIN {armour}-----")), "{name}: {text:.40}");
        let material = import(&text, None, "from pem").unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((material.key_type, material.bits), (KeyType::Rsa, Some(2048)));
        assert_eq!(blob(&material.public_key), blob(&read(&path.with_extension("pub"))), "{name}");
        // PEM carries no comment: the key's name stands in.
        assert_eq!(material.comment, "from pem");
        check_stored(dir.path(), &material);
    }
}

#[test]
fn encrypted_pem_is_refused_with_the_conversion_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, format) in [("legacy", "PEM"), ("pkcs8", "PKCS8")] {
        let text = read(&fixture(dir.path(), name, "rsa", "pass phrase", &["-b", "2048", "-m", format]));
        let err = import(&text, Some("pass phrase"), "k").expect_err(name);
        assert!(matches!(err, SshKeyError::ConvertFirst(_)), "{name}: {err}");
        assert!(err.to_string().contains("ssh-keygen -p -f FILE"), "{err}");
    }
}

#[test]
fn other_algorithms_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let openssh = read(&fixture(dir.path(), "ec", "ecdsa", "", &[]));
    let err = import(&openssh, None, "k").expect_err("ecdsa");
    assert!(matches!(&err, SshKeyError::UnsupportedAlgorithm(a) if a == "ecdsa-sha2-nistp256"), "{err}");
    assert!(err.to_string().contains("ecdsa-sha2-nistp256"), "{err}");
    // Refused before the passphrase matters.
    let encrypted = read(&fixture(dir.path(), "ec-enc", "ecdsa", "pw", &[]));
    assert!(matches!(import(&encrypted, None, "k"), Err(SshKeyError::UnsupportedAlgorithm(_))));
    let pem = read(&fixture(dir.path(), "ec-pem", "ecdsa", "", &["-m", "PEM"]));
    assert!(matches!(import(&pem, None, "k"), Err(SshKeyError::UnsupportedAlgorithm(a)) if a == "ecdsa"));
    let pkcs8 = read(&fixture(dir.path(), "ec-pkcs8", "ecdsa", "", &["-m", "PKCS8"]));
    assert!(matches!(import(&pkcs8, None, "k"), Err(SshKeyError::UnsupportedAlgorithm(a)) if a == "ecdsa"));
}

#[test]
fn short_rsa_keys_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = read(&fixture(dir.path(), "short", "rsa", "", &["-b", "1024"]));
    assert!(matches!(import(&text, None, "k"), Err(SshKeyError::TooWeak { bits: 1024 })));
}

#[test]
fn what_is_not_a_private_key_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = fixture(dir.path(), "k", "ed25519", "", &[]);
    let public = read(&path.with_extension("pub"));
    let err = import(&public, None, "k").expect_err("public key");
    assert!(matches!(&err, SshKeyError::Invalid(m) if m.contains("public key")), "{err}");
    for garbage in ["", "hello", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"] {
        let err = import(garbage, None, "k").expect_err(garbage);
        assert!(matches!(&err, SshKeyError::Invalid(m) if m.contains("not a private key")), "{garbage}: {err}");
    }
    // The right armour around a damaged body.
    let text = read(&path);
    let damaged = text.replacen("AAAA", "AA!A", 1);
    assert!(matches!(import(&damaged, None, "k"), Err(SshKeyError::Invalid(_))));
    let too_large = format!("{text}{}", " ".repeat(MAX_IMPORT_BYTES));
    assert!(matches!(import(&too_large, None, "k"), Err(SshKeyError::TooLarge { .. })));
}

#[test]
fn pasted_text_may_have_windows_line_ends_and_blank_space() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = fixture(dir.path(), "k", "ed25519", "pw", &[]);
    let pasted = format!("\n  {}\n\n", read(&path).replace('\n', "\r\n"));
    let material = import(&pasted, Some("pw"), "k").expect("imports");
    assert_eq!(material.public_key, read(&path.with_extension("pub")).trim());
}

#[test]
fn debug_output_never_shows_the_private_key() {
    let material = generate(KeyAlgorithm::Ed25519, "c").expect("ed25519");
    let shown = format!("{material:?}");
    assert!(shown.contains(&material.fingerprint) && !shown.contains("PRIVATE KEY"), "{shown}");
}
