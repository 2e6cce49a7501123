//! Document templates: the wording of each document kind (titles, field labels,
//! list heading, footer) in Kazakh and Russian, kept as data in
//! `templates/documents/<kind>.toml` and shared wording in `_common.toml`.
//! Loaded and validated once; layout code (`render.rs`) never holds wording.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use include_dir::{include_dir, Dir};
use serde::Deserialize;

use super::PdfError;

/// The template files, compiled into the binary.
pub static TEMPLATE_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates/documents");

/// Every document kind Ruqsat issues. Each must have a template; a
/// template for another kind is allowed (adding a kind is a data change).
pub const KINDS: &[&str] = &[
    "licence",
    "licence_appendix",
    "licence_reissued",
    "licence_duplicate",
    "refusal",
    "support_decision",
    "support_refusal",
    "phc_attachment",
    "appointment_ticket",
    "home_call_confirmation",
    "payment_receipt",
    "intake_receipt",
];

/// A text in both languages. Kazakh (the state language) is printed first.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    pub kk: String,
    pub ru: String,
}

/// One labelled field of a document, printed in template order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Key in [`super::DocumentData::fields`], e.g. `holder_name`.
    pub key: String,
    pub kk: String,
    pub ru: String,
    /// An optional field may be absent (its row is then not printed).
    #[serde(default)]
    pub optional: bool,
}

/// The numbered list of a document (refusal reasons, documents received).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemsSpec {
    pub kk: String,
    pub ru: String,
    /// At least one item must be given.
    #[serde(default)]
    pub required: bool,
}

/// The wording of one document kind.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub kind: String,
    /// Requirement / gap IDs of the regulations digest this document serves.
    pub requirements: Vec<String>,
    pub title: Bilingual,
    /// A smaller line under the title, e.g. "переоформленная".
    #[serde(default)]
    pub subtitle: Option<Bilingual>,
    /// A large stamp under the title, e.g. ТЕЛНҰСҚА / ДУБЛИКАТ.
    #[serde(default)]
    pub mark: Option<Bilingual>,
    pub fields: Vec<FieldSpec>,
    #[serde(default)]
    pub items: Option<ItemsSpec>,
    #[serde(default)]
    pub footer: Option<Bilingual>,
}

/// Wording shared by all kinds (`_common.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommonText {
    pub header: Bilingual,
    pub legal: Bilingual,
    pub document_id: Bilingual,
    pub verify_url: Bilingual,
    pub issued_at: Bilingual,
    pub signed_note: Bilingual,
    pub page: Bilingual,
}

/// All templates, by kind, plus the shared wording.
#[derive(Debug, Clone)]
pub struct Templates {
    pub common: CommonText,
    pub kinds: BTreeMap<String, Template>,
}

impl Templates {
    /// The template of `kind`, or [`PdfError::UnknownKind`].
    pub fn get(&self, kind: &str) -> Result<&Template, PdfError> {
        self.kinds
            .get(kind)
            .ok_or_else(|| PdfError::UnknownKind(kind.to_string()))
    }
}

fn template_error(file: &str, msg: impl std::fmt::Display) -> PdfError {
    PdfError::Template(format!("{file}: {msg}"))
}

fn check_bilingual(file: &str, what: &str, b: &Bilingual) -> Result<(), PdfError> {
    if b.kk.trim().is_empty() {
        return Err(template_error(file, format!("{what}: empty kk text")));
    }
    if b.ru.trim().is_empty() {
        return Err(template_error(file, format!("{what}: empty ru text")));
    }
    Ok(())
}

fn is_requirement_id(s: &str) -> bool {
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
    match s.split('-').collect::<Vec<_>>().as_slice() {
        ["R", seed, nn] => digits(seed, 3) && digits(nn, 2),
        ["G" | "A", nn] => digits(nn, 2),
        _ => false,
    }
}

fn is_field_key(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Template {
    /// Parses and validates one template. `stem` is the file name without
    /// `.toml`; it must equal `kind`.
    pub fn parse(stem: &str, text: &str) -> Result<Self, PdfError> {
        let file = format!("{stem}.toml");
        let t: Template = toml::from_str(text).map_err(|e| template_error(&file, e))?;
        t.validate(stem)?;
        Ok(t)
    }

    fn validate(&self, stem: &str) -> Result<(), PdfError> {
        let file = format!("{stem}.toml");
        if self.kind != stem {
            return Err(template_error(
                &file,
                format!("kind {:?} differs from the file name", self.kind),
            ));
        }
        if !is_field_key(&self.kind) {
            return Err(template_error(&file, "kind must be snake_case ASCII"));
        }
        if self.requirements.is_empty() {
            return Err(template_error(&file, "requirements: cite at least one ID"));
        }
        if let Some(bad) = self.requirements.iter().find(|r| !is_requirement_id(r)) {
            return Err(template_error(
                &file,
                format!("requirements: {bad:?} is not an ID like R-003-05 or G-26"),
            ));
        }
        check_bilingual(&file, "title", &self.title)?;
        for (what, b) in [
            ("subtitle", &self.subtitle),
            ("mark", &self.mark),
            ("footer", &self.footer),
        ] {
            if let Some(b) = b {
                check_bilingual(&file, what, b)?;
            }
        }
        if let Some(items) = &self.items {
            check_bilingual(
                &file,
                "items",
                &Bilingual {
                    kk: items.kk.clone(),
                    ru: items.ru.clone(),
                },
            )?;
        }
        if self.fields.is_empty() {
            return Err(template_error(&file, "no fields"));
        }
        let mut seen = BTreeSet::new();
        for f in &self.fields {
            if !is_field_key(&f.key) {
                return Err(template_error(
                    &file,
                    format!("field key {:?} must be snake_case ASCII", f.key),
                ));
            }
            if !seen.insert(f.key.as_str()) {
                return Err(template_error(
                    &file,
                    format!("field {:?} appears twice", f.key),
                ));
            }
            check_bilingual(
                &file,
                &format!("field {}", f.key),
                &Bilingual {
                    kk: f.kk.clone(),
                    ru: f.ru.clone(),
                },
            )?;
        }
        Ok(())
    }

    /// Every text of the template (for the font coverage check).
    pub fn texts(&self) -> Vec<&str> {
        let mut out = vec![self.title.kk.as_str(), self.title.ru.as_str()];
        for b in [&self.subtitle, &self.mark, &self.footer]
            .into_iter()
            .flatten()
        {
            out.push(&b.kk);
            out.push(&b.ru);
        }
        if let Some(i) = &self.items {
            out.push(&i.kk);
            out.push(&i.ru);
        }
        for f in &self.fields {
            out.push(&f.kk);
            out.push(&f.ru);
        }
        out
    }
}

impl CommonText {
    pub fn parse(text: &str) -> Result<Self, PdfError> {
        let file = "_common.toml";
        let c: CommonText = toml::from_str(text).map_err(|e| template_error(file, e))?;
        for (what, b) in c.all() {
            check_bilingual(file, what, b)?;
        }
        Ok(c)
    }

    fn all(&self) -> [(&'static str, &Bilingual); 7] {
        [
            ("header", &self.header),
            ("legal", &self.legal),
            ("document_id", &self.document_id),
            ("verify_url", &self.verify_url),
            ("issued_at", &self.issued_at),
            ("signed_note", &self.signed_note),
            ("page", &self.page),
        ]
    }

    pub fn texts(&self) -> Vec<&str> {
        self.all()
            .into_iter()
            .flat_map(|(_, b)| [b.kk.as_str(), b.ru.as_str()])
            .collect()
    }
}

impl Templates {
    /// Loads `_common.toml` and every `<kind>.toml` from `files` (name, text).
    /// Checks that all of [`KINDS`] are present and that the fonts cover
    /// every character of the wording.
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, PdfError> {
        let mut common = None;
        let mut kinds = BTreeMap::new();
        for (name, text) in files {
            let Some(stem) = name.strip_suffix(".toml") else {
                continue;
            };
            if stem == "_common" {
                common = Some(CommonText::parse(text)?);
            } else if stem.starts_with('_') {
                return Err(template_error(name, "unknown shared wording file"));
            } else {
                let t = Template::parse(stem, text)?;
                kinds.insert(t.kind.clone(), t);
            }
        }
        let common =
            common.ok_or_else(|| PdfError::Template("_common.toml is missing".to_string()))?;
        for k in KINDS {
            if !kinds.contains_key(*k) {
                return Err(PdfError::Template(format!("{k}.toml is missing")));
            }
        }
        let all = Templates { common, kinds };
        all.check_fonts()?;
        Ok(all)
    }

    fn check_fonts(&self) -> Result<(), PdfError> {
        let texts = self
            .common
            .texts()
            .into_iter()
            .map(|t| ("_common".to_string(), t))
            .chain(self.kinds.values().flat_map(|t| {
                t.texts()
                    .into_iter()
                    .map(move |s| (format!("{}.toml", t.kind), s))
            }));
        for (file, text) in texts {
            if let Some(c) = super::fonts::first_unsupported(text) {
                return Err(template_error(
                    &file,
                    format!("character {c:?} (U+{:04X}) is not in the font", c as u32),
                ));
            }
        }
        Ok(())
    }
}

static TEMPLATES: OnceLock<Result<Templates, PdfError>> = OnceLock::new();

/// The compiled-in templates, loaded and validated on first use.
pub fn templates() -> Result<&'static Templates, PdfError> {
    TEMPLATES
        .get_or_init(|| {
            let files = TEMPLATE_DIR.files().filter_map(|f| {
                let name = f.path().file_name()?.to_str()?;
                Some((name, f.contents_utf8()?))
            });
            Templates::from_files(files)
        })
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
kind = "licence"
requirements = ["R-003-05", "G-26"]
[title]
kk = "Лицензия"
ru = "Лицензия"
[[fields]]
key = "holder_name"
kk = "Лицензиат"
ru = "Лицензиат"
"#;

    fn err(stem: &str, text: &str) -> String {
        Template::parse(stem, text)
            .expect_err("template must be refused")
            .to_string()
    }

    #[test]
    fn compiled_templates_are_valid_and_complete() {
        let t = templates().expect("templates");
        for k in KINDS {
            assert!(t.get(k).is_ok(), "{k}");
        }
        assert!(t.get("licence_duplicate").expect("dup").mark.is_some());
        assert!(
            t.get("refusal")
                .expect("refusal")
                .items
                .as_ref()
                .expect("items")
                .required
        );
        assert!(t.get("intake_receipt").expect("intake").items.is_some());
    }

    #[test]
    fn minimal_template_parses() {
        let t = Template::parse("licence", MINIMAL).expect("parse");
        assert_eq!(t.fields.len(), 1);
        assert!(!t.fields[0].optional);
    }

    #[test]
    fn kind_must_match_file_name() {
        assert!(err("refusal", MINIMAL).contains("differs from the file name"));
    }

    #[test]
    fn unknown_key_is_refused() {
        let text = format!("{MINIMAL}\ncolour = \"red\"\n");
        assert!(err("licence", &text).contains("unknown field"));
    }

    #[test]
    fn duplicate_field_is_refused() {
        let text =
            format!("{MINIMAL}\n[[fields]]\nkey = \"holder_name\"\nkk = \"a\"\nru = \"b\"\n");
        assert!(err("licence", &text).contains("appears twice"));
    }

    #[test]
    fn empty_label_is_refused() {
        let text = MINIMAL.replace("ru = \"Лицензиат\"", "ru = \" \"");
        assert!(err("licence", &text).contains("field holder_name: empty ru text"));
    }

    #[test]
    fn bad_requirement_id_is_refused() {
        let text = MINIMAL.replace("\"G-26\"", "\"R-3-5\"");
        assert!(err("licence", &text).contains("R-3-5"));
    }

    #[test]
    fn bad_field_key_is_refused() {
        let text = MINIMAL.replace("holder_name", "Holder Name");
        assert!(err("licence", &text).contains("snake_case"));
    }

    #[test]
    fn missing_kind_and_missing_common_are_refused() {
        let common = TEMPLATE_DIR
            .get_file("_common.toml")
            .and_then(|f| f.contents_utf8())
            .expect("common");
        let e = Templates::from_files([("_common.toml", common), ("licence.toml", MINIMAL)])
            .expect_err("incomplete set");
        assert!(
            e.to_string().contains("licence_appendix.toml is missing"),
            "{e}"
        );
        let e = Templates::from_files([("licence.toml", MINIMAL)]).expect_err("no common");
        assert!(e.to_string().contains("_common.toml is missing"), "{e}");
    }

    #[test]
    fn wording_outside_the_font_is_refused() {
        let mut files: Vec<(String, String)> = TEMPLATE_DIR
            .files()
            .filter_map(|f| {
                Some((
                    f.path().file_name()?.to_str()?.to_string(),
                    f.contents_utf8()?.to_string(),
                ))
            })
            .collect();
        for (name, text) in &mut files {
            if name == "licence.toml" {
                *text = text.replace("Номер лицензии", "Номер лицензии \u{6F22}");
            }
        }
        let e = Templates::from_files(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .expect_err("emoji");
        assert!(e.to_string().contains("U+6F22"), "{e}");
    }
}
