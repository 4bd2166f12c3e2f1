//! Account service functions. Each takes the caller's [`Scope`]; records are keyed by
//! (organization, id), so a lookup outside the scope's organization finds nothing.

use std::path::{Path, PathBuf};

use redb::{ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction};
use time::OffsetDateTime;

use super::password::{self, Hasher};
use super::{DisplayName, Email, Password, User, UserError, UserView, Username};
use crate::audit::{self, Event, Outcome};
use crate::caller::{OrgId, Role, Scope, UserId};
use crate::store::{Reads, Store, StoreError, get_json, next_id, put_json};

const USERS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("users");
const USERS_BY_NAME: TableDefinition<&str, (u64, u64)> = TableDefinition::new("users_by_name");
const USERS_BY_EMAIL: TableDefinition<&str, (u64, u64)> = TableDefinition::new("users_by_email");

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(USERS)?;
    txn.open_table(USERS_BY_NAME)?;
    txn.open_table(USERS_BY_EMAIL)?;
    Ok(())
}

/// A validated request for a new account (the API's `NewUserRequest` and the CLI build it).
#[derive(Debug)]
pub struct NewUser {
    pub username: Username,
    pub email: Option<Email>,
    pub display_name: DisplayName,
    pub role: Role,
    /// Initial password; checked against the policy when the account is created.
    pub password: String,
    pub must_change_password: bool,
}

/// Validated changes to an account; absent fields stay as they are.
#[derive(Debug, Default)]
pub struct UserPatch {
    /// `Some(None)` removes the address.
    pub email: Option<Option<Email>>,
    pub display_name: Option<DisplayName>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// Reads a user inside any transaction.
pub fn load(
    table: &impl ReadableTable<(u64, u64), &'static [u8]>,
    org: OrgId,
    id: UserId,
) -> Result<Option<User>, StoreError> {
    get_json::<(u64, u64), User>(table, (org.0, id.0))
}

/// Reads a user in either kind of transaction.
pub fn find(txn: &impl Reads, org: OrgId, id: UserId) -> Result<Option<User>, StoreError> {
    load(&txn.read_table(USERS)?, org, id)
}

/// Every user of an organization.
pub fn all_in(txn: &impl Reads, org: OrgId) -> Result<Vec<User>, StoreError> {
    let table = txn.read_table(USERS)?;
    let mut out = Vec::new();
    for row in table.range((org.0, 0)..=(org.0, u64::MAX))? {
        let (k, v) = row?;
        let user: User =
            serde_json::from_slice(v.value()).map_err(|e| StoreError::Corrupt(format!("user {:?}: {e}", k.value())))?;
        out.push(user);
    }
    Ok(out)
}

/// Reads a user by key in a read transaction (the auth extractor's lookup).
pub fn load_in(txn: &redb::ReadTransaction, org: OrgId, id: UserId) -> Result<Option<User>, StoreError> {
    load(&txn.open_table(USERS)?, org, id)
}

pub(crate) fn save(txn: &WriteTransaction, user: &User) -> Result<(), StoreError> {
    put_json(&mut txn.open_table(USERS)?, (user.org.0, user.id.0), user)
}

pub(crate) fn load_for_update(txn: &WriteTransaction, org: OrgId, id: UserId) -> Result<Option<User>, StoreError> {
    load(&txn.open_table(USERS)?, org, id)
}

/// The account a login name (username or email) refers to, in any organization.
pub fn find_for_login(txn: &redb::ReadTransaction, name: &str) -> Result<Option<User>, StoreError> {
    let name = name.trim().to_lowercase();
    let index = if name.contains('@') { USERS_BY_EMAIL } else { USERS_BY_NAME };
    let Some(key) = txn.open_table(index)?.get(name.as_str())?.map(|v| v.value()) else {
        return Ok(None);
    };
    load(&txn.open_table(USERS)?, OrgId(key.0), UserId(key.1))
}

/// Whether a user anywhere has this username (Unix group names must not take it).
pub fn name_taken(txn: &WriteTransaction, name: &str) -> Result<bool, StoreError> {
    Ok(txn.open_table(USERS_BY_NAME)?.get(name)?.is_some())
}

fn insert(txn: &WriteTransaction, user: &User) -> Result<(), UserError> {
    // Every user is also a Unix group of their name on hosts.
    if super::cascade::name_taken(txn, user.username.as_str())? {
        return Err(UserError::UsernameTaken(user.username.as_str().into()));
    }
    let mut by_name = txn.open_table(USERS_BY_NAME)?;
    if by_name.get(user.username.as_str())?.is_some() {
        return Err(UserError::UsernameTaken(user.username.as_str().into()));
    }
    by_name.insert(user.username.as_str(), (user.org.0, user.id.0))?;
    if let Some(email) = &user.email {
        claim_email(txn, email, user)?;
    }
    save(txn, user)?;
    Ok(())
}

fn claim_email(txn: &WriteTransaction, email: &Email, user: &User) -> Result<(), UserError> {
    let mut by_email = txn.open_table(USERS_BY_EMAIL)?;
    let owner = by_email.get(email.as_str())?.map(|v| v.value());
    if owner.is_some_and(|o| o != (user.org.0, user.id.0)) {
        return Err(UserError::EmailTaken(email.as_str().into()));
    }
    by_email.insert(email.as_str(), (user.org.0, user.id.0))?;
    Ok(())
}

/// Whether `scope` may manage `target`: admins manage their organization, but only a
/// superadmin manages superadmins.
fn check_manage(scope: &Scope, target_role: Role) -> Result<(), UserError> {
    scope.require(Role::Admin)?;
    if target_role == Role::Superadmin && !scope.is_superadmin() {
        return Err(UserError::Superadmin);
    }
    Ok(())
}

pub async fn create(
    store: &Store,
    scope: &Scope,
    new: NewUser,
    hasher: &Hasher,
    now: OffsetDateTime,
) -> Result<UserView, UserError> {
    check_manage(scope, new.role)?;
    let password = Password::new(&new.password, new.username.as_str())?;
    let hash = hasher.hash(&password).await?;
    let (org, actor) = (scope.org, scope.actor.clone());
    store
        .write(move |txn| {
            let user = User {
                id: UserId(next_id(txn, "users")?),
                org,
                username: new.username,
                email: new.email,
                display_name: String::from(new.display_name),
                role: new.role,
                password_hash: hash,
                must_change_password: new.must_change_password,
                disabled: false,
                failed_logins: Vec::new(),
                locked_until: None,
                created_at: now,
                updated_at: now,
                password_changed_at: now,
                last_login_at: None,
            };
            insert(txn, &user)?;
            let event = Event::new(org, actor, "user.create", user.username.as_str(), Outcome::Success)
                .detail(format!("role {}", user.role.as_str()));
            audit::append(txn, now, event)?;
            Ok(user.view(now))
        })
        .await
}

pub async fn list(store: &Store, scope: &Scope, now: OffsetDateTime) -> Result<Vec<UserView>, UserError> {
    scope.require(Role::Admin)?;
    let org = scope.org.0;
    store
        .read(move |txn| {
            let table = txn.open_table(USERS)?;
            let mut out = Vec::new();
            for row in table.range((org, 0)..=(org, u64::MAX))? {
                let (k, _) = row?;
                out.extend(get_json::<(u64, u64), User>(&table, k.value())?.map(|u| u.view(now)));
            }
            Ok(out)
        })
        .await
}

/// A user of the scope's organization: admins see anyone there, others only themselves.
pub async fn get(store: &Store, scope: &Scope, id: UserId, now: OffsetDateTime) -> Result<UserView, UserError> {
    if scope.actor.user_id != Some(id.0) {
        scope.require(Role::Admin)?;
    }
    let org = scope.org;
    store
        .read(move |txn| {
            let user = load(&txn.open_table(USERS)?, org, id)?.ok_or(UserError::NotFound(id.to_string()))?;
            Ok(user.view(now))
        })
        .await
}

/// Loads, checks the caller may manage, applies `change`, saves and audits, in one transaction.
async fn modify<F>(
    store: &Store,
    scope: &Scope,
    id: UserId,
    action: &'static str,
    now: OffsetDateTime,
    change: F,
) -> Result<UserView, UserError>
where
    F: FnOnce(&WriteTransaction, &mut User) -> Result<String, UserError> + Send + 'static,
{
    scope.require(Role::Admin)?;
    let scope = scope.clone();
    store
        .write(move |txn| {
            let mut user = load_for_update(txn, scope.org, id)?.ok_or(UserError::NotFound(id.to_string()))?;
            check_manage(&scope, user.role)?;
            let detail = change(txn, &mut user)?;
            user.updated_at = now;
            save(txn, &user)?;
            let event = Event::new(scope.org, scope.actor.clone(), action, user.username.as_str(), Outcome::Success);
            audit::append(txn, now, if detail.is_empty() { event } else { event.detail(detail) })?;
            Ok(user.view(now))
        })
        .await
}

pub async fn update(
    store: &Store,
    scope: &Scope,
    id: UserId,
    patch: UserPatch,
    now: OffsetDateTime,
) -> Result<UserView, UserError> {
    let is_self = scope.actor.user_id == Some(id.0);
    if is_self && (patch.role.is_some() || patch.disabled == Some(true)) {
        return Err(UserError::SelfChange("change the role of or disable"));
    }
    if let Some(role) = patch.role {
        check_manage(scope, role)?;
    }
    modify(store, scope, id, "user.update", now, move |txn, user| {
        let mut changes = Vec::new();
        if let Some(email) = patch.email {
            if let Some(old) = user.email.take() {
                txn.open_table(USERS_BY_EMAIL)?.remove(old.as_str())?;
            }
            if let Some(e) = &email {
                claim_email(txn, e, user)?;
            }
            user.email = email;
            changes.push("email".to_string());
        }
        if let Some(name) = patch.display_name {
            user.display_name = name.into();
            changes.push("display name".into());
        }
        if let Some(role) = patch.role.filter(|r| *r != user.role) {
            changes.push(format!("role {} -> {}", user.role.as_str(), role.as_str()));
            user.role = role;
        }
        if let Some(disabled) = patch.disabled.filter(|d| *d != user.disabled) {
            user.disabled = disabled;
            changes.push(if disabled { "disabled".into() } else { "enabled".into() });
            if disabled {
                super::cascade::access_changed(txn, user.org, user.id, None)?;
            }
        }
        Ok(changes.join(", "))
    })
    .await
}

/// An admin sets someone's password; they must change it at next login, and their
/// sessions end.
pub async fn reset_password(
    store: &Store,
    scope: &Scope,
    id: UserId,
    new: &str,
    hasher: &Hasher,
    now: OffsetDateTime,
) -> Result<UserView, UserError> {
    scope.require(Role::Admin)?;
    let username = get(store, scope, id, now).await?.username;
    let password = Password::new(new, &username)?;
    let hash = hasher.hash(&password).await?;
    modify(store, scope, id, "user.password_reset", now, move |txn, user| {
        user.password_hash = hash;
        user.must_change_password = true;
        user.password_changed_at = now;
        super::cascade::access_changed(txn, user.org, user.id, None)?;
        Ok(String::new())
    })
    .await
}

pub async fn unlock(store: &Store, scope: &Scope, id: UserId, now: OffsetDateTime) -> Result<UserView, UserError> {
    modify(store, scope, id, "user.unlock", now, |_, user| {
        user.locked_until = None;
        user.failed_logins.clear();
        Ok(String::new())
    })
    .await
}

pub async fn delete(store: &Store, scope: &Scope, id: UserId, now: OffsetDateTime) -> Result<(), UserError> {
    if scope.actor.user_id == Some(id.0) {
        return Err(UserError::SelfChange("delete"));
    }
    scope.require(Role::Admin)?;
    let scope = scope.clone();
    store
        .write(move |txn| {
            let user = load_for_update(txn, scope.org, id)?.ok_or(UserError::NotFound(id.to_string()))?;
            check_manage(&scope, user.role)?;
            txn.open_table(USERS)?.remove((user.org.0, user.id.0))?;
            txn.open_table(USERS_BY_NAME)?.remove(user.username.as_str())?;
            if let Some(e) = &user.email {
                txn.open_table(USERS_BY_EMAIL)?.remove(e.as_str())?;
            }
            super::cascade::deleted(txn, user.org, user.id)?;
            audit::append(
                txn,
                now,
                Event::new(scope.org, scope.actor, "user.delete", user.username.as_str(), Outcome::Success),
            )?;
            Ok(())
        })
        .await
}

/// A user's own password change: the current password proves it is them; `keep` (the
/// session making the change) survives while their other sessions end.
pub struct OwnPasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    pub keep: Option<[u8; 32]>,
}

pub async fn set_own_password(
    store: &Store,
    scope: &Scope,
    id: UserId,
    change: OwnPasswordChange<'_>,
    hasher: &Hasher,
    now: OffsetDateTime,
) -> Result<(), UserError> {
    let org = scope.org;
    let user = store
        .read(move |txn| load(&txn.open_table(USERS)?, org, id)?.ok_or(UserError::NotFound(id.to_string())))
        .await?;
    if !hasher.verify(change.current, user.password_hash.clone()).await? {
        return Err(UserError::WrongPassword);
    }
    replace_password(store, scope, &user, change, hasher, now).await
}

/// Stores a user's new password once the caller has checked `change.current` (the web UI,
/// or a host's PAM hook): policy, bcrypt, sessions but `keep` ended, audited.
pub async fn replace_password(
    store: &Store,
    scope: &Scope,
    user: &User,
    change: OwnPasswordChange<'_>,
    hasher: &Hasher,
    now: OffsetDateTime,
) -> Result<(), UserError> {
    let OwnPasswordChange { current, new, keep } = change;
    let password = Password::new(new, user.username.as_str())?;
    if new == current {
        return Err(UserError::PasswordReused);
    }
    let hash = hasher.hash(&password).await?;
    let (org, id, actor) = (user.org, user.id, scope.actor.clone());
    store
        .write(move |txn| {
            let mut user = load_for_update(txn, org, id)?.ok_or(UserError::NotFound(id.to_string()))?;
            user.password_hash = hash;
            user.must_change_password = false;
            user.password_changed_at = now;
            user.updated_at = now;
            user.failed_logins.clear();
            save(txn, &user)?;
            super::cascade::access_changed(txn, user.org, user.id, keep)?;
            audit::append(
                txn,
                now,
                Event::new(org, actor, "user.password_change", user.username.as_str(), Outcome::Success),
            )?;
            Ok(())
        })
        .await
}

/// On an empty store, creates `admin` (superadmin, must change password). The password is
/// the configured one, or random and written to `<data>/initial-admin-password` (0600).
/// Returns the file written, if any.
pub async fn bootstrap_admin(
    store: &Store,
    org: OrgId,
    configured: &str,
    hasher: &Hasher,
    now: OffsetDateTime,
    data_dir: &Path,
) -> Result<Option<PathBuf>, UserError> {
    let empty = store.read(|txn| Ok::<_, UserError>(txn.open_table(USERS)?.is_empty()?)).await?;
    if !empty {
        return Ok(None);
    }
    let (secret, file) = if configured.is_empty() {
        (password::generate(24)?, Some(data_dir.join(INITIAL_PASSWORD_FILE)))
    } else {
        (zeroize::Zeroizing::new(configured.to_string()), None)
    };
    let password = Password::new(&secret, "admin")?;
    if let Some(path) = file.clone() {
        let bytes = zeroize::Zeroizing::new(secret.as_bytes().to_vec());
        let shown = path.display().to_string();
        crate::blocking::run(move || write_secret_file(&path, &bytes))
            .await
            .map_err(|e| UserError::Hash(format!("writing {shown}: {e}")))?
            .map_err(|e| UserError::Hash(format!("writing {shown}: {e}")))?;
    }
    let new = NewUser {
        username: Username::admin(),
        email: None,
        display_name: DisplayName::default(),
        role: Role::Superadmin,
        password: password.expose().to_string(),
        must_change_password: true,
    };
    create(store, &Scope::system(org), new, hasher, now).await?;
    Ok(file)
}

pub const INITIAL_PASSWORD_FILE: &str = "initial-admin-password";

fn write_secret_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(bytes)?;
    f.write_all(b"\n")?;
    f.sync_all()
}
