//! The SSH key store (placeholder until the key store lands; the poller calls these).

use zeroize::Zeroizing;

use crate::orgs::OrgId;
use crate::store::Reads;

#[derive(Debug, thiserror::Error)]
pub enum SshKeyError {
    #[error("ssh key {0} not found")]
    NotFound(u64),
}

pub fn exists(_txn: &impl Reads, _org: OrgId, _id: u64) -> Result<bool, SshKeyError> {
    Ok(false)
}

pub fn private_pem(
    _txn: &impl Reads,
    _sealer: &crate::seal::Sealer,
    _org: OrgId,
    id: u64,
) -> Result<Zeroizing<String>, SshKeyError> {
    Err(SshKeyError::NotFound(id))
}
