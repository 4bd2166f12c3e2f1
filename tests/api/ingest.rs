//! Ingest: the keys machines push with (shown once, listed without their value, disabled,
//! re-enabled, renamed, deleted, audited) and `POST /api/v1/ingest/metrics`: registration by
//! fingerprint, idempotent resends, retention and future bounds, and the organization
//! boundary. Bodies, refusals and limits are in `ingest_limits.rs`.

use serde_json::{Value, json};

use crate::support::{Agent, Client, Resp, TestApp, audit_entries, batch, sample};

/// No local collection: the engine's counters then move only with what the tests push.
pub(crate) async fn quiet_app() -> TestApp {
    TestApp::builder().set("metrics.collect_interval_s", 0).start().await
}

/// The engine's counters from `GET /api/v1/status`.
pub(crate) async fn metrics(client: &Client) -> Value {
    client.get("/api/v1/status").await.expect_status(200).body["metrics"].clone()
}

/// Everything a refused push could have changed: hosts (with their status and latest
/// values), ingest keys, and the engine's counters.
pub(crate) async fn stored(admin: &Client) -> Value {
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
pub(crate) async fn points(client: &Client, host: u64, metric: &str, from: i64, to: i64) -> Vec<(Value, i64, f64)> {
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
pub(crate) async fn compress(encoding: &str, raw: Vec<u8>) -> Vec<u8> {
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
pub(crate) fn padded(batch: &Value, len: usize) -> Vec<u8> {
    let mut s = serde_json::to_string(batch).expect("batch");
    assert!(s.len() <= len, "batch alone is {} bytes", s.len());
    let close = s.pop().expect("closing brace");
    s.extend(std::iter::repeat_n(' ', len - s.len() - 1));
    s.push(close);
    s.into_bytes()
}

pub(crate) fn load(value: f64, ts: i64) -> Value {
    sample("load.1", Value::Null, value, ts)
}

#[track_caller]
pub(crate) fn accepted(resp: Resp, n: u64) -> Resp {
    let resp = resp.expect_status(202);
    assert_eq!(resp.body["accepted"], n, "{resp:?}");
    assert_eq!(resp.body["duplicate"], false, "{resp:?}");
    resp
}

pub(crate) fn host_id(resp: &Resp) -> u64 {
    resp.body["host_id"].as_u64().unwrap_or_else(|| panic!("no host_id in {resp:?}"))
}

#[actix_web::test]
async fn an_ingest_key_is_shown_once_and_its_lifecycle_is_enforced_and_audited() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let created = admin
        .post("/api/v1/ingest-keys", json!({ "name": "web servers", "auto_approve": true }))
        .await
        .expect_status(201);
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
