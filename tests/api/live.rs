//! The WebSocket streams: delivery of committed batches, the organization stream, origin
//! and organization checks, and eviction of a client that does not read.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::support::{ADMIN_PW, Client, TestApp, unique};

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Generous bound for things that happen within milliseconds; failing it means never.
const PATIENCE: Duration = Duration::from_secs(10);

async fn ingest_key(admin: &Client) -> String {
    let body = json!({ "name": unique("live"), "auto_approve": true });
    let resp = admin.post("/api/v1/ingest-keys", body).await.expect_status(201);
    resp.body["key"].as_str().expect("key").to_string()
}

fn now_ms(app: &TestApp) -> i64 {
    (app.clock_now().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Pushes `n` samples of `metric` for machine `name`; returns the host id.
async fn push(app: &TestApp, key: &str, name: &str, metrics: Vec<Value>) -> u64 {
    let body = json!({ "machine": { "hostname": name, "fingerprint": format!("fp-{name}") }, "metrics": metrics });
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/ingest/metrics", app.url))
        .header("X-API-Key", key)
        .json(&body)
        .send()
        .await
        .expect("push");
    assert_eq!(resp.status().as_u16(), 202);
    resp.json::<Value>().await.expect("answer")["host_id"].as_u64().expect("host id")
}

async fn token(admin: &Client) -> String {
    admin.create_token(json!({ "name": unique("ws") })).await.1
}

async fn connect(app: &TestApp, path: &str, headers: &[(&'static str, String)]) -> Result<Ws, WsError> {
    let url = format!("{}{path}", app.url.replace("http://", "ws://"));
    let mut req = url.into_client_request().expect("request");
    for (k, v) in headers {
        req.headers_mut().insert(*k, v.parse().expect("header value"));
    }
    tokio_tungstenite::connect_async(req).await.map(|(ws, _)| ws)
}

/// The next text message as JSON, skipping pings.
async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let msg =
            tokio::time::timeout(PATIENCE, ws.next()).await.expect("a message in time").expect("open").expect("frame");
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).expect("json message");
        }
    }
}

fn refused_status(result: Result<Ws, WsError>) -> u16 {
    match result {
        Err(WsError::Http(resp)) => resp.status().as_u16(),
        other => panic!("expected an HTTP refusal, got {:?}", other.map(|_| "a connection")),
    }
}

#[tokio::test]
async fn a_host_stream_says_hello_then_delivers_each_committed_batch() {
    let app = TestApp::builder().set("metrics.collect_interval_s", 0).start().await;
    let admin = app.superadmin().await;
    let key = ingest_key(&admin).await;
    let now = now_ms(&app);
    let host = push(&app, &key, "web-1", vec![json!({ "name": "load.1", "value": 0.5, "ts": now - 5_000 })]).await;
    let bearer = format!("Bearer {}", token(&admin).await);
    let mut ws =
        connect(&app, &format!("/api/v1/ws/hosts/{host}"), &[("authorization", bearer)]).await.expect("connects");
    let hello = next_json(&mut ws).await;
    assert_eq!((hello["type"].as_str(), hello["host"]["id"].as_u64()), (Some("hello"), Some(host)));
    assert_eq!(hello["host"]["vitals"]["load_1"], 0.5);
    push(&app, &key, "other", vec![json!({ "name": "load.1", "value": 9.0, "ts": now })]).await;
    push(&app, &key, "web-1", vec![json!({ "name": "load.1", "labels": {}, "value": 0.75, "ts": now })]).await;
    let m = next_json(&mut ws).await;
    assert_eq!(m["type"], "samples", "{m}");
    assert_eq!(m["host_id"].as_u64(), Some(host), "another host's batch is not delivered");
    assert_eq!(m["samples"][0]["value"], 0.75);
    assert_eq!(m["samples"][0]["metric"], "load.1");
}

#[tokio::test]
async fn the_organization_stream_lists_hosts_then_updates_them() {
    let app = TestApp::builder().set("metrics.collect_interval_s", 0).start().await;
    let admin = app.superadmin().await;
    let key = ingest_key(&admin).await;
    let now = now_ms(&app);
    let host = push(&app, &key, "db-1", vec![json!({ "name": "cpu.usage_pct", "value": 10.0, "ts": now })]).await;
    let bearer = format!("Bearer {}", token(&admin).await);
    let mut ws = connect(&app, "/api/v1/ws/hosts", &[("authorization", bearer)]).await.expect("connects");
    let all = next_json(&mut ws).await;
    assert_eq!(all["type"], "hosts");
    let listed: Vec<u64> = all["hosts"].as_array().unwrap().iter().filter_map(|h| h["id"].as_u64()).collect();
    assert!(listed.contains(&host), "{all}");
    assert!(all["hosts"].as_array().unwrap().iter().all(|h| h["state"] == "approved"), "{all}");
    push(&app, &key, "db-1", vec![json!({ "name": "cpu.usage_pct", "value": 42.5, "ts": now + 1 })]).await;
    let m = next_json(&mut ws).await;
    assert_eq!(
        (m["type"].as_str(), m["id"].as_u64(), m["status"].as_str(), m["state"].as_str()),
        (Some("host"), Some(host), Some("online"), Some("approved"))
    );
    assert_eq!(m["vitals"]["cpu_pct"], 42.5);
}

#[tokio::test]
async fn streams_check_credentials_origin_and_organization() {
    let app = TestApp::builder().set("metrics.collect_interval_s", 0).start().await;
    let admin = app.superadmin().await;
    let key = ingest_key(&admin).await;
    let host = push(&app, &key, "web-1", vec![json!({ "name": "load.1", "value": 1.0 })]).await;
    let path = format!("/api/v1/ws/hosts/{host}");
    assert_eq!(refused_status(connect(&app, &path, &[]).await), 401);
    // A session cookie rides along from any page: only this appliance's own origin may use it.
    let login = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", app.url))
        .json(&json!({ "username": "admin", "password": ADMIN_PW }))
        .send()
        .await
        .expect("login");
    let cookie =
        login.headers().get("set-cookie").expect("cookie").to_str().unwrap().split(';').next().unwrap().to_string();
    let own = app.url.clone();
    let evil = ("origin", "https://evil.example".to_string());
    assert_eq!(refused_status(connect(&app, &path, &[("cookie", cookie.clone()), evil]).await), 403);
    assert_eq!(refused_status(connect(&app, &path, &[("cookie", cookie.clone())]).await), 403, "no origin at all");
    connect(&app, &path, &[("cookie", cookie), ("origin", own)]).await.expect("same origin connects");
    // A host of another organization does not exist for this caller.
    let sup = admin;
    let org = sup.create_org("other").await;
    sup.create_user(Some(org), "outsider", "admin").await;
    let outsider = app.login("outsider", crate::support::USER_PW).await;
    let (_, value) = outsider.create_token(json!({ "name": "ws" })).await;
    assert_eq!(refused_status(connect(&app, &path, &[("authorization", format!("Bearer {value}"))]).await), 404);
}

#[tokio::test]
async fn a_client_that_does_not_read_is_closed_with_a_policy_code() {
    let app =
        TestApp::builder().set("metrics.collect_interval_s", 0).set("metrics.max_series_per_host", 2000).start().await;
    let admin = app.superadmin().await;
    let key = ingest_key(&admin).await;
    let now = now_ms(&app);
    // Big messages fill the socket buffers quickly: 1,000 samples with long labels each.
    let long = "x".repeat(200);
    let batch = |step: i64| -> Vec<Value> {
        (0..1000).map(|i| json!({ "name": "bench.load", "labels": { "n": format!("{i}{long}") }, "value": 1.0, "ts": now - 500_000 + step })).collect()
    };
    let host = push(&app, &key, "noisy", batch(0)).await;
    let bearer = format!("Bearer {}", token(&admin).await);
    let mut ws =
        connect(&app, &format!("/api/v1/ws/hosts/{host}"), &[("authorization", bearer)]).await.expect("connects");
    // Not reading while 150 batches (~35 MB of messages) are committed: more than the
    // client's queue (4 MiB) plus every socket buffer on the way can hold.
    for step in 1..=150 {
        push(&app, &key, "noisy", batch(step)).await;
    }
    let frame = loop {
        match tokio::time::timeout(PATIENCE, ws.next()).await.expect("the close frame in time") {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("connection ended without a close frame: {other:?}"),
        }
    };
    assert_eq!(frame.expect("a close frame with a code").code, CloseCode::Policy);
}

#[tokio::test]
async fn an_open_stream_does_not_hold_the_store_after_shutdown() {
    let app = TestApp::builder().set("metrics.collect_interval_s", 0).start().await;
    let admin = app.superadmin().await;
    let bearer = format!("Bearer {}", token(&admin).await);
    let mut ws = connect(&app, "/api/v1/ws/hosts", &[("authorization", bearer)]).await.expect("connects");
    assert_eq!(next_json(&mut ws).await["type"], "hosts");
    let (dir, _) = app.stop().await;
    // The store is closed when stop returns, so the data directory opens again at once.
    let again = TestApp::builder().set("metrics.collect_interval_s", 0).data_dir(dir).start().await;
    again.anon().get("/api/v1/health").await.expect_status(200);
}
