//! The agent's spool: batches the appliance has not acknowledged, kept on disk in order
//! and bounded in size, so an unreachable or failing appliance costs history only when the
//! bound is reached (the oldest go first, counted).
//!
//! One file per batch (`<seq>.batch`: magic, length, CRC-32, then the body as sent), written
//! to a temporary name, fsync'd and renamed, so a crash leaves a batch whole or absent. A
//! damaged file is skipped and counted, never fatal. Blocking file I/O: callers run it off
//! the async executor. It must not know HTTP or what a batch contains.

use std::collections::VecDeque;
use std::fs;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 4] = b"STSP";
const VERSION: u8 = 1;
const HEADER: usize = 4 + 1 + 4 + 4;
const SUFFIX: &str = ".batch";

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("creating the spool directory {path}: {source}")]
    Create { path: PathBuf, source: std::io::Error },
    #[error("reading the spool directory {path}: {source}")]
    List { path: PathBuf, source: std::io::Error },
    /// The disk is full or failing: the batch is not spooled.
    #[error("writing spooled batch {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("removing spooled batch {path}: {source}")]
    Remove { path: PathBuf, source: std::io::Error },
    #[error("a batch of {len} bytes is larger than the whole spool ({limit} bytes)")]
    TooLarge { len: usize, limit: u64 },
}

/// A batch waiting to be sent: its place in the queue and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spooled {
    pub seq: u64,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    limit: u64,
    /// (seq, bytes on disk), oldest first.
    entries: VecDeque<(u64, u64)>,
    bytes: u64,
    next_seq: u64,
    dropped: u64,
    damaged: u64,
}

impl Spool {
    /// Opens (creating it 0700 if needed) the spool in `dir`, holding at most `limit` bytes.
    /// Leftover temporary files of an interrupted write are removed.
    pub fn open(dir: &Path, limit: u64) -> Result<Self, SpoolError> {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| SpoolError::Create { path: dir.to_path_buf(), source })?;
        let list = |source| SpoolError::List { path: dir.to_path_buf(), source };
        let mut entries = Vec::new();
        for entry in fs::read_dir(dir).map_err(list)? {
            let entry = entry.map_err(list)?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            } else if let Some(seq) = name.strip_suffix(SUFFIX).and_then(|s| s.parse::<u64>().ok()) {
                entries.push((seq, entry.metadata().map_err(list)?.len()));
            }
        }
        entries.sort_unstable();
        let bytes = entries.iter().map(|e| e.1).sum();
        let next_seq = entries.last().map_or(1, |e| e.0 + 1);
        Ok(Self { dir: dir.to_path_buf(), limit, entries: entries.into(), bytes, next_seq, dropped: 0, damaged: 0 })
    }

    /// Spools a batch; if that passes the bound, the oldest batches are dropped (and
    /// counted) until it fits. Returns how many were dropped.
    pub fn push(&mut self, body: &[u8]) -> Result<u64, SpoolError> {
        let size = (HEADER + body.len()) as u64;
        if size > self.limit {
            return Err(SpoolError::TooLarge { len: body.len(), limit: self.limit });
        }
        let mut dropped = 0;
        while self.bytes + size > self.limit {
            let Some(&(seq, _)) = self.entries.front() else { break };
            self.remove(seq)?;
            dropped += 1;
        }
        self.dropped += dropped;
        let seq = self.next_seq;
        let path = self.path(seq);
        super::state::write_atomically(&path, &frame(body), 0o600)
            .map_err(|source| SpoolError::Write { path, source })?;
        self.next_seq += 1;
        self.entries.push_back((seq, size));
        self.bytes += size;
        Ok(dropped)
    }

    /// The oldest batch, read back. A damaged one is removed, counted and skipped.
    pub fn front(&mut self) -> Result<Option<Spooled>, SpoolError> {
        while let Some(&(seq, _)) = self.entries.front() {
            let path = self.path(seq);
            match fs::read(&path).ok().and_then(|bytes| unframe(&bytes)) {
                Some(body) => return Ok(Some(Spooled { seq, body })),
                None => {
                    tracing::warn!(path = %path.display(), "skipping a damaged spooled batch");
                    self.damaged += 1;
                    self.remove(seq)?;
                }
            }
        }
        Ok(None)
    }

    /// Forgets a batch the appliance acknowledged.
    pub fn pop(&mut self, seq: u64) -> Result<(), SpoolError> {
        self.remove(seq)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Batches dropped to stay within the bound since the spool was opened.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Damaged batches skipped since the spool was opened.
    pub fn damaged(&self) -> u64 {
        self.damaged
    }

    fn path(&self, seq: u64) -> PathBuf {
        self.dir.join(format!("{seq:020}{SUFFIX}"))
    }

    fn remove(&mut self, seq: u64) -> Result<(), SpoolError> {
        let path = self.path(seq);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(SpoolError::Remove { path, source }),
        }
        if let Some(i) = self.entries.iter().position(|e| e.0 == seq)
            && let Some((_, size)) = self.entries.remove(i)
        {
            self.bytes -= size;
        }
        Ok(())
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + body.len());
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

fn unframe(bytes: &[u8]) -> Option<Vec<u8>> {
    let (head, body) = bytes.split_at_checked(HEADER)?;
    let word = |at: usize| head.get(at..at + 4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes);
    let ok = head.starts_with(MAGIC)
        && head[4] == VERSION
        && word(5)? as usize == body.len()
        && word(9)? == crc32fast::hash(body);
    ok.then(|| body.to_vec())
}

#[cfg(test)]
mod tests;
