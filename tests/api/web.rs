//! The embedded web UI as the appliance serves it (debug builds read `web/dist`, which
//! build.rs made), and the UI's copy of the OpenAPI document it generates its types from.

use reqwest::Method;

use crate::support::TestApp;

const UI_OPENAPI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/web/src/api/openapi.json");

#[tokio::test]
async fn the_ui_has_the_current_openapi_document() {
    let app = TestApp::start().await;
    let served = app.anon().get("/api/v1/openapi.json").await.expect_status(200).body;
    let copy: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(UI_OPENAPI).expect("the UI's openapi.json")).unwrap_or_default();
    if served != copy {
        if std::env::var("STEWARD_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
            std::fs::write(UI_OPENAPI, serde_json::to_string_pretty(&served).unwrap() + "\n").unwrap();
        } else {
            panic!(
                "web/src/api/openapi.json differs from what the appliance serves: run \
                 `STEWARD_UPDATE_OPENAPI=1 cargo test --test api web::` then `npm run api:gen` in web/"
            );
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_app_is_served_with_its_routes_cache_policy_and_encodings() {
    let app = TestApp::start().await;
    let client = app.anon();
    let index = client.get("/").await.expect_status(200);
    assert!(index.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{index:?}");
    assert_eq!(index.header("cache-control"), Some("no-cache"));
    let html = index.body.as_str().unwrap_or_default().to_string();
    assert!(html.contains("<div id=\"root\">"), "{html}");

    // Client-side routes get the app; files that do not exist and API paths do not.
    assert_eq!(client.get("/hosts/12").await.expect_status(200).body.as_str(), Some(html.as_str()));
    client.get("/assets/gone-1234.js").await.expect_error(404, "http.not_found");
    client.get("/api/v1/no-such-thing").await.expect_error(404, "http.not_found");
    client.send(Method::POST, "/hosts/12", None).await.expect_error(405, "http.method_not_allowed");

    let script = html.split("src=\"").nth(1).and_then(|s| s.split('"').next()).expect("a script tag");
    assert!(script.starts_with("/assets/"), "{script}");
    let get = |encoding: &'static str| client.request(Method::GET, script).header("Accept-Encoding", encoding).send();
    let plain = get("identity").await.unwrap();
    assert_eq!(plain.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(plain.headers().get("content-encoding").is_none());
    let etag = plain.headers()["etag"].clone();
    let plain = plain.bytes().await.unwrap();
    for (accept, encoding) in [("gzip", "gzip"), ("gzip, br", "br"), ("br;q=0, gzip", "gzip")] {
        let res = get(accept).await.unwrap();
        assert_eq!(res.headers()["content-encoding"], encoding, "{accept}");
        assert_eq!(res.headers()["vary"], "Accept-Encoding");
        assert!(res.bytes().await.unwrap().len() < plain.len(), "{encoding} is smaller");
    }
    let again = client.request(Method::GET, script).header("If-None-Match", etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    app.stop().await;
}
