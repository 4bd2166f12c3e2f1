//! The ingest body, parsed in one pass with borrowed strings (the hot path), checked into
//! typed samples, and explained field by field when it does not fit.
//!
//! ```json
//! {"ingest_id": "a1b2", "sent_at": "2026-11-24T10:00:00Z",
//!  "machine": {"hostname": "web-1", "os": "Debian 12", "fingerprint": "4f1c..."},
//!  "interval_s": 5, "facts": {...},
//!  "metrics": [{"name": "cpu.usage_pct", "labels": {}, "value": 12.5, "ts": 1764000000000}]}
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use utoipa::ToSchema;

use super::IngestError;
use crate::collect::Facts;
use crate::hosts::Machine;
use crate::tsdb::{IngestId, Labels, MAX_LABELS, MetricName, Sample, SeriesKey};

/// A time: ms since the Unix epoch, or an RFC 3339 string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Millis(pub i64);

impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Millis;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("ms since the Unix epoch or an RFC 3339 time")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Millis, E> {
                Ok(Millis(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Millis, E> {
                i64::try_from(v).map(Millis).map_err(|_| E::custom("time out of range"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Millis, E> {
                let t = time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
                    .map_err(|_| E::custom(format!("{v:?} is not an RFC 3339 time")))?;
                i64::try_from(t.unix_timestamp_nanos() / 1_000_000)
                    .map(Millis)
                    .map_err(|_| E::custom("time out of range"))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineIn<'a> {
    #[serde(borrow)]
    pub hostname: Cow<'a, str>,
    #[serde(borrow, default)]
    pub os: Cow<'a, str>,
    #[serde(borrow)]
    pub fingerprint: Cow<'a, str>,
}

/// Labels as they arrive: a JSON object, kept borrowed until checked.
#[derive(Debug, Default)]
pub struct LabelsIn<'a>(SmallVec<[(Cow<'a, str>, Cow<'a, str>); 4]>);

impl<'de: 'a, 'a> Deserialize<'de> for LabelsIn<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = LabelsIn<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of string labels")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<LabelsIn<'a>, M::Error> {
                // Inline up to four labels: one allocation fewer for nearly every sample.
                let mut out = SmallVec::new();
                while let Some((k, v)) = m.next_entry::<Cow<'a, str>, Cow<'a, str>>()? {
                    if out.len() == MAX_LABELS {
                        return Err(de::Error::custom(format!("more than {MAX_LABELS} labels")));
                    }
                    out.push((k, v));
                }
                Ok(LabelsIn(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricIn<'a> {
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(borrow, default)]
    pub labels: LabelsIn<'a>,
    pub value: f64,
    pub ts: Option<Millis>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyIn<'a> {
    pub ingest_id: Option<String>,
    pub sent_at: Option<Millis>,
    #[serde(borrow)]
    pub machine: MachineIn<'a>,
    /// Seconds between the machine's collections (for online/offline); default 5.
    pub interval_s: Option<u32>,
    pub facts: Option<Facts>,
    pub metrics: MetricsIn,
}

/// The metrics array, checked into samples element by element as it is read, so no
/// element is copied into a list first (the hot path: a batch is mostly this).
#[derive(Debug, Default)]
pub struct MetricsIn {
    samples: Vec<Sample>,
    /// Samples that gave no time: they get the batch's default, known only at the end.
    untimed: Vec<usize>,
    /// The first element that did not check out.
    error: Option<IngestError>,
    /// Elements read, checked or not.
    count: usize,
}

impl<'de> Deserialize<'de> for MetricsIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MetricsIn;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of metrics")
            }
            fn visit_seq<S: de::SeqAccess<'de>>(self, mut seq: S) -> Result<MetricsIn, S::Error> {
                let mut out = MetricsIn::default();
                let mut check = Checker::default();
                while let Some(m) = seq.next_element::<MetricIn<'de>>()? {
                    out.count += 1;
                    if out.error.is_some() {
                        continue;
                    }
                    let i = out.samples.len();
                    match check.sample(i, &m) {
                        Ok(sample) => out.samples.push(sample),
                        Err(e) => out.error = Some(e),
                    }
                    if m.ts.is_none() {
                        out.untimed.push(i);
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V)
    }
}

/// Batches repeat a few metric names and label keys many times: each distinct one is
/// checked or allocated once.
#[derive(Default)]
struct Checker<'de> {
    names: HashMap<&'de str, MetricName, foldhash::fast::RandomState>,
    label_keys: HashMap<&'de str, Arc<str>, foldhash::fast::RandomState>,
}

impl<'de> Checker<'de> {
    fn sample(&mut self, i: usize, m: &MetricIn<'de>) -> Result<Sample, IngestError> {
        let metric = match &m.name {
            Cow::Borrowed(name) => match self.names.get(name) {
                Some(n) => n.clone(),
                None => {
                    let n = Self::name(i, name)?;
                    self.names.insert(name, n.clone());
                    n
                }
            },
            Cow::Owned(name) => Self::name(i, name)?,
        };
        let keys = m.labels.0.iter().map(|(k, v)| (self.intern(k), v.as_ref()));
        let labels = Labels::with_keys(keys).map_err(|e| IngestError::Invalid(format!("metrics[{i}].labels: {e}")))?;
        Ok(Sample { key: SeriesKey::new(metric, labels), ts: m.ts.map_or(0, |t| t.0), value: m.value })
    }

    fn name(i: usize, name: &str) -> Result<MetricName, IngestError> {
        MetricName::parse(name).map_err(|e| IngestError::Invalid(format!("metrics[{i}].name: {e}")))
    }

    // The Cow, not a &str: only a borrowed key lives as long as the map and can be a key.
    #[allow(clippy::ptr_arg)]
    fn intern(&mut self, k: &Cow<'de, str>) -> Arc<str> {
        match k {
            Cow::Borrowed(k) => self.label_keys.entry(k).or_insert_with(|| Arc::from(*k)).clone(),
            Cow::Owned(k) => Arc::from(k.as_str()),
        }
    }
}

/// The body as documented in the API reference (the parser above is what runs).
#[derive(Debug, Serialize, ToSchema)]
pub struct IngestBatch {
    /// 1-64 of `[A-Za-z0-9-_.:]`. A batch resent with the same id is stored once.
    pub ingest_id: Option<String>,
    /// When the batch was sent: RFC 3339 or ms since the epoch; the default time of samples.
    pub sent_at: Option<String>,
    pub machine: MachineDoc,
    pub interval_s: Option<u32>,
    #[schema(value_type = Option<Object>)]
    pub facts: Option<Facts>,
    pub metrics: Vec<MetricDoc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MachineDoc {
    pub hostname: String,
    pub os: Option<String>,
    /// Stable identity of the machine (e.g. /etc/machine-id); unique per organization.
    pub fingerprint: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MetricDoc {
    /// A metric of docs/metrics.md, e.g. `cpu.usage_pct`.
    pub name: String,
    pub labels: Option<HashMap<String, String>>,
    /// A finite number.
    pub value: f64,
    /// Sample time: ms since the epoch or RFC 3339; default `sent_at`, else the receipt time.
    pub ts: Option<String>,
}

/// A checked batch.
#[derive(Debug)]
pub struct Batch {
    pub ingest_id: Option<IngestId>,
    pub machine: Machine,
    pub interval_s: u32,
    pub facts: Option<Facts>,
    pub samples: Vec<Sample>,
}

/// Parses and checks a body. Not JSON: [`IngestError::Malformed`]; JSON of the wrong shape:
/// [`IngestError::Invalid`] naming the field's path.
pub fn parse(bytes: &[u8], now_ms: i64, max_samples: usize) -> Result<Batch, IngestError> {
    let body: BodyIn<'_> = match serde_json::from_slice(bytes) {
        Ok(b) => b,
        Err(_) => return Err(explain(bytes)),
    };
    let MetricsIn { mut samples, untimed, error, count, .. } = body.metrics;
    if count > max_samples {
        return Err(IngestError::TooManySamples { got: count, limit: max_samples });
    }
    if let Some(e) = error {
        return Err(e);
    }
    let machine =
        Machine::new(&body.machine.hostname, &body.machine.os, &body.machine.fingerprint).map_err(IngestError::Host)?;
    let interval_s = body.interval_s.unwrap_or(5);
    if !(1..=86_400).contains(&interval_s) {
        return Err(IngestError::Invalid(format!("interval_s: {interval_s} is outside 1..=86400")));
    }
    let default_ts = body.sent_at.map_or(now_ms, |m| m.0);
    for i in untimed {
        if let Some(s) = samples.get_mut(i) {
            s.ts = default_ts;
        }
    }
    // Last, as the shape of the body is refused before the id's syntax.
    let ingest_id = body.ingest_id.map(IngestId::parse).transpose()?;
    Ok(Batch { ingest_id, machine, interval_s, facts: body.facts, samples })
}

/// The slow path, only for bodies that failed: which kind of wrong, and where.
fn explain(bytes: &[u8]) -> IngestError {
    if let Err(e) = serde_json::from_slice::<de::IgnoredAny>(bytes) {
        return IngestError::Malformed(e.to_string());
    }
    let mut d = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, BodyIn<'_>>(&mut d) {
        Err(e) => IngestError::Invalid(format!("{}: {}", e.path(), e.inner())),
        Ok(_) => IngestError::Invalid("body does not fit the ingest format".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_000_000_000;

    fn body(metrics: &str) -> String {
        format!(r#"{{"machine":{{"hostname":"web-1","os":"Linux","fingerprint":"fp-1"}},"metrics":[{metrics}]}}"#)
    }

    #[test]
    fn a_batch_parses_into_checked_samples() {
        let b = parse(
            body(r#"{"name":"cpu.core_pct","labels":{"core":"1"},"value":3.5,"ts":1764000000000},{"name":"load.1","value":0.5,"ts":"2025-11-24T16:00:00Z"},{"name":"uptime_s","value":9}"#).as_bytes(),
            NOW,
            100,
        )
        .unwrap();
        assert_eq!(b.machine.hostname, "web-1");
        assert_eq!(b.samples.len(), 3);
        assert_eq!(b.samples[0].key.labels.get("core"), Some("1"));
        assert_eq!(b.samples[1].ts, 1_764_000_000_000);
        assert_eq!(b.samples[2].ts, NOW, "no ts and no sent_at: the receipt time");
    }

    #[test]
    fn wrong_bodies_are_explained_by_path() {
        let msg = |s: &str| parse(s.as_bytes(), NOW, 100).unwrap_err().to_string();
        assert!(matches!(parse(b"{nope", NOW, 100), Err(IngestError::Malformed(_))));
        assert!(
            msg(&body(r#"{"name":"load.1","value":"high"}"#)).contains("metrics[0].value"),
            "{}",
            msg(&body(r#"{"name":"load.1","value":"high"}"#))
        );
        assert!(msg(&body(r#"{"name":"Load","value":1}"#)).contains("metrics[0].name"));
        assert!(msg(&body(r#"{"name":"load.1","labels":{"A":"x"},"value":1}"#)).contains("metrics[0].labels"));
        assert!(msg(&body(r#"{"name":"load.1","value":1,"extra":1}"#)).contains("extra"));
        assert!(msg(r#"{"metrics":[]}"#).contains("machine"));
        assert!(msg(&body(r#"{"name":"load.1","value":1e999}"#)).contains("metrics[0].value"));
        let many = [r#"{"name":"a","value":1}"#; 3].join(",");
        assert!(matches!(parse(body(&many).as_bytes(), NOW, 2), Err(IngestError::TooManySamples { got: 3, limit: 2 })));
    }
}
