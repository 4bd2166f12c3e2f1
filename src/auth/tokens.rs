//! Personal API tokens for scripts: `stw_` + 256 random bits, shown once, stored as a
//! SHA-256, scoped to a role no higher than their owner's.

use redb::{ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{AuthError, session::hash_token};
use crate::audit::{self, Event, Outcome};
use crate::caller::{OrgId, Role, Scope, UserId};
use crate::store::{Store, StoreError, get_json, next_id, put_json};

const TOKENS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("api_tokens");
const TOKENS_BY_HASH: TableDefinition<&[u8], (u64, u64)> = TableDefinition::new("api_tokens_by_hash");
pub const PREFIX: &str = "stw_";

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(TOKENS)?;
    txn.open_table(TOKENS_BY_HASH)?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiToken {
    pub id: u64,
    pub org: OrgId,
    pub user: UserId,
    pub name: String,
    pub role: Role,
    /// The first characters of the token, to recognise it in a list.
    pub prefix: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<OffsetDateTime>,
}

/// The stored form: the token plus the hash its index is keyed by, so revoking finds the
/// index row without a scan. The hash never leaves the store.
#[derive(Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    token: ApiToken,
    hash: String,
}

fn in_org(table: &impl ReadableTable<(u64, u64), &'static [u8]>, org: OrgId) -> Result<Vec<Stored>, StoreError> {
    let mut out = Vec::new();
    for row in table.range((org.0, 0)..=(org.0, u64::MAX))? {
        let (k, _) = row?;
        out.extend(get_json::<(u64, u64), Stored>(table, k.value())?);
    }
    Ok(out)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for (1-64 printable characters).
    pub name: String,
    /// Defaults to the owner's role; may not exceed it.
    pub role: Option<Role>,
    /// Lifetime in days, taken as 1-3650; absent for a token that does not expire.
    // Documented as the u32 it is: int32 would set a lower maximum than the server takes.
    #[schema(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub expires_in_days: Option<u32>,
}

/// A created token: the only time its value is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub token: ApiToken,
    pub value: String,
}

fn validate_name(name: &str) -> Result<String, AuthError> {
    super::secret_name(name).ok_or_else(|| AuthError::InvalidTokenName(crate::users::sanitize_for_error(name.trim())))
}

/// Creates a token for the caller's own account, expiring no later than `not_after` (the
/// expiry of the token making the request, if one is).
pub async fn create(
    store: &Store,
    scope: &Scope,
    new: NewToken,
    not_after: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<CreatedToken, AuthError> {
    let user = scope.actor.user_id.map(UserId).ok_or(AuthError::NeedsAccount)?;
    let role = new.role.unwrap_or(scope.role);
    if role > scope.role {
        return Err(AuthError::TokenRoleTooHigh(role.as_str()));
    }
    let name = validate_name(&new.name)?;
    let days = new.expires_in_days.map(|d| d.clamp(1, 3650));
    let super::Minted { value, hash, shown: prefix } = super::mint(PREFIX).map_err(|_| AuthError::Random)?;
    let (org, actor) = (scope.org, scope.actor.clone());
    store
        .write(move |txn| {
            let token = ApiToken {
                id: next_id(txn, "api_tokens")?,
                org,
                user,
                name,
                role,
                prefix,
                created_at: now,
                expires_at: match (days.map(|d| now + time::Duration::days(d.into())), not_after) {
                    (Some(wanted), Some(cap)) => Some(wanted.min(cap)),
                    (wanted, cap) => wanted.or(cap),
                },
                last_used_at: None,
            };
            txn.open_table(TOKENS_BY_HASH)?.insert(hash.as_slice(), (org.0, token.id))?;
            let target = format!("token {} ({})", token.id, token.name);
            let stored = Stored { token, hash: hex::encode(hash) };
            put_json(&mut txn.open_table(TOKENS)?, (org.0, stored.token.id), &stored)?;
            let token = stored.token;
            audit::append(txn, now, Event::new(org, actor, "token.create", target, Outcome::Success))?;
            Ok(CreatedToken { token, value })
        })
        .await
}

/// The caller's own tokens; admins may list everyone's in their organization with `all`.
pub async fn list(store: &Store, scope: &Scope, all: bool) -> Result<Vec<ApiToken>, AuthError> {
    if all {
        scope.require(Role::Admin)?;
    }
    let (org, me) = (scope.org, scope.actor.user_id);
    store
        .read(move |txn| {
            let all_tokens = in_org(&txn.open_table(TOKENS)?, org)?.into_iter().map(|s| s.token);
            Ok(all_tokens.filter(|t| all || Some(t.user.0) == me).collect())
        })
        .await
}

/// Revokes a token: its owner may, and so may an admin of its organization.
pub async fn revoke(store: &Store, scope: &Scope, id: u64, now: OffsetDateTime) -> Result<(), AuthError> {
    let scope = scope.clone();
    store
        .write(move |txn| {
            let stored = get_json::<(u64, u64), Stored>(&txn.open_table(TOKENS)?, (scope.org.0, id))?
                .ok_or(AuthError::TokenNotFound(id))?;
            if Some(stored.token.user.0) != scope.actor.user_id {
                scope.require(Role::Admin)?;
            }
            remove(txn, &stored)?;
            let token = stored.token;
            let target = format!("token {} ({})", token.id, token.name);
            audit::append(txn, now, Event::new(scope.org, scope.actor, "token.revoke", target, Outcome::Success))?;
            Ok(())
        })
        .await
}

fn remove(txn: &WriteTransaction, stored: &Stored) -> Result<(), StoreError> {
    txn.open_table(TOKENS)?.remove((stored.token.org.0, stored.token.id))?;
    let hash = hex::decode(&stored.hash).map_err(|_| StoreError::Corrupt(format!("token {} hash", stored.token.id)))?;
    txn.open_table(TOKENS_BY_HASH)?.remove(hash.as_slice())?;
    Ok(())
}

/// Removes every token of a deleted user.
pub fn revoke_user_tokens(txn: &WriteTransaction, org: OrgId, user: UserId) -> Result<u64, StoreError> {
    let doomed: Vec<Stored> =
        in_org(&txn.open_table(TOKENS)?, org)?.into_iter().filter(|s| s.token.user == user).collect();
    for stored in &doomed {
        remove(txn, stored)?;
    }
    Ok(doomed.len() as u64)
}

/// The token a bearer value names, if it exists and has not expired.
pub fn resolve(txn: &redb::ReadTransaction, value: &str, now: OffsetDateTime) -> Result<Option<ApiToken>, StoreError> {
    let hash = hash_token(value);
    let Some(key) = txn.open_table(TOKENS_BY_HASH)?.get(hash.as_slice())?.map(|v| v.value()) else {
        return Ok(None);
    };
    let stored = get_json::<(u64, u64), Stored>(&txn.open_table(TOKENS)?, key)?;
    Ok(stored.map(|s| s.token).filter(|t| t.expires_at.is_none_or(|e| e > now)))
}

pub fn mark_used(txn: &WriteTransaction, org: OrgId, id: u64, now: OffsetDateTime) -> Result<(), StoreError> {
    let mut table = txn.open_table(TOKENS)?;
    if let Some(mut stored) = get_json::<(u64, u64), Stored>(&table, (org.0, id))? {
        stored.token.last_used_at = Some(now);
        put_json(&mut table, (org.0, id), &stored)?;
    }
    Ok(())
}
