//! Browser safety: security headers on every response; a cookie-authenticated state change
//! from another site is refused (CSRF); the session cookie is HttpOnly, SameSite=Lax, and
//! Secure when the public URL is https.

use crate::common::*;
use serde_json::json;

#[test]
fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn();
    for path in [
        "/health",
        "/api/v1/services",
        "/no/such/page",
        "/verify/AAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let r = app.client.get(app.url(path)).send().expect("get");
        let h = r.headers();
        assert_eq!(h["X-Content-Type-Options"], "nosniff", "{path}");
        assert_eq!(h["X-Frame-Options"], "DENY", "{path}");
        assert_eq!(h["Referrer-Policy"], "same-origin", "{path}");
        let csp = h["Content-Security-Policy"].to_str().expect("csp");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
    }
}

fn cookie_of(r: &reqwest::blocking::Response) -> String {
    r.headers()
        .get_all("Set-Cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("ruqsat_session="))
        .expect("session cookie")
        .to_string()
}

#[test]
fn a_cookie_authenticated_change_from_another_site_is_refused() {
    let app = TestApp::spawn_in_clinic_hours();
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": "aigerim", "password": "aigerim-demo"}))
        .send()
        .expect("login");
    let set = cookie_of(&r);
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain http: {set}");
    let cookie = set.split(';').next().expect("pair").to_string();
    let create = |origin: Option<&str>| {
        let mut req = app
            .client
            .post(app.url("/api/v1/requests"))
            .header("Cookie", &cookie)
            .json(&home_call_body());
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        req.send().expect("post")
    };
    assert_error(create(Some("https://evil.example")), 403, "CSRF_REJECTED");
    assert_error(create(None), 403, "CSRF_REJECTED");
    assert_eq!(create(Some(&app.base)).status(), 201);
    // A bearer token is not sent by a browser on its own: no Origin needed.
    let token = app.login("aigerim");
    assert_eq!(
        app.post(&token, "/api/v1/requests", &home_call_body())
            .status(),
        201
    );
    // Reading with the cookie from anywhere is allowed (GET changes nothing).
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .header("Cookie", &cookie)
        .header("Origin", "https://evil.example")
        .send()
        .expect("me");
    assert_eq!(r.status(), 200);
}

#[test]
fn over_https_the_session_cookie_is_secure() {
    let app = TestApp::spawn_with(|c| c.public_url = "https://ruqsat.example.kz".into());
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"login": "aigerim", "password": "aigerim-demo"}))
        .send()
        .expect("login");
    assert!(cookie_of(&r).contains("Secure"));
}

#[test]
fn the_public_verify_page_answers_a_page_even_for_an_unknown_document() {
    // People open /verify/{id} from a QR code: a wrong or unknown id is a page in the
    // visitor's language, not a JSON error.
    let app = TestApp::spawn();
    for id in ["0", "00000000-0000-0000-0000-000000000000", "%3Cscript%3E"] {
        let r = app
            .client
            .get(app.url(&format!("/verify/{id}")))
            .header("Accept-Language", "en-GB,en;q=0.9")
            .send()
            .expect("page");
        assert_eq!(r.status(), 404, "{id}");
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(ct.starts_with("text/html"), "{id}: {ct}");
        let body = r.text().expect("html");
        assert!(body.contains("Document not found"), "{id}: {body}");
        assert!(!body.contains("<script>"), "{id}: {body}");
    }
}
