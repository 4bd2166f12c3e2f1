//! `df -P` output, with or without the type column, in whatever block size the header
//! names (`1-blocks` from `-B1`, `1024-blocks` from `-k`). Filtering and de-duplication are
//! the local collector's own (`crate::collect::io`), so both report the same filesystems; this
//! module must not grow a filter of its own that the local collector lacks.

use crate::collect::io::{Mount, dedupe_by_device, is_local_filesystem};

use super::text::{MAX_LABEL, MAX_NAME, label, uint};
use super::{Filesystem, MAX_FILESYSTEMS};

/// Rows read at most, before filtering: container hosts list thousands of overlay mounts.
const MAX_ROWS: usize = 4096;

/// The type label when `df` could not print types (busybox without `-T`).
pub(super) const UNKNOWN_TYPE: &str = "unknown";

/// What the header line says about the rows below it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Layout {
    /// A `Type` column follows the device.
    typed: bool,
    /// Bytes per block of the size columns.
    block: u64,
}

/// Local filesystems, one per device, sorted by mount point. Rows before a recognized
/// header are skipped: without it the block size is unknown, and a guess could be off by
/// a factor of 1024.
pub(super) fn filesystems(lines: &[String]) -> Vec<Filesystem> {
    let mut layout = None;
    let mut mounts = Vec::new();
    for line in lines.iter().take(MAX_ROWS) {
        if line.trim_start().starts_with("Filesystem") {
            layout = header(line);
        } else if let Some(m) = layout.and_then(|l| row(line, l)) {
            mounts.push(m);
        }
    }
    dedupe_by_device(mounts)
        .into_iter()
        .take(MAX_FILESYSTEMS)
        .map(|m| Filesystem {
            mount: m.mount,
            device: m.device,
            fstype: m.fstype,
            total: m.total,
            used: m.used,
            available: m.available,
        })
        .collect()
}

/// `Filesystem [Type] N-blocks Used Available Capacity Mounted on`.
fn header(line: &str) -> Option<Layout> {
    let mut tokens = line.split_whitespace().skip(1);
    let second = tokens.next()?;
    let (typed, blocks) = if second == "Type" { (true, tokens.next()?) } else { (false, second) };
    Some(Layout { typed, block: block_size(blocks)? })
}

/// `1-blocks`, `1B-blocks`, `512-blocks`, `1024-blocks`, `1K-blocks`, `1k-blocks`, `1M-blocks`.
fn block_size(token: &str) -> Option<u64> {
    let size = token.strip_suffix("-blocks")?;
    let split = size.find(|c: char| !c.is_ascii_digit()).unwrap_or(size.len());
    let (count, unit) = size.split_at(split);
    let unit = match unit {
        "" | "B" => 1,
        "K" | "k" => 1024,
        "M" => 1024 * 1024,
        _ => return None,
    };
    uint(count)?.checked_mul(unit).filter(|b| *b > 0)
}

/// One row, or `None` when it does not fit the layout, is not local storage, or has a label
/// that is not printable. The mount point is the rest of the line, spaces included.
fn row(line: &str, layout: Layout) -> Option<Mount> {
    let columns = if layout.typed { 6 } else { 5 };
    let (fields, mount) = leading_fields(line, columns)?;
    let source = fields[0];
    let (fstype, sizes) = if layout.typed { (fields[1], &fields[2..5]) } else { (UNKNOWN_TYPE, &fields[1..4]) };
    let capacity = fields[columns - 1];
    if !(capacity == "-" || capacity.ends_with('%')) || !mount.starts_with('/') {
        return None;
    }
    let bytes = |s: &str| uint(s)?.checked_mul(layout.block);
    let (total, used, available) = (bytes(sizes[0])?, bytes(sizes[1])?, bytes(sizes[2])?);
    let device = source.strip_prefix("/dev/").unwrap_or(source);
    // Without types, pseudo filesystems show their type as the source (`tmpfs`, `overlay`)
    // and remote ones a `host:` or `//host/` prefix: only real block devices, which always
    // start with `/`, are kept.
    let local = if layout.typed {
        is_local_filesystem(fstype, mount)
    } else {
        source.starts_with('/') && !source.starts_with("//") && is_local_filesystem(device, mount)
    };
    if total == 0 || !local {
        return None;
    }
    Some(Mount {
        mount: label(mount, MAX_LABEL)?,
        device: label(device, MAX_NAME)?,
        fstype: label(fstype, MAX_LABEL)?,
        total,
        available,
        used,
        read: 0,
        written: 0,
    })
}

/// The first `n` whitespace-separated fields, and the rest of the line after them.
fn leading_fields(line: &str, n: usize) -> Option<(Vec<&str>, &str)> {
    let mut rest = line;
    let mut fields = Vec::with_capacity(n);
    for _ in 0..n {
        rest = rest.trim_start();
        let end = rest.find(char::is_whitespace)?;
        fields.push(&rest[..end]);
        rest = &rest[end..];
    }
    Some((fields, rest.trim()))
}
