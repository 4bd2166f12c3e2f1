//! The role x organization matrix: every route of the assembly in `src/http/mod.rs`, called
//! by every kind of caller, with the status (and error code) each must get. Refused calls
//! are checked to have changed nothing.

use reqwest::Method;
use serde_json::Value;

use crate::support::{ADMIN_PW, Agent, Client, TestApp, USER_PW, batch, sample, unique};

/// Callers, in the column order of [`CASES`].
const WHO: [&str; 6] = ["anonymous", "viewer A", "operator A", "admin A", "admin B", "superadmin"];
/// Login names of the callers after `anonymous`.
const NAMES: [&str; 5] = ["va", "oa", "aa", "ab", "admin"];

/// One route under test. Path placeholders: `{A}` org A's id, `{viewerA}` viewer A's id,
/// `{new}` a fresh viewer of org A made for this one call, `{token}` a fresh token of
/// admin A, `{hostA}` a host of org A (registered by a push), `{newHost}` a fresh host of
/// org A made by a push for this one call, `{pendingHost}` a fresh host of org A waiting for
/// approval (its push refused), `{local}` the appliance's own host (default
/// organization), `{keyA}` a fresh ingest key of org A, `{sshKeyA}` a fresh SSH key of org A.
/// `{uniq}` in the body becomes a name used nowhere else.
struct Case {
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    /// anonymous, viewer A, operator A, admin A, admin B, superadmin (in the default org).
    expect: [u16; 6],
    /// Error codes other than 401 `auth.required` and 403 `auth.forbidden`.
    codes: &'static [(u16, &'static str)],
    /// Run with a session of its own (the call ends it).
    fresh_session: bool,
}

const fn case(method: &'static str, path: &'static str, body: Option<&'static str>, expect: [u16; 6]) -> Case {
    Case { method, path, body, expect, codes: &[], fresh_session: false }
}

const fn with_codes(c: Case, codes: &'static [(u16, &'static str)]) -> Case {
    Case { codes, ..c }
}

const fn fresh(c: Case) -> Case {
    Case { fresh_session: true, ..c }
}

const NEW_USER: Option<&str> = Some(r#"{"username": "{uniq}", "role": "viewer", "password": "matrix-User-pw-0001"}"#);
const USERS_404: &[(u16, &str)] = &[(404, "users.not_found")];
const ORGS_404: &[(u16, &str)] = &[(404, "orgs.not_found")];
const HOSTS_404: &[(u16, &str)] = &[(404, "hosts.not_found")];
const LOCAL_HOST: &[(u16, &str)] = &[(404, "hosts.not_found"), (409, "hosts.local")];
const KEYS_404: &[(u16, &str)] = &[(404, "ingest_keys.not_found")];
const SSH_KEYS_404: &[(u16, &str)] = &[(404, "ssh_key.not_found")];
/// Roles are checked before the pasted key is read: only admins learn it is no key.
const SSH_IMPORT_400: &[(u16, &str)] = &[(400, "ssh_key.invalid")];
const SSH_IMPORT: Option<&str> = Some(r#"{"name": "{uniq}", "private_key": "not a key"}"#);
/// The matrix's callers are cookie sessions without an `Origin`: streams refuse them before
/// anything else (`live.rs` covers tokens, origins and organizations).
const WS_ORIGIN: &[(u16, &str)] = &[(403, "live.bad_origin")];
/// Cookies and bearer tokens do not authenticate a push: only an `X-API-Key` does.
const INGEST_401: &[(u16, &str)] = &[(401, "ingest.key_required")];
const GROUPS_404: &[(u16, &str)] = &[(404, "accounts.group_not_found")];
const USER_KEY: &str =
    r#"{"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl m@x"}"#;
const PUSH: Option<&str> =
    Some(r#"{"machine": {"hostname": "m", "fingerprint": "fp-matrix"}, "metrics": [{"name": "load.1", "value": 1}]}"#);

#[rustfmt::skip]
const CASES: &[Case] = &[
    case("GET", "/api/v1/health", None, [200, 200, 200, 200, 200, 200]),
    case("GET", "/api/v1/openapi.json", None, [200, 200, 200, 200, 200, 200]),
    case("GET", "/api/docs", None, [308, 308, 308, 308, 308, 308]),
    case("GET", "/api/docs/", None, [200, 200, 200, 200, 200, 200]),
    case("GET", "/api/v1/status", None, [401, 200, 200, 200, 200, 200]),
    case("GET", "/api/v1/auth/me", None, [401, 200, 200, 200, 200, 200]),
    with_codes(case("POST", "/api/v1/auth/login", Some(r#"{"username": "nobody-here", "password": "wrong-Password-123"}"#),
        [401, 401, 401, 401, 401, 401]), &[(401, "auth.invalid_credentials")]),
    with_codes(case("POST", "/api/v1/auth/password", Some(r#"{"current_password": "wrong-Password-123", "new_password": "another-Password-456"}"#),
        [401, 403, 403, 403, 403, 403]), &[(403, "password.wrong_current")]),
    case("GET", "/api/v1/tokens", None, [401, 200, 200, 200, 200, 200]),
    case("GET", "/api/v1/tokens?all=true", None, [401, 403, 403, 200, 200, 200]),
    case("POST", "/api/v1/tokens", Some(r#"{"name": "{uniq}"}"#), [401, 201, 201, 201, 201, 201]),
    // Tokens are looked up in the caller's organization; the superadmin's is `default`.
    with_codes(case("DELETE", "/api/v1/tokens/{token}", None, [401, 403, 403, 204, 404, 404]), &[(404, "tokens.not_found")]),
    case("GET", "/api/v1/users", None, [401, 403, 403, 200, 200, 200]),
    with_codes(case("GET", "/api/v1/users?org={A}", None, [401, 403, 403, 200, 404, 200]), ORGS_404),
    case("POST", "/api/v1/users", NEW_USER, [401, 403, 403, 201, 201, 201]),
    with_codes(case("POST", "/api/v1/users?org={A}", NEW_USER, [401, 403, 403, 201, 404, 201]), ORGS_404),
    with_codes(case("GET", "/api/v1/users/{viewerA}", None, [401, 200, 403, 200, 404, 404]), USERS_404),
    with_codes(case("GET", "/api/v1/users/{viewerA}?org={A}", None, [401, 200, 403, 200, 404, 200]), ORGS_404),
    with_codes(case("PATCH", "/api/v1/users/{new}", Some(r#"{"display_name": "Changed"}"#), [401, 403, 403, 200, 404, 404]), USERS_404),
    with_codes(case("PATCH", "/api/v1/users/{new}?org={A}", Some(r#"{"display_name": "Changed"}"#), [401, 403, 403, 200, 404, 200]), ORGS_404),
    with_codes(case("POST", "/api/v1/users/{new}/password", Some(r#"{"new_password": "reset-Password-789"}"#), [401, 403, 403, 200, 404, 404]), USERS_404),
    with_codes(case("POST", "/api/v1/users/{new}/password?org={A}", Some(r#"{"new_password": "reset-Password-789"}"#), [401, 403, 403, 200, 404, 200]), ORGS_404),
    with_codes(case("POST", "/api/v1/users/{new}/unlock", None, [401, 403, 403, 200, 404, 404]), USERS_404),
    with_codes(case("POST", "/api/v1/users/{new}/unlock?org={A}", None, [401, 403, 403, 200, 404, 200]), ORGS_404),
    with_codes(case("DELETE", "/api/v1/users/{new}", None, [401, 403, 403, 204, 404, 404]), USERS_404),
    with_codes(case("DELETE", "/api/v1/users/{new}?org={A}", None, [401, 403, 403, 204, 404, 204]), ORGS_404),
    case("GET", "/api/v1/orgs", None, [401, 200, 200, 200, 200, 200]),
    case("POST", "/api/v1/orgs", Some(r#"{"name": "{uniq}"}"#), [401, 403, 403, 403, 403, 201]),
    with_codes(case("GET", "/api/v1/orgs/{A}", None, [401, 200, 200, 200, 404, 200]), ORGS_404),
    case("GET", "/api/v1/audit", None, [401, 403, 403, 200, 200, 200]),
    case("GET", "/api/v1/audit/verify", None, [401, 403, 403, 200, 200, 200]),
    case("GET", "/api/v1/hosts", None, [401, 200, 200, 200, 200, 200]),
    // Hosts are looked up in the caller's organization; the superadmin's is `default`.
    with_codes(case("GET", "/api/v1/hosts/{hostA}", None, [401, 200, 200, 200, 404, 404]), HOSTS_404),
    with_codes(case("GET", "/api/v1/hosts/{hostA}/series?metric=load.1", None, [401, 200, 200, 200, 404, 404]), HOSTS_404),
    with_codes(case("DELETE", "/api/v1/hosts/{newHost}", None, [401, 403, 403, 204, 404, 404]), HOSTS_404),
    with_codes(case("DELETE", "/api/v1/hosts/{local}", None, [401, 403, 403, 404, 404, 409]), LOCAL_HOST),
    with_codes(case("POST", "/api/v1/hosts/{pendingHost}/approve", None, [401, 403, 403, 200, 404, 404]), HOSTS_404),
    with_codes(case("POST", "/api/v1/hosts/{pendingHost}/reject", None, [401, 403, 403, 200, 404, 404]), HOSTS_404),
    with_codes(case("POST", "/api/v1/hosts/{newHost}/reject", None, [401, 403, 403, 200, 404, 404]), HOSTS_404),
    with_codes(case("POST", "/api/v1/hosts/{local}/approve", None, [401, 403, 403, 404, 404, 409]), LOCAL_HOST),
    with_codes(case("POST", "/api/v1/hosts/{local}/reject", None, [401, 403, 403, 404, 404, 409]), LOCAL_HOST),
    case("GET", "/api/v1/ingest-keys", None, [401, 403, 403, 200, 200, 200]),
    case("POST", "/api/v1/ingest-keys", Some(r#"{"name": "{uniq}"}"#), [401, 403, 403, 201, 201, 201]),
    with_codes(case("PATCH", "/api/v1/ingest-keys/{keyA}", Some(r#"{"name": "{uniq}"}"#), [401, 403, 403, 200, 404, 404]), KEYS_404),
    with_codes(case("PATCH", "/api/v1/ingest-keys/{keyA}", Some(r#"{"active": false}"#), [401, 403, 403, 200, 404, 404]), KEYS_404),
    with_codes(case("DELETE", "/api/v1/ingest-keys/{keyA}", None, [401, 403, 403, 204, 404, 404]), KEYS_404),
    case("GET", "/api/v1/ssh-keys", None, [401, 200, 200, 200, 200, 200]),
    case("POST", "/api/v1/ssh-keys", Some(r#"{"name": "{uniq}"}"#), [401, 403, 403, 201, 201, 201]),
    with_codes(case("POST", "/api/v1/ssh-keys/import", SSH_IMPORT, [401, 403, 403, 400, 400, 400]), SSH_IMPORT_400),
    // SSH keys are looked up in the caller's organization; the superadmin's is `default`.
    with_codes(case("GET", "/api/v1/ssh-keys/{sshKeyA}", None, [401, 200, 200, 200, 404, 404]), SSH_KEYS_404),
    with_codes(case("GET", "/api/v1/ssh-keys/{sshKeyA}/public", None, [401, 200, 200, 200, 404, 404]), SSH_KEYS_404),
    with_codes(case("GET", "/api/v1/ssh-keys/{sshKeyA}/hosts", None, [401, 200, 200, 200, 404, 404]), SSH_KEYS_404),
    with_codes(case("DELETE", "/api/v1/ssh-keys/{sshKeyA}", None, [401, 403, 403, 204, 404, 404]), SSH_KEYS_404),
    case("GET", "/api/v1/access-rules", None, [401, 403, 403, 200, 200, 200]),
    with_codes(case("POST", "/api/v1/access-rules", Some(r#"{"user_id": 999999, "on": "all"}"#), [401, 403, 403, 404, 404, 404]), USERS_404),
    with_codes(case("DELETE", "/api/v1/access-rules/999999", None, [401, 403, 403, 404, 404, 404]), &[(404, "accounts.rule_not_found")]),
    case("GET", "/api/v1/unix-groups", None, [401, 403, 403, 200, 200, 200]),
    case("POST", "/api/v1/unix-groups", Some(r#"{"name": "{uniq}"}"#), [401, 403, 403, 201, 201, 201]),
    with_codes(case("PATCH", "/api/v1/unix-groups/999999", Some(r#"{"members": []}"#), [401, 403, 403, 404, 404, 404]), GROUPS_404),
    with_codes(case("DELETE", "/api/v1/unix-groups/999999", None, [401, 403, 403, 404, 404, 404]), GROUPS_404),
    // A user's Unix side: themselves or their organization's admins.
    with_codes(case("GET", "/api/v1/users/{viewerA}/unix", None, [401, 200, 403, 200, 404, 404]), USERS_404),
    with_codes(case("PATCH", "/api/v1/users/{viewerA}/unix", Some(r#"{"shell": "/bin/sh"}"#), [401, 200, 403, 200, 404, 404]), USERS_404),
    with_codes(case("POST", "/api/v1/users/{new}/keys", Some(USER_KEY), [401, 403, 403, 201, 404, 404]), USERS_404),
    // 404: no such key (admin A) or no such user (others).
    case("DELETE", "/api/v1/users/{new}/keys?fingerprint=SHA256:none", None, [401, 403, 403, 404, 404, 404]),
    with_codes(case("GET", "/api/v1/hosts/{hostA}/accounts", None, [401, 403, 403, 200, 404, 404]), HOSTS_404),
    // Hosts' routes take a machine token in X-API-Key, never a session or bearer token.
    with_codes(case("GET", "/api/v1/agent/nss", None, [401, 401, 401, 401, 401, 401]), INGEST_401),
    with_codes(case("GET", "/api/v1/agent/nss/shadow", None, [401, 401, 401, 401, 401, 401]), INGEST_401),
    with_codes(case("POST", "/api/v1/agent/nss/status", Some(r#"{"ok": true}"#), [401, 401, 401, 401, 401, 401]), INGEST_401),
    with_codes(case("POST", "/api/v1/agent/password", Some(r#"{"user": "va", "old": "a", "new": "b"}"#), [401, 401, 401, 401, 401, 401]), INGEST_401),
    with_codes(case("POST", "/api/v1/ingest/metrics", PUSH, [401, 401, 401, 401, 401, 401]), INGEST_401),
    with_codes(case("GET", "/api/v1/ws/hosts", None, [401, 403, 403, 403, 403, 403]), WS_ORIGIN),
    with_codes(case("GET", "/api/v1/ws/hosts/{hostA}", None, [401, 403, 403, 403, 403, 403]), WS_ORIGIN),
    fresh(case("POST", "/api/v1/auth/logout", None, [401, 204, 204, 204, 204, 204])),
    // Last: it ends every session of the caller.
    fresh(case("POST", "/api/v1/auth/logout-all", None, [401, 204, 204, 204, 204, 204])),
];

/// Two organizations with a viewer, an operator and an admin in A, an admin in B, and the
/// superadmin in `default`. Witnesses are bearer tokens (unaffected by logouts) used to
/// set up targets and to read the state before and after a refused call.
pub struct World {
    pub app: TestApp,
    pub org_a: u64,
    pub org_b: u64,
    pub viewer_a: u64,
    /// Session clients in [`WHO`] order.
    pub callers: Vec<Client>,
    pub sup_witness: Client,
    pub admin_a_witness: Client,
    pub admin_b_witness: Client,
    /// A host of org A, registered by a push with [`World::ingest_key_a`].
    pub host_a: u64,
    /// The appliance's own host, in the default organization.
    pub local_host: u64,
    /// The value of an auto-approving ingest key of org A.
    pub ingest_key_a: String,
    /// The value of an ingest key of org A whose machines wait for approval.
    pub manual_key_a: String,
}

impl World {
    pub async fn build() -> World {
        let app = TestApp::start().await;
        let sup = app.superadmin().await;
        let org_a = sup.create_org("alpha").await;
        let org_b = sup.create_org("beta").await;
        let viewer_a = sup.create_user(Some(org_a), "va", "viewer").await;
        sup.create_user(Some(org_a), "oa", "operator").await;
        sup.create_user(Some(org_a), "aa", "admin").await;
        sup.create_user(Some(org_b), "ab", "admin").await;
        let mut callers = vec![app.anon()];
        for name in NAMES {
            callers.push(app.login(name, password_of(name)).await);
        }
        let sup_witness = witness(&app, &callers[5]).await;
        let admin_a_witness = witness(&app, &callers[3]).await;
        let admin_b_witness = witness(&app, &callers[4]).await;
        let (_, ingest_key_a) = admin_a_witness.create_ingest_key("matrix").await;
        let (_, manual_key_a) = admin_a_witness.create_ingest_key_with("matrix-manual", false).await;
        let local = sup_witness.hosts().await.into_iter().find(|h| h["kind"] == "local").expect("the local host");
        let local_host = local["id"].as_u64().expect("local host id");
        let mut world = World {
            app,
            org_a,
            org_b,
            viewer_a,
            callers,
            sup_witness,
            admin_a_witness,
            admin_b_witness,
            host_a: 0,
            local_host,
            ingest_key_a,
            manual_key_a,
        };
        world.host_a = world.push_new_host().await;
        world
    }

    /// Registers a new machine in org A by pushing one sample; returns its host id.
    pub async fn push_new_host(&self) -> u64 {
        let fp = unique("fp-");
        let body = batch(&fp, &fp, vec![sample("load.1", Value::Null, 0.5, self.app.now_ms())]);
        let resp = Agent::new(&self.app.url, Some(&self.ingest_key_a)).push(&body).await.expect_status(202);
        resp.body["host_id"].as_u64().expect("host id")
    }

    /// Registers a new machine in org A, pending: its push is refused; returns its host id.
    pub async fn push_pending_host(&self) -> u64 {
        let fp = unique("fp-");
        let body = batch(&fp, &fp, vec![sample("load.1", Value::Null, 0.5, self.app.now_ms())]);
        let resp = Agent::new(&self.app.url, Some(&self.manual_key_a)).push(&body).await;
        resp.expect_error(403, "host.pending");
        let hosts = self.admin_a_witness.hosts().await;
        let host = hosts.iter().find(|h| h["fingerprint"] == fp.as_str()).expect("the pending host");
        host["id"].as_u64().expect("host id")
    }

    /// Everything a refused call could have changed: accounts of every organization,
    /// organizations, tokens of every organization (without their last-use times), hosts
    /// of every organization with their latest values (the local host's, which it
    /// collects on its own, left out), ingest keys and SSH keys.
    pub async fn snapshot(&self) -> Value {
        let sup = &self.sup_witness;
        let mut users = Vec::new();
        for org in [1, self.org_a, self.org_b] {
            users.push(sup.get(&format!("/api/v1/users?org={org}")).await.expect_status(200).body);
        }
        let orgs = sup.get("/api/v1/orgs").await.expect_status(200).body;
        let mut tokens = Vec::new();
        for w in [sup, &self.admin_a_witness, &self.admin_b_witness] {
            let mut list = w.get("/api/v1/tokens?all=true").await.expect_status(200).body;
            for t in list.as_array_mut().expect("token list") {
                t.as_object_mut().expect("token").remove("last_used_at");
            }
            tokens.push(list);
        }
        let (mut hosts, mut keys, mut ssh_keys, mut access) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for w in [sup, &self.admin_a_witness, &self.admin_b_witness] {
            let mut list = w.hosts().await;
            for h in list.iter_mut().filter(|h| h["kind"] == "local") {
                let h = h.as_object_mut().expect("host");
                for volatile in ["status", "last_seen_ms", "vitals", "facts"] {
                    h.remove(volatile);
                }
            }
            hosts.push(list);
            keys.push(w.get("/api/v1/ingest-keys").await.expect_status(200).body);
            ssh_keys.push(w.get("/api/v1/ssh-keys").await.expect_status(200).body);
            access.push(w.get("/api/v1/access-rules").await.expect_status(200).body);
            access.push(w.get("/api/v1/unix-groups").await.expect_status(200).body);
        }
        serde_json::json!({
            "users": users, "orgs": orgs, "tokens": tokens, "hosts": hosts, "ingest_keys": keys, "ssh_keys": ssh_keys,
            "access": access,
        })
    }

    async fn resolve(&self, path: &str) -> String {
        let mut path = path.replace("{A}", &self.org_a.to_string()).replace("{viewerA}", &self.viewer_a.to_string());
        if path.contains("{new}") {
            let id = self.sup_witness.create_user(Some(self.org_a), &unique("target"), "viewer").await;
            path = path.replace("{new}", &id.to_string());
        }
        path = path.replace("{hostA}", &self.host_a.to_string()).replace("{local}", &self.local_host.to_string());
        if path.contains("{pendingHost}") {
            path = path.replace("{pendingHost}", &self.push_pending_host().await.to_string());
        }
        if path.contains("{newHost}") {
            path = path.replace("{newHost}", &self.push_new_host().await.to_string());
        }
        if path.contains("{keyA}") {
            let (id, _) = self.admin_a_witness.create_ingest_key(&unique("key")).await;
            path = path.replace("{keyA}", &id.to_string());
        }
        if path.contains("{sshKeyA}") {
            let body = serde_json::json!({ "name": unique("ssh") });
            let id = self.admin_a_witness.post("/api/v1/ssh-keys", body).await.expect_status(201).id();
            path = path.replace("{sshKeyA}", &id.to_string());
        }
        if path.contains("{token}") {
            let (id, _) = self.admin_a_witness.create_token(serde_json::json!({ "name": unique("t") })).await;
            path = path.replace("{token}", &id.to_string());
        }
        path
    }
}

/// A bearer client acting as the same account as `session`.
async fn witness(app: &TestApp, session: &Client) -> Client {
    let (_, value) = session.create_token(serde_json::json!({ "name": "witness" })).await;
    app.bearer(&value)
}

fn password_of(name: &str) -> &'static str {
    if name == "admin" { ADMIN_PW } else { USER_PW }
}

fn expected_code(case: &Case, status: u16) -> Option<&'static str> {
    let special = case.codes.iter().find(|(s, _)| *s == status).map(|(_, c)| *c);
    special.or(match status {
        401 => Some("auth.required"),
        403 => Some("auth.forbidden"),
        _ => None,
    })
}

#[actix_web::test]
async fn every_route_answers_every_caller_as_the_matrix_says() {
    let world = World::build().await;
    let mut failures = Vec::new();
    for case in CASES {
        for (col, who) in WHO.iter().enumerate() {
            let path = world.resolve(case.path).await;
            let body: Option<Value> =
                case.body.map(|b| serde_json::from_str(&b.replace("{uniq}", &unique("m"))).expect("case body"));
            let client = match (case.fresh_session, col) {
                (true, 1..) => world.app.login(NAMES[col - 1], password_of(NAMES[col - 1])).await,
                _ => world.callers[col].clone(),
            };
            let expected = case.expect[col];
            let before = if expected >= 400 { Some(world.snapshot().await) } else { None };
            let method: Method = case.method.parse().expect("method");
            let resp = client.send(method, &path, body.as_ref()).await;
            let call = format!("{} {path} as {who}", case.method);
            if resp.status != expected {
                failures.push(format!("{call}: expected {expected}, got {} {}", resp.status, resp.body));
                continue;
            }
            if let Some(code) = expected_code(case, expected).filter(|c| resp.code() != *c) {
                failures.push(format!("{call}: expected code {code}, got {}", resp.body));
            }
            if let Some(before) = before
                && world.snapshot().await != before
            {
                failures.push(format!("{call}: refused with {expected} but changed the state"));
            }
        }
    }
    assert!(failures.is_empty(), "{} matrix cells wrong:\n{}", failures.len(), failures.join("\n"));
}

#[actix_web::test]
async fn docs_redirect_to_the_swagger_page() {
    let app = TestApp::start().await;
    let resp = app.anon().get("/api/docs").await.expect_status(308);
    assert_eq!(resp.header("location"), Some("/api/docs/"));
    let page = app.anon().get("/api/docs/").await.expect_status(200);
    assert!(page.body.as_str().is_some_and(|html| html.contains("swagger")), "{page:?}");
}

#[actix_web::test]
async fn the_docs_page_can_load_its_spec() {
    let app = TestApp::start().await;
    let init = app.anon().get("/api/docs/swagger-initializer.js").await.expect_status(200);
    let script = init.body.as_str().expect("script").to_string();
    let url = spec_url(&script).unwrap_or_else(|| panic!("no spec url in {script}"));
    let spec = app.anon().get(url).await;
    assert_eq!(spec.status, 200, "GET {url}: {spec:?}");
    assert!(spec.body["openapi"].is_string(), "{spec:?}");
}

/// The `"url": "..."` the Swagger initializer loads the spec from.
fn spec_url(script: &str) -> Option<&str> {
    let rest = &script[script.find("\"url\"")? + 5..];
    let start = rest.find('"')? + 1;
    let len = rest[start..].find('"')?;
    Some(&rest[start..start + len])
}
