//! Who may push: the enrollment protocol between an agent and the appliance.
//!
//! A machine first pushes with an ingest key (`sti_`). Unknown, it is registered `pending`
//! (or `approved` when the key auto-approves) and refused until an admin approves it.
//! Approved, its key push is stored and answered with a fresh machine token (`stm_`), which
//! it pushes with from then on; once that token has been used the key can no longer speak
//! for the machine. A token push needs the token's own machine (by fingerprint), an
//! approved host, and the key the host was enrolled with still active.
//!
//! Owns only the decisions: [`decide_key`] and [`check_token_host`] are pure, and every
//! change goes through [`crate::hosts`] (hosts, states, tokens) or [`super::keys`]. Refusals
//! write nothing, so an agent retrying every few seconds leaves no trace but its
//! registration.

use actix_web::HttpRequest;
use redb::WriteTransaction;
use time::OffsetDateTime;

use super::IngestError;
use super::body::Batch;
use super::keys::{self, IngestKey};
use crate::caller::Actor;
use crate::ctx::Ctx;
use crate::hosts::tokens::{self, MachineToken};
use crate::hosts::{self, Host, HostKind, HostState, Machine, Origin};
use crate::store::Reads;

/// A key's last-use time, and a token's, are written at most this often.
pub const MARK_USED_EVERY: time::Duration = time::Duration::minutes(1);

/// What the store knows of a machine pushing with a key.
#[derive(Debug, Default)]
pub struct Known {
    /// The host with the batch's fingerprint in the key's organization.
    pub host: Option<Host>,
    pub token: Option<MachineToken>,
    /// The key the host is enrolled with, when it is not the presented one.
    pub bound: Option<IngestKey>,
}

/// What a key push leads to, when it is not refused.
#[derive(Debug)]
pub enum KeyDecision {
    /// An unknown machine: registered in this state.
    Register(HostState),
    /// Its enrolling key is gone or deactivated: bound to the presented key, pending.
    Rebind(Host),
    /// Approved, and no token of it was used yet: a fresh token, and the batch is stored.
    Issue(Host),
}

/// A push let in: its host (approved), and a token to hand out once.
#[derive(Debug)]
pub struct Admitted {
    pub host: Host,
    pub token: Option<String>,
}

/// A token push, resolved before its body is read.
#[derive(Debug)]
pub struct TokenPush {
    pub host: Host,
    pub token: MachineToken,
}

/// The refusal for a host that is not approved.
pub fn refuse_unless_approved(host: &Host) -> Result<(), IngestError> {
    let (id, name) = (host.id, host.name.clone());
    match host.state {
        HostState::Approved => Ok(()),
        HostState::Pending => Err(IngestError::ApprovalRequired { id, name }),
        HostState::Rejected => Err(IngestError::HostRejected { id, name }),
    }
}

/// Decides a push with an active ingest key.
pub fn decide_key(key: &IngestKey, known: Known) -> Result<KeyDecision, IngestError> {
    let Some(host) = known.host else {
        let state = if key.auto_approve { HostState::Approved } else { HostState::Pending };
        return Ok(KeyDecision::Register(state));
    };
    let mismatch = || IngestError::KeyMismatch { id: host.id, name: host.name.clone() };
    // The appliance's own host is no agent's to take over, whatever the fingerprint says.
    if host.kind == HostKind::Local {
        return Err(mismatch());
    }
    if host.ingest_key != Some(key.id) {
        if known.bound.is_some_and(|b| b.active) {
            return Err(mismatch());
        }
        return Ok(KeyDecision::Rebind(host));
    }
    refuse_unless_approved(&host)?;
    if known.token.is_some_and(|t| t.used) {
        return Err(IngestError::TokenRequired { id: host.id, name: host.name });
    }
    Ok(KeyDecision::Issue(host))
}

/// Whether a token's host may push: approved, and its enrolling key still active.
pub fn check_token_host(host: &Host, key: Option<&IngestKey>) -> Result<(), IngestError> {
    refuse_unless_approved(host)?;
    if !key.is_some_and(|k| k.active) {
        return Err(IngestError::EnrollingKeyInactive { id: host.id, key: host.ingest_key });
    }
    Ok(())
}

/// What the store knows of the machine, in the read that decides or the write that acts.
fn known(txn: &impl Reads, key: &IngestKey, fingerprint: &str) -> Result<Known, IngestError> {
    let Some(host) = hosts::find(txn, key.org, fingerprint)? else { return Ok(Known::default()) };
    let token = tokens::get(txn, key.org, host.id)?;
    let bound = match host.ingest_key.filter(|k| *k != key.id) {
        Some(id) => keys::get(txn, key.org, id)?,
        None => None,
    };
    Ok(Known { host: Some(host), token, bound })
}

/// A push with an active ingest key: decided on a read, so refusals write nothing; then
/// decided again inside the write that registers, rebinds or issues a token, so a change in
/// between (an approval, a token's first use) is not missed.
pub async fn admit_key(
    ctx: &Ctx,
    key: &IngestKey,
    batch: &Batch,
    req: &HttpRequest,
    now: OffsetDateTime,
) -> Result<Admitted, IngestError> {
    let (k, fp) = (key.clone(), batch.machine.fingerprint.clone());
    let known = ctx.store.read(move |txn| known(txn, &k, &fp)).await?;
    if let KeyDecision::Register(_) = decide_key(key, known)? {
        check_new_host_series(ctx, batch)?;
    }
    let origin = crate::auth::origin(req);
    let actor =
        Actor { user_id: None, name: format!("ingest key {}", key.id), ip: origin.ip, user_agent: origin.user_agent };
    let (key, machine, interval) = (key.clone(), batch.machine.clone(), batch.interval_s);
    let admitted = ctx.store.write(move |txn| enroll(txn, &key, &machine, interval, now, actor)).await?;
    // A registration or rebind that leaves the host pending commits, then refuses.
    refuse_unless_approved(&admitted.host)?;
    Ok(admitted)
}

/// The write of a key push: registers, rebinds or issues a token, and records the key's use.
fn enroll(
    txn: &WriteTransaction,
    key: &IngestKey,
    machine: &Machine,
    interval_s: u32,
    now: OffsetDateTime,
    actor: Actor,
) -> Result<Admitted, IngestError> {
    let (host, token) = match decide_key(key, known(txn, key, &machine.fingerprint)?)? {
        KeyDecision::Register(state) => {
            let origin = Origin { kind: HostKind::Agent, ingest_key: Some(key.id), interval_s, state };
            let (host, _) = hosts::register(txn, key.org, machine, origin, now, actor.clone())?;
            let token = match host.state {
                HostState::Approved => Some(tokens::issue(txn, &host, now, actor)?),
                _ => None,
            };
            keys::mark_used(txn, key, host.id, now)?;
            (host, token)
        }
        KeyDecision::Rebind(host) => (hosts::rebind(txn, &host, key.id, now, actor)?, None),
        KeyDecision::Issue(mut host) => {
            hosts::refresh_machine(txn, &mut host, machine)?;
            let token = tokens::issue(txn, &host, now, actor)?;
            if key.last_used_at.is_none_or(|t| now - t >= MARK_USED_EVERY) {
                keys::mark_used(txn, key, host.id, now)?;
            }
            (host, Some(token))
        }
    };
    Ok(Admitted { host, token })
}

/// A new machine's batch that the series limit refuses must not register it.
fn check_new_host_series(ctx: &Ctx, batch: &Batch) -> Result<(), IngestError> {
    let distinct: std::collections::HashSet<&crate::tsdb::SeriesKey> = batch.samples.iter().map(|s| &s.key).collect();
    Ok(ctx.tsdb.limits().check_series(0, 0, distinct.len())?)
}

/// Resolves a machine token, its host and the host's enrolling key in one read: the hot
/// path of every agent push.
pub async fn resolve_token(ctx: &Ctx, value: String) -> Result<TokenPush, IngestError> {
    ctx.store
        .read(move |txn| {
            let (org, id, token) = tokens::resolve(txn, &value)?.ok_or(IngestError::InvalidToken)?;
            let host = hosts::get_in(txn, org, id)?.ok_or(IngestError::InvalidToken)?;
            let key = match host.ingest_key {
                Some(k) => keys::get(txn, org, k)?,
                None => None,
            };
            check_token_host(&host, key.as_ref())?;
            Ok(TokenPush { host, token })
        })
        .await
}

/// A token push once its body is read: the machine must be the token's. Writes only on
/// the token's first use, once a minute after, or when the machine was renamed.
pub async fn admit_token(
    ctx: &Ctx,
    push: TokenPush,
    machine: &Machine,
    now: OffsetDateTime,
) -> Result<Admitted, IngestError> {
    let TokenPush { mut host, token } = push;
    if machine.fingerprint != host.fingerprint {
        return Err(IngestError::TokenMismatch { id: host.id, fingerprint: machine.fingerprint.clone() });
    }
    if !token.needs_mark(now, MARK_USED_EVERY) && !hosts::machine_changed(&host, machine) {
        return Ok(Admitted { host, token: None });
    }
    let machine = machine.clone();
    ctx.store
        .write(move |txn| {
            // Rejected or deleted since the read: the token is gone.
            if !tokens::mark_used(txn, host.org, host.id, now)? {
                return Err(IngestError::InvalidToken);
            }
            hosts::refresh_machine(txn, &mut host, &machine)?;
            Ok(Admitted { host, token: None })
        })
        .await
}

#[cfg(test)]
mod tests;
