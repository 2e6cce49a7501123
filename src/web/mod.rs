//! Web pages, independent of HTTP: Jinja templates (`templates/pages/*.html`, compiled at
//! start), messages in three languages ([`i18n`]) and static assets
//! (`templates/pages/static/`). `templates_dir` overrides any of them file by file, like the
//! document and mail templates. Handlers are in `crate::http::portal`.
//!
//! Inside a template:
//! - `t("key", name=value…)`: the message in the page's language (`lang` of the context);
//! - `x|tr`: a catalog text `{ru, kk, en}` in the page's language;
//! - `x|when`: an RFC 3339 instant as `dd.mm.yyyy HH:MM` in Kazakhstan time (UTC+5);
//! - `x|day`: a date or instant as `dd.mm.yyyy`;
//! - `x|money`: tenge, `43 250,00 ₸`;
//! - `error_message(code)`: an API error code's message in the page's language.

pub mod chart;
pub mod csv;
pub mod i18n;

use crate::error::{ErrorCode, Lang};
use i18n::{Arg, Messages};
use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A static file of the pages (CSS, scripts, vendored libraries, images).
pub struct Asset {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// Short content hash: the `?v=` of links and the `ETag`.
    pub version: String,
}

/// The compiled page templates, messages and assets.
pub struct Pages {
    env: Environment<'static>,
    pub messages: Arc<Messages>,
    assets: BTreeMap<String, Asset>,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("assets", &self.assets.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn lang_of(state: &State) -> Lang {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().map(Lang::from_tag))
        .unwrap_or(Lang::Ru)
}

/// An instant as pages show it: `dd.mm.yyyy HH:MM` in Kazakhstan time (UTC+5).
pub fn local_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Almaty)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

fn almaty(v: &Value) -> Option<chrono::DateTime<chrono_tz::Tz>> {
    let s = v.as_str()?;
    let t = chrono::DateTime::parse_from_rfc3339(s).ok()?;
    Some(t.with_timezone(&chrono_tz::Asia::Almaty))
}

/// `43250.00` as `43 250,00 ₸` (a thin no-break space between thousands).
pub fn money(amount: &str) -> String {
    let (int, frac) = amount.split_once('.').unwrap_or((amount, "00"));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{frac:0<2} ₸")
}

impl Pages {
    /// Compiles `templates` (`(name, file shown in errors, text)`, names relative to
    /// `pages/`) with `messages` and `assets` (`(path under static/, bytes)`). Every
    /// problem is returned as `(file, message)`.
    pub fn load(
        templates: Vec<(String, String, String)>,
        messages: Messages,
        assets: Vec<(String, Vec<u8>)>,
    ) -> Result<Pages, Vec<(String, String)>> {
        let messages = Arc::new(messages);
        let mut env = Environment::new();
        let mut errors = Vec::new();
        for (name, file, text) in templates {
            if let Err(e) = env.add_template_owned(name, text) {
                let line = e.line().map(|l| format!("line {l}: ")).unwrap_or_default();
                errors.push((file, format!("{line}{}", e.detail().unwrap_or("syntax"))));
            }
        }
        let m = messages.clone();
        env.add_function(
            "t",
            move |state: &State, key: &str, kwargs: Kwargs| -> Result<String, Error> {
                let mut args = Vec::new();
                for name in kwargs.args() {
                    let v: Value = kwargs.get(name)?;
                    let arg = match v.kind() {
                        ValueKind::Number => Arg::Number(f64::try_from(v).unwrap_or(0.0)),
                        _ => Arg::Text(v.to_string()),
                    };
                    args.push((name, arg));
                }
                m.get(lang_of(state), key, &args).ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidOperation,
                        format!("no page message `{key}`"),
                    )
                })
            },
        );
        env.add_function("error_message", |state: &State, code: &str| -> String {
            ErrorCode::parse(code)
                .unwrap_or(ErrorCode::Internal)
                .message(lang_of(state))
                .to_string()
        });
        env.add_filter("tr", |state: &State, v: Value| -> Result<Value, Error> {
            if v.is_undefined() || v.is_none() {
                return Ok(Value::from(""));
            }
            v.get_attr(lang_of(state).as_str())
        });
        env.add_filter("when", |v: Value| -> String {
            almaty(&v)
                .map(|t| local_time(t.with_timezone(&chrono::Utc)))
                .unwrap_or_default()
        });
        env.add_filter("day", |v: Value| -> String {
            if let Some(t) = almaty(&v) {
                return t.format("%d.%m.%Y").to_string();
            }
            v.as_str()
                .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .map(|d| d.format("%d.%m.%Y").to_string())
                .unwrap_or_default()
        });
        env.add_filter("money", |v: Value| -> String { money(&v.to_string()) });
        let assets = assets
            .into_iter()
            .map(|(path, bytes)| {
                use sha2::Digest;
                let version = hex::encode(&sha2::Sha256::digest(&bytes)[..6]);
                let content_type = content_type(&path);
                (
                    path,
                    Asset {
                        bytes,
                        content_type,
                        version,
                    },
                )
            })
            .collect::<BTreeMap<_, _>>();
        let versions: BTreeMap<String, String> = assets
            .iter()
            .map(|(p, a)| (p.clone(), a.version.clone()))
            .collect();
        // `asset("portal.css")` is the asset's URL with its content version, so browsers may
        // cache it for long and still see a new version at once.
        env.add_function("asset", move |path: &str| -> Result<String, Error> {
            versions
                .get(path)
                .map(|v| format!("/static/{path}?v={v}"))
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidOperation,
                        format!("no static asset `{path}`"),
                    )
                })
        });
        if errors.is_empty() {
            Ok(Pages {
                env,
                messages,
                assets,
            })
        } else {
            Err(errors)
        }
    }

    /// Renders template `name` with `ctx` (which should hold `lang`).
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, Error> {
        self.env.get_template(name)?.render(ctx)
    }

    /// Names of the compiled templates.
    pub fn template_names(&self) -> Vec<String> {
        self.env.templates().map(|(n, _)| n.to_string()).collect()
    }

    /// The source of template `name`.
    pub fn template_source(&self, name: &str) -> Option<String> {
        self.env
            .get_template(name)
            .ok()
            .map(|t| t.source().to_string())
    }

    /// A static asset by its path under `static/`.
    pub fn asset(&self, path: &str) -> Option<&Asset> {
        self.assets.get(path)
    }

    /// A message in `lang` (the key's own text when it is missing).
    pub fn t(&self, lang: Lang, key: &str) -> String {
        self.messages
            .get(lang, key, &[])
            .unwrap_or_else(|| key.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenge_are_grouped_by_thousands() {
        assert_eq!(money("43250.00"), "43\u{202f}250,00 ₸");
        assert_eq!(money("500"), "500,00 ₸");
        assert_eq!(money("1234567.5"), "1\u{202f}234\u{202f}567,50 ₸");
    }
}
