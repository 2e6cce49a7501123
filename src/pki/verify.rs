//! CMS SignedData verification: the ПЭП / ИС МИО signature checks
//! (R-000-19..22, R-003-24..27, R-004-18..21, R-004-31..34; G-39, G-50).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use cms::cert::CertificateChoices;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::revocation::RevocationInfoChoices;
use cms::signed_data::{
    CertificateSet, DigestAlgorithmIdentifiers, EncapsulatedContentInfo, SignedData,
    SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::rfc5911::{ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME};
use der::asn1::{AnyRef, ObjectIdentifier, OctetString};
use der::{
    Decode, DecodeValue, Encode, EncodeValue, FixedTag, Header, Length, Reader, Sequence,
    SliceReader, Tag, Writer,
};
use x509_cert::time::Time;

use super::algorithms::{AlgError, Digest};
use super::certs::{self, CertInfo};
use super::crl::{self, CrlSource};
use super::error::SignatureFailure;
use super::identity::ExpectedSigner;
use super::trust::TrustStore;

/// Longest chain we try to build (leaf + intermediates + root).
const MAX_CHAIN: usize = 8;

/// What a successful verification established about the signer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifiedSigner {
    pub subject_cn: String,
    pub iin: Option<String>,
    pub bin: Option<String>,
    /// Upper-case hex, as `openssl x509 -serial` prints it.
    pub serial_hex: String,
    /// Issuer DN (RFC 4514).
    pub issuer: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    /// The signed `signingTime` attribute, if present (claimed by the signer).
    pub signing_time: Option<DateTime<Utc>>,
    /// e.g. "RSA-2048/SHA-256" or "ECDSA-P256/SHA-256".
    pub algorithm: String,
}

/// Verifies signatures against a trust store, checking revocation with `crls`.
#[derive(Clone)]
pub struct Verifier {
    pub trust: TrustStore,
    pub crls: Arc<dyn CrlSource>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("trust", &self.trust)
            .finish_non_exhaustive()
    }
}

fn malformed(msg: impl Into<String>) -> SignatureFailure {
    SignatureFailure::Malformed(msg.into())
}

/// Accepts DER, PEM (`CMS`, `PKCS7`, `SIGNED DATA`) or bare base64.
pub fn decode_cms_input(input: &[u8]) -> Result<Vec<u8>, SignatureFailure> {
    cms_der(input).map(Cow::into_owned)
}

/// [`decode_cms_input`] without copying DER input.
fn cms_der(input: &[u8]) -> Result<Cow<'_, [u8]>, SignatureFailure> {
    use base64::Engine;
    // DER is used as is: trimming could eat signature bytes that happen to
    // look like whitespace.
    if input.first() == Some(&0x30) {
        return Ok(Cow::Borrowed(input));
    }
    let trimmed = input.trim_ascii();
    let text =
        std::str::from_utf8(trimmed).map_err(|_| malformed("neither DER nor PEM/base64 text"))?;
    if text.contains("-----BEGIN ") {
        let block = certs::pem_blocks(text)
            .into_iter()
            .find(|b| matches!(b.label.as_str(), "CMS" | "PKCS7" | "PKCS #7 SIGNED DATA"))
            .ok_or_else(|| malformed("no CMS or PKCS7 PEM block"))?;
        return Ok(Cow::Owned(block.der));
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let engine = base64::engine::general_purpose::STANDARD;
    let der = engine
        .decode(compact.as_bytes())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(compact.as_bytes()))
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(compact.trim_end_matches('='))
        })
        .map_err(|_| malformed("neither DER nor valid base64"))?;
    if der.first() != Some(&0x30) {
        return Err(malformed("decoded base64 is not a DER SEQUENCE"));
    }
    Ok(Cow::Owned(der))
}

/// Parses ContentInfo → SignedData.
pub fn parse_signed_data(der: &[u8]) -> Result<SignedData, SignatureFailure> {
    let ci = ContentInfo::from_der(der).map_err(|e| malformed(format!("ContentInfo: {e}")))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(malformed(format!(
            "content type {} is not signedData",
            ci.content_type
        )));
    }
    ci.content
        .decode_as::<SignedData>()
        .map_err(|e| malformed(format!("SignedData: {e}")))
}

/// [`ContentInfo`] with the content left encoded (borrowed, not copied).
#[derive(Sequence)]
struct ContentInfoRef<'a> {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    content: AnyRef<'a>,
}

/// [`SignedData`] with the `certificates` field left encoded: the verifier
/// decodes it once per distinct value (see [`ChainCache`]). Every other field
/// is decoded, and so checked, exactly as [`SignedData`] does.
#[derive(Sequence)]
struct SignedDataRef<'a> {
    version: CmsVersion,
    digest_algorithms: DigestAlgorithmIdentifiers,
    encap_content_info: EncapsulatedContentInfo,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    certificates: Option<RawSet<'a>>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    crls: Option<RevocationInfoChoices>,
    signer_infos: SignerInfos,
}

/// The content octets of a SET, undecoded.
struct RawSet<'a>(&'a [u8]);

impl<'a> DecodeValue<'a> for RawSet<'a> {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        reader.read_slice(header.length).map(RawSet)
    }
}

impl EncodeValue for RawSet<'_> {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.0)
    }
}

impl FixedTag for RawSet<'_> {
    const TAG: Tag = Tag::Set;
}

/// ContentInfo → SignedData, the certificates left encoded.
fn parse_signed_data_ref(der: &[u8]) -> Result<SignedDataRef<'_>, SignatureFailure> {
    let ci = ContentInfoRef::from_der(der).map_err(|e| malformed(format!("ContentInfo: {e}")))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(malformed(format!(
            "content type {} is not signedData",
            ci.content_type
        )));
    }
    ci.content
        .decode_as::<SignedDataRef<'_>>()
        .map_err(|e| malformed(format!("SignedData: {e}")))
}

/// Decodes the content octets of the `certificates` field as
/// [`SignedData`] decodes that field.
fn decode_certificate_set(content: &[u8]) -> der::Result<CertificateSet> {
    let mut reader = SliceReader::new(content)?;
    let header = Header::new(Tag::Set, Length::try_from(content.len())?)?;
    let set = CertificateSet::decode_value(&mut reader, header)?;
    reader.finish(set)
}

/// Chains validated against one trust store (which owns the cache and starts
/// a new one whenever it changes).
///
/// Keyed by the exact bytes of the CMS `certificates` field; an entry holds
/// those certificates decoded and, for each signer certificate met with them,
/// the chain to a trusted root that passed [`Verifier::build_chain`] and
/// [`check_key_usage`]. Both are pure functions of those bytes and the trust
/// store, so a hit skips decoding, chain building and the certificate
/// signature checks. Only successes are kept. Everything that depends on the
/// call (the signature and message digest, validity at the verification time,
/// revocation) is checked on every verification.
#[derive(Default)]
pub(crate) struct ChainCache {
    sets: Mutex<HashMap<Box<[u8]>, Arc<CertSet>>>,
}

/// Most distinct `certificates` fields remembered; cleared when full.
const MAX_CACHED_SETS: usize = 1024;

/// A validated chain, signer certificate first, trusted root last.
type Chain = Arc<[Arc<CertInfo>]>;

/// The decoded certificates of one CMS `certificates` field.
struct CertSet {
    embedded: Vec<Arc<CertInfo>>,
    /// Validated chains, by the signer certificate's index in `embedded`
    /// followed by the trust store's intermediates.
    chains: Mutex<Vec<(usize, Chain)>>,
}

impl CertSet {
    fn decode(content: Option<&[u8]>) -> Result<Self, SignatureFailure> {
        let embedded = match content {
            None => Vec::new(),
            Some(content) => decode_certificate_set(content)
                .map_err(|e| malformed(format!("SignedData: {e}")))?
                .0
                .into_vec()
                .into_iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(Arc::new(CertInfo::new(c))),
                    _ => None,
                })
                .collect(),
        };
        Ok(Self {
            embedded,
            chains: Mutex::new(Vec::new()),
        })
    }

    fn chain(&self, leaf: usize) -> Option<Chain> {
        let chains = self.chains.lock().unwrap_or_else(|p| p.into_inner());
        chains
            .iter()
            .find(|(i, _)| *i == leaf)
            .map(|(_, c)| c.clone())
    }
}

impl ChainCache {
    fn get(&self, key: &[u8]) -> Option<Arc<CertSet>> {
        let sets = self.sets.lock().unwrap_or_else(|p| p.into_inner());
        sets.get(key).cloned()
    }

    fn remember(&self, key: &[u8], set: &Arc<CertSet>, leaf: usize, chain: Chain) {
        {
            let mut chains = set.chains.lock().unwrap_or_else(|p| p.into_inner());
            if !chains.iter().any(|(i, _)| *i == leaf) {
                chains.push((leaf, chain));
            }
        }
        let mut sets = self.sets.lock().unwrap_or_else(|p| p.into_inner());
        if !sets.contains_key(key) {
            if sets.len() >= MAX_CACHED_SETS {
                sets.clear();
            }
            sets.insert(key.into(), set.clone());
        }
    }
}

fn signer_matches(sid: &SignerIdentifier, c: &CertInfo) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            ias.issuer == c.cert.tbs_certificate.issuer
                && ias.serial_number == c.cert.tbs_certificate.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            c.subject_key_id.as_deref() == Some(ski.0.as_bytes())
        }
    }
}

struct SignedAttrs {
    content_type: Option<ObjectIdentifier>,
    message_digest: Option<Vec<u8>>,
    signing_time: Option<DateTime<Utc>>,
}

fn read_signed_attrs(si: &SignerInfo) -> Result<Option<SignedAttrs>, SignatureFailure> {
    let Some(attrs) = &si.signed_attrs else {
        return Ok(None);
    };
    let mut out = SignedAttrs {
        content_type: None,
        message_digest: None,
        signing_time: None,
    };
    for a in attrs.iter() {
        let single = || {
            let mut it = a.values.iter();
            match (it.next(), it.next()) {
                (Some(v), None) => Ok(v),
                _ => Err(malformed(format!(
                    "attribute {} must have one value",
                    a.oid
                ))),
            }
        };
        match a.oid {
            ID_CONTENT_TYPE => {
                if out.content_type.is_some() {
                    return Err(malformed("duplicate contentType attribute"));
                }
                out.content_type = Some(
                    single()?
                        .decode_as::<ObjectIdentifier>()
                        .map_err(|e| malformed(format!("contentType: {e}")))?,
                );
            }
            ID_MESSAGE_DIGEST => {
                if out.message_digest.is_some() {
                    return Err(malformed("duplicate messageDigest attribute"));
                }
                out.message_digest = Some(
                    single()?
                        .decode_as::<OctetString>()
                        .map_err(|e| malformed(format!("messageDigest: {e}")))?
                        .into_bytes(),
                );
            }
            ID_SIGNING_TIME => {
                let der = single()?
                    .to_der()
                    .map_err(|e| malformed(format!("signingTime: {e}")))?;
                let t = Time::from_der(&der).map_err(|e| malformed(format!("signingTime: {e}")))?;
                out.signing_time = Some(certs::time_to_chrono(&t));
            }
            _ => {}
        }
    }
    Ok(Some(out))
}

fn alg_to_failure(e: AlgError) -> SignatureFailure {
    match e {
        AlgError::Invalid => SignatureFailure::BadSignature,
        AlgError::BadKey(m) => malformed(m),
        AlgError::Unsupported(m) => malformed(m),
    }
}

impl Verifier {
    pub fn new(trust: TrustStore, crls: Arc<dyn CrlSource>) -> Self {
        Self { trust, crls }
    }

    /// Verifies a CMS SignedData over `payload` at time `at` (normally now;
    /// certificate validity is evaluated at `at`).
    ///
    /// `cms`: DER, PEM (`-----BEGIN CMS-----` / `-----BEGIN PKCS7-----`) or
    /// base64. Detached (payload given separately) and attached (the
    /// encapsulated content must equal `payload`) are both accepted.
    ///
    /// Order of checks (the first failure is returned):
    /// 1. structure → `SIGNATURE_MALFORMED`;
    /// 2. encapsulated content / messageDigest vs payload → `SIGNATURE_PAYLOAD_MISMATCH`;
    /// 3. signer's signature → `SIGNATURE_INVALID`;
    /// 4. chain to a trusted root → `SIGNATURE_UNTRUSTED_ISSUER`;
    /// 5. key usage / CA constraints → `CERTIFICATE_KEY_USAGE`;
    /// 6. validity of every certificate at `at` → `CERTIFICATE_EXPIRED` / `_NOT_YET_VALID` (R-003-24);
    /// 7. revocation of every non-root certificate → `CERTIFICATE_REVOKED` / `CRL_UNAVAILABLE` (R-003-25);
    /// 8. identity → `SIGNER_IDENTITY_MISMATCH` (R-003-26).
    pub fn verify(
        &self,
        payload: &[u8],
        cms: &[u8],
        expected: Option<&ExpectedSigner>,
        at: DateTime<Utc>,
    ) -> Result<VerifiedSigner, SignatureFailure> {
        // 1. Structure.
        let der = cms_der(cms)?;
        let sd = parse_signed_data_ref(&der)?;
        let mut signers = sd.signer_infos.0.iter();
        let si = match (signers.next(), signers.next()) {
            (Some(si), None) => si,
            (None, _) => return Err(malformed("no signerInfo")),
            (Some(_), Some(_)) => return Err(malformed("more than one signerInfo")),
        };
        let certs_field = sd.certificates.as_ref().map(|c| c.0);
        let cache_key = certs_field.unwrap_or_default();
        let cached_set = self.trust.chains().get(cache_key);
        let set = match &cached_set {
            Some(set) => set.clone(),
            None => Arc::new(CertSet::decode(certs_field)?),
        };
        let (leaf_index, leaf) = set
            .embedded
            .iter()
            .chain(self.trust.intermediate_infos())
            .enumerate()
            .find(|(_, c)| signer_matches(&si.sid, c))
            .ok_or_else(|| malformed("signer certificate not included"))?;

        // 2. Content and message digest.
        let econtent_type = sd.encap_content_info.econtent_type;
        if let Some(ec) = &sd.encap_content_info.econtent {
            let content = ec
                .decode_as::<OctetString>()
                .map_err(|e| malformed(format!("eContent: {e}")))?;
            if content.as_bytes() != payload {
                return Err(SignatureFailure::PayloadMismatch);
            }
        }
        let digest = Digest::from_oid(&si.digest_alg.oid)
            .ok_or_else(|| malformed(format!("unsupported digest {}", si.digest_alg.oid)))?;
        let attrs = read_signed_attrs(si)?;
        let signature = si.signature.as_bytes();
        let (signed_bytes, signing_time) = match &attrs {
            Some(a) => {
                let md = a
                    .message_digest
                    .as_ref()
                    .ok_or_else(|| malformed("signed attributes lack messageDigest"))?;
                match a.content_type {
                    Some(ct) if ct == econtent_type => {}
                    Some(_) => {
                        return Err(malformed("contentType attribute differs from eContentType"))
                    }
                    None => return Err(malformed("signed attributes lack contentType")),
                }
                if *md != digest.hash(payload) {
                    return Err(SignatureFailure::PayloadMismatch);
                }
                let encoded = si
                    .signed_attrs
                    .as_ref()
                    .map(|s| s.to_der())
                    .transpose()
                    .map_err(|e| malformed(format!("signed attributes: {e}")))?
                    .unwrap_or_default();
                (Cow::Owned(encoded), a.signing_time)
            }
            // Without signed attributes the signature covers the content itself.
            None => (Cow::Borrowed(payload), None),
        };

        // 3. Signature.
        let algorithm = leaf
            .key
            .as_ref()
            .map_err(|e| e.clone())
            .and_then(|key| {
                key.verify(
                    &si.signature_algorithm,
                    Some(digest),
                    &signed_bytes,
                    signature,
                )
            })
            .map_err(alg_to_failure)?;

        // 4. Chain and 5. key usage and CA constraints: computed once per
        // (certificates field, signer certificate) under this trust store.
        let chain = match set.chain(leaf_index) {
            Some(chain) => chain,
            None => {
                let chain = self.build_chain(leaf, &set.embedded)?;
                check_key_usage(&chain)?;
                let chain: Chain = chain.into();
                self.trust
                    .chains()
                    .remember(cache_key, &set, leaf_index, chain.clone());
                chain
            }
        };

        // 6. Validity (R-000-19, R-003-24, R-004-18, R-004-31).
        for c in chain.iter() {
            if at < c.not_before {
                return Err(SignatureFailure::NotYetValid);
            }
            if at > c.not_after {
                return Err(SignatureFailure::Expired);
            }
        }

        // 7. Revocation (R-000-20, R-003-25, R-004-19, R-004-32).
        for pair in chain.windows(2) {
            let (cert, issuer) = (&pair[0], &pair[1]);
            let list = self.crls.crl_for(&issuer.cert, &cert.crl_urls, at)?;
            crl::check_crl(&list, issuer, at)?;
            if list.is_listed(&cert.cert) {
                return Err(SignatureFailure::Revoked);
            }
        }

        // 8. Identity (R-000-21, R-003-26, R-004-20, R-004-33; G-39).
        let subject = &leaf.subject;
        match expected {
            Some(ExpectedSigner::Iin(want)) if subject.iin.as_deref() != Some(want) => {
                return Err(SignatureFailure::IdentityMismatch)
            }
            Some(ExpectedSigner::Bin(want)) if subject.bin.as_deref() != Some(want) => {
                return Err(SignatureFailure::IdentityMismatch)
            }
            _ => {}
        }

        Ok(VerifiedSigner {
            subject_cn: subject.common_name.clone(),
            iin: subject.iin.clone(),
            bin: subject.bin.clone(),
            serial_hex: subject.serial_hex.clone(),
            issuer: subject.issuer.clone(),
            not_before: leaf.not_before,
            not_after: leaf.not_after,
            signing_time,
            algorithm,
        })
    }

    /// Builds leaf → … → trusted root, using the trust store's roots and
    /// intermediates and the CMS-embedded certificates (never as anchors).
    fn build_chain(
        &self,
        leaf: &Arc<CertInfo>,
        embedded: &[Arc<CertInfo>],
    ) -> Result<Vec<Arc<CertInfo>>, SignatureFailure> {
        let mut path = vec![leaf.clone()];
        if self.extend(&mut path, embedded) {
            Ok(path)
        } else {
            Err(SignatureFailure::UnknownIssuer)
        }
    }

    fn extend(&self, path: &mut Vec<Arc<CertInfo>>, embedded: &[Arc<CertInfo>]) -> bool {
        let Some(current) = path.last().cloned() else {
            return false;
        };
        if self.trust.is_root(&current.cert) {
            return true;
        }
        if path.len() >= MAX_CHAIN {
            return false;
        }
        let aki = certs::authority_key_id(&current.cert);
        let candidates = self
            .trust
            .root_infos()
            .iter()
            .chain(self.trust.intermediate_infos())
            .chain(embedded);
        for cand in candidates {
            if cand.cert.tbs_certificate.subject != current.cert.tbs_certificate.issuer
                || path.iter().any(|p| p.cert == cand.cert)
            {
                continue;
            }
            if let (Some(aki), Some(ski)) = (&aki, &cand.subject_key_id) {
                if aki != ski {
                    continue;
                }
            }
            if certs::verify_cert_signature(&current.cert, &cand.cert).is_err() {
                continue;
            }
            path.push(cand.clone());
            if self.extend(path, embedded) {
                return true;
            }
            path.pop();
        }
        false
    }
}

/// Leaf: keyUsage with digitalSignature or nonRepudiation. Every CA above it:
/// basicConstraints cA=TRUE, keyUsage keyCertSign, pathLenConstraint respected.
fn check_key_usage(chain: &[Arc<CertInfo>]) -> Result<(), SignatureFailure> {
    let Some((leaf, cas)) = chain.split_first() else {
        return Err(SignatureFailure::UnknownIssuer);
    };
    let ku = leaf.key_usage.ok_or(SignatureFailure::WrongKeyUsage)?;
    if !(ku.digital_signature() || ku.non_repudiation()) {
        return Err(SignatureFailure::WrongKeyUsage);
    }
    if certs::basic_constraints(&leaf.cert).is_some_and(|bc| bc.ca) {
        // A CA key must not sign documents.
        return Err(SignatureFailure::WrongKeyUsage);
    }
    for (i, ca) in cas.iter().enumerate() {
        let bc = certs::basic_constraints(&ca.cert).ok_or(SignatureFailure::WrongKeyUsage)?;
        if !bc.ca {
            return Err(SignatureFailure::WrongKeyUsage);
        }
        // `i` = number of intermediate CA certificates below this one.
        if let Some(max) = bc.path_len_constraint {
            if i > usize::from(max) {
                return Err(SignatureFailure::WrongKeyUsage);
            }
        }
        let ku = ca.key_usage.ok_or(SignatureFailure::WrongKeyUsage)?;
        if !ku.key_cert_sign() {
            return Err(SignatureFailure::WrongKeyUsage);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn der_input_is_not_trimmed() {
        // A DER signature may end in a byte that looks like whitespace.
        let der = [0x30, 0x03, 0x04, 0x01, 0x20];
        assert_eq!(decode_cms_input(&der).unwrap(), der.to_vec());
    }

    #[test]
    fn base64_and_pem_inputs_decode() {
        let der = [0x30, 0x03, 0x04, 0x01, 0x0a];
        assert_eq!(decode_cms_input(b"  MAMEAQo=\n").unwrap(), der.to_vec());
        let pem = "-----BEGIN PKCS7-----\nMAMEAQo=\n-----END PKCS7-----\n";
        assert_eq!(decode_cms_input(pem.as_bytes()).unwrap(), der.to_vec());
        let other = "-----BEGIN CERTIFICATE-----\nMAMEAQo=\n-----END CERTIFICATE-----\n";
        assert_eq!(
            decode_cms_input(other.as_bytes()).unwrap_err().code(),
            ErrorCode::SignatureMalformed
        );
        assert!(decode_cms_input(b"%%%").is_err());
        assert!(decode_cms_input(b"").is_err());
    }
}
