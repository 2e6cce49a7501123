//! The medical licence at the provider's desk (R-003-33..44, G-29) and through the ЦОН
//! (R-003-45..55, G-30), over HTTP, on the configured backend (CI runs this file on SQLite
//! and on PostgreSQL): registry lookup, scans of the paper originals, a signed receipt,
//! payment (G-28), the employee's or operator's ЭЦП, the official's review, the signed
//! e-licence or motivated refusal, and the handover recorded with date and recipient.

use crate::common::licence::*;
use crate::common::*;
use serde_json::{json, Value};

fn dental_form() -> Value {
    json!({"applicant_name": "ТОО «Һикмет Дент»",
           "legal_address": "Ақтау қ., 7 шағын аудан, 21 үй",
           "phone": "+7 729 240 11 22",
           "activity_subkinds": ["dentistry"],
           "objects": "Ақтау қ., 7 шағын аудан, 21 үй, 1-қабат"})
}

const DOCS: [&str; 3] = ["application", "staff-qualification", "premises"];

/// Staff intake up to submission: registry lookup, scans marked as originals seen, submit.
/// Returns the request number.
fn staff_intake(app: &TestApp, token: &str, channel: &str) -> String {
    // R-003-38/39, R-003-48/49: an applicant absent from ГБД ФЛ / ГБД ЮЛ is refused by name.
    let r = app.post(
        token,
        "/api/v1/requests",
        &json!({"service": "med-licence", "variant": "issue", "channel": channel,
                "applicant": {"kind": "person", "iin": "700303400129"}, "form": dental_form()}),
    );
    assert_error(r, 422, "APPLICANT_NOT_IN_REGISTRY");
    let r = app.post(
        token,
        "/api/v1/requests",
        &json!({"service": "med-licence", "variant": "issue", "channel": channel,
                "applicant": {"kind": "legal_entity", "bin": "100740004563"}, "form": dental_form()}),
    );
    assert_eq!(r.status(), 201, "{:?}", r.text());
    let v: Value = r.json().expect("json");
    // R-003-37 / R-003-47: the company's name as the state registry holds it.
    assert_eq!(v["applicant"]["name"], "ТОО «Һикмет Дент»", "{v}");
    let number = v["number"].as_str().expect("number").to_string();
    // R-003-40 / R-003-50: a scan must say whether the paper original was seen.
    assert_error(
        app.attach(token, &number, "application", pdf_bytes("a"), None),
        400,
        "BAD_REQUEST",
    );
    for d in DOCS {
        let r = app.attach(token, &number, d, pdf_bytes(d), Some(true));
        assert_eq!(r.status(), 201, "{:?}", r.text());
    }
    let r = app.transition(token, &number, "submit", None);
    assert_eq!(r.status(), 200, "{:?}", r.text());
    number
}

/// G-47: the receipt is a signed PDF naming the request and every document received.
fn check_receipt(app: &TestApp, token: &str, number: &str) {
    let docs: Vec<Value> = app
        .get(token, &format!("/api/v1/requests/{number}/documents"))
        .json()
        .expect("json");
    assert_eq!(docs.len(), 1, "{docs:?}");
    assert_eq!(docs[0]["kind"], "intake_receipt");
    let id = docs[0]["id"].as_str().expect("id");
    let r = app.get(
        token,
        &format!("/api/v1/requests/{number}/documents/{id}/pdf"),
    );
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().expect("pdf").to_vec();
    let verdict =
        ruqsat::pdf::verify(&pdf, &app.app.pki.verifier, chrono::Utc::now()).expect("signed");
    assert_eq!(verdict.document_kind.as_deref(), Some("intake_receipt"));
    check_signed_pdf(
        app,
        &pdf,
        "receipt",
        &[
            number,
            "ТОО «Һикмет Дент»",
            "Сведения о квалификации специалистов",
            "Документы на помещение и оборудование",
        ],
    );
    // Another request's document id is not reachable through this request.
    assert_error(
        app.get(
            token,
            &format!(
                "/api/v1/requests/{number}/documents/00000000-0000-0000-0000-000000000000/pdf"
            ),
        ),
        404,
        "DOCUMENT_NOT_FOUND",
    );
}

fn history(app: &TestApp, token: &str, number: &str) -> Vec<Value> {
    app.get(token, &format!("/api/v1/requests/{number}/history"))
        .json()
        .expect("json")
}

#[test]
fn con_channel_receipt_operator_signature_e_licence_and_handover() {
    let app = TestApp::spawn();
    let operator = app.login("operator");
    let number = staff_intake(&app, &operator, "con");
    check_receipt(&app, &operator, &number);

    // G-28: the ЦОН channel pays too; no signature before the gateway confirms.
    assert_error(
        app.get(
            &operator,
            &format!("/api/v1/requests/{number}/signing-payload"),
        ),
        409,
        "PAYMENT_NOT_CONFIRMED",
    );
    let pay = pay_in_sandbox(&app, &operator, &number);
    assert_eq!(pay["currency"], "KZT");

    // R-003-50/51: the operator certifies the entered request with the operator's own ЭЦП;
    // the company's certificate is not the operator's.
    assert_error(
        sign_as(&app, &operator, &number, "medcenter"),
        422,
        "SIGNER_IDENTITY_MISMATCH",
    );
    let r = sign_as(&app, &operator, &number, "operator");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(r.json::<Value>().expect("json")["state"], "registered");

    // R-003-53 / R-003-55: the official checks and issues the e-licence.
    let official = app.login("official");
    assert_eq!(
        app.transition(&official, &number, "start_review", None)
            .status(),
        200
    );
    assess_and_approve(&app, &official, &number, "dental-equipment");

    // The result comes back to the ЦОН: the operator sees it and prints it.
    let (pdf, signer) = verified_result(&app, &operator, &number, "licence");
    // R-003-44: signed by the provider's official.
    assert_eq!(signer.as_deref(), Some("870909302226"));
    let year = chrono::Utc::now().format("%y").to_string();
    let licence_number = format!("{year}MH000001");
    check_signed_pdf(
        &app,
        &pdf,
        "licence",
        &[
            &licence_number,
            "ТОО «Һикмет Дент»",
            "100740004563",
            &number,
        ],
    );

    // G-30: handed over in person, recording the recipient; the ЦОН operator does it.
    assert_error(
        app.transition(&operator, &number, "deliver", None),
        422,
        "RECIPIENT_REQUIRED",
    );
    let deliver = |recipient: Value| {
        app.post(
            &operator,
            &format!("/api/v1/requests/{number}/transitions"),
            &json!({"action": "deliver", "recipient": recipient}),
        )
    };
    assert_error(
        deliver(json!({"full_name": "  ", "iin": "560819427412"})),
        422,
        "RECIPIENT_REQUIRED",
    );
    assert_error(
        deliver(json!({"full_name": "Үмбетова З.", "iin": "56081942741"})),
        422,
        "IIN_FORMAT",
    );
    let before = chrono::Utc::now();
    let r = deliver(
        json!({"full_name": "Үмбетова Заһира Төлеуқызы", "iin": "560819427412",
                           "power_of_attorney": "Доверенность №7 от 20.11.2026"}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(
        r.json::<Value>().expect("json")["state"],
        "result_delivered"
    );
    let h = history(&app, &operator, &number);
    let last = h.last().expect("history");
    assert_eq!(last["action"], "deliver");
    assert_eq!(last["actor_role"], "con_operator");
    assert_eq!(last["data"]["handover"]["iin"], "560819427412");
    assert_eq!(
        last["data"]["handover"]["power_of_attorney"],
        "Доверенность №7 от 20.11.2026"
    );
    let at: chrono::DateTime<chrono::Utc> = last["at"]
        .as_str()
        .expect("at")
        .parse()
        .expect("date handed over");
    assert!(
        at >= before - chrono::Duration::seconds(1),
        "{at} < {before}"
    );
    // Read back from the database: the append-only history row itself.
    let rows = app
        .app
        .store
        .read(|c| {
            let r = ruqsat::db::queries::request_by_number(c, &number)?.expect("row");
            ruqsat::db::queries::history_of(c, &r.id)
        })
        .expect("read");
    let row = rows.last().expect("row");
    assert_eq!(
        row.to_state,
        ruqsat::domain::lifecycle::State::ResultDelivered
    );
    assert!(row
        .data_json
        .as_deref()
        .is_some_and(|d| d.contains("Үмбетова Заһира Төлеуқызы")));

    // R-003-07: the licence is in the public registry, by number and by BIN.
    for q in [
        format!("number={licence_number}"),
        "holder=100740004563".to_string(),
    ] {
        let v: Value = app
            .client
            .get(app.url(&format!("/api/v1/licences?{q}")))
            .send()
            .expect("registry")
            .json()
            .expect("json");
        let l = &v["licences"][0];
        assert_eq!(l["number"], licence_number.as_str(), "{v}");
        assert_eq!(l["holder_bin"], "100740004563");
        assert_eq!(l["status"], "valid");
        assert_eq!(l["sub_kinds"], json!(["dentistry"]));
        assert_eq!(l["events"][0]["event"], "issued");
        assert_eq!(l["events"][0]["request_number"], number.as_str());
    }
}

#[test]
fn provider_desk_unpaid_refused_then_motivated_refusal_handed_over() {
    let app = TestApp::spawn();
    let official = app.login("official");
    let number = staff_intake(&app, &official, "provider_desk");
    check_receipt(&app, &official, &number);
    // G-28: unpaid → signing refused, with the regulation's wording.
    let v = assert_error(
        sign_as(&app, &official, &number, "official"),
        409,
        "PAYMENT_NOT_CONFIRMED",
    );
    assert!(
        v["error"]["message"]["ru"]
            .as_str()
            .is_some_and(|m| m.contains("отсутствием оплаты")),
        "{v}"
    );
    pay_in_sandbox(&app, &official, &number);
    // G-29: the desk employee signs with the employee's own certificate.
    let r = sign_as(&app, &official, &number, "official");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert_eq!(r.json::<Value>().expect("json")["state"], "registered");
    assert_eq!(
        app.transition(&official, &number, "start_review", None)
            .status(),
        200
    );
    // R-003-42/43: the dental unit fails its check; the refusal names it.
    let r = app.post(
        &official,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "assess", "checklist": [
            {"item": "premises", "met": true},
            {"item": "sanitary-conclusion", "met": true},
            {"item": "qualified-staff", "met": true},
            {"item": "dental-equipment", "met": false,
             "comment": "Стерилизатор без свидетельства о поверке"}]}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    // Separation of duties: the official who took the request in does not decide it; a
    // colleague of the same department does, and signs with their own key.
    assert_error(
        app.transition(
            &official,
            &number,
            "refuse",
            Some("Несоответствие квалификационным требованиям"),
        ),
        403,
        "SEPARATION_OF_DUTIES",
    );
    let inspector = app.login("inspector");
    assert_error(
        app.transition(&inspector, &number, "refuse", None),
        422,
        "REASON_REQUIRED",
    );
    let r = app.transition(
        &inspector,
        &number,
        "refuse",
        Some("Несоответствие квалификационным требованиям"),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let (pdf, signer) = verified_result(&app, &official, &number, "refusal");
    assert_eq!(signer.as_deref(), Some("880303301116"));
    check_signed_pdf(
        &app,
        &pdf,
        "refusal",
        &[
            &number,
            "Стоматологическая установка",
            "Стерилизатор без свидетельства о поверке",
            "Несоответствие квалификационным требованиям",
        ],
    );
    // No licence for a refusal: the registry has nothing under this BIN.
    let v: Value = app
        .client
        .get(app.url("/api/v1/licences?holder=100740004563"))
        .send()
        .expect("registry")
        .json()
        .expect("json");
    assert_eq!(v["licences"], json!([]), "{v}");
    // Handed over at the desk (G-29) with the recipient recorded.
    let r = app.post(
        &official,
        &format!("/api/v1/requests/{number}/transitions"),
        &json!({"action": "deliver",
                "recipient": {"full_name": "Үмбетова Заһира Төлеуқызы", "iin": "560819427412"}}),
    );
    assert_eq!(r.status(), 200, "{:?}", r.text());
    let h = history(&app, &official, &number);
    let actions: Vec<&str> = h.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        actions,
        [
            "create",
            "attach",
            "attach",
            "attach",
            "submit",
            "request_payment",
            "confirm_payment",
            "sign",
            "register",
            "start_review",
            "assess",
            "refuse",
            "deliver"
        ]
    );
}

#[test]
fn the_registry_search_refuses_bad_keys() {
    let app = TestApp::spawn();
    let get = |q: &str| {
        app.client
            .get(app.url(&format!("/api/v1/licences{q}")))
            .send()
            .expect("registry")
    };
    assert_error(get(""), 400, "BAD_REQUEST");
    assert_error(get("?holder=050340001236"), 422, "BIN_CHECKSUM");
    assert_error(get("?number=26MH%27--"), 400, "BAD_REQUEST");
    assert_error(get("?colour=red"), 400, "BAD_REQUEST");
    let v: Value = get("?number=99XX000001").json().expect("json");
    assert_eq!(v["licences"], json!([]));
}
