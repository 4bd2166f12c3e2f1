//! Stopping the appliance with an agent long-polling for account files and a live stream
//! open: the long poll answers 503 with `Retry-After` at once, the stream is closed with
//! 1001 (going away), and the stop does not wait out `http.shutdown_grace_s` for either.
//! Once in-process ([`steward::app::Appliance::stop`]), once as `steward serve` and SIGTERM.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use crate::accounts::{as_host, enrolled_host};
use crate::support::{TestApp, unique};

/// Far above what a stop with only idle waits open takes, far below the grace.
const STOPPED_WITHIN: Duration = Duration::from_secs(5);
const GRACE_S: i64 = 30;
const PATIENCE: Duration = Duration::from_secs(10);

/// What a stop is tested against: a host's token and current bundle version, and an API
/// token for the stream.
struct Waiters {
    host_token: String,
    etag: String,
    api_token: String,
}

async fn prepare(app: &TestApp) -> Waiters {
    let admin = app.superadmin().await;
    let (_, host_token) = enrolled_host(app, &admin, "web-1", &[]).await;
    let first = as_host(app, &host_token, "/api/v1/agent/nss", &[]).await.expect_status(200);
    let etag = first.header("etag").expect("etag").to_string();
    let api_token = admin.create_token(json!({ "name": unique("ws") })).await.1;
    Waiters { host_token, etag, api_token }
}

/// What the long poll got: status, headers (lowercase names) and body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn parse(raw: &[u8]) -> Answer {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no answer: {text:?}"));
        let mut lines = head.lines();
        let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|c| c.parse().ok()).expect("status");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Answer { status, headers, body: serde_json::from_str(body).unwrap_or(Value::Null) }
    }
}

/// The agent's request (wait up to 60 s for a version other than `etag`), written by hand
/// on its own connection so the test can tell when the appliance has read it: then it is
/// in the handler, waiting. Returns the task that reads the answer.
async fn long_poll(url: &str, w: &Waiters) -> JoinHandle<Answer> {
    let server: SocketAddr = url.trim_start_matches("http://").parse().expect("address");
    let mut conn = tokio::net::TcpStream::connect(server).await.expect("connect");
    let request = format!(
        "GET /api/v1/agent/nss?wait=60 HTTP/1.1\r\nHost: {server}\r\nX-API-Key: {}\r\nIf-None-Match: {}\r\nConnection: close\r\n\r\n",
        w.host_token, w.etag
    );
    conn.write_all(request.as_bytes()).await.expect("request sent");
    until_read(server, conn.local_addr().expect("local address")).await;
    tokio::spawn(async move {
        let mut raw = Vec::new();
        conn.read_to_end(&mut raw).await.expect("answer read");
        Answer::parse(&raw)
    })
}

/// Polls `/proc/net/tcp` (bounded) until the server's end of the connection from `client`
/// has nothing left to read: the appliance took the request in.
async fn until_read(server: SocketAddr, client: SocketAddr) {
    let hex = |a: SocketAddr| match a.ip() {
        IpAddr::V4(ip) => format!("{:08X}:{:04X}", u32::from_ne_bytes(ip.octets()), a.port()),
        IpAddr::V6(_) => panic!("the appliance listens on IPv4 loopback"),
    };
    let (local, remote) = (hex(server), hex(client));
    let deadline = Instant::now() + PATIENCE;
    loop {
        let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
        let read = table.lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            // sl, local, remote, state, tx_queue:rx_queue
            f.len() > 4 && f[1] == local && f[2] == remote && f[4].ends_with(":00000000")
        });
        if read {
            return;
        }
        assert!(Instant::now() < deadline, "the appliance never read the long poll");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Opens the organization stream, reads its first message, then reads on in the
/// background until the close frame: its code and reason.
async fn stream(url: &str, w: &Waiters) -> JoinHandle<(CloseCode, Utf8Bytes)> {
    let mut req = format!("{}/api/v1/ws/hosts", url.replace("http://", "ws://")).into_client_request().expect("req");
    req.headers_mut().insert("authorization", format!("Bearer {}", w.api_token).parse().expect("header"));
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("stream opens");
    let first = tokio::time::timeout(PATIENCE, ws.next()).await.expect("first message in time");
    assert!(matches!(first, Some(Ok(Message::Text(_)))), "{first:?}");
    tokio::spawn(async move {
        while let Some(msg) = ws.next().await {
            if let Message::Close(frame) = msg.expect("frame") {
                let frame = frame.expect("a close frame with a code");
                return (frame.code, frame.reason);
            }
        }
        panic!("the stream ended without a close frame");
    })
}

async fn check_ends(poll: JoinHandle<Answer>, ws: JoinHandle<(CloseCode, Utf8Bytes)>) {
    let answer = tokio::time::timeout(PATIENCE, poll).await.expect("long poll answered").expect("task");
    assert_eq!(answer.status, 503, "{:?}", answer.body);
    assert_eq!(answer.body["code"], "server.stopping");
    assert_eq!(answer.header("retry-after"), Some("1"));
    let (code, reason) = tokio::time::timeout(PATIENCE, ws).await.expect("stream closed").expect("task");
    assert_eq!((code, reason.as_str()), (CloseCode::Away, "appliance stopping"));
}

#[tokio::test]
async fn a_stop_ends_long_polls_and_streams_at_once() {
    let app = TestApp::builder().set("http.shutdown_grace_s", GRACE_S).start().await;
    let w = prepare(&app).await;
    let ws = stream(&app.url, &w).await;
    let poll = long_poll(&app.url, &w).await;

    let started = Instant::now();
    app.stop().await;
    let took = started.elapsed();
    assert!(took < STOPPED_WITHIN, "stop took {took:?} with only a long poll and a stream open");
    check_ends(poll, ws).await;
}

#[tokio::test]
async fn sigterm_ends_long_polls_and_streams_and_exits_at_once() {
    // Enrolled in-process; the binary then serves the same data directory.
    let app = TestApp::start().await;
    let w = prepare(&app).await;
    let (dir, _) = app.stop().await;
    let mut served = crate::crash::Served::start_with(dir.path(), &[("STEWARD_HTTP__SHUTDOWN_GRACE_S", "30")]).await;
    let ws = stream(&served.url, &w).await;
    let poll = long_poll(&served.url, &w).await;

    let started = Instant::now();
    served.terminate();
    let status = served.wait_exit(STOPPED_WITHIN).await;
    let took = started.elapsed();
    assert!(status.is_some_and(|s| s.success()), "exit status {status:?} after {took:?}");
    check_ends(poll, ws).await;
}
