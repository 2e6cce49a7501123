//! Digital signatures (ЭЦП): X.509 / CMS verification and the demo PKI.
//!
//! Implements the certificate checks of the regulations — validity,
//! revocation, identity (R-000-19..22, R-003-24..27, R-004-18..21,
//! R-004-31..34; gaps G-39, G-50) — over CMS SignedData with RustCrypto.
//! See `docs/signatures.md`.

pub mod algorithms;
pub mod certs;
pub mod crl;
pub mod error;
pub mod identity;
pub mod local_crls;
pub mod signing;
pub mod trust;
pub mod verify;

pub use crl::{Crl, CrlSource, FileCrlSource, HttpCrlSource};
pub use error::SignatureFailure;
pub use identity::{subject_identity, ExpectedSigner};
pub use local_crls::LocalFirstCrls;
pub use signing::SigningKey;
pub use trust::TrustStore;
pub use verify::{VerifiedSigner, Verifier};

/// Re-exported so callers need not depend on `x509-cert` directly.
pub use x509_cert::crl::CertificateList;
pub use x509_cert::Certificate;
