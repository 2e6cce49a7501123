//! Why a signature was refused: stable codes and ru/kk/en messages.
//!
//! Every refusal ends the flow with the regulation's "signature refused"
//! process (R-000-22, R-003-27, R-004-21, R-004-34); the code tells the
//! operator and the applicant which check failed.

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
    pub fn code(&self) -> &'static str {
        match self {
            SignatureFailure::Malformed(_) => "SIGNATURE_MALFORMED",
            SignatureFailure::BadSignature => "SIGNATURE_INVALID",
            SignatureFailure::PayloadMismatch => "SIGNATURE_PAYLOAD_MISMATCH",
            SignatureFailure::UnknownIssuer => "SIGNATURE_UNTRUSTED_ISSUER",
            SignatureFailure::Expired => "CERTIFICATE_EXPIRED",
            SignatureFailure::NotYetValid => "CERTIFICATE_NOT_YET_VALID",
            SignatureFailure::Revoked => "CERTIFICATE_REVOKED",
            SignatureFailure::CrlUnavailable(_) => "CRL_UNAVAILABLE",
            SignatureFailure::IdentityMismatch => "SIGNER_IDENTITY_MISMATCH",
            SignatureFailure::WrongKeyUsage => "CERTIFICATE_KEY_USAGE",
        }
    }

    /// Human-readable message in `lang` ("ru", "kk" or "en"; anything else
    /// falls back to Russian). The English text carries the technical detail
    /// of `Malformed` / `CrlUnavailable`; ru/kk do not (they are shown to
    /// applicants).
    pub fn message(&self, lang: &str) -> String {
        let (ru, kk, en) = self.texts();
        match lang {
            "kk" => kk.to_string(),
            "en" => match self {
                SignatureFailure::Malformed(d) | SignatureFailure::CrlUnavailable(d)
                    if !d.is_empty() =>
                {
                    format!("{en} ({d})")
                }
                _ => en.to_string(),
            },
            _ => ru.to_string(),
        }
    }

    fn texts(&self) -> (&'static str, &'static str, &'static str) {
        match self {
            SignatureFailure::Malformed(_) => (
                "Подпись повреждена или имеет неверный формат (ожидается CMS SignedData)",
                "Қолтаңба бүлінген немесе пішімі қате (CMS SignedData күтіледі)",
                "The signature is malformed (CMS SignedData expected)",
            ),
            SignatureFailure::BadSignature => (
                "Электронная цифровая подпись недействительна",
                "Электрондық цифрлық қолтаңба жарамсыз",
                "The digital signature is invalid",
            ),
            SignatureFailure::PayloadMismatch => (
                "Подписанные данные не совпадают с запросом: запрос изменён после подписания",
                "Қол қойылған деректер сұраныспен сәйкес келмейді: сұраныс қол қойылғаннан кейін өзгертілген",
                "The signed data does not match the request: the request was changed after signing",
            ),
            SignatureFailure::UnknownIssuer => (
                "Регистрационное свидетельство ЭЦП выдано недоверенным удостоверяющим центром",
                "ЭЦҚ тіркеу куәлігін сенімсіз куәландырушы орталық берген",
                "The signing certificate was not issued by a trusted certification authority",
            ),
            SignatureFailure::Expired => (
                "Срок действия регистрационного свидетельства ЭЦП истёк",
                "ЭЦҚ тіркеу куәлігінің қолданылу мерзімі өтіп кеткен",
                "The signing certificate has expired",
            ),
            SignatureFailure::NotYetValid => (
                "Срок действия регистрационного свидетельства ЭЦП ещё не наступил",
                "ЭЦҚ тіркеу куәлігінің қолданылу мерзімі әлі басталмаған",
                "The signing certificate is not yet valid",
            ),
            SignatureFailure::Revoked => (
                "Регистрационное свидетельство ЭЦП отозвано",
                "ЭЦҚ тіркеу куәлігі кері қайтарылған",
                "The signing certificate has been revoked",
            ),
            SignatureFailure::CrlUnavailable(_) => (
                "Не удалось проверить, не отозвано ли регистрационное свидетельство ЭЦП: список отозванных свидетельств недоступен",
                "ЭЦҚ тіркеу куәлігінің кері қайтарылмағанын тексеру мүмкін болмады: кері қайтарылған куәліктер тізімі қолжетімсіз",
                "Could not check whether the signing certificate is revoked: the certificate revocation list is unavailable",
            ),
            SignatureFailure::IdentityMismatch => (
                "ИИН/БИН в регистрационном свидетельстве ЭЦП не совпадает с ИИН/БИН в запросе",
                "ЭЦҚ тіркеу куәлігіндегі ЖСН/БСН сұраныстағы ЖСН/БСН-мен сәйкес келмейді",
                "The IIN/BIN in the signing certificate does not match the IIN/BIN in the request",
            ),
            SignatureFailure::WrongKeyUsage => (
                "Регистрационное свидетельство не предназначено для подписания (недопустимое назначение ключа)",
                "Куәлік қол қоюға арналмаған (кілттің қолданылуы жарамсыз)",
                "The certificate is not intended for signing (key usage not permitted)",
            ),
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
    fn codes_are_unique_and_messages_present_in_three_languages() {
        let all = SignatureFailure::all_examples();
        let codes: HashSet<_> = all.iter().map(|f| f.code()).collect();
        assert_eq!(codes.len(), all.len());
        for f in &all {
            for lang in ["ru", "kk", "en"] {
                assert!(!f.message(lang).is_empty(), "{} {lang}", f.code());
            }
            assert_ne!(f.message("ru"), f.message("kk"));
            assert_ne!(f.message("ru"), f.message("en"));
            // Unknown languages fall back to Russian.
            assert_eq!(f.message("de"), f.message("ru"));
        }
    }

    #[test]
    fn english_message_carries_detail() {
        let f = SignatureFailure::CrlUnavailable("HTTP 500".into());
        assert!(f.message("en").contains("HTTP 500"));
        assert!(!f.message("ru").contains("HTTP 500"));
        assert_eq!(f.code(), "CRL_UNAVAILABLE");
    }
}
