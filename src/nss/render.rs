//! The libnss-extrausers files, rendered from plain records: `passwd` (7 fields), `group`
//! (4), `shadow` (9), each line newline-terminated, plus the SSH keys, and the bundle's
//! version (a SHA-256 of all of it, which the agent checks to catch a damaged transfer).
//!
//! Pure and allocation-light: it must not read the store. 100,000 users render in a few
//! milliseconds (`steward bench nss`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// One user as a host sees them.
#[derive(Debug, Clone)]
pub struct Account<'a> {
    pub name: &'a str,
    pub uid: u32,
    pub gecos: &'a str,
    pub shell: &'a str,
    pub hash: &'a str,
    pub disabled: bool,
    /// Must change their password: shadow's last change is 0, which makes PAM ask.
    pub must_change: bool,
    /// Days since 1970-01-01 of the last password change.
    pub changed_day: i64,
    /// `authorized_keys` lines.
    pub keys: Vec<&'a str>,
}

#[derive(Debug, Clone)]
pub struct Group<'a> {
    pub name: &'a str,
    pub gid: u32,
    pub members: Vec<&'a str>,
}

/// The rendered files of one host.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Files {
    pub passwd: String,
    pub group: String,
    pub shadow: String,
    /// `authorized_keys` lines by user (a `BTreeMap` orders by bytes, as the version
    /// needs); disabled users have none.
    #[serde(default)]
    pub keys: BTreeMap<String, Vec<String>>,
}

/// Sizes only: shadow holds password hashes, which stay out of logs.
impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Files")
            .field("passwd_lines", &self.passwd.lines().count())
            .field("group_lines", &self.group.lines().count())
            .field("shadow_lines", &self.shadow.lines().count())
            .field("users_with_keys", &self.keys.len())
            .finish()
    }
}

impl Files {
    /// The bundle's version and ETag (see [`version_of`]).
    pub fn version(&self) -> String {
        version_of(&self.passwd, &self.group, &self.shadow, &self.keys)
    }
}

/// A bundle's version: lowercase hex SHA-256 of passwd, NUL, group, NUL, shadow, NUL, then
/// `user TAB key LF` for every key, users in byte order. Hosts recompute it before
/// installing anything, which catches a bundle damaged or cut short in transit.
pub fn version_of(passwd: &str, group: &str, shadow: &str, keys: &BTreeMap<String, Vec<String>>) -> String {
    let mut h = Sha256::new();
    for part in [passwd, group, shadow] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    for (user, lines) in keys {
        for key in lines {
            h.update(user.as_bytes());
            h.update(b"\t");
            h.update(key.as_bytes());
            h.update(b"\n");
        }
    }
    hex::encode(h.finalize())
}

/// A field as it may appear between colons: without ':' and control characters (the
/// store's validation already keeps them out; this is the last line of defence).
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    // Bytes, not chars: the check runs on every field of every user. C1 controls
    // (U+0080-U+009F) start with a byte >= 0x80, so the slow path still catches them.
    if s.bytes().any(|b| b == b':' || !(0x20..0x7f).contains(&b)) && s.contains(|c: char| c == ':' || c.is_control()) {
        s.chars().filter(|c| *c != ':' && !c.is_control()).collect::<String>().into()
    } else {
        s.into()
    }
}

/// Renders `accounts` (each also gets a group of its own, gid = uid) and `groups`.
/// Lines are built with `push_str` rather than `write!`: the formatting machinery alone
/// would spend most of the 50 ms budget of 100,000 users.
pub fn render(accounts: &[Account<'_>], groups: &[Group<'_>]) -> Files {
    let mut files = Files {
        passwd: String::with_capacity(accounts.len() * 72),
        group: String::with_capacity((accounts.len() + groups.len()) * 24),
        shadow: String::with_capacity(accounts.len() * 96),
        keys: BTreeMap::new(),
    };
    let (mut num, mut id) = (itoa::Buffer::new(), itoa::Buffer::new());
    // Collected, then built into the map at once: BTreeMap's bulk build from a sorted
    // (usually already ordered) list costs a fraction of 100,000 inserts.
    let mut keys = Vec::new();
    for a in accounts {
        let (name, uid) = (a.name, id.format(a.uid));
        let passwd = &mut files.passwd;
        for part in [name, ":x:", uid, ":", uid, ":", &clean(a.gecos), ":/home/", name, ":", &clean(a.shell), "\n"] {
            passwd.push_str(part);
        }
        for part in [name, ":x:", uid, ":\n"] {
            files.group.push_str(part);
        }
        // A hash that could break the line locks the account instead.
        let broken = a.hash.is_empty() || a.hash.bytes().any(|b| b == b':' || b < 0x20 || b == 0x7f);
        let hash = if broken { "*" } else { a.hash };
        let lock = if a.disabled { "!" } else { "" };
        let changed = if a.must_change { 0 } else { a.changed_day.max(1) };
        // Expire = 1 (1970-01-02): a `!` only stops passwords; an expired account stops
        // key logins too, through PAM's account stack.
        let expire = if a.disabled { ":::::1:\n" } else { "::::::\n" };
        for part in [name, ":", lock, hash, ":", num.format(changed), expire] {
            files.shadow.push_str(part);
        }
        if !a.disabled && !a.keys.is_empty() {
            keys.push((name.to_string(), a.keys.iter().map(|k| k.to_string()).collect()));
        }
    }
    files.keys = keys.into_iter().collect();
    for g in groups {
        for part in [g.name, ":x:", num.format(g.gid), ":"] {
            files.group.push_str(part);
        }
        for (i, m) in g.members.iter().enumerate() {
            if i > 0 {
                files.group.push(',');
            }
            files.group.push_str(m);
        }
        files.group.push('\n');
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Account<'static> {
        Account {
            name: "alice",
            uid: 20001,
            gecos: "Alice Liddell",
            shell: "/bin/bash",
            hash: "$2b$12$abcdefghijklmnopqrstuv",
            disabled: false,
            must_change: false,
            changed_day: 20_000,
            keys: vec!["ssh-ed25519 AAAA a@b"],
        }
    }

    #[test]
    fn lines_have_the_extrausers_field_counts_and_end_with_newlines() {
        let groups = [Group { name: "steward-sudo", gid: 20000, members: vec!["alice"] }];
        let f = render(&[alice()], &groups);
        assert_eq!(f.passwd, "alice:x:20001:20001:Alice Liddell:/home/alice:/bin/bash\n");
        assert_eq!(f.group, "alice:x:20001:\nsteward-sudo:x:20000:alice\n");
        assert_eq!(f.shadow, "alice:$2b$12$abcdefghijklmnopqrstuv:20000::::::\n");
        for (text, fields) in [(&f.passwd, 7), (&f.group, 4), (&f.shadow, 9)] {
            assert!(text.lines().all(|l| l.split(':').count() == fields), "{text}");
        }
        assert_eq!(f.keys["alice"], vec!["ssh-ed25519 AAAA a@b"]);
    }

    #[test]
    fn disabled_users_expire_lose_their_keys_and_must_change_means_day_zero() {
        let f = render(&[Account { disabled: true, ..alice() }], &[]);
        assert_eq!(f.shadow, "alice:!$2b$12$abcdefghijklmnopqrstuv:20000:::::1:\n");
        assert!(f.keys.is_empty());
        let f = render(&[Account { must_change: true, ..alice() }], &[]);
        assert!(f.shadow.starts_with("alice:$2b$12$abcdefghijklmnopqrstuv:0:"), "{}", f.shadow);
    }

    #[test]
    fn hostile_fields_cannot_break_a_line() {
        let f = render(&[Account { gecos: "a:b\nc", hash: "x:y", shell: "/bin/sh\n", ..alice() }], &[]);
        assert_eq!(f.passwd, "alice:x:20001:20001:abc:/home/alice:/bin/sh\n");
        assert!(f.shadow.starts_with("alice:*:"), "{}", f.shadow);
        assert_eq!(f.shadow.lines().count(), 1);
    }

    #[test]
    fn the_version_covers_every_file_and_key() {
        let base = render(&[alice()], &[]);
        let v = base.version();
        assert_eq!(v.len(), 64);
        assert_eq!(v, render(&[alice()], &[]).version(), "stable");
        let mut other = base.clone();
        other.keys.insert("alice".into(), vec!["ssh-ed25519 BBBB".into()]);
        assert_ne!(other.version(), v);
        let mut other = base.clone();
        other.shadow.push('\n');
        assert_ne!(other.version(), v);
        assert_eq!(Files::default().version(), hex::encode(Sha256::digest([0u8, 0, 0])));
    }
}
