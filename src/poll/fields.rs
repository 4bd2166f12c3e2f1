//! Fields of an SSH host, checked at the edge: once one of these exists it is valid.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zeroize::Zeroizing;

/// Why a field was refused: the field's name and the reason, with the bad value quoted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {reason}")]
pub struct BadField {
    pub field: &'static str,
    pub reason: String,
}

impl BadField {
    /// A field error from a body checked by serde (the CLI's path into these types).
    pub fn from_serde(e: &serde_json::Error) -> Self {
        BadField { field: "host", reason: format!("is invalid: {e}") }
    }
}

fn bad(field: &'static str, reason: String) -> BadField {
    BadField { field, reason }
}

/// Shortened and escaped, so a hostile value cannot flood a message or a log line.
fn quoted(s: &str) -> String {
    let short: String = s.chars().take(64).collect();
    format!("{short:?}")
}

/// A DNS name, IPv4 address or IPv6 address (without brackets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "db-1.example.net")]
pub struct Address(String);

impl TryFrom<String> for Address {
    type Error = BadField;
    fn try_from(s: String) -> Result<Self, BadField> {
        let s = s.trim().trim_start_matches('[').trim_end_matches(']').to_string();
        if s.parse::<std::net::IpAddr>().is_ok() {
            return Ok(Self(s));
        }
        let label_ok = |l: &str| {
            (1..=63).contains(&l.len())
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if (1..=253).contains(&s.len()) && s.trim_end_matches('.').split('.').all(label_ok) {
            Ok(Self(s.to_ascii_lowercase()))
        } else {
            Err(bad("address", format!("{} is not a host name or IP address", quoted(&s))))
        }
    }
}

impl From<Address> for String {
    fn from(a: Address) -> String {
        a.0
    }
}

impl Address {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A login name on the remote host: what `sshd` accepts, minus anything that would need
/// quoting (`[A-Za-z0-9_.-]`, and `@` for directory-service accounts), at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "monitor")]
pub struct Login(String);

impl TryFrom<String> for Login {
    type Error = BadField;
    fn try_from(s: String) -> Result<Self, BadField> {
        let ok = (1..=64).contains(&s.len())
            && !s.starts_with('-')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '@'));
        if ok { Ok(Self(s)) } else { Err(bad("username", format!("{} is not a login name", quoted(&s)))) }
    }
}

impl From<Login> for String {
    fn from(l: Login) -> String {
        l.0
    }
}

/// A host's display name: 1 to 64 printable characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "db-1")]
pub struct HostName(String);

impl TryFrom<String> for HostName {
    type Error = BadField;
    fn try_from(s: String) -> Result<Self, BadField> {
        let s = s.trim().to_string();
        if (1..=64).contains(&s.chars().count()) && !s.chars().any(char::is_control) {
            Ok(Self(s))
        } else {
            Err(bad("name", format!("{} must be 1 to 64 printable characters", quoted(&s))))
        }
    }
}

impl From<HostName> for String {
    fn from(n: HostName) -> String {
        n.0
    }
}

/// Up to 16 tags of `[A-Za-z0-9_.:=-]`, 1 to 32 characters each, de-duplicated.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
#[schema(value_type = Vec<String>, example = json!(["db", "rack:3"]))]
pub struct Tags(Vec<String>);

impl TryFrom<Vec<String>> for Tags {
    type Error = BadField;
    fn try_from(v: Vec<String>) -> Result<Self, BadField> {
        if v.len() > 16 {
            return Err(bad("tags", format!("has {} entries; at most 16", v.len())));
        }
        let mut out: Vec<String> = Vec::with_capacity(v.len());
        for t in v {
            let ok = (1..=32).contains(&t.len())
                && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '=' | '-'));
            if !ok {
                return Err(bad("tags", format!("entry {} is not 1 to 32 of [A-Za-z0-9_.:=-]", quoted(&t))));
            }
            if !out.contains(&t) {
                out.push(t);
            }
        }
        Ok(Self(out))
    }
}

impl From<Tags> for Vec<String> {
    fn from(t: Tags) -> Vec<String> {
        t.0
    }
}

/// Seconds between polls: 1 to 3600.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "u32", into = "u32")]
#[schema(value_type = u32, example = 15)]
pub struct Interval(u32);

impl Interval {
    pub const DEFAULT: Interval = Interval(15);
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Interval {
    type Error = BadField;
    fn try_from(v: u32) -> Result<Self, BadField> {
        if (1..=3600).contains(&v) { Ok(Self(v)) } else { Err(bad("interval_s", format!("{v} is not 1 to 3600"))) }
    }
}

impl From<Interval> for u32 {
    fn from(i: Interval) -> u32 {
        i.0
    }
}

/// A TCP port, 1 to 65535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "u32", into = "u16")]
#[schema(value_type = u16, example = 22)]
pub struct Port(u16);

impl Port {
    pub const SSH: Port = Port(22);
    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u32> for Port {
    type Error = BadField;
    fn try_from(v: u32) -> Result<Self, BadField> {
        match u16::try_from(v) {
            Ok(p) if p > 0 => Ok(Self(p)),
            _ => Err(bad("port", format!("{v} is not a TCP port (1 to 65535)"))),
        }
    }
}

impl From<Port> for u16 {
    fn from(p: Port) -> u16 {
        p.0
    }
}

/// A host key fingerprint as `ssh-keygen -l` prints it: `SHA256:` and 43 base64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "SHA256:GHRqWrB41KnB3h8I21Xbs6dVtrnsEYgX+wcJSuuWmLc")]
pub struct Fingerprint(String);

impl TryFrom<String> for Fingerprint {
    type Error = BadField;
    fn try_from(s: String) -> Result<Self, BadField> {
        use base64::Engine;
        let s = s.trim().to_string();
        let digest = s.strip_prefix("SHA256:").map(|b| base64::engine::general_purpose::STANDARD_NO_PAD.decode(b));
        match digest {
            Some(Ok(d)) if d.len() == 32 => Ok(Self(s)),
            _ => Err(bad(
                "host_key_fingerprint",
                format!("{} is not a SHA256 fingerprint as `ssh-keygen -lf KEY.pub` prints it", quoted(&s)),
            )),
        }
    }
}

impl From<Fingerprint> for String {
    fn from(f: Fingerprint) -> String {
        f.0
    }
}

/// A password to log in with: 1 to 1024 bytes, wiped from memory when dropped, never
/// serialized back out.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(try_from = "String")]
#[schema(value_type = String, format = Password)]
pub struct SshPassword(Zeroizing<String>);

impl TryFrom<String> for SshPassword {
    type Error = BadField;
    fn try_from(s: String) -> Result<Self, BadField> {
        let s = Zeroizing::new(s);
        if (1..=1024).contains(&s.len()) && !s.contains('\0') {
            Ok(Self(s))
        } else {
            Err(bad("password", "must be 1 to 1024 bytes without NUL".into()))
        }
    }
}

impl SshPassword {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SshPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_names_and_ips_pass_and_junk_does_not() {
        for ok in ["db-1", "DB-1.Example.net", "10.0.0.7", "::1", "[fe80::1]", "host_1.lan."] {
            assert!(Address::try_from(ok.to_string()).is_ok(), "{ok}");
        }
        assert_eq!(Address::try_from("[::1]".to_string()).unwrap().as_str(), "::1");
        for bad in ["", "a b", "-x", "x;rm -rf /", "a..b", &"a".repeat(64), "host:22"] {
            assert!(Address::try_from(bad.to_string()).is_err(), "{bad}");
        }
    }

    #[test]
    fn logins_tags_ports_intervals_and_fingerprints_are_checked() {
        assert!(Login::try_from("monitor".to_string()).is_ok());
        assert!(Login::try_from("ad.user@corp".to_string()).is_ok());
        assert!(Login::try_from("-oProxyCommand".to_string()).is_err());
        assert!(Login::try_from("a b".to_string()).is_err());
        let tags = Tags::try_from(vec!["db".into(), "db".into(), "rack:3".into()]).unwrap();
        assert_eq!(Vec::<String>::from(tags), vec!["db", "rack:3"]);
        assert!(Tags::try_from(vec!["a b".into()]).is_err());
        assert!(Tags::try_from(vec!["x".into(); 17]).is_err());
        assert!(Port::try_from(0).is_err() && Port::try_from(65_536).is_err() && Port::try_from(2222).is_ok());
        assert!(Interval::try_from(0).is_err() && Interval::try_from(3601).is_err());
        assert!(Fingerprint::try_from("SHA256:GHRqWrB41KnB3h8I21Xbs6dVtrnsEYgX+wcJSuuWmLc".to_string()).is_ok());
        assert!(Fingerprint::try_from("MD5:aa:bb".to_string()).is_err());
        assert!(Fingerprint::try_from("SHA256:short".to_string()).is_err());
        let e = SshPassword::try_from(String::new()).unwrap_err();
        assert_eq!(e.to_string(), "password must be 1 to 1024 bytes without NUL");
        assert_eq!(format!("{:?}", SshPassword::try_from("hunter2".to_string()).unwrap()), "<redacted>");
    }
}
