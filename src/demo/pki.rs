//! Demo PKI for development and demonstrations (`ruqsat pki init --dir DIR`).
//!
//! Layout written under DIR:
//! ```text
//! root-ca.pem, root-ca.key.pem                  RSA-2048 root (10 years)
//! intermediate-ca.pem, intermediate-ca.key.pem  RSA-2048 issuing CA (5 years), CRL DP = root CRL
//! users/<stem>.p12                              key + cert + chain, password DEMO_P12_PASSWORD
//! users/<stem>.pem                              the user's certificate
//! crl/demo-intermediate.crl                     DER CRL of the issuing CA (revoked users), nextUpdate +30 days
//! crl/demo-root.crl                             DER CRL of the root (for the intermediate), nextUpdate +30 days
//! ```
//! Not for production: keys are stored unencrypted.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use chrono::{DateTime, Duration, Utc};
use const_oid::db::rfc4519::{
    COMMON_NAME, COUNTRY_NAME, ORGANIZATIONAL_UNIT_NAME, ORGANIZATION_NAME, SERIAL_NUMBER,
};
use der::asn1::{Any, BitString, Ia5String, ObjectIdentifier, SetOfVec, Uint};
use der::pem::LineEnding;
use der::referenced::OwnedToRef;
use der::{Decode, Encode, EncodePem, Tag};
use pkcs8::EncodePrivateKey;
use rand::RngCore;
use signature::{SignatureEncoding, Signer};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::crl::CrlNumber;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlDistributionPoints};
use x509_cert::ext::AsExtension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;
use x509_cert::Certificate;

use crate::pki::certs;
use crate::pki::crl::{self, FileCrlSource};
use crate::pki::signing::{KeyMaterial, SigningKey};
use crate::pki::trust::TrustStore;

/// Password of every demo PKCS#12 file.
pub const DEMO_P12_PASSWORD: &str = "ruqsat-demo";

const CRL_DAYS: i64 = 30;

/// What to create.
#[derive(Debug, Clone)]
pub struct DemoPkiSpec {
    /// URL of the issuing CA's CRL, put into the users' CRL distribution
    /// points, e.g. `http://127.0.0.1:8080/pki/crl/demo-intermediate.crl`.
    /// The root's CRL is announced next to it as `demo-root.crl`.
    pub crl_url: String,
    pub users: Vec<DemoIdentity>,
}

/// One demo certificate holder.
#[derive(Debug, Clone)]
pub struct DemoIdentity {
    /// File name stem, e.g. "applicant-aigerim".
    pub file_stem: String,
    pub common_name: String,
    /// Goes into subject serialNumber as "IIN" + 12 digits.
    pub iin: Option<String>,
    /// Goes into subject organizationalUnitName as "BIN" + 12 digits.
    pub bin: Option<String>,
    pub org_name: Option<String>,
    /// Listed on the issuing CA's CRL.
    pub revoked: bool,
    /// ECDSA P-256 key instead of RSA-2048.
    pub ecdsa: bool,
}

impl DemoPkiSpec {
    /// URL of the root CA's CRL: `demo-root.crl` in the same directory as `crl_url`.
    pub fn root_crl_url(&self) -> String {
        match self.crl_url.rfind('/') {
            Some(i) => format!("{}/demo-root.crl", &self.crl_url[..i]),
            None => "demo-root.crl".to_string(),
        }
    }

    /// A ready-made set of demo identities: a person (RSA), a person
    /// (ECDSA P-256), a legal entity's director, a МИО employee, the
    /// service's official key for issued documents, and a revoked person.
    pub fn standard(crl_url: &str) -> Self {
        let person = |stem: &str, cn: &str, iin: &str, ecdsa: bool, revoked: bool| DemoIdentity {
            file_stem: stem.to_string(),
            common_name: cn.to_string(),
            iin: Some(iin.to_string()),
            bin: None,
            org_name: None,
            revoked,
            ecdsa,
        };
        let org = |stem: &str, cn: &str, iin: &str, bin: &str, org: &str| DemoIdentity {
            file_stem: stem.to_string(),
            common_name: cn.to_string(),
            iin: Some(iin.to_string()),
            bin: Some(bin.to_string()),
            org_name: Some(org.to_string()),
            revoked: false,
            ecdsa: false,
        };
        Self {
            crl_url: crl_url.to_string(),
            users: vec![
                person(
                    "applicant-aigerim",
                    "СЕРИКОВА АЙГЕРИМ",
                    "900101400011",
                    false,
                    false,
                ),
                person(
                    "applicant-erlan",
                    "ЖУМАБАЕВ ЕРЛАН",
                    "850315300022",
                    true,
                    false,
                ),
                org(
                    "company-dala-stroy",
                    "АХМЕТОВ НУРЛАН",
                    "780220300033",
                    "120540001234",
                    "ТОО «Дала Строй»",
                ),
                org(
                    "operator-mio",
                    "КАСЫМОВА ДИНАРА",
                    "880707400044",
                    "990340005678",
                    "ГУ «Управление предпринимательства»",
                ),
                org(
                    "official-ruqsat",
                    "RUQSAT OFFICIAL SIGNATURE",
                    "700101300055",
                    "990340005678",
                    "ГУ «Управление предпринимательства»",
                ),
                person("revoked-bolat", "ОМАРОВ БОЛАТ", "920505300066", false, true),
            ],
        }
    }
}

/// Files of one demo user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUserFiles {
    pub file_stem: String,
    pub p12: PathBuf,
    pub cert: PathBuf,
    pub revoked: bool,
}

/// A demo PKI on disk.
#[derive(Debug, Clone)]
pub struct DemoPki {
    pub dir: PathBuf,
    pub root_cert: PathBuf,
    pub root_key: PathBuf,
    pub intermediate_cert: PathBuf,
    pub intermediate_key: PathBuf,
    /// crl/demo-intermediate.crl
    pub intermediate_crl: PathBuf,
    /// crl/demo-root.crl
    pub root_crl: PathBuf,
    pub users: Vec<DemoUserFiles>,
    /// Root as anchor, intermediate as known intermediate.
    pub trust: TrustStore,
    /// False when an existing PKI was loaded.
    pub created: bool,
}

impl DemoPki {
    /// Both demo CRLs as a file source (no HTTP needed).
    pub fn crl_source(&self) -> anyhow::Result<FileCrlSource> {
        FileCrlSource::from_files(&[self.intermediate_crl.clone(), self.root_crl.clone()])
    }

    /// Opens a user's PKCS#12 with [`DEMO_P12_PASSWORD`].
    pub fn signing_key(&self, file_stem: &str) -> anyhow::Result<SigningKey> {
        let user = self
            .users
            .iter()
            .find(|u| u.file_stem == file_stem)
            .ok_or_else(|| anyhow!("no demo user {file_stem}"))?;
        let der =
            std::fs::read(&user.p12).with_context(|| format!("reading {}", user.p12.display()))?;
        SigningKey::from_p12(&der, DEMO_P12_PASSWORD)
    }
}

fn layout(dir: &Path, spec: &DemoPkiSpec, trust: TrustStore, created: bool) -> DemoPki {
    let users = spec
        .users
        .iter()
        .map(|u| DemoUserFiles {
            file_stem: u.file_stem.clone(),
            p12: dir.join("users").join(format!("{}.p12", u.file_stem)),
            cert: dir.join("users").join(format!("{}.pem", u.file_stem)),
            revoked: u.revoked,
        })
        .collect();
    DemoPki {
        dir: dir.to_path_buf(),
        root_cert: dir.join("root-ca.pem"),
        root_key: dir.join("root-ca.key.pem"),
        intermediate_cert: dir.join("intermediate-ca.pem"),
        intermediate_key: dir.join("intermediate-ca.key.pem"),
        intermediate_crl: dir.join("crl").join("demo-intermediate.crl"),
        root_crl: dir.join("crl").join("demo-root.crl"),
        users,
        trust,
        created,
    }
}

/// Creates the demo PKI under `dir`, or loads it when `dir/root-ca.pem`
/// exists. Loading regenerates no key or certificate; a CRL is re-issued
/// (keeping its entries) only when it is missing, expires within a day, or
/// lacks a user that `spec` marks revoked.
pub fn init_demo_pki(dir: &Path, spec: &DemoPkiSpec) -> anyhow::Result<DemoPki> {
    for u in &spec.users {
        let ok = !u.file_stem.is_empty()
            && u.file_stem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            anyhow::bail!("invalid demo file stem {:?}", u.file_stem);
        }
    }
    if dir.join("root-ca.pem").exists() {
        return load_existing(dir, spec);
    }
    create(dir, spec)
}

fn load_existing(dir: &Path, spec: &DemoPkiSpec) -> anyhow::Result<DemoPki> {
    let root_pem = read_text(&dir.join("root-ca.pem"))?;
    let int_pem = read_text(&dir.join("intermediate-ca.pem"))?;
    let mut trust = TrustStore::from_pem(&root_pem)?;
    trust.add_intermediates_pem(&int_pem)?;
    let pki = layout(dir, spec, trust, false);
    // Users marked revoked in the spec must be on the CRL, whatever the file says.
    let mut revoked_serials = Vec::new();
    for u in pki.users.iter().filter(|u| u.revoked) {
        if let Ok(text) = std::fs::read(&u.cert) {
            let cert = certs::cert_from_der_or_pem(&text)
                .with_context(|| format!("reading {}", u.cert.display()))?;
            revoked_serials.push(cert.tbs_certificate.serial_number);
        }
    }
    refresh_crl_if_due(
        &pki.intermediate_crl,
        &pki.intermediate_cert,
        &pki.intermediate_key,
        &revoked_serials,
    )?;
    refresh_crl_if_due(&pki.root_crl, &pki.root_cert, &pki.root_key, &[])?;
    Ok(pki)
}

fn read_text(p: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
}

/// Re-issues the CRL at `crl_path` when it is missing, expires within a day,
/// or lacks one of `must_list`; existing entries are kept.
fn refresh_crl_if_due(
    crl_path: &Path,
    cert_path: &Path,
    key_path: &Path,
    must_list: &[SerialNumber],
) -> anyhow::Result<()> {
    let now = Utc::now();
    let existing = match std::fs::read(crl_path) {
        Ok(bytes) => Some(
            crl::parse_crl(&bytes).with_context(|| format!("reading {}", crl_path.display()))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", crl_path.display())),
    };
    let mut revoked = existing
        .as_ref()
        .and_then(|c| c.tbs_cert_list.revoked_certificates.clone())
        .unwrap_or_default();
    let mut missing = false;
    for serial in must_list {
        if !revoked.iter().any(|r| &r.serial_number == serial) {
            missing = true;
            revoked.push(RevokedCert {
                serial_number: serial.clone(),
                revocation_date: certs::chrono_to_time(now)?,
                crl_entry_extensions: None,
            });
        }
    }
    let due = existing
        .as_ref()
        .and_then(crl::crl_next_update)
        .is_none_or(|n| n < now + Duration::days(1));
    if !due && !missing {
        return Ok(());
    }
    let ca_cert = certs::cert_from_der_or_pem(read_text(cert_path)?.as_bytes())?;
    let KeyMaterial::Rsa(ca_key) = KeyMaterial::from_pem(&read_text(key_path)?)? else {
        anyhow::bail!("demo CA keys are RSA");
    };
    let crl = make_crl(&ca_cert, &ca_key, revoked, now)?;
    write_file(crl_path, &crl.to_der()?, false)?;
    Ok(())
}

fn create(dir: &Path, spec: &DemoPkiSpec) -> anyhow::Result<DemoPki> {
    std::fs::create_dir_all(dir.join("users"))?;
    std::fs::create_dir_all(dir.join("crl"))?;
    let now = Utc::now();
    let start = now - Duration::hours(1);

    // Every RSA key first, on all cores: key generation is most of a first start.
    let rsa_users = spec.users.iter().filter(|u| !u.ecdsa).count();
    let mut keys = rsa_keys(2 + rsa_users)?.into_iter();
    let mut next_key = || {
        keys.next()
            .ok_or_else(|| anyhow!("RSA keys: too few generated"))
    };

    // Root.
    let root_key = next_key()?;
    let root_name = ca_name("Ruqsat Demo Root CA")?;
    let root_signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(root_key.clone());
    let root_cert = {
        let b = CertificateBuilder::new(
            Profile::Root,
            random_serial(),
            validity(start, now + Duration::days(3650))?,
            root_name.clone(),
            spki_of(&KeyMaterial::Rsa(Box::new(root_key.clone())))?,
            &root_signer,
        )?;
        b.build::<rsa::pkcs1v15::Signature>()?
    };

    // Intermediate (issuing CA).
    let int_key = next_key()?;
    let int_name = ca_name("Ruqsat Demo Issuing CA")?;
    let int_cert = {
        let mut b = CertificateBuilder::new(
            Profile::SubCA {
                issuer: root_name.clone(),
                path_len_constraint: Some(0),
            },
            random_serial(),
            validity(start, now + Duration::days(1825))?,
            int_name.clone(),
            spki_of(&KeyMaterial::Rsa(Box::new(int_key.clone())))?,
            &root_signer,
        )?;
        b.add_extension(&crl_dp(&spec.root_crl_url())?)?;
        b.build::<rsa::pkcs1v15::Signature>()?
    };
    let int_signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(int_key.clone());

    // Users.
    let mut revoked = Vec::new();
    for u in &spec.users {
        let key = if u.ecdsa {
            KeyMaterial::P256(p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng))
        } else {
            KeyMaterial::Rsa(Box::new(next_key()?))
        };
        let mut b = CertificateBuilder::new(
            Profile::Leaf {
                issuer: int_name.clone(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            },
            random_serial(),
            validity(start, now + Duration::days(730))?,
            user_name(u)?,
            spki_of(&key)?,
            &int_signer,
        )?;
        b.add_extension(&crl_dp(&spec.crl_url)?)?;
        let cert = b.build::<rsa::pkcs1v15::Signature>()?;
        if u.revoked {
            revoked.push(RevokedCert {
                serial_number: cert.tbs_certificate.serial_number.clone(),
                revocation_date: certs::chrono_to_time(now)?,
                crl_entry_extensions: None,
            });
        }
        let p12 = make_p12(&u.file_stem, &key, &cert, &[&int_cert, &root_cert])?;
        let users = dir.join("users");
        write_file(&users.join(format!("{}.p12", u.file_stem)), &p12, true)?;
        write_file(
            &users.join(format!("{}.pem", u.file_stem)),
            cert.to_pem(LineEnding::LF)?.as_bytes(),
            false,
        )?;
    }

    // CRLs.
    let int_crl = make_crl(&int_cert, &int_key, revoked, now)?;
    let root_crl = make_crl(&root_cert, &root_key, Vec::new(), now)?;
    write_file(
        &dir.join("crl/demo-intermediate.crl"),
        &int_crl.to_der()?,
        false,
    )?;
    write_file(&dir.join("crl/demo-root.crl"), &root_crl.to_der()?, false)?;

    // CA files last: root-ca.pem marks a complete PKI.
    write_file(
        &dir.join("intermediate-ca.key.pem"),
        int_key.to_pkcs8_pem(LineEnding::LF)?.as_bytes(),
        true,
    )?;
    write_file(
        &dir.join("intermediate-ca.pem"),
        int_cert.to_pem(LineEnding::LF)?.as_bytes(),
        false,
    )?;
    write_file(
        &dir.join("root-ca.key.pem"),
        root_key.to_pkcs8_pem(LineEnding::LF)?.as_bytes(),
        true,
    )?;
    let root_pem = root_cert.to_pem(LineEnding::LF)?;
    write_file(&dir.join("root-ca.pem"), root_pem.as_bytes(), false)?;

    let mut trust = TrustStore::from_pem(&root_pem)?;
    trust.add_intermediates_pem(&int_cert.to_pem(LineEnding::LF)?)?;
    Ok(layout(dir, spec, trust, true))
}

fn write_file(path: &Path, bytes: &[u8], secret: bool) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = secret;
    Ok(())
}

/// The RSA keys every demo PKI of this process takes, once a test suite has asked for it
/// with [`share_keys_between_demo_pkis`]; `None` (the default): each PKI makes its own.
static SHARED_KEYS: std::sync::OnceLock<std::sync::Mutex<Vec<rsa::RsaPrivateKey>>> =
    std::sync::OnceLock::new();

/// Makes every demo PKI this process creates from now on take its RSA keys from one set:
/// distinct within a PKI, the same in every PKI. Key generation is most of the cost of a
/// demo PKI (seconds of CPU), and a test suite starts hundreds of servers, each with its
/// own. For test suites only: the PKIs then accept each other's certificates, as their
/// CAs have the same names and keys. The server and the CLI never call it.
pub fn share_keys_between_demo_pkis() {
    SHARED_KEYS.get_or_init(|| std::sync::Mutex::new(Vec::new()));
}

/// `n` distinct RSA keys: new ones, or the first `n` of the shared set (made as needed).
fn rsa_keys(n: usize) -> anyhow::Result<Vec<rsa::RsaPrivateKey>> {
    let Some(shared) = SHARED_KEYS.get() else {
        return super::on_every_core(n, |_| new_rsa());
    };
    let mut keys = shared
        .lock()
        .map_err(|_| anyhow!("the shared demo keys: a thread panicked while making them"))?;
    if keys.len() < n {
        let more = super::on_every_core(n - keys.len(), |_| new_rsa())?;
        keys.extend(more);
    }
    Ok(keys[..n].to_vec())
}

fn new_rsa() -> anyhow::Result<rsa::RsaPrivateKey> {
    rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).map_err(|e| anyhow!("RSA keygen: {e}"))
}

fn spki_of(key: &KeyMaterial) -> anyhow::Result<spki::SubjectPublicKeyInfoOwned> {
    spki::SubjectPublicKeyInfoOwned::from_der(&key.public_key_der()?)
        .map_err(|e| anyhow!("SPKI: {e}"))
}

fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    // Positive and minimally encoded: first byte in 0x01..=0x7f.
    bytes[0] = (bytes[0] & 0x7f).max(1);
    // 16 bytes is within the 20-byte limit, so this cannot fail.
    SerialNumber::new(&bytes).unwrap_or_else(|_| SerialNumber::from(1u32))
}

fn validity(from: DateTime<Utc>, to: DateTime<Utc>) -> anyhow::Result<Validity> {
    Ok(Validity {
        not_before: certs::chrono_to_time(from)?,
        not_after: certs::chrono_to_time(to)?,
    })
}

fn rdn(oid: ObjectIdentifier, tag: Tag, value: &str) -> anyhow::Result<RelativeDistinguishedName> {
    let atv = AttributeTypeAndValue {
        oid,
        value: Any::new(tag, value.as_bytes()).map_err(|e| anyhow!("name value: {e}"))?,
    };
    Ok(RelativeDistinguishedName(
        SetOfVec::try_from(vec![atv]).map_err(|e| anyhow!("name: {e}"))?,
    ))
}

fn ca_name(cn: &str) -> anyhow::Result<Name> {
    Ok(RdnSequence(vec![
        rdn(COUNTRY_NAME, Tag::PrintableString, "KZ")?,
        rdn(ORGANIZATION_NAME, Tag::Utf8String, "Ruqsat Demo PKI")?,
        rdn(COMMON_NAME, Tag::Utf8String, cn)?,
    ]))
}

fn user_name(u: &DemoIdentity) -> anyhow::Result<Name> {
    let mut rdns = vec![rdn(COUNTRY_NAME, Tag::PrintableString, "KZ")?];
    if let Some(o) = &u.org_name {
        rdns.push(rdn(ORGANIZATION_NAME, Tag::Utf8String, o)?);
    }
    if let Some(bin) = &u.bin {
        rdns.push(rdn(
            ORGANIZATIONAL_UNIT_NAME,
            Tag::Utf8String,
            &format!("BIN{bin}"),
        )?);
    }
    rdns.push(rdn(COMMON_NAME, Tag::Utf8String, &u.common_name)?);
    if let Some(iin) = &u.iin {
        rdns.push(rdn(
            SERIAL_NUMBER,
            Tag::PrintableString,
            &format!("IIN{iin}"),
        )?);
    }
    Ok(RdnSequence(rdns))
}

fn crl_dp(url: &str) -> anyhow::Result<CrlDistributionPoints> {
    let uri = Ia5String::new(url).map_err(|e| anyhow!("CRL URL: {e}"))?;
    Ok(CrlDistributionPoints(vec![DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![
            GeneralName::UniformResourceIdentifier(uri),
        ])),
        reasons: None,
        crl_issuer: None,
    }]))
}

/// A v2 CRL signed by `ca_key` (SHA-256 with RSA), nextUpdate = now + 30 days.
pub(crate) fn make_crl(
    ca_cert: &Certificate,
    ca_key: &rsa::RsaPrivateKey,
    revoked: Vec<RevokedCert>,
    now: DateTime<Utc>,
) -> anyhow::Result<CertificateList> {
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(ca_key.clone());
    let alg = spki::AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
        parameters: Some(Any::null()),
    };
    let issuer = ca_cert.tbs_certificate.subject.clone();
    let crl_number = CrlNumber(
        Uint::new(&now.timestamp().max(1).to_be_bytes()).map_err(|e| anyhow!("CRL number: {e}"))?,
    );
    let aki = AuthorityKeyIdentifier::try_from(
        ca_cert
            .tbs_certificate
            .subject_public_key_info
            .owned_to_ref(),
    )
    .map_err(|e| anyhow!("AKI: {e}"))?;
    let exts = vec![
        aki.to_extension(&issuer, &[])?,
        crl_number.to_extension(&issuer, &[])?,
    ];
    let tbs = TbsCertList {
        version: x509_cert::Version::V2,
        signature: alg.clone(),
        issuer,
        this_update: certs::chrono_to_time(now)?,
        next_update: Some(certs::chrono_to_time(now + Duration::days(CRL_DAYS))?),
        revoked_certificates: (!revoked.is_empty()).then_some(revoked),
        crl_extensions: Some(exts),
    };
    let sig = signer
        .try_sign(&tbs.to_der()?)
        .map_err(|e| anyhow!("CRL signing: {e}"))?;
    Ok(CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: alg,
        signature: BitString::from_bytes(&sig.to_vec())?,
    })
}

fn make_p12(
    alias: &str,
    key: &KeyMaterial,
    cert: &Certificate,
    chain: &[&Certificate],
) -> anyhow::Result<Vec<u8>> {
    let to_p12 = |c: &Certificate| -> anyhow::Result<p12_keystore::Certificate> {
        p12_keystore::Certificate::from_der(&c.to_der()?).map_err(|e| anyhow!("PKCS#12: {e}"))
    };
    let mut certs_p12 = vec![to_p12(cert)?];
    for c in chain {
        certs_p12.push(to_p12(c)?);
    }
    let local_key_id: Vec<u8> = {
        use sha2::Digest;
        sha2::Sha256::digest(cert.to_der()?)[..20].to_vec()
    };
    // SecretDocument wipes its bytes on drop.
    let key_der = key.to_pkcs8_der()?;
    let entry = p12_keystore::PrivateKeyChain::new(key_der.as_bytes(), local_key_id, certs_p12);
    let mut ks = p12_keystore::KeyStore::new();
    ks.add_entry(alias, p12_keystore::KeyStoreEntry::PrivateKeyChain(entry));
    ks.writer(DEMO_P12_PASSWORD)
        .write()
        .map_err(|e| anyhow!("writing PKCS#12: {e}"))
}
