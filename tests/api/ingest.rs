//! Ingest: the keys machines push with (shown once, listed without their value, disabled,
//! re-enabled, renamed, deleted, audited) and `POST /api/v1/ingest/metrics`: registration by
//! fingerprint, idempotent resends, compressed bodies, the decompressed-size limit, every
//! refusal with its status and code and nothing stored, the series limit, and the
//! organization boundary.

use serde_json::{Value, json};

use crate::support::{Agent, Client, Resp, TestApp, audit_entries, batch, sample};

/// No local collection: the engine's counters then move only with what the tests push.
async fn quiet_app() -> TestApp {
    TestApp::builder().set("metrics.collect_interval_s", 0).start().await
}

/// The engine's counters from `GET /api/v1/status`.
async fn metrics(client: &Client) -> Value {
    client.get("/api/v1/status").await.expect_status(200).body["metrics"].clone()
}

/// Everything a refused push could have changed: hosts (with their status and latest
/// values), ingest keys, and the engine's counters.
async fn stored(admin: &Client) -> Value {
    let m = metrics(admin).await;
    let keys = admin.get("/api/v1/ingest-keys").await.expect_status(200).body;
    json!({
        "hosts": admin.hosts().await,
        "keys": keys,
        "series": m["series"],
        "head_samples": m["head_samples"],
        "samples": m["samples_accepted"],
        "batches": m["batches"],
    })
}

/// The points of every series of `metric` on `host` in `[from, to)` (at most 400 s), at
/// 1 s raw resolution: `(labels, ts, avg)` for each grid point that has data.
pub async fn points(client: &Client, host: u64, metric: &str, from: i64, to: i64) -> Vec<(Value, i64, f64)> {
    assert!(to - from <= 400_000, "1 s steps fit 400 s at most");
    let q = client.series(host, &format!("metric={metric}&from={from}&to={to}&step=1s")).await;
    assert_eq!((q["tier"].as_str(), q["step"].as_i64()), (Some("raw"), Some(1000)), "{q}");
    let ts: Vec<i64> = q["ts"].as_array().expect("ts").iter().map(|t| t.as_i64().expect("ts")).collect();
    let mut out = Vec::new();
    for s in q["series"].as_array().expect("series") {
        for (i, v) in s["avg"].as_array().expect("avg").iter().enumerate() {
            if let Some(v) = v.as_f64() {
                out.push((s["labels"].clone(), ts[i], v));
            }
        }
    }
    out
}

/// Compresses `raw` with actix-web's own response encoder (the `Compress` middleware on an
/// in-memory service), so the test needs no compression crate of its own.
async fn compress(encoding: &str, raw: Vec<u8>) -> Vec<u8> {
    use actix_web::{App, HttpResponse, middleware, test, web};
    let raw = web::Bytes::from(raw);
    let svc =
        test::init_service(App::new().wrap(middleware::Compress::default()).default_service(web::to(move || {
            let raw = raw.clone();
            async move { HttpResponse::Ok().content_type("application/json").body(raw) }
        })))
        .await;
    let req = test::TestRequest::get().insert_header(("Accept-Encoding", encoding)).to_request();
    let resp = test::call_service(&svc, req).await;
    let got = resp.headers().get("content-encoding").and_then(|v| v.to_str().ok()).map(str::to_string);
    assert_eq!(got.as_deref(), Some(encoding), "the encoder did not compress");
    test::read_body(resp).await.to_vec()
}

/// `batch` serialized and padded with spaces before its final `}` to exactly `len` bytes:
/// still valid JSON.
fn padded(batch: &Value, len: usize) -> Vec<u8> {
    let mut s = serde_json::to_string(batch).expect("batch");
    assert!(s.len() <= len, "batch alone is {} bytes", s.len());
    let close = s.pop().expect("closing brace");
    s.extend(std::iter::repeat_n(' ', len - s.len() - 1));
    s.push(close);
    s.into_bytes()
}

fn load(value: f64, ts: i64) -> Value {
    sample("load.1", Value::Null, value, ts)
}

#[track_caller]
fn accepted(resp: Resp, n: u64) -> Resp {
    let resp = resp.expect_status(202);
    assert_eq!(resp.body["accepted"], n, "{resp:?}");
    assert_eq!(resp.body["duplicate"], false, "{resp:?}");
    resp
}

fn host_id(resp: &Resp) -> u64 {
    resp.body["host_id"].as_u64().unwrap_or_else(|| panic!("no host_id in {resp:?}"))
}

#[actix_web::test]
async fn an_ingest_key_is_shown_once_and_its_lifecycle_is_enforced_and_audited() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let created = admin.post("/api/v1/ingest-keys", json!({ "name": "web servers" })).await.expect_status(201);
    let id = created.id();
    let value = created.body["key"].as_str().expect("the value, once").to_string();
    assert!(value.starts_with("sti_") && value.len() > 40, "{value}");
    assert_eq!(created.body["name"], "web servers");
    assert_eq!(created.body["active"], true);
    assert_eq!(created.body["prefix"], value[..10]);
    assert_eq!((&created.body["host"], &created.body["last_used_at"]), (&Value::Null, &Value::Null));
    assert_eq!(created.body["created_by"], "admin");

    let list = admin.get("/api/v1/ingest-keys").await.expect_status(200);
    let listed = list.body.as_array().expect("keys");
    assert_eq!(listed.len(), 1, "{list:?}");
    assert_eq!(listed[0]["id"], id);
    assert!(listed[0].get("key").is_none() && listed[0].get("hash").is_none(), "{list:?}");
    assert!(!list.body.to_string().contains(&value[10..]), "the value is never listed again");

    let agent = app.agent(&value);
    let now = app.now_ms();
    accepted(agent.push(&batch("web-1", "fp-web-1", vec![load(0.5, now - 3000)])).await, 1);

    // Disabled: refused before the body is looked at; enabled again: accepted.
    let patched = admin.patch(&format!("/api/v1/ingest-keys/{id}"), json!({ "active": false })).await;
    assert_eq!(patched.expect_status(200).body["active"], false);
    let before = stored(&admin).await;
    agent.push(&batch("web-1", "fp-web-1", vec![load(0.6, now - 2000)])).await.expect_error(403, "ingest.key_inactive");
    assert_eq!(stored(&admin).await, before, "a deactivated key stored something");
    let patched = admin.patch(&format!("/api/v1/ingest-keys/{id}"), json!({ "active": true })).await;
    assert_eq!(patched.expect_status(200).body["active"], true);
    accepted(agent.push(&batch("web-1", "fp-web-1", vec![load(0.7, now - 1000)])).await, 1);

    // Rename; a patch that changes nothing records nothing.
    let renamed = admin.patch(&format!("/api/v1/ingest-keys/{id}"), json!({ "name": "  db servers " })).await;
    assert_eq!(renamed.expect_status(200).body["name"], "db servers");
    admin
        .patch(&format!("/api/v1/ingest-keys/{id}"), json!({ "name": "db servers", "active": true }))
        .await
        .expect_status(200);
    for bad in [json!({ "name": "" }), json!({ "name": "a\u{7}b" }), json!({ "name": "x".repeat(65) })] {
        admin.patch(&format!("/api/v1/ingest-keys/{id}"), bad).await.expect_error(422, "ingest_keys.invalid_name");
    }
    admin.post("/api/v1/ingest-keys", json!({ "name": " " })).await.expect_error(422, "ingest_keys.invalid_name");
    let list = admin.get("/api/v1/ingest-keys").await.expect_status(200).body;
    assert_eq!(list[0]["name"], "db servers");

    // Deleted: the value no longer names a key.
    admin.delete(&format!("/api/v1/ingest-keys/{id}")).await.expect_status(204);
    let before = stored(&admin).await;
    agent.push(&batch("web-1", "fp-web-1", vec![load(0.8, now)])).await.expect_error(401, "ingest.invalid_key");
    assert_eq!(stored(&admin).await, before);
    admin.delete(&format!("/api/v1/ingest-keys/{id}")).await.expect_error(404, "ingest_keys.not_found");
    admin
        .patch(&format!("/api/v1/ingest-keys/{id}"), json!({ "active": true }))
        .await
        .expect_error(404, "ingest_keys.not_found");

    let target = format!("ingest key {id} (");
    let actions: Vec<String> = audit_entries(&admin, "action=ingest_key")
        .await
        .iter()
        .filter(|e| e["target"].as_str().is_some_and(|t| t.starts_with(&target)))
        .map(|e| {
            assert_eq!(e["actor"], "admin", "{e}");
            e["action"].as_str().expect("action").to_string()
        })
        .collect();
    let expected =
        ["ingest_key.delete", "ingest_key.rename", "ingest_key.enable", "ingest_key.disable", "ingest_key.create"];
    assert_eq!(actions, expected, "newest first");
}

#[actix_web::test]
async fn a_push_needs_a_valid_key_in_x_api_key() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, value) = admin.create_ingest_key("k").await;
    let body = batch("web-1", "fp-1", vec![load(1.0, app.now_ms())]);
    let before = stored(&admin).await;
    Agent::new(&app.url, None).push(&body).await.expect_error(401, "ingest.key_required");
    Agent::new(&app.url, Some("")).push(&body).await.expect_error(401, "ingest.invalid_key");
    Agent::new(&app.url, Some(&format!("sti_{}", "A".repeat(43))))
        .push(&body)
        .await
        .expect_error(401, "ingest.invalid_key");
    Agent::new(&app.url, Some(&value[..value.len() - 1])).push(&body).await.expect_error(401, "ingest.invalid_key");
    // A personal API token is not an ingest key; an ingest key goes in X-API-Key, not in
    // Authorization; a session cookie authenticates no push.
    let (_, token) = admin.create_token(json!({ "name": "t" })).await;
    Agent::new(&app.url, Some(&token)).push(&body).await.expect_error(401, "ingest.invalid_key");
    let req = admin.http.post(format!("{}/api/v1/ingest/metrics", app.url)).bearer_auth(&value).json(&body);
    crate::support::read(req.send().await.expect("sent")).await.expect_error(401, "ingest.key_required");
    admin.post("/api/v1/ingest/metrics", body.clone()).await.expect_error(401, "ingest.key_required");
    assert_eq!(stored(&admin).await, before);
    accepted(app.agent(&value).push(&body).await, 1);
}

#[actix_web::test]
async fn a_machine_is_registered_once_and_its_key_remembers_it() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (key_id, value) = admin.create_ingest_key("fleet").await;
    let agent = app.agent(&value);
    let now = app.now_ms();
    let mut first = batch("web-1", "machine-id-0001", vec![load(0.5, now - 1000)]);
    first["interval_s"] = json!(10);
    let host = host_id(&accepted(agent.push(&first).await, 1));

    let hosts = admin.hosts().await;
    let h = hosts.iter().find(|h| h["id"] == host).unwrap_or_else(|| panic!("{host} not in {hosts:?}"));
    assert_eq!(h["kind"], "agent");
    assert_eq!(h["name"], "web-1");
    assert_eq!(h["os"], "Debian GNU/Linux 12 (bookworm)");
    assert_eq!(h["fingerprint"], "machine-id-0001");
    assert_eq!(h["ingest_key"], key_id);
    assert_eq!(h["interval_s"], 10);
    assert_eq!(h["status"], "online");

    let keys = admin.get("/api/v1/ingest-keys").await.expect_status(200).body;
    assert_eq!(keys[0]["host"], host);
    let used = keys[0]["last_used_at"].as_str().expect("last_used_at set").to_string();
    let used_at = time::OffsetDateTime::parse(&used, &time::format_description::well_known::Rfc3339).expect("rfc3339");
    assert_eq!(used_at, app.clock_now());

    // The same fingerprint is the same host, renamed when its hostname changes.
    let again = agent.push(&batch("web-1.example.net", "machine-id-0001", vec![load(0.6, now)])).await;
    assert_eq!(host_id(&accepted(again, 1)), host);
    let hosts = admin.hosts().await;
    assert_eq!(hosts.iter().filter(|h| h["fingerprint"] == "machine-id-0001").count(), 1, "{hosts:?}");
    let h = admin.get(&format!("/api/v1/hosts/{host}")).await.expect_status(200).body;
    assert_eq!(h["name"], "web-1.example.net");
    assert_eq!(h["latest"].as_array().map(Vec::len), Some(1), "{h}");
    assert_eq!((&h["latest"][0]["metric"], &h["latest"][0]["value"]), (&json!("load.1"), &json!(0.6)));

    // A second machine on the same key is another host; the key keeps its first one, and
    // records its use again once a minute has passed.
    app.advance_minutes(2);
    let other = host_id(&accepted(agent.push(&batch("web-2", "machine-id-0002", vec![])).await, 0));
    assert_ne!(other, host);
    let keys = admin.get("/api/v1/ingest-keys").await.expect_status(200).body;
    assert_eq!(keys[0]["host"], host);
    let used = keys[0]["last_used_at"].as_str().expect("last_used_at").to_string();
    assert_eq!(
        time::OffsetDateTime::parse(&used, &time::format_description::well_known::Rfc3339).ok(),
        Some(app.clock_now())
    );

    let registered: Vec<Value> = audit_entries(&admin, "action=host.register").await;
    let targets: Vec<&str> = registered.iter().filter_map(|e| e["target"].as_str()).collect();
    assert_eq!(targets, [format!("host {other} (web-2)"), format!("host {host} (web-1)")], "one entry per machine");
    assert_eq!(registered[1]["actor"], format!("ingest key {key_id}"));
}

#[actix_web::test]
async fn another_orgs_key_registers_its_own_host_and_leaves_org_a_alone() {
    let app = quiet_app().await;
    let sup = app.superadmin().await;
    let (org_a, org_b) = (sup.create_org("alpha").await, sup.create_org("beta").await);
    sup.create_user(Some(org_a), "aa", "admin").await;
    sup.create_user(Some(org_b), "ab", "admin").await;
    let admin_a = app.login("aa", crate::support::USER_PW).await;
    let admin_b = app.login("ab", crate::support::USER_PW).await;
    let (_, key_a) = admin_a.create_ingest_key("a").await;
    let (_, key_b) = admin_b.create_ingest_key("b").await;
    let now = app.now_ms();
    let host_a = host_id(&accepted(app.agent(&key_a).push(&batch("db-1", "shared-fp", vec![load(1.0, now)])).await, 1));
    let a_before = admin_a.get(&format!("/api/v1/hosts/{host_a}")).await.expect_status(200).body;

    // The same machine identity under org B's key: a separate host of org B.
    let resp = app.agent(&key_b).push(&batch("evil", "shared-fp", vec![load(99.0, now), load(98.0, now - 1000)])).await;
    let host_b = host_id(&accepted(resp, 2));
    assert_ne!(host_b, host_a);
    assert_eq!(admin_a.get(&format!("/api/v1/hosts/{host_a}")).await.expect_status(200).body, a_before);
    assert_eq!(points(&admin_a, host_a, "load.1", now - 10_000, now + 1000).await.len(), 1);
    let ids = |hosts: Vec<Value>| hosts.iter().map(|h| h["id"].as_u64().expect("id")).collect::<Vec<_>>();
    assert_eq!(ids(admin_a.hosts().await), [host_a]);
    assert_eq!(ids(admin_b.hosts().await), [host_b]);
    admin_b.get(&format!("/api/v1/hosts/{host_a}")).await.expect_error(404, "hosts.not_found");
    admin_a.get(&format!("/api/v1/hosts/{host_b}/series?metric=load.1")).await.expect_error(404, "hosts.not_found");
    // Org A's admin does not see org B's keys, nor can touch them.
    let keys_a = admin_a.get("/api/v1/ingest-keys").await.expect_status(200).body;
    assert_eq!(keys_a.as_array().map(Vec::len), Some(1));
    let key_b_id = admin_b.get("/api/v1/ingest-keys").await.expect_status(200).body[0]["id"].as_u64().expect("id");
    admin_a.delete(&format!("/api/v1/ingest-keys/{key_b_id}")).await.expect_error(404, "ingest_keys.not_found");
}

#[actix_web::test]
async fn a_batch_resent_with_its_ingest_id_is_stored_once() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, value) = admin.create_ingest_key("k").await;
    let agent = app.agent(&value);
    let now = app.now_ms();
    let mut first = batch("web-1", "fp-1", vec![load(1.0, now - 3000), load(2.0, now - 2000), load(3.0, now - 1000)]);
    first["ingest_id"] = json!("web-1:2025-11-24T10.00_a-1");
    let host = host_id(&accepted(agent.push(&first).await, 3));
    let samples_after_first = metrics(&admin).await["samples_accepted"].clone();

    let again = agent.push(&first).await.expect_status(202);
    assert_eq!((&again.body["duplicate"], &again.body["accepted"]), (&json!(true), &json!(3)), "{again:?}");
    // Even with other content, the id names a batch already stored: nothing is written.
    let mut altered = batch("web-1", "fp-1", vec![load(10.0, now - 3000), load(20.0, now - 2000), load(40.0, now)]);
    altered["ingest_id"] = first["ingest_id"].clone();
    let resp = agent.push(&altered).await.expect_status(202);
    assert_eq!((&resp.body["duplicate"], &resp.body["accepted"]), (&json!(true), &json!(3)), "{resp:?}");
    assert_eq!(metrics(&admin).await["samples_accepted"], samples_after_first);
    let got: Vec<(i64, f64)> =
        points(&admin, host, "load.1", now - 10_000, now + 1000).await.into_iter().map(|(_, t, v)| (t, v)).collect();
    let first_ts = |d: i64| (now - d) / 1000 * 1000;
    assert_eq!(got, [(first_ts(3000), 1.0), (first_ts(2000), 2.0), (first_ts(1000), 3.0)]);

    // The id is remembered per host: another machine may use it.
    let mut other = batch("web-2", "fp-2", vec![load(5.0, now)]);
    other["ingest_id"] = first["ingest_id"].clone();
    accepted(agent.push(&other).await, 1);
    // Without an id a resend is stored again; a sample at the same time replaces the old.
    accepted(agent.push(&batch("web-1", "fp-1", vec![load(7.0, now - 1000)])).await, 1);
    let got: Vec<f64> =
        points(&admin, host, "load.1", now - 10_000, now + 1000).await.into_iter().map(|p| p.2).collect();
    assert_eq!(got, [1.0, 2.0, 7.0]);
}

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

#[actix_web::test]
async fn samples_outside_retention_and_future_bounds_are_dropped_and_counted() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let now = app.now_ms();
    let (day, max_future) = (86_400_000, i64::from(app.config.metrics.max_future_s) * 1000);
    let rfc3339 = |ms: i64| {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).expect("time");
        t.format(&time::format_description::well_known::Rfc3339).expect("format")
    };
    let mut body = batch(
        "web-1",
        "fp-1",
        vec![
            load(1.0, now - 7 * day - 1000),
            load(2.0, now - 7 * day + 60_000),
            load(3.0, now + max_future + 1000),
            load(4.0, now + max_future - 60_000),
            json!({ "name": "load.1", "value": 5.0, "ts": rfc3339(now - 90_000) }),
            json!({ "name": "load.1", "value": 6.0 }),
            json!({ "name": "load.5", "value": 7.0, "ts": rfc3339(now + 2 * max_future) }),
        ],
    );
    body["sent_at"] = json!(rfc3339(now - 30_000));
    let resp = app.agent(&key).push(&body).await.expect_status(202);
    let counts = ["accepted", "duplicate", "dropped_non_finite", "dropped_too_old", "dropped_too_new"]
        .map(|f| resp.body[f].clone());
    assert_eq!(counts, [json!(4), json!(false), json!(0), json!(1), json!(2)], "{resp:?}");
    let host = host_id(&resp);
    let got: Vec<f64> =
        points(&admin, host, "load.1", now - 200_000, now + 200_000).await.into_iter().map(|p| p.2).collect();
    assert_eq!(got, [5.0, 6.0], "the RFC 3339 sample, and the one stamped with sent_at");
    let future: Vec<f64> = points(&admin, host, "load.1", now + max_future - 100_000, now + max_future)
        .await
        .into_iter()
        .map(|p| p.2)
        .collect();
    assert_eq!(future, [4.0]);
    // Nothing of load.5 was kept: not even the series.
    let detail = admin.get(&format!("/api/v1/hosts/{host}")).await.expect_status(200).body;
    assert!(detail["latest"].as_array().expect("latest").iter().all(|l| l["metric"] == "load.1"), "{detail}");
}

#[actix_web::test]
async fn ingest_ids_are_remembered_across_a_restart() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let now = app.now_ms();
    let mut body = batch("web-1", "fp-1", vec![load(1.0, now - 2000), load(2.0, now - 1000)]);
    body["ingest_id"] = json!("before-restart");
    let host = host_id(&accepted(app.agent(&key).push(&body).await, 2));
    let (dir, _) = app.stop().await;

    let app = TestApp::builder().data_dir(dir).set("metrics.collect_interval_s", 0).start().await;
    let admin = app.login("admin", crate::support::ADMIN_PW).await;
    let resp = app.agent(&key).push(&body).await.expect_status(202);
    assert_eq!(
        (&resp.body["duplicate"], &resp.body["accepted"], host_id(&resp)),
        (&json!(true), &json!(2), host),
        "{resp:?}"
    );
    assert_eq!(points(&admin, host, "load.1", now - 10_000, now + 1000).await.len(), 2);
}

/// Ingest ids are remembered while their write-ahead rows exist (and in memory until a
/// restart); a batch resent after its hour was sealed and the appliance restarted is
/// stored again, and changes nothing, since each sample replaces itself.
#[actix_web::test]
async fn a_batch_resent_after_its_hour_was_sealed_and_a_restart_changes_nothing() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let two_hours_ago = app.now_ms() - 2 * 3_600_000;
    let mut body = batch("web-1", "fp-1", vec![load(1.0, two_hours_ago), load(2.0, two_hours_ago + 5_000)]);
    body["ingest_id"] = json!("sealed-hour");
    let host = accepted(app.agent(&key).push(&body).await, 2).body["host_id"].as_u64().expect("host id");
    let sealed = app.appliance().ctx.tsdb.maintain().await.expect("maintenance");
    assert!(sealed.sealed >= 1 && sealed.wal_rows_dropped >= 1, "{sealed:?}");
    let resp = app.agent(&key).push(&body).await.expect_status(202);
    assert_eq!(resp.body["duplicate"], true, "before the restart: {resp:?}");
    let (dir, _) = app.stop().await;

    let app = TestApp::builder().data_dir(dir).set("metrics.collect_interval_s", 0).start().await;
    let admin = app.login("admin", crate::support::ADMIN_PW).await;
    app.agent(&key).push(&body).await.expect_status(202);
    app.appliance().ctx.tsdb.maintain().await.expect("maintenance");
    let query = format!("metric=load.1&from={}&to={}&step=5s", two_hours_ago - 5_000, two_hours_ago + 10_000);
    let series = admin.series(host, &query).await;
    let values: Vec<f64> = series["series"][0]["avg"].as_array().unwrap().iter().filter_map(Value::as_f64).collect();
    assert_eq!(values, vec![1.0, 2.0], "{series}");
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
