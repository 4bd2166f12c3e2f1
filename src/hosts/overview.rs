//! A host at a glance: its status from the age of its last sign of life (its newest sample,
//! or for agents the last batch the appliance accepted, whichever is newer), and the few
//! values an overview shows, derived from the latest sample of each series.

use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use super::Host;
use super::{HostPoll, PollStatus};
use crate::tsdb::SeriesKey;

/// A host missing this many collections in a row is offline.
pub const MISSED_FOR_OFFLINE: i64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Online,
    Offline,
    /// Nothing received yet.
    Unknown,
    /// SSH hosts: DNS, refused, timeout or connection lost at the last attempt.
    Unreachable,
    /// SSH hosts: the login was refused.
    AuthFailed,
    /// SSH hosts: the server's key no longer matches the pinned one; not polled until an
    /// admin re-pins it.
    HostKeyChanged,
    /// SSH hosts: logged in, but the poll's output was unusable.
    Error,
    /// SSH hosts turned off by an admin.
    Disabled,
}

pub fn status_of(last_seen_ms: Option<i64>, interval_s: u32, now_ms: i64) -> Status {
    match last_seen_ms {
        None => Status::Unknown,
        Some(t) if now_ms - t <= MISSED_FOR_OFFLINE * i64::from(interval_s.max(1)) * 1000 => Status::Online,
        Some(_) => Status::Offline,
    }
}

/// Headline values; `null` when the host does not report the metric.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Vitals {
    pub cpu_pct: Option<f64>,
    pub load_1: Option<f64>,
    pub mem_used_bytes: Option<f64>,
    pub mem_total_bytes: Option<f64>,
    pub swap_used_bytes: Option<f64>,
    pub swap_total_bytes: Option<f64>,
    /// The fullest filesystem, in percent, as df's Use%.
    pub disk_max_pct: Option<f64>,
    pub disk_used_bytes: Option<f64>,
    pub disk_total_bytes: Option<f64>,
    /// Summed over interfaces.
    pub net_rx_bps: Option<f64>,
    pub net_tx_bps: Option<f64>,
    pub uptime_s: Option<f64>,
    /// The hottest sensor.
    pub temp_max_c: Option<f64>,
    /// The busiest GPU.
    pub gpu_max_pct: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HostSummary {
    #[serde(flatten)]
    pub host: Host,
    /// From the newer of `last_seen_ms` and `last_push_ms`.
    pub status: Status,
    /// Time of the newest sample, in ms since the Unix epoch.
    pub last_seen_ms: Option<i64>,
    /// When the appliance last accepted a batch from the host, by its own clock (ms since
    /// the Unix epoch); `null` for hosts it collects itself and until an agent's first push
    /// since the appliance started.
    pub last_push_ms: Option<i64>,
    pub vitals: Vitals,
    /// SSH hosts: the poller's view (status, last error and when, last success).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll: Option<HostPoll>,
}

impl HostSummary {
    /// `last_push_ms`: from [`super::LastPush`]; `poll`: from [`super::Polls`].
    pub fn new(
        host: Host,
        latest: &[(Arc<SeriesKey>, i64, f64)],
        last_push_ms: Option<i64>,
        poll: Option<HostPoll>,
        now_ms: i64,
    ) -> Self {
        let last_seen_ms = latest.iter().map(|l| l.1).max();
        // `None` orders first: the newer of two signs of life, or the one there is.
        let derived = status_of(last_seen_ms.max(last_push_ms), host.interval_s, now_ms);
        // A failing poll says more than the age of the last sample.
        let status = match poll.as_ref().map(|p| p.status) {
            Some(PollStatus::Unreachable) => Status::Unreachable,
            Some(PollStatus::AuthFailed) => Status::AuthFailed,
            Some(PollStatus::HostKeyChanged) => Status::HostKeyChanged,
            Some(PollStatus::Error) => Status::Error,
            Some(PollStatus::Disabled) => Status::Disabled,
            Some(PollStatus::Online | PollStatus::Pending) | None => derived,
        };
        Self { host, status, last_seen_ms, last_push_ms, vitals: vitals(latest), poll }
    }
}

fn vitals(latest: &[(Arc<SeriesKey>, i64, f64)]) -> Vitals {
    let one = |name: &str| latest.iter().find(|l| l.0.metric.as_str() == name && l.0.labels.is_empty()).map(|l| l.2);
    let all = |name: &'static str| latest.iter().filter(move |l| l.0.metric.as_str() == name);
    let sum = |name: &'static str| all(name).map(|l| l.2).reduce(|a, b| a + b);
    let max = |name: &'static str| all(name).map(|l| l.2).reduce(f64::max);
    // As df's Use%: used / (used + available), so root-reserved blocks do not count.
    let disk_max_pct = all("disk.used_bytes")
        .filter_map(|used| {
            let avail = all("disk.available_bytes").find(|t| t.0.labels == used.0.labels)?.2;
            let size = used.2 + avail;
            (size > 0.0).then(|| (used.2 / size * 1000.0).round() / 10.0)
        })
        .reduce(f64::max);
    Vitals {
        cpu_pct: one("cpu.usage_pct"),
        load_1: one("load.1"),
        mem_used_bytes: one("mem.used_bytes"),
        mem_total_bytes: one("mem.total_bytes"),
        swap_used_bytes: one("swap.used_bytes"),
        swap_total_bytes: one("swap.total_bytes"),
        disk_max_pct,
        disk_used_bytes: sum("disk.used_bytes"),
        disk_total_bytes: sum("disk.total_bytes"),
        net_rx_bps: sum("net.rx_bps"),
        net_tx_bps: sum("net.tx_bps"),
        uptime_s: one("uptime_s"),
        temp_max_c: max("temp_c"),
        gpu_max_pct: max("gpu.util_pct"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsdb::{Labels, MetricName};

    fn l(metric: &str, labels: &[(&str, &str)], v: f64) -> (Arc<SeriesKey>, i64, f64) {
        let key = SeriesKey::new(MetricName::parse(metric).unwrap(), Labels::new(labels.iter().copied()).unwrap());
        (Arc::new(key), 1_000, v)
    }

    #[test]
    fn vitals_pick_sum_and_compare_the_right_series() {
        let latest = vec![
            l("cpu.usage_pct", &[], 12.5),
            l("disk.used_bytes", &[("mount", "/")], 50.0),
            l("disk.total_bytes", &[("mount", "/")], 100.0),
            l("disk.available_bytes", &[("mount", "/")], 50.0),
            l("disk.used_bytes", &[("mount", "/var")], 90.0),
            l("disk.available_bytes", &[("mount", "/var")], 10.0),
            l("disk.total_bytes", &[("mount", "/var")], 110.0),
            l("net.rx_bps", &[("iface", "eth0")], 10.0),
            l("net.rx_bps", &[("iface", "eth1")], 5.0),
            l("temp_c", &[("sensor", "a")], 40.0),
            l("temp_c", &[("sensor", "b")], 55.5),
        ];
        let v = vitals(&latest);
        assert_eq!(v.cpu_pct, Some(12.5));
        assert_eq!(v.disk_max_pct, Some(90.0));
        assert_eq!(v.disk_total_bytes, Some(210.0));
        assert_eq!(v.net_rx_bps, Some(15.0));
        assert_eq!(v.temp_max_c, Some(55.5));
        assert_eq!(v.mem_used_bytes, None);
    }

    #[test]
    fn status_follows_the_newer_of_the_last_sample_and_the_last_push() {
        let key = SeriesKey::new(MetricName::parse("load.1").unwrap(), Labels::default());
        let host = |latest: i64, push: Option<i64>, now: i64| {
            let h: Host = serde_json::from_value(serde_json::json!({
                "id": 1, "org": 1, "name": "a", "kind": "agent", "fingerprint": "f", "os": "", "tags": [],
                "interval_s": 5, "facts": null, "ingest_key": 1, "created_at": "2025-01-01T00:00:00Z"
            }))
            .unwrap();
            HostSummary::new(h, &[(Arc::new(key.clone()), latest, 1.0)], push, None, now).status
        };
        // An agent whose clock is an hour behind, pushing now, is online.
        assert_eq!(host(0, Some(3_600_000), 3_601_000), Status::Online);
        assert_eq!(host(0, None, 3_601_000), Status::Offline);
        assert_eq!(host(3_600_000, Some(0), 3_601_000), Status::Online);
        assert_eq!(host(0, Some(0), 3_601_000), Status::Offline);
    }

    #[test]
    fn a_host_is_offline_after_three_missed_collections() {
        assert_eq!(status_of(None, 5, 0), Status::Unknown);
        assert_eq!(status_of(Some(0), 5, 15_000), Status::Online);
        assert_eq!(status_of(Some(0), 5, 15_001), Status::Offline);
    }
}
