//! Host records: registration by fingerprint, facts, listing and deletion.

use redb::{ReadTransaction, ReadableTable, WriteTransaction};
use time::OffsetDateTime;

use super::{BY_FINGERPRINT, HOSTS, Host, HostError, HostKind, HostState};
use crate::audit::{self, Event, Outcome};
use crate::caller::{Actor, OrgId, Role, Scope};
use crate::collect::Facts;
use crate::store::{Reads, Store, StoreError, get_json, next_id, put_json};

/// How a machine introduces itself when it pushes, checked at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    pub hostname: String,
    pub os: String,
    pub fingerprint: String,
}

impl Machine {
    pub fn new(hostname: &str, os: &str, fingerprint: &str) -> Result<Self, HostError> {
        let text = |field: &str, v: &str, max: usize, required: bool| {
            let v = v.trim();
            if (required && v.is_empty()) || v.chars().count() > max || v.chars().any(char::is_control) {
                return Err(HostError::InvalidMachine(format!(
                    "{field} must be {}at most {max} printable characters",
                    if required { "1 to " } else { "" }
                )));
            }
            Ok(v.to_string())
        };
        Ok(Self {
            hostname: text("machine.hostname", hostname, 253, true)?,
            os: text("machine.os", os, 128, false)?,
            fingerprint: text("machine.fingerprint", fingerprint, 128, true)?,
        })
    }
}

/// How a host came to be, for [`register`].
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    pub kind: HostKind,
    pub ingest_key: Option<u64>,
    pub interval_s: u32,
    /// The state a new host starts in.
    pub state: HostState,
}

/// The host a machine already is in an organization, by fingerprint.
pub fn find(txn: &impl Reads, org: OrgId, fingerprint: &str) -> Result<Option<Host>, HostError> {
    let Some(id) = txn.read_table(BY_FINGERPRINT)?.get((org.0, fingerprint))?.map(|v| v.value()) else {
        return Ok(None);
    };
    Ok(get_json(&txn.read_table(HOSTS)?, (org.0, id))?)
}

/// One host inside a read transaction (the ingest hot path reads token, host and key in one).
pub fn get_in(txn: &ReadTransaction, org: OrgId, id: u64) -> Result<Option<Host>, HostError> {
    Ok(get_json(&txn.open_table(HOSTS)?, (org.0, id))?)
}

/// Takes the machine's hostname and OS into a host it is known as, writing only when
/// either changed.
pub fn refresh_machine(txn: &WriteTransaction, host: &mut Host, machine: &Machine) -> Result<(), HostError> {
    if renamed(host, machine) {
        put_json(&mut txn.open_table(HOSTS)?, (host.org.0, host.id), host)?;
    }
    Ok(())
}

/// Whether the machine reports another hostname or OS than its host has (an empty OS
/// keeps the known one).
pub fn machine_changed(host: &Host, machine: &Machine) -> bool {
    host.name != machine.hostname || (!machine.os.is_empty() && host.os != machine.os)
}

/// Takes the machine's hostname and OS; whether either changed.
fn renamed(host: &mut Host, machine: &Machine) -> bool {
    if !machine_changed(host, machine) {
        return false;
    }
    host.name.clone_from(&machine.hostname);
    if !machine.os.is_empty() {
        host.os.clone_from(&machine.os);
    }
    true
}

/// Finds the host a machine is, or registers it. Returns the host and whether it is new.
pub fn register(
    txn: &WriteTransaction,
    org: OrgId,
    machine: &Machine,
    origin: Origin,
    now: OffsetDateTime,
    actor: Actor,
) -> Result<(Host, bool), HostError> {
    let mut hosts = txn.open_table(HOSTS)?;
    let mut by_fp = txn.open_table(BY_FINGERPRINT)?;
    let found = by_fp.get((org.0, machine.fingerprint.as_str()))?.map(|v| v.value());
    if let Some(id) = found {
        let mut host: Host = get_json(&hosts, (org.0, id))?.ok_or(HostError::NotFound(id))?;
        if renamed(&mut host, machine) {
            put_json(&mut hosts, (org.0, id), &host)?;
        }
        return Ok((host, false));
    }
    let host = Host {
        id: next_id(txn, "hosts")?,
        org,
        name: machine.hostname.clone(),
        kind: origin.kind,
        // The appliance's own machine needs no one's approval.
        state: if origin.kind == HostKind::Local { HostState::Approved } else { origin.state },
        fingerprint: machine.fingerprint.clone(),
        os: machine.os.clone(),
        tags: Vec::new(),
        interval_s: origin.interval_s,
        facts: None,
        ingest_key: origin.ingest_key,
        ssh: None,
        created_at: now,
    };
    put_json(&mut hosts, (org.0, host.id), &host)?;
    by_fp.insert((org.0, host.fingerprint.as_str()), host.id)?;
    let target = format!("host {} ({})", host.id, host.name);
    let event = Event::new(org, actor, "host.register", target, Outcome::Success).detail(host.state.as_str());
    audit::append(txn, now, event)?;
    Ok((host, true))
}

/// One host inside any transaction; `NotFound` when absent.
pub fn load(txn: &impl Reads, org: OrgId, id: u64) -> Result<Host, HostError> {
    get_json(&txn.read_table(HOSTS)?, (org.0, id))?.ok_or(HostError::NotFound(id))
}

/// Stores a host an admin described (an SSH host), indexed by its fingerprint. The caller
/// took its id from `next_id(txn, "hosts")` and audits the creation.
pub fn insert(txn: &WriteTransaction, host: &Host) -> Result<(), HostError> {
    let mut by_fp = txn.open_table(BY_FINGERPRINT)?;
    if by_fp.get((host.org.0, host.fingerprint.as_str()))?.is_some() {
        return Err(HostError::InvalidMachine(format!("fingerprint {} is taken", host.fingerprint)));
    }
    by_fp.insert((host.org.0, host.fingerprint.as_str()), host.id)?;
    put_json(&mut txn.open_table(HOSTS)?, (host.org.0, host.id), host)?;
    Ok(())
}

/// Writes back a host read with [`load`]; its fingerprint must not have changed.
pub fn save(txn: &WriteTransaction, host: &Host) -> Result<(), HostError> {
    put_json(&mut txn.open_table(HOSTS)?, (host.org.0, host.id), host)?;
    Ok(())
}

/// Registers the appliance's own machine (once) and refreshes its facts. Blocking.
pub fn ensure_local(
    store: &Store,
    org: OrgId,
    facts: Facts,
    interval_s: u32,
    now: OffsetDateTime,
) -> Result<Host, HostError> {
    let fingerprint = format!("local:{}", machine_id().unwrap_or_else(|| facts.hostname.clone()));
    let machine = Machine::new(&facts.hostname, &facts.os, &fingerprint)?;
    store.write_sync(|txn| {
        let origin = Origin { kind: HostKind::Local, ingest_key: None, interval_s, state: HostState::Approved };
        let (mut host, _) = register(txn, org, &machine, origin, now, Actor::system())?;
        host.facts = Some(facts);
        host.interval_s = interval_s;
        host.state = HostState::Approved;
        put_json(&mut txn.open_table(HOSTS)?, (org.0, host.id), &host)?;
        Ok(host)
    })
}

fn machine_id() -> Option<String> {
    let id = std::fs::read_to_string("/etc/machine-id").ok()?;
    let id = id.trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// Stores a host's facts when they changed.
pub async fn update_facts(store: &Store, org: OrgId, id: u64, facts: Facts) -> Result<(), HostError> {
    store
        .write(move |txn| {
            let mut hosts = txn.open_table(HOSTS)?;
            let mut host: Host = get_json(&hosts, (org.0, id))?.ok_or(HostError::NotFound(id))?;
            if host.facts.as_ref() != Some(&facts) {
                host.facts = Some(facts);
                put_json(&mut hosts, (org.0, id), &host)?;
            }
            Ok(())
        })
        .await
}

/// The hosts of an organization that log in with SSH key `key_id`, as (id, name): a key
/// in use must not be deleted.
pub fn using_ssh_key(txn: &impl Reads, org: OrgId, key_id: u64) -> Result<Vec<(u64, String)>, HostError> {
    let hosts = txn.read_table(HOSTS)?;
    let mut out = Vec::new();
    for row in hosts.range((org.0, 0)..=(org.0, u64::MAX))? {
        let (k, _) = row?;
        let Some(host) = get_json::<(u64, u64), Host>(&hosts, k.value())? else { continue };
        let uses = host.ssh.as_ref().is_some_and(|s| s.auth == super::SshAuth::Key { key_id });
        if uses {
            out.push((host.id, host.name));
        }
    }
    Ok(out)
}

pub async fn list(store: &Store, org: OrgId) -> Result<Vec<Host>, HostError> {
    store
        .read(move |txn| {
            let hosts = txn.open_table(HOSTS)?;
            let mut out = Vec::new();
            for row in hosts.range((org.0, 0)..=(org.0, u64::MAX))? {
                let (k, _) = row?;
                out.extend(get_json::<(u64, u64), Host>(&hosts, k.value())?);
            }
            Ok(out)
        })
        .await
}

/// Every host of one kind, across organizations (the SSH poller's work list).
pub async fn list_kind(store: &Store, kind: HostKind) -> Result<Vec<Host>, HostError> {
    store
        .read(move |txn| {
            let hosts = txn.open_table(HOSTS)?;
            let mut out = Vec::new();
            for row in hosts.iter()? {
                let (_, v) = row?;
                let host: Host = serde_json::from_slice(v.value()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                if host.kind == kind {
                    out.push(host);
                }
            }
            Ok(out)
        })
        .await
}

pub async fn get(store: &Store, org: OrgId, id: u64) -> Result<Host, HostError> {
    store
        .read(move |txn| {
            get_json::<(u64, u64), Host>(&txn.open_table(HOSTS)?, (org.0, id))?.ok_or(HostError::NotFound(id))
        })
        .await
}

/// Deletes a host record and its machine token (admins only; not the appliance's own). The
/// caller then drops its samples from the time-series store. Its machine, pushing again
/// with its key, registers as a new host.
pub async fn delete(store: &Store, scope: &Scope, id: u64, now: OffsetDateTime) -> Result<Host, HostError> {
    scope.require(Role::Admin)?;
    let scope = scope.clone();
    store
        .write(move |txn| {
            let mut hosts = txn.open_table(HOSTS)?;
            let host: Host = get_json(&hosts, (scope.org.0, id))?.ok_or(HostError::NotFound(id))?;
            if host.kind == HostKind::Local {
                return Err(HostError::Local(id));
            }
            hosts.remove((scope.org.0, id))?;
            super::tokens::remove(txn, scope.org, id)?;
            if host.kind == HostKind::Ssh {
                crate::seal::remove(txn, &super::ssh::password_ref(scope.org, id))?;
            }
            txn.open_table(BY_FINGERPRINT)?.remove((scope.org.0, host.fingerprint.as_str()))?;
            let target = format!("host {} ({})", host.id, host.name);
            audit::append(txn, now, Event::new(scope.org, scope.actor, "host.delete", target, Outcome::Success))?;
            Ok(host)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::Machine;

    #[test]
    fn machines_are_checked_at_the_edge() {
        assert!(Machine::new("web-1", "Debian", "fp").is_ok());
        assert!(Machine::new("", "Debian", "fp").is_err());
        assert!(Machine::new("web-1", "Debian", "").is_err());
        assert!(Machine::new("web\n1", "Debian", "fp").is_err());
        assert!(Machine::new(&"a".repeat(254), "", "fp").is_err());
        assert_eq!(Machine::new(" web-1 ", "", "fp").unwrap().hostname, "web-1");
    }
}
