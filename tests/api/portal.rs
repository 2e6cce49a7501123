//! The web portal over HTTP (the browser tests in tests/browser drive the same pages in
//! Chromium): CSRF tokens on every form, pages only for their owner, every page in three
//! languages with one set of message keys.

use crate::common::pages::Browser;
use crate::common::{support_draft, TestApp};
use ruqsat::error::Lang;

fn html_lang(body: &str) -> Option<&str> {
    let i = body.find("<html lang=\"")? + "<html lang=\"".len();
    body[i..].split('"').next()
}

#[test]
fn a_form_without_its_csrf_token_is_refused() {
    let app = TestApp::spawn();
    let mut b = Browser::new(&app, "ru");
    let (status, page) = b.get("/login");
    assert_eq!(status, 200);
    let csrf = b.csrf();
    assert!(page.contains(&format!("name=\"csrf\" value=\"{csrf}\"")));

    // The sign-in form without the token, with another token, with none in the cookie.
    for form in [
        vec![("login", "aigerim"), ("password", "aigerim-demo")],
        vec![
            ("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            ("login", "aigerim"),
            ("password", "aigerim-demo"),
        ],
    ] {
        let r = b.post("/login", &form);
        assert_eq!(r.status(), 403);
        assert!(r.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/html"));
        let body = r.text().expect("body");
        assert!(body.contains("data-code=\"CSRF_REJECTED\""), "{body}");
        assert!(!b.cookies.contains_key("ruqsat_session"), "no session made");
    }
    let mut fresh = Browser::new(&app, "ru");
    let r = fresh.post(
        "/login",
        &[
            ("csrf", &csrf),
            ("login", "aigerim"),
            ("password", "aigerim-demo"),
        ],
    );
    assert_eq!(r.status(), 403, "a token without its cookie is refused");

    // With the token: signed in; the other forms need it as well.
    b.sign_in("aigerim");
    let r = b.post("/lang", &[("lang", "kk"), ("back", "/requests")]);
    assert_eq!(r.status(), 403);
    let r = b.post("/logout", &[]);
    assert_eq!(r.status(), 403);
    let (status, _) = b.get("/requests");
    assert_eq!(status, 200, "still signed in after the refused sign-out");
    let r = b.post("/logout", &[("csrf", &csrf)]);
    assert_eq!(r.status(), 303);
    let (status, _) = b.get("/requests");
    assert_eq!(status, 303, "signed out");
}

#[test]
fn an_applicant_cannot_open_another_applicants_request_page() {
    let app = TestApp::spawn();
    let aigerim = app.login("aigerim");
    let number = support_draft(&app, &aigerim);

    let mut owner = Browser::new(&app, "kk");
    owner.sign_in("aigerim");
    let (status, page) = owner.get(&format!("/requests/{number}"));
    assert_eq!(status, 200);
    assert!(page.contains(&number));
    assert!(page.contains("data-state=\"draft\""));

    let mut other = Browser::new(&app, "kk");
    other.sign_in("daulet");
    let (status, page) = other.get(&format!("/requests/{number}"));
    assert_eq!(status, 404, "{page}");
    assert!(page.contains("data-code=\"REQUEST_NOT_FOUND\""), "{page}");
    assert!(
        page.contains("Өтінім табылмады"),
        "the message in the user's language"
    );
    assert!(!page.contains("Нұрланова"), "nothing of the owner shown");
    let (_, list) = other.get("/requests");
    assert!(!list.contains(&number));
}

#[test]
fn every_page_renders_in_all_three_languages() {
    let app = TestApp::spawn();
    let aigerim = app.login("aigerim");
    let number = support_draft(&app, &aigerim);
    let services: Vec<String> = app.app.catalog.services().map(|s| s.code.clone()).collect();
    for lang in ["kk", "ru", "en"] {
        let mut b = Browser::new(&app, lang);
        let mut pages = vec![
            "/login".to_string(),
            "/services".to_string(),
            "/no-such-page".to_string(),
        ];
        pages.extend(services.iter().map(|s| format!("/services/{s}")));
        for p in &pages {
            let (status, body) = b.get(p);
            let expected = if p == "/no-such-page" { 404 } else { 200 };
            assert_eq!(status, expected, "{p} in {lang}");
            assert_eq!(html_lang(&body), Some(lang), "{p}");
        }
        b.sign_in("aigerim");
        for p in ["/requests".to_string(), format!("/requests/{number}")] {
            let (status, body) = b.get(&p);
            assert_eq!(status, 200, "{p} in {lang}");
            assert_eq!(html_lang(&body), Some(lang), "{p}");
        }
    }
}

#[test]
fn the_three_languages_have_the_same_message_keys_and_templates_use_only_those() {
    let app = TestApp::spawn();
    let m = &app.app.pages.messages;
    let ru = m.keys(Lang::Ru);
    assert!(ru.len() > 100, "{} keys", ru.len());
    for lang in [Lang::Kk, Lang::En] {
        let other = m.keys(lang);
        let missing: Vec<_> = ru.symmetric_difference(other).collect();
        assert!(missing.is_empty(), "{lang:?}: {missing:?}");
    }
    // Every literal key a template asks for exists.
    let pages = &app.app.pages;
    let mut used = 0;
    for name in pages.template_names() {
        let src = pages.template_source(&name).expect("source");
        for part in src.split("t(\"").skip(1) {
            let key = part.split('"').next().expect("key");
            // `t("state-" ~ s)`: a key made from data, checked below.
            if part[key.len() + 1..].trim_start().starts_with('~') {
                continue;
            }
            used += 1;
            assert!(
                ru.contains(key),
                "{name} uses `{key}`, which no message file has"
            );
        }
    }
    assert!(used > 50, "{used} keys used");
    // Keys made from data: roles, states, terms, applicant kinds.
    for r in ruqsat::domain::roles::Role::ALL {
        assert!(ru.contains(&format!("role-{}", r.as_str())), "{r}");
    }
    for s in ruqsat::domain::lifecycle::State::ALL {
        assert!(ru.contains(&format!("state-{}", s.as_str())), "{s:?}");
    }
    for unit in ["same_day", "working_days", "calendar_days", "working_hours"] {
        assert!(ru.contains(&format!("deadline-{unit}")), "{unit}");
    }
}
