//! Readings from snapshots: CPU percentages and byte rates are deltas between two polls of
//! one host; counter resets (interface re-created) and reboots (boot time moved) drop the
//! rate for that poll instead of producing a negative or absurd one.

use super::parse::Snapshot;
use crate::collect::Collection;

/// The previous poll's counters of one host.
#[derive(Debug, Default)]
pub struct Deltas {}

impl Deltas {
    /// Readings in the shared schema ([`crate::collect::METRICS`]) for a snapshot taken at `ts_ms`.
    pub fn collect(&mut self, _snap: &Snapshot, _ts_ms: i64) -> Collection {
        unimplemented!("helper A")
    }
}
