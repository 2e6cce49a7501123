//! Why a signature was refused: stable codes and ru/kk/en messages.
//!
//! Every refusal ends the flow with the regulation's "signature refused"
//! process (R-000-22, R-003-27, R-004-21, R-004-34); the code tells the
//! operator and the applicant which check failed.

use crate::error::{ErrorCode, Lang};
/// A signature check that failed. `code()` is stable and is what the API and
/// the audit log carry; `message(lang)` is for people.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SignatureFailure {
    /// Not a DER / PEM / base64 CMS SignedData, or a structure we cannot use
    /// (no signer, signer certificate missing, unsupported algorithm).
    #[error("signature is malformed: {0}")]
    Malformed(String),
    /// The signer's signature over the signed attributes (or content) does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The message digest or the encapsulated content differs from the payload:
    /// the request was changed after signing.
    #[error("signed content does not match the payload")]
    PayloadMismatch,
    /// No chain from the signer certificate to a configured trusted root.
    #[error("certificate is not issued by a trusted root")]
    UnknownIssuer,
    /// A certificate of the chain had expired at the verification time (R-003-24).
    #[error("certificate expired")]
    Expired,
    /// A certificate of the chain was not yet valid at the verification time (R-003-24).
    #[error("certificate not yet valid")]
    NotYetValid,
    /// A certificate of the chain is listed on its issuer's CRL (R-003-25).
    #[error("certificate revoked")]
    Revoked,
    /// The revocation status could not be established (CRL missing, stale,
    /// unreachable or with a bad signature): we refuse rather than guess.
    #[error("certificate revocation list unavailable: {0}")]
    CrlUnavailable(String),
    /// IIN/BIN in the certificate differs from the expected one (R-003-26).
    #[error("signer identity does not match")]
    IdentityMismatch,
    /// Leaf without digitalSignature/nonRepudiation, or a CA certificate
    /// without CA basicConstraints + keyCertSign.
    #[error("certificate key usage does not allow this signature")]
    WrongKeyUsage,
}

impl SignatureFailure {
    /// Stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            SignatureFailure::Malformed(_) => ErrorCode::SignatureMalformed,
            SignatureFailure::BadSignature => ErrorCode::SignatureInvalid,
            SignatureFailure::PayloadMismatch => ErrorCode::SignaturePayloadMismatch,
            SignatureFailure::UnknownIssuer => ErrorCode::SignatureUntrustedIssuer,
            SignatureFailure::Expired => ErrorCode::CertificateExpired,
            SignatureFailure::NotYetValid => ErrorCode::CertificateNotYetValid,
            SignatureFailure::Revoked => ErrorCode::CertificateRevoked,
            SignatureFailure::CrlUnavailable(_) => ErrorCode::CrlUnavailable,
            SignatureFailure::IdentityMismatch => ErrorCode::SignerIdentityMismatch,
            SignatureFailure::WrongKeyUsage => ErrorCode::CertificateKeyUsage,
        }
    }

    /// Human-readable message in `lang`, from the one message table of [`ErrorCode`]. The
    /// English text carries the technical detail of `Malformed` / `CrlUnavailable`; ru/kk
    /// do not (they are shown to applicants).
    pub fn message(&self, lang: Lang) -> String {
        let text = self.code().message(lang);
        match (lang, self) {
            (Lang::En, SignatureFailure::Malformed(d) | SignatureFailure::CrlUnavailable(d))
                if !d.is_empty() =>
            {
                format!("{text} ({d})")
            }
            _ => text.to_string(),
        }
    }

    /// Every variant once, for docs and exhaustive tests.
    pub fn all_examples() -> Vec<SignatureFailure> {
        vec![
            SignatureFailure::Malformed(String::new()),
            SignatureFailure::BadSignature,
            SignatureFailure::PayloadMismatch,
            SignatureFailure::UnknownIssuer,
            SignatureFailure::Expired,
            SignatureFailure::NotYetValid,
            SignatureFailure::Revoked,
            SignatureFailure::CrlUnavailable(String::new()),
            SignatureFailure::IdentityMismatch,
            SignatureFailure::WrongKeyUsage,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn each_failure_has_its_own_code_with_the_shared_messages() {
        let all = SignatureFailure::all_examples();
        let codes: HashSet<_> = all.iter().map(|f| f.code()).collect();
        assert_eq!(codes.len(), all.len());
        for f in &all {
            for lang in Lang::ALL {
                assert_eq!(f.message(lang), f.code().message(lang), "{}", f.code());
            }
        }
    }

    #[test]
    fn english_message_carries_detail() {
        let f = SignatureFailure::CrlUnavailable("HTTP 500".into());
        assert!(f.message(Lang::En).contains("HTTP 500"));
        assert!(!f.message(Lang::Ru).contains("HTTP 500"));
        assert_eq!(f.code(), ErrorCode::CrlUnavailable);
    }
}
