//! The in-memory series index: which id names which (host, series key), and the series of
//! each host. Loaded from `ts_series` at start; only the writer adds to it, after the
//! commit that stored the new series.

use std::collections::HashMap;
use std::sync::Arc;

use super::SeriesKey;

#[derive(Debug, Clone)]
pub struct SeriesInfo {
    pub key: Arc<SeriesKey>,
}

/// Keys come from machines, so the hasher is seeded per process (foldhash: fast on short
/// strings, which SipHash is not, and not predictable from outside).
type KeyMap = HashMap<Arc<SeriesKey>, u32, foldhash::fast::RandomState>;

#[derive(Debug, Default)]
pub struct Index {
    by_key: HashMap<u64, KeyMap>,
    /// Ids are dense: a vector indexed by id.
    by_id: Vec<Option<SeriesInfo>>,
    by_host: HashMap<u64, Vec<u32>>,
    count: usize,
    pub next_id: u32,
}

impl Index {
    pub fn get(&self, host: u64, key: &SeriesKey) -> Option<u32> {
        self.by_key.get(&host)?.get(key).copied()
    }

    pub fn info(&self, id: u32) -> Option<&SeriesInfo> {
        self.by_id.get(id as usize)?.as_ref()
    }

    pub fn insert(&mut self, id: u32, host: u64, key: Arc<SeriesKey>) {
        self.by_key.entry(host).or_default().insert(key.clone(), id);
        let i = id as usize;
        if i >= self.by_id.len() {
            self.by_id.resize(i + 1, None);
        }
        if self.by_id[i].replace(SeriesInfo { key }).is_none() {
            self.count += 1;
        }
        self.by_host.entry(host).or_default().push(id);
        self.next_id = self.next_id.max(id.saturating_add(1));
    }

    pub fn host_series(&self, host: u64) -> &[u32] {
        self.by_host.get(&host).map_or(&[], Vec::as_slice)
    }

    pub fn host_count(&self, host: u64) -> usize {
        self.host_series(host).len()
    }

    pub fn series(&self) -> usize {
        self.count
    }

    /// Ids of live series from `from` on, ascending.
    pub fn ids_from(&self, from: u32) -> impl Iterator<Item = u32> + '_ {
        self.by_id.iter().enumerate().skip(from as usize).filter(|(_, i)| i.is_some()).map(|(id, _)| id as u32)
    }

    /// Forgets a host's series (the host was deleted); returns their ids.
    pub fn remove_host(&mut self, host: u64) -> Vec<u32> {
        let ids = self.by_host.remove(&host).unwrap_or_default();
        self.by_key.remove(&host);
        for &id in &ids {
            if self.by_id.get_mut(id as usize).and_then(Option::take).is_some() {
                self.count -= 1;
            }
        }
        ids
    }
}
