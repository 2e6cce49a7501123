//! `ruqsat demo --out DIR`: runs every flow that exists end to end, against a fresh
//! database, through the same use cases the server calls, and writes `DIR/summary.json`:
//! `{"flows":[{"service","channel","request","outcome","documents":[paths relative to DIR]}]}`.

use crate::app::auth::{self, CurrentUser};
use crate::app::requests::{self, ApplicantInput, NewRequest, TransitionInput, Upload};
use crate::app::App;
use crate::config::Config;
use crate::demo::seed::demo_password;
use crate::domain::channels::ChannelCode;
use crate::error::AppError;
use crate::error::ErrorCode;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::path::Path;

#[derive(Debug, Serialize)]
pub struct Flow {
    pub service: String,
    pub channel: ChannelCode,
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
    auth::login(app, login, &demo_password(login), None).map(|(_, u)| u)
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

/// The commission's conclusion (G-41, A-14): both demo members record the same opinion.
fn commission_concludes(
    app: &App,
    number: &str,
    opinion: crate::domain::commission::Opinion,
    grounds: [&str; 2],
) -> Result<(), AppError> {
    for (member, reason) in ["commission", "commission2"].into_iter().zip(grounds) {
        let user = login(app, member)?;
        requests::transition(
            app,
            &user,
            number,
            TransitionInput {
                action: "record_conclusion".into(),
                reason: Some(reason.into()),
                opinion: Some(opinion),
                ..Default::default()
            },
        )?;
    }
    Ok(())
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
    Ok(v.state.to_string())
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
                // The desk hands each original back once checked (R-004-12).
                original_returned: original_seen.filter(|seen| *seen),
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
    let key = crate::pki::SigningKey::from_p12(&p12, crate::demo::pki::DEMO_P12_PASSWORD)
        .map_err(AppError::internal)?;
    let cms = key
        .sign_detached(&payload, app.now())
        .map_err(AppError::internal)?;
    Ok(
        crate::app::signing::submit_signature(app, user, number, &cms)?
            .state
            .to_string(),
    )
}

const SUPPORT_DOCS: [&str; 5] = [
    "birth-certificate",
    "residence",
    "consultation-conclusion",
    "disability-certificate",
    "bank-account",
];

/// The demo's support form; the consultation's conclusion is 60 days old and the disability
/// runs a year on from the demo's `today`, so the form stays plausible (assumption A-13).
fn support_form(today: chrono::NaiveDate) -> Map<String, Value> {
    let day = |days: i64| {
        (today + chrono::Duration::days(days))
            .format("%Y-%m-%d")
            .to_string()
    };
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
        "disability_valid_until": day(365),
        "consultation_number": "ППК-2026/114",
        "consultation_date": day(-60),
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
            provider: None,
            variant: None,
            channel: "portal".into(),
            applicant: None,
            form: support_form(app.now().date_naive()),
        },
    )?;
    attach_all(app, &daulet, &r.number, &SUPPORT_DOCS, None)?;
    act(app, &daulet, &r.number, "submit", None)?;
    sign(app, &daulet, &r.number, "daulet")?;
    let mio = login(app, "mio")?;
    act(app, &mio, &r.number, "start_review", None)?;
    commission_concludes(
        app,
        &r.number,
        crate::domain::commission::Opinion::Grant,
        [
            "Основания для материального обеспечения имеются",
            "Документы в порядке, обучение на дому подтверждено",
        ],
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
    // Delivery by e-mail (R-004-24): the mail with the signed decision is the handover.
    let state = mail_out(app, &r.number)?;
    Ok(Flow::of(r, state))
}

/// Sends what the outbox holds (the demo has no server running its worker) and answers the
/// request's state afterwards.
fn mail_out(app: &App, number: &str) -> Result<String, AppError> {
    crate::app::outbox::drain(app, "ruqsat-demo")?;
    let req = app
        .store
        .read(|c| crate::db::queries::request_by_number(c, number))?
        .ok_or_else(|| AppError::internal("request vanished"))?;
    Ok(req.state.to_string())
}

fn flow_support_desk(app: &App) -> Result<Flow, AppError> {
    let mio = login(app, "mio")?;
    let r = requests::create(
        app,
        &mio,
        NewRequest {
            service: "disabled-child-support".into(),
            provider: None,
            variant: None,
            channel: "provider_desk".into(),
            applicant: Some(ApplicantInput {
                kind: crate::domain::catalog::ApplicantKind::Person,
                iin: Some("900712304567".into()),
                bin: None,
                name: None,
            }),
            form: support_form(app.now().date_naive()),
        },
    )?;
    attach_all(app, &mio, &r.number, &SUPPORT_DOCS, Some(true))?;
    act(app, &mio, &r.number, "submit", None)?;
    sign(app, &mio, &r.number, "mio")?;
    act(app, &mio, &r.number, "start_review", None)?;
    commission_concludes(
        app,
        &r.number,
        crate::domain::commission::Opinion::Refuse,
        [
            "Бала үйде оқымайды / Ребёнок не обучается на дому",
            "Справка об обучении на дому не представлена",
        ],
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

/// A home call taken by telephone at a Kokshetau clinic (Akmola: R-000-50, G-15): the
/// registrar looks the caller up by IIN, signs with their own key and assigns the district
/// doctor of the address. Akmola's data switch the same-day cut-off off (000 states none).
fn flow_home_call(app: &App) -> Result<Flow, AppError> {
    let registrar = login(app, "registrar-kok")?;
    let r = requests::create(
        app,
        &registrar,
        NewRequest {
            service: "doctor-home-call".into(),
            provider: None,
            variant: None,
            channel: "phone".into(),
            applicant: Some(ApplicantInput {
                kind: crate::domain::catalog::ApplicantKind::Person,
                iin: Some("540214311853".into()),
                bin: None,
                name: None,
            }),
            form: form(
                json!({"visit_address": "Көкшетау қ., Абая к-сі 12, 7 пәтер", "symptoms": "Қызба 38,5 / температура 38,5", "phone": "+7 701 111 22 33"}),
            ),
        },
    )?;
    act(app, &registrar, &r.number, "submit", None)?;
    sign(app, &registrar, &r.number, "registrar-kok")?;
    // The visit is today, by the district doctor of the address (Абая → district 1).
    let state = decide(
        app,
        &registrar,
        &r.number,
        "approve",
        None,
        &[("time_window", "14:00–18:00")],
    )?;
    Ok(Flow::of(r, state))
}

/// An appointment booked on the portal in Astana (R-000-04, R-002-12): the first free slot
/// of a district therapist in the next two weeks; signing registers it and the ticket
/// follows with no registrar action.
fn flow_appointment(app: &App) -> Result<Flow, AppError> {
    let aigerim = login(app, "aigerim")?;
    let free = crate::app::clinics::free_slots(
        app,
        "astana-polyclinic-1",
        &crate::app::clinics::SlotQuery {
            doctor: Some("ast1-therapist-2".into()),
            from: None,
            days: Some(14),
        },
    )?;
    let slot = free
        .slots
        .first()
        .ok_or_else(|| AppError::internal("no free slot in two weeks"))?;
    let r = requests::create(
        app,
        &aigerim,
        NewRequest {
            service: "doctor-appointment".into(),
            provider: None,
            variant: None,
            channel: "portal".into(),
            applicant: None,
            form: form(
                json!({"clinic": "astana-polyclinic-1", "doctor": "ast1-therapist-2",
                              "slot_start": slot.start.to_rfc3339()}),
            ),
        },
    )?;
    act(app, &aigerim, &r.number, "submit", None)?;
    let state = sign(app, &aigerim, &r.number, "aigerim")?;
    Ok(Flow::of(r, state))
}

fn flow_attachment_desk(app: &App) -> Result<Flow, AppError> {
    let registrar = login(app, "registrar")?;
    let r = requests::create(
        app,
        &registrar,
        NewRequest {
            service: "phc-attachment".into(),
            provider: None,
            variant: None,
            channel: "clinic_desk".into(),
            applicant: Some(ApplicantInput {
                kind: crate::domain::catalog::ApplicantKind::Person,
                // Attached to Astana polyclinic No. 4: the approval moves him here and ends
                // that attachment (G-14).
                iin: Some("881122307898".into()),
                bin: None,
                name: None,
            }),
            form: form(json!({"address": "Астана қ., Бейбітшілік к-сі 20", "district": "1"})),
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

/// R-003-20..22: pays the request's fee through the (sandbox) gateway; the payment is
/// confirmed by a status query to the gateway, as a callback would, never by the payer's
/// browser.
fn pay_in_sandbox(app: &App, user: &CurrentUser, number: &str) -> Result<(), AppError> {
    let pay = crate::app::payments::start(app, user, number)?;
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
    let paid = crate::app::payments::status(app, user, number)?;
    if paid.status != crate::payments::PaymentStatus::Paid {
        return Err(AppError::internal(format!("payment {}", paid.status)));
    }
    Ok(())
}

/// A medical-licence request taken from intake to the official's decision.
struct Licence<'a> {
    channel: ChannelCode,
    variant: &'a str,
    /// Who opens the request: the company's director on the portal, the desk employee or
    /// the ЦОН operator otherwise (who then also signs, R-003-50, G-29).
    initiator: &'a str,
    /// BIN looked up in ГБД ЮЛ at a desk (R-003-37, R-003-47); the portal takes the account's.
    bin: Option<&'a str>,
    form: Value,
    /// The official's checklist (R-003-30): items met, and at most one not met with a comment.
    met: &'a [&'a str],
    unmet: Option<(&'a str, &'a str)>,
    /// The reasons of a refusal; `None` approves.
    refusal: Option<&'a str>,
}

const BASE_QUALIFICATION: [&str; 3] = ["premises", "sanitary-conclusion", "qualified-staff"];
const WITH_LABORATORY: [&str; 4] = [
    "premises",
    "sanitary-conclusion",
    "qualified-staff",
    "lab-equipment",
];

impl<'a> Licence<'a> {
    /// The demo company on the portal, every applicable item met.
    fn portal(variant: &'a str, form: Value, met: &'a [&'a str]) -> Self {
        Licence {
            channel: ChannelCode::Portal,
            variant,
            initiator: "medcenter",
            bin: None,
            form,
            met,
            unmet: None,
            refusal: None,
        }
    }

    fn run(&self, app: &App) -> Result<(crate::app::views::RequestView, String), AppError> {
        let staff = self.channel.is_assisted();
        let initiator = login(app, self.initiator)?;
        let r = requests::create(
            app,
            &initiator,
            NewRequest {
                service: "med-licence".into(),
                provider: None,
                variant: Some(self.variant.into()),
                channel: self.channel.to_string(),
                applicant: Some(ApplicantInput {
                    kind: crate::domain::catalog::ApplicantKind::LegalEntity,
                    iin: None,
                    bin: self.bin.map(str::to_string),
                    name: None,
                }),
                form: form(self.form.clone()),
            },
        )?;
        let docs: &[&str] = match self.variant {
            "issue" => &["application", "staff-qualification", "premises"],
            "reissue" if !staff => &[
                "application",
                "staff-qualification",
                "premises",
                "change-basis",
            ],
            "reissue" => &["application", "staff-qualification", "premises"],
            _ => &["application"],
        };
        // At a desk the employee scans the paper originals shown (R-003-40, R-003-50).
        attach_all(app, &initiator, &r.number, docs, staff.then_some(true))?;
        act(app, &initiator, &r.number, "submit", None)?;
        pay_in_sandbox(app, &initiator, &r.number)?;
        let signer = if staff { self.initiator } else { "medcenter" };
        sign(app, &initiator, &r.number, signer)?;
        // Separation of duties: who took the request in at the desk does not decide it.
        let decider = if self.initiator == "official" {
            "inspector"
        } else {
            "official"
        };
        let official = login(app, decider)?;
        act(app, &official, &r.number, "start_review", None)?;
        let mut checklist: Vec<crate::app::requests::ChecklistMark> = self
            .met
            .iter()
            .map(|i| crate::app::requests::ChecklistMark {
                item: i.to_string(),
                met: true,
                comment: None,
            })
            .collect();
        if let Some((item, comment)) = self.unmet {
            checklist.push(crate::app::requests::ChecklistMark {
                item: item.into(),
                met: false,
                comment: Some(comment.into()),
            });
        }
        requests::transition(
            app,
            &official,
            &r.number,
            TransitionInput {
                action: "assess".into(),
                checklist,
                ..Default::default()
            },
        )?;
        let state = match self.refusal {
            None => act(app, &official, &r.number, "approve", None)?,
            Some(reasons) => act(app, &official, &r.number, "refuse", Some(reasons))?,
        };
        Ok((r, state))
    }
}

fn medcenter_form(extra: Value) -> Value {
    let mut f = json!({
        "applicant_name": "ТОО «Медицинский центр Ақжол»",
        "legal_address": "Ақтау қ., 14 шағын аудан, 5 үй",
        "phone": "+7 729 250 00 00",
        "email": "office@medcenter.example.kz",
        "activity_subkinds": ["primary-care", "laboratory"],
        "objects": "Ақтау қ., 14 шағын аудан, 5 үй"
    });
    if let (Some(f), Value::Object(e)) = (f.as_object_mut(), extra) {
        for (k, v) in e {
            if v.is_null() {
                f.remove(&k);
            } else {
                f.insert(k, v);
            }
        }
    }
    f
}

/// The licence number the registry holds for the demo company's licence in force (G-24).
fn medcenter_licence_number(app: &App) -> Result<String, AppError> {
    let query = crate::app::licences::LicenceQuery {
        holder: Some("050340001235".into()),
        ..Default::default()
    };
    crate::app::licences::search(app, &query)?
        .into_iter()
        .find(|l| l.status == crate::domain::documents::DocumentStatus::Valid)
        .map(|l| l.number)
        .ok_or_else(|| AppError::internal("no licence issued to the demo company yet"))
}

fn flow_licence_portal(app: &App) -> Result<Flow, AppError> {
    let (r, state) =
        Licence::portal("issue", medcenter_form(json!({})), &WITH_LABORATORY).run(app)?;
    Ok(Flow::of(r, state))
}

/// Re-issue after a change of name (G-23): a new licence version, the previous superseded.
fn flow_licence_reissue(app: &App) -> Result<Flow, AppError> {
    let number = medcenter_licence_number(app)?;
    let form = medcenter_form(json!({
        "applicant_name": "ТОО «Ақжол Медицина»",
        "licence_number": number,
        "reason": "name-change"
    }));
    let (r, state) = Licence::portal("reissue", form, &WITH_LABORATORY).run(app)?;
    Ok(Flow::of(r, state))
}

/// Duplicate of a lost licence (G-23): same number, marked as a duplicate.
fn flow_licence_duplicate(app: &App) -> Result<Flow, AppError> {
    let number = medcenter_licence_number(app)?;
    let form = medcenter_form(json!({
        "applicant_name": "ТОО «Ақжол Медицина»",
        "activity_subkinds": null,
        "objects": null,
        "licence_number": number,
        "reason": "lost"
    }));
    let (r, state) = Licence::portal("duplicate", form, &BASE_QUALIFICATION).run(app)?;
    Ok(Flow::of(r, state))
}

fn dental_form() -> Value {
    json!({
        "applicant_name": "ТОО «Һикмет Дент»",
        "legal_address": "Ақтау қ., 7 шағын аудан, 21 үй",
        "phone": "+7 729 240 11 22",
        "activity_subkinds": ["dentistry"],
        "objects": "Ақтау қ., 7 шағын аудан, 21 үй, 1-қабат"
    })
}

/// At the provider's desk (R-003-33..43, G-29): registry lookup, scans of the originals,
/// the employee's signature and receipt; the dental unit fails its check, so another
/// official of the department (separation of duties) signs a motivated refusal naming it
/// (R-003-43).
fn flow_licence_desk_refusal(app: &App) -> Result<Flow, AppError> {
    let (r, state) = Licence {
        channel: ChannelCode::ProviderDesk,
        variant: "issue",
        initiator: "official",
        bin: Some("100740004563"),
        form: dental_form(),
        met: &BASE_QUALIFICATION,
        unmet: Some((
            "dental-equipment",
            "Стерилизатор без свидетельства о поверке / Стерилизатордың тексеру туралы куәлігі жоқ",
        )),
        refusal: Some("Несоответствие квалификационным требованиям (п. 4 проверочного листа)"),
    }
    .run(app)?;
    Ok(Flow::of(r, state))
}

/// Through the ЦОН (R-003-45..55, G-30): the operator looks the company up, scans the
/// originals, certifies the request with the operator's ЭЦП and gives a receipt; the
/// e-licence comes back to the ЦОН and is handed over, recording date and recipient.
fn flow_licence_con(app: &App) -> Result<Flow, AppError> {
    let (r, _) = Licence {
        channel: ChannelCode::Con,
        variant: "issue",
        initiator: "operator",
        bin: Some("100740004563"),
        form: dental_form(),
        met: &[&BASE_QUALIFICATION[..], &["dental-equipment"]].concat(),
        unmet: None,
        refusal: None,
    }
    .run(app)?;
    let operator = login(app, "operator")?;
    // Collected by an employee of the company with a power of attorney.
    let state = hand_over(
        app,
        &operator,
        &r.number,
        ("Үмбетова Заһира Төлеуқызы", "560819427412"),
        Some("Доверенность №7 от 20.11.2026"),
    )?;
    Ok(Flow::of(r, state))
}

/// Hands the result over in person (G-30, G-43): the recipient as on the identity document.
fn hand_over(
    app: &App,
    user: &CurrentUser,
    number: &str,
    (full_name, iin): (&str, &str),
    power_of_attorney: Option<&str>,
) -> Result<String, AppError> {
    let v = requests::transition(
        app,
        user,
        number,
        TransitionInput {
            action: "deliver".into(),
            recipient: Some(crate::app::requests::Recipient {
                full_name: full_name.into(),
                iin: iin.into(),
                power_of_attorney: power_of_attorney.map(str::to_string),
            }),
            ..Default::default()
        },
    )?;
    Ok(v.state.to_string())
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
    (
        "doctor appointment, portal, Astana: slot booked, ticket with no registrar action (R-000-04, R-002-12)",
        flow_appointment,
    ),
    (
        "doctor home call by telephone, Kokshetau (R-000-50 HC)",
        flow_home_call,
    ),
    (
        "PHC attachment, clinic desk, Astana: moved from polyclinic No. 4 (R-000/R-001/R-002 AT, G-14)",
        flow_attachment_desk,
    ),
    (
        "medical licence issue, portal: paid, signed, e-licence (R-003-15..32)",
        flow_licence_portal,
    ),
    (
        "medical licence re-issue, portal: change of name, previous superseded (G-23)",
        flow_licence_reissue,
    ),
    (
        "medical licence duplicate, portal: same number, marked (G-23)",
        flow_licence_duplicate,
    ),
    (
        "medical licence, provider desk: receipt, checklist not met, motivated refusal (R-003-33..43)",
        flow_licence_desk_refusal,
    ),
    (
        "medical licence, ЦОН: receipt, operator ЭЦП, e-licence handed over (R-003-45..55)",
        flow_licence_con,
    ),
];

/// Writes the request's signed documents to `DIR/documents/<number>-<kind>.pdf`; returns
/// their paths relative to `DIR`.
fn export_documents(app: &App, out: &Path, number: &str) -> anyhow::Result<Vec<String>> {
    let docs = app.store.read(|c| {
        let req = crate::db::queries::request_by_number(c, number)?
            .ok_or_else(|| AppError::new(ErrorCode::RequestNotFound))?;
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
/// Sends every message the run queued, retrying while the SMTP server is unreachable, for
/// at most `limit`; then fails naming what is left (a later `ruqsat serve` on the same
/// database sends it).
fn drain_before_exit(app: &App, limit: std::time::Duration) -> anyhow::Result<()> {
    use crate::domain::outbox::OutboxStatus;
    let start = std::time::Instant::now();
    loop {
        let drained = crate::app::outbox::drain(app, "ruqsat-demo")?;
        let counts = app.store.read(crate::db::queries::outbox_counts)?;
        let count = |s: OutboxStatus| {
            counts
                .iter()
                .find(|(st, _)| *st == s)
                .map_or(0, |(_, n)| *n)
        };
        let (sent, pending, dead) = (
            count(OutboxStatus::Sent),
            count(OutboxStatus::Pending),
            count(OutboxStatus::Dead),
        );
        if pending == 0 && dead == 0 {
            eprintln!(
                "ruqsat demo: {sent} mail(s) sent to {}",
                app.mailer.describe()
            );
            return Ok(());
        }
        if start.elapsed() >= limit || dead > 0 {
            // What is left, by kind and recipient, so the operator knows whom to expect.
            let left = app
                .store
                .read(|c| crate::db::queries::outbox_unsent(c, 20))?;
            for m in &left {
                eprintln!(
                    "ruqsat demo: unsent {} mail `{}` to {} ({} attempt(s): {})",
                    m.kind,
                    m.subject,
                    crate::mail::masked_address(&m.recipient),
                    m.attempts,
                    m.last_error.as_deref().unwrap_or("-")
                );
            }
            anyhow::bail!(
                "{pending} mail(s) still unsent and {dead} given up after {:?} ({} sent this round); \
                 they stay in the outbox of this database: `ruqsat serve` on it sends the pending ones, \
                 an administrator re-queues the dead ones (GET /api/v1/admin/outbox?status=dead)",
                start.elapsed(),
                drained.sent
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

/// How `ruqsat demo` runs besides its output directory.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The database to fill; none = a temporary SQLite file.
    pub database_url: Option<String>,
    /// Where the run keeps its files (documents, PKI); none = a temporary directory, or the
    /// server's default `data` when a database is given, so that `ruqsat serve` on that
    /// database finds the documents of the mail the run could not send.
    pub data_dir: Option<std::path::PathBuf>,
    /// How long the run waits for its mail to be sent before it gives up.
    pub mail_wait: std::time::Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            database_url: None,
            data_dir: None,
            mail_wait: std::time::Duration::from_secs(30),
        }
    }
}

pub fn run(out: &Path, options: RunOptions) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)?;
    let work = tempfile::tempdir()?;
    let data_dir = match (&options.data_dir, &options.database_url) {
        (Some(dir), _) => dir.clone(),
        (None, Some(_)) => std::env::var_os("RUQSAT_DATA_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| "data".into()),
        (None, None) => work.path().to_path_buf(),
    };
    std::fs::create_dir_all(&data_dir)?;
    eprintln!("ruqsat demo: files in {}", data_dir.display());
    let mut config = Config::for_dir(&data_dir, options.database_url);
    // The run waits for its mail: a refused send is tried again after a second, not 30 s.
    config.mail_retry_first_ms = 1000;
    eprintln!(
        "ruqsat demo: database {}",
        crate::db::redact(&config.database_url)
    );
    let mut app = App::build(config)?;
    // Mail: to the SMTP server of RUQSAT_SMTP_URL when set, else as .eml files in DIR/mail.
    app.mailer = match std::env::var("RUQSAT_SMTP_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        Some(url) => std::sync::Arc::new(crate::mail::SmtpMailer::new(
            &url,
            &app.config.mail_from,
            std::time::Duration::from_secs(30),
        )?),
        None => std::sync::Arc::new(crate::mail::FolderMailer::new(
            out.join("mail"),
            &app.config.mail_from,
        )?),
    };
    eprintln!("ruqsat demo: mail to {}", app.mailer.describe());
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
    drain_before_exit(&app, options.mail_wait)
}
