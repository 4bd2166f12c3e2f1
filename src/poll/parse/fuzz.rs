//! Property tests: no input makes the parser panic or produce a value outside the schema,
//! and output cut anywhere yields only values the whole output also yields.

use std::collections::HashMap;

use proptest::prelude::*;

use super::tests::{FIXTURES, NONCE, output, readings};
use super::*;
use crate::collect::{MetricDoc, Reading};
use crate::poll::script::SECTIONS;

/// Every reading is a declared metric with its declared label keys, a finite non-negative
/// value, and printable, bounded, non-empty label values.
pub(super) fn assert_sane(readings: &[Reading]) {
    for r in readings {
        let doc = MetricDoc::find(r.name).unwrap_or_else(|| panic!("{} is not in METRICS", r.name));
        let keys: Vec<&str> = r.labels.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, doc.labels, "label keys of {}", r.name);
        assert!(r.value.is_finite() && r.value >= 0.0, "{r:?}");
        for (_, v) in &r.labels {
            assert!(!v.is_empty() && v.len() <= 256 && !v.chars().any(char::is_control), "{r:?}");
        }
    }
}

type Series = HashMap<(&'static str, Vec<(&'static str, String)>), f64>;

fn series(readings: Vec<Reading>) -> Series {
    readings.into_iter().map(|r| ((r.name, r.labels), r.value)).collect()
}

/// What a cut output may say: every series and fact it has, the whole output has too, with
/// the same value.
fn assert_no_wrong_values(name: &str, cut: usize, full: &Snapshot, full_series: &Series, part: &Snapshot) {
    for (key, value) in series(readings(part)) {
        assert_eq!(full_series.get(&key), Some(&value), "{name} cut at {cut}: {key:?}");
    }
    let (f, p) = (&full.facts, &part.facts);
    for (whole, partial) in [
        (&f.hostname, &p.hostname),
        (&f.os, &p.os),
        (&f.os_version, &p.os_version),
        (&f.kernel, &p.kernel),
        (&f.arch, &p.arch),
        (&f.cpu_model, &p.cpu_model),
    ] {
        assert!(partial.is_empty() || partial == whole, "{name} cut at {cut}: {partial:?} vs {whole:?}");
    }
    for (whole, partial) in [(f.cpu_cores.into(), p.cpu_cores.into()), (f.memory_bytes, p.memory_bytes)] {
        assert!(partial == 0 || partial == whole, "{name} cut at {cut}: {partial} vs {whole}");
    }
    assert!(p.boot_time == 0 || p.boot_time == f.boot_time);
    assert!(p.gpus.is_empty() || p.gpus == f.gpus);
}

fn check_cut(name: &str, text: &str, cut: usize) {
    let full = parse(text.as_bytes(), NONCE).unwrap();
    let full_series = series(readings(&full));
    if let Ok(part) = parse(&text.as_bytes()[..cut], NONCE) {
        assert_no_wrong_values(name, cut, &full, &full_series, &part);
    }
}

#[test]
fn the_real_capture_cut_at_every_length_never_reads_a_cut_value() {
    let (name, text) = FIXTURES[0];
    let full = parse(text.as_bytes(), NONCE).unwrap();
    let full_series = series(readings(&full));
    for cut in 0..text.len() {
        match parse(&text.as_bytes()[..cut], NONCE) {
            Ok(part) => assert_no_wrong_values(name, cut, &full, &full_series, &part),
            Err(e) => assert!(!matches!(e, OutputError::CommandMissing(_)), "cut at {cut}: {e}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_fixture_cut_anywhere_never_reads_a_cut_value(which in 0..FIXTURES.len(), at in 0.0..1.0f64) {
        let (name, text) = FIXTURES[which];
        let cut = ((text.len() as f64) * at) as usize;
        check_cut(name, text, cut.min(text.len()));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(snap) = parse(&bytes, NONCE) {
            assert_sane(&readings(&snap));
        }
    }

    #[test]
    fn arbitrary_sections_never_panic_nor_leave_the_schema(
        parts in proptest::collection::vec((0..SECTIONS.len() + 1, section_body()), 0..16),
        complete in any::<bool>(),
    ) {
        let named: Vec<(&str, String)> =
            parts.iter().map(|(i, body)| (SECTIONS.get(*i).copied().unwrap_or("bogus"), body.clone())).collect();
        let borrowed: Vec<(&str, &str)> = named.iter().map(|(n, b)| (*n, b.as_str())).collect();
        let text = output(&borrowed, complete);
        if let Ok(snap) = parse(text.as_bytes(), NONCE) {
            let collection = readings(&snap);
            assert_sane(&collection);
            prop_assert!(snap.net.len() <= MAX_INTERFACES && snap.filesystems.len() <= MAX_FILESYSTEMS);
        }
    }

    #[test]
    fn arbitrary_bytes_between_real_markers_never_panic(
        which in 0..FIXTURES.len(),
        noise in proptest::collection::vec((any::<prop::sample::Index>(), proptest::collection::vec(any::<u8>(), 0..64)), 0..8),
    ) {
        let mut bytes = FIXTURES[which].1.as_bytes().to_vec();
        for (at, junk) in noise {
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, junk);
        }
        if let Ok(snap) = parse(&bytes, NONCE) {
            assert_sane(&readings(&snap));
        }
    }
}

/// Lines that look like the real formats, with hostile numbers and names mixed in.
fn section_body() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("cpu".to_owned()),
        Just("cpu0".to_owned()),
        Just("btime".to_owned()),
        Just("MemTotal:".to_owned()),
        Just("MemAvailable:".to_owned()),
        Just("kB".to_owned()),
        Just("eth0:".to_owned()),
        Just("Filesystem".to_owned()),
        Just("Type".to_owned()),
        Just("1024-blocks".to_owned()),
        Just("/dev/sda1".to_owned()),
        Just("ext4".to_owned()),
        Just("50%".to_owned()),
        Just("/".to_owned()),
        Just("-1".to_owned()),
        Just("nan".to_owned()),
        Just("inf".to_owned()),
        Just("1e400".to_owned()),
        Just("18446744073709551615".to_owned()),
        Just("[N/A]".to_owned()),
        Just(",".to_owned()),
        "[0-9]{1,20}",
        "[0-9]{1,5}\\.[0-9]{1,3}",
        "\\PC{0,12}",
    ];
    let line = proptest::collection::vec(word, 0..12).prop_map(|w| w.join(" "));
    proptest::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n") + "\n")
}
