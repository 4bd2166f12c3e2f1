//! Rollups: min, max, sum, count and last of a series over fixed buckets (1 minute and
//! 1 hour), and how a bucket list is stored (five compressed columns).
//! Pure functions; the sealer decides when they run.

use super::codec::{self, CodecError};

pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 3_600_000;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub ts: i64,
    pub min: f64,
    pub max: f64,
    pub sum: f64,
    pub count: u64,
    pub last: f64,
}

impl Bucket {
    pub fn of(ts: i64, v: f64) -> Self {
        Self { ts, min: v, max: v, sum: v, count: 1, last: v }
    }

    /// Folds a later bucket (or sample set) of the same span into this one.
    pub fn absorb(&mut self, other: &Bucket) {
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sum += other.sum;
        self.count += other.count;
        self.last = other.last;
    }

    pub fn avg(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.sum / self.count as f64 }
    }
}

/// Buckets of `step` ms over sorted samples. Sums of decimal values are added as integers,
/// so 0.1 + 0.2 is stored as 0.3: exact, and the column stays compressible.
pub fn rollup(samples: &[(i64, f64)], step: i64) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = Vec::new();
    let mut start = 0;
    while start < samples.len() {
        let ts = samples[start].0.div_euclid(step) * step;
        let end = start + samples[start..].partition_point(|s| s.0 < ts + step);
        let slice = &samples[start..end];
        let mut b = Bucket::of(ts, slice[0].1);
        for &(_, v) in &slice[1..] {
            b.min = b.min.min(v);
            b.max = b.max.max(v);
            b.last = v;
        }
        b.count = slice.len() as u64;
        b.sum = exact_sum(slice.iter().map(|s| s.1));
        out.push(b);
        start = end;
    }
    out
}

fn exact_sum(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let Some(scale) = values.clone().try_fold(0u32, |d, v| decimal_scale(v).map(|s| s.max(d))) else {
        return values.sum();
    };
    let factor = 10f64.powi(scale as i32);
    let total: i128 = values.map(|v| (v * factor).round() as i128).sum();
    // Integers beyond 2^53 lose precision as f64 either way; the plain sum is as good.
    if total.unsigned_abs() > 1u128 << 53 {
        return (total as f64) / factor;
    }
    if scale == 0 { total as f64 } else { (total as f64) / factor }
}

/// The fewest decimals (up to 6) that write `v` exactly, as the codec checks it.
fn decimal_scale(v: f64) -> Option<u32> {
    (0..=6u32).find(|&d| {
        let factor = 10f64.powi(d as i32);
        let k = (v * factor).round();
        k.abs() <= 9_007_199_254_740_992.0 && (if d == 0 { k } else { k / factor }).to_bits() == v.to_bits()
    })
}

pub fn encode(buckets: &[Bucket]) -> Result<Vec<u8>, CodecError> {
    let ts: Vec<i64> = buckets.iter().map(|b| b.ts).collect();
    let col = |f: fn(&Bucket) -> f64| buckets.iter().map(f).collect::<Vec<f64>>();
    let (min, max, sum, count, last) =
        (col(|b| b.min), col(|b| b.max), col(|b| b.sum), col(|b| b.count as f64), col(|b| b.last));
    codec::encode(&ts, &[&min, &max, &sum, &count, &last])
}

pub fn decode(bytes: &[u8]) -> Result<Vec<Bucket>, CodecError> {
    let c = codec::decode(bytes)?;
    let [min, max, sum, count, last] = c.cols.as_slice() else {
        return Err(CodecError::BadHeader(format!("rollup chunk has {} columns, not 5", c.cols.len())));
    };
    Ok(c.ts
        .iter()
        .enumerate()
        .map(|(i, &ts)| Bucket { ts, min: min[i], max: max[i], sum: sum[i], count: count[i] as u64, last: last[i] })
        .collect())
}

/// Merges bucket lists sorted by time; where both have a bucket, `newer`'s wins.
pub fn merge(older: Vec<Bucket>, newer: &[Bucket]) -> Vec<Bucket> {
    let mut out: Vec<Bucket> =
        older.into_iter().filter(|b| newer.binary_search_by_key(&b.ts, |n| n.ts).is_err()).collect();
    out.extend_from_slice(newer);
    out.sort_by_key(|b| b.ts);
    out
}

/// Merges bucket lists sorted by time, folding buckets of the same time together: for
/// parts of one bucket's samples, `newer` holding the later ones.
pub fn fold(older: Vec<Bucket>, newer: &[Bucket]) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = Vec::with_capacity(older.len() + newer.len());
    let (mut a, mut b) = (older.into_iter().peekable(), newer.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x.ts < y.ts => a.next(),
            (Some(x), Some(y)) if x.ts == y.ts => a.next().map(|mut x| {
                x.absorb(y);
                b.next();
                x
            }),
            (Some(_), None) => a.next(),
            (_, Some(_)) => b.next().copied(),
            (None, None) => break,
        };
        out.extend(next);
    }
    out
}

#[cfg(test)]
mod tests;
