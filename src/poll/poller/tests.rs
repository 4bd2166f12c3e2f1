//! The scheduler's pure parts: missed-poll counting, the inventory cadence, backoff.

use super::*;

fn slot() -> Slot {
    let host: Host = serde_json::from_value(serde_json::json!({"id": 1, "org": 1, "name": "h", "kind": "ssh",
        "fingerprint": "ssh:1", "os": "", "tags": [], "interval_s": 5, "facts": null, "ingest_key": null,
        "created_at": "2025-01-01T00:00:00Z"}))
    .unwrap();
    let settings = SshSettings {
        address: "h".into(),
        port: 22,
        username: "u".into(),
        auth: crate::hosts::SshAuth::Password,
        enabled: true,
        host_key: None,
    };
    Slot::new(host, settings, Instant::now())
}

#[test]
fn polls_missed_count_whole_intervals_and_the_time_spent_waiting_for_a_thread() {
    let stats = super::super::Stats::default();
    let t0 = Instant::now();
    let mut slot = slot();
    slot.due = t0;
    let missed = || stats.polls_missed.load(std::sync::atomic::Ordering::Relaxed);
    // Started 4.9 s late: on time, this is the poll that was due.
    skip_missed(&mut slot, t0 + Duration::from_millis(4900), false, &stats);
    assert_eq!((missed(), slot.due), (0, t0));
    // Started 11 s late: the polls due at 5 s and 10 s were missed.
    skip_missed(&mut slot, t0 + Duration::from_secs(11), false, &stats);
    assert_eq!((missed(), slot.due), (2, t0 + Duration::from_secs(10)));
    // Queued with the next poll due at 15 s; a thread was free at 16 s: that one is missed.
    slot.due = t0 + Duration::from_secs(15);
    skip_missed(&mut slot, t0 + Duration::from_secs(16), true, &stats);
    assert_eq!((missed(), slot.due), (3, t0 + Duration::from_secs(20)));
    // Free before the next due time: nothing missed.
    skip_missed(&mut slot, t0 + Duration::from_secs(19), true, &stats);
    assert_eq!(missed(), 3);
}

#[test]
fn the_inventory_is_kept_for_ten_minutes_then_asked_for_again() {
    let mut slot = slot();
    assert!(slot.known_inventory(1_000).is_none(), "no facts yet: ask");
    slot.host.facts = Some(crate::collect::Facts { kernel: "6.1.0".into(), ..Default::default() });
    slot.inventory_ms = 1_000;
    let kept = slot.known_inventory(1_000 + INVENTORY_EVERY_MS - 1).expect("kept");
    assert_eq!(kept.kernel, "6.1.0");
    assert!(slot.known_inventory(1_000 + INVENTORY_EVERY_MS).is_none(), "due again");
    assert!(slot.known_inventory(2_000 + INVENTORY_EVERY_MS).is_some(), "the ask counts");
}

#[test]
fn backoff_doubles_from_the_interval_up_to_the_cap_with_jitter() {
    let s = Duration::from_secs;
    assert_eq!(backoff(s(15), 1, s(300), 1.0), s(15));
    assert_eq!(backoff(s(15), 2, s(300), 1.0), s(30));
    assert_eq!(backoff(s(15), 5, s(300), 1.0), s(240));
    assert_eq!(backoff(s(15), 6, s(300), 1.0), s(300));
    assert_eq!(backoff(s(15), 60, s(300), 1.0), s(300));
    assert_eq!(backoff(s(15), 6, s(300), 0.5), s(150));
    // A cap below the interval never polls faster than the interval.
    assert_eq!(backoff(s(600), 3, s(300), 1.0), s(600));
    let j = jitter();
    assert!((0.5..=1.0).contains(&j));
}
