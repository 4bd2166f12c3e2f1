//! The OpenAPI document as a contract: what it calls valid is accepted, what it calls
//! invalid is refused, and methods it does not list answer 405 with its list in `Allow`.
//! (`.ci/schemathesis` fuzzes the whole document; these pin the behaviours it found.)

use reqwest::Method;
use serde_json::Value;

use crate::support::TestApp;

#[actix_web::test]
async fn empty_query_values_count_as_absent() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let all = admin.get("/api/v1/audit").await.expect_status(200).body;
    let blank = admin.get("/api/v1/audit?actor=&from=&to=&action=").await.expect_status(200).body;
    assert_eq!(blank["entries"], all["entries"]);
    admin.get("/api/v1/users?org=").await.expect_status(200);
    admin.get("/api/v1/tokens?all=").await.expect_status(200);
    // A value that is there is still checked.
    admin.get("/api/v1/tokens?all=maybe").await.expect_error(400, "request.invalid_query");
}

#[actix_web::test]
async fn integers_beyond_the_documented_int64_range_are_422() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    for path in [
        "/api/v1/users?org=9223372036854775808",
        "/api/v1/users?org=-1",
        "/api/v1/users/9223372036854775808",
        "/api/v1/hosts/18446744073709551616",
        "/api/v1/unix-groups/2147483648",
    ] {
        let method = if path.contains("unix-groups") { Method::DELETE } else { Method::GET };
        let resp = admin.send(method, path, None).await;
        assert_eq!((resp.status, resp.code()), (422, "request.out_of_range"), "{path}: {resp:?}");
        assert!(resp.message().contains("integer from 0 to"), "{path}: {resp:?}");
    }
    // The largest documented id is a well-formed request (a superadmin's empty organization).
    admin.get("/api/v1/users?org=9223372036854775807").await.expect_status(200);
    admin.get("/api/v1/users/9223372036854775807").await.expect_error(404, "users.not_found");
}

/// Every path of the document, asked with each method it does not list: 405 with an
/// `Allow` header naming exactly the methods it does.
#[actix_web::test]
async fn undocumented_methods_are_405_with_the_documented_allow_list() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let doc = admin.get("/api/v1/openapi.json").await.expect_status(200).body;
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() > 40, "{}", paths.len());
    for (path, item) in paths {
        let listed: Vec<String> = ["get", "post", "put", "patch", "delete"]
            .into_iter()
            .filter(|m| item.get(*m).is_some())
            .map(str::to_uppercase)
            .collect();
        let concrete = path.replace("{id}", "1").replace("{gid}", "1").replace("{file}", "passwd");
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"].into_iter().filter(|m| !listed.iter().any(|l| l == m)) {
            let method = Method::from_bytes(method.as_bytes()).expect("method");
            let resp = admin.send(method.clone(), &concrete, None).await;
            assert_eq!((resp.status, resp.code()), (405, "http.method_not_allowed"), "{method} {path}: {resp:?}");
            assert_eq!(resp.header("allow"), Some(listed.join(", ").as_str()), "{method} {path}");
        }
    }
}

/// `GET /status` answers what its documented schema says (it once pointed at the hosts'
/// `Status` enum, which has the same name).
#[actix_web::test]
async fn the_status_answer_has_its_documented_fields() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let doc = admin.get("/api/v1/openapi.json").await.expect_status(200).body;
    let reference =
        &doc["paths"]["/api/v1/status"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
    let name = reference.as_str().and_then(|r| r.strip_prefix("#/components/schemas/")).expect("a schema reference");
    let schema = &doc["components"]["schemas"][name];
    let status = admin.get("/api/v1/status").await.expect_status(200).body;
    let mut required: Vec<&str> =
        schema["required"].as_array().expect("required").iter().filter_map(Value::as_str).collect();
    let mut sent: Vec<&str> = status.as_object().expect("an object").keys().map(String::as_str).collect();
    required.sort_unstable();
    sent.sort_unstable();
    assert_eq!(sent, required, "schema {name}: {schema}");
    assert!(status["metrics"]["series"].is_u64(), "{status}");
}

/// JSON Schema counts `7.0` as an integer, so a client may send one where the document
/// says integer.
#[actix_web::test]
async fn whole_numbers_written_as_floats_are_integers() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let resp = admin.post("/api/v1/tokens", serde_json::json!({ "name": "t", "expires_in_days": 7.0 })).await;
    resp.expect_status(201);
    let resp = admin.post("/api/v1/tokens", serde_json::json!({ "name": "t", "expires_in_days": 7.5 })).await;
    resp.expect_error(422, "request.invalid_field");
}
