//! Write-ahead rows: one row per acknowledged batch, holding its host, its ingest id and
//! its samples as fixed-width records (series id, timestamp, value bits). Cheap to write
//! and to replay; dropped once every sample in it is sealed into a chunk.

use super::TsdbError;

const VERSION: u8 = 1;
const RECORD: usize = 4 + 8 + 8;

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub host: u64,
    pub ingest_id: Option<String>,
    pub samples: Vec<(u32, i64, f64)>,
}

pub fn encode(host: u64, ingest_id: Option<&str>, samples: &[(u32, i64, f64)]) -> Vec<u8> {
    let id = ingest_id.unwrap_or_default().as_bytes();
    let mut out = Vec::with_capacity(10 + id.len() + samples.len() * RECORD);
    out.push(VERSION);
    out.extend_from_slice(&host.to_le_bytes());
    // Ingest ids are checked to be at most 64 bytes before they get here.
    out.push(id.len().min(255) as u8);
    out.extend_from_slice(&id[..id.len().min(255)]);
    for &(series, ts, v) in samples {
        out.extend_from_slice(&series.to_le_bytes());
        out.extend_from_slice(&ts.to_le_bytes());
        out.extend_from_slice(&v.to_bits().to_le_bytes());
    }
    out
}

pub fn decode(bytes: &[u8]) -> Result<Row, TsdbError> {
    let torn = || TsdbError::Corrupt(format!("write-ahead row of {} bytes is torn", bytes.len()));
    let (&version, rest) = bytes.split_first().ok_or_else(torn)?;
    if version != VERSION {
        return Err(TsdbError::Corrupt(format!("write-ahead row has unknown version {version}")));
    }
    let (host, rest) = rest.split_at_checked(8).ok_or_else(torn)?;
    let (&id_len, rest) = rest.split_first().ok_or_else(torn)?;
    let (id, records) = rest.split_at_checked(usize::from(id_len)).ok_or_else(torn)?;
    if !records.len().is_multiple_of(RECORD) {
        return Err(torn());
    }
    let ingest_id = match id_len {
        0 => None,
        _ => Some(String::from_utf8(id.to_vec()).map_err(|_| torn())?),
    };
    let samples = records
        .chunks_exact(RECORD)
        .map(|r| {
            (
                u32::from_le_bytes(arr(&r[..4])),
                i64::from_le_bytes(arr(&r[4..12])),
                f64::from_bits(u64::from_le_bytes(arr(&r[12..]))),
            )
        })
        .collect();
    Ok(Row { host: u64::from_le_bytes(arr(host)), ingest_id, samples })
}

/// Slices of checked lengths into arrays; the lengths are fixed by `chunks_exact` and
/// `split_at_checked` above, so the fallback zeros are unreachable.
fn arr<const N: usize>(s: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    if s.len() == N {
        a.copy_from_slice(s);
    }
    a
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_round_trip_and_torn_rows_are_refused() {
        let rows = vec![(1, -5, f64::NAN), (u32::MAX, i64::MAX, -0.0), (7, 0, 1.5)];
        let bytes = super::encode(42, Some("batch-1"), &rows);
        let back = super::decode(&bytes).unwrap();
        assert_eq!((back.host, back.ingest_id.as_deref()), (42, Some("batch-1")));
        for (a, b) in rows.iter().zip(&back.samples) {
            assert_eq!((a.0, a.1, a.2.to_bits()), (b.0, b.1, b.2.to_bits()));
        }
        assert!(super::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(super::decode(&[]).is_err());
        assert!(super::decode(&[9]).is_err());
        let anonymous = super::decode(&super::encode(1, None, &[])).unwrap();
        assert_eq!(anonymous.ingest_id, None);
    }
}
