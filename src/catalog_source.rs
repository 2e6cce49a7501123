//! The data Ruqsat reads at start: the service catalog, fee table and working calendar
//! (`catalog/`) and the document, mail and page wording (`templates/`).
//!
//! Both are compiled in. The `catalog_dir` and `templates_dir` settings name directories
//! that override them **file by file**: a file there replaces the compiled-in file of the
//! same relative path (`fees.toml`, `calendar/kz.toml`, `documents/licence.toml`), a new
//! file is added (`services/new-service.toml`), and everything else stays compiled in.
//! So next year's МРП, a decreed transfer of days off or a corrected wording needs no
//! Rust toolchain (see `docs/yearly-data.md`).
//!
//! Everything is validated before use; every problem is reported, each naming the file,
//! the line (when it can be found) and the field. The same loader backs the server's
//! start and `ruqsat catalog check DIR`. Fonts and `catalog/demo/` stay compiled in.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use include_dir::Dir;
use serde::Deserialize;

use crate::domain::calendar::{CalendarError, WorkingCalendar};
use crate::domain::catalog::{Catalog, Service, Workflow};
use crate::domain::datafile::{self, DataIssue};
use crate::domain::money::{FeeError, FeeTable, Money};
use crate::domain::yearly::{yearly_data, Presence};
use crate::pdf::template::{CommonText, Template, Templates, TEMPLATE_DIR};
use crate::pdf::PdfError;

/// The web pages: templates, messages, static assets ([`crate::web`]).
pub static PAGES_DIR: Dir<'_> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/templates/pages");

/// A problem in one file: `file:line: field: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// The file as the operator knows it: `catalog/fees.toml` (compiled in) or the path
    /// in the override directory.
    pub file: String,
    pub line: Option<usize>,
    /// Dotted field, e.g. `mrp.2027.tenge`; empty when the problem is the whole file.
    pub field: String,
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl SourceError {
    fn whole(file: &str, message: impl Into<String>) -> Self {
        SourceError {
            file: file.to_string(),
            line: None,
            field: String::new(),
            message: message.into(),
        }
    }

    fn issue(file: &str, i: DataIssue) -> Self {
        SourceError {
            file: file.to_string(),
            line: i.line,
            field: i.field,
            message: i.message,
        }
    }

    /// A problem found after parsing, whose message names a value (in `…`, "…" or '…'):
    /// the line is the first one holding that value.
    fn found_in(file: &str, text: Option<&str>, message: &str) -> Self {
        let line = text.and_then(|t| {
            quoted_values(message)
                .iter()
                .rev()
                .find_map(|(v, is_char)| {
                    if *is_char {
                        t.lines()
                            .position(|l| l.contains(v.as_str()))
                            .map(|i| i + 1)
                    } else {
                        datafile::line_of_value(t, v)
                    }
                })
                .map(|l| (l, datafile::field_at(t, datafile::offset_of_line(t, l))))
        });
        SourceError {
            file: file.to_string(),
            line: line.as_ref().map(|l| l.0),
            field: line.map(|l| l.1).unwrap_or_default(),
            message: message.to_string(),
        }
    }
}

/// Values quoted in a message: `…` and "…" (false) and a character '…' (true).
fn quoted_values(message: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = message;
    while let Some(i) = rest.find(['`', '"', '\'']) {
        let q = rest[i..].chars().next().unwrap_or('`');
        let after = &rest[i + 1..];
        match after.find(q) {
            Some(j) => {
                let v = &after[..j];
                if q != '\'' || v.chars().count() == 1 {
                    out.push((v.to_string(), q == '\''));
                }
                rest = &after[j + 1..];
            }
            None => break,
        }
    }
    out
}

/// Every problem found, one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceErrors(pub Vec<SourceError>);

impl fmt::Display for SourceErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "catalog and templates: {n} problem{}",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SourceErrors {}

/// One file of a layer.
struct SourceFile {
    display: String,
    bytes: Cow<'static, [u8]>,
    from_dir: bool,
    replaces_embedded: bool,
}

/// The compiled-in files of one tree with a directory's files laid over them.
struct Layer {
    files: BTreeMap<String, SourceFile>,
    read: RefCell<BTreeSet<String>>,
}

impl Layer {
    /// `label` names compiled-in files (`catalog` → `catalog/fees.toml`).
    fn new(
        label: &str,
        embedded: Vec<(String, &'static [u8])>,
        dir: Option<&Path>,
        errors: &mut Vec<SourceError>,
    ) -> Layer {
        let mut files: BTreeMap<String, SourceFile> = embedded
            .into_iter()
            .map(|(rel, bytes)| {
                let f = SourceFile {
                    display: format!("{label}/{rel}"),
                    bytes: Cow::Borrowed(bytes),
                    from_dir: false,
                    replaces_embedded: false,
                };
                (rel, f)
            })
            .collect();
        if let Some(dir) = dir {
            let mut found = Vec::new();
            walk(dir, dir, 0, &mut found, errors);
            for (rel, path) in found {
                let display = path.display().to_string();
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        let replaces_embedded = files.contains_key(&rel);
                        files.insert(
                            rel,
                            SourceFile {
                                display,
                                bytes: Cow::Owned(bytes),
                                from_dir: true,
                                replaces_embedded,
                            },
                        );
                    }
                    Err(e) => errors.push(SourceError::whole(&display, e.to_string())),
                }
            }
        }
        Layer {
            files,
            read: RefCell::new(BTreeSet::new()),
        }
    }

    /// The text of `rel`; a file that is not UTF-8 is reported and skipped.
    fn text(&self, rel: &str, errors: &mut Vec<SourceError>) -> Option<(&str, &str)> {
        let f = self.files.get(rel)?;
        self.read.borrow_mut().insert(rel.to_string());
        match std::str::from_utf8(&f.bytes) {
            Ok(t) => Some((f.display.as_str(), t)),
            Err(e) => {
                errors.push(SourceError::whole(
                    &f.display,
                    format!("not UTF-8 text: {e}"),
                ));
                None
            }
        }
    }

    /// Files directly in folder `dir` (`services`) whose name ends in `.ext`.
    fn list(&self, dir: &str, ext: &str) -> Vec<String> {
        let prefix = format!("{dir}/");
        self.files
            .keys()
            .filter(|k| {
                k.strip_prefix(&prefix)
                    .is_some_and(|n| !n.contains('/') && n.ends_with(&format!(".{ext}")))
            })
            .cloned()
            .collect()
    }

    /// Every file under folder `dir` (`pages/static`), at any depth.
    fn under(&self, dir: &str) -> Vec<String> {
        let prefix = format!("{dir}/");
        self.files
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .cloned()
            .collect()
    }

    /// The bytes of `rel`, marked as read.
    fn bytes(&self, rel: &str) -> Option<(&str, &[u8])> {
        let f = self.files.get(rel)?;
        self.read.borrow_mut().insert(rel.to_string());
        Some((f.display.as_str(), &f.bytes))
    }

    /// Files taken from the directory: (shown path, replaces a compiled-in file).
    fn overridden_files(&self) -> Vec<(String, bool)> {
        self.files
            .values()
            .filter(|f| f.from_dir)
            .map(|f| (f.display.clone(), f.replaces_embedded))
            .collect()
    }

    /// Files of the directory that Ruqsat does not read.
    fn unread(&self) -> Vec<String> {
        let read = self.read.borrow();
        self.files
            .iter()
            .filter(|(rel, f)| f.from_dir && !read.contains(*rel))
            .map(|(_, f)| f.display.clone())
            .collect()
    }
}

/// Regular files under `dir` (following links, skipping hidden names), with their path
/// relative to `root` written with `/`.
fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    out: &mut Vec<(String, PathBuf)>,
    errors: &mut Vec<SourceError>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(SourceError::whole(
                &dir.display().to_string(),
                e.to_string(),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.as_deref().is_none_or(|n| n.starts_with('.')) {
            continue;
        }
        if p.is_dir() {
            if depth < 8 {
                walk(root, &p, depth + 1, out, errors);
            }
        } else if p.is_file() {
            if let Ok(rel) = p.strip_prefix(root) {
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push((rel.join("/"), p.clone()));
            }
        }
    }
}

fn embedded_files(
    dir: &'static Dir<'static>,
    prefix: &str,
    out: &mut Vec<(String, &'static [u8])>,
) {
    for f in dir.files() {
        out.push((
            format!("{prefix}{}", f.path().to_string_lossy()),
            f.contents(),
        ));
    }
    for d in dir.dirs() {
        embedded_files(d, prefix, out);
    }
}

/// The shape of `workflows.toml` (checked here first for located syntax errors).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct WorkflowsFile {
    workflows: Vec<Workflow>,
}

/// Everything loaded and validated, and where it came from.
#[derive(Debug, Clone)]
pub struct RuntimeData {
    pub catalog: Catalog,
    /// The register of clinics, doctors and schedules (`clinics.toml`).
    pub clinics: crate::domain::clinics::ClinicRegister,
    pub fees: FeeTable,
    pub calendar: WorkingCalendar,
    pub templates: Templates,
    /// Web page templates, messages and assets.
    pub pages: std::sync::Arc<crate::web::Pages>,
    pub mail: crate::mail::MailTemplates,
    pub sources: Sources,
}

/// Where the data came from.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub catalog_dir: Option<PathBuf>,
    pub templates_dir: Option<PathBuf>,
    /// Files read from the directories: (shown path, replaces a compiled-in file).
    pub from_dirs: Vec<(String, bool)>,
    /// Files in the directories that Ruqsat does not read (a misspelt name, fonts).
    pub ignored: Vec<String>,
}

/// Loads the catalog and templates: compiled in, overridden file by file by `catalog_dir`
/// and `templates_dir`. Every problem is reported.
pub fn load(
    catalog_dir: Option<&Path>,
    templates_dir: Option<&Path>,
) -> Result<RuntimeData, SourceErrors> {
    let mut errors = Vec::new();
    let mut embedded = Vec::new();
    embedded_files(&crate::app::CATALOG_DIR, "", &mut embedded);
    let catalog_layer = Layer::new("catalog", embedded, catalog_dir, &mut errors);
    let mut embedded = Vec::new();
    embedded_files(&TEMPLATE_DIR, "documents/", &mut embedded);
    embedded_files(&PAGES_DIR, "pages/", &mut embedded);
    embedded_files(&crate::mail::MAIL_DIR, "mail/", &mut embedded);
    let templates_layer = Layer::new("templates", embedded, templates_dir, &mut errors);
    if !errors.is_empty() {
        return Err(SourceErrors(errors));
    }

    // Fees and calendar.
    let fees = catalog_layer
        .text("fees.toml", &mut errors)
        .and_then(|(file, text)| match FeeTable::from_toml(text) {
            Ok(f) => Some(f),
            Err(FeeError::Data(i)) => {
                errors.push(SourceError::issue(file, i));
                None
            }
            Err(e) => {
                errors.push(SourceError::whole(file, e.to_string()));
                None
            }
        });
    let calendar = catalog_layer
        .text("calendar/kz.toml", &mut errors)
        .and_then(|(file, text)| match WorkingCalendar::from_toml(text) {
            Ok(c) => Some(c),
            Err(CalendarError::Data(i)) => {
                errors.push(SourceError::issue(file, i));
                None
            }
            Err(e) => {
                errors.push(SourceError::whole(file, e.to_string()));
                None
            }
        });

    // Catalog: each file parsed on its own first, so every syntax error is reported with
    // its line; then the whole catalog, whose checks span files.
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    let mut parsed_ok = true;
    let workflows = catalog_layer.text("workflows.toml", &mut errors);
    match workflows {
        Some((file, text)) => {
            if let Err(e) = toml::from_str::<WorkflowsFile>(text) {
                errors.push(SourceError::issue(file, DataIssue::toml(text, &e)));
                parsed_ok = false;
            }
            texts.insert(file.to_string(), text.to_string());
        }
        None => parsed_ok = false,
    }
    let mut services = Vec::new();
    let mut service_files: BTreeMap<String, (String, String)> = BTreeMap::new();
    for rel in catalog_layer.list("services", "toml") {
        let Some((file, text)) = catalog_layer.text(&rel, &mut errors) else {
            parsed_ok = false;
            continue;
        };
        match toml::from_str::<Service>(text) {
            Ok(s) => {
                service_files.insert(s.code, (file.to_string(), text.to_string()));
            }
            Err(e) => {
                errors.push(SourceError::issue(file, DataIssue::toml(text, &e)));
                parsed_ok = false;
            }
        }
        texts.insert(file.to_string(), text.to_string());
        services.push((file.to_string(), text.to_string()));
    }
    let catalog = match (&fees, workflows, parsed_ok) {
        (Some(fees), Some((wf_file, wf_text)), true) => {
            let rules: BTreeSet<String> = fees.rule_names().into_iter().collect();
            match Catalog::from_sources((wf_file, wf_text), &services, &rules) {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push(SourceError::found_in(
                        &e.file,
                        texts.get(&e.file).map(String::as_str),
                        &e.message,
                    ));
                    None
                }
            }
        }
        _ => None,
    };

    // The clinic register; its clinics become the providers of the clinic services.
    let clinics = catalog_layer
        .text("clinics.toml", &mut errors)
        .and_then(
            |(file, text)| match crate::domain::clinics::ClinicRegister::from_toml(text) {
                Ok(r) => Some(r),
                Err(issue) => {
                    errors.push(SourceError::issue(file, issue));
                    None
                }
            },
        );
    let catalog = match (catalog, &clinics) {
        (Some(mut c), Some(r)) => match c.add_clinics(r) {
            Ok(()) => Some(c),
            Err(e) => {
                errors.push(SourceError::whole(&e.file, e.message));
                None
            }
        },
        _ => None,
    };

    // Templates.
    let mut template_files: Vec<(String, String)> = Vec::new();
    let mut template_texts: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut templates_ok = true;
    for rel in templates_layer.list("documents", "toml") {
        let Some((file, text)) = templates_layer.text(&rel, &mut errors) else {
            templates_ok = false;
            continue;
        };
        let name = rel.trim_start_matches("documents/").to_string();
        let stem = name.trim_end_matches(".toml");
        let typed = if stem == "_common" {
            toml::from_str::<CommonText>(text).map(|_| ())
        } else {
            toml::from_str::<Template>(text).map(|_| ())
        };
        let checked = match typed {
            Err(e) => Err(SourceError::issue(file, DataIssue::toml(text, &e))),
            Ok(()) if stem == "_common" => CommonText::parse(text)
                .map(|_| ())
                .map_err(|e| template_error(file, Some(text), &name, e)),
            Ok(()) if stem.starts_with('_') => Ok(()),
            Ok(()) => Template::parse(stem, text)
                .map(|_| ())
                .map_err(|e| template_error(file, Some(text), &name, e)),
        };
        if let Err(e) = checked {
            errors.push(e);
            templates_ok = false;
        }
        template_texts.insert(name.clone(), (file.to_string(), text.to_string()));
        template_files.push((name, text.to_string()));
    }
    let templates = if templates_ok {
        match Templates::from_files(template_files.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
            Ok(t) => Some(t),
            Err(e) => {
                // The message starts with the file name it is about.
                let msg = e.to_string();
                let mut name = msg
                    .trim_start_matches("template error: ")
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string();
                if !name.ends_with(".toml") {
                    name.push_str(".toml");
                }
                let (file, text) = match template_texts.get(&name) {
                    Some((f, t)) => (f.clone(), Some(t.as_str())),
                    None => (format!("templates/documents/{name}"), None),
                };
                errors.push(template_error(&file, text, &name, e));
                None
            }
        }
    } else {
        None
    };

    // Every template the catalog names exists.
    if let (Some(catalog), Some(templates)) = (&catalog, &templates) {
        for s in catalog.services() {
            let file = service_files
                .get(&s.code)
                .map(|(f, t)| (f.as_str(), t.as_str()));
            let mut names = vec![
                ("result.template", &s.result.template),
                ("result.refusal_template", &s.result.refusal_template),
            ];
            names.extend(s.variants.iter().filter_map(|v| {
                v.result_template
                    .as_ref()
                    .map(|t| ("variants.result_template", t))
            }));
            for (field, n) in names {
                if templates.get(n).is_err() {
                    let (f, text) = file.unwrap_or(("catalog/services", ""));
                    errors.push(SourceError {
                        file: f.to_string(),
                        line: datafile::line_of_value(text, n),
                        field: field.to_string(),
                        message: format!(
                            "service `{}`: no document template `{n}` (templates/documents/{n}.toml)",
                            s.code
                        ),
                    });
                }
            }
        }
    }

    // Web pages: templates, messages in three languages, static assets.
    let pages = load_pages(&templates_layer, &mut errors);

    // Mail templates, one per message kind.
    let mut mail = crate::mail::MailTemplates::default();
    for kind in crate::mail::MAIL_KINDS {
        if let Some((file, text)) = templates_layer.text(&format!("mail/{kind}.toml"), &mut errors)
        {
            match toml::from_str(text) {
                Ok(t) => {
                    mail.0.insert(kind.to_string(), t);
                }
                Err(e) => errors.push(SourceError::issue(file, DataIssue::toml(text, &e))),
            }
        }
    }

    // Files in the directories that nothing reads (after every read above).
    let mut ignored = catalog_layer.unread();
    ignored.extend(templates_layer.unread());
    let mut from_dirs = catalog_layer.overridden_files();
    from_dirs.extend(templates_layer.overridden_files());
    from_dirs.retain(|(f, _)| !ignored.contains(f));

    match (fees, calendar, catalog, templates, clinics, pages) {
        (
            Some(fees),
            Some(calendar),
            Some(catalog),
            Some(templates),
            Some(clinics),
            Some(pages),
        ) if errors.is_empty() => Ok(RuntimeData {
            pages: std::sync::Arc::new(pages),
            catalog,
            clinics,
            fees,
            calendar,
            templates,
            mail,
            sources: Sources {
                catalog_dir: catalog_dir.map(Path::to_path_buf),
                templates_dir: templates_dir.map(Path::to_path_buf),
                from_dirs,
                ignored,
            },
        }),
        _ => Err(SourceErrors(errors)),
    }
}

/// A template problem located in its file; `name` (`licence.toml`) is stripped from the
/// front of the message, which the template loader prefixes with it.
fn template_error(file: &str, text: Option<&str>, name: &str, e: PdfError) -> SourceError {
    let msg = match e {
        PdfError::Template(m) => m,
        other => other.to_string(),
    };
    let msg = msg
        .strip_prefix(&format!("{name}: "))
        .or_else(|| msg.strip_prefix(&format!("{}: ", name.trim_end_matches(".toml"))))
        .unwrap_or(&msg);
    SourceError::found_in(file, text, msg)
}

/// Compiles the web pages: every `pages/**/*.html` but the static folder is a template,
/// `pages/i18n/{ru,kk,en}/*.ftl` are the messages, `pages/static/**` the assets.
fn load_pages(layer: &Layer, errors: &mut Vec<SourceError>) -> Option<crate::web::Pages> {
    let mut templates = Vec::new();
    let mut messages = Vec::new();
    let mut assets = Vec::new();
    for rel in layer.under("pages") {
        let name = &rel["pages/".len()..];
        if let Some(path) = name.strip_prefix("static/") {
            if let Some((_, bytes)) = layer.bytes(&rel) {
                assets.push((path.to_string(), bytes.to_vec()));
            }
        } else if let Some(rest) = name.strip_prefix("i18n/") {
            let lang = match rest.split_once('/') {
                Some(("ru", f)) if f.ends_with(".ftl") => crate::error::Lang::Ru,
                Some(("kk", f)) if f.ends_with(".ftl") => crate::error::Lang::Kk,
                Some(("en", f)) if f.ends_with(".ftl") => crate::error::Lang::En,
                _ => continue,
            };
            if let Some((file, text)) = layer.text(&rel, errors) {
                messages.push((file.to_string(), lang, text.to_string()));
            }
        } else if name.ends_with(".html") {
            if let Some((file, text)) = layer.text(&rel, errors) {
                templates.push((name.to_string(), file.to_string(), text.to_string()));
            }
        }
    }
    let report = |errors: &mut Vec<SourceError>, list: Vec<(String, String)>| {
        for (file, message) in list {
            errors.push(SourceError::whole(&file, message));
        }
    };
    let messages = match crate::web::i18n::Messages::load(&messages) {
        Ok(m) => m,
        Err(list) => {
            report(errors, list);
            return None;
        }
    };
    match crate::web::Pages::load(templates, messages, assets) {
        Ok(p) => Some(p),
        Err(list) => {
            report(errors, list);
            None
        }
    }
}

impl RuntimeData {
    /// What was loaded, for `ruqsat catalog check` and the start log: services, МРП and
    /// calendar years, templates, which files came from the directories, and the state of
    /// the yearly data for `today`'s year and the next.
    pub fn summary(&self, today: chrono::NaiveDate) -> String {
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        let dir = |d: &Option<PathBuf>| {
            d.as_ref().map_or("compiled in".to_string(), |d| {
                format!("{} over the compiled-in files", d.display())
            })
        };
        line(format!("catalog:   {}", dir(&self.sources.catalog_dir)));
        line(format!("templates: {}", dir(&self.sources.templates_dir)));
        let services: Vec<&str> = self.catalog.services().map(|s| s.code.as_str()).collect();
        line(format!(
            "services ({}): {}",
            services.len(),
            services.join(", ")
        ));
        line("МРП:".to_string());
        for m in self.fees.mrp_values() {
            line(format!(
                "  {}  {:>12}{}",
                m.year,
                m.value.format_kk_ru(),
                if m.verified {
                    ""
                } else {
                    "  (verified = false)"
                }
            ));
        }
        let years: Vec<String> = self
            .calendar
            .covered_years()
            .into_iter()
            .map(|y| {
                if self.calendar.year_verified(y) {
                    y.to_string()
                } else {
                    format!("{y} (verified = false)")
                }
            })
            .collect();
        line(format!("calendar years: {}", years.join(", ")));
        let kinds: Vec<&str> = self.templates.kinds.keys().map(String::as_str).collect();
        line(format!("templates ({}): {}", kinds.len(), kinds.join(", ")));
        if self.sources.from_dirs.is_empty() {
            line("from the directories: none".to_string());
        } else {
            line("from the directories:".to_string());
            for (f, replaces) in &self.sources.from_dirs {
                line(format!(
                    "  {f}  ({})",
                    if *replaces {
                        "replaces the compiled-in file"
                    } else {
                        "added"
                    }
                ));
            }
        }
        for f in &self.sources.ignored {
            line(format!("ignored (not a file Ruqsat reads): {f}"));
        }
        for d in yearly_data(&self.fees, &self.calendar, today) {
            let what = match d.presence {
                Presence::Present => continue,
                Presence::Assumed => "assumed (verified = false)",
                Presence::Missing => "MISSING",
            };
            line(format!(
                "yearly data: {} {}: {what}",
                d.kind.as_str(),
                d.year
            ));
        }
        out
    }

    /// The МРП of `year` for display, if any.
    pub fn mrp(&self, year: i32) -> Option<Money> {
        self.fees.mrp_value(year).map(|m| m.value)
    }
}

/// `ruqsat catalog check [DIR] [--templates DIR]`: prints what was loaded and `OK` (exit
/// 0), or every problem as `file:line: field: message` on stderr (exit 1; 2 when a
/// directory does not exist).
pub fn check_command(
    dir: Option<&Path>,
    templates: Option<&Path>,
    today: chrono::NaiveDate,
) -> i32 {
    for d in dir.into_iter().chain(templates) {
        if !d.is_dir() {
            eprintln!("ruqsat: {}: no such directory", d.display());
            return 2;
        }
    }
    match load(dir, templates) {
        Ok(data) => {
            print!("{}", data.summary(today));
            println!("OK");
            0
        }
        Err(e) => {
            for problem in &e.0 {
                eprintln!("{problem}");
            }
            let n = e.0.len();
            eprintln!("FAILED: {n} problem{}", if n == 1 { "" } else { "s" });
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let d = tempfile::tempdir().expect("tmp");
        for (rel, text) in files {
            let p = d.path().join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        d
    }

    fn errors(catalog: &[(&str, &str)], templates: &[(&str, &str)]) -> Vec<String> {
        let c = dir_with(catalog);
        let t = dir_with(templates);
        let dir = |d: &tempfile::TempDir| d.path().to_path_buf();
        match load(Some(&dir(&c)), Some(&dir(&t))) {
            Ok(_) => Vec::new(),
            Err(e) => {
                e.0.iter()
                    .map(|e| {
                        e.to_string()
                            .replace(&c.path().display().to_string(), "C")
                            .replace(&t.path().display().to_string(), "T")
                    })
                    .collect()
            }
        }
    }

    #[test]
    fn compiled_in_data_loads() {
        let d = load(None, None).expect("compiled-in data");
        assert!(d.catalog.service("med-licence").is_some());
        assert!(d.templates.get("licence").is_ok());
        assert!(d
            .pages
            .template_names()
            .contains(&"verify.html".to_string()));
        assert!(d.sources.from_dirs.is_empty());
    }

    #[test]
    fn a_directory_overrides_file_by_file() {
        let fees = crate::domain::money::FEES_TOML.to_string()
            + "\n[mrp.2031]\ntenge = \"9999\"\nsource = \"test\"\n";
        let c = dir_with(&[("fees.toml", &fees), ("notes.txt", "x")]);
        let d = load(Some(c.path()), None).expect("load");
        assert_eq!(d.mrp(2031).map(Money::tiyn), Some(999_900));
        assert_eq!(d.mrp(2024).map(Money::tiyn), Some(369_200));
        assert_eq!(d.sources.from_dirs.len(), 1);
        assert!(d.sources.from_dirs[0].1, "replaces");
        assert_eq!(d.sources.ignored.len(), 1);
        assert!(d.sources.ignored[0].ends_with("notes.txt"));
        let s = d.summary(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"));
        assert!(s.contains("2031"), "{s}");
        assert!(
            s.contains("fees.toml  (replaces the compiled-in file)"),
            "{s}"
        );
    }

    #[test]
    fn problems_name_file_line_and_field() {
        let e = errors(&[("fees.toml", "[mrp.2027]\ntenge = \"0\"\n")], &[]);
        assert_eq!(
            e,
            vec!["C/fees.toml:2: mrp.2027.tenge: `0`: the МРП must be positive"]
        );
        let e = errors(
            &[(
                "calendar/kz.toml",
                "[[year]]\nyear = 2027\n[[year.moving]]\ndate = \"2027-13-01\"\nname = \"x\"\n",
            )],
            &[],
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("C/calendar/kz.toml:4: year.moving.date: "),
            "{e:?}"
        );
        // A service naming a fee rule the table lacks.
        let med = std::str::from_utf8(
            crate::app::CATALOG_DIR
                .get_file("services/med-licence.toml")
                .expect("med")
                .contents(),
        )
        .expect("utf-8")
        .replacen(
            "fee_rule = \"licence-issue\"",
            "fee_rule = \"licence-isue\"",
            1,
        );
        let line = med
            .lines()
            .position(|l| l.contains("licence-isue"))
            .expect("line")
            + 1;
        let e = errors(&[("services/med-licence.toml", &med)], &[]);
        assert_eq!(
            e,
            vec![format!(
                "C/services/med-licence.toml:{line}: variants.fee_rule: variant `issue`: fee_rule `licence-isue` is not in the fee table"
            )]
        );
        // Several files, several problems, all reported.
        let e = errors(
            &[
                ("workflows.toml", "[[workflows]\n"),
                ("services/x.toml", "code = 1\n"),
            ],
            &[("documents/licence.toml", "kind = \"licence\"\ntitle = 3\n")],
        );
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].starts_with("C/workflows.toml:1"), "{e:?}");
        assert!(e[1].starts_with("C/services/x.toml:1: code: "), "{e:?}");
        assert!(
            e[2].starts_with("T/documents/licence.toml:2: title: "),
            "{e:?}"
        );
        // A semantic template problem and a syntax error of a page template.
        let e = errors(
            &[],
            &[
                (
                    "documents/refusal.toml",
                    &std::str::from_utf8(
                        TEMPLATE_DIR.get_file("refusal.toml").expect("r").contents(),
                    )
                    .expect("utf-8")
                    .replacen("kind = \"refusal\"", "kind = \"refusals\"", 1),
                ),
                (
                    "pages/verify.html",
                    "{% extends \"layout.html\" %}\n{% block main %}\n{% if document %}\n{% endblock %}\n",
                ),
            ],
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].contains("documents/refusal.toml:")
                && e[0].contains(": kind: kind \"refusals\" differs"),
            "{e:?}"
        );
        assert!(e[1].starts_with("T/pages/verify.html: line 4: "), "{e:?}");
    }
}
