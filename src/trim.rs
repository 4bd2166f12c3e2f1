//! Giving start-up memory back: once a process (the agent, `steward serve`) runs steadily,
//! the read-only pages of its binary and libraries that only start-up needed (argument
//! parsing, configuration, migrations, TLS set-up...) are handed back to the kernel.
//!
//! Why: start-up touches code all over the binary, and the kernel maps each fault on code
//! with 64 KiB of cached neighbours (fault-around), so a freshly started process has most
//! of its binary resident although its steady work needs a fraction of it. The README's
//! Measured section gives what it is worth. Pages shared with other processes are left
//! alone by the kernel; nothing is written or unmapped, so no behaviour changes. It must
//! not touch writable or anonymous memory.

use std::io;

/// [`give_back_startup_pages`] off the executor; the outcome is only logged, since this is
/// an optimisation and nothing depends on it.
pub async fn give_back() {
    match crate::blocking::run(give_back_startup_pages).await {
        Ok(Ok(bytes)) => tracing::debug!(bytes, "start-up pages given back to the kernel"),
        Ok(Err(e)) => tracing::debug!(error = %e, "could not give start-up pages back"),
        Err(e) => tracing::debug!(error = %e, "could not give start-up pages back"),
    }
}

/// Read-only file mappings of this process that hold no private (copied-on-write) page, as
/// `(start, length)`, from `/proc/self/smaps`. A mapping with private pages (relocated
/// read-only data, a debugger's breakpoint) is left out: dropping its pages would lose them.
fn clean_read_only_file_mappings(smaps: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    for line in smaps.lines() {
        let mut parts = line.split_whitespace();
        let (Some(first), Some(second)) = (parts.next(), parts.next()) else { continue };
        if first == "Anonymous:" {
            // Only a mapping that has none stays a candidate.
            if second != "0" {
                current = None;
            }
        } else if let Some((start, end)) = first.split_once('-') {
            found.extend(current.take());
            let path = parts.nth(3).unwrap_or("");
            let range = usize::from_str_radix(start, 16).ok().zip(usize::from_str_radix(end, 16).ok());
            if let (true, false, Some((start, end))) = (path.starts_with('/'), second.contains('w'), range) {
                current = (end > start).then_some((start, end - start));
            }
        }
    }
    found.extend(current);
    found
}

/// Drops this process's mappings of the pages of its read-only file mappings (code and
/// constants of the binary and its libraries); returns the bytes advised. The pages stay in
/// the page cache, so the ones still in use come back on their next touch without reading
/// the disk, each with its fault-around window.
// The crate's one unsafe call (`unsafe_code` is denied elsewhere): madvise takes a raw
// address range; why this one is sound is the SAFETY note below.
#[allow(unsafe_code)]
pub fn give_back_startup_pages() -> io::Result<usize> {
    use rustix::mm::{Advice, madvise};
    let smaps = std::fs::read_to_string("/proc/self/smaps")?;
    let mut advised = 0;
    for (start, len) in clean_read_only_file_mappings(&smaps) {
        let addr = start as *mut std::ffi::c_void;
        // SAFETY: the range is a whole read-only, file-backed mapping of this process, as
        // the kernel just listed it, holding no private page. For such a mapping
        // MADV_DONTNEED only removes page-table entries: the next access maps the same file
        // page again, so contents, protection and validity stay as they were and no
        // reference into the memory is affected. Without write permission no private page
        // can appear between the listing and this call.
        // A mapping can also vanish in between (a library unloaded): the call then fails
        // or advises nothing, and this is only an optimisation either way.
        if unsafe { madvise(addr, len, Advice::LinuxDontNeed) }.is_ok() {
            advised += len;
        }
    }
    Ok(advised)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_clean_read_only_file_mappings_are_advised() {
        let smaps = "\
5600-5700 r--p 00000000 fd:01 123 /usr/bin/steward
Rss:                   8 kB
Anonymous:             0 kB
5700-5900 r-xp 00100000 fd:01 123 /usr/bin/steward
Anonymous:             0 kB
VmFlags: rd ex mr mw me
5880-5900 r--p 00200000 fd:01 123 /usr/bin/steward
Anonymous:           128 kB
5900-5a00 rw-p 00300000 fd:01 123 /usr/bin/steward
Anonymous:             0 kB
6000-7000 rw-p 00000000 00:00 0 [heap]
Anonymous:             4 kB
7000-7100 r--p 00000000 00:00 0
Anonymous:             0 kB
7100-7200 r-xp 00000000 fd:01 9 /usr/lib/libc.so.6
Anonymous:             0 kB
";
        assert_eq!(
            super::clean_read_only_file_mappings(smaps),
            vec![(0x5600, 0x100), (0x5700, 0x200), (0x7100, 0x100)]
        );
    }

    #[test]
    fn giving_pages_back_keeps_this_process_working() {
        assert!(super::give_back_startup_pages().unwrap() > 0);
        assert_eq!(std::hint::black_box(2 + 2), 4);
    }
}
