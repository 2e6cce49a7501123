//! PAdES baseline B-B signature (ETSI EN 319 142-1) as an incremental update.
//!
//! The unsigned bytes are kept byte for byte as a prefix. The update adds
//! (with lopdf's `IncrementalDocument`):
//!
//! - a signature dictionary `/Type /Sig /Filter /Adobe.PPKLite
//!   /SubFilter /ETSI.CAdES.detached /M (D:…) /Reason /Location /ByteRange […]
//!   /Contents <…>`;
//! - a signature field merged with its widget annotation (`/FT /Sig`, invisible
//!   `/Rect [0 0 0 0]`, flags Print + Locked) on page 1;
//! - new revisions of the catalog (`/AcroForm << /Fields […] /SigFlags 3 >>`) and
//!   of page 1 (`/Annots`).
//!
//! `/Contents` is first written as a zero-filled hex placeholder and `/ByteRange`
//! with wide placeholder numbers. After saving, both are patched in place (same
//! length): `/ByteRange [0 a b c]` covers the whole file except the `<…>` hex
//! string, and the CMS ([`SigningKey::sign_detached_pades`]) over those ranges is
//! written into the placeholder.

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, IncrementalDocument, Object, ObjectId, StringFormat};

use super::PdfError;
use crate::pki::SigningKey;

/// Name (`/T`) of the signature field Ruqsat adds.
pub const SIGNATURE_FIELD_NAME: &str = "RuqsatSignature";

/// Wide enough for any offset below 10 GB; patched to the real values, padded.
const BYTE_RANGE_PLACEHOLDER: i64 = 9_999_999_999;

fn err(e: impl std::fmt::Display) -> PdfError {
    PdfError::Sign(e.to_string())
}

/// PDF date string in UTC, e.g. `D:20260115063000+00'00'`.
pub fn pdf_date(t: DateTime<Utc>) -> String {
    t.format("D:%Y%m%d%H%M%S+00'00'").to_string()
}

/// Everything in our CMS besides the certificates, the issuer name (twice) and the
/// signature value: SignedData and SignerInfo headers, algorithm identifiers, the
/// serial number (twice), the contentType, messageDigest and signing-certificate-v2
/// attributes. 285 bytes with a 20-byte serial; the rest is headroom.
const CMS_FIXED_PART: usize = 512;

/// Bytes reserved for the DER CMS: the certificates, the issuer name twice (signer
/// identifier, ESS signing-certificate-v2), the key's largest signature value
/// and [`CMS_FIXED_PART`], rounded up to 32. The CMS of one key differs in length
/// only by its signature value (an ECDSA signature is 70-72 bytes), so this is a
/// few hundred bytes more than needed, never less.
fn contents_capacity(key: &SigningKey) -> Result<usize, PdfError> {
    use der::Encode;
    let len = |l: der::Length| usize::try_from(u32::from(l)).unwrap_or(usize::MAX / 8);
    let mut total = CMS_FIXED_PART + key.max_signature_len();
    for c in std::iter::once(key.certificate()).chain(key.chain()) {
        total += len(c.encoded_len().map_err(err)?);
    }
    total += 2 * len(key
        .certificate()
        .tbs_certificate
        .issuer
        .encoded_len()
        .map_err(err)?);
    Ok(total.div_ceil(32) * 32)
}

/// Resolves `obj` (possibly a reference) to an array, copying it.
fn array_of(doc: &lopdf::Document, obj: &Object) -> Result<Vec<Object>, PdfError> {
    match obj {
        Object::Array(a) => Ok(a.clone()),
        Object::Reference(id) => doc
            .get_object(*id)
            .and_then(Object::as_array)
            .cloned()
            .map_err(err),
        _ => Err(PdfError::Sign("expected an array".into())),
    }
}

/// Field names already used in the AcroForm (top level), to keep ours unique.
fn field_names(doc: &lopdf::Document, fields: &[Object]) -> Vec<Vec<u8>> {
    fields
        .iter()
        .filter_map(|f| f.as_reference().ok())
        .filter_map(|id| doc.get_dictionary(id).ok())
        .filter_map(|d| d.get(b"T").ok())
        .filter_map(|t| t.as_str().ok().map(<[u8]>::to_vec))
        .collect()
}

/// Adds the field, widget and signature dictionary; returns the bytes with
/// placeholders and the capacity of `/Contents` in bytes.
fn prepare(
    unsigned_pdf: &[u8],
    key: &SigningKey,
    at: DateTime<Utc>,
    reason: &str,
    location: &str,
) -> Result<(Vec<u8>, usize), PdfError> {
    let prev = lopdf::Document::load_mem(unsigned_pdf).map_err(err)?;
    if prev.is_encrypted() {
        return Err(PdfError::Sign("encrypted PDFs are not supported".into()));
    }
    let root_id: ObjectId = prev
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|e| PdfError::Sign(format!("trailer /Root: {e}")))?;
    let page_id = *prev
        .get_pages()
        .get(&1)
        .ok_or_else(|| PdfError::Sign("the PDF has no page".into()))?;
    let version = prev.version.clone();
    let capacity = contents_capacity(key)?;

    // Read what the update changes before `prev` moves into the incremental document.
    let mut catalog = prev.get_dictionary(root_id).map_err(err)?.clone();
    let (mut acroform, acroform_id) = match catalog.get(b"AcroForm") {
        Ok(Object::Reference(id)) => (prev.get_dictionary(*id).map_err(err)?.clone(), Some(*id)),
        Ok(Object::Dictionary(d)) => (d.clone(), None),
        _ => (Dictionary::new(), None),
    };
    let mut fields = match acroform.get(b"Fields") {
        Ok(f) => array_of(&prev, f)?,
        Err(_) => Vec::new(),
    };
    let taken = field_names(&prev, &fields);
    let name = (1..)
        .map(|i| match i {
            1 => SIGNATURE_FIELD_NAME.to_string(),
            i => format!("{SIGNATURE_FIELD_NAME}{i}"),
        })
        .find(|n| !taken.iter().any(|t| t == n.as_bytes()))
        .unwrap_or_else(|| SIGNATURE_FIELD_NAME.to_string());
    let mut page = prev.get_dictionary(page_id).map_err(err)?.clone();
    let mut annots = match page.get(b"Annots") {
        Ok(a) => array_of(&prev, a)?,
        Err(_) => Vec::new(),
    };

    let mut inc = IncrementalDocument::create_from(unsigned_pdf.to_vec(), prev);
    inc.new_document.version = version;

    let sig_id = inc.new_document.new_object_id();
    let field_id = inc.new_document.new_object_id();

    let mut sig = Dictionary::new();
    sig.set("Type", Object::Name(b"Sig".to_vec()));
    sig.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
    sig.set("SubFilter", Object::Name(b"ETSI.CAdES.detached".to_vec()));
    sig.set(
        "ByteRange",
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(BYTE_RANGE_PLACEHOLDER),
            Object::Integer(BYTE_RANGE_PLACEHOLDER),
            Object::Integer(BYTE_RANGE_PLACEHOLDER),
        ]),
    );
    sig.set(
        "Contents",
        Object::String(vec![0u8; capacity], StringFormat::Hexadecimal),
    );
    sig.set(
        "M",
        Object::String(pdf_date(at).into_bytes(), StringFormat::Literal),
    );
    sig.set(
        "Name",
        lopdf::text_string(&crate::pki::identity::common_name(key.certificate())),
    );
    if !reason.is_empty() {
        sig.set("Reason", lopdf::text_string(reason));
    }
    if !location.is_empty() {
        sig.set("Location", lopdf::text_string(location));
    }
    let mut app = Dictionary::new();
    app.set("Name", Object::Name(b"Ruqsat".to_vec()));
    let mut build = Dictionary::new();
    build.set("App", app);
    sig.set("Prop_Build", build);
    inc.new_document.set_object(sig_id, sig);

    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set("T", lopdf::text_string(&name));
    field.set("V", Object::Reference(sig_id));
    // Print (4) + Locked (128); invisible: zero-size rectangle.
    field.set("F", Object::Integer(132));
    field.set(
        "Rect",
        Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
    );
    field.set("P", Object::Reference(page_id));
    inc.new_document.set_object(field_id, field);

    fields.push(Object::Reference(field_id));
    acroform.set("Fields", Object::Array(fields));
    // SignaturesExist (1) + AppendOnly (2).
    acroform.set("SigFlags", Object::Integer(3));
    match acroform_id {
        Some(id) => inc.new_document.set_object(id, acroform),
        None => catalog.set("AcroForm", acroform),
    }
    inc.new_document.set_object(root_id, catalog);

    // Page 1 gets the widget in /Annots.
    annots.push(Object::Reference(field_id));
    page.set("Annots", Object::Array(annots));
    inc.new_document.set_object(page_id, page);

    let mut out = Vec::with_capacity(unsigned_pdf.len() + 2 * capacity + 2048);
    inc.save_to(&mut out).map_err(err)?;
    if !out.starts_with(unsigned_pdf) {
        return Err(PdfError::Sign(
            "the update did not keep the original bytes".into(),
        ));
    }
    Ok((out, capacity))
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Signs `unsigned_pdf` (PAdES-B-B, incremental update) with `key` at time `at`
/// (`/M`). `reason` and `location` are shown by PDF readers.
pub fn sign(
    unsigned_pdf: &[u8],
    key: &SigningKey,
    at: DateTime<Utc>,
    reason: &str,
    location: &str,
) -> Result<Vec<u8>, PdfError> {
    let (mut out, capacity) = prepare(unsigned_pdf, key, at, reason, location)?;
    let base = unsigned_pdf.len();

    // Locate the placeholders in the appended part only.
    let br = find(&out, b"/ByteRange", base)
        .ok_or_else(|| PdfError::Sign("ByteRange placeholder not found".into()))?;
    let open = find(&out, b"[", br).ok_or_else(|| PdfError::Sign("ByteRange [".into()))?;
    let close = find(&out, b"]", open).ok_or_else(|| PdfError::Sign("ByteRange ]".into()))?;
    let mut hole = vec![b'0'; 2 * capacity + 2];
    hole[0] = b'<';
    hole[2 * capacity + 1] = b'>';
    let a = find(&out, &hole, base)
        .ok_or_else(|| PdfError::Sign("Contents placeholder not found".into()))?;
    let b = a + hole.len();
    let c = out.len() - b;

    let ranges = format!("0 {a} {b} {c}");
    let slot = close - open - 1;
    if ranges.len() > slot {
        return Err(PdfError::Sign(
            "ByteRange does not fit its placeholder".into(),
        ));
    }
    out[open + 1..close].copy_from_slice(format!("{ranges:<slot$}").as_bytes());

    let mut signed = Vec::with_capacity(out.len() - hole.len());
    signed.extend_from_slice(&out[..a]);
    signed.extend_from_slice(&out[b..]);
    let cms = key.sign_detached_pades(&signed, at).map_err(err)?;
    if cms.len() > capacity {
        return Err(PdfError::Sign(format!(
            "CMS of {} bytes exceeds the reserved {capacity}",
            cms.len()
        )));
    }
    let hex = hex::encode_upper(&cms);
    out[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}
