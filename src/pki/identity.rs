//! Who a certificate names: IIN / BIN extraction following the layout of the
//! certificates of the Kazakh national certification centre (НУЦ РК).

use const_oid::db::rfc4519::{COMMON_NAME, ORGANIZATIONAL_UNIT_NAME, SERIAL_NUMBER};
use der::asn1::{
    Any, BmpString, Ia5StringRef, ObjectIdentifier, PrintableStringRef, Utf8StringRef,
};
use der::{Tag, Tagged};
use x509_cert::name::Name;
use x509_cert::Certificate;

/// Whose identity the signing certificate must carry (R-003-26, R-000-21,
/// R-004-20, R-004-33; for the desk channel the МИО employee's IIN, G-39).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedSigner {
    /// Individual identification number (ИИН), 12 digits, compared as given.
    Iin(String),
    /// Business identification number (БИН), 12 digits, compared as given.
    Bin(String),
}

impl From<&crate::domain::identity::Iin> for ExpectedSigner {
    fn from(iin: &crate::domain::identity::Iin) -> Self {
        ExpectedSigner::Iin(iin.as_str().to_string())
    }
}

impl From<&crate::domain::identity::Bin> for ExpectedSigner {
    fn from(bin: &crate::domain::identity::Bin) -> Self {
        ExpectedSigner::Bin(bin.as_str().to_string())
    }
}

/// Decodes a directory string value (UTF8String, PrintableString, IA5String,
/// TeletexString treated as Latin-1, BMPString).
pub fn attr_string(value: &Any) -> Option<String> {
    match value.tag() {
        Tag::Utf8String => Utf8StringRef::try_from(value)
            .ok()
            .map(|s| s.as_str().to_string()),
        Tag::PrintableString => PrintableStringRef::try_from(value)
            .ok()
            .map(|s| s.as_str().to_string()),
        Tag::Ia5String => Ia5StringRef::try_from(value)
            .ok()
            .map(|s| s.as_str().to_string()),
        Tag::TeletexString => Some(value.value().iter().map(|&b| b as char).collect()),
        Tag::BmpString => BmpString::from_ucs2(value.value().to_vec())
            .ok()
            .map(|s| s.to_string()),
        _ => None,
    }
}

/// All string values of `oid` in a name, in order.
pub fn name_values(name: &Name, oid: ObjectIdentifier) -> Vec<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid == oid)
        .filter_map(|atv| attr_string(&atv.value))
        .collect()
}

/// The subject's commonName (first one), or "" when absent.
pub fn common_name(cert: &Certificate) -> String {
    name_values(&cert.tbs_certificate.subject, COMMON_NAME)
        .into_iter()
        .next()
        .unwrap_or_default()
}

fn prefixed_12_digits(value: &str, prefix: &str) -> Option<String> {
    let rest = value.trim().strip_prefix(prefix)?;
    (rest.len() == 12 && rest.bytes().all(|b| b.is_ascii_digit())).then(|| rest.to_string())
}

/// Identity from the subject: a person's IIN from subject `serialNumber`
/// "IIN" + 12 digits; a legal entity's BIN from `organizationalUnitName`
/// "BIN" + 12 digits (as НУЦ РК issues them). Returns `(iin, bin)`.
/// The checksum digit is not validated: the verifier compares strings.
pub fn subject_identity(cert: &Certificate) -> (Option<String>, Option<String>) {
    let subject = &cert.tbs_certificate.subject;
    let iin = name_values(subject, SERIAL_NUMBER)
        .iter()
        .find_map(|v| prefixed_12_digits(v, "IIN"));
    let bin = name_values(subject, ORGANIZATIONAL_UNIT_NAME)
        .iter()
        .find_map(|v| prefixed_12_digits(v, "BIN"));
    (iin, bin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_rules() {
        assert_eq!(
            prefixed_12_digits("IIN900101300019", "IIN").as_deref(),
            Some("900101300019")
        );
        assert_eq!(prefixed_12_digits("IIN90010130001", "IIN"), None);
        assert_eq!(prefixed_12_digits("IIN9001013000199", "IIN"), None);
        assert_eq!(prefixed_12_digits("900101300019", "IIN"), None);
        assert_eq!(prefixed_12_digits("BIN12345678901A", "BIN"), None);
        assert_eq!(
            prefixed_12_digits(" BIN123456789012 ", "BIN").as_deref(),
            Some("123456789012")
        );
    }
}
