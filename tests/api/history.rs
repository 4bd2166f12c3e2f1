//! Hosts and their history: the series API against a naive computation in every tier (raw,
//! 1-minute, 1-hour), label filters, the 400-point cap, nulls where nothing was received,
//! answers that do not change when an hour is sealed; the overview's status and vitals as
//! the manual clock moves; the appliance's own host; the organization boundary; deletion.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::ingest::points;
use crate::support::{Client, TestApp, USER_PW, audit_entries, batch, sample};

const TICK: i64 = 5_000;
const HOUR: i64 = 3_600_000;
/// Ticks (5 s apart) without data: 25 to 30 minutes into the hour.
const GAP: std::ops::Range<i64> = 300..360;

/// An hour of samples every 5 s, ending 5 s before `now`, with a 5-minute gap; by series
/// (metric and labels as JSON text).
fn hour_of_samples(now: i64) -> BTreeMap<(String, String), Vec<(i64, f64)>> {
    let mut out: BTreeMap<(String, String), Vec<(i64, f64)>> = BTreeMap::new();
    for i in (0..720).filter(|i| !GAP.contains(i)) {
        let ts = now - HOUR + i * TICK;
        let mut add = |metric: &str, labels: Value, v: f64| {
            out.entry((metric.to_string(), labels.to_string())).or_default().push((ts, v));
        };
        add("cpu.usage_pct", Value::Null, ((i * 37) % 1000) as f64 / 10.0);
        for core in 0..4 {
            add("cpu.core_pct", json!({ "core": core.to_string() }), ((i * 13 + core * 250) % 1000) as f64 / 10.0);
        }
        add("load.1", Value::Null, (i % 400) as f64 / 100.0);
        add("mem.used_bytes", Value::Null, (1_000_000 + i * 4096) as f64);
        add("mem.total_bytes", Value::Null, 8_000_000_000.0);
    }
    out
}

/// Pushes the samples in 5-minute batches; returns the host id.
async fn push_all(app: &TestApp, key: &str, fp: &str, data: &BTreeMap<(String, String), Vec<(i64, f64)>>) -> u64 {
    let mut by_batch: BTreeMap<i64, Vec<Value>> = BTreeMap::new();
    let first = data.values().flatten().map(|s| s.0).min().expect("samples");
    for ((metric, labels), samples) in data {
        let labels: Value = serde_json::from_str(labels).expect("labels");
        for &(ts, v) in samples {
            by_batch.entry((ts - first) / 300_000).or_default().push(sample(metric, labels.clone(), v, ts));
        }
    }
    let mut host = None;
    for (n, metrics) in by_batch {
        let mut body = batch("db-1", fp, metrics);
        body["ingest_id"] = json!(format!("{fp}-{n}"));
        let resp = app.agent(key).push(&body).await.expect_status(202);
        assert_eq!(resp.body["duplicate"], false, "{resp:?}");
        host = resp.body["host_id"].as_u64();
    }
    host.expect("host id")
}

/// What a query must answer for one series: for each grid point `g`, the samples in
/// `[g, g + step)`, whole.
fn naive(samples: &[(i64, f64)], q: &Value) -> [Vec<Option<f64>>; 3] {
    let step = q["step"].as_i64().expect("step");
    let mut out = [Vec::new(), Vec::new(), Vec::new()];
    for g in q["ts"].as_array().expect("ts").iter().map(|t| t.as_i64().expect("ts")) {
        let vals: Vec<f64> = samples.iter().filter(|(t, _)| (g..g + step).contains(t)).map(|s| s.1).collect();
        let (avg, min, max) = match vals.is_empty() {
            true => (None, None, None),
            false => (
                Some(vals.iter().sum::<f64>() / vals.len() as f64),
                vals.iter().copied().reduce(f64::min),
                vals.iter().copied().reduce(f64::max),
            ),
        };
        out[0].push(avg);
        out[1].push(min);
        out[2].push(max);
    }
    out
}

/// Asserts every series of the answer equals the naive computation over `data` (averages
/// to 1e-9 relative, min and max exactly), and that grid and step are coherent.
#[track_caller]
fn assert_naive(q: &Value, data: &BTreeMap<(String, String), Vec<(i64, f64)>>, what: &str) {
    let (step, from, to) = (q["step"].as_i64().unwrap(), q["from"].as_i64().unwrap(), q["to"].as_i64().unwrap());
    let ts: Vec<i64> = q["ts"].as_array().expect("ts").iter().map(|t| t.as_i64().expect("ts")).collect();
    assert!(ts.len() <= 400, "{what}: {} points", ts.len());
    // The grid starts at `from` rounded down, or one point later when that would make 401.
    let start = from.div_euclid(step) * step;
    assert!(ts[0] == start || (ts[0] == start + step && ts.len() == 400), "{what}: grid start");
    assert!(ts.windows(2).all(|w| w[1] - w[0] == step) && *ts.last().unwrap() < to, "{what}: grid");
    assert!(ts.last().unwrap() + step >= to, "{what}: the grid covers the range");
    let metric = q["metric"].as_str().expect("metric");
    for s in q["series"].as_array().expect("series") {
        let key = (metric.to_string(), if s["labels"] == json!({}) { "null".into() } else { s["labels"].to_string() });
        let expected = naive(data.get(&key).unwrap_or_else(|| panic!("{what}: unexpected series {key:?}")), q);
        for (col, name) in ["avg", "min", "max"].into_iter().enumerate() {
            let got: Vec<Option<f64>> = s[name].as_array().expect(name).iter().map(Value::as_f64).collect();
            assert_eq!(got.len(), ts.len(), "{what} {key:?} {name}");
            for (i, (g, e)) in got.iter().zip(&expected[col]).enumerate() {
                let close = match (g, e) {
                    (Some(g), Some(e)) if name == "avg" => (g - e).abs() <= 1e-9 * e.abs().max(1.0),
                    (g, e) => g == e,
                };
                assert!(close, "{what} {key:?} {name}[{i}] at {}: got {g:?}, expected {e:?}", ts[i]);
            }
        }
    }
}

async fn quiet_app() -> TestApp {
    TestApp::builder().set("metrics.collect_interval_s", 0).start().await
}

fn summary(hosts: &[Value], id: u64) -> Value {
    hosts.iter().find(|h| h["id"] == id).cloned().unwrap_or_else(|| panic!("host {id} not in {hosts:?}"))
}

#[actix_web::test]
async fn history_answers_like_a_naive_computation_in_every_tier() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let now = app.now_ms();
    let data = hour_of_samples(now);
    let host = push_all(&app, &key, "fp-db-1", &data).await;

    // Raw, at the pushing interval: exactly the samples.
    let raw = admin.series(host, "metric=cpu.usage_pct&from=-30m&step=5s").await;
    assert_eq!((raw["tier"].as_str(), raw["step"].as_i64(), raw["to"].as_i64()), (Some("raw"), Some(5000), Some(now)));
    assert_eq!(raw["from"], now - 1_800_000);
    assert_naive(&raw, &data, "raw 5s");
    // The same with absolute times, as ms and as RFC 3339.
    let rfc = |ms: i64| {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).expect("time");
        t.format(&time::format_description::well_known::Rfc3339).expect("rfc3339")
    };
    let abs = admin.series(host, &format!("metric=cpu.usage_pct&from={}&to={now}&step=5000", now - 1_800_000)).await;
    assert_eq!(abs, raw);
    let q = format!("metric=cpu.usage_pct&from={}&to={}&step=5s", rfc(now - 1_800_000), rfc(now)).replace('+', "%2B");
    assert_eq!(admin.series(host, &q).await, raw);

    // An hour at 5 s would be 720 points: the step is widened to 9 s (400 points).
    let widened = admin.series(host, "metric=cpu.usage_pct&from=-1h&step=5s").await;
    assert_eq!((widened["tier"].as_str(), widened["step"].as_i64()), (Some("raw"), Some(9000)));
    assert_naive(&widened, &data, "raw widened");
    let default_step = admin.series(host, "metric=cpu.usage_pct").await;
    assert_eq!(default_step, widened, "no step and no from: the last hour, finest step that fits");

    // 1-minute points, rolled up on the fly from the head.
    let minutes = admin.series(host, "metric=cpu.usage_pct&from=-1h&step=1m").await;
    assert_eq!((minutes["tier"].as_str(), minutes["step"].as_i64()), (Some("1m"), Some(60_000)));
    assert_naive(&minutes, &data, "1m");
    let day_of_minutes = admin.series(host, "metric=load.1&from=-1d&step=1m").await;
    assert_eq!((day_of_minutes["tier"].as_str(), day_of_minutes["step"].as_i64()), (Some("1m"), Some(240_000)));
    assert_naive(&day_of_minutes, &data, "1m widened to 4m");
    // 1-hour points.
    let hours = admin.series(host, "metric=mem.used_bytes&from=-1d&step=1h").await;
    assert_eq!((hours["tier"].as_str(), hours["step"].as_i64()), (Some("1h"), Some(HOUR)));
    assert_naive(&hours, &data, "1h");

    // Nulls where nothing was received: every point inside the gap, in every column.
    let gap = (now - HOUR + GAP.start * TICK)..(now - HOUR + GAP.end * TICK);
    for (q, at_least) in [(&widened, 30), (&minutes, 4)] {
        let step = q["step"].as_i64().expect("step");
        let inside: Vec<usize> = (q["ts"].as_array().expect("ts").iter().enumerate())
            .filter(|(_, t)| t.as_i64().is_some_and(|t| gap.contains(&t) && t + step <= gap.end))
            .map(|(i, _)| i)
            .collect();
        assert!(inside.len() >= at_least, "step {step}: {} points in the gap", inside.len());
        for col in ["avg", "min", "max"] {
            assert!(inside.iter().all(|&i| q["series"][0][col][i].is_null()), "step {step} {col}: {q}");
        }
    }

    // Labels: every core, one core, no core.
    let cores = admin.series(host, "metric=cpu.core_pct&from=-30m&step=5s").await;
    let labels: Vec<&Value> = cores["series"].as_array().expect("series").iter().map(|s| &s["labels"]).collect();
    assert_eq!(labels, [&json!({"core": "0"}), &json!({"core": "1"}), &json!({"core": "2"}), &json!({"core": "3"})]);
    assert_naive(&cores, &data, "all cores");
    let core0 = admin.series(host, "metric=cpu.core_pct&labels=core=0&from=-30m&step=5s").await;
    assert_eq!(core0["series"].as_array().map(Vec::len), Some(1));
    assert_eq!(core0["series"][0], cores["series"][0]);
    assert_ne!(core0["series"][0]["avg"], cores["series"][1]["avg"]);
    let none = admin.series(host, "metric=cpu.core_pct&labels=core=9&from=-30m&step=5s").await;
    assert_eq!((&none["series"], &none["ts"]), (&json!([]), &cores["ts"]), "no series, the same grid");
    let unknown = admin.series(host, "metric=disk.used_bytes&from=-30m").await;
    assert_eq!(unknown["series"], json!([]));

    // The overview: online, with the latest values as vitals.
    let h = summary(&admin.hosts().await, host);
    let last = |metric: &str| data[&(metric.to_string(), "null".to_string())].last().copied().expect("samples");
    assert_eq!((h["status"].as_str(), h["last_seen_ms"].as_i64()), (Some("online"), Some(now - TICK)), "{h}");
    assert_eq!(h["vitals"]["cpu_pct"], last("cpu.usage_pct").1);
    assert_eq!(h["vitals"]["load_1"], last("load.1").1);
    assert_eq!(h["vitals"]["mem_used_bytes"], last("mem.used_bytes").1);
    assert_eq!(h["vitals"]["mem_total_bytes"], 8_000_000_000.0);
    assert_eq!(h["vitals"]["disk_used_bytes"], Value::Null, "not reported: null");

    // Three hours later the hour is sealed into chunks and rollups: the same questions get
    // the same answers, now from disk. (A token reads: the session has idled out by then.)
    let (_, token) = admin.create_token(json!({ "name": "reader" })).await;
    let admin = app.bearer(&token);
    app.clock.advance(time::Duration::hours(3));
    let sealed = app.appliance().ctx.tsdb.maintain().await.expect("maintenance");
    assert!(sealed.sealed >= 8 && sealed.wal_rows_dropped == 11, "{sealed:?}");
    for before in [&raw, &widened, &minutes, &hours, &cores, &day_of_minutes] {
        let (from, to, step) = (&before["from"], &before["to"], &before["step"]);
        let metric = before["metric"].as_str().expect("metric");
        let after = admin.series(host, &format!("metric={metric}&from={from}&to={to}&step={step}")).await;
        assert_eq!(&after, before, "{metric} step {step} changed when sealed");
    }
    assert_eq!(summary(&admin.hosts().await, host)["status"], "offline");
}

#[actix_web::test]
async fn a_point_straddling_to_answers_the_same_before_and_after_sealing() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let now = app.now_ms();
    let data = hour_of_samples(now - 2 * HOUR);
    let host = push_all(&app, &key, "fp-db-1", &data).await;
    // `to` half way through a minute, two hours back: that window is over but not sealed.
    let to = (now - 2 * HOUR - 10 * 60_000).div_euclid(60_000) * 60_000 + 30_000;
    let q = format!("metric=cpu.usage_pct&from={}&to={to}&step=1m", to - 600_000);
    let head = admin.series(host, &q).await;
    assert_naive(&head, &data, "from the head");
    assert!(app.appliance().ctx.tsdb.maintain().await.expect("maintenance").sealed > 0);
    let sealed = admin.series(host, &q).await;
    assert_eq!(sealed, head, "the last point changed when its hour was sealed");
}

#[actix_web::test]
async fn no_answer_has_more_than_400_points() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let now = app.now_ms();
    let resp = app.agent(&key).push(&batch("db-1", "fp", vec![sample("load.1", Value::Null, 1.0, now - 1000)])).await;
    let host = resp.expect_status(202).body["host_id"].as_u64().expect("host");
    // An hour ending half way through a 9 s step; a day ending half way through 4 minutes.
    let to = now.div_euclid(9000) * 9000 + 4500;
    let day_to = now.div_euclid(240_000) * 240_000 + 120_000;
    for (from, to, step) in [(to - HOUR, to, "5s"), (to - HOUR, to, "1s"), (day_to - 24 * HOUR, day_to, "1m")] {
        let q = admin.series(host, &format!("metric=load.1&from={from}&to={to}&step={step}")).await;
        let n = q["ts"].as_array().map_or(0, Vec::len);
        assert!(n <= 400, "from {from} to {to} step {step} (widened to {}): {n} points", q["step"]);
    }
}

#[actix_web::test]
async fn a_host_goes_offline_after_three_missed_intervals() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let load = |v: f64, ts: i64| sample("load.1", Value::Null, v, ts);
    let push = |fp: &'static str, interval: u32, metrics: Vec<Value>| {
        let mut body = batch(fp, fp, metrics);
        body["interval_s"] = json!(interval);
        let agent = app.agent(&key);
        async move { agent.push(&body).await.expect_status(202).body["host_id"].as_u64().expect("host id") }
    };
    let t_slow = app.now_ms();
    let fast = push("fast", 5, vec![load(1.0, t_slow)]).await;
    let slow = push("slow", 60, vec![load(1.0, t_slow)]).await;
    // Registered by a push that was refused (pending approval): nothing received.
    let (_, manual) = admin.create_ingest_key_with("manual", false).await;
    app.agent(&manual)
        .push(&batch("silent", "silent", vec![load(1.0, t_slow)]))
        .await
        .expect_error(403, "host.pending");
    let hosts = admin.hosts().await;
    let silent = hosts.iter().find(|h| h["fingerprint"] == "silent").and_then(|h| h["id"].as_u64()).expect("silent");
    let status = |hosts: &[Value], id: u64| summary(hosts, id)["status"].as_str().expect("status").to_string();
    let hosts = admin.hosts().await;
    assert_eq!([status(&hosts, fast), status(&hosts, slow), status(&hosts, silent)], ["online", "online", "unknown"]);

    app.clock.advance(time::Duration::seconds(15));
    assert_eq!(status(&admin.hosts().await, fast), "online", "three intervals: not yet missed");
    app.clock.advance(time::Duration::milliseconds(1));
    let hosts = admin.hosts().await;
    assert_eq!([status(&hosts, fast), status(&hosts, slow)], ["offline", "online"]);
    let detail = admin.get(&format!("/api/v1/hosts/{fast}")).await.expect_status(200).body;
    assert_eq!(detail["status"], "offline", "the detail agrees with the overview");

    // A new sample brings it back; a minute of silence takes it away again.
    push("fast", 5, vec![load(2.0, app.now_ms())]).await;
    assert_eq!(status(&admin.hosts().await, fast), "online");
    app.advance_minutes(1);
    let hosts = admin.hosts().await;
    assert_eq!([status(&hosts, fast), status(&hosts, slow)], ["offline", "online"]);
    app.clock.advance(time::Duration::milliseconds(t_slow + 180_000 - app.now_ms()));
    assert_eq!(status(&admin.hosts().await, slow), "online", "3 x 60 s after its sample");
    app.clock.advance(time::Duration::milliseconds(1));
    assert_eq!(status(&admin.hosts().await, slow), "offline");
    assert_eq!(status(&admin.hosts().await, silent), "unknown", "never sent anything");
}

#[actix_web::test]
async fn the_appliance_collects_its_own_host() {
    let app = TestApp::start().await;
    let sup = app.superadmin().await;
    let hosts = sup.hosts().await;
    let local: Vec<&Value> = hosts.iter().filter(|h| h["kind"] == "local").collect();
    assert_eq!(local.len(), 1, "registered at start: {hosts:?}");
    let id = local[0]["id"].as_u64().expect("id");
    assert_eq!(local[0]["interval_s"], 5);
    assert!(local[0]["fingerprint"].as_str().is_some_and(|f| f.starts_with("local:")), "{hosts:?}");

    // The first collection runs at start; wait for it (bounded), not for a fixed time.
    let deadline = Instant::now() + Duration::from_secs(15);
    let detail = loop {
        let d = sup.get(&format!("/api/v1/hosts/{id}")).await.expect_status(200).body;
        if d["latest"].as_array().is_some_and(|l| l.iter().any(|s| s["metric"] == "cpu.usage_pct")) {
            break d;
        }
        assert!(Instant::now() < deadline, "no cpu.usage_pct collected within 15 s: {d}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let cpu =
        detail["latest"].as_array().expect("latest").iter().find(|s| s["metric"] == "cpu.usage_pct").expect("cpu");
    assert_eq!(cpu["ts"], app.now_ms(), "stamped with the appliance clock: {cpu}");
    assert!(cpu["value"].as_f64().is_some_and(|v| (0.0..=100.0).contains(&v)), "{cpu}");
    assert_eq!(detail["status"], "online");
    assert!(detail["vitals"]["mem_total_bytes"].as_f64().is_some_and(|m| m > 0.0), "{detail}");
    assert!(detail["facts"]["hostname"].as_str().is_some_and(|h| !h.is_empty()), "{detail}");
    // `to` is exclusive and the samples are stamped `now`: ask up to a second later.
    let now = app.now_ms();
    let q = sup.series(id, &format!("metric=cpu.usage_pct&from={}&to={}", now - 300_000, now + 1000)).await;
    assert_eq!(q["series"].as_array().map(Vec::len), Some(1), "{q}");
    let values: Vec<&Value> = q["series"][0]["avg"].as_array().expect("avg").iter().filter(|v| !v.is_null()).collect();
    assert_eq!(values, [&cpu["value"]], "every collection is stamped with the unmoved clock: {q}");

    sup.delete(&format!("/api/v1/hosts/{id}")).await.expect_error(409, "hosts.local");
    assert!(sup.hosts().await.iter().any(|h| h["id"] == id));
    // It belongs to the default organization only.
    let org = sup.create_org("alpha").await;
    sup.create_user(Some(org), "aa", "admin").await;
    let admin_a = app.login("aa", USER_PW).await;
    assert_eq!(admin_a.hosts().await, Vec::<Value>::new());
    admin_a.get(&format!("/api/v1/hosts/{id}")).await.expect_error(404, "hosts.not_found");
}

#[actix_web::test]
async fn another_orgs_host_looks_like_no_host() {
    let app = quiet_app().await;
    let sup = app.superadmin().await;
    let (org_a, org_b) = (sup.create_org("alpha").await, sup.create_org("beta").await);
    sup.create_user(Some(org_a), "aa", "admin").await;
    sup.create_user(Some(org_a), "va", "viewer").await;
    sup.create_user(Some(org_b), "ab", "admin").await;
    let admin_a = app.login("aa", USER_PW).await;
    let viewer_a = app.login("va", USER_PW).await;
    let admin_b = app.login("ab", USER_PW).await;
    let (_, key) = admin_a.create_ingest_key("a").await;
    let resp =
        app.agent(&key).push(&batch("db-1", "fp-a", vec![sample("load.1", Value::Null, 1.0, app.now_ms())])).await;
    let host = resp.expect_status(202).body["host_id"].as_u64().expect("host");
    viewer_a.get(&format!("/api/v1/hosts/{host}")).await.expect_status(200);
    viewer_a.series(host, "metric=load.1").await;

    let ghost = 999_999;
    let calls = |id: u64| {
        [
            ("GET", format!("/api/v1/hosts/{id}")),
            ("GET", format!("/api/v1/hosts/{id}/series?metric=load.1")),
            ("DELETE", format!("/api/v1/hosts/{id}")),
        ]
    };
    for (caller, name) in [(&admin_b, "admin B"), (&sup, "superadmin in default")] {
        for ((method, path), (_, ghost_path)) in calls(host).into_iter().zip(calls(ghost)) {
            let resp = caller.send(method.parse().expect("method"), &path, None).await;
            let ghost_resp = caller.send(method.parse().expect("method"), &ghost_path, None).await;
            let resp = resp.expect_error(404, "hosts.not_found");
            assert_eq!(
                resp.message().replace(&host.to_string(), "N"),
                ghost_resp.expect_error(404, "hosts.not_found").message().replace(&ghost.to_string(), "N"),
                "{name} {method} {path}"
            );
        }
    }
    assert!(admin_b.hosts().await.is_empty());
    let detail = admin_a.get(&format!("/api/v1/hosts/{host}")).await.expect_status(200).body;
    assert_eq!(detail["latest"].as_array().map(Vec::len), Some(1), "untouched: {detail}");
}

#[actix_web::test]
async fn deleting_a_host_removes_it_and_its_data() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let now = app.now_ms();
    let metrics = |base: f64| {
        (0..5)
            .flat_map(|i| {
                let ts = now - 5000 + i * 1000;
                [
                    sample("load.1", Value::Null, base + i as f64, ts),
                    sample("uptime_s", Value::Null, 100.0 + i as f64, ts),
                ]
            })
            .collect::<Vec<_>>()
    };
    let keep = app.agent(&key).push(&batch("keep", "fp-keep", metrics(50.0))).await.expect_status(202);
    let keep = keep.body["host_id"].as_u64().expect("host");
    let gone = app.agent(&key).push(&batch("gone", "fp-gone", metrics(1.0))).await.expect_status(202);
    let gone = gone.body["host_id"].as_u64().expect("host");
    let status = |c: &Client| {
        let c = c.clone();
        async move { c.get("/api/v1/status").await.expect_status(200).body["metrics"].clone() }
    };
    let before = status(&admin).await;
    let keep_before = admin.get(&format!("/api/v1/hosts/{keep}")).await.expect_status(200).body;

    admin.delete(&format!("/api/v1/hosts/{gone}")).await.expect_status(204);
    admin.get(&format!("/api/v1/hosts/{gone}")).await.expect_error(404, "hosts.not_found");
    admin.get(&format!("/api/v1/hosts/{gone}/series?metric=load.1")).await.expect_error(404, "hosts.not_found");
    admin.delete(&format!("/api/v1/hosts/{gone}")).await.expect_error(404, "hosts.not_found");
    assert!(admin.hosts().await.iter().all(|h| h["id"] != gone));
    let after = status(&admin).await;
    assert_eq!(after["series"], before["series"].as_u64().expect("series") - 2, "{before} -> {after}");
    assert_eq!(after["head_samples"], before["head_samples"].as_u64().expect("head") - 10, "{before} -> {after}");
    assert_eq!(admin.get(&format!("/api/v1/hosts/{keep}")).await.expect_status(200).body, keep_before);
    let deleted = audit_entries(&admin, "action=host.delete").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!((&deleted[0]["target"], &deleted[0]["actor"]), (&json!(format!("host {gone} (gone)")), &json!("admin")));

    // The machine pushing again is a new host, with none of the old samples.
    let resp = app.agent(&key).push(&batch("gone", "fp-gone", vec![sample("load.1", Value::Null, 9.0, now)])).await;
    let again = resp.expect_status(202).body["host_id"].as_u64().expect("host");
    assert_ne!(again, gone);
    let got: Vec<f64> =
        points(&admin, again, "load.1", now - 10_000, now + 1000).await.into_iter().map(|p| p.2).collect();
    assert_eq!(got, [9.0]);
    let detail = admin.get(&format!("/api/v1/hosts/{again}")).await.expect_status(200).body;
    assert_eq!(detail["latest"].as_array().map(Vec::len), Some(1), "{detail}");
}

#[actix_web::test]
async fn a_deleted_hosts_samples_never_reappear_after_a_restart() {
    let app = quiet_app().await;
    let sup = app.superadmin().await;
    let org_b = sup.create_org("beta").await;
    sup.create_user(Some(org_b), "ab", "admin").await;
    let (_, key_a) = sup.create_ingest_key("a").await;
    let admin_b = app.login("ab", USER_PW).await;
    let (_, key_b) = admin_b.create_ingest_key("b").await;
    let now = app.now_ms();
    let old: Vec<Value> =
        (0..5).map(|i| sample("load.1", Value::Null, 100.0 + i as f64, now - 5000 + i * 1000)).collect();
    let gone = app.agent(&key_a).push(&batch("gone", "fp-gone", old)).await.expect_status(202);
    let gone = gone.body["host_id"].as_u64().expect("host");
    sup.delete(&format!("/api/v1/hosts/{gone}")).await.expect_status(204);
    let (dir, _) = app.stop().await;

    let app = TestApp::builder().data_dir(dir).set("metrics.collect_interval_s", 0).start().await;
    let admin_b = app.login("ab", USER_PW).await;
    let resp = app.agent(&key_b).push(&batch("new", "fp-new", vec![sample("load.1", Value::Null, 7.0, now)])).await;
    let host = resp.expect_status(202).body["host_id"].as_u64().expect("host");
    let got: Vec<f64> =
        points(&admin_b, host, "load.1", now - 10_000, now + 1000).await.into_iter().map(|p| p.2).collect();
    assert_eq!(got, [7.0], "org B's new host shows the deleted host's samples");
}

#[actix_web::test]
async fn bad_series_queries_are_refused() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let resp = app.agent(&key).push(&batch("db-1", "fp", vec![sample("load.1", Value::Null, 1.0, app.now_ms())])).await;
    let host = resp.expect_status(202).body["host_id"].as_u64().expect("host");
    let cases = [
        ("metric=load.1&from=-1h&to=-2h", 400, "metrics.invalid_query"),
        ("metric=load.1&from=now&to=now", 400, "metrics.invalid_query"),
        ("metric=load.1&from=yesterday", 400, "metrics.invalid_query"),
        ("metric=load.1&to=tomorrow", 400, "metrics.invalid_query"),
        ("metric=load.1&from=-21y", 400, "metrics.invalid_query"),
        ("metric=load.1&step=5%20minutes", 400, "metrics.invalid_query"),
        ("metric=load.1&step=0s", 400, "metrics.invalid_query"),
        ("metric=load.1&step=-5s", 400, "metrics.invalid_query"),
        ("metric=Load.1", 422, "metrics.invalid_metric"),
        // An empty value is no value: the required metric is missing.
        ("metric=", 400, "request.invalid_query"),
        ("metric=load.1&labels=core", 422, "metrics.invalid_labels"),
        ("metric=load.1&labels=Core=1", 422, "metrics.invalid_labels"),
        ("from=-1h", 400, "request.invalid_query"),
        ("metric=load.1&colour=red", 400, "request.invalid_query"),
    ];
    for (q, status, code) in cases {
        let resp = admin.get(&format!("/api/v1/hosts/{host}/series?{q}")).await;
        assert_eq!((resp.status, resp.code()), (status, code), "{q}: {resp:?}");
        assert!(!resp.message().is_empty(), "{q}");
    }
    admin.get("/api/v1/hosts/999999/series?metric=load.1").await.expect_error(404, "hosts.not_found");
    admin.get("/api/v1/hosts/abc").await.expect_error(404, "request.invalid_path");
}
