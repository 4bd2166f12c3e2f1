//! The enrollment decisions, case by case: what a key push leads to, and what a token push needs.

use time::OffsetDateTime;

use super::*;
use crate::caller::OrgId;

fn key(id: u64, active: bool, auto_approve: bool) -> IngestKey {
    IngestKey {
        id,
        org: OrgId(1),
        name: format!("k{id}"),
        prefix: "sti_abcdef".into(),
        active,
        auto_approve,
        host: None,
        created_by: "admin".into(),
        created_at: OffsetDateTime::UNIX_EPOCH,
        last_used_at: None,
    }
}

fn host(kind: HostKind, state: HostState, ingest_key: Option<u64>) -> Host {
    Host {
        id: 7,
        org: OrgId(1),
        name: "web-1".into(),
        kind,
        state,
        fingerprint: "fp".into(),
        os: String::new(),
        tags: Vec::new(),
        interval_s: 5,
        facts: None,
        ingest_key,
        ssh: None,
        created_at: OffsetDateTime::UNIX_EPOCH,
    }
}

fn token(used: bool) -> MachineToken {
    serde_json::from_value(serde_json::json!({
        "hash": "00", "issued_at": "2025-01-01T00:00:00Z", "used": used, "last_used_at": null
    }))
    .unwrap()
}

fn known(host: Host, token: Option<MachineToken>, bound: Option<IngestKey>) -> Known {
    Known { host: Some(host), token, bound }
}

#[test]
fn an_unknown_machine_registers_pending_unless_the_key_auto_approves() {
    let d = decide_key(&key(1, true, false), Known::default()).unwrap();
    assert!(matches!(d, KeyDecision::Register(HostState::Pending)), "{d:?}");
    let d = decide_key(&key(1, true, true), Known::default()).unwrap();
    assert!(matches!(d, KeyDecision::Register(HostState::Approved)), "{d:?}");
}

#[test]
fn a_pending_or_rejected_host_is_refused_whatever_the_key_allows() {
    let pending = known(host(HostKind::Agent, HostState::Pending, Some(1)), None, None);
    assert!(matches!(decide_key(&key(1, true, true), pending), Err(IngestError::ApprovalRequired { id: 7, .. })));
    let rejected = known(host(HostKind::Agent, HostState::Rejected, Some(1)), None, None);
    assert!(matches!(decide_key(&key(1, true, true), rejected), Err(IngestError::HostRejected { id: 7, .. })));
}

#[test]
fn an_approved_host_gets_a_token_until_one_was_used() {
    let approved = |t| known(host(HostKind::Agent, HostState::Approved, Some(1)), t, None);
    assert!(matches!(decide_key(&key(1, true, false), approved(None)), Ok(KeyDecision::Issue(_))));
    assert!(matches!(decide_key(&key(1, true, false), approved(Some(token(false)))), Ok(KeyDecision::Issue(_))));
    let used = decide_key(&key(1, true, false), approved(Some(token(true))));
    assert!(matches!(used, Err(IngestError::TokenRequired { id: 7, .. })), "{used:?}");
}

#[test]
fn another_key_takes_a_host_over_only_when_its_own_key_is_gone_or_inactive() {
    let bound_to = |bound| known(host(HostKind::Agent, HostState::Approved, Some(2)), Some(token(true)), bound);
    let active = decide_key(&key(1, true, true), bound_to(Some(key(2, true, false))));
    assert!(matches!(active, Err(IngestError::KeyMismatch { id: 7, .. })), "{active:?}");
    assert!(matches!(
        decide_key(&key(1, true, true), bound_to(Some(key(2, false, false)))),
        Ok(KeyDecision::Rebind(_))
    ));
    assert!(matches!(decide_key(&key(1, true, true), bound_to(None)), Ok(KeyDecision::Rebind(_))));
    // Even a rejected host: rebinding sets it pending again, in front of an admin.
    let rejected = known(host(HostKind::Agent, HostState::Rejected, Some(2)), None, None);
    assert!(matches!(decide_key(&key(1, true, false), rejected), Ok(KeyDecision::Rebind(_))));
}

#[test]
fn the_appliances_own_host_is_no_agents() {
    let local = known(host(HostKind::Local, HostState::Approved, None), None, None);
    assert!(matches!(decide_key(&key(1, true, true), local), Err(IngestError::KeyMismatch { .. })));
}

#[test]
fn a_token_push_needs_an_approved_host_and_its_enrolling_key_active() {
    let approved = host(HostKind::Agent, HostState::Approved, Some(1));
    assert!(check_token_host(&approved, Some(&key(1, true, false))).is_ok());
    let inactive = check_token_host(&approved, Some(&key(1, false, false)));
    assert!(matches!(inactive, Err(IngestError::EnrollingKeyInactive { id: 7, key: Some(1) })), "{inactive:?}");
    assert!(matches!(check_token_host(&approved, None), Err(IngestError::EnrollingKeyInactive { .. })));
    let pending = host(HostKind::Agent, HostState::Pending, Some(1));
    assert!(matches!(
        check_token_host(&pending, Some(&key(1, true, false))),
        Err(IngestError::ApprovalRequired { .. })
    ));
}

#[test]
fn refusals_name_the_host_and_what_to_do() {
    let pending = refuse_unless_approved(&host(HostKind::Agent, HostState::Pending, Some(1))).unwrap_err();
    assert_eq!(
        pending.to_string(),
        "host 7 (web-1) is pending: an admin must approve host 7 (web-1) before its samples are accepted"
    );
    let required = IngestError::TokenRequired { id: 7, name: "web-1".into() }.to_string();
    assert!(required.contains("already holds a machine token") && required.contains("delete the host"), "{required}");
}
