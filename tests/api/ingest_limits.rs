//! Ingest bodies and limits: compressed bodies, the decompressed-size limit and bombs, every
//! refused push with its status and code and nothing stored, and the series limit (also
//! under concurrency).

use serde_json::{Value, json};

use crate::ingest::{accepted, compress, host_id, load, metrics, padded, points, quiet_app, stored};
use crate::support::{Agent, Client, TestApp, audit_entries, batch, sample};

#[actix_web::test]
async fn gzip_and_zstd_bodies_are_accepted() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, value) = admin.create_ingest_key("k").await;
    let agent = app.agent(&value);
    let now = app.now_ms();
    let cases = [("gzip", "gzip", 1.25), ("GZIP", "gzip", 2.5), ("zstd", "zstd", 3.75), ("identity", "identity", 5.0)];
    let mut host = None;
    for (i, (header, codec, v)) in cases.into_iter().enumerate() {
        let ts = now - 10_000 + i as i64 * 1000;
        let raw = serde_json::to_vec(&batch("web-1", "fp-1", vec![load(v, ts)])).expect("json");
        let body = if codec == "identity" { raw } else { compress(codec, raw).await };
        let resp = agent.push_bytes(Some("application/json; charset=utf-8"), Some(header), body).await;
        host = Some(host_id(&accepted(resp, 1)));
    }
    let got: Vec<f64> =
        points(&admin, host.expect("host"), "load.1", now - 20_000, now).await.into_iter().map(|p| p.2).collect();
    assert_eq!(got, [1.25, 2.5, 3.75, 5.0]);
}

#[actix_web::test]
async fn an_x_gzip_body_is_decompressed_like_gzip() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, value) = admin.create_ingest_key("k").await;
    let raw = serde_json::to_vec(&batch("web-1", "fp-1", vec![load(1.0, app.now_ms())])).expect("json");
    let body = compress("gzip", raw).await;
    // src/ingest/routes.rs accepts "x-gzip" in check_headers, but actix's decoder only knows
    // "gzip", so the compressed bytes are parsed as JSON.
    accepted(app.agent(&value).push_bytes(Some("application/json"), Some("x-gzip"), body).await, 1);
}

#[actix_web::test]
async fn a_compressed_bomb_is_413_and_stores_nothing() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, value) = admin.create_ingest_key("k").await;
    let agent = app.agent(&value);
    let limit = app.config.metrics.ingest_body_limit_kib as usize * 1024;
    // Valid JSON of 16 MiB (a batch padded with spaces), a few KiB once compressed.
    let bomb = padded(&batch("bomb", "fp-bomb", vec![load(1.0, app.now_ms())]), 16 * 1024 * 1024);
    let before = stored(&admin).await;
    for codec in ["zstd", "gzip"] {
        let body = compress(codec, bomb.clone()).await;
        assert!(body.len() < limit / 16, "{codec} bomb is {} bytes on the wire", body.len());
        agent.push_bytes(Some("application/json"), Some(codec), body).await.expect_error(413, "request.too_large");
        assert_eq!(stored(&admin).await, before, "{codec}: a refused bomb stored something");
    }
}

#[actix_web::test]
async fn the_body_limit_counts_decompressed_bytes_to_the_byte() {
    let app =
        TestApp::builder().set("metrics.collect_interval_s", 0).set("metrics.ingest_body_limit_kib", 64).start().await;
    let admin = app.superadmin().await;
    let (_, value) = admin.create_ingest_key("k").await;
    let agent = app.agent(&value);
    let limit = 64 * 1024;
    let now = app.now_ms();
    for (i, codec) in ["identity", "gzip", "zstd"].into_iter().enumerate() {
        let at_limit = padded(&batch("web-1", "fp-1", vec![load(1.0, now - i as i64 * 1000)]), limit);
        let over = padded(&batch("web-1", "fp-1", vec![load(2.0, now - 5000)]), limit + 1);
        let (at_limit, over) = match codec {
            "identity" => (at_limit, over),
            c => (compress(c, at_limit).await, compress(c, over).await),
        };
        accepted(agent.push_bytes(Some("application/json"), Some(codec), at_limit).await, 1);
        let before = stored(&admin).await;
        agent.push_bytes(Some("application/json"), Some(codec), over).await.expect_error(413, "request.too_large");
        assert_eq!(stored(&admin).await, before, "{codec}");
    }
}

/// One refused push: which key, headers, body, and the answer it must get.
struct Refused {
    label: &'static str,
    key: Option<String>,
    content_type: Option<&'static str>,
    encoding: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
    /// A field path the message must name.
    names: Option<&'static str>,
}

#[actix_web::test]
async fn every_bad_push_gets_its_status_and_code_and_stores_nothing() {
    let app = TestApp::builder()
        .set("metrics.collect_interval_s", 0)
        .set("metrics.ingest_body_limit_kib", 64)
        .set("metrics.max_samples_per_batch", 100)
        .start()
        .await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("good").await;
    let (off_id, off_key) = admin.create_ingest_key("off").await;
    admin.patch(&format!("/api/v1/ingest-keys/{off_id}"), json!({ "active": false })).await.expect_status(200);
    let now = app.now_ms();
    // The machine exists with one sample, so the checks below see refusals, not registrations.
    let host =
        host_id(&accepted(app.agent(&key).push(&batch("web-1", "fp-known", vec![load(1.0, now - 1000)])).await, 1));

    let good = |metrics: Vec<Value>| batch("web-1", "fp-known", metrics);
    let with = |field: &str, v: Value| {
        let mut b = good(vec![load(2.0, now)]);
        b[field] = v;
        serde_json::to_vec(&b).expect("json")
    };
    let metric = |m: Value| serde_json::to_vec(&good(vec![load(2.0, now), m])).expect("json");
    let machine = |m: Value| {
        let mut b = good(vec![load(2.0, now)]);
        b["machine"] = m;
        serde_json::to_vec(&b).expect("json")
    };
    let valid = serde_json::to_vec(&good(vec![load(2.0, now)])).expect("json");
    let j = Some("application/json");
    let k = Some(key.clone());
    let case = |label, key: &Option<String>, content_type, encoding, body, status, code, names| {
        let key = key.clone();
        Refused { label, key, content_type, encoding, body, status, code, names }
    };
    let unique_value = serde_json::to_string(&good(vec![load(424_242.5, now)])).expect("json");
    assert_eq!(unique_value.matches("424242.5").count(), 1);
    let huge_value = unique_value.replace("424242.5", "1e999").into_bytes();
    let too_many: Vec<Value> = (0..101).map(|i| load(i as f64, now - i * 1000)).collect();
    let too_many_labels: serde_json::Map<String, Value> = (0..17).map(|i| (format!("l{i}"), json!("x"))).collect();
    let ingest_id = |id: &str| with("ingest_id", json!(id));
    #[rustfmt::skip]
    let cases = vec![
        case("no key", &None, j, None, valid.clone(), 401, "ingest.key_required", None),
        case("unknown key", &Some(format!("sti_{}", "x".repeat(43))), j, None, valid.clone(), 401, "ingest.invalid_key", None),
        case("deactivated key", &Some(off_key.clone()), j, None, valid.clone(), 403, "ingest.key_inactive", None),
        case("text/plain", &k, Some("text/plain"), None, valid.clone(), 415, "request.unsupported_media_type", None),
        case("form", &k, Some("application/x-www-form-urlencoded"), None, valid.clone(), 415, "request.unsupported_media_type", None),
        case("no content type", &k, None, None, valid.clone(), 415, "request.unsupported_media_type", None),
        case("brotli", &k, j, Some("br"), valid.clone(), 415, "ingest.unsupported_encoding", None),
        case("deflate", &k, j, Some("deflate"), valid.clone(), 415, "ingest.unsupported_encoding", None),
        case("gzip that is not", &k, j, Some("gzip"), valid.clone(), 400, "request.bad_body", None),
        case("over the limit", &k, j, None, padded(&good(vec![]), 64 * 1024 + 1), 413, "request.too_large", None),
        case("not JSON", &k, j, None, b"{nope".to_vec(), 400, "request.malformed_json", None),
        case("empty", &k, j, None, Vec::new(), 400, "request.malformed_json", None),
        case("truncated", &k, j, None, valid[..valid.len() - 3].to_vec(), 400, "request.malformed_json", None),
        case("string value", &k, j, None, metric(json!({ "name": "load.1", "value": "high" })), 422, "ingest.invalid", Some("metrics[1].value")),
        case("value 1e999", &k, j, None, huge_value, 422, "ingest.invalid", Some("metrics[0].value")),
        case("null value", &k, j, None, metric(json!({ "name": "load.1", "value": null })), 422, "ingest.invalid", Some("metrics[1].value")),
        case("no value", &k, j, None, metric(json!({ "name": "load.1" })), 422, "ingest.invalid", Some("value")),
        case("bad metric name", &k, j, None, metric(json!({ "name": "Load", "value": 1 })), 422, "ingest.invalid", Some("metrics[1].name")),
        case("bad label key", &k, j, None, metric(json!({ "name": "load.1", "labels": { "A": "x" }, "value": 1 })), 422, "ingest.invalid", Some("metrics[1].labels")),
        case("numeric label", &k, j, None, metric(json!({ "name": "load.1", "labels": { "core": 0 }, "value": 1 })), 422, "ingest.invalid", Some("metrics[1].labels")),
        case("17 labels", &k, j, None, metric(json!({ "name": "load.1", "labels": too_many_labels, "value": 1 })), 422, "ingest.invalid", Some("metrics[1].labels")),
        case("bad ts", &k, j, None, metric(json!({ "name": "load.1", "value": 1, "ts": "yesterday" })), 422, "ingest.invalid", Some("metrics[1].ts")),
        case("unknown sample field", &k, j, None, metric(json!({ "name": "load.1", "value": 1, "unit": "x" })), 422, "ingest.invalid", Some("unit")),
        case("unknown field", &k, j, None, with("colour", json!("red")), 422, "ingest.invalid", Some("colour")),
        case("metrics not a list", &k, j, None, with("metrics", json!({})), 422, "ingest.invalid", Some("metrics")),
        case("interval 0", &k, j, None, with("interval_s", json!(0)), 422, "ingest.invalid", Some("interval_s")),
        case("negative interval", &k, j, None, with("interval_s", json!(-5)), 422, "ingest.invalid", Some("interval_s")),
        case("bad sent_at", &k, j, None, with("sent_at", json!(true)), 422, "ingest.invalid", Some("sent_at")),
        case("no machine", &k, j, None, serde_json::to_vec(&json!({ "metrics": [] })).expect("json"), 422, "ingest.invalid", Some("machine")),
        case("no fingerprint", &k, j, None, machine(json!({ "hostname": "web-1" })), 422, "ingest.invalid", Some("fingerprint")),
        case("a list", &k, j, None, b"[]".to_vec(), 422, "ingest.invalid", None),
        case("too many samples", &k, j, None, serde_json::to_vec(&good(too_many)).expect("json"), 422, "ingest.too_many_samples", None),
        case("ingest id with a space", &k, j, None, ingest_id("a b"), 422, "ingest.invalid_id", None),
        case("empty ingest id", &k, j, None, ingest_id(""), 422, "ingest.invalid_id", None),
        case("ingest id of 65", &k, j, None, ingest_id(&"a".repeat(65)), 422, "ingest.invalid_id", None),
        case("non-ascii ingest id", &k, j, None, ingest_id("bätch"), 422, "ingest.invalid_id", None),
    ];
    // Bad machines: the status is checked here, the code in the ignored test below.
    let bad_machines = [
        json!({ "hostname": "", "fingerprint": "fp-known" }),
        json!({ "hostname": "web\n1", "fingerprint": "fp-known" }),
        json!({ "hostname": "web-1", "fingerprint": "  " }),
        json!({ "hostname": "web-1", "fingerprint": "f".repeat(129) }),
        json!({ "hostname": "h".repeat(254), "fingerprint": "fp-known" }),
        json!({ "hostname": "web-1", "os": "o".repeat(129), "fingerprint": "fp-known" }),
    ];

    let mut before = stored(&admin).await;
    let points_before = points(&admin, host, "load.1", now - 200_000, now + 200_000).await;
    for c in cases {
        let resp = Agent::new(&app.url, c.key.as_deref()).push_bytes(c.content_type, c.encoding, c.body).await;
        assert_eq!((resp.status, resp.code()), (c.status, c.code), "{}: {resp:?}", c.label);
        assert!(!resp.message().is_empty(), "{}: {resp:?}", c.label);
        if let Some(path) = c.names {
            assert!(resp.message().contains(path), "{}: message should name {path}: {resp:?}", c.label);
        }
        let after = stored(&admin).await;
        assert_eq!(after, before, "{}: refused but changed the state", c.label);
        before = after;
    }
    for m in bad_machines {
        let resp = app.agent(&key).push_bytes(j, None, machine(m.clone())).await;
        assert_eq!(resp.status, 422, "{m}: {resp:?}");
        assert!(resp.message().contains("machine."), "{m}: {resp:?}");
        assert_eq!(stored(&admin).await, before, "{m}: refused but changed the state");
    }
    assert_eq!(points(&admin, host, "load.1", now - 200_000, now + 200_000).await, points_before);
}

#[actix_web::test]
async fn an_invalid_machine_is_422_ingest_invalid_machine() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let mut body = batch("", "fp-1", vec![load(1.0, app.now_ms())]);
    app.agent(&key).push(&body).await.expect_error(422, "ingest.invalid_machine");
    body["machine"] = json!({ "hostname": "web-1", "fingerprint": "" });
    app.agent(&key).push(&body).await.expect_error(422, "ingest.invalid_machine");
}

#[actix_web::test]
async fn a_refused_batch_from_a_new_machine_registers_nothing() {
    let app =
        TestApp::builder().set("metrics.collect_interval_s", 0).set("metrics.max_series_per_host", 5).start().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let now = app.now_ms();
    let before = stored(&admin).await;
    let mut bad_id = batch("web-1", "fp-new-1", vec![load(1.0, now)]);
    bad_id["ingest_id"] = json!("not valid!");
    app.agent(&key).push(&bad_id).await.expect_error(422, "ingest.invalid_id");
    let many: Vec<Value> = (0..6).map(|i| sample(&format!("m.s{i}"), Value::Null, 1.0, now)).collect();
    app.agent(&key).push(&batch("web-2", "fp-new-2", many)).await.expect_error(422, "metrics.series_limit");
    assert_eq!(stored(&admin).await, before, "refused batches registered their machines");
    assert!(audit_entries(&admin, "action=host.register").await.is_empty());
}

/// `n` samples of `n` distinct series `name{i=...}` at `ts`.
fn series_batch(fp: &str, name: &str, range: std::ops::Range<usize>, ts: i64) -> Value {
    let metrics = range.map(|i| sample(name, json!({ "i": i.to_string() }), i as f64, ts)).collect();
    batch("big-1", fp, metrics)
}

#[actix_web::test]
async fn the_series_limit_refuses_the_whole_batch() {
    let app =
        TestApp::builder().set("metrics.collect_interval_s", 0).set("metrics.max_series_per_host", 50).start().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let agent = app.agent(&key);
    let now = app.now_ms();
    let host = host_id(&accepted(agent.push(&series_batch("fp-big", "m.x", 0..10, now - 5000)).await, 10));

    // 10 known series with new samples, plus 100 new series: refused whole.
    let mut samples = series_batch("fp-big", "m.x", 0..10, now - 4000)["metrics"].as_array().expect("m").clone();
    samples.extend(series_batch("fp-big", "m.y", 0..100, now - 4000)["metrics"].as_array().expect("m").iter().cloned());
    let before = stored(&admin).await;
    let resp = agent.push(&batch("big-1", "fp-big", samples)).await.expect_error(422, "metrics.series_limit");
    assert!(resp.message().contains("50"), "{resp:?}");
    assert_eq!(stored(&admin).await, before);
    assert_eq!(points(&admin, host, "m.x", now - 10_000, now).await.len(), 10, "known series got nothing either");

    // Up to the limit exactly: accepted; one more: refused; known series only: accepted.
    accepted(agent.push(&series_batch("fp-big", "m.y", 0..40, now - 3000)).await, 40);
    assert_eq!(metrics(&admin).await["series"], 50);
    let before = stored(&admin).await;
    agent.push(&series_batch("fp-big", "m.z", 0..1, now - 2000)).await.expect_error(422, "metrics.series_limit");
    assert_eq!(stored(&admin).await, before);
    accepted(agent.push(&series_batch("fp-big", "m.y", 0..40, now - 1000)).await, 40);
    // Dropped samples create no series, so they do not count against the limit.
    let old = now - 8 * 86_400_000;
    let resp = agent.push(&series_batch("fp-big", "m.old", 0..60, old)).await.expect_status(202);
    assert_eq!((&resp.body["accepted"], &resp.body["dropped_too_old"]), (&json!(0), &json!(60)), "{resp:?}");
    assert_eq!(metrics(&admin).await["series"], 50);
    // The limit is per host: another machine starts from zero.
    accepted(agent.push(&series_batch("fp-other", "m.y", 0..50, now)).await, 50);
}

#[actix_web::test]
async fn a_hundred_thousand_new_series_from_one_machine_are_refused_at_the_default_limit() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let agent = app.agent(&key);
    let (limit, per_batch) =
        (app.config.metrics.max_series_per_host as usize, app.config.metrics.max_samples_per_batch as usize);
    assert_eq!((limit, per_batch), (5000, 20_000), "the documented defaults");
    let now = app.now_ms();
    accepted(agent.push(&batch("big-1", "fp-big", vec![load(1.0, now)])).await, 1);
    let before = stored(&admin).await;
    agent.push(&series_batch("fp-big", "m.a", 0..6000, now)).await.expect_error(422, "metrics.series_limit");
    for part in 0..5 {
        let range = part * per_batch..(part + 1) * per_batch;
        agent.push(&series_batch("fp-big", "m.b", range, now)).await.expect_error(422, "metrics.series_limit");
    }
    assert_eq!(stored(&admin).await, before, "100,000 series refused, nothing stored");
    // One batch over the sample limit is refused for that first.
    agent
        .push(&series_batch("fp-big", "m.c", 0..per_batch + 1, now))
        .await
        .expect_error(422, "ingest.too_many_samples");
    // Filling the limit exactly works; the next new series does not.
    accepted(agent.push(&series_batch("fp-big", "m.d", 0..limit - 1, now)).await, (limit - 1) as u64);
    assert_eq!(metrics(&admin).await["series"], limit);
    agent.push(&series_batch("fp-big", "m.e", 0..1, now)).await.expect_error(422, "metrics.series_limit");
    assert_eq!(metrics(&admin).await["series"], limit);
}

#[actix_web::test]
async fn concurrent_batches_cannot_exceed_the_series_limit_together() {
    let app =
        TestApp::builder().set("metrics.collect_interval_s", 0).set("metrics.max_series_per_host", 10).start().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let agent = app.agent(&key);
    let now = app.now_ms();
    // A race: tried on several fresh machines so that it shows; once fixed, no round can fail.
    for round in 0..8 {
        let fp = format!("fp-race-{round}");
        let host = host_id(&accepted(agent.push(&batch("race", &fp, vec![])).await, 0));
        // 16 batches of 6 new series each: any one fits, no two do.
        let pushes = (0..16).map(|n| {
            let (agent, body) = (agent.clone(), series_batch(&fp, &format!("m.p{n}"), 0..6, now));
            async move { agent.push(&body).await }
        });
        let answers = futures_util::future::join_all(pushes).await;
        let ok = answers.iter().filter(|r| r.status == 202).count();
        for r in answers.iter().filter(|r| r.status != 202) {
            assert_eq!((r.status, r.code()), (422, "metrics.series_limit"), "{r:?}");
        }
        let detail = admin.get(&format!("/api/v1/hosts/{host}")).await.expect_status(200).body;
        let series = detail["latest"].as_array().map_or(0, Vec::len);
        assert!(series <= 10, "round {round}: {series} series, over the limit of 10 ({ok} batches of 6 accepted)");
    }
}

/// A zstd frame of `blocks` RLE blocks of 128 KiB of spaces each: 4 bytes on the wire per
/// 128 KiB decompressed (RFC 8878: no content size, 128 KiB window).
fn zstd_rle_bomb(blocks: usize) -> Vec<u8> {
    let mut frame = vec![0x28, 0xB5, 0x2F, 0xFD, 0x00, 7 << 3];
    for i in 0..blocks {
        let header = u32::from(i + 1 == blocks) | (1 << 1) | (128 * 1024) << 3;
        frame.extend_from_slice(&header.to_le_bytes()[..3]);
        frame.push(b' ');
    }
    frame
}

#[actix_web::test]
async fn a_compressed_bomb_never_costs_more_memory_than_the_limit() {
    // A process of its own, so its peak memory is this request's alone.
    let dir = tempfile::tempdir().expect("temp dir");
    let served = crate::crash::Served::start(dir.path()).await;
    let mut admin = Client::new(&served.url);
    admin.login("admin", crate::support::KNOWN_ADMIN_PW).await.expect_status(200);
    admin.change_password(crate::support::KNOWN_ADMIN_PW, crate::support::ADMIN_PW).await.expect_status(204);
    let (_, key) = admin.create_ingest_key("k").await;
    let agent = Agent::new(&served.url, Some(&key));
    accepted(agent.push(&batch("web-1", "fp-1", vec![])).await, 0);
    let baseline = served.peak_rss_kib();
    let bomb = zstd_rle_bomb(4096);
    assert_eq!(bomb.len(), 6 + 4 * 4096, "16 KiB on the wire, 512 MiB decompressed");
    agent.push_bytes(Some("application/json"), Some("zstd"), bomb).await.expect_error(413, "request.too_large");
    let peak = served.peak_rss_kib();
    // The limit is 4 MiB: the refusal should cost about that, not the bomb's full size.
    assert!(peak < baseline + 64 * 1024, "peak memory went from {baseline} KiB to {peak} KiB for a 16 KiB body");
}
