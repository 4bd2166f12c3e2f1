//! Write-ahead rows: one row per acknowledged batch, holding its host, its ingest id and
//! its samples. Cheap to write and to replay; dropped once every sample in it is sealed
//! into a chunk.
//!
//! A sample is (series id, timestamp, value bits): ids and timestamps as zigzag varint
//! deltas from the previous sample (a batch is mostly consecutive ids at one time, so a
//! byte each), values as their 8 raw bytes. About 10 bytes a sample instead of 20: half the
//! bytes to fsync, and half the pages the table churns through.

use super::TsdbError;

const VERSION: u8 = 2;

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub host: u64,
    pub ingest_id: Option<String>,
    pub samples: Vec<(u32, i64, f64)>,
}

pub fn encode(host: u64, ingest_id: Option<&str>, samples: &[(u32, i64, f64)]) -> Vec<u8> {
    let id = ingest_id.unwrap_or_default().as_bytes();
    let id = &id[..id.len().min(255)];
    let mut out = Vec::with_capacity(16 + id.len() + samples.len() * 11);
    out.push(VERSION);
    out.extend_from_slice(&host.to_le_bytes());
    // Ingest ids are at most 64 bytes ([`super::IngestId`]); the cut above only keeps a
    // longer one from corrupting the row.
    out.push(id.len() as u8);
    out.extend_from_slice(id);
    put_varint(&mut out, samples.len() as u64);
    let (mut prev_id, mut prev_ts) = (0i64, 0i64);
    for &(series, ts, v) in samples {
        put_varint(&mut out, zigzag(i64::from(series).wrapping_sub(prev_id)));
        put_varint(&mut out, zigzag(ts.wrapping_sub(prev_ts)));
        out.extend_from_slice(&v.to_bits().to_le_bytes());
        (prev_id, prev_ts) = (i64::from(series), ts);
    }
    out
}

pub fn decode(bytes: &[u8]) -> Result<Row, TsdbError> {
    let torn = || TsdbError::Corrupt(format!("write-ahead row of {} bytes is torn", bytes.len()));
    let mut r = Reader(bytes);
    let version = r.take(1).ok_or_else(torn)?[0];
    if version != VERSION {
        return Err(TsdbError::Corrupt(format!("write-ahead row has unknown version {version}")));
    }
    let host = u64::from_le_bytes(r.array().ok_or_else(torn)?);
    let id_len = r.take(1).ok_or_else(torn)?[0];
    let id = r.take(usize::from(id_len)).ok_or_else(torn)?;
    let ingest_id = match id_len {
        0 => None,
        _ => Some(String::from_utf8(id.to_vec()).map_err(|_| torn())?),
    };
    let count = r.varint().ok_or_else(torn)?;
    // Each sample takes at least 10 bytes: a count beyond that is a lie, not an allocation.
    if count > (r.0.len() / 10) as u64 {
        return Err(torn());
    }
    let mut samples = Vec::with_capacity(count as usize);
    let (mut id, mut ts) = (0i64, 0i64);
    for _ in 0..count {
        id = id.wrapping_add(unzigzag(r.varint().ok_or_else(torn)?));
        ts = ts.wrapping_add(unzigzag(r.varint().ok_or_else(torn)?));
        let v = f64::from_bits(u64::from_le_bytes(r.array().ok_or_else(torn)?));
        samples.push((u32::try_from(id).map_err(|_| torn())?, ts, v));
    }
    if !r.0.is_empty() {
        return Err(torn());
    }
    Ok(Row { host, ingest_id, samples })
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.take(1)?[0];
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    #[test]
    fn rows_round_trip_and_torn_rows_are_refused() {
        let rows = vec![(1, -5, f64::NAN), (u32::MAX, i64::MAX, -0.0), (7, i64::MIN, 1.5), (0, 0, 2.0)];
        let bytes = super::encode(42, Some("batch-1"), &rows);
        let back = super::decode(&bytes).unwrap();
        assert_eq!((back.host, back.ingest_id.as_deref()), (42, Some("batch-1")));
        assert_eq!(back.samples.len(), rows.len());
        for (a, b) in rows.iter().zip(&back.samples) {
            assert_eq!((a.0, a.1, a.2.to_bits()), (b.0, b.1, b.2.to_bits()));
        }
        assert!(super::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(super::decode(&[bytes.as_slice(), &[0]].concat()).is_err());
        assert!(super::decode(&[]).is_err());
        assert!(super::decode(&[9]).is_err());
        let anonymous = super::decode(&super::encode(1, None, &[])).unwrap();
        assert_eq!(anonymous.ingest_id, None);
    }

    #[test]
    fn a_typical_batch_takes_about_ten_bytes_a_sample() {
        let rows: Vec<(u32, i64, f64)> = (0..1000).map(|i| (100 + i, 1_764_000_000_000, f64::from(i) / 10.0)).collect();
        let bytes = super::encode(1, Some("b"), &rows);
        assert!(bytes.len() <= 1000 * 10 + 32, "{} bytes", bytes.len());
    }

    proptest! {
        #[test]
        fn any_row_round_trips(rows in prop::collection::vec((any::<u32>(), any::<i64>(), any::<u64>()), 0..200)) {
            let rows: Vec<(u32, i64, f64)> = rows.into_iter().map(|(a, b, c)| (a, b, f64::from_bits(c))).collect();
            let back = super::decode(&super::encode(7, None, &rows)).unwrap();
            let bits: Vec<(u32, i64, u64)> = back.samples.iter().map(|s| (s.0, s.1, s.2.to_bits())).collect();
            prop_assert_eq!(bits, rows.iter().map(|s| (s.0, s.1, s.2.to_bits())).collect::<Vec<_>>());
        }

        #[test]
        fn decoding_garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = super::decode(&bytes);
        }
    }
}
