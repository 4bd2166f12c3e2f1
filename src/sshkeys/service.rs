//! The key store's service functions: each takes the caller's [`Scope`], checks its role
//! (admins generate, import and delete; any member reads), and records changes in the
//! audit trail inside the write that makes them.

use redb::ReadableTable;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::material::{self, Material};
use super::{KeyAlgorithm, KeyName, KeySource, SSH_KEYS, SshKey, SshKeyError, check_comment};
use crate::audit::{self, Event, Outcome};
use crate::caller::{OrgId, Role, Scope};
use crate::seal::{SEALED, Sealer, SecretRef};
use crate::store::{Reads, Store, StoreError, get_json, next_id, put_json};

/// Where a key's private half is sealed.
fn secret(org: OrgId, id: u64) -> SecretRef {
    SecretRef::new("ssh_keys", format!("{}.{id}", org.0), "private")
}

fn target(key: &SshKey) -> String {
    format!("ssh key {} ({})", key.id, key.name.as_str())
}

/// Generates a key pair (admins). `comment` ends the `authorized_keys` line; the key's name
/// when `None` or empty.
pub async fn generate(
    store: &Store,
    sealer: &Sealer,
    scope: &Scope,
    name: &str,
    algorithm: KeyAlgorithm,
    comment: Option<&str>,
    now: OffsetDateTime,
) -> Result<SshKey, SshKeyError> {
    scope.require(Role::Admin)?;
    let name = KeyName::new(name)?;
    let mut comment = check_comment(comment.unwrap_or(""))?;
    if comment.is_empty() {
        comment = name.as_str().to_string();
    }
    // RSA-4096 searches primes for seconds: never on the executor.
    let material = crate::blocking::run(move || material::generate(algorithm, &comment)).await??;
    save(store, sealer, scope, name, material, KeySource::Generated, now).await
}

/// Imports a pasted private key (admins): OpenSSH format, encrypted with `passphrase` or
/// not, or RSA in PEM PKCS#1 or PKCS#8. It is stored decrypted, as OpenSSH PEM, sealed.
pub async fn import(
    store: &Store,
    sealer: &Sealer,
    scope: &Scope,
    name: &str,
    private_key: Zeroizing<String>,
    passphrase: Option<Zeroizing<String>>,
    now: OffsetDateTime,
) -> Result<SshKey, SshKeyError> {
    scope.require(Role::Admin)?;
    let name = KeyName::new(name)?;
    let label = name.as_str().to_string();
    // bcrypt-pbkdf is slow on purpose, and RSA keys are checked: the blocking pool.
    let material =
        crate::blocking::run(move || material::import(&private_key, passphrase.as_ref().map(|p| p.as_str()), &label))
            .await??;
    save(store, sealer, scope, name, material, KeySource::Imported, now).await
}

async fn save(
    store: &Store,
    sealer: &Sealer,
    scope: &Scope,
    name: KeyName,
    material: Material,
    source: KeySource,
    now: OffsetDateTime,
) -> Result<SshKey, SshKeyError> {
    let (scope, sealer) = (scope.clone(), sealer.clone());
    store
        .write(move |txn| {
            let key = SshKey {
                id: next_id(txn, "ssh_keys")?,
                name,
                algorithm: material.key_type,
                bits: material.bits,
                fingerprint: material.fingerprint,
                public_key: material.public_key,
                comment: material.comment,
                source,
                created_at: now,
                created_by: scope.actor.name.clone(),
            };
            put_json(&mut txn.open_table(SSH_KEYS)?, (scope.org.0, key.id), &key)?;
            sealer.put(txn, &secret(scope.org, key.id), material.private_pem.as_bytes())?;
            let action = match source {
                KeySource::Generated => "ssh_key.generate",
                KeySource::Imported => "ssh_key.import",
            };
            let detail = format!("{} {}", key.algorithm.as_str(), key.fingerprint);
            let event = Event::new(scope.org, scope.actor, action, target(&key), Outcome::Success).detail(detail);
            audit::append(txn, now, event)?;
            Ok(key)
        })
        .await
}

/// The organization's keys (any member).
pub async fn list(store: &Store, scope: &Scope) -> Result<Vec<SshKey>, SshKeyError> {
    scope.require(Role::Viewer)?;
    let org = scope.org;
    store
        .read(move |txn| {
            let table = txn.open_table(SSH_KEYS)?;
            let mut out = Vec::new();
            for row in table.range((org.0, 0)..=(org.0, u64::MAX))? {
                let (k, _) = row?;
                out.extend(get_json::<(u64, u64), SshKey>(&table, k.value())?);
            }
            Ok(out)
        })
        .await
}

/// One key (any member).
pub async fn get(store: &Store, scope: &Scope, id: u64) -> Result<SshKey, SshKeyError> {
    scope.require(Role::Viewer)?;
    let org = scope.org;
    store.read(move |txn| find(txn, org, id)?.ok_or(SshKeyError::NotFound(id))).await
}

/// The key's `authorized_keys` line with its newline, to download (any member).
pub async fn public_line(store: &Store, scope: &Scope, id: u64) -> Result<String, SshKeyError> {
    Ok(authorized_keys_line(&get(store, scope, id).await?))
}

/// The line a host's `authorized_keys` file takes, newline included.
pub(super) fn authorized_keys_line(key: &SshKey) -> String {
    format!("{}\n", key.public_key)
}

/// The hosts that log in with the key, as (id, name) (any member).
pub async fn hosts_using(store: &Store, scope: &Scope, id: u64) -> Result<Vec<(u64, String)>, SshKeyError> {
    scope.require(Role::Viewer)?;
    let org = scope.org;
    store
        .read(move |txn| {
            if !exists(txn, org, id)? {
                return Err(SshKeyError::NotFound(id));
            }
            Ok(crate::hosts::using_ssh_key(txn, org, id)?)
        })
        .await
}

/// Deletes a key and its sealed private half (admins), unless a host logs in with it:
/// checked in the same write, so no host can start using it meanwhile.
pub async fn delete(
    store: &Store,
    sealer: &Sealer,
    scope: &Scope,
    id: u64,
    now: OffsetDateTime,
) -> Result<(), SshKeyError> {
    scope.require(Role::Admin)?;
    let (scope, sealer) = (scope.clone(), sealer.clone());
    store
        .write(move |txn| {
            let key = find(txn, scope.org, id)?.ok_or(SshKeyError::NotFound(id))?;
            let hosts = crate::hosts::using_ssh_key(txn, scope.org, id)?;
            if !hosts.is_empty() {
                return Err(SshKeyError::InUse { id, hosts });
            }
            txn.open_table(SSH_KEYS)?.remove((scope.org.0, id))?;
            sealer.remove(txn, &secret(scope.org, id))?;
            let event = Event::new(scope.org, scope.actor, "ssh_key.delete", target(&key), Outcome::Success)
                .detail(format!("{} {}", key.algorithm.as_str(), key.fingerprint));
            audit::append(txn, now, event)?;
            Ok(())
        })
        .await
}

/// One key inside a transaction of the caller's, if it exists.
pub fn find(txn: &impl Reads, org: OrgId, id: u64) -> Result<Option<SshKey>, SshKeyError> {
    Ok(get_json(&txn.read_table(SSH_KEYS)?, (org.0, id))?)
}

/// Whether the organization has key `id`: what host creation checks, inside its write.
pub fn exists(txn: &impl Reads, org: OrgId, id: u64) -> Result<bool, SshKeyError> {
    Ok(txn.read_table(SSH_KEYS)?.get((org.0, id))?.is_some())
}

/// The key's private half as unencrypted OpenSSH PEM, for the poller to log in with
/// (`ssh2::Session::userauth_pubkey_memory`). Never show, log or store it elsewhere.
pub fn private_pem(txn: &impl Reads, sealer: &Sealer, org: OrgId, id: u64) -> Result<Zeroizing<String>, SshKeyError> {
    if !exists(txn, org, id)? {
        return Err(SshKeyError::NotFound(id));
    }
    let missing = || StoreError::Corrupt(format!("ssh key {id} of organization {} has no sealed private key", org.0));
    let bytes = sealer.get(&txn.read_table(SEALED)?, &secret(org, id))?.ok_or_else(missing)?;
    // `from_utf8` on a borrowed slice: its error would otherwise carry the bytes along.
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| StoreError::Corrupt(format!("ssh key {id} of organization {}: private key is not text", org.0)))?;
    Ok(Zeroizing::new(text.to_string()))
}
