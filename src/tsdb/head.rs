//! The head: samples of windows not yet sealed, per series, in memory, plus the latest
//! sample of every series. It is rebuilt from the write-ahead table at start, so it holds
//! nothing that is not already durable.

/// Raw samples are sealed in chunks of one hour, aligned to the epoch, so a window maps to
/// exactly one 1-hour rollup point and sixty 1-minute points.
pub const WINDOW_MS: i64 = 3_600_000;

pub fn window_of(ts: i64) -> i64 {
    ts.div_euclid(WINDOW_MS) * WINDOW_MS
}

#[derive(Debug, Default, Clone)]
pub struct Window {
    /// Sorted by timestamp, one sample per timestamp.
    pub samples: Vec<(i64, f64)>,
    /// The oldest write-ahead row holding one of these samples: rows from there on must
    /// stay until this window is sealed.
    pub min_seq: u64,
}

impl Window {
    /// Keeps samples sorted; a second sample for a timestamp replaces the first (last write
    /// wins, the documented rule). Returns whether a sample was replaced.
    fn insert(&mut self, ts: i64, value: f64) -> bool {
        match self.samples.last() {
            Some(&(last, _)) if ts > last => {
                self.samples.push((ts, value));
                false
            }
            None => {
                self.samples.push((ts, value));
                false
            }
            _ => match self.samples.binary_search_by_key(&ts, |s| s.0) {
                Ok(i) => {
                    self.samples[i].1 = value;
                    true
                }
                Err(i) => {
                    self.samples.insert(i, (ts, value));
                    false
                }
            },
        }
    }
}

/// One series' unsealed windows (sorted by start; nearly always one or two) and its
/// newest sample.
#[derive(Debug, Default)]
struct Slot {
    windows: Vec<(i64, Window)>,
    latest: Option<(i64, f64)>,
}

/// Series ids are dense, so slots live in a vector indexed by id: a sample costs one
/// bounds-checked index instead of hash lookups (this runs once per ingested sample on
/// the writer thread).
#[derive(Debug, Default)]
pub struct Head {
    slots: Vec<Slot>,
    samples: usize,
}

impl Head {
    fn slot(&self, id: u32) -> Option<&Slot> {
        self.slots.get(id as usize)
    }

    /// Adds one sample written in write-ahead row `seq`. Returns true if it replaced one.
    pub fn insert(&mut self, id: u32, ts: i64, value: f64, seq: u64) -> bool {
        let i = id as usize;
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, Slot::default);
        }
        let slot = &mut self.slots[i];
        let start = window_of(ts);
        let at = match slot.windows.iter().rposition(|(s, _)| *s <= start) {
            Some(p) if slot.windows[p].0 == start => p,
            found => {
                let p = found.map_or(0, |p| p + 1);
                slot.windows.insert(p, (start, Window { samples: Vec::new(), min_seq: seq }));
                p
            }
        };
        let window = &mut slot.windows[at].1;
        window.min_seq = window.min_seq.min(seq);
        let replaced = window.insert(ts, value);
        if !replaced {
            self.samples += 1;
        }
        if slot.latest.is_none_or(|(t, _)| ts >= t) {
            slot.latest = Some((ts, value));
        }
        replaced
    }

    fn windows(&self) -> impl Iterator<Item = (u32, i64, &Window)> {
        self.slots.iter().enumerate().flat_map(|(id, s)| s.windows.iter().map(move |(start, w)| (id as u32, *start, w)))
    }

    /// Windows that ended at or before `cutoff`, oldest first, at most `limit`.
    pub fn due(&self, cutoff: i64, limit: usize) -> Vec<(u32, i64)> {
        let mut due: Vec<(u32, i64)> = self
            .windows()
            .filter(|(_, start, _)| start + WINDOW_MS <= cutoff)
            .map(|(id, start, _)| (id, start))
            .collect();
        due.sort_by_key(|&(id, start)| (start, id));
        due.truncate(limit);
        due
    }

    pub fn window(&self, id: u32, start: i64) -> Option<&Window> {
        self.slot(id)?.windows.iter().find(|(s, _)| *s == start).map(|(_, w)| w)
    }

    pub fn remove(&mut self, id: u32, start: i64) {
        if let Some(slot) = self.slots.get_mut(id as usize)
            && let Some(p) = slot.windows.iter().position(|(s, _)| *s == start)
        {
            self.samples -= slot.windows.remove(p).1.samples.len();
        }
    }

    /// Forgets a series entirely (its host was deleted).
    pub fn drop_series(&mut self, id: u32) {
        if let Some(slot) = self.slots.get_mut(id as usize) {
            self.samples -= slot.windows.iter().map(|(_, w)| w.samples.len()).sum::<usize>();
            *slot = Slot::default();
        }
    }

    /// The oldest write-ahead row still needed, ignoring the windows in `except`.
    pub fn min_seq_except(&self, except: &[(u32, i64)]) -> Option<u64> {
        let skip: std::collections::HashSet<(u32, i64)> = except.iter().copied().collect();
        self.windows().filter(|(id, start, _)| !skip.contains(&(*id, *start))).map(|(_, _, w)| w.min_seq).min()
    }

    /// Copies of the windows of `id` overlapping `[from, to)`.
    pub fn windows_in(&self, id: u32, from: i64, to: i64) -> Vec<(i64, Vec<(i64, f64)>)> {
        let Some(slot) = self.slot(id) else { return Vec::new() };
        slot.windows
            .iter()
            .filter(|(start, _)| *start >= window_of(from) && *start < to)
            .map(|(start, w)| {
                let lo = w.samples.partition_point(|s| s.0 < from);
                let hi = w.samples.partition_point(|s| s.0 < to);
                (*start, w.samples[lo..hi].to_vec())
            })
            .filter(|(_, s)| !s.is_empty())
            .collect()
    }

    pub fn latest(&self, id: u32) -> Option<(i64, f64)> {
        self.slot(id)?.latest
    }

    /// Samples held in memory, for status and limits.
    pub fn samples(&self) -> usize {
        self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_order_and_duplicate_samples_keep_the_window_sorted() {
        let mut head = Head::default();
        head.insert(1, 5_000, 5.0, 3);
        head.insert(1, 1_000, 1.0, 4);
        assert!(head.insert(1, 5_000, 6.0, 5), "a second sample at a timestamp replaces the first");
        head.insert(1, 3_000, 3.0, 6);
        let w = head.window(1, 0).unwrap();
        assert_eq!(w.samples, vec![(1_000, 1.0), (3_000, 3.0), (5_000, 6.0)]);
        assert_eq!(w.min_seq, 3);
        assert_eq!(head.samples(), 3);
        assert_eq!(head.latest(1), Some((5_000, 6.0)));
    }

    #[test]
    fn due_windows_are_those_that_ended_oldest_first() {
        let mut head = Head::default();
        head.insert(2, WINDOW_MS + 1, 1.0, 1);
        head.insert(1, 2 * WINDOW_MS + 1, 1.0, 2);
        head.insert(1, 10, 1.0, 3);
        assert_eq!(head.due(2 * WINDOW_MS, 10), vec![(1, 0), (2, WINDOW_MS)]);
        assert_eq!(head.due(2 * WINDOW_MS, 1), vec![(1, 0)]);
        assert_eq!(head.min_seq_except(&[(1, 0), (2, WINDOW_MS)]), Some(2));
        head.remove(1, 0);
        assert_eq!(head.samples(), 2);
    }

    #[test]
    fn negative_timestamps_fall_in_the_right_window() {
        assert_eq!(window_of(-1), -WINDOW_MS);
        assert_eq!(window_of(0), 0);
        assert_eq!(window_of(WINDOW_MS - 1), 0);
    }
}
