//! Organizations: the tenant boundary. Every user, host, key, token and audit entry
//! belongs to one. A fresh install has `default`, and a single-organization install never
//! has to think about it.
//!
//! Owns the `orgs` tables and organization names. Ids, roles and the scope are identity
//! ([`crate::caller`]). It must not know about users or sessions; those call in here.

mod api_error;
pub mod routes;
mod service;

pub use routes::configure;
pub use service::{DEFAULT_ORG, Org, OrgError, OrgName, by_name, create, create_tables, ensure_default, get, list};
