//! Host approval: an organization admin lets a machine enrolled with an ingest key push
//! (approve) or shuts it out (reject, which also deletes its machine token so its agent is
//! cut off at once); and the rebind of a host whose enrolling key is gone to the key it now
//! presents, which puts it back in front of an admin.
//!
//! Only states and tokens change here; who may push is decided by `ingest`.

use redb::WriteTransaction;
use time::OffsetDateTime;

use super::{HOSTS, Host, HostError, HostKind, HostState, tokens};
use crate::audit::{self, Event, Outcome};
use crate::caller::{Actor, Role, Scope};
use crate::store::{Store, get_json, put_json};

/// Lets a host's samples in (admins of its organization). Idempotent: audited only when
/// the state changes.
pub async fn approve(store: &Store, scope: &Scope, id: u64, now: OffsetDateTime) -> Result<Host, HostError> {
    set_state(store, scope, id, HostState::Approved, now).await
}

/// Refuses a host's samples and deletes its machine token (admins of its organization).
/// Idempotent: audited only when the state changes.
pub async fn reject(store: &Store, scope: &Scope, id: u64, now: OffsetDateTime) -> Result<Host, HostError> {
    set_state(store, scope, id, HostState::Rejected, now).await
}

async fn set_state(
    store: &Store,
    scope: &Scope,
    id: u64,
    to: HostState,
    now: OffsetDateTime,
) -> Result<Host, HostError> {
    scope.require(Role::Admin)?;
    let scope = scope.clone();
    store
        .write(move |txn| {
            let mut hosts = txn.open_table(HOSTS)?;
            let mut host: Host = get_json(&hosts, (scope.org.0, id))?.ok_or(HostError::NotFound(id))?;
            if host.kind == HostKind::Local {
                return Err(HostError::Local(id));
            }
            // A rejected host never keeps a token, whatever state it came from.
            if to == HostState::Rejected {
                tokens::remove(txn, scope.org, id)?;
            }
            if host.state == to {
                return Ok(host);
            }
            let from = host.state;
            host.state = to;
            put_json(&mut hosts, (scope.org.0, id), &host)?;
            let action = if to == HostState::Approved { "host.approve" } else { "host.reject" };
            let target = format!("host {} ({})", host.id, host.name);
            let event = Event::new(scope.org, scope.actor, action, target, Outcome::Success).detail(format!(
                "{} -> {}",
                from.as_str(),
                to.as_str()
            ));
            audit::append(txn, now, event)?;
            Ok(host)
        })
        .await
}

/// Binds a host to the ingest key its machine now presents (the one it was enrolled with
/// is deleted or deactivated), sets it pending and deletes its machine token: taking over
/// a known machine's identity needs an admin's approval, whatever the new key allows.
pub fn rebind(
    txn: &WriteTransaction,
    host: &Host,
    key: u64,
    now: OffsetDateTime,
    actor: Actor,
) -> Result<Host, HostError> {
    if host.kind == HostKind::Local {
        return Err(HostError::Local(host.id));
    }
    let mut host = host.clone();
    let from = host.ingest_key.replace(key);
    host.state = HostState::Pending;
    put_json(&mut txn.open_table(HOSTS)?, (host.org.0, host.id), &host)?;
    tokens::remove(txn, host.org, host.id)?;
    let from = from.map_or_else(|| "no ingest key".to_string(), |k| format!("ingest key {k}"));
    let target = format!("host {} ({})", host.id, host.name);
    let event = Event::new(host.org, actor, "host.rebind", target, Outcome::Success)
        .detail(format!("{from} -> ingest key {key}"));
    audit::append(txn, now, event)?;
    Ok(host)
}
