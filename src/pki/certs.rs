//! Small helpers over `x509_cert` types: loading, times, extensions, names.

use chrono::{DateTime, Utc};
use der::{Decode, DecodePem, Encode};
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CrlDistributionPoints, KeyUsage, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::time::Time;
use x509_cert::Certificate;

use super::algorithms::{self, AlgError, PublicKey};
use super::identity;

/// A certificate and what verification reads from it, decoded once. Every
/// field is a pure function of the certificate, so one `CertInfo` serves all
/// the verifications that meet the same certificate (see the verifier's chain
/// cache); nothing here depends on the time or on revocation.
#[derive(Debug)]
pub struct CertInfo {
    pub cert: Certificate,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub subject_key_id: Option<Vec<u8>>,
    pub key_usage: Option<KeyUsage>,
    pub crl_urls: Vec<String>,
    /// The subject public key, checked against policy, or why it is unusable.
    pub key: Result<PublicKey, AlgError>,
    pub subject: SubjectFields,
}

/// Who a certificate names and who issued it, as a verification reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectFields {
    pub common_name: String,
    pub iin: Option<String>,
    pub bin: Option<String>,
    /// Upper-case hex, see [`serial_hex`].
    pub serial_hex: String,
    /// Issuer DN (RFC 4514).
    pub issuer: String,
}

impl SubjectFields {
    pub fn of(cert: &Certificate) -> Self {
        let (iin, bin) = identity::subject_identity(cert);
        Self {
            common_name: identity::common_name(cert),
            iin,
            bin,
            serial_hex: serial_hex(cert),
            issuer: name_string(&cert.tbs_certificate.issuer),
        }
    }
}

impl CertInfo {
    pub fn new(cert: Certificate) -> Self {
        Self {
            not_before: not_before(&cert),
            not_after: not_after(&cert),
            subject_key_id: subject_key_id(&cert),
            key_usage: key_usage(&cert),
            crl_urls: crl_urls(&cert),
            key: PublicKey::new(&cert.tbs_certificate.subject_public_key_info),
            subject: SubjectFields::of(&cert),
            cert,
        }
    }
}

/// Parses every `CERTIFICATE` block of a PEM text (other blocks are skipped).
pub fn certs_from_pem(pem: &str) -> anyhow::Result<Vec<Certificate>> {
    let mut out = Vec::new();
    for block in pem_blocks(pem) {
        if block.label == "CERTIFICATE" || block.label == "X509 CERTIFICATE" {
            let cert = Certificate::from_pem(block.text.as_bytes())
                .or_else(|_| Certificate::from_der(&block.der))
                .map_err(|e| anyhow::anyhow!("bad certificate in PEM: {e}"))?;
            out.push(cert);
        }
    }
    Ok(out)
}

/// Parses one certificate given as DER or PEM.
pub fn cert_from_der_or_pem(bytes: &[u8]) -> anyhow::Result<Certificate> {
    if let Ok(c) = Certificate::from_der(bytes) {
        return Ok(c);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("certificate is neither DER nor PEM"))?;
    certs_from_pem(text)?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no CERTIFICATE block found"))
}

/// One PEM block: its label, its full text and decoded bytes.
pub struct PemBlock {
    pub label: String,
    pub text: String,
    pub der: Vec<u8>,
}

/// Splits a text into PEM blocks; blocks that fail base64 decoding are skipped.
pub fn pem_blocks(text: &str) -> Vec<PemBlock> {
    use base64::Engine;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = after[..label_end].to_string();
        let end_marker = format!("-----END {label}-----");
        let body_start = start + 11 + label_end + 5;
        let Some(end_rel) = rest[body_start..].find(&end_marker) else {
            break;
        };
        let body = &rest[body_start..body_start + end_rel];
        let block_end = body_start + end_rel + end_marker.len();
        let full = &rest[start..block_end];
        let b64: String = body
            .lines()
            .filter(|l| !l.contains(':')) // RFC 1421 headers
            .flat_map(|l| l.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()) {
            out.push(PemBlock {
                label,
                text: format!("{full}\n"),
                der,
            });
        }
        rest = &rest[block_end..];
    }
    out
}

pub fn time_to_chrono(t: &Time) -> DateTime<Utc> {
    let d = t.to_unix_duration();
    DateTime::<Utc>::from_timestamp(d.as_secs() as i64, d.subsec_nanos()).unwrap_or_default()
}

/// chrono → X.509 Time (UTCTime before 2050, GeneralizedTime after, per RFC 5280).
pub fn chrono_to_time(t: DateTime<Utc>) -> anyhow::Result<Time> {
    let secs = u64::try_from(t.timestamp())
        .map_err(|_| anyhow::anyhow!("time before 1970 not supported"))?;
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|e| anyhow::anyhow!("bad time: {e}"))?;
    if dt.year() < 2050 {
        Ok(Time::UtcTime(
            der::asn1::UtcTime::from_date_time(dt).map_err(|e| anyhow::anyhow!("{e}"))?,
        ))
    } else {
        Ok(Time::GeneralTime(
            der::asn1::GeneralizedTime::from_date_time(dt),
        ))
    }
}

pub fn not_before(c: &Certificate) -> DateTime<Utc> {
    time_to_chrono(&c.tbs_certificate.validity.not_before)
}

pub fn not_after(c: &Certificate) -> DateTime<Utc> {
    time_to_chrono(&c.tbs_certificate.validity.not_after)
}

/// RFC 4514 string of a name.
pub fn name_string(n: &Name) -> String {
    n.to_string()
}

/// Upper-case hex of the serial number, as `openssl x509 -serial` prints it.
pub fn serial_hex(c: &Certificate) -> String {
    let bytes = c.tbs_certificate.serial_number.as_bytes();
    // Drop a leading sign byte so the value reads as openssl prints it.
    let trimmed = if bytes.len() > 1 && bytes[0] == 0 {
        &bytes[1..]
    } else {
        bytes
    };
    hex::encode_upper(trimmed)
}

/// Checks that `cert` carries a valid signature by `issuer`'s key.
pub fn verify_cert_signature(cert: &Certificate, issuer: &Certificate) -> Result<String, AlgError> {
    if cert.signature_algorithm != cert.tbs_certificate.signature {
        return Err(AlgError::Invalid);
    }
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|e| AlgError::BadKey(format!("TBS encoding: {e}")))?;
    let sig = cert.signature.as_bytes().ok_or(AlgError::Invalid)?;
    algorithms::verify_signature_cached(
        &issuer.tbs_certificate.subject_public_key_info,
        &cert.signature_algorithm,
        None,
        &tbs,
        sig,
    )
}

/// Self-issued and self-signed.
pub fn is_self_signed(c: &Certificate) -> bool {
    c.tbs_certificate.subject == c.tbs_certificate.issuer && verify_cert_signature(c, c).is_ok()
}

pub fn key_usage(c: &Certificate) -> Option<KeyUsage> {
    c.tbs_certificate
        .get::<KeyUsage>()
        .ok()
        .flatten()
        .map(|(_, ku)| ku)
}

pub fn basic_constraints(c: &Certificate) -> Option<BasicConstraints> {
    c.tbs_certificate
        .get::<BasicConstraints>()
        .ok()
        .flatten()
        .map(|(_, bc)| bc)
}

pub fn subject_key_id(c: &Certificate) -> Option<Vec<u8>> {
    c.tbs_certificate
        .get::<SubjectKeyIdentifier>()
        .ok()
        .flatten()
        .map(|(_, ski)| ski.0.as_bytes().to_vec())
}

pub fn authority_key_id(c: &Certificate) -> Option<Vec<u8>> {
    c.tbs_certificate
        .get::<AuthorityKeyIdentifier>()
        .ok()
        .flatten()
        .and_then(|(_, aki)| aki.key_identifier.map(|k| k.as_bytes().to_vec()))
}

/// URIs from the certificate's CRL distribution points.
pub fn crl_urls(c: &Certificate) -> Vec<String> {
    let Ok(Some((_, dps))) = c.tbs_certificate.get::<CrlDistributionPoints>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for dp in dps.0 {
        if let Some(DistributionPointName::FullName(names)) = dp.distribution_point {
            for n in names {
                if let GeneralName::UniformResourceIdentifier(uri) = n {
                    out.push(uri.to_string());
                }
            }
        }
    }
    out
}
