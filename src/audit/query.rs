//! Reading the trail: who may see which organization's entries, filters and paging.
//!
//! There is no secondary index: a query walks the table backwards from its cursor and
//! filters as it goes, bounded by [`SCAN_BUDGET`] rows per call so a filter that matches
//! little cannot hold a read transaction over the whole table. This file must not write,
//! and must not vouch for entries (that is verification's job).

use redb::{ReadTransaction, ReadableTable};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{AUDIT, AuditError, Entry};
use crate::caller::{OrgId, Role, Scope};
use crate::store::Store;

pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 500;
/// Rows examined per call; a page cut short by it still carries a cursor.
const SCAN_BUDGET: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Exact actor name.
    pub actor: Option<String>,
    /// Exact action, or a dotted prefix of it: `user` matches `user.create`.
    pub action: Option<String>,
    /// Exact target.
    pub target: Option<String>,
    /// Entries at or after this time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub from: Option<OffsetDateTime>,
    /// Entries before this time (exclusive, so consecutive ranges do not overlap).
    #[serde(with = "time::serde::rfc3339::option")]
    pub to: Option<OffsetDateTime>,
    /// Continue below this sequence number (exclusive): the previous page's `next_cursor`.
    pub cursor: Option<u64>,
    /// Clamped to 1..=500.
    pub limit: usize,
    /// Superadmins only: one organization instead of all.
    pub org: Option<OrgId>,
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            actor: None,
            action: None,
            target: None,
            from: None,
            to: None,
            cursor: None,
            limit: DEFAULT_LIMIT,
            org: None,
        }
    }
}

impl Filter {
    fn matches(&self, org: Option<OrgId>, e: &Entry) -> bool {
        org.is_none_or(|o| e.org == o)
            && self.actor.as_ref().is_none_or(|a| e.actor == *a)
            && self.action.as_deref().is_none_or(|a| action_matches(&e.action, a))
            && self.target.as_ref().is_none_or(|t| e.target == *t)
            && self.from.is_none_or(|from| e.at >= from)
            && self.to.is_none_or(|to| e.at < to)
    }
}

fn action_matches(action: &str, wanted: &str) -> bool {
    action.strip_prefix(wanted).is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// One page, newest first. `next_cursor` is `None` only when nothing older remains; a page
/// may hold fewer than `limit` entries and still have one (the scan budget ran out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Page {
    pub entries: Vec<Entry>,
    pub next_cursor: Option<u64>,
}

/// Admins (Role::Admin and up) see their own organization; superadmins see all
/// organizations, or only `filter.org` when given. Newest first; cursor = the seq to
/// continue below (exclusive). limit clamped to 1..=500.
pub async fn query(store: &Store, scope: &Scope, filter: Filter) -> Result<Page, AuditError> {
    scope.require(Role::Admin)?;
    let org = match (scope.is_superadmin(), filter.org) {
        (true, wanted) => wanted,
        (false, None) => Some(scope.org),
        (false, Some(wanted)) if wanted == scope.org => Some(wanted),
        // Another organization's trail looks empty rather than forbidden, as elsewhere.
        (false, Some(_)) => return Ok(Page::default()),
    };
    store.read(move |txn| scan(txn, org, &filter)).await
}

fn scan(txn: &ReadTransaction, org: Option<OrgId>, filter: &Filter) -> Result<Page, AuditError> {
    let table = txn.open_table(AUDIT)?;
    let limit = filter.limit.clamp(1, MAX_LIMIT);
    let mut rows = match filter.cursor {
        Some(cursor) => table.range(..cursor)?,
        None => table.iter()?,
    }
    .rev();
    let mut entries = Vec::new();
    let mut scanned = 0;
    while let Some(row) = rows.next() {
        let (k, v) = row?;
        let seq = k.value();
        scanned += 1;
        match serde_json::from_slice::<Entry>(v.value()) {
            Ok(entry) if filter.matches(org, &entry) => entries.push(entry),
            Ok(_) => {}
            // Listing goes on past one damaged row; verification is what reports it.
            Err(e) => tracing::warn!(seq, error = %e, "skipping an unreadable audit entry"),
        }
        if entries.len() == limit || scanned == SCAN_BUDGET {
            let next_cursor = rows.next().is_some().then_some(seq);
            return Ok(Page { entries, next_cursor });
        }
    }
    Ok(Page { entries, next_cursor: None })
}
