//! The push agent (`steward agent`, the same binary): collects this machine with the shared
//! collector and pushes batches to an appliance's ingest API. Built so far: the on-disk
//! spool that keeps unacknowledged batches in order across outages and restarts.
//!
//! It must not touch the appliance's store: everything goes through the public HTTP API.

pub mod spool;
