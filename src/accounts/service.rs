//! The service functions behind the routes and the CLI: each checks the caller's scope,
//! changes what it must in one transaction and audits it.

use time::OffsetDateTime;

use super::{
    AccessRule, AccountError, NewGroup, NewRule, Target, UnixGroup, UnixView, UserKey, groups, keys, rules, unix,
};
use crate::audit::{self, Event, Outcome};
use crate::caller::{OrgId, Role, Scope, UserId};
use crate::config::AccountsConfig;
use crate::store::{Reads, Store};
use crate::users::User;

/// The user `id` of the scope's organization, when the caller may change their Unix side:
/// themselves, or an admin (only a superadmin for a superadmin).
fn authorize(txn: &impl Reads, scope: &Scope, id: UserId) -> Result<User, AccountError> {
    let user = load_user(txn, scope.org, id)?;
    if scope.actor.user_id != Some(id.0) {
        scope.require(Role::Admin)?;
        if user.role == Role::Superadmin {
            scope.require(Role::Superadmin)?;
        }
    }
    Ok(user)
}

fn load_user(txn: &impl Reads, org: OrgId, id: UserId) -> Result<User, AccountError> {
    crate::users::find(txn, org, id)?.ok_or(AccountError::UserNotFound(id.to_string()))
}

fn audit(
    txn: &redb::WriteTransaction,
    scope: &Scope,
    now: OffsetDateTime,
    action: &str,
    target: &str,
    detail: String,
) -> Result<(), AccountError> {
    let event = Event::new(scope.org, scope.actor.clone(), action, target, Outcome::Success);
    audit::append(txn, now, if detail.is_empty() { event } else { event.detail(detail) })?;
    Ok(())
}

/// Runs `change` in one write transaction for an admin of the scope's organization.
async fn as_admin<T, F>(store: &Store, scope: &Scope, change: F) -> Result<T, AccountError>
where
    T: Send + 'static,
    F: FnOnce(&redb::WriteTransaction, &Scope) -> Result<T, AccountError> + Send + 'static,
{
    scope.require(Role::Admin)?;
    let scope = scope.clone();
    store.write(move |txn| change(txn, &scope)).await
}

/// What user `id` is on hosts.
pub async fn unix_view(
    store: &Store,
    scope: &Scope,
    id: UserId,
    config: &AccountsConfig,
) -> Result<UnixView, AccountError> {
    let (scope, shells) = (scope.clone(), config.shells.clone());
    let default_shell = config.default_shell().to_string();
    store
        .read(move |txn| {
            let user = authorize(txn, &scope, id)?;
            let account = unix::get(txn, scope.org, id)?;
            let groups = groups::list(txn, scope.org)?.into_iter().filter(|g| g.members.contains(&id)).map(|g| g.name);
            let name = user.username.as_str().to_string();
            Ok(UnixView {
                uid: account.as_ref().map(|a| a.uid),
                gid: account.as_ref().map(|a| a.uid),
                gecos: user.display_name.clone(),
                home: format!("/home/{name}"),
                shell: account.as_ref().map_or(default_shell, |a| a.shell.clone()),
                keys: account.map(|a| a.keys).unwrap_or_default(),
                groups: groups.collect(),
                shells,
                username: name,
            })
        })
        .await
}

pub async fn set_shell(
    store: &Store,
    scope: &Scope,
    id: UserId,
    shell: String,
    config: &AccountsConfig,
    now: OffsetDateTime,
) -> Result<(), AccountError> {
    let (scope, config) = (scope.clone(), config.clone());
    store
        .write(move |txn| {
            let user = authorize(txn, &scope, id)?;
            unix::set_shell(txn, scope.org, id, &shell, &config)?;
            audit(txn, &scope, now, "user.shell", user.username.as_str(), shell)
        })
        .await
}

pub async fn add_key(
    store: &Store,
    scope: &Scope,
    id: UserId,
    text: &str,
    config: &AccountsConfig,
    now: OffsetDateTime,
) -> Result<UserKey, AccountError> {
    let key = keys::parse(text)?;
    let (scope, config) = (scope.clone(), config.clone());
    store
        .write(move |txn| {
            let user = authorize(txn, &scope, id)?;
            let mut account = unix::ensure(txn, scope.org, id, &config)?;
            if account.keys.iter().any(|k| k.fingerprint == key.fingerprint) {
                return Err(AccountError::DuplicateKey(key.fingerprint));
            }
            if account.keys.len() >= keys::MAX_KEYS {
                return Err(AccountError::TooManyKeys(keys::MAX_KEYS));
            }
            account.keys.push(key.clone());
            unix::save(txn, scope.org, id, &account)?;
            audit(txn, &scope, now, "user.key_add", user.username.as_str(), key.fingerprint.clone())?;
            Ok(key)
        })
        .await
}

pub async fn remove_key(
    store: &Store,
    scope: &Scope,
    id: UserId,
    fingerprint: String,
    now: OffsetDateTime,
) -> Result<(), AccountError> {
    let scope = scope.clone();
    store
        .write(move |txn| {
            let user = authorize(txn, &scope, id)?;
            let missing = || AccountError::KeyNotFound(crate::users::sanitize_for_error(&fingerprint));
            let mut account = unix::get(txn, scope.org, id)?.ok_or_else(missing)?;
            let before = account.keys.len();
            account.keys.retain(|k| k.fingerprint != fingerprint);
            if account.keys.len() == before {
                return Err(missing());
            }
            unix::save(txn, scope.org, id, &account)?;
            audit(txn, &scope, now, "user.key_remove", user.username.as_str(), fingerprint)
        })
        .await
}

/// An access rule as listed: with the user's name.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RuleView {
    #[serde(flatten)]
    pub rule: AccessRule,
    pub username: String,
}

pub async fn list_rules(store: &Store, scope: &Scope) -> Result<Vec<RuleView>, AccountError> {
    scope.require(Role::Admin)?;
    let org = scope.org;
    store
        .read(move |txn| {
            let mut out = Vec::new();
            for rule in rules::list(txn, org)? {
                let username = crate::users::find(txn, org, rule.user_id)?
                    .map_or_else(|| format!("#{}", rule.user_id), |u| u.username.as_str().to_string());
                out.push(RuleView { rule, username });
            }
            Ok(out)
        })
        .await
}

/// Lets a user in where `new.target` says. Named hosts must be the organization's.
pub async fn grant(
    store: &Store,
    scope: &Scope,
    new: NewRule,
    config: &AccountsConfig,
    now: OffsetDateTime,
) -> Result<AccessRule, AccountError> {
    new.target.check()?;
    let config = config.clone();
    as_admin(store, scope, move |txn, scope| {
        let user = load_user(txn, scope.org, new.user_id)?;
        if let Target::Hosts { hosts } = &new.target {
            for id in hosts {
                crate::hosts::load(txn, scope.org, *id)?;
            }
        }
        unix::ensure(txn, scope.org, new.user_id, &config)?;
        if new.sudo {
            unix::ensure_sudo_gid(txn, &config)?;
        }
        let detail = format!("{}{}", new.target.describe(), if new.sudo { ", with sudo" } else { "" });
        let rule = rules::insert(txn, scope.org, new, now)?;
        audit(txn, scope, now, "access.grant", user.username.as_str(), format!("rule {}: {detail}", rule.id))?;
        Ok(rule)
    })
    .await
}

pub async fn revoke(store: &Store, scope: &Scope, id: u64, now: OffsetDateTime) -> Result<(), AccountError> {
    as_admin(store, scope, move |txn, scope| {
        let rule = rules::remove(txn, scope.org, id)?;
        let name = load_user(txn, scope.org, rule.user_id)
            .map_or_else(|_| format!("#{}", rule.user_id), |u| u.username.as_str().to_string());
        audit(txn, scope, now, "access.revoke", &name, format!("rule {id}: {}", rule.target.describe()))
    })
    .await
}

pub async fn list_groups(store: &Store, scope: &Scope) -> Result<Vec<UnixGroup>, AccountError> {
    scope.require(Role::Admin)?;
    let org = scope.org;
    store.read(move |txn| Ok(groups::list(txn, org)?)).await
}

pub async fn create_group(
    store: &Store,
    scope: &Scope,
    new: NewGroup,
    config: &AccountsConfig,
    now: OffsetDateTime,
) -> Result<UnixGroup, AccountError> {
    let config = config.clone();
    as_admin(store, scope, move |txn, scope| {
        let group = groups::create(txn, scope.org, new, &config, now)?;
        audit(txn, scope, now, "unix_group.create", &group.name, format!("gid {}", group.gid))?;
        Ok(group)
    })
    .await
}

pub async fn set_group_members(
    store: &Store,
    scope: &Scope,
    gid: u32,
    members: Vec<UserId>,
    config: &AccountsConfig,
    now: OffsetDateTime,
) -> Result<UnixGroup, AccountError> {
    let config = config.clone();
    as_admin(store, scope, move |txn, scope| {
        let group = groups::get(txn, scope.org, gid)?;
        let group = groups::set_members(txn, scope.org, group, members, &config)?;
        audit(txn, scope, now, "unix_group.update", &group.name, format!("{} members", group.members.len()))?;
        Ok(group)
    })
    .await
}

pub async fn delete_group(store: &Store, scope: &Scope, gid: u32, now: OffsetDateTime) -> Result<(), AccountError> {
    as_admin(store, scope, move |txn, scope| {
        let group = groups::delete(txn, scope.org, gid)?;
        audit(txn, scope, now, "unix_group.delete", &group.name, String::new())
    })
    .await
}
