//! Signing a request with a digital signature (ЭЦП): the canonical payload the signer sees,
//! and the verification that turns a submitted request into a signed and registered one
//! (R-003-23..29, R-003-50..52, R-004-17..21, R-004-30..35, R-000-19..24).
//!
//! The payload is canonical JSON (keys sorted, no white space, UTF-8) of the request's
//! service, applicant IIN/BIN, form fields, the SHA-256 of every attachment and the
//! submission time; see docs/signatures.md. It is re-created from the database, never stored.

use super::auth::CurrentUser;
use super::engine::{take, By, Take};
use super::requests::{load_visible, service_of};
use super::views::{utc, RequestView};
use super::App;
use crate::db::models::{RequestRow, SignatureRow};
use crate::db::queries;
use crate::db::DbConnection;
use crate::domain::catalog::ApplicantKind;
use crate::domain::catalog::{Provider, Signer};
use crate::domain::lifecycle::{self, Actor, Facts, State, TransitionError};
use crate::error::AppError;
use crate::error::{ErrorCode, Lang};
use crate::pki::{ExpectedSigner, SignatureFailure, SigningKey, Verifier};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;

/// Signature context: the verifier (trust roots + CRL source), the demo PKI, and the key
/// results are signed with.
pub struct Pki {
    pub verifier: Verifier,
    /// Directory with the demo PKI (root, CRLs, users' PKCS#12), when one is in use.
    pub demo_dir: Option<PathBuf>,
    /// The provider's seal (`signing_key_file`): signs results of providers whose catalog
    /// entry says `seal = true` when the deciding employee's own key is not held. Its
    /// `Debug` shows no key material.
    pub result_signer: Option<Arc<SigningKey>>,
    /// Without a configured seal, with the demo PKI: each provider's demo seal (its demo
    /// official's key), by provider code.
    pub provider_signers: std::collections::BTreeMap<String, Arc<SigningKey>>,
    /// Staff members' own keys, by login (the demo PKI's): a decision is signed by the
    /// employee who took it (R-003-32, R-003-44).
    pub official_signers: std::collections::BTreeMap<String, Arc<SigningKey>>,
}

impl Pki {
    /// The key that signs a document of `provider` decided by `official`:
    /// 1. that employee's own key, when Ruqsat holds it;
    /// 2. else, only if the catalog gives the provider a seal, the configured seal
    ///    (`signing_key_file`) or the provider's demo seal;
    /// 3. else `RESULT_SIGNER_NOT_CONFIGURED` (503): a provider without a seal never signs
    ///    with a provider-wide key in an official's place.
    pub fn result_signer(
        &self,
        provider: &Provider,
        official: Option<&CurrentUser>,
    ) -> Result<&SigningKey, AppError> {
        let own = official
            .filter(|u| u.role.is_staff())
            .and_then(|u| self.official_signers.get(&u.login));
        if let Some(k) = own {
            return Ok(k);
        }
        let seal = provider
            .seal
            .then(|| {
                self.result_signer
                    .as_deref()
                    .or_else(|| self.provider_signers.get(&provider.code).map(|k| &**k))
            })
            .flatten();
        seal.ok_or_else(|| {
            let whose = official.map_or("no employee".to_string(), |u| u.login.clone());
            AppError::with(
                ErrorCode::ResultSignerNotConfigured,
                format!(
                    "{}: no own key held for {whose}{}",
                    provider.code,
                    if provider.seal {
                        " and no seal configured"
                    } else {
                        "; the catalog gives this provider no seal"
                    }
                ),
            )
        })
    }
}

/// Serialises JSON canonically: object keys sorted by their UTF-8 bytes, no white space.
pub fn canonical_json(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical_json(&m[k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical_json).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

fn submitted_at(c: &mut DbConnection, req: &RequestRow) -> Result<Value, AppError> {
    let h = queries::history_of(c, &req.id)?;
    Ok(h.iter()
        .rev()
        .find(|e| e.action == "submit")
        .map(|e| json!(utc(e.at).to_rfc3339_opts(chrono::SecondsFormat::Micros, true)))
        .unwrap_or(Value::Null))
}

/// The exact bytes a signer signs for this request, as it is now.
pub fn payload_of(c: &mut DbConnection, req: &RequestRow) -> Result<Vec<u8>, AppError> {
    let form: Value = serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
    let mut atts: Vec<Value> = queries::attachments_of(c, &req.id)?
        .into_iter()
        .map(|a| json!({"doc_type": a.doc_type, "sha256": a.sha256, "size": a.size_bytes}))
        .collect();
    atts.sort_by_key(canonical_json);
    let v = json!({
        "format": "ruqsat-signing-payload/1",
        "request": req.number,
        "service": req.service_code,
        "service_version": req.service_version,
        "variant": req.variant,
        "channel": req.channel,
        "applicant": {"kind": req.applicant_kind, "iin": req.applicant_iin, "bin": req.applicant_bin, "name": req.applicant_name},
        "form": form,
        "attachments": atts,
        "fee_tiyn": req.fee_tiyn,
        "submitted_at": submitted_at(c, req)?,
    });
    Ok(canonical_json(&v).into_bytes())
}

/// Who must sign and whose identity the certificate must carry (R-003-26, R-004-20, G-39).
fn signer_check(
    app: &App,
    user: &CurrentUser,
    req: &RequestRow,
) -> Result<ExpectedSigner, AppError> {
    let service = service_of(app, &req.service_code)?;
    let channel = service
        .channel(req.channel)
        .ok_or_else(|| AppError::internal("channel vanished"))?;
    match channel.signer {
        Signer::Applicant => {
            if req.owner_user_id.as_ref() != Some(&user.id) {
                return Err(AppError::with(
                    ErrorCode::Forbidden,
                    "the applicant signs a portal request",
                ));
            }
            match (&req.applicant_bin, &req.applicant_iin) {
                (Some(bin), _) if req.applicant_kind == ApplicantKind::LegalEntity => {
                    Ok(ExpectedSigner::from(bin))
                }
                (_, Some(iin)) => Ok(ExpectedSigner::from(iin)),
                _ => Err(AppError::internal("request without IIN/BIN")),
            }
        }
        Signer::Employee => {
            if req.created_by != user.id {
                return Err(AppError::with(
                    ErrorCode::Forbidden,
                    "the employee who entered the request signs it",
                ));
            }
            let iin = user.iin.clone().ok_or_else(|| {
                AppError::with(ErrorCode::Forbidden, "the employee account has no IIN")
            })?;
            Ok(ExpectedSigner::from(&iin))
        }
    }
}

/// The state must allow `sign` once a signature is verified (payment first, R-003-22).
fn check_signable(app: &App, c: &mut DbConnection, req: &RequestRow) -> Result<(), AppError> {
    let service = service_of(app, &req.service_code)?;
    let from = req.state;
    let facts = Facts {
        signature_verified: true,
        payment_confirmed: payment_confirmed(c, req)?,
        ..Facts::default()
    };
    let system = Actor::system(crate::domain::roles::Role::Admin);
    match lifecycle::plan(
        service,
        app.catalog.workflow_of(service),
        from,
        "sign",
        &system,
        &facts,
    ) {
        Ok(_) => Ok(()),
        Err(TransitionError::IllegalTransition { .. }) if from == State::Draft => {
            Err(AppError::with(
                ErrorCode::IllegalTransition,
                "submit the request before signing it",
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether the gateway confirmed a payment for this request. Free services need none.
fn payment_confirmed(c: &mut DbConnection, req: &RequestRow) -> Result<bool, AppError> {
    super::payments::paid_for(c, req)
}

/// `GET …/signing-payload`: the bytes to sign.
pub fn signing_payload(app: &App, user: &CurrentUser, number: &str) -> Result<Vec<u8>, AppError> {
    app.store.read(|c| {
        let req = load_visible(c, user, number)?;
        signer_check(app, user, &req)?;
        check_signable(app, c, &req)?;
        payload_of(c, &req)
    })
}

fn failure_error(f: &SignatureFailure) -> AppError {
    AppError::with(f.code(), f.to_string())
}

/// `POST …/signature`: verifies the CMS over the current payload; on success the request is
/// signed and registered in one transaction; on failure the refusal is recorded in the
/// history and the request stays where it was (R-003-27, R-004-21, R-004-34).
pub fn submit_signature(
    app: &App,
    user: &CurrentUser,
    number: &str,
    cms: &[u8],
) -> Result<RequestView, AppError> {
    let pki = app.pki.clone();
    let (req, payload, expected) = app.store.read(|c| {
        let req = load_visible(c, user, number)?;
        let expected = signer_check(app, user, &req)?;
        check_signable(app, c, &req)?;
        let payload = payload_of(c, &req)?;
        Ok((req, payload, expected))
    })?;
    let now = app.now();
    let verified = pki.verifier.verify(&payload, cms, Some(&expected), now);
    let cms_file = app.files.put(cms).map_err(AppError::internal)?;
    let service = service_of(app, &req.service_code)?;
    match verified {
        Err(f) => {
            tracing::warn!(number, code = %f.code(), detail = %f, "signature refused");
            app.store.write(|c| {
                let cur = queries::request_by_number(c, number)?
                    .ok_or_else(|| AppError::new(ErrorCode::RequestNotFound))?;
                let data = json!({"code": f.code().as_str(), "detail": f.to_string(), "cms_sha256": cms_file.sha256});
                take(app, c, service, &cur, Take {
                    action: "signature_refused",
                    by: By::System(Some(user)),
                    facts: Facts::default(),
                    reason: Some(f.message(Lang::Ru)),
                    data: Some(data),
                })
            })?;
            Err(failure_error(&f))
        }
        Ok(signer) => {
            app.store.write(|c| {
                let cur = queries::request_by_number(c, number)?
                    .ok_or_else(|| AppError::new(ErrorCode::RequestNotFound))?;
                if cur.version != req.version {
                    // The request changed after the payload was built: the signature is not over it.
                    return Err(AppError::new(ErrorCode::ConcurrentUpdate));
                }
                let facts = Facts {
                    signature_verified: true,
                    payment_confirmed: payment_confirmed(c, &cur)?,
                    ..Facts::default()
                };
                let data = json!({"serial": signer.serial_hex, "subject": signer.subject_cn, "issuer": signer.issuer,
                                  "algorithm": signer.algorithm, "cms_sha256": cms_file.sha256});
                let signed = take(app, c, service, &cur, Take {
                    action: "sign",
                    by: By::System(Some(user)),
                    facts,
                    reason: None,
                    data: Some(data),
                })?;
                queries::insert_signature(
                    c,
                    &SignatureRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        request_id: cur.id.clone(),
                        signer_user_id: user.id.clone(),
                        signer_role: user.role,
                        payload_sha256: crate::files::sha256_hex(&payload),
                        cms_sha256: cms_file.sha256.clone(),
                        subject: signer.subject_cn.clone(),
                        subject_iin: signer.iin.clone(),
                        subject_bin: signer.bin.clone(),
                        serial_hex: signer.serial_hex.clone(),
                        issuer: signer.issuer.clone(),
                        algorithm: signer.algorithm.clone(),
                        signed_at: signer.signing_time.map(|t| t.naive_utc()),
                        verified_at: now.naive_utc(),
                    },
                )?;
                // Registration follows at once (R-000-24, R-003-29, R-004-35).
                let registered = take(app, c, service, &signed, Take {
                    action: "register",
                    by: By::System(None),
                    facts: Facts::default(),
                    reason: None,
                    data: None,
                })?;
                // A booking is then confirmed with no one's action (R-000-04, R-002-12).
                match &service.booking {
                    Some(spec) => take(app, c, service, &registered, Take {
                        action: &spec.confirm_action,
                        by: By::System(None),
                        facts: Facts::default(),
                        reason: None,
                        data: None,
                    }),
                    None => Ok(registered),
                }
            })?;
            tracing::info!(number, signer = %signer.subject_cn, "request signed and registered");
            crate::metrics::transition("sign");
            crate::metrics::transition("register");
            super::requests::get(app, user, number)
        }
    }
}

/// The request's verified signatures: who submitted each, the certificate's subject,
/// IIN/BIN, serial and issuer, the stated signing time and when Ruqsat verified it
/// (R-003-24..28, R-004-17..20). A staff read is logged (R-003-66, R-004-53).
pub fn signatures(
    app: &App,
    user: &CurrentUser,
    number: &str,
) -> Result<Vec<crate::app::views::SignatureView>, AppError> {
    app.store.write(|c| {
        let req = load_visible(c, user, number)?;
        crate::app::access_log::record(app, c, user, &req, crate::app::access_log::SIGNATURES)?;
        Ok(queries::signatures_with_names(c, &req.id)?
            .into_iter()
            .map(|(s, name)| crate::app::views::SignatureView::named(s, name))
            .collect())
    })
}
