//! Verification of a signed Ruqsat PDF (`ruqsat verify FILE.pdf`, and the public
//! `/verify/{document_id}` page through `app::results`):
//!
//! 1. find the signature dictionaries (`/Type /Sig` or `/FT /Sig` field values);
//!    the last one (largest signed extent) is checked;
//! 2. `/ByteRange` must be `[0 a b c]` with `b + c` = file length: the whole file
//!    is signed except the `<…>` hex string of `/Contents` at `a..b`;
//! 3. the CMS in `/Contents` (trailing zero padding removed) is verified over the
//!    two ranges with [`Verifier::verify`]: digest, signature, chain to the trust
//!    roots, key usage, validity at `at`, CRL (see `docs/signatures.md`);
//! 4. the document id (`/RuqsatDocumentId` of the Info dictionary, inside the
//!    signed bytes) is reported with the SHA-256 of the file, and, when a
//!    [`StatusLookup`] is given, the document's status in Ruqsat's registry.

use crate::domain::documents::DocumentStatus;
use crate::error::ErrorCode;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Object};
use sha2::{Digest, Sha256};

use crate::pki::{SignatureFailure, VerifiedSigner, Verifier};

/// Why a PDF's signature is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfVerifyFailure {
    #[error("the file is not a readable PDF: {0}")]
    NotPdf(String),
    #[error("the PDF has no signature")]
    NotSigned,
    #[error("the signature dictionary is malformed: {0}")]
    Malformed(String),
    #[error("the signature does not cover the whole document: {0}")]
    ByteRange(String),
    #[error("{}: {}", .0.code(), .0.message(crate::error::Lang::En))]
    Signature(SignatureFailure),
}

impl PdfVerifyFailure {
    /// Stable code, e.g. `PDF_BYTE_RANGE` or the CMS code (`SIGNATURE_INVALID`, …).
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotPdf(_) => ErrorCode::PdfUnreadable,
            Self::NotSigned => ErrorCode::PdfNotSigned,
            Self::Malformed(_) => ErrorCode::PdfSignatureMalformed,
            Self::ByteRange(_) => ErrorCode::PdfByteRange,
            Self::Signature(f) => f.code(),
        }
    }
}

/// The document's status in Ruqsat's registry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "status", rename_all = "snake_case")]
pub enum RegistryStatus {
    /// No lookup was available (offline verification).
    Offline,
    /// The registry does not know this document id.
    NotFound,
    /// The document's status as the registry says.
    Found(DocumentStatus),
    /// The registry was asked but gave no usable answer (unreachable, an error, an
    /// answer that is not a known status): why.
    Unanswered(String),
}

impl RegistryStatus {
    /// Whether the status lets the document be accepted: `valid`, or unknown
    /// because verification is offline.
    pub fn acceptable(&self) -> bool {
        match self {
            Self::Offline => true,
            Self::NotFound | Self::Unanswered(_) => false,
            Self::Found(s) => *s == DocumentStatus::Valid,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Offline => "unknown (offline)".to_string(),
            Self::NotFound => "not found in the registry".to_string(),
            Self::Found(s) => s.as_str().to_string(),
            Self::Unanswered(why) => why.clone(),
        }
    }
}

/// Looks a document's registry status up by its id (injected by the server or
/// the CLI; `None` = the registry does not know the id).
pub trait StatusLookup {
    fn status(&self, document_id: &str) -> RegistryStatus;
}

impl<F: Fn(&str) -> RegistryStatus> StatusLookup for F {
    fn status(&self, document_id: &str) -> RegistryStatus {
        self(document_id)
    }
}

/// What a successful signature check established.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PdfVerdict {
    pub signer: VerifiedSigner,
    /// `/RuqsatDocumentId` from the Info dictionary (inside the signed bytes).
    pub document_id: Option<String>,
    /// `/RuqsatDocumentKind`.
    pub document_kind: Option<String>,
    /// SHA-256 of the whole file, lower-case hex.
    pub sha256: String,
    pub byte_range: [usize; 4],
    /// `/SubFilter` of the signature, e.g. `ETSI.CAdES.detached`.
    pub sub_filter: String,
    /// `/M` of the signature dictionary (claimed signing time), as written.
    pub signing_time: Option<String>,
    /// Number of signatures in the file (the last one was verified).
    pub signatures: usize,
    pub status: RegistryStatus,
}

impl PdfVerdict {
    /// Signature valid and the registry status acceptable.
    pub fn accepted(&self) -> bool {
        self.status.acceptable()
    }
}

fn int(o: &Object) -> Option<i64> {
    o.as_i64().ok()
}

/// A signature dictionary with its `/ByteRange` and `/Contents`.
struct SigDict {
    byte_range: Vec<i64>,
    contents: Vec<u8>,
    sub_filter: String,
    m: Option<String>,
}

fn sig_dict(d: &Dictionary) -> Result<SigDict, PdfVerifyFailure> {
    let byte_range = d
        .get(b"ByteRange")
        .and_then(Object::as_array)
        .map_err(|_| PdfVerifyFailure::Malformed("no /ByteRange array".into()))?
        .iter()
        .map(int)
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| PdfVerifyFailure::Malformed("/ByteRange holds a non-integer".into()))?;
    let contents = d
        .get(b"Contents")
        .and_then(Object::as_str)
        .map_err(|_| PdfVerifyFailure::Malformed("no /Contents string".into()))?
        .to_vec();
    let name = |k: &[u8]| {
        d.get(k)
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .ok()
    };
    Ok(SigDict {
        byte_range,
        contents,
        sub_filter: name(b"SubFilter").unwrap_or_default(),
        m: d.get(b"M")
            .and_then(Object::as_str)
            .ok()
            .map(|s| String::from_utf8_lossy(s).into_owned()),
    })
}

fn is_sig_dict(d: &Dictionary) -> bool {
    d.get(b"ByteRange").is_ok()
        && d.get(b"Contents").is_ok()
        && (d.get(b"Type").and_then(Object::as_name).ok() == Some(b"Sig".as_slice())
            || d.get(b"Filter").is_ok())
}

/// Every signature dictionary of the document (direct objects and field values).
fn signatures(doc: &lopdf::Document) -> Vec<SigDict> {
    let mut out = Vec::new();
    for obj in doc.objects.values() {
        let Ok(d) = obj.as_dict() else { continue };
        if is_sig_dict(d) {
            if let Ok(s) = sig_dict(d) {
                out.push(s);
            }
        } else if let Ok(Object::Dictionary(v)) = d.get(b"V") {
            // A field whose signature dictionary is inline.
            if is_sig_dict(v) {
                if let Ok(s) = sig_dict(v) {
                    out.push(s);
                }
            }
        }
    }
    out
}

/// Length of the DER TLV at the start of `bytes` (the CMS without its padding).
fn der_len(bytes: &[u8]) -> Option<usize> {
    if bytes.first() != Some(&0x30) {
        return None;
    }
    let first = *bytes.get(1)?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let mut len = 0usize;
    for b in bytes.get(2..2 + n)? {
        len = (len << 8) | usize::from(*b);
    }
    Some(2 + n + len)
}

fn info_string(doc: &lopdf::Document, key: &[u8]) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?;
    let dict = match info {
        Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        Object::Dictionary(d) => d,
        _ => return None,
    };
    lopdf::decode_text_string(dict.get(key).ok()?).ok()
}

/// Verifies the last signature of `pdf` at time `at`; no registry status
/// ([`RegistryStatus::Offline`]).
pub fn verify(
    pdf: &[u8],
    verifier: &Verifier,
    at: DateTime<Utc>,
) -> Result<PdfVerdict, PdfVerifyFailure> {
    verify_with_status(pdf, verifier, at, None)
}

/// [`verify`], then the document's status from `lookup` (if given).
pub fn verify_with_status(
    pdf: &[u8],
    verifier: &Verifier,
    at: DateTime<Utc>,
    lookup: Option<&dyn StatusLookup>,
) -> Result<PdfVerdict, PdfVerifyFailure> {
    // lopdf recurses into nested arrays and dictionaries: a file nested 100,000 deep would
    // overflow the stack (RUSTSEC-2026-0187), so it is refused before parsing.
    let depth = crate::files::pdf_nesting_depth(pdf);
    if depth > crate::files::MAX_PDF_NESTING {
        return Err(PdfVerifyFailure::Malformed(format!(
            "objects nested {depth} deep (at most {})",
            crate::files::MAX_PDF_NESTING
        )));
    }
    let doc =
        lopdf::Document::load_mem(pdf).map_err(|e| PdfVerifyFailure::NotPdf(e.to_string()))?;
    let sigs = signatures(&doc);
    let count = sigs.len();
    let sig = sigs
        .into_iter()
        .max_by_key(|s| {
            s.byte_range
                .get(2..4)
                .map(|r| r[0].saturating_add(r[1]))
                .unwrap_or(0)
        })
        .ok_or(PdfVerifyFailure::NotSigned)?;

    // 2. Byte ranges: [0 a b c], the hole is exactly the hex string, nothing after.
    let range: [usize; 4] = match sig.byte_range.as_slice() {
        [s, a, b, c] => [*s, *a, *b, *c].map(|v| usize::try_from(v).unwrap_or(usize::MAX)),
        _ => {
            return Err(PdfVerifyFailure::ByteRange(format!(
                "{} numbers instead of 4",
                sig.byte_range.len()
            )))
        }
    };
    let [start, a, b, c] = range;
    if start != 0 {
        return Err(PdfVerifyFailure::ByteRange("does not start at 0".into()));
    }
    if !(a < b && b <= pdf.len() && c == pdf.len() - b) {
        return Err(PdfVerifyFailure::ByteRange(format!(
            "[0 {a} {b} {c}] on a file of {} bytes",
            pdf.len()
        )));
    }
    let hole = &pdf[a..b];
    let hex_ok = hole.len() >= 2
        && hole[0] == b'<'
        && hole[hole.len() - 1] == b'>'
        && hole[1..hole.len() - 1].iter().all(u8::is_ascii_hexdigit);
    if !hex_ok {
        return Err(PdfVerifyFailure::ByteRange(
            "the unsigned gap is not exactly the /Contents hex string".into(),
        ));
    }
    let from_hole = hex::decode(&hole[1..hole.len() - 1])
        .map_err(|e| PdfVerifyFailure::ByteRange(format!("gap: {e}")))?;
    if from_hole != sig.contents {
        return Err(PdfVerifyFailure::ByteRange(
            "the gap is not the /Contents of the verified signature".into(),
        ));
    }

    // 3. CMS over the signed ranges.
    let len = der_len(&sig.contents)
        .filter(|l| *l <= sig.contents.len())
        .ok_or_else(|| PdfVerifyFailure::Malformed("/Contents does not hold DER CMS".into()))?;
    if sig.contents[len..].iter().any(|b| *b != 0) {
        return Err(PdfVerifyFailure::Malformed(
            "data after the CMS in /Contents".into(),
        ));
    }
    let mut signed = Vec::with_capacity(pdf.len() - hole.len());
    signed.extend_from_slice(&pdf[..a]);
    signed.extend_from_slice(&pdf[b..]);
    let signer = verifier
        .verify(&signed, &sig.contents[..len], None, at)
        .map_err(PdfVerifyFailure::Signature)?;

    let document_id = info_string(&doc, b"RuqsatDocumentId");
    let status = match (lookup, &document_id) {
        (None, _) => RegistryStatus::Offline,
        (Some(_), None) => RegistryStatus::NotFound,
        (Some(l), Some(id)) => l.status(id),
    };
    Ok(PdfVerdict {
        signer,
        document_kind: info_string(&doc, b"RuqsatDocumentKind"),
        document_id,
        sha256: hex::encode(Sha256::digest(pdf)),
        byte_range: range,
        sub_filter: sig.sub_filter,
        signing_time: sig.m,
        signatures: count,
        status,
    })
}

/// `ruqsat verify FILE.pdf --trust ROOT.pem [--crl FILE] [--at TIME]`: prints the
/// findings and a last line `VALID` / `INVALID: …`; returns the exit code
/// (0 valid, 1 invalid signature or unacceptable status, 2 usage or I/O error).
/// Without `crl` files, CRLs are fetched from the certificates' URLs.
pub fn verify_cli(
    file: &Path,
    trust: &[PathBuf],
    crl: &[PathBuf],
    at: Option<&str>,
    lookup: Option<&dyn StatusLookup>,
    out: &mut dyn Write,
) -> i32 {
    let setup = || -> anyhow::Result<(Vec<u8>, Verifier, DateTime<Utc>)> {
        let pdf = std::fs::read(file)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
        let store = crate::pki::TrustStore::from_pem_files(trust)?;
        let crls: Arc<dyn crate::pki::CrlSource> = if crl.is_empty() {
            Arc::new(crate::pki::HttpCrlSource::new(
                std::time::Duration::from_secs(10),
            ))
        } else {
            Arc::new(crate::pki::FileCrlSource::from_files(crl)?)
        };
        let at = match at {
            Some(s) => DateTime::parse_from_rfc3339(s)?.with_timezone(&Utc),
            None => Utc::now(),
        };
        Ok((pdf, Verifier::new(store, crls), at))
    };
    let (pdf, verifier, at) = match setup() {
        Ok(x) => x,
        Err(e) => {
            let _ = writeln!(out, "error: {e:#}");
            return 2;
        }
    };
    let result = verify_with_status(&pdf, &verifier, at, lookup);
    let _ = write_report(out, file, &pdf, &result);
    match result {
        Ok(v) if v.accepted() => 0,
        _ => 1,
    }
}

fn write_report(
    out: &mut dyn Write,
    file: &Path,
    pdf: &[u8],
    result: &Result<PdfVerdict, PdfVerifyFailure>,
) -> std::io::Result<()> {
    writeln!(out, "file: {}", file.display())?;
    match result {
        Ok(v) => {
            let s = &v.signer;
            writeln!(
                out,
                "document: {} ({})",
                v.document_id
                    .as_deref()
                    .unwrap_or("(no Ruqsat document id)"),
                v.document_kind.as_deref().unwrap_or("unknown kind")
            )?;
            writeln!(out, "sha256: {}", v.sha256)?;
            writeln!(
                out,
                "signature: {} by {} (IIN {}, BIN {}), serial {}, issuer {}, {}",
                v.sub_filter,
                s.subject_cn,
                s.iin.as_deref().unwrap_or("-"),
                s.bin.as_deref().unwrap_or("-"),
                s.serial_hex,
                s.issuer,
                s.algorithm
            )?;
            writeln!(
                out,
                "signed at (claimed): {}",
                v.signing_time.as_deref().unwrap_or("-")
            )?;
            writeln!(
                out,
                "byte range: [{} {} {} {}], whole document signed except /Contents",
                v.byte_range[0], v.byte_range[1], v.byte_range[2], v.byte_range[3]
            )?;
            writeln!(out, "status: {}", v.status.describe())?;
            if v.accepted() {
                writeln!(out, "VALID")
            } else {
                writeln!(
                    out,
                    "INVALID: the signature is valid but the document status is {}",
                    v.status.describe()
                )
            }
        }
        Err(f) => {
            writeln!(out, "sha256: {}", hex::encode(Sha256::digest(pdf)))?;
            if let PdfVerifyFailure::Signature(s) = f {
                writeln!(out, "{}: {}", s.code(), s.message(crate::error::Lang::Ru))?;
                writeln!(out, "{}: {}", s.code(), s.message(crate::error::Lang::Kk))?;
            }
            writeln!(out, "INVALID: {} ({})", f, f.code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_length_of_short_and_long_forms() {
        assert_eq!(der_len(&[0x30, 0x03, 1, 2, 3, 0, 0]), Some(5));
        assert_eq!(der_len(&[0x30, 0x82, 0x01, 0x00]), Some(4 + 256));
        assert_eq!(der_len(&[0x04, 0x01, 0]), None);
        assert_eq!(der_len(&[0x30, 0x80]), None);
    }

    #[test]
    fn status_acceptance() {
        assert!(RegistryStatus::Offline.acceptable());
        assert!(RegistryStatus::Found(DocumentStatus::Valid).acceptable());
        assert!(!RegistryStatus::Found(DocumentStatus::Terminated).acceptable());
        assert!(!RegistryStatus::Found(DocumentStatus::Suspended).acceptable());
        assert!(!RegistryStatus::Unanswered("unreachable".into()).acceptable());
        assert!(!RegistryStatus::NotFound.acceptable());
        assert_eq!(RegistryStatus::Offline.describe(), "unknown (offline)");
    }

    #[test]
    fn unsigned_pdf_has_no_signature() {
        let pdf = super::super::render(&crate::demo::pdf_samples::sample_document(
            "licence",
            "Zx8Qm2Lr7VtN4pKc9WbHsA",
        ))
        .expect("render");
        let doc = lopdf::Document::load_mem(&pdf).expect("load");
        assert!(signatures(&doc).is_empty());
    }
}
