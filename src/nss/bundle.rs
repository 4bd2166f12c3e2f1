//! Which users a host receives and the bundle it downloads: the rendered files, their
//! version, and the id range they were drawn from.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Account, Files, Group, NssError, render};
use crate::accounts::{self, SUDO_GROUP};
use crate::config::AccountsConfig;
use crate::hosts::Host;
use crate::store::Reads;
use crate::users::User;

/// What `GET /api/v1/agent/nss` answers: every file and key, with the version the ETag
/// carries. The appliance sends it and the agent reads it with this one type; hosts check
/// `version` against the content before installing anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Bundle {
    /// Lowercase hex SHA-256 of the content (see [`super::render::version_of`]).
    pub version: String,
    #[serde(default)]
    pub host_id: u64,
    /// The range the appliance allocates from; informative only: agents check ids against
    /// their own configuration, which an appliance cannot widen.
    #[serde(default)]
    pub uid_min: u32,
    #[serde(default)]
    pub uid_max: u32,
    #[serde(flatten)]
    pub files: Files,
}

impl Bundle {
    pub fn new(host: &Host, files: Files, config: &AccountsConfig) -> Self {
        Self { version: files.version(), host_id: host.id, uid_min: config.uid_min, uid_max: config.uid_max, files }
    }
}

/// A user allowed on a host, as read from the store.
pub struct Allowed {
    pub user: User,
    pub account: accounts::UnixAccount,
    /// Some rule gives them sudo there.
    pub sudo: bool,
}

/// The users some access rule lets in on `host`, by uid.
pub fn allowed(txn: &impl Reads, host: &Host) -> Result<Vec<Allowed>, NssError> {
    let org = host.org;
    let rules = accounts::rules::list(txn, org)?;
    let mut allowed = Vec::new();
    for (id, sudo) in accounts::rules::allowed_on(&rules, host) {
        let (Some(user), Some(account)) = (crate::users::find(txn, org, id)?, accounts::unix::get(txn, org, id)?)
        else {
            continue;
        };
        allowed.push(Allowed { user, account, sudo });
    }
    allowed.sort_by_key(|a| a.account.uid);
    Ok(allowed)
}

/// The files `host` should hold now: the users some access rule lets in, their groups.
pub fn for_host(txn: &impl Reads, host: &Host) -> Result<Files, NssError> {
    files_of(txn, host, &allowed(txn, host)?)
}

/// The files of `host` for the users [`allowed`] found there.
pub fn files_of(txn: &impl Reads, host: &Host, allowed: &[Allowed]) -> Result<Files, NssError> {
    let org = host.org;
    let names: std::collections::BTreeMap<u64, &str> =
        allowed.iter().map(|a| (a.user.id.0, a.user.username.as_str())).collect();
    let mut groups: Vec<Group<'_>> = Vec::new();
    if let Some(gid) = accounts::unix::sudo_gid(txn)? {
        let members = allowed.iter().filter(|a| a.sudo && !a.user.disabled).map(|a| a.user.username.as_str());
        groups.push(Group { name: SUDO_GROUP, gid, members: members.collect() });
    }
    let org_groups = accounts::groups::list(txn, org)?;
    for g in &org_groups {
        let members: Vec<&str> = g.members.iter().filter_map(|m| names.get(&m.0).copied()).collect();
        if !members.is_empty() {
            groups.push(Group { name: &g.name, gid: g.gid, members });
        }
    }
    let entries: Vec<Account<'_>> = allowed.iter().map(entry).collect();
    Ok(render(&entries, &groups))
}

fn entry(a: &Allowed) -> Account<'_> {
    Account {
        name: a.user.username.as_str(),
        uid: a.account.uid,
        gecos: &a.user.display_name,
        shell: &a.account.shell,
        hash: &a.user.password_hash,
        disabled: a.user.disabled,
        must_change: a.user.must_change_password,
        changed_day: a.user.password_changed_at.unix_timestamp().div_euclid(86_400),
        keys: a.account.keys.iter().map(|k| k.line.as_str()).collect(),
    }
}
