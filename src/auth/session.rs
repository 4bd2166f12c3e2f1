//! Browser sessions. The cookie holds a random token; only its SHA-256 is stored, so a
//! copy of the store does not let anyone log in. The CSRF token is derived from the
//! session token, so it needs no storage and dies with the session.

use redb::{ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::random_token;
use crate::caller::{OrgId, UserId};
use crate::store::{StoreError, get_json, put_json};

const SESSIONS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("sessions");
/// (user id, session hash): finds a user's sessions to end them all.
const SESSIONS_BY_USER: TableDefinition<(u64, &[u8]), ()> = TableDefinition::new("sessions_by_user");

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(SESSIONS)?;
    txn.open_table(SESSIONS_BY_USER)?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub user: UserId,
    pub org: OrgId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Session lifetimes from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub idle: Duration,
    pub absolute: Duration,
}

/// The configured session lifetimes.
pub fn session_lifetimes(config: &crate::config::Config) -> Lifetimes {
    Lifetimes {
        idle: Duration::minutes(config.auth.session_idle_minutes.into()),
        absolute: Duration::hours(config.auth.session_absolute_hours.into()),
    }
}

impl Session {
    pub fn expired(&self, now: OffsetDateTime, life: Lifetimes) -> bool {
        now - self.last_seen > life.idle || now - self.created_at > life.absolute
    }
}

pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The CSRF token that goes with a session token.
pub fn csrf_for(session_token: &str) -> String {
    use base64::Engine;
    let digest = Sha256::new().chain_update(b"steward-csrf\0").chain_update(session_token.as_bytes()).finalize();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// Starts a session; returns the cookie token (shown once, never stored).
pub fn start(txn: &WriteTransaction, session: &Session) -> Result<String, StoreError> {
    let token = random_token().map_err(|_| StoreError::Corrupt("no randomness for a session token".into()))?;
    let hash = hash_token(&token);
    put_json(&mut txn.open_table(SESSIONS)?, hash.as_slice(), session)?;
    txn.open_table(SESSIONS_BY_USER)?.insert((session.user.0, hash.as_slice()), ())?;
    Ok(token)
}

pub fn load(txn: &redb::ReadTransaction, hash: &[u8; 32]) -> Result<Option<Session>, StoreError> {
    get_json::<&[u8], Session>(&txn.open_table(SESSIONS)?, hash.as_slice())
}

pub fn touch(txn: &WriteTransaction, hash: &[u8; 32], now: OffsetDateTime) -> Result<(), StoreError> {
    let mut table = txn.open_table(SESSIONS)?;
    if let Some(mut s) = get_json::<&[u8], Session>(&table, hash.as_slice())? {
        s.last_seen = now;
        put_json(&mut table, hash.as_slice(), &s)?;
    }
    Ok(())
}

pub fn end(txn: &WriteTransaction, hash: &[u8; 32]) -> Result<Option<Session>, StoreError> {
    let mut table = txn.open_table(SESSIONS)?;
    let session = get_json::<&[u8], Session>(&table, hash.as_slice())?;
    table.remove(hash.as_slice())?;
    if let Some(s) = &session {
        txn.open_table(SESSIONS_BY_USER)?.remove((s.user.0, hash.as_slice()))?;
    }
    Ok(session)
}

/// Ends every session of a user but `keep`. Returns how many ended.
pub fn end_sessions(txn: &WriteTransaction, user: UserId, keep: Option<[u8; 32]>) -> Result<u64, StoreError> {
    let mut hashes = Vec::new();
    {
        let index = txn.open_table(SESSIONS_BY_USER)?;
        for row in index.range((user.0, [].as_slice())..(user.0 + 1, [].as_slice()))? {
            let (k, _) = row?;
            let hash: [u8; 32] = k.value().1.try_into().map_err(|_| StoreError::Corrupt("session index".into()))?;
            if Some(hash) != keep {
                hashes.push(hash);
            }
        }
    }
    for hash in &hashes {
        end(txn, hash)?;
    }
    Ok(hashes.len() as u64)
}

/// Deletes expired sessions; housekeeping calls it. Bounded per call.
pub fn purge_expired(
    txn: &WriteTransaction,
    now: OffsetDateTime,
    life: Lifetimes,
    max: usize,
) -> Result<u64, StoreError> {
    let mut dead = Vec::new();
    {
        let table = txn.open_table(SESSIONS)?;
        for row in table.iter()? {
            let (k, v) = row?;
            let expired = serde_json::from_slice::<Session>(v.value()).map_or(true, |s| s.expired(now, life));
            if let (true, Ok(hash)) = (expired, <[u8; 32]>::try_from(k.value())) {
                dead.push(hash);
            }
            if dead.len() >= max {
                break;
            }
        }
    }
    for hash in &dead {
        end(txn, hash)?;
    }
    Ok(dead.len() as u64)
}
