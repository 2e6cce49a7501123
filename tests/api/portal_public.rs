//! The public pages and the error pages: `/verify/{id}` and `/registry` in three languages
//! over a real e-licence, nothing of the holder on the verification page (A-06, R-003-66),
//! refused searches at their field; every API error code as the error page in each
//! language, the 403 and 500 pages, and never JSON or a trace on a page path.

use crate::common::licence::*;
use crate::common::*;
use actix_web::body::to_bytes;
use actix_web::{FromRequest, ResponseError};
use reqwest::blocking::Response;
use ruqsat::error::{AppError, ErrorCode, Lang};
use ruqsat::http::portal::Page;
use serde_json::Value;

/// Text as minijinja writes it into HTML.
fn html_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

fn html_lang(body: &str) -> Option<&str> {
    let i = body.find("<html lang=\"")? + "<html lang=\"".len();
    body[i..].split('"').next()
}

/// A page message of the running app.
fn msg(app: &TestApp, lang: Lang, key: &str) -> String {
    app.app
        .pages
        .messages
        .get(lang, key, &[])
        .unwrap_or_else(|| panic!("no message {key}"))
}

/// A page of the server as a browser asking for `lang` (no redirects followed).
fn page(app: &TestApp, lang: &str, path: &str) -> Response {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url(path))
        .header("Accept-Language", lang)
        .send()
        .expect("page")
}

/// A page answer is HTML for people: no JSON envelope, no trace, in the asked language.
fn assert_page(r: Response, lang: &str, what: &str) -> (u16, String) {
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = r.text().expect("body");
    assert!(ct.starts_with("text/html"), "{what}: {ct}: {body}");
    assert_no_json_or_trace(&body, what);
    if status != 303 {
        assert_eq!(html_lang(&body), Some(lang), "{what}: {body}");
    }
    (status, body)
}

fn assert_no_json_or_trace(body: &str, what: &str) {
    assert!(!body.trim_start().starts_with('{'), "{what}: JSON: {body}");
    for bad in [
        "\"error\":",
        "panicked",
        "stack backtrace",
        "RUST_BACKTRACE",
        ".rs:",
    ] {
        assert!(!body.contains(bad), "{what}: `{bad}` in {body}");
    }
}

#[test]
fn every_error_code_is_the_error_page_with_its_message_in_each_language() {
    let app = TestApp::spawn();
    actix_web::rt::System::new().block_on(async {
        for lang in Lang::ALL {
            let req = actix_web::test::TestRequest::get()
                .uri("/requests/26-000001")
                .insert_header(("Accept-Language", lang.as_str()))
                .app_data(actix_web::web::Data::new(app.app.clone()))
                .to_http_request();
            let page = Page::extract(&req).await.expect("page");
            assert_eq!(page.lang, lang);
            for &code in ErrorCode::ALL {
                let name = code.as_str();
                let message = code.message(lang);
                assert!(
                    !message.trim().is_empty() && message != name,
                    "{name}: {lang:?} message `{message}`"
                );
                let r = page.fail(AppError::new(code)).error_response();
                if code.status() == 401 {
                    // A page that needs a user sends the visitor to sign in and back.
                    assert_eq!(r.status(), 303, "{name}");
                    assert_eq!(
                        r.headers().get("location").and_then(|v| v.to_str().ok()),
                        Some("/login?next=%2Frequests%2F26%2D000001"),
                        "{name}"
                    );
                    continue;
                }
                assert_eq!(r.status().as_u16(), code.status(), "{name}");
                assert!(r
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("text/html")));
                let body = String::from_utf8(to_bytes(r.into_body()).await.expect("body").to_vec())
                    .expect("utf-8");
                assert_no_json_or_trace(&body, name);
                assert_eq!(html_lang(&body), Some(lang.as_str()), "{name}");
                assert!(body.contains(&format!("data-code=\"{name}\"")), "{name}");
                assert!(
                    body.contains(&format!("<p>{}</p>", html_escaped(message))),
                    "{name}: the {lang:?} message is not on the page:\n{body}"
                );
                let title = match code.status() {
                    404 => "error-not-found-title",
                    403 => "error-forbidden-title",
                    500.. => "error-server-title",
                    _ => "error-title",
                };
                assert!(
                    body.contains(&format!(
                        "<h1>{}</h1>",
                        html_escaped(&msg(&app, lang, title))
                    )),
                    "{name}: {title}"
                );
            }
        }
    });
}

#[test]
fn an_internal_error_is_the_500_page_without_its_detail() {
    let app = TestApp::spawn();
    actix_web::rt::System::new().block_on(async {
        let req = actix_web::test::TestRequest::get()
            .uri("/registry")
            .insert_header(("Accept-Language", "kk"))
            .app_data(actix_web::web::Data::new(app.app.clone()))
            .to_http_request();
        let page = Page::extract(&req).await.expect("page");
        let r = page
            .fail(AppError::internal(
                "connection refused at src/db/mod.rs:146",
            ))
            .error_response();
        assert_eq!(r.status(), 500);
        assert_eq!(
            r.headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        let body = String::from_utf8(to_bytes(r.into_body()).await.expect("body").to_vec())
            .expect("utf-8");
        assert_no_json_or_trace(&body, "500");
        assert!(!body.contains("connection refused"), "{body}");
        assert!(body.contains(&format!(
            "<h1>{}</h1>",
            html_escaped(&msg(&app, Lang::Kk, "error-server-title"))
        )));
        assert!(body.contains("data-code=\"INTERNAL\""), "{body}");
    });
}

#[test]
fn a_page_that_fails_to_render_is_the_500_page() {
    // A page template that asks for a message no file has fails while rendering (not at
    // start): the visitor gets the error page with 500, in their language.
    let templates = tempfile::tempdir().expect("tmp");
    let dir = templates.path().join("pages");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("registry.html"),
        "{% extends \"layout.html\" %}{% block main %}{{ t(\"no-such-message\") }}{% endblock %}",
    )
    .expect("write");
    let path = templates.path().to_path_buf();
    let app = TestApp::spawn_with(move |c| c.templates_dir = Some(path));
    for lang in ["kk", "ru", "en"] {
        let (status, body) = assert_page(page(&app, lang, "/registry"), lang, "/registry");
        assert_eq!(status, 500, "{body}");
        assert!(body.contains("data-code=\"INTERNAL\""), "{body}");
        assert!(!body.contains("no-such-message"), "{body}");
        let title = msg(&app, Lang::from_tag(lang), "error-server-title");
        assert!(body.contains(&html_escaped(&title)), "{body}");
    }
}

#[test]
fn a_refused_form_is_the_403_page_in_the_users_language() {
    let app = TestApp::spawn();
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    // A page form without its CSRF token.
    let r = client
        .post(app.url("/lang"))
        .header("Accept-Language", "kk")
        .form(&[("lang", "ru"), ("back", "/")])
        .send()
        .expect("post");
    let (status, body) = assert_page(r, "kk", "POST /lang without a token");
    assert_eq!(status, 403);
    assert!(body.contains("data-code=\"CSRF_REJECTED\""), "{body}");
    assert!(body.contains(&html_escaped(ErrorCode::CsrfRejected.message(Lang::Kk))));
    assert!(body.contains(&html_escaped(&msg(&app, Lang::Kk, "error-forbidden-title"))));
    // A signed-in browser's form sent from another site: refused by the Origin check before
    // the page, and still a page, not the API's JSON.
    let token = app.login("aigerim");
    let r = client
        .post(app.url("/logout"))
        .header("Accept-Language", "ru")
        .header("Origin", "https://evil.example")
        .header("Cookie", format!("ruqsat_session={token}"))
        .form(&[("csrf", "x")])
        .send()
        .expect("post");
    let (status, body) = assert_page(r, "ru", "cross-site POST /logout");
    assert_eq!(status, 403);
    assert!(body.contains("data-code=\"CSRF_REJECTED\""), "{body}");
    assert!(body.contains(&html_escaped(ErrorCode::CsrfRejected.message(Lang::Ru))));
}

#[test]
fn a_page_path_never_answers_json_and_the_api_always_does() {
    let app = TestApp::spawn();
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let send = |method: &str, path: &str| {
        client
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
                app.url(path),
            )
            .header("Accept-Language", "en")
            .send()
            .expect("send")
    };
    for (method, path, expected) in [
        ("GET", "/no/such/page", 404),
        ("PUT", "/login", 404),
        ("DELETE", "/verify/abc", 404),
        ("GET", "/static/no-such.css", 404),
        ("GET", "/verify/%FF", 404),
        ("GET", "/verify?id=%3Cscript%3E", 404),
        ("GET", "/registry?holder=%FF", 422),
        ("GET", "/requests/%FF", 303),
    ] {
        let what = format!("{method} {path}");
        let (status, body) = assert_page(send(method, path), "en", &what);
        assert_eq!(status, expected, "{what}: {body}");
        assert!(!body.contains("<script>"), "{what}");
    }
    // An oversize page form: the form body limit's page.
    let big = "x".repeat(300 * 1024);
    let r = client
        .post(app.url("/login"))
        .header("Accept-Language", "en")
        .form(&[("login", big.as_str())])
        .send()
        .expect("post");
    assert_eq!(r.status(), 400);
    assert_no_json_or_trace(&r.text().expect("body"), "oversize form");
    // Machines keep the JSON envelope.
    for path in ["/api/v1/no-such", "/pki/no-such"] {
        let r = send("GET", path);
        assert_eq!(r.status(), 404, "{path}");
        let body: Value = r.json().expect("json");
        assert_eq!(body["error"]["code"], "NOT_FOUND", "{path}");
    }
}

#[test]
fn every_document_kind_status_and_registry_event_has_page_messages() {
    let app = TestApp::spawn();
    let m = &app.app.pages.messages;
    let mut keys: Vec<String> = ruqsat::pdf::template::KINDS
        .iter()
        .map(|k| format!("doc-kind-{k}"))
        .collect();
    keys.extend(
        ruqsat::domain::documents::DocumentStatus::ALL
            .iter()
            .map(|s| format!("verify-status-{}-note", s.as_str())),
    );
    for e in [
        "issued",
        "reissued",
        "duplicate_issued",
        "suspended",
        "resumed",
        "terminated",
    ] {
        keys.push(format!("registry-event-{e}"));
    }
    for f in ["number", "holder"] {
        keys.push(format!("registry-by-{f}"));
        keys.push(format!("registry-{f}-label"));
        keys.push(format!("registry-{f}-hint"));
    }
    for lang in Lang::ALL {
        for k in &keys {
            assert!(m.keys(lang).contains(k), "{lang:?}: no `{k}`");
        }
    }
}

/// The e-licence of the demo company, issued through the portal flow; returns the licence
/// number, the document id and the document's SHA-256.
fn issued_licence(app: &TestApp) -> (String, String, String) {
    let (med, official, number) = licence_under_review(app);
    assess_and_approve(app, &official, &number, "lab-equipment");
    let docs: Vec<Value> = app
        .get(&med, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    let id = docs[0]["id"].as_str().expect("id").to_string();
    let sha = docs[0]["sha256"].as_str().expect("sha256").to_string();
    let found: Value = app
        .client
        .get(app.url("/api/v1/licences?holder=050340001235"))
        .send()
        .expect("registry")
        .json()
        .expect("json");
    let licence = found["licences"][0]["number"]
        .as_str()
        .expect("licence number")
        .to_string();
    (licence, id, sha)
}

#[test]
fn a_licence_is_verified_and_found_in_the_registry_in_three_languages() {
    let app = TestApp::spawn();
    let (licence, id, sha) = issued_licence(&app);

    for (lang, kind, status) in [
        (
            "kk",
            "Медициналық қызметпен айналысуға арналған лицензия",
            "Жарамды",
        ),
        ("ru", "Лицензия на медицинскую деятельность", "Действителен"),
        ("en", "Licence for medical activity", "Valid"),
    ] {
        // The verification page: what the document is and whether it is in force.
        let r = page(&app, lang, &format!("/verify/{id}"));
        assert_eq!(
            r.headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        let (code, html) = assert_page(r, lang, "verify");
        assert_eq!(code, 200, "{html}");
        assert!(html.contains(&format!("<h1>{kind}</h1>")), "{lang}: {html}");
        assert!(html.contains("data-status=\"valid\""), "{html}");
        assert!(html.contains(status), "{lang}: {html}");
        assert!(html.contains(&sha), "{html}");
        // Nothing of the holder: neither the company nor its director.
        for personal in ["050340001235", "Ақжол", "881122307898", "Жұмабаев"] {
            assert!(!html.contains(personal), "{lang}: `{personal}` on /verify");
        }

        // The registry: by BIN, and by number as typed in lower case.
        for query in [
            "holder=050340001235".to_string(),
            format!("number={}", licence.to_lowercase()),
        ] {
            let (code, html) = assert_page(
                page(&app, lang, &format!("/registry?{query}")),
                lang,
                "registry",
            );
            assert_eq!(code, 200, "{query}: {html}");
            assert!(
                html.contains(&format!("data-number=\"{licence}\"")),
                "{query}: {html}"
            );
            assert!(html.contains(&format!("href=\"/verify/{id}\"")), "{html}");
            assert!(html.contains(kind), "{lang}: {html}");
            assert!(html.contains("050340001235"), "a company's BIN is public");
            assert!(!html.contains("881122307898"), "no director's IIN");
        }

        // A BIN with a wrong check digit: the message under the field, in this language.
        let (code, html) = assert_page(
            page(&app, lang, "/registry?holder=050340001236"),
            lang,
            "bad BIN",
        );
        assert_eq!(code, 422, "{html}");
        let message = html_escaped(ErrorCode::BinChecksum.message(Lang::from_tag(lang)));
        assert!(
            html.contains(&format!(
                "<p class=\"field-error\" id=\"holder-error\" data-code=\"BIN_CHECKSUM\">{message}</p>"
            )),
            "{lang}: {html}"
        );
        assert!(html.contains("aria-invalid=\"true\""), "{html}");
        assert!(
            html.contains("value=\"050340001236\""),
            "what was typed stays"
        );
        // An IIN with a wrong check digit, a malformed number, both fields at once.
        let (code, html) = assert_page(
            page(&app, lang, "/registry?holder=850305401238"),
            lang,
            "bad IIN",
        );
        assert_eq!(code, 422);
        assert!(html.contains("data-code=\"IIN_CHECKSUM\""), "{html}");
        let (code, html) = assert_page(
            page(&app, lang, "/registry?number=26MH%27--"),
            lang,
            "bad number",
        );
        assert_eq!(code, 400);
        let invalid = html_escaped(&msg(&app, Lang::from_tag(lang), "registry-number-invalid"));
        assert!(html.contains(&invalid), "{html}");
        let (code, html) = assert_page(
            page(
                &app,
                lang,
                &format!("/registry?number={licence}&holder=050340001235"),
            ),
            lang,
            "both",
        );
        assert_eq!(code, 400);
        assert!(
            html.contains("role=\"alert\" data-code=\"BAD_REQUEST\""),
            "{html}"
        );
        // A valid IIN without licences.
        let (code, html) = assert_page(
            page(&app, lang, "/registry?holder=850305401237"),
            lang,
            "no licence",
        );
        assert_eq!(code, 200);
        let none = html_escaped(&msg(&app, Lang::from_tag(lang), "registry-none"));
        assert!(html.contains(&none), "{html}");
    }

    // The form: an id or the QR code's link leads to the page; anything else is not found.
    let r = page(
        &app,
        "ru",
        &format!("/verify?id=%20{}/verify/{id}%20", app.base),
    );
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some(format!("/verify/{id}").as_str())
    );
    let (code, html) = assert_page(page(&app, "kk", "/verify"), "kk", "form");
    assert_eq!(code, 200);
    assert!(html.contains("name=\"id\""), "{html}");
    let (code, html) = assert_page(page(&app, "kk", "/verify?id=a%20b"), "kk", "bad id");
    assert_eq!(code, 404);
    assert!(html.contains("data-code=\"DOCUMENT_NOT_FOUND\""), "{html}");
    assert!(html.contains(&html_escaped(ErrorCode::DocumentNotFound.message(Lang::Kk))));
}
