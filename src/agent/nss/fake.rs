//! A stand-in for the appliance's account endpoints, for the agent's unit tests: the
//! bundle with its long poll, the status reports, the password change. It runs on a thread
//! and runtime of its own, so blocking callers (the password hook) can use it too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use tokio::sync::watch;

pub const TOKEN: &str = "stm_fake_machine_token";

pub struct Shared {
    /// The bundle served, as JSON; changing it answers waiting requests.
    pub bundle: watch::Sender<Vec<u8>>,
    pub statuses: Mutex<Vec<Value>>,
    pub gets: AtomicU64,
    /// `If-None-Match` of each GET.
    pub asked: Mutex<Vec<Option<String>>>,
    /// The token accepted; anything else gets 401 nss.invalid_token.
    pub token: Mutex<String>,
    /// What a password change is answered: status and body.
    pub password_answer: Mutex<(u16, Value)>,
    pub password_bodies: Mutex<Vec<Value>>,
}

pub struct Fake {
    pub url: String,
    pub shared: Arc<Shared>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Fake {
    fn drop(&mut self) {
        // The stop command is sent at once; nothing waits for it.
        drop(self.handle.stop(false));
    }
}

impl Fake {
    pub fn start(bundle: Vec<u8>) -> Fake {
        let shared = Arc::new(Shared {
            bundle: watch::channel(bundle).0,
            statuses: Mutex::default(),
            gets: AtomicU64::new(0),
            asked: Mutex::default(),
            token: Mutex::new(TOKEN.into()),
            password_answer: Mutex::new((204, Value::Null)),
            password_bodies: Mutex::default(),
        });
        let data = web::Data::from(shared.clone());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(data.clone())
                        .route("/api/v1/agent/nss", web::get().to(get_bundle))
                        .route("/api/v1/agent/nss/status", web::post().to(post_status))
                        .route("/api/v1/agent/password", web::post().to(post_password))
                })
                .workers(1)
                .disable_signals()
                .shutdown_timeout(0)
                .bind("127.0.0.1:0")
                .unwrap();
                let addr = server.addrs()[0];
                let server = server.run();
                tx.send((addr, server.handle())).unwrap();
                let _ = server.await;
            });
        });
        let (addr, handle) = rx.recv().unwrap();
        Fake { url: format!("http://{addr}"), shared, handle }
    }

    pub fn set_bundle(&self, json: Vec<u8>) {
        self.shared.bundle.send_replace(json);
    }

    pub fn statuses(&self) -> Vec<Value> {
        self.shared.statuses.lock().unwrap().clone()
    }
}

fn version(json: &[u8]) -> String {
    serde_json::from_slice::<Value>(json).ok().and_then(|v| v["version"].as_str().map(String::from)).unwrap_or_default()
}

fn refused(req: &HttpRequest, shared: &Shared) -> Option<HttpResponse> {
    let token = req.headers().get("x-api-key").and_then(|v| v.to_str().ok()).unwrap_or_default();
    (token != *shared.token.lock().unwrap())
        .then(|| HttpResponse::Unauthorized().json(json!({"code": "nss.invalid_token", "message": "unknown token"})))
}

async fn get_bundle(req: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    shared.gets.fetch_add(1, Ordering::Relaxed);
    if let Some(no) = refused(&req, &shared) {
        return no;
    }
    let asked =
        req.headers().get("if-none-match").and_then(|v| v.to_str().ok()).map(|v| v.trim_matches('"').to_string());
    shared.asked.lock().unwrap().push(asked.clone());
    let wait = req
        .query_string()
        .strip_prefix("wait=")
        .and_then(|w| w.parse::<u64>().ok())
        .map_or(Duration::ZERO, Duration::from_secs);
    let mut rx = shared.bundle.subscribe();
    let unchanged =
        |rx: &mut watch::Receiver<Vec<u8>>| asked.as_deref() == Some(version(&rx.borrow_and_update()).as_str());
    if unchanged(&mut rx) {
        let _ = tokio::time::timeout(wait, async { while rx.changed().await.is_ok() && unchanged(&mut rx) {} }).await;
        if asked.as_deref() == Some(version(&rx.borrow()).as_str()) {
            return HttpResponse::NotModified().finish();
        }
    }
    let json = rx.borrow().clone();
    HttpResponse::Ok().insert_header(("etag", format!("\"{}\"", version(&json)))).body(json)
}

async fn post_status(req: HttpRequest, shared: web::Data<Shared>, body: web::Json<Value>) -> HttpResponse {
    if let Some(no) = refused(&req, &shared) {
        return no;
    }
    shared.statuses.lock().unwrap().push(body.into_inner());
    HttpResponse::NoContent().finish()
}

async fn post_password(req: HttpRequest, shared: web::Data<Shared>, body: web::Json<Value>) -> HttpResponse {
    if let Some(no) = refused(&req, &shared) {
        return no;
    }
    shared.password_bodies.lock().unwrap().push(body.into_inner());
    let (status, answer) = shared.password_answer.lock().unwrap().clone();
    let status = actix_web::http::StatusCode::from_u16(status).unwrap();
    match answer {
        Value::Null => HttpResponse::build(status).finish(),
        body => HttpResponse::build(status).json(body),
    }
}
