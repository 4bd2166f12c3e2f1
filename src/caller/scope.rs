//! Who is asking, in which organization, with which role. Every service function takes a
//! [`Scope`]; records are keyed by organization, so a scope can only reach its own.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::OrgId;

/// Roles, ordered: each includes the rights of the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Operator,
    Admin,
    /// Appliance-wide: manages every organization.
    Superadmin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
            Role::Superadmin => "superadmin",
        }
    }
}

/// The person or process behind a request, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// `None` for the appliance itself or the local CLI.
    pub user_id: Option<u64>,
    pub name: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Actor {
    /// The appliance acting on its own (bootstrap, housekeeping).
    pub fn system() -> Self {
        Self { user_id: None, name: "system".into(), ip: None, user_agent: None }
    }

    /// A root shell on the appliance host, through the `steward` CLI.
    pub fn cli() -> Self {
        let who = std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).unwrap_or_default();
        let name = if who.is_empty() { "cli".to_string() } else { format!("cli:{who}") };
        Self { user_id: None, name, ip: None, user_agent: None }
    }
}

/// A caller bound to one organization. Built only by the auth layer (from a session or
/// token) or by the CLI (local root), never from request input.
#[derive(Debug, Clone)]
pub struct Scope {
    pub org: OrgId,
    pub role: Role,
    pub actor: Actor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this needs the {needed} role")]
pub struct Forbidden {
    pub needed: &'static str,
}

impl Scope {
    pub fn require(&self, role: Role) -> Result<(), Forbidden> {
        if self.role >= role { Ok(()) } else { Err(Forbidden { needed: role.as_str() }) }
    }

    pub fn is_superadmin(&self) -> bool {
        self.role == Role::Superadmin
    }

    /// A superadmin may act inside any organization; anyone else only in their own.
    /// Asking for another organization without the right looks like it does not exist.
    pub fn within(&self, org: OrgId) -> Option<Scope> {
        (org == self.org || self.is_superadmin()).then(|| Scope { org, ..self.clone() })
    }

    /// The local CLI: a root shell on the appliance host is a superadmin.
    pub fn local(org: OrgId) -> Self {
        Self { org, role: Role::Superadmin, actor: Actor::cli() }
    }

    pub fn system(org: OrgId) -> Self {
        Self { org, role: Role::Superadmin, actor: Actor::system() }
    }
}
