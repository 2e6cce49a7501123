//! Page messages in Kazakh, Russian and English: Fluent files under
//! `templates/pages/i18n/{kk,ru,en}/*.ftl`, one bundle per language. Every language must
//! define exactly the same keys (checked at start, so a missing translation stops the
//! start with the file named, never shows a raw key to a user).
//!
//! The names of the request states (`state-<code>`) are not in the files: they are the
//! lifecycle's own ([`State::labels`]), the names the notifications, e-mails and PDFs use,
//! so a state is called the same everywhere.

use crate::domain::lifecycle::State;
use crate::error::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::BTreeSet;

/// One language's messages.
struct Bundle {
    bundle: FluentBundle<FluentResource>,
    keys: BTreeSet<String>,
}

/// The page messages of the three languages.
pub struct Messages {
    ru: Bundle,
    kk: Bundle,
    en: Bundle,
}

/// Where the state names come from, as errors name it.
const STATE_NAMES: &str = "domain::lifecycle::State::labels";

/// The `state-<code>` messages of `lang` from the lifecycle's labels, as Fluent text.
fn state_names(lang: Lang) -> String {
    State::ALL
        .iter()
        .map(|s| {
            let (ru, kk, en) = s.labels();
            format!("state-{} = {}\n", s.as_str(), lang.pick(ru, kk, en))
        })
        .collect()
}

/// An argument of a message: text or a number (numbers choose the plural form).
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(f64),
}

impl Messages {
    /// Builds the bundles from `(file shown in errors, language, text)`; every problem is
    /// returned as `(file, message)`.
    pub fn load(files: &[(String, Lang, String)]) -> Result<Messages, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut build = |lang: Lang| {
            let id: unic_langid::LanguageIdentifier = lang.as_str().parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // No Unicode isolation marks around arguments: pages are left-to-right.
            bundle.set_use_isolating(false);
            let mut keys = BTreeSet::new();
            let generated = (STATE_NAMES.to_string(), lang, state_names(lang));
            let own = files.iter().filter(|(_, l, _)| *l == lang);
            for (file, _, text) in own.chain(std::iter::once(&generated)) {
                let res = match FluentResource::try_new(text.clone()) {
                    Ok(r) => r,
                    Err((_, errs)) => {
                        for e in errs {
                            let line = text[..e.pos.start.min(text.len())].lines().count();
                            errors.push((file.clone(), format!("line {line}: {e}")));
                        }
                        continue;
                    }
                };
                for entry in res.entries() {
                    if let fluent_syntax::ast::Entry::Message(m) = entry {
                        if !keys.insert(m.id.name.to_string()) {
                            errors.push((
                                file.clone(),
                                format!("message `{}` defined twice", m.id.name),
                            ));
                        }
                    }
                }
                if let Err(errs) = bundle.add_resource(res) {
                    for e in errs {
                        errors.push((file.clone(), e.to_string()));
                    }
                }
            }
            Bundle { bundle, keys }
        };
        let (ru, kk, en) = (build(Lang::Ru), build(Lang::Kk), build(Lang::En));
        let messages = Messages { ru, kk, en };
        for lang in [Lang::Kk, Lang::En] {
            let missing: Vec<&String> = messages
                .bundle(Lang::Ru)
                .keys
                .symmetric_difference(&messages.bundle(lang).keys)
                .collect();
            if !missing.is_empty() {
                errors.push((
                    format!("templates/pages/i18n/{}", lang.as_str()),
                    format!(
                        "keys differ from the Russian messages: {}",
                        missing
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(messages)
        } else {
            Err(errors)
        }
    }

    fn bundle(&self, lang: Lang) -> &Bundle {
        lang.pick(&self.ru, &self.kk, &self.en)
    }

    /// The message keys of `lang`.
    pub fn keys(&self, lang: Lang) -> &BTreeSet<String> {
        &self.bundle(lang).keys
    }

    /// Message `key` in `lang` with its arguments; `None` for an unknown key.
    pub fn get(&self, lang: Lang, key: &str, args: &[(&str, Arg)]) -> Option<String> {
        let b = &self.bundle(lang).bundle;
        let pattern = b.get_message(key)?.value()?;
        let mut fargs = FluentArgs::new();
        for (name, v) in args {
            match v {
                Arg::Text(s) => fargs.set(*name, FluentValue::from(s.clone())),
                Arg::Number(n) => fargs.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errs = Vec::new();
        let out = b.format_pattern(pattern, Some(&fargs), &mut errs);
        if !errs.is_empty() {
            tracing::warn!(key, lang = lang.as_str(), errors = ?errs, "page message formatting");
        }
        Some(out.into_owned())
    }
}
