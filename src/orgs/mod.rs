//! Organizations: the tenant boundary. Every user, host, key, token and audit entry
//! belongs to one. A fresh install has `default`, and a single-organization install never
//! has to think about it.
//!
//! Owns the `orgs` tables, organization names, roles and [`Scope`]. It must not know
//! about users or sessions; those call in here.

pub mod routes;
mod scope;
mod service;

pub use routes::configure;
pub use scope::{Actor, Forbidden, Role, Scope};
pub use service::{DEFAULT_ORG, Org, OrgError, OrgName, by_name, create, create_tables, ensure_default, get, list};

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
