//! Access rules: user U may log in on all of the organization's hosts, on hosts carrying
//! any of some tags, or on named hosts, optionally as a member of the sudo group there.
//! A host receives exactly the users some rule lets in ([`allowed_on`]).

use std::collections::BTreeMap;

use redb::{ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::AccountError;
use crate::caller::{OrgId, UserId};
use crate::hosts::Host;
use crate::store::{Reads, StoreError, get_json, next_id, put_json};

/// (org, rule id) -> JSON of [`AccessRule`].
const RULES: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("access_rules");

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(RULES)?;
    Ok(())
}

/// Which hosts a rule covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "on", rename_all = "lowercase")]
pub enum Target {
    /// Every host of the organization, present and future.
    All,
    /// Hosts carrying at least one of these tags.
    Tags { tags: Vec<String> },
    /// These hosts, by id.
    Hosts { hosts: Vec<u64> },
}

impl Target {
    pub fn covers(&self, host: &Host) -> bool {
        match self {
            Target::All => true,
            Target::Tags { tags } => tags.iter().any(|t| host.tags.contains(t)),
            Target::Hosts { hosts } => hosts.contains(&host.id),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Target::All => "all hosts".into(),
            Target::Tags { tags } => format!("hosts tagged {}", tags.join(" or ")),
            Target::Hosts { hosts } => {
                format!("hosts {}", hosts.iter().map(u64::to_string).collect::<Vec<_>>().join(", "))
            }
        }
    }

    /// Refuses empty lists, oversized ones and tags that could not be host tags.
    pub fn check(&self) -> Result<(), AccountError> {
        let bad = |why: &str| Err(AccountError::InvalidRule(why.into()));
        match self {
            Target::All => Ok(()),
            Target::Tags { tags } if tags.is_empty() || tags.len() > 64 => bad("give 1-64 tags"),
            Target::Tags { tags }
                if tags.iter().any(|t| t.is_empty() || t.len() > 64 || t.contains(char::is_control)) =>
            {
                bad("a tag is empty, longer than 64 bytes or holds control characters")
            }
            Target::Hosts { hosts } if hosts.is_empty() || hosts.len() > 1024 => bad("give 1-1024 hosts"),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessRule {
    pub id: u64,
    pub user_id: UserId,
    #[serde(flatten)]
    pub target: Target,
    /// Membership of the `steward-sudo` group on the hosts covered.
    pub sudo: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// A checked request for a rule.
#[derive(Debug, Clone)]
pub struct NewRule {
    pub user_id: UserId,
    pub target: Target,
    pub sudo: bool,
}

pub fn list(txn: &impl Reads, org: OrgId) -> Result<Vec<AccessRule>, StoreError> {
    let table = txn.read_table(RULES)?;
    let mut out = Vec::new();
    for row in table.range((org.0, 0)..=(org.0, u64::MAX))? {
        out.extend(get_json::<(u64, u64), AccessRule>(&table, row?.0.value())?);
    }
    Ok(out)
}

pub fn insert(txn: &WriteTransaction, org: OrgId, new: NewRule, now: OffsetDateTime) -> Result<AccessRule, StoreError> {
    let rule = AccessRule {
        id: next_id(txn, "access_rules")?,
        user_id: new.user_id,
        target: new.target,
        sudo: new.sudo,
        created_at: now,
    };
    put_json(&mut txn.open_table(RULES)?, (org.0, rule.id), &rule)?;
    Ok(rule)
}

pub fn remove(txn: &WriteTransaction, org: OrgId, id: u64) -> Result<AccessRule, AccountError> {
    let mut table = txn.open_table(RULES)?;
    let rule = get_json::<(u64, u64), AccessRule>(&table, (org.0, id))?.ok_or(AccountError::RuleNotFound(id))?;
    table.remove((org.0, id))?;
    Ok(rule)
}

/// Removes every rule of a deleted user.
pub fn forget_user(txn: &WriteTransaction, org: OrgId, user: UserId) -> Result<(), StoreError> {
    for rule in list(txn, org)?.into_iter().filter(|r| r.user_id == user) {
        txn.open_table(RULES)?.remove((org.0, rule.id))?;
    }
    Ok(())
}

/// The users a host receives, each with whether some rule gives them sudo there.
pub fn allowed_on(rules: &[AccessRule], host: &Host) -> BTreeMap<UserId, bool> {
    let mut out = BTreeMap::new();
    for rule in rules.iter().filter(|r| r.target.covers(host)) {
        let sudo = out.entry(rule.user_id).or_insert(false);
        *sudo |= rule.sudo;
    }
    out
}
