//! A browser-like HTTP client for the page tests: keeps the cookies (session, CSRF) by hand,
//! sends the language a browser asks for, and does not follow redirects.

use super::TestApp;
use reqwest::blocking::{multipart, Client, Response};
use reqwest::redirect::Policy;

/// A page's HTML with the escapes of the template engine in attributes undone (`/` is
/// written `&#x2f;`, `&` as `&amp;`), to look for a link or a form's action.
pub fn unescaped(page: &str) -> String {
    page.replace("&#x2f;", "/").replace("&amp;", "&")
}

/// A browser-like client that keeps cookies by hand and does not follow redirects.
pub struct Browser<'a> {
    app: &'a TestApp,
    client: Client,
    pub cookies: std::collections::BTreeMap<String, String>,
    lang: &'static str,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp, lang: &'static str) -> Self {
        Browser {
            app,
            client: Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            cookies: Default::default(),
            lang,
        }
    }

    fn keep(&mut self, r: &Response) {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().expect("cookie");
            let pair = v.split(';').next().expect("pair");
            let (k, val) = pair.split_once('=').expect("k=v");
            if val.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn get(&mut self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(self.app.url(path))
            .header("Accept-Language", self.lang)
            .header("Cookie", self.cookie_header())
            .send()
            .expect("GET");
        self.keep(&r);
        (r.status().as_u16(), r.text().expect("body"))
    }

    /// Posts a form as a browser of this site would (same Origin).
    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Response {
        let r = self
            .client
            .post(self.app.url(path))
            .header("Accept-Language", self.lang)
            .header("Origin", self.app.base.clone())
            .header("Cookie", self.cookie_header())
            .form(form)
            .send()
            .expect("POST");
        self.keep(&r);
        r
    }

    pub fn csrf(&self) -> String {
        self.cookies
            .get("ruqsat_csrf")
            .cloned()
            .expect("csrf cookie")
    }

    pub fn sign_in(&mut self, login: &str) {
        self.get("/login");
        let csrf = self.csrf();
        let password = format!("{login}-demo");
        let r = self.post(
            "/login",
            &[("csrf", &csrf), ("login", login), ("password", &password)],
        );
        assert_eq!(r.status(), 303, "sign in as {login}");
        assert!(self.cookies.contains_key("ruqsat_session"));
    }

    /// A GET with the whole answer (headers and bytes), e.g. of a file to download.
    pub fn fetch(&mut self, path: &str) -> Response {
        let r = self
            .client
            .get(self.app.url(path))
            .header("Accept-Language", self.lang)
            .header("Cookie", self.cookie_header())
            .send()
            .expect("GET");
        self.keep(&r);
        r
    }

    /// Posts a `multipart/form-data` form (an upload) as a page of this site would.
    pub fn post_multipart(&mut self, path: &str, form: multipart::Form) -> Response {
        let r = self
            .client
            .post(self.app.url(path))
            .header("Accept-Language", self.lang)
            .header("Origin", self.app.base.clone())
            .header("Cookie", self.cookie_header())
            .multipart(form)
            .send()
            .expect("POST");
        self.keep(&r);
        r
    }
}
