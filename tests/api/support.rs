//! The harness: the real appliance in-process on port 0 with a temporary data directory, a
//! manual clock the tests move, and HTTP clients that behave like the web UI (cookie jar,
//! `X-CSRF-Token` on state changes) or like a script (bearer token).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use steward::app::Appliance;
use steward::clock::ManualClock;
use steward::config::Config;
use toml::Value as Toml;

/// The first admin's password, configured so tests know it.
pub const KNOWN_ADMIN_PW: &str = "first-Admin-secret-01";
/// What the harness changes the admin's password to on first login.
pub const ADMIN_PW: &str = "changed-Admin-secret-02";
/// The password every account created by the harness gets.
pub const USER_PW: &str = "user-Account-secret-03";
/// Sent by every harness client, so audit entries can be checked for it.
pub const USER_AGENT: &str = "steward-api-tests/1.0";

/// Builds the configuration the way `steward serve` does, from the compiled defaults and
/// the flags a test sets; `--test` marks the test-only values.
pub fn config_for(data_dir: &Path, admin_password: bool, overrides: &[(&'static str, Toml)]) -> Config {
    let mut cli: Vec<(&str, &str, Toml)> = vec![
        ("data_dir", "--data-dir", Toml::String(data_dir.display().to_string())),
        ("listen", "--listen", Toml::String("127.0.0.1:0".into())),
        ("auth.bcrypt_cost", "--test", Toml::Integer(4)),
        // Most tests log in far more often than a person would; the rate-limit test lowers it.
        ("auth.login_rate_per_minute", "--test", Toml::Integer(1000)),
        ("http.workers", "--test", Toml::Integer(1)),
        ("http.shutdown_grace_s", "--test", Toml::Integer(1)),
        ("log_level", "--test", Toml::String("error".into())),
    ];
    if admin_password {
        cli.push(("auth.initial_admin_password", "--test", Toml::String(KNOWN_ADMIN_PW.into())));
    }
    cli.extend(overrides.iter().map(|(k, v)| (*k, "--test", v.clone())));
    steward::config::load(None, std::iter::empty(), cli).expect("test configuration").config
}

/// What to start: configuration overrides and whether the admin password is known.
pub struct Builder {
    overrides: Vec<(&'static str, Toml)>,
    admin_password: bool,
    dir: Option<tempfile::TempDir>,
}

impl Builder {
    pub fn set(mut self, key: &'static str, value: impl Into<Toml>) -> Self {
        self.overrides.push((key, value.into()));
        self
    }

    /// No configured first password: the appliance writes a random one to a file.
    pub fn generated_admin_password(mut self) -> Self {
        self.admin_password = false;
        self
    }

    /// Reuse a data directory (an appliance stopped earlier).
    pub fn data_dir(mut self, dir: tempfile::TempDir) -> Self {
        self.dir = Some(dir);
        self
    }

    pub async fn start(self) -> TestApp {
        let dir = self.dir.unwrap_or_else(|| tempfile::tempdir().expect("temp dir"));
        let config = config_for(dir.path(), self.admin_password, &self.overrides);
        let clock = ManualClock::new(time::OffsetDateTime::now_utc());
        let appliance = Appliance::start(config.clone(), clock.clone(), false).await.expect("appliance starts");
        TestApp { url: appliance.url(), clock, config, dir, appliance: Some(appliance) }
    }
}

/// One running appliance, owned by one test. Fields drop in order: the appliance before
/// its data directory.
pub struct TestApp {
    appliance: Option<Appliance>,
    pub url: String,
    pub clock: Arc<ManualClock>,
    pub config: Config,
    pub dir: tempfile::TempDir,
}

impl TestApp {
    pub fn builder() -> Builder {
        Builder { overrides: Vec::new(), admin_password: true, dir: None }
    }

    pub async fn start() -> TestApp {
        Self::builder().start().await
    }

    pub fn appliance(&self) -> &Appliance {
        self.appliance.as_ref().expect("running")
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn clock_now(&self) -> time::OffsetDateTime {
        steward::clock::Clock::now(&*self.clock)
    }

    pub fn advance_minutes(&self, minutes: i64) {
        self.clock.advance(time::Duration::minutes(minutes));
    }

    /// Stops serving (the store is closed when this returns); the data directory stays.
    pub async fn stop(mut self) -> (tempfile::TempDir, Config) {
        if let Some(appliance) = self.appliance.take() {
            appliance.stop().await;
        }
        (self.dir, self.config)
    }

    /// Stops serving and returns at once, as `Appliance::stop` does.
    pub async fn stop_without_waiting(mut self) -> tempfile::TempDir {
        if let Some(appliance) = self.appliance.take() {
            appliance.stop().await;
        }
        self.dir
    }

    /// A browser without a session.
    pub fn anon(&self) -> Client {
        Client::new(&self.url)
    }

    /// Logs in and returns the answer, whatever it is, with the client that sent it.
    pub async fn try_login(&self, name: &str, password: &str) -> (Client, Resp) {
        let mut client = self.anon();
        let resp = client.login(name, password).await;
        (client, resp)
    }

    /// Logs in; panics unless it works.
    pub async fn login(&self, name: &str, password: &str) -> Client {
        let (client, resp) = self.try_login(name, password).await;
        assert_eq!(resp.status, 200, "login as {name}: {resp:?}");
        client
    }

    /// The bootstrap admin, after the forced first password change.
    pub async fn superadmin(&self) -> Client {
        let client = self.login("admin", KNOWN_ADMIN_PW).await;
        client.change_password(KNOWN_ADMIN_PW, ADMIN_PW).await.expect_status(204);
        client
    }

    /// A client that authenticates with `Authorization: Bearer`.
    pub fn bearer(&self, token: &str) -> Client {
        let mut c = Client::new(&self.url);
        c.bearer = Some(token.to_string());
        c
    }
}

/// Whether this process has `path` open (Linux: `/proc/self/fd`).
pub fn fd_open(path: &Path) -> bool {
    let fds = std::fs::read_dir("/proc/self/fd").expect("/proc/self/fd");
    fds.flatten().any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target == path))
}

/// An answer: status, headers and the JSON body (`Null` when empty).
#[derive(Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

/// Status and body only: headers would bury the point of a failure message.
impl std::fmt::Debug for Resp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HTTP {} {}", self.status, self.body)
    }
}

impl Resp {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or("")
    }

    /// Asserts the status; returns the answer for more checks.
    #[track_caller]
    pub fn expect_status(self, status: u16) -> Self {
        assert_eq!(self.status, status, "unexpected answer: {self:?}");
        self
    }

    /// Asserts an error answer: status and `code`, and that `message` is not empty.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Self {
        assert_eq!((self.status, self.code()), (status, code), "unexpected answer: {self:?}");
        assert!(!self.message().is_empty(), "error without a message: {self:?}");
        self
    }

    pub fn id(&self) -> u64 {
        self.body["id"].as_u64().unwrap_or_else(|| panic!("no id in {self:?}"))
    }

    /// The account id in an `/auth/me` or login answer.
    pub fn id_of_user(&self) -> u64 {
        self.body["user"]["id"].as_u64().unwrap_or_else(|| panic!("no user id in {self:?}"))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A client: its own cookie jar, the session's CSRF token once logged in, or a bearer token.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

static UNIQUE: AtomicU64 = AtomicU64::new(1);

/// A name no other call in this process has had: `prefix` plus a number.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", UNIQUE.fetch_add(1, Ordering::Relaxed))
}

impl Client {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .no_proxy()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        Self { http, base: base.to_string(), csrf: None, bearer: None }
    }

    /// A request with this client's credentials: the bearer token, or the CSRF header on
    /// state-changing methods.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = &self.bearer {
            req = req.bearer_auth(token);
        }
        let changes_state = [Method::POST, Method::PATCH, Method::PUT, Method::DELETE].contains(&method);
        if let Some(csrf) = self.csrf.as_ref().filter(|_| changes_state) {
            req = req.header("X-CSRF-Token", csrf);
        }
        req
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Resp {
        let mut req = self.request(method, path);
        if let Some(body) = body {
            req = req.json(body);
        }
        read(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, Some(&body)).await
    }

    /// A POST without a body (logout, unlock).
    pub async fn post_empty(&self, path: &str) -> Resp {
        self.send(Method::POST, path, None).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PATCH, path, Some(&body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, None).await
    }

    /// Logs in through the API; remembers the CSRF token when it works.
    pub async fn login(&mut self, name: &str, password: &str) -> Resp {
        let resp = self.post("/api/v1/auth/login", json!({ "username": name, "password": password })).await;
        if resp.status == 200 {
            self.csrf = resp.body["csrf_token"].as_str().map(str::to_string);
        }
        resp
    }

    pub async fn change_password(&self, current: &str, new: &str) -> Resp {
        self.post("/api/v1/auth/password", json!({ "current_password": current, "new_password": new })).await
    }

    /// Creates an organization (as a superadmin); returns its id.
    pub async fn create_org(&self, name: &str) -> u64 {
        self.post("/api/v1/orgs", json!({ "name": name })).await.expect_status(201).id()
    }

    /// Creates an account with [`USER_PW`] and no pending password change, in `org` (or
    /// the caller's own organization); returns its id.
    pub async fn create_user(&self, org: Option<u64>, username: &str, role: &str) -> u64 {
        let path = match org {
            Some(org) => format!("/api/v1/users?org={org}"),
            None => "/api/v1/users".to_string(),
        };
        let body = json!({ "username": username, "role": role, "password": USER_PW, "must_change_password": false });
        self.post(&path, body).await.expect_status(201).id()
    }

    /// Creates a personal API token; returns `(id, value)`.
    pub async fn create_token(&self, body: Value) -> (u64, String) {
        let resp = self.post("/api/v1/tokens", body).await.expect_status(201);
        let id = resp.body["token"]["id"].as_u64().expect("token id");
        let value = resp.body["value"].as_str().expect("token value").to_string();
        (id, value)
    }
}

pub async fn read(resp: reqwest::Response) -> Resp {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let mut bytes = resp.bytes().await.expect("response body").to_vec();
    // Sent compressed whatever the request said (the Swagger UI's files): decoded as a
    // browser would.
    if headers.get("content-encoding").is_some_and(|v| v == "gzip") {
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain).expect("gzip body");
        bytes = plain;
    }
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Resp { status, headers, body }
}

/// Every audit entry the caller can see, newest first (follows the cursor).
pub async fn audit_entries(client: &Client, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<u64> = None;
    loop {
        let sep = if query.is_empty() { "" } else { "&" };
        let page_query = match cursor {
            Some(c) => format!("{query}{sep}cursor={c}"),
            None => query.to_string(),
        };
        let page = client.get(&format!("/api/v1/audit?{page_query}")).await.expect_status(200);
        out.extend(page.body["entries"].as_array().expect("entries").iter().cloned());
        match page.body["next_cursor"].as_u64() {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

impl TestApp {
    /// The appliance clock in ms since the Unix epoch, as sample timestamps are written.
    pub fn now_ms(&self) -> i64 {
        (self.clock_now().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// A machine pushing with `key` (no cookies, no CSRF: only `X-API-Key`).
    pub fn agent(&self, key: &str) -> Agent {
        Agent::new(&self.url, Some(key))
    }
}

impl Client {
    /// Creates an auto-approving ingest key in the caller's organization (machines pushing
    /// with it are stored at once, as before enrollment existed); returns `(id, value)`.
    pub async fn create_ingest_key(&self, name: &str) -> (u64, String) {
        self.create_ingest_key_with(name, true).await
    }

    /// Creates an ingest key that auto-approves or not; returns `(id, value)`.
    pub async fn create_ingest_key_with(&self, name: &str, auto_approve: bool) -> (u64, String) {
        let body = json!({ "name": name, "auto_approve": auto_approve });
        let resp = self.post("/api/v1/ingest-keys", body).await.expect_status(201);
        assert_eq!(resp.body["auto_approve"], auto_approve, "{resp:?}");
        let value = resp.body["key"].as_str().expect("key value").to_string();
        (resp.id(), value)
    }

    /// `GET /api/v1/hosts/{host}/series?{query}`; panics unless 200.
    pub async fn series(&self, host: u64, query: &str) -> Value {
        self.get(&format!("/api/v1/hosts/{host}/series?{query}")).await.expect_status(200).body
    }

    /// The summaries of `GET /api/v1/hosts`; panics unless 200.
    pub async fn hosts(&self) -> Vec<Value> {
        let resp = self.get("/api/v1/hosts").await.expect_status(200);
        resp.body.as_array().expect("host list").clone()
    }
}

/// A pushing machine: `POST /api/v1/ingest/metrics` with an `X-API-Key` (or none).
#[derive(Clone)]
pub struct Agent {
    pub http: reqwest::Client,
    pub base: String,
    pub key: Option<String>,
}

impl Agent {
    pub fn new(base: &str, key: Option<&str>) -> Self {
        let http = reqwest::Client::builder().no_proxy().user_agent(USER_AGENT).build().expect("HTTP client");
        Self { http, base: base.to_string(), key: key.map(str::to_string) }
    }

    /// Pushes a JSON batch.
    pub async fn push(&self, batch: &Value) -> Resp {
        self.push_bytes(Some("application/json"), None, serde_json::to_vec(batch).expect("batch")).await
    }

    /// Pushes raw bytes with an optional content type and content encoding.
    pub async fn push_bytes(
        &self,
        content_type: Option<&str>,
        encoding: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Resp {
        let mut req = self.http.post(format!("{}/api/v1/ingest/metrics", self.base)).body(body);
        if let Some(key) = &self.key {
            req = req.header("X-API-Key", key);
        }
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        if let Some(enc) = encoding {
            req = req.header("Content-Encoding", enc);
        }
        read(req.send().await.expect("push sent")).await
    }
}

/// An ingest batch of one machine (`os` set, no `ingest_id`).
pub fn batch(hostname: &str, fingerprint: &str, metrics: Vec<Value>) -> Value {
    json!({
        "machine": { "hostname": hostname, "os": "Debian GNU/Linux 12 (bookworm)", "fingerprint": fingerprint },
        "metrics": metrics,
    })
}

/// One sample of a batch; `labels` is a JSON object (or `Value::Null` for none).
pub fn sample(name: &str, labels: Value, value: f64, ts: i64) -> Value {
    let mut s = json!({ "name": name, "value": value, "ts": ts });
    if !labels.is_null() {
        s["labels"] = labels;
    }
    s
}
