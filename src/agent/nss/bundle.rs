//! The bundle as it travels: its JSON form, the version that is the digest of its content,
//! and the files it becomes once checked. The appliance computes the version with
//! [`version_of`] too, so both sides agree byte for byte.
//!
//! Pure: it must not read or write files, nor decide whether a bundle is acceptable
//! (that is `check`).

use std::collections::BTreeMap;

/// Why a bundle was refused; nothing of a refused bundle is installed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("the bundle is not valid JSON: {0}")]
    Json(String),
    #[error("the bundle is damaged: its digest does not match its version")]
    Digest,
    #[error("{file} does not end with a newline")]
    NoFinalNewline { file: &'static str },
    #[error("{file} line {line} {problem}")]
    Line { file: &'static str, line: usize, problem: String },
    #[error("{0}")]
    Invalid(String),
}

/// The bundle's type is the appliance's own, so both sides read and write one format.
pub use crate::nss::Bundle;

impl Bundle {
    /// Parses the JSON and checks the digest: a bundle cut short or altered on the way is
    /// refused before anything looks at its lines.
    pub fn parse(json: &[u8]) -> Result<Bundle, BundleError> {
        let bundle: Bundle = serde_json::from_slice(json).map_err(|e| BundleError::Json(e.to_string()))?;
        if bundle.files.version() != bundle.version {
            return Err(BundleError::Digest);
        }
        Ok(bundle)
    }

    /// A bundle of these files with the right version (host 7, no range), for tests.
    #[cfg(test)]
    pub(crate) fn of(passwd: &str, group: &str, shadow: &str, keys: BTreeMap<String, Vec<String>>) -> Bundle {
        let files = crate::nss::Files { passwd: passwd.into(), group: group.into(), shadow: shadow.into(), keys };
        Bundle { version: files.version(), host_id: 7, uid_min: 0, uid_max: 0, files }
    }
}

/// The appliance and the agent compute a bundle's version with the same function.
pub use crate::nss::render::version_of;

/// The `authorized_keys` file of the NSS directory: one `user TAB key` line per key, which
/// `steward agent authorized-keys USER` filters for sshd.
pub fn authorized_keys_file(keys: &BTreeMap<String, Vec<String>>) -> String {
    let mut out = String::new();
    for (user, lines) in keys {
        for key in lines {
            out.push_str(user);
            out.push('\t');
            out.push_str(key);
            out.push('\n');
        }
    }
    out
}

/// A user or group name the bundle may carry: `[a-z_][a-z0-9_-]{0,31}`, what useradd
/// accepts by default minus the trailing `$` of machine accounts.
pub fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    match bytes.first() {
        Some(first) if first.is_ascii_lowercase() || *first == b'_' => {}
        _ => return false,
    }
    bytes.len() <= 32
        && bytes[1..].iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn keys(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs.iter().map(|(u, k)| (u.to_string(), k.iter().map(|s| s.to_string()).collect())).collect()
    }

    #[test]
    fn the_version_is_the_digest_of_the_documented_layout() {
        let k = keys(&[("bob", &["ssh-ed25519 B"]), ("alice", &["ssh-ed25519 A1", "ssh-rsa A2"])]);
        let mut expected = Sha256::new();
        expected.update(b"p\n\0g\n\0s\n\0alice\tssh-ed25519 A1\nalice\tssh-rsa A2\nbob\tssh-ed25519 B\n");
        assert_eq!(version_of("p\n", "g\n", "s\n", &k), hex::encode(expected.finalize()));
        // Empty files still count their separators: moving a line between files changes it.
        assert_ne!(version_of("a\n", "", "", &BTreeMap::new()), version_of("", "a\n", "", &BTreeMap::new()));
        let empty = hex::encode(Sha256::digest(b"\0\0\0"));
        assert_eq!(version_of("", "", "", &BTreeMap::new()), empty);
    }

    #[test]
    fn parse_checks_json_and_digest() {
        let k = keys(&[("alice", &["ssh-ed25519 A"])]);
        let bundle = Bundle::of("p\n", "g\n", "", k);
        let json = serde_json::to_vec(&bundle).unwrap();
        assert_eq!(Bundle::parse(&json).unwrap(), bundle);
        let shown = format!("{bundle:?}");
        assert!(shown.contains("passwd_lines: 1") && !shown.contains("\"p\\n\""), "{shown}");
        let cut = &json[..json.len() - 5];
        assert!(matches!(Bundle::parse(cut), Err(BundleError::Json(_))));
        let altered = String::from_utf8(json.clone()).unwrap().replace("\"g\\n\"", "\"G\\n\"");
        let err = Bundle::parse(altered.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "the bundle is damaged: its digest does not match its version");
        let upper = String::from_utf8(json).unwrap().replace(&bundle.version, &bundle.version.to_uppercase());
        assert_eq!(Bundle::parse(upper.as_bytes()), Err(BundleError::Digest));
    }

    #[test]
    fn names_follow_the_useradd_default() {
        for good in ["a", "_svc", "alice", "a-b_c9", &"a".repeat(32)] {
            assert!(valid_name(good), "{good}");
        }
        for bad in ["", "9a", "-a", "Alice", "a.b", "a b", "a:b", "a$", &"a".repeat(33), "é"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn the_keys_file_has_one_line_per_key() {
        let k = keys(&[("bob", &["ssh-rsa B"]), ("alice", &["ssh-ed25519 A1", "ssh-ed25519 A2"]), ("carol", &[])]);
        assert_eq!(authorized_keys_file(&k), "alice\tssh-ed25519 A1\nalice\tssh-ed25519 A2\nbob\tssh-rsa B\n");
    }
}
