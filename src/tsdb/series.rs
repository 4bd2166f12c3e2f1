//! What names a series: a metric name and a label set, checked once at the edge. A series
//! of a host is (host id, [`SeriesKey`]). Also what names a batch, its [`IngestId`], checked
//! at the same edge.

use std::fmt;
use std::sync::Arc;

use smallvec::SmallVec;

use serde::{Deserialize, Serialize};

use super::TsdbError;

pub const MAX_LABELS: usize = 16;
const MAX_NAME: usize = 128;
const MAX_LABEL_KEY: usize = 64;
const MAX_LABEL_VALUE: usize = 256;

/// `[a-z][a-z0-9_]*` segments joined by dots, at most 128 bytes: `cpu.core_pct`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MetricName(Arc<str>);

impl MetricName {
    pub fn parse(s: &str) -> Result<Self, TsdbError> {
        let segment_ok = |seg: &str| {
            seg.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && seg.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        if s.is_empty()
            || s.len() > MAX_NAME
            || !s.split('.').all(segment_ok)
            || !s.starts_with(|c: char| c.is_ascii_lowercase())
        {
            return Err(TsdbError::InvalidMetric(truncate(s)));
        }
        // Shared: a batch names a few metrics many times, and a clone is then a count.
        Ok(Self(Arc::from(s)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MetricName {
    type Error = TsdbError;
    fn try_from(s: String) -> Result<Self, TsdbError> {
        Self::parse(&s)
    }
}

impl From<MetricName> for String {
    fn from(m: MetricName) -> String {
        m.0.to_string()
    }
}

impl fmt::Display for MetricName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Up to 16 labels sorted by key, keys `[a-z_][a-z0-9_]*` (64 bytes), values any printable
/// text up to 256 bytes. Sorting makes the same set always name the same series.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Labels(SmallVec<[(Arc<str>, Box<str>); 2]>);

impl Labels {
    pub fn new<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, TsdbError> {
        Self::with_keys(pairs.into_iter().map(|(k, v)| (Arc::from(k.as_ref()), v)))
    }

    /// Like [`Labels::new`] with keys already shared (the ingest path interns them per
    /// batch: the same few keys label thousands of samples).
    pub fn with_keys<V: AsRef<str>>(pairs: impl IntoIterator<Item = (Arc<str>, V)>) -> Result<Self, TsdbError> {
        // Most series have at most two labels: kept inline, no allocation of their own.
        let mut v: SmallVec<[(Arc<str>, Box<str>); 2]> = SmallVec::new();
        for (k, val) in pairs {
            check_label(&k, val.as_ref())?;
            v.push((k, Box::from(val.as_ref())));
        }
        if v.len() > MAX_LABELS {
            return Err(TsdbError::InvalidLabels(format!("{} labels, at most {MAX_LABELS}", v.len())));
        }
        v.sort();
        if let Some(w) = v.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(TsdbError::InvalidLabels(format!("label {:?} given twice", w[0].0)));
        }
        Ok(Self(v))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every label of `filter` is present here with the same value.
    pub fn matches(&self, filter: &Labels) -> bool {
        filter.iter().all(|(k, v)| self.get(k) == Some(v))
    }
}

fn check_label(k: &str, v: &str) -> Result<(), TsdbError> {
    label_problem(k, v).map_or(Ok(()), |problem| Err(TsdbError::InvalidLabels(problem)))
}

/// What is wrong with one label, if anything. Plain text rather than [`TsdbError`] so the
/// agent can check its labels without linking the store the error type can carry.
pub fn label_problem(k: &str, v: &str) -> Option<String> {
    let key_ok = k.len() <= MAX_LABEL_KEY
        && k.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !key_ok {
        return Some(format!("label key {:?} is not [a-z_][a-z0-9_]*", truncate(k)));
    }
    if v.len() > MAX_LABEL_VALUE || v.chars().any(char::is_control) {
        return Some(format!(
            "value of label {k:?} is longer than {MAX_LABEL_VALUE} bytes or holds control characters"
        ));
    }
    None
}

impl Serialize for Labels {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k.as_ref(), v.as_ref())?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = std::collections::BTreeMap::<String, String>::deserialize(d)?;
        Labels::new(map).map_err(serde::de::Error::custom)
    }
}

/// A metric and its labels: which series of a host.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SeriesKey {
    pub metric: MetricName,
    pub labels: Labels,
}

impl SeriesKey {
    pub fn new(metric: MetricName, labels: Labels) -> Self {
        Self { metric, labels }
    }

    /// Stored form: `metric\0k\0v\0k\0v`. NUL is refused in names and values (control
    /// characters), so the split is unambiguous.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.metric.as_str().as_bytes().to_vec();
        for (k, v) in self.labels.iter() {
            out.push(0);
            out.extend_from_slice(k.as_bytes());
            out.push(0);
            out.extend_from_slice(v.as_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TsdbError> {
        let text = std::str::from_utf8(bytes).map_err(|_| TsdbError::Corrupt("series name is not utf-8".into()))?;
        let mut parts = text.split('\0');
        let metric = MetricName::parse(parts.next().unwrap_or_default())?;
        let rest: Vec<&str> = parts.collect();
        if !rest.len().is_multiple_of(2) {
            return Err(TsdbError::Corrupt(format!("series {metric} has an odd label list")));
        }
        let labels = Labels::new(rest.chunks(2).map(|c| (c[0], c[1])))?;
        Ok(Self { metric, labels })
    }
}

impl fmt::Display for SeriesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.metric)?;
        if !self.labels.is_empty() {
            let inner: Vec<String> = self.labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
            write!(f, "{{{}}}", inner.join(","))?;
        }
        Ok(())
    }
}

/// A batch's `ingest_id`: 1-64 of `[A-Za-z0-9-_.:]`. Parsed once where a batch arrives, so
/// everything after (the write-ahead row, the duplicate check) holds a checked one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IngestId(String);

impl IngestId {
    pub fn parse(id: String) -> Result<Self, TsdbError> {
        let ok = (1..=64).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        if ok { Ok(Self(id)) } else { Err(TsdbError::InvalidIngestId(truncate(&id))) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<IngestId> for String {
    fn from(id: IngestId) -> String {
        id.0
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        for ok in ["cpu.usage_pct", "load.1", "gpu.mem_used_bytes", "uptime_s"] {
            assert!(MetricName::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "CPU", "cpu..x", ".cpu", "cpu.", "1cpu", "cpu-usage", "cpu usage", &"a".repeat(129)] {
            assert!(MetricName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels_sort_and_refuse_duplicates_and_control_characters() {
        let l = Labels::new([("mount", "/"), ("device", "sda1")]).unwrap();
        assert_eq!(l.iter().next(), Some(("device", "sda1")));
        assert!(Labels::new([("a", "1"), ("a", "2")]).is_err());
        assert!(Labels::new([("a", "x\0y")]).is_err());
        assert!(Labels::new([("A", "x")]).is_err());
        assert!(Labels::new((0..17).map(|i| (format!("k{i}"), "v"))).is_err());
    }

    #[test]
    fn ingest_ids_are_checked() {
        for ok in ["b-1", "run:7.x_Y", &"a".repeat(64)] {
            assert_eq!(IngestId::parse(ok.to_string()).map(|i| i.as_str().to_string()).ok().as_deref(), Some(ok));
        }
        for bad in ["", "bad id", "é", &"a".repeat(65)] {
            assert!(matches!(IngestId::parse(bad.to_string()), Err(TsdbError::InvalidIngestId(_))), "{bad}");
        }
    }

    #[test]
    fn keys_round_trip_through_bytes() {
        let key = SeriesKey::new(
            MetricName::parse("disk.used_bytes").unwrap(),
            Labels::new([("mount", "/"), ("device", "sda1"), ("fstype", "")]).unwrap(),
        );
        assert_eq!(SeriesKey::from_bytes(&key.to_bytes()).unwrap(), key);
        let bare = SeriesKey::new(MetricName::parse("uptime_s").unwrap(), Labels::default());
        assert_eq!(SeriesKey::from_bytes(&bare.to_bytes()).unwrap(), bare);
        assert_eq!(key.to_string(), r#"disk.used_bytes{device="sda1",fstype="",mount="/"}"#);
    }
}
