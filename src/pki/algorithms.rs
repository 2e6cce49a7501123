//! Signature-algorithm dispatch.
//!
//! Everything that touches a public key goes through a [`PublicKey`] (or
//! [`verify_signature`], which makes one), which picks an implementation of
//! [`SignatureAlgorithm`] by the key's SubjectPublicKeyInfo algorithm.
//! Supported now: RSA PKCS#1 v1.5 (2048 bits and more) and ECDSA P-256, each
//! with SHA-256/384/512.
//!
//! The Kazakh national PKI (НУЦ РК) also issues GOST 34.310-2004 keys with
//! GOST 34.11-1995 hashes. Those plug in here as a third implementation of
//! [`SignatureAlgorithm`] added to [`ALGORITHMS`], plus the GOST hash arm in
//! [`Digest::from_oid`]; the verifier, trust store and CRL code do not change.

use const_oid::db::{rfc5912, rfc5912::ID_EC_PUBLIC_KEY};
use der::asn1::ObjectIdentifier;
use der::Encode;
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// Minimum RSA modulus accepted in signatures and certificates.
pub const MIN_RSA_BITS: usize = 2048;

/// Message digest algorithms (CMS `digestAlgorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    Sha256,
    Sha384,
    Sha512,
}

impl Digest {
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match *oid {
            rfc5912::ID_SHA_256 => Some(Digest::Sha256),
            rfc5912::ID_SHA_384 => Some(Digest::Sha384),
            rfc5912::ID_SHA_512 => Some(Digest::Sha512),
            _ => None,
        }
    }

    pub fn oid(&self) -> ObjectIdentifier {
        match self {
            Digest::Sha256 => rfc5912::ID_SHA_256,
            Digest::Sha384 => rfc5912::ID_SHA_384,
            Digest::Sha512 => rfc5912::ID_SHA_512,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Digest::Sha256 => "SHA-256",
            Digest::Sha384 => "SHA-384",
            Digest::Sha512 => "SHA-512",
        }
    }

    pub fn hash(&self, data: &[u8]) -> Vec<u8> {
        match self {
            Digest::Sha256 => Sha256::digest(data).to_vec(),
            Digest::Sha384 => Sha384::digest(data).to_vec(),
            Digest::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// Why a low-level signature check failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlgError {
    /// Key type, curve, hash or signature algorithm we do not implement.
    Unsupported(String),
    /// Key below policy (e.g. RSA < 2048 bits) or undecodable key.
    BadKey(String),
    /// The signature does not verify.
    Invalid,
}

impl std::fmt::Display for AlgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AlgError::Unsupported(s) => write!(f, "unsupported algorithm: {s}"),
            AlgError::BadKey(s) => write!(f, "unusable public key: {s}"),
            AlgError::Invalid => write!(f, "signature does not verify"),
        }
    }
}

/// One family of public-key signatures (RSA, ECDSA, later GOST).
///
/// Split in two so that the policy check of a key, a pure function of the
/// SubjectPublicKeyInfo, can be done once per certificate (see [`PublicKey`])
/// and each signature then costs only the public-key operation.
pub trait SignatureAlgorithm: Send + Sync {
    /// Whether this implementation handles keys with this SPKI algorithm.
    fn handles(&self, spki: &SubjectPublicKeyInfoOwned) -> bool;
    /// Checks the key against policy (curve, minimum size, decodability).
    /// Returns a label such as "RSA-2048" or "ECDSA-P256".
    fn check_key(&self, spki: &SubjectPublicKeyInfoOwned) -> Result<String, AlgError>;
    /// Verifies `signature` over `message` with a key that passed
    /// [`SignatureAlgorithm::check_key`]. `sig_alg` is the algorithm named
    /// next to the signature; `digest_hint` is the CMS digestAlgorithm, used
    /// when `sig_alg` names only the key type (e.g. `rsaEncryption`).
    /// Returns the digest the signature was made with.
    fn verify_checked(
        &self,
        spki: &SubjectPublicKeyInfoOwned,
        sig_alg: &AlgorithmIdentifierOwned,
        digest_hint: Option<Digest>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<Digest, AlgError>;
}

/// A public key that passed its algorithm's policy checks, ready to verify
/// any number of signatures.
#[derive(Clone)]
pub struct PublicKey {
    alg: &'static dyn SignatureAlgorithm,
    spki: SubjectPublicKeyInfoOwned,
    /// e.g. "RSA-2048".
    label: String,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// Picks the implementation by the SPKI algorithm and checks the key.
    pub fn new(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, AlgError> {
        let alg = *ALGORITHMS
            .iter()
            .find(|a| a.handles(spki))
            .ok_or_else(|| AlgError::Unsupported(format!("public key {}", spki.algorithm.oid)))?;
        let label = alg.check_key(spki)?;
        Ok(Self {
            alg,
            spki: spki.clone(),
            label,
        })
    }

    /// Verifies `signature` over `message`; returns a label such as "RSA-2048/SHA-256".
    pub fn verify(
        &self,
        sig_alg: &AlgorithmIdentifierOwned,
        digest_hint: Option<Digest>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<String, AlgError> {
        let digest =
            self.alg
                .verify_checked(&self.spki, sig_alg, digest_hint, message, signature)?;
        Ok(format!("{}/{}", self.label, digest.name()))
    }
}

struct Rsa;
struct EcdsaP256;

/// Registered implementations, tried in order.
pub static ALGORITHMS: &[&dyn SignatureAlgorithm] = &[&Rsa, &EcdsaP256];

/// Verifies a signature with the public key `spki`.
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    digest_hint: Option<Digest>,
    message: &[u8],
    signature: &[u8],
) -> Result<String, AlgError> {
    PublicKey::new(spki)?.verify(sig_alg, digest_hint, message, signature)
}

/// Certificates and CRLs are checked again for every signature made under the same chain.
/// Their verification depends only on (key, algorithm, digest, message, signature), so a
/// success is remembered under the SHA-256 of exactly those bytes and a repeat costs one hash
/// instead of a public-key operation. Failures are never cached. Bounded: cleared when full.
pub fn verify_signature_cached(
    spki: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    digest_hint: Option<Digest>,
    message: &[u8],
    signature: &[u8],
) -> Result<String, AlgError> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    const MAX_ENTRIES: usize = 4096;
    static VERIFIED: OnceLock<Mutex<HashMap<[u8; 32], String>>> = OnceLock::new();

    let key_der = spki
        .to_der()
        .map_err(|e| AlgError::BadKey(format!("key encoding: {e}")))?;
    let alg_der = sig_alg
        .to_der()
        .map_err(|e| AlgError::BadKey(format!("algorithm encoding: {e}")))?;
    let mut h = Sha256::new();
    let hint = digest_hint.map(|d| d.name()).unwrap_or("-");
    for part in [
        &key_der[..],
        &alg_der[..],
        hint.as_bytes(),
        message,
        signature,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    let id: [u8; 32] = h.finalize().into();
    let cache = VERIFIED.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(name) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
        return Ok(name.clone());
    }
    let name = verify_signature(spki, sig_alg, digest_hint, message, signature)?;
    let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
    map.insert(id, name.clone());
    Ok(name)
}

fn required_digest(d: Option<Digest>, sig_alg: &ObjectIdentifier) -> Result<Digest, AlgError> {
    d.ok_or_else(|| AlgError::Unsupported(format!("no digest for signature algorithm {sig_alg}")))
}

impl SignatureAlgorithm for Rsa {
    fn handles(&self, spki: &SubjectPublicKeyInfoOwned) -> bool {
        spki.algorithm.oid == rfc5912::RSA_ENCRYPTION
    }

    fn check_key(&self, spki: &SubjectPublicKeyInfoOwned) -> Result<String, AlgError> {
        use rsa::pkcs8::DecodePublicKey;
        use rsa::traits::PublicKeyParts;
        let der = spki
            .to_der()
            .map_err(|e| AlgError::BadKey(format!("SPKI encoding: {e}")))?;
        let key = rsa::RsaPublicKey::from_public_key_der(&der)
            .map_err(|e| AlgError::BadKey(format!("RSA key: {e}")))?;
        let bits = key.n().bits();
        if bits < MIN_RSA_BITS {
            return Err(AlgError::BadKey(format!(
                "RSA key of {bits} bits (minimum {MIN_RSA_BITS})"
            )));
        }
        Ok(format!("RSA-{bits}"))
    }

    fn verify_checked(
        &self,
        spki: &SubjectPublicKeyInfoOwned,
        sig_alg: &AlgorithmIdentifierOwned,
        digest_hint: Option<Digest>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<Digest, AlgError> {
        let digest = match sig_alg.oid {
            rfc5912::SHA_256_WITH_RSA_ENCRYPTION => Digest::Sha256,
            rfc5912::SHA_384_WITH_RSA_ENCRYPTION => Digest::Sha384,
            rfc5912::SHA_512_WITH_RSA_ENCRYPTION => Digest::Sha512,
            rfc5912::RSA_ENCRYPTION => required_digest(digest_hint, &sig_alg.oid)?,
            other => return Err(AlgError::Unsupported(format!("RSA signature {other}"))),
        };
        // The public-key operation runs in `ring` (constant-time, assembly-optimised; several
        // times faster than the pure-Rust bignum), the same PKCS#1 v1.5 check.
        let params: &'static ring::signature::RsaParameters = match digest {
            Digest::Sha256 => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            Digest::Sha384 => &ring::signature::RSA_PKCS1_2048_8192_SHA384,
            Digest::Sha512 => &ring::signature::RSA_PKCS1_2048_8192_SHA512,
        };
        ring::signature::UnparsedPublicKey::new(params, spki.subject_public_key.raw_bytes())
            .verify(message, signature)
            .map_err(|_| AlgError::Invalid)?;
        Ok(digest)
    }
}

impl SignatureAlgorithm for EcdsaP256 {
    fn handles(&self, spki: &SubjectPublicKeyInfoOwned) -> bool {
        spki.algorithm.oid == ID_EC_PUBLIC_KEY
    }

    fn check_key(&self, spki: &SubjectPublicKeyInfoOwned) -> Result<String, AlgError> {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if curve != Some(rfc5912::SECP_256_R_1) {
            return Err(AlgError::Unsupported(format!(
                "EC curve {}",
                curve.map(|c| c.to_string()).unwrap_or_else(|| "?".into())
            )));
        }
        p256_key(spki)?;
        Ok("ECDSA-P256".to_string())
    }

    fn verify_checked(
        &self,
        spki: &SubjectPublicKeyInfoOwned,
        sig_alg: &AlgorithmIdentifierOwned,
        digest_hint: Option<Digest>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<Digest, AlgError> {
        let digest = match sig_alg.oid {
            rfc5912::ECDSA_WITH_SHA_256 => Digest::Sha256,
            rfc5912::ECDSA_WITH_SHA_384 => Digest::Sha384,
            rfc5912::ECDSA_WITH_SHA_512 => Digest::Sha512,
            // Some CMS producers name the key type instead of the signature.
            ID_EC_PUBLIC_KEY => required_digest(digest_hint, &sig_alg.oid)?,
            other => return Err(AlgError::Unsupported(format!("EC signature {other}"))),
        };
        // SHA-256 and SHA-384 run in `ring` (assembly-optimised P-256); SHA-512 in `p256`.
        let ring_alg: Option<&'static ring::signature::EcdsaVerificationAlgorithm> = match digest {
            Digest::Sha256 => Some(&ring::signature::ECDSA_P256_SHA256_ASN1),
            Digest::Sha384 => Some(&ring::signature::ECDSA_P256_SHA384_ASN1),
            Digest::Sha512 => None,
        };
        if let Some(alg) = ring_alg {
            ring::signature::UnparsedPublicKey::new(alg, spki.subject_public_key.raw_bytes())
                .verify(message, signature)
                .map_err(|_| AlgError::Invalid)?;
            return Ok(digest);
        }
        let vk = p256::ecdsa::VerifyingKey::from(p256_key(spki)?);
        let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| AlgError::Invalid)?;
        let hashed = digest.hash(message);
        vk.verify_prehash(&hashed, &sig)
            .map_err(|_| AlgError::Invalid)?;
        Ok(digest)
    }
}

fn p256_key(spki: &SubjectPublicKeyInfoOwned) -> Result<p256::PublicKey, AlgError> {
    use p256::pkcs8::DecodePublicKey;
    let der = spki
        .to_der()
        .map_err(|e| AlgError::BadKey(format!("SPKI encoding: {e}")))?;
    p256::PublicKey::from_public_key_der(&der)
        .map_err(|e| AlgError::BadKey(format!("P-256 key: {e}")))
}
