//! Users' SSH public keys: each parsed (a line that is not a key is refused), stored as a
//! normalized `authorized_keys` line with its SHA-256 fingerprint, at most [`MAX_KEYS`]
//! per user. Disabled users' keys stay stored but are never sent to hosts.

use serde::{Deserialize, Serialize};
use ssh_key::{HashAlg, PublicKey};
use utoipa::ToSchema;

use super::AccountError;

pub const MAX_KEYS: usize = 32;
/// An RSA-16384 key is about 2.8 KB of text; more is not a key.
const MAX_LINE: usize = 8 * 1024;
/// RSA keys shorter than this are refused (OpenSSH refuses below 1024; 2048 is the floor
/// anyone should still use).
const RSA_MIN_BITS: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserKey {
    /// `SHA256:...`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// e.g. `ssh-ed25519`.
    pub algorithm: String,
    pub comment: String,
    /// The `authorized_keys` line: algorithm, key and comment.
    pub line: String,
}

/// Parses one public key in OpenSSH format (`ssh-ed25519 AAAA... comment`).
pub fn parse(text: &str) -> Result<UserKey, AccountError> {
    let text = text.trim();
    if text.len() > MAX_LINE {
        return Err(AccountError::InvalidKey(format!("{} bytes is too long for a public key", text.len())));
    }
    if text.contains(['\n', '\r']) {
        return Err(AccountError::InvalidKey("give one key per request, on one line".into()));
    }
    let key = PublicKey::from_openssh(text).map_err(|e| {
        let start: String = text.chars().take(24).filter(|c| !c.is_control()).collect();
        AccountError::InvalidKey(format!("{start:?}... is not an OpenSSH public key ({e})"))
    })?;
    if let Some(rsa) = key.key_data().rsa() {
        let bits = rsa.n.as_positive_bytes().map_or(0, |b| b.len() * 8);
        if bits < RSA_MIN_BITS {
            return Err(AccountError::InvalidKey(format!("an RSA key of {bits} bits is too weak: use 2048 or more")));
        }
    }
    let comment: String = key.comment().chars().filter(|c| !c.is_control()).take(255).collect();
    let algorithm = key.algorithm().as_str().to_string();
    let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
    let mut bare = key.clone();
    bare.set_comment("");
    let body = bare.to_openssh().map_err(|e| AccountError::InvalidKey(format!("the key does not encode: {e}")))?;
    let line = if comment.is_empty() { body.trim().to_string() } else { format!("{} {comment}", body.trim()) };
    Ok(UserKey { fingerprint, algorithm, comment, line })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop";

    #[test]
    fn a_key_is_normalized_and_fingerprinted() {
        let k = parse(&format!("  {ED}\n")).unwrap();
        assert_eq!(k.algorithm, "ssh-ed25519");
        assert_eq!(k.comment, "alice@laptop");
        assert!(k.fingerprint.starts_with("SHA256:"), "{}", k.fingerprint);
        assert_eq!(k.line, ED);
        let bare = parse(ED.rsplit_once(' ').unwrap().0).unwrap();
        assert_eq!((bare.fingerprint, bare.comment.as_str()), (k.fingerprint, ""));
    }

    #[test]
    fn what_is_not_a_key_is_refused() {
        for bad in [
            "",
            "hello world",
            "ssh-ed25519 AAAA",
            "command=\"/bin/sh\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
        ] {
            assert!(matches!(parse(bad), Err(AccountError::InvalidKey(_))), "{bad:?}");
        }
        assert!(parse(&format!("{ED}\n{ED}")).is_err(), "two keys");
        assert!(parse(&"A".repeat(9000)).is_err());
    }
}
