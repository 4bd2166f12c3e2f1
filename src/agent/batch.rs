//! One collection cycle as the body the ingest API takes, compressed and framed with its
//! encoding, so a spooled batch is replayed byte for byte (same `ingest_id`, counted once).
//!
//! Pure: it must not do I/O.

use std::io::Write;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use super::config::Compression;
use crate::collect::{Collection, Facts, Reading};

/// A batch ready to send: first byte says the encoding, the rest is the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framed(pub Vec<u8>);

impl Framed {
    /// The `Content-Encoding` to send, or `None` for identity; `None` as a whole when the
    /// frame is damaged.
    pub fn parts(&self) -> Option<(Option<&'static str>, &[u8])> {
        let (tag, body) = self.0.split_first()?;
        let encoding = match tag {
            b'z' => Some("zstd"),
            b'g' => Some("gzip"),
            b'n' => None,
            _ => return None,
        };
        Some((encoding, body))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MachineOut {
    pub hostname: String,
    pub os: String,
    pub fingerprint: String,
}

/// Builds the batches of one agent run. `ingest_id`s are `<run>-<n>`: a random run id
/// keeps them unique across restarts without storing a counter.
#[derive(Debug)]
pub struct Builder {
    machine: MachineOut,
    interval_s: u32,
    labels: Vec<(String, String)>,
    compression: Compression,
    run: String,
    next: u64,
}

#[derive(Serialize)]
struct Body<'a> {
    ingest_id: &'a str,
    sent_at: i64,
    machine: &'a MachineOut,
    interval_s: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    facts: Option<&'a Facts>,
    metrics: Metrics<'a>,
}

struct Metrics<'a> {
    readings: &'a [Reading],
    extra: &'a [(String, String)],
}

struct Metric<'a> {
    reading: &'a Reading,
    extra: &'a [(String, String)],
}

struct LabelMap<'a>(&'a Metric<'a>);

impl Serialize for Metrics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.readings.len()))?;
        for reading in self.readings {
            seq.serialize_element(&Metric { reading, extra: self.extra })?;
        }
        seq.end()
    }
}

impl Serialize for Metric<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("name", self.reading.name)?;
        if !self.reading.labels.is_empty() || !self.extra.is_empty() {
            map.serialize_entry("labels", &LabelMap(self))?;
        }
        map.serialize_entry("value", &self.reading.value)?;
        map.end()
    }
}

impl Serialize for LabelMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Metric { reading, extra } = self.0;
        let mut map = s.serialize_map(Some(reading.labels.len() + extra.len()))?;
        for (k, v) in &reading.labels {
            map.serialize_entry(k, v)?;
        }
        for (k, v) in *extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Builder {
    pub fn new(machine: MachineOut, interval_s: u32, labels: Vec<(String, String)>, compression: Compression) -> Self {
        let mut run = [0u8; 6];
        // Without randomness the time of start keeps runs apart well enough.
        if getrandom::fill(&mut run).is_err() {
            let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
            run.copy_from_slice(&nanos.to_le_bytes()[..6]);
        }
        Self { machine, interval_s, labels, compression, run: hex::encode(run), next: 1 }
    }

    pub fn machine(&self) -> &MachineOut {
        &self.machine
    }

    /// The uncompressed JSON body of one collection, with a fresh `ingest_id`.
    pub fn json(&mut self, collection: &Collection, facts: Option<&Facts>) -> Vec<u8> {
        let ingest_id = format!("{}-{}", self.run, self.next);
        self.next += 1;
        let body = Body {
            ingest_id: &ingest_id,
            sent_at: collection.ts_ms,
            machine: &self.machine,
            interval_s: self.interval_s,
            facts,
            metrics: Metrics { readings: &collection.readings, extra: &self.labels },
        };
        // Serializing plain strings, numbers and maps with string keys cannot fail.
        serde_json::to_vec(&body).unwrap_or_default()
    }

    /// `json` compressed as configured, framed with its encoding.
    pub fn frame(&self, json: &[u8]) -> std::io::Result<Framed> {
        let mut out = Vec::with_capacity(json.len() / 4 + 16);
        match self.compression {
            Compression::Zstd => {
                out.push(b'z');
                out.extend_from_slice(&zstd::bulk::compress(json, 3)?);
            }
            Compression::Gzip => {
                out.push(b'g');
                let mut enc = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
                enc.write_all(json)?;
                out = enc.finish()?;
            }
            Compression::None => {
                out.push(b'n');
                out.extend_from_slice(json);
            }
        }
        Ok(Framed(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collection() -> Collection {
        Collection {
            ts_ms: 1_764_000_000_000,
            readings: vec![
                Reading { name: "cpu.usage_pct", labels: vec![], value: 12.5 },
                Reading { name: "fs.used_bytes", labels: vec![("mount", "/".into())], value: 7.0 },
            ],
        }
    }

    fn builder(compression: Compression) -> Builder {
        let machine = MachineOut { hostname: "web-1".into(), os: "Debian".into(), fingerprint: "fp".into() };
        Builder::new(machine, 5, vec![("env".into(), "prod".into())], compression)
    }

    #[test]
    fn a_batch_is_what_the_ingest_api_parses() {
        let mut b = builder(Compression::None);
        let json = b.json(&collection(), None);
        let batch = crate::ingest::body::parse(&json, 0, 100).unwrap();
        assert_eq!(batch.machine.fingerprint, "fp");
        assert_eq!(batch.samples.len(), 2);
        assert!(batch.samples.iter().all(|s| s.ts == 1_764_000_000_000));
        let fs = batch.samples.iter().find(|s| s.key.metric.as_str() == "fs.used_bytes").unwrap();
        assert_eq!(fs.key.labels.get("mount"), Some("/"));
        assert_eq!(fs.key.labels.get("env"), Some("prod"));
        let second = b.json(&collection(), None);
        let id = |j: &[u8]| crate::ingest::body::parse(j, 0, 100).unwrap().ingest_id.unwrap();
        assert_ne!(id(&json), id(&second), "every batch has its own ingest_id");
    }

    #[test]
    fn frames_carry_their_encoding_and_decompress_to_the_body() {
        use std::io::Read;
        let json = builder(Compression::None).json(&collection(), None);
        for compression in [Compression::Zstd, Compression::Gzip, Compression::None] {
            let framed = builder(compression).frame(&json).unwrap();
            let (encoding, body) = framed.parts().unwrap();
            let plain = match encoding {
                Some("zstd") => zstd::bulk::decompress(body, 1 << 20).unwrap(),
                Some("gzip") => {
                    let mut out = Vec::new();
                    flate2::read::GzDecoder::new(body).read_to_end(&mut out).unwrap();
                    out
                }
                _ => body.to_vec(),
            };
            assert_eq!(plain, json);
        }
        assert_eq!(Framed(b"x".to_vec()).parts(), None);
        assert_eq!(Framed(Vec::new()).parts(), None);
    }
}
