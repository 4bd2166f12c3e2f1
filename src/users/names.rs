//! Validated account fields. Usernames become Unix account names on monitored hosts
//! later, so they follow the portable POSIX subset and avoid system accounts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::UserError;

/// Names that already mean something on every Unix host.
const RESERVED: &[&str] = &[
    "root",
    "daemon",
    "bin",
    "sys",
    "sync",
    "games",
    "man",
    "lp",
    "mail",
    "news",
    "uucp",
    "proxy",
    "www-data",
    "backup",
    "list",
    "irc",
    "gnats",
    "nobody",
    "nogroup",
    "sshd",
    "messagebus",
    "systemd-network",
    "systemd-resolve",
    "systemd-timesync",
    "_apt",
    "postgres",
    "steward",
    "sudo",
    "adm",
    "wheel",
    "shadow",
    "staff",
    "users",
];

/// A lowercase POSIX-safe login name: `[a-z_][a-z0-9_-]{0,31}`, not a system account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "alice")]
pub struct Username(String);

impl TryFrom<String> for Username {
    type Error = UserError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let valid_chars = s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !(1..=32).contains(&s.len()) || !valid_chars {
            return Err(UserError::InvalidUsername(sanitize(&s)));
        }
        if RESERVED.contains(&s.as_str()) {
            return Err(UserError::ReservedUsername(s));
        }
        Ok(Self(s))
    }
}

impl From<Username> for String {
    fn from(u: Username) -> String {
        u.0
    }
}

impl Username {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The bootstrap account, known valid.
    pub(crate) fn admin() -> Self {
        Self("admin".into())
    }
}

/// An email address, lowercased; only its shape is checked (mail is not sent yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "alice@example.com")]
pub struct Email(String);

impl TryFrom<String> for Email {
    type Error = UserError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let lower = s.trim().to_lowercase();
        let ok = lower.len() <= 254
            && lower.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'))
            && !lower.chars().any(|c| c.is_whitespace() || c.is_control() || c == ':');
        if ok { Ok(Self(lower)) } else { Err(UserError::InvalidEmail(sanitize(&s))) }
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as shown in the UI and, later, in GECOS: any printable text up to 128
/// characters, without ':' or control characters (they would break passwd lines).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Alice Liddell")]
pub struct DisplayName(String);

impl TryFrom<String> for DisplayName {
    type Error = UserError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let s = s.trim().to_string();
        if s.chars().count() > 128 || s.chars().any(|c| c.is_control() || c == ':') {
            return Err(UserError::InvalidDisplayName(sanitize(&s)));
        }
        Ok(Self(s))
    }
}

impl From<DisplayName> for String {
    fn from(d: DisplayName) -> String {
        d.0
    }
}

/// Echoing hostile input back in an error must not smuggle control characters or megabytes.
pub(crate) fn sanitize(s: &str) -> String {
    let clean: String = s.chars().filter(|c| !c.is_control()).take(64).collect();
    if s.chars().count() > 64 { format!("{clean}...") } else { clean }
}
