//! Producing CMS signatures: the `ruqsat sign` CLI, the demo, and the
//! official key that signs issued PDFs.

use anyhow::{anyhow, bail, Context};
use chrono::{DateTime, Utc};
use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use const_oid::db::rfc5911::{ID_DATA, ID_SIGNING_TIME};
use const_oid::db::rfc5912::{ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SECP_256_R_1};
use der::asn1::{Any, SetOfVec};
use der::{Decode, Encode};
use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use sha2::{Digest as _, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::Certificate;

use super::certs;

/// Private key material. Never printed.
pub(crate) enum KeyMaterial {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

impl KeyMaterial {
    /// From PKCS#8 DER (RSA or EC P-256).
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> anyhow::Result<Self> {
        let info = pkcs8::PrivateKeyInfo::try_from(der)
            .map_err(|e| anyhow!("private key is not PKCS#8: {e}"))?;
        match info.algorithm.oid {
            RSA_ENCRYPTION => Ok(KeyMaterial::Rsa(Box::new(
                rsa::RsaPrivateKey::from_pkcs8_der(der)
                    .map_err(|e| anyhow!("RSA private key: {e}"))?,
            ))),
            ID_EC_PUBLIC_KEY => {
                let curve = info
                    .algorithm
                    .parameters
                    .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
                if curve != Some(SECP_256_R_1) {
                    bail!("only the P-256 curve is supported for EC keys");
                }
                Ok(KeyMaterial::P256(
                    p256::ecdsa::SigningKey::from_pkcs8_der(der)
                        .map_err(|e| anyhow!("P-256 private key: {e}"))?,
                ))
            }
            other => bail!("unsupported private key algorithm {other}"),
        }
    }

    /// From PEM: PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY` or SEC1 `EC PRIVATE KEY`.
    pub(crate) fn from_pem(pem: &str) -> anyhow::Result<Self> {
        for block in certs::pem_blocks(pem) {
            match block.label.as_str() {
                "PRIVATE KEY" => return Self::from_pkcs8_der(&block.der),
                "RSA PRIVATE KEY" => {
                    use rsa::pkcs1::DecodeRsaPrivateKey;
                    return Ok(KeyMaterial::Rsa(Box::new(
                        rsa::RsaPrivateKey::from_pkcs1_der(&block.der)
                            .map_err(|e| anyhow!("RSA private key: {e}"))?,
                    )));
                }
                "EC PRIVATE KEY" => {
                    let sk = p256::SecretKey::from_sec1_der(&block.der)
                        .map_err(|e| anyhow!("EC private key (P-256 only): {e}"))?;
                    return Ok(KeyMaterial::P256(sk.into()));
                }
                "ENCRYPTED PRIVATE KEY" => {
                    bail!("encrypted private keys are not supported; use a PKCS#12 file")
                }
                _ => {}
            }
        }
        bail!("no private key block found in PEM")
    }

    /// PKCS#8 DER in a buffer that is wiped on drop.
    pub(crate) fn to_pkcs8_der(&self) -> anyhow::Result<pkcs8::SecretDocument> {
        match self {
            KeyMaterial::Rsa(k) => k.to_pkcs8_der(),
            KeyMaterial::P256(k) => k.to_pkcs8_der(),
        }
        .map_err(|e| anyhow!("encoding private key: {e}"))
    }

    pub(crate) fn public_key_der(&self) -> anyhow::Result<Vec<u8>> {
        let doc = match self {
            KeyMaterial::Rsa(k) => k.to_public_key().to_public_key_der(),
            KeyMaterial::P256(k) => k.verifying_key().to_public_key_der(),
        }
        .map_err(|e| anyhow!("encoding public key: {e}"))?;
        Ok(doc.as_bytes().to_vec())
    }

    pub(crate) fn label(&self) -> String {
        match self {
            KeyMaterial::Rsa(k) => {
                use rsa::traits::PublicKeyParts;
                format!("RSA-{}", k.n().bits())
            }
            KeyMaterial::P256(_) => "ECDSA-P256".to_string(),
        }
    }

    /// Largest signature value this key makes, in bytes: the modulus length for
    /// RSA PKCS#1 v1.5, 72 for a DER-encoded ECDSA P-256 signature.
    pub(crate) fn max_signature_len(&self) -> usize {
        match self {
            KeyMaterial::Rsa(k) => {
                use rsa::traits::PublicKeyParts;
                k.size()
            }
            KeyMaterial::P256(_) => 72,
        }
    }

    /// Whether `cert` carries this key's public key.
    pub(crate) fn matches(&self, cert: &Certificate) -> bool {
        let Ok(der) = self.public_key_der() else {
            return false;
        };
        let Ok(spki) = spki::SubjectPublicKeyInfoOwned::from_der(&der) else {
            return false;
        };
        spki.subject_public_key
            == cert
                .tbs_certificate
                .subject_public_key_info
                .subject_public_key
    }
}

/// A signer: private key (RSA or P-256), its certificate and the CA chain
/// above it. `Debug` shows no key material.
pub struct SigningKey {
    key: KeyMaterial,
    cert: Certificate,
    chain: Vec<Certificate>,
    /// RSA keys also as a `ring` key pair: its private-key operation is several times faster
    /// than the pure-Rust bignum (and constant-time); signatures are the same PKCS#1 v1.5.
    ring_rsa: Option<RingRsa>,
}

/// An RSA PKCS#1 v1.5 SHA-256 signer backed by `ring`, shaped for the `cms` builder.
pub(crate) struct RingRsa {
    pair: ring::signature::RsaKeyPair,
    verifying: rsa::pkcs1v15::VerifyingKey<Sha256>,
}

impl RingRsa {
    fn new(k: &rsa::RsaPrivateKey) -> anyhow::Result<Self> {
        let der = k
            .to_pkcs8_der()
            .map_err(|e| anyhow!("encoding RSA key: {e}"))?;
        let pair = ring::signature::RsaKeyPair::from_pkcs8(der.as_bytes())
            .map_err(|e| anyhow!("RSA key refused by ring: {e}"))?;
        Ok(RingRsa {
            pair,
            verifying: rsa::pkcs1v15::VerifyingKey::<Sha256>::new(k.to_public_key()),
        })
    }
}

impl signature::Keypair for RingRsa {
    type VerifyingKey = rsa::pkcs1v15::VerifyingKey<Sha256>;
    fn verifying_key(&self) -> Self::VerifyingKey {
        self.verifying.clone()
    }
}

impl spki::DynSignatureAlgorithmIdentifier for RingRsa {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        self.verifying.signature_algorithm_identifier()
    }
}

impl signature::Signer<rsa::pkcs1v15::Signature> for RingRsa {
    fn try_sign(&self, msg: &[u8]) -> Result<rsa::pkcs1v15::Signature, signature::Error> {
        let mut sig = vec![0u8; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                msg,
                &mut sig,
            )
            .map_err(|_| signature::Error::new())?;
        rsa::pkcs1v15::Signature::try_from(sig.as_slice())
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("key", &format_args!("<{} private key>", self.key.label()))
            .field("subject", &self.cert.tbs_certificate.subject.to_string())
            .field("serial", &certs::serial_hex(&self.cert))
            .field("chain_len", &self.chain.len())
            .finish()
    }
}

impl SigningKey {
    /// Opens a PKCS#12 file (as written by [`super::init_demo_pki`] or by
    /// `openssl pkcs12 -export`, PBES2/AES). The certificate matching the
    /// private key becomes the signer certificate; the others form the chain.
    pub fn from_p12(der: &[u8], password: &str) -> anyhow::Result<Self> {
        let ks = p12_keystore::KeyStore::from_pkcs12(der, password)
            .map_err(|e| anyhow!("cannot open PKCS#12 (wrong password?): {e}"))?;
        let (_, chain) = ks
            .private_key_chain()
            .ok_or_else(|| anyhow!("PKCS#12 holds no private key"))?;
        let key = KeyMaterial::from_pkcs8_der(chain.key())?;
        let mut all = Vec::new();
        for c in chain.chain() {
            all.push(Certificate::from_der(c.as_der()).context("certificate in PKCS#12")?);
        }
        for (_, entry) in ks.entries() {
            if let p12_keystore::KeyStoreEntry::Certificate(c) = entry {
                all.push(Certificate::from_der(c.as_der()).context("certificate in PKCS#12")?);
            }
        }
        Self::assemble(key, all)
    }

    /// From a PEM private key (unencrypted PKCS#8, PKCS#1 or SEC1) and a PEM
    /// text holding the signer certificate and optionally its CA chain.
    pub fn from_pem(key_pem: &str, cert_chain_pem: &str) -> anyhow::Result<Self> {
        let key = KeyMaterial::from_pem(key_pem)?;
        let all = certs::certs_from_pem(cert_chain_pem)?;
        Self::assemble(key, all)
    }

    pub(crate) fn assemble(key: KeyMaterial, found: Vec<Certificate>) -> anyhow::Result<Self> {
        let mut all: Vec<Certificate> = Vec::new();
        for c in found {
            if !all.contains(&c) {
                all.push(c);
            }
        }
        let pos = all
            .iter()
            .position(|c| key.matches(c))
            .ok_or_else(|| anyhow!("no certificate matches the private key"))?;
        let cert = all.remove(pos);
        // Order the rest issuer by issuer, starting from the signer.
        let mut chain: Vec<Certificate> = Vec::new();
        let mut current = cert.clone();
        while let Some(i) = all
            .iter()
            .position(|c| c.tbs_certificate.subject == current.tbs_certificate.issuer)
        {
            let next = all.remove(i);
            let self_signed = next.tbs_certificate.subject == next.tbs_certificate.issuer;
            chain.push(next.clone());
            if self_signed {
                break;
            }
            current = next;
        }
        chain.extend(all);
        let ring_rsa = match &key {
            KeyMaterial::Rsa(k) => Some(RingRsa::new(k)?),
            KeyMaterial::P256(_) => None,
        };
        Ok(Self {
            key,
            cert,
            chain,
            ring_rsa,
        })
    }

    /// Largest signature value (bytes) in the CMS this key makes: 256 for
    /// RSA-2048, 72 for ECDSA P-256.
    pub fn max_signature_len(&self) -> usize {
        self.key.max_signature_len()
    }

    /// The signer certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// CA certificates above the signer, nearest first (may include the root).
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// Detached CMS SignedData (DER) over `payload`: SHA-256, signed
    /// attributes contentType, messageDigest and signingTime (= `at`), signer
    /// identified by issuer and serial number, signer certificate and chain
    /// embedded. Verifies with
    /// `openssl cms -verify -binary -inform DER -content payload -CAfile root.pem -purpose any`.
    pub fn sign_detached(&self, payload: &[u8], at: DateTime<Utc>) -> anyhow::Result<Vec<u8>> {
        let time_value = Any::encode_from(&certs::chrono_to_time(at)?)
            .map_err(|e| anyhow!("signingTime: {e}"))?;
        let mut values = SetOfVec::new();
        values
            .insert(time_value)
            .map_err(|e| anyhow!("signingTime: {e}"))?;
        self.detached_signed_data(
            payload,
            Attribute {
                oid: ID_SIGNING_TIME,
                values,
            },
        )
    }

    /// Detached CMS SignedData (DER) for a PAdES baseline B-B signature over
    /// `data` (the concatenated `/ByteRange` of a PDF): SHA-256, signed
    /// attributes contentType (id-data), messageDigest and ESS
    /// signing-certificate-v2 (RFC 5035, SHA-256 hash of the signer certificate
    /// with issuer and serial), and no signingTime (PAdES: the time is the
    /// signature dictionary's `/M`). Signer identified by issuer and serial
    /// number; signer certificate and chain embedded. Refuses to sign when the
    /// signer certificate is not valid at `at`.
    pub fn sign_detached_pades(&self, data: &[u8], at: DateTime<Utc>) -> anyhow::Result<Vec<u8>> {
        use x509_cert::ext::pkix::name::GeneralName;
        use x509_cert::serial_number::SerialNumber;

        /// RFC 5035 IssuerSerial (issuer as GeneralNames).
        #[derive(der::Sequence)]
        struct IssuerSerial {
            issuer: Vec<GeneralName>,
            serial_number: SerialNumber,
        }
        /// RFC 5035 ESSCertIDv2; hashAlgorithm is omitted: its DEFAULT is id-sha256.
        #[derive(der::Sequence)]
        struct EssCertIdV2 {
            cert_hash: der::asn1::OctetString,
            issuer_serial: Option<IssuerSerial>,
        }
        /// RFC 5035 SigningCertificateV2 (no policies).
        #[derive(der::Sequence)]
        struct SigningCertificateV2 {
            certs: Vec<EssCertIdV2>,
        }

        if at < certs::not_before(&self.cert) || at > certs::not_after(&self.cert) {
            bail!(
                "the signer certificate is not valid at {at} (valid {} to {})",
                certs::not_before(&self.cert),
                certs::not_after(&self.cert)
            );
        }
        let cert_der = self
            .cert
            .to_der()
            .map_err(|e| anyhow!("signer certificate: {e}"))?;
        let ess = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                cert_hash: der::asn1::OctetString::new(Sha256::digest(&cert_der).to_vec())
                    .map_err(|e| anyhow!("ESS certHash: {e}"))?,
                issuer_serial: Some(IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(
                        self.cert.tbs_certificate.issuer.clone(),
                    )],
                    serial_number: self.cert.tbs_certificate.serial_number.clone(),
                }),
            }],
        };
        let mut values = SetOfVec::new();
        values
            .insert(Any::encode_from(&ess).map_err(|e| anyhow!("signing-certificate-v2: {e}"))?)
            .map_err(|e| anyhow!("signing-certificate-v2: {e}"))?;
        let signing_certificate = Attribute {
            oid: const_oid::db::rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
            values,
        };

        self.detached_signed_data(data, signing_certificate)
    }

    /// Detached CMS SignedData (DER) over `data`: SHA-256, the signed attributes
    /// contentType and messageDigest (added by the builder) plus `attribute`, signer
    /// identified by issuer and serial number, signer certificate and chain embedded.
    fn detached_signed_data(&self, data: &[u8], attribute: Attribute) -> anyhow::Result<Vec<u8>> {
        let digest = Sha256::digest(data).to_vec();
        let eci = EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        };
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: self.cert.tbs_certificate.issuer.clone(),
            serial_number: self.cert.tbs_certificate.serial_number.clone(),
        });
        let digest_alg = AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::ID_SHA_256,
            parameters: None,
        };
        let mut sd = SignedDataBuilder::new(&eci);
        sd.add_digest_algorithm(digest_alg.clone())
            .map_err(|e| anyhow!("CMS builder: {e}"))?;
        for c in std::iter::once(&self.cert).chain(&self.chain) {
            sd.add_certificate(CertificateChoices::Certificate(c.clone()))
                .map_err(|e| anyhow!("CMS builder: {e}"))?;
        }
        match &self.key {
            KeyMaterial::Rsa(_) => {
                let signer = self
                    .ring_rsa
                    .as_ref()
                    .ok_or_else(|| anyhow!("RSA key without its ring key pair"))?;
                let mut si = SignerInfoBuilder::new(signer, sid, digest_alg, &eci, Some(&digest))
                    .map_err(|e| anyhow!("CMS builder: {e}"))?;
                si.add_signed_attribute(attribute)
                    .map_err(|e| anyhow!("CMS builder: {e}"))?;
                sd.add_signer_info::<_, rsa::pkcs1v15::Signature>(si)
                    .map_err(|e| anyhow!("CMS signing: {e}"))?;
            }
            KeyMaterial::P256(k) => {
                let mut si = SignerInfoBuilder::new(k, sid, digest_alg, &eci, Some(&digest))
                    .map_err(|e| anyhow!("CMS builder: {e}"))?;
                si.add_signed_attribute(attribute)
                    .map_err(|e| anyhow!("CMS builder: {e}"))?;
                sd.add_signer_info::<_, p256::ecdsa::DerSignature>(si)
                    .map_err(|e| anyhow!("CMS signing: {e}"))?;
            }
        }
        let ci = sd.build().map_err(|e| anyhow!("CMS builder: {e}"))?;
        ci.to_der().map_err(|e| anyhow!("CMS encoding: {e}"))
    }
}
