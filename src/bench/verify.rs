//! Signature verification throughput: CMS SignedData over a request payload,
//! verified exactly as the API does (signature, chain to the root, key usage, validity, CRL),
//! with the chain and CRL checks warm (cached), next to `openssl speed` for the same
//! algorithm. Single thread on both sides. For context, also the rate of `ring`'s bare
//! signature check on the same signature (what the verifier's public-key operation costs:
//! the ceiling for the full CMS verification).

use crate::demo::pki::{init_demo_pki, DemoPkiSpec};
use crate::pki::Verifier;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct VerifyFigures {
    /// e.g. "RSA-2048/SHA-256".
    pub algorithm: String,
    pub verifications: u64,
    pub elapsed: Duration,
    /// `openssl speed` verify/s for the same key type, when openssl is on the PATH.
    pub openssl_verify_per_sec: Option<f64>,
    /// `ring` alone verifying the same signature over the same signed attributes.
    pub ring_verify_per_sec: f64,
}

impl VerifyFigures {
    pub fn per_sec(&self) -> f64 {
        self.verifications as f64 / self.elapsed.as_secs_f64()
    }

    pub fn print(&self) {
        let ours = self.per_sec();
        match self.openssl_verify_per_sec {
            Some(raw) => println!(
                "  {:<20} ruqsat CMS verify {:>9.0}/s   openssl speed raw verify {:>9.0}/s   ratio {:>5.1}%",
                self.algorithm,
                ours,
                raw,
                100.0 * ours / raw
            ),
            None => println!(
                "  {:<20} ruqsat CMS verify {:>9.0}/s   openssl speed: not available",
                self.algorithm, ours
            ),
        }
        let ring = self.ring_verify_per_sec;
        match self.openssl_verify_per_sec {
            Some(raw) => println!(
                "  {:<20} ring raw verify   {:>9.0}/s   (the ceiling: {:.1}% of openssl; ruqsat does {:.1}% of it)",
                self.algorithm,
                ring,
                100.0 * ring / raw,
                100.0 * ours / ring
            ),
            None => println!(
                "  {:<20} ring raw verify   {:>9.0}/s   (the ceiling; ruqsat does {:.1}% of it)",
                self.algorithm,
                ring,
                100.0 * ours / ring
            ),
        }
    }
}

/// Measures each demo key type for about `per_algorithm`.
pub fn measure(per_algorithm: Duration) -> anyhow::Result<Vec<VerifyFigures>> {
    let dir = tempfile::tempdir()?;
    let pki = init_demo_pki(
        dir.path(),
        &DemoPkiSpec::standard("http://127.0.0.1:9/pki/crl/demo-intermediate.crl"),
    )?;
    // CRLs parsed once, as the server's cache holds them between nextUpdate refreshes.
    let verifier = Verifier::new(pki.trust.clone(), Arc::new(pki.crl_source()?));
    let payload = serde_json::to_vec(&serde_json::json!({
        "format": "ruqsat-signing-payload/1",
        "service": "med-licence",
        "applicant": {"iin": "900101400011"},
        "form": {"activity": "Стоматология", "address": "Ақтау қ., 14 шағын аудан, 5 үй"},
        "attachments": (0..6).map(|i| serde_json::json!({"document": format!("doc-{i}"), "sha256": "ab".repeat(32)})).collect::<Vec<_>>(),
    }))?;
    let mut out = Vec::new();
    for (stem, openssl_alg, line_marker) in [
        ("applicant-aigerim", "rsa2048", "rsa 2048 bits"),
        ("applicant-erlan", "ecdsap256", "(nistp256)"),
    ] {
        let key = pki.signing_key(stem)?;
        let cms = key.sign_detached(&payload, chrono::Utc::now())?;
        let now = chrono::Utc::now();
        let signer = verifier
            .verify(&payload, &cms, None, now)
            .map_err(|f| anyhow::anyhow!("{stem}: {f}"))?;
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < per_algorithm {
            for _ in 0..16 {
                verifier
                    .verify(&payload, &cms, None, now)
                    .map_err(|f| anyhow::anyhow!("{stem}: {f}"))?;
                n += 1;
            }
        }
        let elapsed = start.elapsed();
        let ring_verify_per_sec = ring_verify_rate(&cms, per_algorithm)?;
        out.push(VerifyFigures {
            algorithm: signer.algorithm,
            verifications: n,
            elapsed,
            openssl_verify_per_sec: openssl_speed(openssl_alg, line_marker, per_algorithm),
            ring_verify_per_sec,
        });
    }
    Ok(out)
}

/// Verifications per second of the CMS signer's signature by `ring` alone (key from the
/// signer certificate's SPKI, message = DER of the signed attributes), for about `d`.
fn ring_verify_rate(cms: &[u8], d: Duration) -> anyhow::Result<f64> {
    use cms::cert::CertificateChoices;
    use cms::signed_data::SignerIdentifier;
    use der::Encode;
    let sd = crate::pki::verify::parse_signed_data(cms).map_err(|f| anyhow::anyhow!("{f}"))?;
    let si = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no signerInfo"))?;
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid else {
        anyhow::bail!("signer identified by key id");
    };
    let leaf = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .find_map(|c| match c {
            CertificateChoices::Certificate(c)
                if c.tbs_certificate.issuer == ias.issuer
                    && c.tbs_certificate.serial_number == ias.serial_number =>
            {
                Some(c)
            }
            _ => None,
        })
        .ok_or_else(|| anyhow::anyhow!("signer certificate not included"))?;
    let signed = si
        .signed_attrs
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no signed attributes"))?
        .to_der()?;
    let signature = si.signature.as_bytes();
    let spki = &leaf.tbs_certificate.subject_public_key_info;
    let alg: &'static dyn ring::signature::VerificationAlgorithm =
        if spki.algorithm.oid == const_oid::db::rfc5912::RSA_ENCRYPTION {
            &ring::signature::RSA_PKCS1_2048_8192_SHA256
        } else {
            &ring::signature::ECDSA_P256_SHA256_ASN1
        };
    let key = ring::signature::UnparsedPublicKey::new(alg, spki.subject_public_key.raw_bytes());
    key.verify(&signed, signature)
        .map_err(|_| anyhow::anyhow!("ring rejects the signature"))?;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < d {
        for _ in 0..16 {
            key.verify(&signed, signature)
                .map_err(|_| anyhow::anyhow!("ring rejects the signature"))?;
            n += 1;
        }
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// `openssl speed -seconds N ALG`: the verify/s column (the last) of the line for the key.
fn openssl_speed(alg: &str, line_marker: &str, d: Duration) -> Option<f64> {
    let secs = d.as_secs().max(1).to_string();
    let out = std::process::Command::new("openssl")
        .args(["speed", "-seconds", &secs, alg])
        .output()
        .ok()?;
    parse_openssl_speed(&String::from_utf8_lossy(&out.stdout), line_marker)
}

pub fn parse_openssl_speed(stdout: &str, line_marker: &str) -> Option<f64> {
    stdout
        .lines()
        .filter(|l| l.contains(line_marker) && !l.contains("Doing"))
        .filter_map(|l| l.split_whitespace().next_back()?.parse::<f64>().ok())
        .next_back()
}

pub fn run(per_algorithm: Duration) -> anyhow::Result<()> {
    println!(
        "signature verification, 1 thread, chain + CRL cached (target: >= 50% of openssl's raw verify rate)"
    );
    for f in measure(per_algorithm)? {
        f.print();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn openssl_speed_output_is_parsed() {
        let rsa = "Doing 2048 bits public rsa's for 1s: 50000 2048 bits public RSA's in 1.00s\n                  sign    verify    sign/s verify/s\nrsa 2048 bits 0.000640s 0.000018s   1562.5  55555.6\n";
        assert_eq!(
            super::parse_openssl_speed(rsa, "rsa 2048 bits"),
            Some(55555.6)
        );
        let ec = "                              sign    verify    sign/s verify/s\n 256 bits ecdsa (nistp256)   0.0000s   0.0001s  40000.0  13000.5\n";
        assert_eq!(super::parse_openssl_speed(ec, "(nistp256)"), Some(13000.5));
        assert_eq!(super::parse_openssl_speed("garbage", "(nistp256)"), None);
    }
}
