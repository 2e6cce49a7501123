//! `ruqsat demo --out DIR`: runs every flow that exists end to end, against a fresh
//! database, through the same use cases the server calls, and writes `DIR/summary.json`:
//! `{"flows":[{"service","channel","request","outcome","documents":[paths relative to DIR]}]}`.

use crate::app::auth::{self, CurrentUser};
use crate::app::requests::{self, ApplicantInput, NewRequest, TransitionInput, Upload};
use crate::app::seed::demo_password;
use crate::app::App;
use crate::config::Config;
use crate::error::AppError;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::path::Path;

#[derive(Debug, Serialize)]
pub struct Flow {
    pub service: String,
    pub channel: String,
    pub request: String,
    pub outcome: String,
    /// The applicant (holder) name as entered, printed on the documents.
    pub holder: String,
    pub documents: Vec<String>,
}

impl Flow {
    /// A finished flow; `run` fills in the holder and the documents it exports.
    fn of(r: crate::app::views::RequestView, outcome: String) -> Flow {
        Flow {
            service: r.service,
            channel: r.channel,
            request: r.number,
            outcome,
            holder: String::new(),
            documents: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub flows: Vec<Flow>,
}

/// A tiny valid PDF standing in for a scanned document.
pub fn sample_pdf(title: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% {title}\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    .into_bytes()
}

fn form(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn login(app: &App, login: &str) -> Result<CurrentUser, AppError> {
    auth::login(app, login, &demo_password(login)).map(|(_, u)| u)
}

fn act(
    app: &App,
    user: &CurrentUser,
    number: &str,
    action: &str,
    reason: Option<&str>,
) -> Result<String, AppError> {
    decide(app, user, number, action, reason, &[])
}

/// A transition; a decision that issues a document passes the values the official enters
/// (G-42 etc.) as `fields`.
fn decide(
    app: &App,
    user: &CurrentUser,
    number: &str,
    action: &str,
    reason: Option<&str>,
    fields: &[(&str, &str)],
) -> Result<String, AppError> {
    let v = requests::transition(
        app,
        user,
        number,
        TransitionInput {
            action: action.into(),
            reason: reason.map(str::to_string),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        },
    )?;
    Ok(v.state)
}

fn attach_all(
    app: &App,
    user: &CurrentUser,
    number: &str,
    docs: &[&str],
    original_seen: Option<bool>,
) -> Result<(), AppError> {
    for d in docs {
        requests::attach(
            app,
            user,
            number,
            Upload {
                doc_type: d.to_string(),
                file_name: format!("{d}.pdf"),
                bytes: sample_pdf(d),
                original_seen,
            },
        )?;
    }
    Ok(())
}

/// Signs the request's payload with the demo PKCS#12 of `stem`, as the signer would, and
/// submits the signature (R-003-28, R-004-17, R-004-30).
fn sign(app: &App, user: &CurrentUser, number: &str, stem: &str) -> Result<String, AppError> {
    let payload = crate::app::signing::signing_payload(app, user, number)?;
    let dir = app
        .pki
        .demo_dir
        .clone()
        .ok_or_else(|| AppError::internal("no demo PKI"))?;
    let p12 =
        std::fs::read(dir.join("users").join(format!("{stem}.p12"))).map_err(AppError::internal)?;
    let key = crate::pki::SigningKey::from_p12(&p12, crate::pki::DEMO_P12_PASSWORD)
        .map_err(AppError::internal)?;
    let cms = key
        .sign_detached(&payload, app.now())
        .map_err(AppError::internal)?;
    Ok(crate::app::signing::submit_signature(app, user, number, &cms)?.state)
}

const SUPPORT_DOCS: [&str; 5] = [
    "birth-certificate",
    "residence",
    "consultation-conclusion",
    "disability-certificate",
    "bank-account",
];

fn support_form() -> Map<String, Value> {
    form(json!({
        "applicant_name": "Даулет Серікұлы Омаров",
        "address": "Шымкент қ., Тәуке хан даңғылы, 12",
        "phone": "+7 701 555 12 34",
        "email": "daulet@example.kz",
        "relationship": "father",
        "child_iin": "150606600013",
        "child_name": "Әлия Даулетқызы Омарова",
        "child_birth_date": "2015-06-06",
        "disability_group": "child-under-16",
        "disability_valid_until": "2027-06-06",
        "consultation_number": "ППК-2026/114",
        "consultation_date": "2026-09-01",
        "bank_name": "Halyk Bank",
        "iban": "KZ86125KZT5004100100",
        "delivery": "email"
    }))
}

type FlowFn = fn(&App) -> Result<Flow, AppError>;

fn flow_support_portal(app: &App) -> Result<Flow, AppError> {
    let daulet = login(app, "daulet")?;
    let r = requests::create(
        app,
        &daulet,
        NewRequest {
            service: "disabled-child-support".into(),
            variant: None,
            channel: "portal".into(),
            applicant: None,
            form: support_form(),
        },
    )?;
    attach_all(app, &daulet, &r.number, &SUPPORT_DOCS, None)?;
    act(app, &daulet, &r.number, "submit", None)?;
    sign(app, &daulet, &r.number, "daulet")?;
    let mio = login(app, "mio")?;
    let commission = login(app, "commission")?;
    act(app, &mio, &r.number, "start_review", None)?;
    act(
        app,
        &commission,
        &r.number,
        "record_conclusion",
        Some("Основания для материального обеспечения имеются"),
    )?;
    decide(
        app,
        &mio,
        &r.number,
        "approve",
        None,
        &[
            ("support_start", "01.12.2026"),
            ("support_period", "01.12.2026 – 31.05.2027"),
            ("support_amount", "25 000,00 ₸"),
        ],
    )?;
    let state = act(app, &mio, &r.number, "deliver", None)?;
    Ok(Flow::of(r, state))
}

fn flow_support_desk(app: &App) -> Result<Flow, AppError> {
    let mio = login(app, "mio")?;
    let r = requests::create(
        app,
        &mio,
        NewRequest {
            service: "disabled-child-support".into(),
            variant: None,
            channel: "provider_desk".into(),
            applicant: Some(ApplicantInput {
                kind: "person".into(),
                iin: Some("900712304567".into()),
                bin: None,
                name: None,
            }),
            form: support_form(),
        },
    )?;
    attach_all(app, &mio, &r.number, &SUPPORT_DOCS, Some(true))?;
    act(app, &mio, &r.number, "submit", None)?;
    sign(app, &mio, &r.number, "mio")?;
    act(app, &mio, &r.number, "start_review", None)?;
    let commission = login(app, "commission")?;
    act(
        app,
        &commission,
        &r.number,
        "record_conclusion",
        Some("Бала үйде оқымайды / Ребёнок не обучается на дому"),
    )?;
    let state = act(
        app,
        &mio,
        &r.number,
        "refuse",
        Some("Ребёнок не обучается на дому (заключение комиссии)\nСправка об обучении на дому не представлена"),
    )?;
    Ok(Flow::of(r, state))
}

fn flow_home_call(app: &App) -> Result<Flow, AppError> {
    let aigerim = login(app, "aigerim")?;
    let r = requests::create(
        app,
        &aigerim,
        NewRequest {
            service: "doctor-home-call".into(),
            variant: None,
            channel: "portal".into(),
            applicant: None,
            form: form(
                json!({"visit_address": "Астана, Сарыарқа ауданы, Бейбітшілік к-сі 14, 25 пәтер", "symptoms": "Қызба 38,5", "phone": "+7 701 111 22 33"}),
            ),
        },
    )?;
    act(app, &aigerim, &r.number, "submit", None)?;
    sign(app, &aigerim, &r.number, "aigerim")?;
    let registrar = login(app, "registrar")?;
    let state = decide(
        app,
        &registrar,
        &r.number,
        "approve",
        None,
        &[
            ("visit_date", "24.11.2026"),
            ("time_window", "10:00–14:00"),
            ("doctor_name", "Ержан Төлегенұлы Сапаров"),
        ],
    )?;
    Ok(Flow::of(r, state))
}

fn flow_attachment_desk(app: &App) -> Result<Flow, AppError> {
    let registrar = login(app, "registrar")?;
    let r = requests::create(
        app,
        &registrar,
        NewRequest {
            service: "phc-attachment".into(),
            variant: None,
            channel: "clinic_desk".into(),
            applicant: Some(ApplicantInput {
                kind: "person".into(),
                iin: Some("850305401237".into()),
                bin: None,
                name: None,
            }),
            form: form(json!({"address": "Астана, Қабанбай батыр д-лы 40", "district": "12"})),
        },
    )?;
    act(app, &registrar, &r.number, "submit", None)?;
    sign(app, &registrar, &r.number, "registrar")?;
    let state = decide(
        app,
        &registrar,
        &r.number,
        "approve",
        None,
        &[("district_doctor", "Мәдина Асқарқызы Жұмабекова")],
    )?;
    Ok(Flow::of(r, state))
}

fn flow_licence_portal(app: &App) -> Result<Flow, AppError> {
    let med = login(app, "medcenter")?;
    let r = requests::create(
        app,
        &med,
        NewRequest {
            service: "med-licence".into(),
            variant: Some("issue".into()),
            channel: "portal".into(),
            applicant: Some(ApplicantInput {
                kind: "legal_entity".into(),
                iin: None,
                bin: None,
                name: None,
            }),
            form: form(json!({
                "applicant_name": "ТОО «Медицинский центр Ақжол»",
                "legal_address": "Ақтау қ., 14 шағын аудан, 5 үй",
                "phone": "+7 729 250 00 00",
                "email": "office@medcenter.example.kz",
                "activity_subkinds": ["primary-care", "laboratory"],
                "objects": "Ақтау қ., 14 шағын аудан, 5 үй"
            })),
        },
    )?;
    attach_all(
        app,
        &med,
        &r.number,
        &["application", "staff-qualification", "premises"],
        None,
    )?;
    act(app, &med, &r.number, "submit", None)?;
    // R-003-20..22: pay through the (sandbox) gateway; the payment is confirmed by a status
    // query to the gateway, as a callback would, never by the payer's browser.
    let pay = crate::app::payments::start(app, &med, &r.number)?;
    let sandbox = app
        .payments
        .sandbox
        .clone()
        .ok_or_else(|| AppError::internal("demo without the sandbox gateway"))?;
    let gid = app
        .store
        .read(|c| crate::db::queries::payment(c, &pay.id))?
        .and_then(|p| p.gateway_payment_id)
        .ok_or_else(|| AppError::internal("payment not at the gateway"))?;
    sandbox
        .complete(&gid, crate::payments::PaymentStatus::Paid)
        .map_err(AppError::internal)?;
    let paid = crate::app::payments::status(app, &med, &r.number)?;
    if paid.status != "paid" {
        return Err(AppError::internal(format!("payment {}", paid.status)));
    }
    sign(app, &med, &r.number, "medcenter")?;
    let official = login(app, "official")?;
    act(app, &official, &r.number, "start_review", None)?;
    // R-003-30: the itemised qualification check, every applicable item met.
    requests::transition(
        app,
        &official,
        &r.number,
        TransitionInput {
            action: "assess".into(),
            checklist: [
                "premises",
                "sanitary-conclusion",
                "qualified-staff",
                "lab-equipment",
            ]
            .iter()
            .map(|i| crate::app::requests::ChecklistMark {
                item: i.to_string(),
                met: true,
                comment: None,
            })
            .collect(),
            ..Default::default()
        },
    )?;
    let state = act(app, &official, &r.number, "approve", None)?;
    Ok(Flow::of(r, state))
}

const FLOWS: &[(&str, FlowFn)] = &[
    (
        "disabled-child support, portal (R-004-25..36)",
        flow_support_portal,
    ),
    (
        "disabled-child support, department desk (R-004-12..24)",
        flow_support_desk,
    ),
    ("doctor home call, portal (R-000/R-002 HC)", flow_home_call),
    (
        "PHC attachment, clinic desk (R-000/R-001/R-002 AT)",
        flow_attachment_desk,
    ),
    (
        "medical licence issue, portal: paid, signed, e-licence (R-003-15..32)",
        flow_licence_portal,
    ),
];

/// Writes the request's signed documents to `DIR/documents/<number>-<kind>.pdf`; returns
/// their paths relative to `DIR`.
fn export_documents(app: &App, out: &Path, number: &str) -> anyhow::Result<Vec<String>> {
    let docs = app.store.read(|c| {
        let req = crate::db::queries::request_by_number(c, number)?
            .ok_or_else(|| AppError::new("REQUEST_NOT_FOUND"))?;
        crate::db::queries::documents_of(c, &req.id)
    })?;
    let mut paths = Vec::new();
    for d in docs {
        let rel = format!("documents/{number}-{}.pdf", d.kind);
        std::fs::create_dir_all(out.join("documents"))?;
        std::fs::write(out.join(&rel), app.files.get(&d.sha256)?)?;
        paths.push(rel);
    }
    Ok(paths)
}

/// Runs all flows on a fresh database and writes the summary.
pub fn run(out: &Path, database_url: Option<String>) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)?;
    let work = tempfile::tempdir()?;
    let config = Config::for_dir(work.path(), database_url);
    eprintln!(
        "ruqsat demo: database {}",
        crate::db::redact(&config.database_url)
    );
    let app = App::build(config)?;
    let mut flows = Vec::new();
    for (i, (name, f)) in FLOWS.iter().enumerate() {
        eprint!("[{}/{}] {name} … ", i + 1, FLOWS.len());
        let mut flow = f(&app).map_err(|e| anyhow::anyhow!("flow `{name}` failed: {e}"))?;
        flow.documents = export_documents(&app, out, &flow.request)?;
        flow.holder = app.store.read(|c| {
            Ok(crate::db::queries::request_by_number(c, &flow.request)?
                .map(|r| r.applicant_name)
                .unwrap_or_default())
        })?;
        eprintln!(
            "{} → {}{}",
            flow.request,
            flow.outcome,
            if flow.documents.is_empty() {
                String::new()
            } else {
                format!(" ({})", flow.documents.join(", "))
            }
        );
        flows.push(flow);
    }
    let pki_dir = app
        .pki
        .demo_dir
        .clone()
        .ok_or_else(|| anyhow::anyhow!("no demo PKI"))?;
    std::fs::create_dir_all(out.join("pki"))?;
    std::fs::copy(
        pki_dir.join("root-ca.pem"),
        out.join("pki").join("root-ca.pem"),
    )?;
    // The CRLs too, so the documents can be verified offline with revocation checked.
    std::fs::create_dir_all(out.join("pki").join("crl"))?;
    for e in std::fs::read_dir(pki_dir.join("crl"))? {
        let e = e?;
        std::fs::copy(e.path(), out.join("pki").join("crl").join(e.file_name()))?;
    }
    let summary = Summary { flows };
    let path = out.join("summary.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&summary)?)?;
    eprintln!(
        "ruqsat demo: {} flows, summary written to {}",
        summary.flows.len(),
        path.display()
    );
    Ok(())
}
