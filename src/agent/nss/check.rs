//! Whether a bundle may become this machine's accounts: every line well formed, every id
//! inside the agent's own range, nothing twice, nothing pointing at what the bundle does
//! not define, and no name or id an account of this machine already has (a central
//! `root`, or a central user on the uid of a local one, would be a takeover).
//!
//! Pure: the local account files arrive as text; it must not read or write files.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use super::bundle::{Bundle, BundleError, authorized_keys_file, valid_name};

/// The key types sshd is handed; anything else (including options before the type,
/// `command="..."` and the like) is refused.
pub const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// The accounts of this machine, read leniently from its `/etc/passwd` and `/etc/group`:
/// a line that cannot be understood is skipped, never a reason to refuse a bundle.
#[derive(Debug, Default)]
pub struct Local {
    passwd_path: PathBuf,
    group_path: PathBuf,
    users: HashSet<String>,
    uids: HashSet<u32>,
    groups: HashMap<String, Option<u32>>,
    gids: HashSet<u32>,
}

impl Local {
    pub fn parse(passwd_path: &Path, passwd: &str, group_path: &Path, group: &str) -> Self {
        let mut local =
            Local { passwd_path: passwd_path.to_path_buf(), group_path: group_path.to_path_buf(), ..Local::default() };
        for (name, id) in entries(passwd) {
            local.users.insert(name.to_string());
            local.uids.extend(id);
        }
        for (name, id) in entries(group) {
            local.groups.insert(name.to_string(), id);
            local.gids.extend(id);
        }
        local
    }

    /// The gid of a local group, e.g. `shadow`.
    pub fn gid(&self, group: &str) -> Option<u32> {
        self.groups.get(group).copied().flatten()
    }
}

/// `name` and the numeric third field of each line that has them.
fn entries(text: &str) -> impl Iterator<Item = (&str, Option<u32>)> {
    text.lines().filter_map(|line| {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            return None;
        }
        let mut fields = line.split(':');
        let name = fields.next()?.trim();
        let id = fields.nth(1).and_then(|id| id.trim().parse().ok());
        Some((name, id))
    })
}

/// What a checked bundle installs, file by file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub passwd: String,
    pub group: String,
    pub shadow: String,
    pub authorized_keys: String,
}

/// Checks `bundle` against the id `range` the agent is configured with and the accounts
/// of this machine; the files to install when everything holds, else the first problem.
pub fn check(bundle: &Bundle, range: &RangeInclusive<u32>, local: &Local) -> Result<Files, BundleError> {
    let ids = Ids { range, local };
    let passwd = lines("passwd", &bundle.files.passwd, 7)?;
    let group = lines("group", &bundle.files.group, 4)?;
    let shadow = lines("shadow", &bundle.files.shadow, 9)?;
    let users = ids.users(&passwd)?;
    let gids = ids.groups(&group, &users)?;
    for (name, gid) in &users {
        if !gids.contains(gid) {
            return Err(BundleError::Invalid(format!("gid {gid} of {name:?} is not a group of the bundle")));
        }
    }
    check_shadow(&shadow, &users)?;
    check_keys(&bundle.files.keys, &users)?;
    Ok(Files {
        passwd: bundle.files.passwd.clone(),
        group: bundle.files.group.clone(),
        shadow: bundle.files.shadow.clone(),
        authorized_keys: authorized_keys_file(&bundle.files.keys),
    })
}

type Fields<'a> = (usize, Vec<&'a str>);

/// Splits a file into numbered lines of exactly `fields` `:`-separated fields.
fn lines<'a>(file: &'static str, text: &'a str, fields: usize) -> Result<Vec<Fields<'a>>, BundleError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let body = text.strip_suffix('\n').ok_or(BundleError::NoFinalNewline { file })?;
    let mut out = Vec::new();
    for (i, line) in body.split('\n').enumerate() {
        let problem = |problem: String| BundleError::Line { file, line: i + 1, problem };
        if line.is_empty() {
            return Err(problem("is empty".into()));
        }
        if line.chars().any(char::is_control) {
            return Err(problem("contains a control character".into()));
        }
        let parts: Vec<&str> = line.split(':').collect();
        if parts.len() != fields {
            return Err(problem(format!("has {} fields, expected {fields}", parts.len())));
        }
        if !valid_name(parts[0]) {
            return Err(problem(format!("has the name {:?}, which is not a valid name", parts[0])));
        }
        out.push((i + 1, parts));
    }
    Ok(out)
}

struct Ids<'a> {
    range: &'a RangeInclusive<u32>,
    local: &'a Local,
}

impl Ids<'_> {
    /// A numeric id field inside the range.
    fn id(&self, file: &'static str, line: usize, what: &str, raw: &str, owner: &str) -> Result<u32, BundleError> {
        let id: u32 = match raw.parse() {
            Ok(id) if !raw.starts_with('+') => id,
            _ => return Err(BundleError::Line { file, line, problem: format!("has {what} {raw:?}, not a number") }),
        };
        if !self.range.contains(&id) {
            let (min, max) = (self.range.start(), self.range.end());
            return Err(BundleError::Invalid(format!("{what} {id} of {owner} is outside {min}-{max}")));
        }
        Ok(id)
    }

    /// passwd: name, `x`, uid, gid, gecos, home, shell. Returns each user's gid.
    fn users(&self, passwd: &[Fields]) -> Result<BTreeMap<String, u32>, BundleError> {
        let mut users = BTreeMap::new();
        let mut uids = HashMap::new();
        for (n, f) in passwd {
            let (name, quoted) = (f[0], format!("{:?}", f[0]));
            if f[1] != "x" {
                return Err(BundleError::Line {
                    file: "passwd",
                    line: *n,
                    problem: format!("has something other than x in the password field of {quoted}"),
                });
            }
            let uid = self.id("passwd", *n, "uid", f[2], &quoted)?;
            let gid = self.id("passwd", *n, "gid", f[3], &quoted)?;
            for (what, path) in [("home", f[5]), ("shell", f[6])] {
                if !path.starts_with('/') {
                    return Err(BundleError::Invalid(format!("{what} {path:?} of {quoted} is not an absolute path")));
                }
            }
            if users.insert(name.to_string(), gid).is_some() {
                return Err(BundleError::Invalid(format!("user {quoted} appears twice in passwd")));
            }
            if let Some(other) = uids.insert(uid, name) {
                return Err(BundleError::Invalid(format!("uid {uid} is given to both {other:?} and {quoted}")));
            }
            let local = self.local.passwd_path.display();
            if self.local.users.contains(name) {
                return Err(BundleError::Invalid(format!("user {quoted} collides with a local account in {local}")));
            }
            if self.local.uids.contains(&uid) {
                return Err(BundleError::Invalid(format!(
                    "uid {uid} of {quoted} collides with a local account in {local}"
                )));
            }
        }
        Ok(users)
    }

    /// group: name, password field, gid, members (users of the bundle only: a central
    /// group must not hand a local account a privilege). Returns the gids.
    fn groups(&self, group: &[Fields], users: &BTreeMap<String, u32>) -> Result<HashSet<u32>, BundleError> {
        let mut names = HashSet::new();
        let mut gids = HashMap::new();
        for (n, f) in group {
            let (name, quoted) = (f[0], format!("group {:?}", f[0]));
            if !matches!(f[1], "x" | "!" | "*" | "") {
                return Err(BundleError::Line {
                    file: "group",
                    line: *n,
                    problem: format!("has a password in the password field of {quoted}"),
                });
            }
            let gid = self.id("group", *n, "gid", f[2], &quoted)?;
            for member in f[3].split(',').filter(|m| !m.is_empty()) {
                if !users.contains_key(member) {
                    return Err(BundleError::Invalid(format!(
                        "member {member:?} of {quoted} is not a user of the bundle"
                    )));
                }
            }
            if !names.insert(name) {
                return Err(BundleError::Invalid(format!("{quoted} appears twice in group")));
            }
            if let Some(other) = gids.insert(gid, name) {
                return Err(BundleError::Invalid(format!("gid {gid} is given to both group {other:?} and {quoted}")));
            }
            let local = self.local.group_path.display();
            if self.local.groups.contains_key(name) {
                return Err(BundleError::Invalid(format!("{quoted} collides with a local group in {local}")));
            }
            if self.local.gids.contains(&gid) {
                return Err(BundleError::Invalid(format!(
                    "gid {gid} of {quoted} collides with a local group in {local}"
                )));
            }
        }
        Ok(gids.into_keys().collect())
    }
}

/// shadow: name, hash, then seven day counts (empty or a number; the last is reserved).
fn check_shadow(shadow: &[Fields], users: &BTreeMap<String, u32>) -> Result<(), BundleError> {
    let mut seen = HashSet::new();
    for (n, f) in shadow {
        let problem = |problem: String| BundleError::Line { file: "shadow", line: *n, problem };
        let name = f[0];
        if !users.contains_key(name) {
            return Err(problem(format!("is for {name:?}, who is not in passwd")));
        }
        if !seen.insert(name) {
            return Err(BundleError::Invalid(format!("user {name:?} appears twice in shadow")));
        }
        // An empty hash is a login without any password; locked accounts carry ! or *.
        if f[1].is_empty() {
            return Err(problem(format!("leaves the password of {name:?} empty")));
        }
        for (i, days) in f.iter().enumerate().take(8).skip(2) {
            if !days.bytes().all(|b| b.is_ascii_digit()) {
                return Err(problem(format!("has {days:?} in field {}, expected a number or nothing", i + 1)));
            }
        }
    }
    Ok(())
}

/// Keys only for users of the bundle, one line each, of a type sshd is meant to see.
fn check_keys(keys: &BTreeMap<String, Vec<String>>, users: &BTreeMap<String, u32>) -> Result<(), BundleError> {
    for (user, lines) in keys {
        if !users.contains_key(user) {
            return Err(BundleError::Invalid(format!("keys are given for {user:?}, who is not in passwd")));
        }
        for (i, key) in lines.iter().enumerate() {
            let bad = |why: &str| BundleError::Invalid(format!("key {} of {user:?} {why}", i + 1));
            if key.chars().any(char::is_control) {
                return Err(bad("contains a line break or another control character"));
            }
            let (kind, rest) = key.split_once(' ').unwrap_or((key, ""));
            if !KEY_TYPES.contains(&kind) {
                return Err(bad(&format!("does not start with a known key type ({})", KEY_TYPES.join(", "))));
            }
            if rest.trim().is_empty() {
                return Err(bad("has a type but no key"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
