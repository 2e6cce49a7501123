//! Signed PDF result documents: e-licence, appendix, re-issued licence,
//! duplicate, motivated refusal, disabled-children support decision and refusal,
//! PHC attachment slip, appointment ticket, home-call confirmation, payment receipt
//! and intake receipt.
//!
//! - [`render`] lays a document out with printpdf: Kazakh first, Russian second,
//!   embedded subset DejaVu Sans, a vector QR code of the public verification URL.
//!   Wording lives in `templates/documents/<kind>.toml` ([`template`]).
//! - [`sign`] adds a PAdES-B-B signature as an incremental update (the rendered bytes
//!   stay an exact prefix), with the official's key ([`crate::pki::SigningKey`]).
//! - [`verify()`] checks the byte ranges, the CMS, the chain and revocation
//!   ([`crate::pki::Verifier`]), and optionally the registry status.
//!
//! See `docs/pdf.md`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

pub mod fonts;
pub mod pades;
pub mod qr;
pub mod render;
pub mod template;
pub mod verify;

pub use pades::{sign, SIGNATURE_FIELD_NAME};
pub use render::{render, render_with};
pub use template::{templates, Template, Templates, KINDS};
pub use verify::{
    verify, verify_cli, verify_with_status, PdfVerdict, PdfVerifyFailure, RegistryStatus,
    StatusLookup,
};

/// Everything a document shows besides the template's wording.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DocumentData {
    /// Template kind, e.g. `licence` (see [`KINDS`]).
    pub kind: String,
    /// Unguessable public id (16–128 characters of `A-Z a-z 0-9 _ -`). Printed,
    /// stored in the Info dictionary as `/RuqsatDocumentId`, and the last path
    /// segment of `verify_url`.
    pub document_id: String,
    /// Values of the template's fields by key. Every non-optional field of the
    /// template must be given; a key the template does not know is an error.
    pub fields: BTreeMap<String, String>,
    /// The numbered list (refusal reasons, documents received), if the template
    /// has one.
    pub items: Vec<String>,
    /// Public verification URL, ending in `/verify/{document_id}`; encoded in the QR code.
    pub verify_url: String,
    /// When the document was formed (printed in Asia/Almaty time with its offset).
    pub issued_at: DateTime<Utc>,
}

/// Why a document could not be rendered or signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("unknown document kind {0:?}")]
    UnknownKind(String),
    #[error("document {kind}: field {field:?} is required and missing or empty")]
    MissingField { kind: String, field: String },
    #[error("document {kind}: field {field:?} is not in the template")]
    UnknownField { kind: String, field: String },
    #[error("document {kind}: the list (items) must have at least one entry")]
    MissingItems { kind: String },
    #[error("document {kind}: the template has no list, but items were given")]
    UnexpectedItems { kind: String },
    #[error("{field}: character {ch:?} (U+{code:04X}) cannot be printed with the embedded font")]
    UnsupportedCharacter { field: String, ch: char, code: u32 },
    #[error("invalid document data: {0}")]
    InvalidData(String),
    #[error("template error: {0}")]
    Template(String),
    #[error("PDF rendering failed: {0}")]
    Render(String),
    #[error("PDF signing failed: {0}")]
    Sign(String),
}

/// Checks `data` against its compiled-in template; returns the template.
pub fn validate(data: &DocumentData) -> Result<&'static Template, PdfError> {
    validate_with(templates()?, data)
}

/// Checks `data` against its template in `templates`; returns the template.
pub fn validate_with<'a>(
    templates: &'a Templates,
    data: &DocumentData,
) -> Result<&'a Template, PdfError> {
    let tpl = templates.get(&data.kind)?;
    let id = &data.document_id;
    if !(16..=128).contains(&id.len())
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(PdfError::InvalidData(format!(
            "document_id {id:?}: 16-128 characters of A-Z a-z 0-9 _ - expected"
        )));
    }
    let url = &data.verify_url;
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || !url.ends_with(&format!("/verify/{id}"))
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(PdfError::InvalidData(format!(
            "verify_url {url:?} must be an http(s) URL ending in /verify/{id}"
        )));
    }
    let missing = |field: &str| PdfError::MissingField {
        kind: data.kind.clone(),
        field: field.to_string(),
    };
    for f in &tpl.fields {
        match data.fields.get(&f.key) {
            Some(v) if !v.trim().is_empty() => {}
            Some(_) | None if f.optional => {}
            _ => return Err(missing(&f.key)),
        }
    }
    if let Some(key) = data
        .fields
        .keys()
        .find(|k| !tpl.fields.iter().any(|f| &f.key == *k))
    {
        return Err(PdfError::UnknownField {
            kind: data.kind.clone(),
            field: key.clone(),
        });
    }
    match &tpl.items {
        None if !data.items.is_empty() => {
            return Err(PdfError::UnexpectedItems {
                kind: data.kind.clone(),
            })
        }
        Some(spec) if spec.required && data.items.iter().all(|i| i.trim().is_empty()) => {
            return Err(PdfError::MissingItems {
                kind: data.kind.clone(),
            })
        }
        _ => {}
    }
    let texts = data
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str()))
        .chain(
            data.items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("items[{i}]"), v.as_str())),
        );
    for (field, text) in texts {
        if let Some(ch) = fonts::first_unsupported(text) {
            return Err(PdfError::UnsupportedCharacter {
                field,
                ch,
                code: ch as u32,
            });
        }
    }
    Ok(tpl)
}

/// Throughput of rendering and signing e-licences (the `ruqsat bench` figures).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BenchReport {
    pub documents: usize,
    pub threads: usize,
    pub seconds: f64,
    pub docs_per_sec: f64,
    pub avg_bytes: usize,
    pub max_bytes: usize,
}

/// Renders and signs `n` sample e-licences on all cores (one worker per
/// available core) with `key`; fonts and templates are warmed up first and not
/// timed.
pub fn bench_licences(n: usize, key: &crate::pki::SigningKey) -> Result<BenchReport, PdfError> {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    bench_licences_on(n, cores, key)
}

/// [`bench_licences`] on `threads` worker threads.
pub fn bench_licences_on(
    n: usize,
    threads: usize,
    key: &crate::pki::SigningKey,
) -> Result<BenchReport, PdfError> {
    let threads = threads.clamp(1, n.max(1));
    let barrier = std::sync::Barrier::new(threads + 1);
    let results = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let barrier = &barrier;
                let count = n / threads + usize::from(t < n % threads);
                s.spawn(move || -> Result<(usize, usize), PdfError> {
                    let warm = render(&crate::demo::pdf_samples::sample_document(
                        "licence",
                        &format!("warmup{t:012}"),
                    ))
                    .and_then(|pdf| sign(&pdf, key, Utc::now(), "bench", "Ruqsat"));
                    barrier.wait();
                    warm?;
                    let (mut total, mut max) = (0usize, 0usize);
                    for i in 0..count {
                        let data = crate::demo::pdf_samples::sample_document(
                            "licence",
                            &format!("bench{t:04}x{i:010}"),
                        );
                        let pdf = render(&data)?;
                        let signed = sign(&pdf, key, data.issued_at, "bench", "Ruqsat")?;
                        total += signed.len();
                        max = max.max(signed.len());
                    }
                    Ok((total, max))
                })
            })
            .collect();
        barrier.wait();
        let start = std::time::Instant::now();
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(PdfError::Render("bench worker panicked".into())))
            })
            .collect();
        (start.elapsed(), results)
    });
    let (elapsed, results) = results;
    let (mut total, mut max) = (0usize, 0usize);
    for r in results {
        let (t, m) = r?;
        total += t;
        max = max.max(m);
    }
    let seconds = elapsed.as_secs_f64();
    Ok(BenchReport {
        documents: n,
        threads,
        seconds,
        docs_per_sec: if seconds > 0.0 {
            n as f64 / seconds
        } else {
            0.0
        },
        avg_bytes: total.checked_div(n).unwrap_or(0),
        max_bytes: max,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn licence() -> DocumentData {
        crate::demo::pdf_samples::sample_document("licence", "Zx8Qm2Lr7VtN4pKc9WbHsA")
    }

    #[test]
    fn sample_data_is_valid_for_every_kind() {
        for k in KINDS {
            validate(&crate::demo::pdf_samples::sample_document(
                k,
                "Zx8Qm2Lr7VtN4pKc9WbHsA",
            ))
            .expect(k);
        }
    }

    #[test]
    fn missing_field_is_named() {
        let mut d = licence();
        d.fields.remove("holder_name");
        assert_eq!(
            validate(&d).expect_err("missing").to_string(),
            "document licence: field \"holder_name\" is required and missing or empty"
        );
        d.fields.insert("holder_name".into(), "   ".into());
        assert!(
            matches!(validate(&d), Err(PdfError::MissingField { field, .. }) if field == "holder_name")
        );
    }

    #[test]
    fn optional_field_may_be_absent_unknown_field_may_not() {
        let mut d = licence();
        d.fields.remove("objects");
        validate(&d).expect("objects is optional");
        d.fields.insert("holder_nmae".into(), "x".into());
        assert!(
            matches!(validate(&d), Err(PdfError::UnknownField { field, .. }) if field == "holder_nmae")
        );
    }

    #[test]
    fn unknown_kind_is_refused() {
        let mut d = licence();
        d.kind = "passport".into();
        assert_eq!(validate(&d), Err(PdfError::UnknownKind("passport".into())));
    }

    #[test]
    fn items_rules() {
        let mut d = crate::demo::pdf_samples::sample_document("refusal", "Zx8Qm2Lr7VtN4pKc9WbHsA");
        d.items.clear();
        assert!(matches!(validate(&d), Err(PdfError::MissingItems { .. })));
        let mut d = licence();
        d.items.push("x".into());
        assert!(matches!(
            validate(&d),
            Err(PdfError::UnexpectedItems { .. })
        ));
    }

    #[test]
    fn id_url_and_characters_are_checked() {
        let mut d = licence();
        d.document_id = "42".into();
        assert!(matches!(validate(&d), Err(PdfError::InvalidData(_))));
        let mut d = licence();
        d.verify_url = "https://ruqsat.example.kz/verify/other".into();
        assert!(matches!(validate(&d), Err(PdfError::InvalidData(_))));
        let mut d = licence();
        d.fields
            .insert("holder_name".into(), "Әйгерім \u{6F22}".into());
        assert!(matches!(
            validate(&d),
            Err(PdfError::UnsupportedCharacter { field, code: 0x6F22, .. }) if field == "holder_name"
        ));
    }
}
