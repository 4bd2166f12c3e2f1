//! The appliance over TLS: a self-signed certificate generated on first start, clients
//! pinning its fingerprint, the `__Host-` session cookie, and the HTTP-to-HTTPS redirect.

use serde_json::json;

use crate::support::{KNOWN_ADMIN_PW, TestApp};

fn pinned_client(app: &TestApp) -> reqwest::Client {
    let pin = steward::tls::served_fingerprint(&app.config.tls, app.data_dir()).expect("fingerprint").expect("tls on");
    let tls = steward::tls::pinned_client_config(pin).expect("client config");
    reqwest::Client::builder().tls_backend_preconfigured(tls).build().expect("client")
}

#[actix_web::test]
async fn auto_tls_serves_https_with_a_pinned_self_signed_certificate() {
    let app = TestApp::builder().set("tls.mode", "auto").start().await;
    assert!(app.url.starts_with("https://"), "{}", app.url);
    let client = pinned_client(&app);
    let health = client.get(format!("{}/api/v1/health", app.url)).send().await.expect("health over https");
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("strict-transport-security"));

    let login = client
        .post(format!("{}/api/v1/auth/login", app.url))
        .json(&json!({ "username": "admin", "password": KNOWN_ADMIN_PW }))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let cookie = login.headers().get("set-cookie").expect("cookie").to_str().expect("ascii").to_string();
    assert!(cookie.starts_with("__Host-steward_session="), "{cookie}");
    for flag in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} missing in {cookie}");
    }

    // A client that trusts only the system roots refuses the self-signed certificate.
    let plain = reqwest::Client::new().get(format!("{}/api/v1/health", app.url)).send().await;
    assert!(plain.is_err(), "an unpinned client must not accept a self-signed certificate");
}

#[actix_web::test]
async fn the_certificate_survives_restarts() {
    let app = TestApp::builder().set("tls.mode", "auto").start().await;
    let first = steward::tls::served_fingerprint(&app.config.tls, app.data_dir()).expect("fp");
    let (dir, _) = app.stop().await;
    let app = TestApp::builder().set("tls.mode", "auto").data_dir(dir).start().await;
    let second = steward::tls::served_fingerprint(&app.config.tls, app.data_dir()).expect("fp");
    assert_eq!(first, second, "a regenerated certificate would break every pin");
    let health = pinned_client(&app).get(format!("{}/api/v1/health", app.url)).send().await.expect("health");
    assert_eq!(health.status(), 200);
}

#[actix_web::test]
async fn the_redirect_listener_sends_plain_http_to_https() {
    let app = TestApp::builder().set("tls.mode", "auto").set("tls.redirect_listen", "127.0.0.1:0").start().await;
    let redirect = app.appliance().redirect_addr().expect("redirect listener");
    let https_port = app.url.rsplit(':').next().expect("port").to_string();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let res = client.get(format!("http://{redirect}/api/v1/health?x=1")).send().await.expect("redirect answers");
    assert_eq!(res.status(), 308);
    let location = res.headers().get("location").expect("location").to_str().expect("ascii");
    assert_eq!(location, format!("https://127.0.0.1:{https_port}/api/v1/health?x=1"));
}
