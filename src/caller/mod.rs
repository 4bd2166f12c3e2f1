//! Identity: who is asking, in which organization, with which role. The ids
//! ([`OrgId`], [`UserId`]), roles, the [`Scope`] every service function takes, the
//! [`Actor`] the audit trail records, the [`Forbidden`] refusal, and the request
//! extractor types ([`Caller`], [`PendingCaller`], [`Via`]).
//!
//! A shared layer: plain data that every feature names, so features need not import each
//! other (or `auth`) to say who acts. It must import no other module of the crate and hold
//! no logic beyond comparing roles. How a request becomes a [`Caller`] is `auth`'s: its
//! `FromRequest` impls for [`Caller`] and [`PendingCaller`] live there (a trait impl may live
//! anywhere in the crate), so this layer stays free of sessions, tokens and the store. How
//! these errors answer over HTTP is the HTTP layer's, beside the store's.

mod scope;

pub use scope::{Actor, Forbidden, Role, Scope};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An organization's id; ids start at 1 and are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct OrgId(pub u64);

impl std::fmt::Display for OrgId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct UserId(pub u64);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session {
        hash: [u8; 32],
    },
    /// `expires_at`: a token cannot mint one that outlives it.
    Token {
        id: u64,
        expires_at: Option<time::OffsetDateTime>,
    },
}

/// An authenticated user who has no pending forced password change (the default
/// extractor of every route).
#[derive(Debug, Clone)]
pub struct Caller {
    pub scope: Scope,
    pub user: UserId,
    pub via: Via,
    pub must_change_password: bool,
}

/// `?org=` named an organization the caller cannot see: it answers as if it did not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("organization {0} not found")]
pub struct UnknownOrg(pub OrgId);

impl Caller {
    /// The caller's scope, moved into `org` (from `?org=`) when that is theirs or they are a
    /// superadmin; any other organization looks as if it did not exist.
    pub fn in_org(&self, org: Option<OrgId>) -> Result<Scope, UnknownOrg> {
        match org {
            None => Ok(self.scope.clone()),
            Some(org) => self.scope.within(org).ok_or(UnknownOrg(org)),
        }
    }
}

/// A caller who may still owe a forced password change.
#[derive(Debug, Clone)]
pub struct PendingCaller(pub Caller);
