//! Sample data for every document kind: used by the tests, the benchmark and the
//! demo. Names and places are fictitious; the IINs/BINs are the demo users'.

use std::collections::BTreeMap;

use chrono::{SubsecRound, Utc};

use crate::pdf::DocumentData;

/// Base of the sample verification URLs.
pub const SAMPLE_PUBLIC_URL: &str = "https://ruqsat.example.kz";

const LICENSOR: &str = "«Маңғыстау облысының денсаулық сақтау басқармасы» ММ / ГУ «Управление здравоохранения Мангистауской области»";
const OFFICIAL: &str = "Серікбаев Дәулет Қайратұлы, бөлім басшысы / руководитель отдела";
const HOLDER: &str = "Әйгерім Нұрланова";
const HOLDER_IIN: &str = "850305401237";
const ADDRESS: &str = "Қазақстан, Маңғыстау облысы, Ақтау қ., 14-шағын аудан, 7-үй";
const CLINIC: &str = "Астана қаласының №1 емханасы / Городская поликлиника №1 г. Астаны";
const CLINIC_ADDRESS: &str = "Қазақстан, Астана қ., Бейбітшілік к-сі, 14";

fn f(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn licence_fields(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut m = f(&[
        ("licence_number", "26011234"),
        ("issue_date", "15.01.2026"),
        ("holder_name", HOLDER),
        ("holder_iin_bin", HOLDER_IIN),
        ("holder_address", ADDRESS),
        ("activity", "Медициналық қызмет / Медицинская деятельность"),
        (
            "sub_kinds",
            "Амбулаториялық-емханалық көмек (ересектерге, балаларға); зертханалық диагностика / Амбулаторно-поликлиническая помощь (взрослому, детскому населению); лабораторная диагностика",
        ),
        ("objects", ADDRESS),
        ("validity", "Мерзімсіз / Бессрочная"),
        ("licensor", LICENSOR),
        ("official", OFFICIAL),
        ("request_number", "MLC-2026-000042"),
    ]);
    for (k, v) in extra {
        m.insert(k.to_string(), v.to_string());
    }
    m
}

/// A complete, valid [`DocumentData`] of `kind` with id `document_id`, issued
/// now. For an unknown kind the fields are empty (rendering then fails).
pub fn sample_document(kind: &str, document_id: &str) -> DocumentData {
    let (fields, items): (BTreeMap<String, String>, Vec<&str>) = match kind {
        "licence" => (licence_fields(&[]), vec![]),
        "licence_duplicate" => (
            licence_fields(&[("duplicate_date", "02.03.2026")]),
            vec![],
        ),
        "licence_reissued" => {
            let mut m = licence_fields(&[
                ("reissue_date", "20.02.2026"),
                ("original_issue_date", "15.01.2026"),
                (
                    "reissue_reason",
                    "Лицензиаттың заңды мекенжайының өзгеруі / Изменение юридического адреса лицензиата",
                ),
                ("supersedes", "Zx8Qm2Lr7VtN4pKc9WbHsA"),
            ]);
            m.remove("issue_date");
            (m, vec![])
        }
        "licence_appendix" => (
            f(&[
                ("licence_number", "26011234"),
                ("appendix_number", "001"),
                ("issue_date", "15.01.2026"),
                ("holder_name", HOLDER),
                ("holder_iin_bin", HOLDER_IIN),
                (
                    "sub_kinds",
                    "Зертханалық диагностика / Лабораторная диагностика",
                ),
                ("objects", ADDRESS),
                ("licensor", LICENSOR),
                ("official", OFFICIAL),
                ("request_number", "MLC-2026-000042"),
            ]),
            vec![],
        ),
        "refusal" => (
            f(&[
                ("request_number", "MLC-2026-000043"),
                ("request_date", "10.01.2026"),
                (
                    "service",
                    "Медициналық қызметке лицензия беру / Выдача лицензии на медицинскую деятельность",
                ),
                ("applicant_name", HOLDER),
                ("applicant_iin_bin", HOLDER_IIN),
                ("provider", LICENSOR),
                ("decision_date", "24.01.2026"),
                ("official", OFFICIAL),
            ]),
            vec![
                "Біліктілік талаптарына сәйкес келмейді: медициналық жабдықтың болуы расталмаған / Несоответствие квалификационным требованиям: не подтверждено наличие медицинского оборудования",
                "Стандарттың 11-тармағында көрсетілген құжаттар толық емес / Неполный пакет документов по пункту 11 Стандарта",
            ],
        ),
        "support_decision" => (
            f(&[
                ("request_number", "DCS-2026-000007"),
                ("applicant_name", HOLDER),
                ("applicant_iin", HOLDER_IIN),
                ("child_name", "Нұрланов Алихан Бауыржанұлы"),
                ("child_iin", "150612500123"),
                ("child_birth_date", "12.06.2015"),
                (
                    "decision",
                    "Құжаттар ресімделді, материалдық қамтамасыз ету тағайындалды / Документы оформлены, материальное обеспечение назначено",
                ),
                ("support_start", "01.02.2026"),
                ("support_period", "01.02.2026 – 31.05.2026"),
                ("support_amount", "25 952,00 ₸ (7 АЕК / МРП)"),
                (
                    "commission_conclusion",
                    "Қалиев Асқар Нұрұлы: қанағаттандыру / удовлетворить — основания имеются; Ержанова Гүлмира Сапарқызы: қанағаттандыру / удовлетворить — документы в порядке",
                ),
                (
                    "provider",
                    "Шымкент қаласының жұмыспен қамту және әлеуметтік бағдарламалар бөлімі / Отдел занятости и социальных программ г. Шымкент",
                ),
                ("decision_date", "27.01.2026"),
                ("official", "Қасымова Динара, бас маман / главный специалист"),
            ]),
            vec![],
        ),
        "support_refusal" => (
            f(&[
                ("request_number", "DCS-2026-000008"),
                ("applicant_name", HOLDER),
                ("applicant_iin", HOLDER_IIN),
                ("child_name", "Нұрланов Алихан Бауыржанұлы"),
                ("child_iin", "150612500123"),
                (
                    "commission_conclusion",
                    "№ 12 хаттама, 26.01.2026 / Протокол № 12 от 26.01.2026",
                ),
                (
                    "provider",
                    "Шымкент қаласының жұмыспен қамту және әлеуметтік бағдарламалар бөлімі / Отдел занятости и социальных программ г. Шымкент",
                ),
                ("decision_date", "27.01.2026"),
                ("official", "Қасымова Динара, бас маман / главный специалист"),
            ]),
            vec![
                "Психологиялық-педагогикалық консультацияның қорытындысы үйде оқытуды көздемейді / Заключение психолого-педагогической консультации не предусматривает обучение на дому",
            ],
        ),
        "phc_attachment" => (
            f(&[
                ("request_number", "PHC-2026-000101"),
                ("patient_name", HOLDER),
                ("patient_iin", HOLDER_IIN),
                ("clinic_name", CLINIC),
                ("clinic_address", CLINIC_ADDRESS),
                ("district", "№ 7 учаске / участок № 7"),
                ("district_doctor", "Бекова Гүлнар Серікқызы"),
                ("attachment_date", "15.01.2026"),
                ("official", "Тіркеуші / Регистратор: Омарова Ләззат"),
            ]),
            vec![],
        ),
        "appointment_ticket" => (
            f(&[
                ("request_number", "APT-2026-000311"),
                ("patient_name", HOLDER),
                ("patient_iin", HOLDER_IIN),
                ("clinic_name", CLINIC),
                ("clinic_address", CLINIC_ADDRESS),
                ("doctor_name", "Бекова Гүлнар Серікқызы"),
                ("doctor_specialty", "Жалпы практика дәрігері / Врач общей практики"),
                ("cabinet", "214"),
                ("appointment_date", "16.01.2026"),
                ("appointment_time", "10:40"),
            ]),
            vec![],
        ),
        "home_call_confirmation" => (
            f(&[
                ("request_number", "HCL-2026-000077"),
                ("patient_name", HOLDER),
                ("patient_iin", HOLDER_IIN),
                ("visit_address", "Қазақстан, Астана қ., Бейбітшілік к-сі, 14, 5-пәтер"),
                ("visit_date", "15.01.2026"),
                ("time_window", "14:00 – 18:00"),
                ("doctor_name", "Бекова Гүлнар Серікқызы"),
                ("clinic_name", CLINIC),
                ("symptoms", "қызба, жөтел / температура, кашель"),
            ]),
            vec![],
        ),
        "payment_receipt" => (
            f(&[
                ("request_number", "MLC-2026-000042"),
                ("payer_name", HOLDER),
                ("payer_iin_bin", HOLDER_IIN),
                (
                    "service",
                    "Медициналық қызметке лицензия беру / Выдача лицензии на медицинскую деятельность",
                ),
                ("purpose", "Лицензиялық алым / Лицензионный сбор"),
                ("amount", "39 320,00 ₸"),
                ("fee_basis", "10 АЕК × 3 932 ₸ (тексерілмеген / не проверено)"),
                ("payment_reference", "PSEP-20260112-000981"),
                ("gateway", "ЭҮТШ / ПШЭП"),
                ("paid_at", "12.01.2026 11:05"),
                ("recipient", LICENSOR),
            ]),
            vec![],
        ),
        "intake_receipt" => (
            f(&[
                ("request_number", "MLC-2026-000044"),
                (
                    "service",
                    "Медициналық қызметке лицензия беру / Выдача лицензии на медицинскую деятельность",
                ),
                ("applicant_name", HOLDER),
                ("applicant_iin_bin", HOLDER_IIN),
                ("received_at", "12.01.2026 10:20"),
                ("intake_point", "Ақтау қаласының ХҚКО / ЦОН г. Актау"),
                ("employee", "Жақсылықова Айнұр, ХҚКО операторы / оператор ЦОН"),
                ("due_date", "02.02.2026"),
            ]),
            vec![
                "Өтініш / Заявление",
                "Жеке басты куәландыратын құжаттың көшірмесі / Копия документа, удостоверяющего личность",
                "Лицензиялық алымның төленгенін растайтын құжат / Документ об оплате лицензионного сбора",
                "Медициналық жабдықтың болуы туралы мәліметтер / Сведения о наличии медицинского оборудования",
            ],
        ),
        _ => (BTreeMap::new(), vec![]),
    };
    DocumentData {
        kind: kind.to_string(),
        document_id: document_id.to_string(),
        fields,
        items: items.into_iter().map(str::to_string).collect(),
        verify_url: format!("{SAMPLE_PUBLIC_URL}/verify/{document_id}"),
        issued_at: Utc::now().trunc_subsecs(0),
    }
}
