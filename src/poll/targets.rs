//! SSH hosts as admins describe them: create, change, re-pin, and the credentials the
//! poller opens just before it logs in. Every change is audited in its transaction; the
//! password is sealed under the master key and never leaves this module in a response.

use redb::WriteTransaction;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use zeroize::Zeroizing;

use super::SshError;
use super::conn::Credential;
use super::fields::{Address, Fingerprint, HostName, Interval, Login, Port, SshPassword, Tags};
use crate::audit::{self, Event, Outcome};
use crate::caller::{Actor, OrgId, Role, Scope};
use crate::hosts::ssh::password_ref;
use crate::hosts::{self, Host, HostKind, HostState, PinnedKey, SeenKey, SshAuth, SshSettings};
use crate::seal::{SEALED, Sealer};
use crate::store::{Reads, Store, next_id};

/// A new SSH host (`POST /api/v1/hosts` with `"kind": "ssh"`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSshHost {
    /// Always `ssh`: the only kind an admin creates by hand.
    pub kind: HostKind,
    /// Default: the address.
    pub name: Option<HostName>,
    pub address: Address,
    #[serde(default = "default_port")]
    pub port: Port,
    pub username: Login,
    /// Log in with this password (sealed at rest, never returned) ...
    pub password: Option<SshPassword>,
    /// ... or with this key of the organization's key store.
    pub key_id: Option<u64>,
    #[serde(default)]
    pub tags: Tags,
    #[serde(default = "default_interval")]
    pub interval_s: Interval,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The server's expected host key fingerprint; without it the first connection pins
    /// whatever key the server presents (trust on first use).
    pub host_key_fingerprint: Option<Fingerprint>,
}

fn default_port() -> Port {
    Port::SSH
}
fn default_interval() -> Interval {
    Interval::DEFAULT
}
fn yes() -> bool {
    true
}

/// Changes to an SSH host (`PATCH /api/v1/hosts/{id}`); absent fields stay as they are.
/// Changing the address or port forgets the pinned host key (another machine answers).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SshHostPatch {
    pub name: Option<HostName>,
    pub address: Option<Address>,
    pub port: Option<Port>,
    pub username: Option<Login>,
    /// Switches to password authentication with this password.
    pub password: Option<SshPassword>,
    /// Switches to key authentication with this key.
    pub key_id: Option<u64>,
    pub tags: Option<Tags>,
    pub interval_s: Option<Interval>,
    pub enabled: Option<bool>,
}

/// How a new host or a patch authenticates: exactly one of password and key.
pub(super) fn auth_of(password: Option<&SshPassword>, key_id: Option<u64>) -> Result<Option<SshAuth>, SshError> {
    match (password, key_id) {
        (Some(_), Some(_)) => Err(SshError::invalid("password", "and key_id exclude each other; give one")),
        (Some(_), None) => Ok(Some(SshAuth::Password)),
        (None, Some(key_id)) => Ok(Some(SshAuth::Key { key_id })),
        (None, None) => Ok(None),
    }
}

fn check_key(txn: &impl Reads, org: OrgId, auth: SshAuth) -> Result<(), SshError> {
    if let SshAuth::Key { key_id } = auth
        && !crate::sshkeys::exists(txn, org, key_id)?
    {
        return Err(SshError::KeyNotFound(key_id));
    }
    Ok(())
}

/// Creates an SSH host (admins). Blocking work runs on the store's threads.
pub async fn create(
    store: &Store,
    sealer: &Sealer,
    scope: &Scope,
    new: NewSshHost,
    now: OffsetDateTime,
) -> Result<Host, SshError> {
    scope.require(Role::Admin)?;
    if new.kind != HostKind::Ssh {
        return Err(SshError::invalid("kind", "must be \"ssh\": other hosts register themselves"));
    }
    let auth = auth_of(new.password.as_ref(), new.key_id)?
        .ok_or_else(|| SshError::invalid("password", "or key_id is required"))?;
    let (scope, sealer) = (scope.clone(), sealer.clone());
    store
        .write(move |txn| {
            check_key(txn, scope.org, auth)?;
            let id = next_id(txn, "hosts")?;
            let pin = new.host_key_fingerprint.map(|f| PinnedKey::admin(f, now));
            let settings = SshSettings {
                address: new.address.as_str().to_string(),
                port: new.port.get(),
                username: new.username.into(),
                auth,
                enabled: new.enabled,
                host_key: pin,
            };
            let host = Host {
                id,
                org: scope.org,
                name: new.name.map_or_else(|| settings.address.clone(), String::from),
                kind: HostKind::Ssh,
                state: HostState::Approved,
                fingerprint: format!("ssh:{id}"),
                os: String::new(),
                tags: new.tags.into(),
                interval_s: new.interval_s.get(),
                facts: None,
                ingest_key: None,
                ssh: Some(settings),
                created_at: now,
            };
            hosts::insert(txn, &host)?;
            if let Some(p) = &new.password {
                sealer.put(txn, &password_ref(scope.org, id), p.expose().as_bytes())?;
            }
            let event = Event::new(scope.org, scope.actor.clone(), "host.ssh_create", target(&host), Outcome::Success)
                .detail(describe(&host));
            audit::append(txn, now, event)?;
            Ok(host)
        })
        .await
}

fn target(host: &Host) -> String {
    format!("host {} ({})", host.id, host.name)
}

/// `user@address:port, auth`, for the audit trail (never a secret).
fn describe(host: &Host) -> String {
    let Some(s) = &host.ssh else { return String::new() };
    let auth = match s.auth {
        SshAuth::Password => "password".to_string(),
        SshAuth::Key { key_id } => format!("key {key_id}"),
    };
    format!("{}@{}:{}, {auth}", s.username, s.address, s.port)
}

/// An SSH host of the organization, or why not.
fn ssh_host(txn: &impl Reads, org: OrgId, id: u64) -> Result<(Host, SshSettings), SshError> {
    let host = hosts::load(txn, org, id)?;
    match host.ssh.clone() {
        Some(s) if host.kind == HostKind::Ssh => Ok((host, s)),
        _ => Err(SshError::NotSsh(id)),
    }
}

/// Applies a patch (admins); returns the host as stored.
pub async fn update(
    store: &Store,
    sealer: &Sealer,
    scope: &Scope,
    id: u64,
    patch: SshHostPatch,
    now: OffsetDateTime,
) -> Result<Host, SshError> {
    scope.require(Role::Admin)?;
    let new_auth = auth_of(patch.password.as_ref(), patch.key_id)?;
    let (scope, sealer) = (scope.clone(), sealer.clone());
    store
        .write(move |txn| {
            let host = hosts::load(txn, scope.org, id)?;
            if host.kind != HostKind::Ssh {
                return relabel(txn, &scope, host, patch, now);
            }
            let (mut host, mut s) = ssh_host(txn, scope.org, id)?;
            let mut changed: Vec<&str> = Vec::new();
            let moved = patch.address.as_ref().is_some_and(|a| a.as_str() != s.address)
                || patch.port.is_some_and(|p| p.get() != s.port);
            if let Some(a) = patch.address {
                s.address = a.as_str().to_string();
                changed.push("address");
            }
            if let Some(p) = patch.port {
                s.port = p.get();
                changed.push("port");
            }
            if moved && s.host_key.take().is_some() {
                changed.push("host key pin cleared");
            }
            if let Some(u) = patch.username {
                s.username = u.into();
                changed.push("username");
            }
            if let Some(auth) = new_auth {
                check_key(txn, scope.org, auth)?;
                match &patch.password {
                    Some(p) => sealer.put(txn, &password_ref(scope.org, id), p.expose().as_bytes())?,
                    None => crate::seal::remove(txn, &password_ref(scope.org, id))?,
                }
                s.auth = auth;
                changed.push("authentication");
            }
            if let Some(e) = patch.enabled {
                s.enabled = e;
                changed.push(if e { "enabled" } else { "disabled" });
            }
            if let Some(n) = patch.name {
                host.name = n.into();
                changed.push("name");
            }
            if let Some(t) = patch.tags {
                host.tags = t.into();
                changed.push("tags");
            }
            if let Some(i) = patch.interval_s {
                host.interval_s = i.get();
                changed.push("interval");
            }
            host.ssh = Some(s);
            hosts::save(txn, &host)?;
            let detail = format!("{}; {}", changed.join(", "), describe(&host));
            let event = Event::new(scope.org, scope.actor.clone(), "host.ssh_update", target(&host), Outcome::Success);
            audit::append(txn, now, event.detail(detail))?;
            Ok(host)
        })
        .await
}

/// A patch of a host that is not polled over SSH (the appliance's own, an agent): only its
/// name and tags are the admin's to change; a connection field is refused as before.
fn relabel(
    txn: &WriteTransaction,
    scope: &Scope,
    mut host: Host,
    patch: SshHostPatch,
    now: OffsetDateTime,
) -> Result<Host, SshError> {
    let SshHostPatch { name, tags, address, port, username, password, key_id, interval_s, enabled } = patch;
    let connection = address.is_some() || port.is_some() || username.is_some() || password.is_some();
    if connection || key_id.is_some() || interval_s.is_some() || enabled.is_some() {
        return Err(SshError::NotSsh(host.id));
    }
    let mut changed = Vec::new();
    if let Some(n) = name {
        host.name = n.into();
        changed.push("name");
    }
    if let Some(t) = tags {
        host.tags = t.into();
        changed.push("tags");
    }
    hosts::save(txn, &host)?;
    let detail = format!("{}; tags {}", changed.join(", "), host.tags.join(" "));
    let event = Event::new(scope.org, scope.actor.clone(), "host.update", target(&host), Outcome::Success);
    audit::append(txn, now, event.detail(detail))?;
    Ok(host)
}

/// Sets the host key an admin expects, or with `None` forgets the pin so the next
/// connection pins what it finds. Either way a `host_key_changed` host is polled again.
pub async fn repin(
    store: &Store,
    scope: &Scope,
    id: u64,
    fingerprint: Option<Fingerprint>,
    now: OffsetDateTime,
) -> Result<Host, SshError> {
    scope.require(Role::Admin)?;
    let scope = scope.clone();
    store
        .write(move |txn| {
            let (mut host, mut s) = ssh_host(txn, scope.org, id)?;
            let old = s.host_key.as_ref().map_or_else(|| "none".to_string(), |p| p.fingerprint.clone());
            s.host_key = fingerprint.map(|f| PinnedKey::admin(f, now));
            let new = s.host_key.as_ref().map_or_else(|| "next connection".to_string(), |p| p.fingerprint.clone());
            host.ssh = Some(s);
            hosts::save(txn, &host)?;
            let event = Event::new(scope.org, scope.actor.clone(), "host.ssh_repin", target(&host), Outcome::Success);
            audit::append(txn, now, event.detail(format!("{old} -> {new}")))?;
            Ok(host)
        })
        .await
}

/// Records the key a first successful connection saw (trust on first use), unless an
/// admin pinned one meanwhile. Blocking. Returns the pin now in force.
pub fn pin_first_use(
    txn: &WriteTransaction,
    org: OrgId,
    id: u64,
    seen: &SeenKey,
    now: OffsetDateTime,
) -> Result<Option<PinnedKey>, SshError> {
    let (mut host, mut s) = ssh_host(txn, org, id)?;
    if let Some(pin) = &s.host_key {
        return Ok(Some(pin.clone()));
    }
    let pin = PinnedKey::first_use(seen, now);
    s.host_key = Some(pin.clone());
    host.ssh = Some(s);
    hosts::save(txn, &host)?;
    let detail = format!("{} {}", seen.algorithm, seen.fingerprint);
    audit::append(
        txn,
        now,
        Event::new(org, Actor::system(), "host.ssh_pin", target(&host), Outcome::Success).detail(detail),
    )?;
    Ok(Some(pin))
}

/// Audits a host key that no longer matches its pin (once per change, by the poller).
pub fn audit_key_changed(
    txn: &WriteTransaction,
    host: &Host,
    e: &super::PollError,
    now: OffsetDateTime,
) -> Result<(), SshError> {
    let event = Event::new(host.org, Actor::system(), "host.ssh_host_key_changed", target(host), Outcome::Failure);
    audit::append(txn, now, event.detail(e.to_string()))?;
    Ok(())
}

/// The secret to log in with, opened from the seal. Blocking.
pub fn credential(txn: &impl Reads, sealer: &Sealer, host: &Host, auth: SshAuth) -> Result<Credential, SshError> {
    match auth {
        SshAuth::Password => {
            let sealed = txn.read_table(SEALED)?;
            let bytes = sealer.get(&sealed, &password_ref(host.org, host.id))?.ok_or(SshError::NoPassword(host.id))?;
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| SshError::NoPassword(host.id))?;
            Ok(Credential::Password(Zeroizing::new(text)))
        }
        SshAuth::Key { key_id } => Ok(Credential::Key(crate::sshkeys::private_pem(txn, sealer, host.org, key_id)?)),
    }
}
