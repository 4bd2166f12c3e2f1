//! The one POSIX `sh` script a poll runs: it prints marked sections (`/proc/stat`,
//! `/proc/meminfo`, ... `nvidia-smi`), each introduced by a marker line carrying a
//! per-poll nonce, so output cannot forge a section boundary.

/// Every section the script prints, in order.
pub const SECTIONS: &[&str] = &[];

/// The script for one poll; `nonce` is random per poll, `[0-9a-f]{16}`.
pub fn script(_nonce: &str) -> String {
    unimplemented!("helper A")
}
