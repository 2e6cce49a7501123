//! The OpenAPI document and the routes the server registers are the same: every documented
//! path and method reaches a handler (not the "no such route" fallback), every route module
//! is in the document, and an undocumented path is the fallback.

use crate::common::*;
use serde_json::Value;

/// Every path and method of the OpenAPI document, with `{params}` filled in.
fn documented(spec: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, ops) in spec["paths"].as_object().expect("paths") {
        let concrete: String = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "x.crl" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for method in ops.as_object().expect("operations").keys() {
            out.push((method.to_uppercase(), concrete.clone()));
        }
    }
    out
}

fn is_fallback(r: reqwest::blocking::Response) -> bool {
    if r.status() != 404 {
        return false;
    }
    let body: Value = r.json().unwrap_or(Value::Null);
    body["error"]["detail"] == ruqsat::http::NO_ROUTE
}

#[test]
fn every_documented_operation_is_routed_and_nothing_else_is() {
    let app = TestApp::spawn();
    let spec: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .expect("spec")
        .json()
        .expect("json");
    let ops = documented(&spec);
    // Every handler of every route module is documented (api 32, public 2, mail 6,
    // quality 3, pages 1).
    assert_eq!(ops.len(), 48, "{ops:?}");
    for (method, path) in &ops {
        let req = app.client.request(
            reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
            app.url(path),
        );
        let r = req.send().expect("send");
        assert!(
            !is_fallback(r),
            "{method} {path} is documented but not routed"
        );
    }
    let r = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .expect("send");
    assert!(
        is_fallback(r),
        "an undocumented path must reach the fallback"
    );
}
