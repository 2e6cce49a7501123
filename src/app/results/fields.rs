//! What a document prints: the values of its template fields for a request, from one place
//! (the request, its form, the applicant, the provider, the deciding official and the
//! decision's own fields), with one alias table for the names documents use (G-26, G-42).

use super::Issue;
use crate::app::views::utc;
use crate::db::models::RequestRow;
use crate::db::{queries, DbConnection};
use crate::domain::catalog::Issues;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

/// `dd.mm.yyyy` in the provider's time zone is what forms show; we print Almaty time.
pub(super) fn date(t: DateTime<Utc>) -> String {
    let tz: chrono_tz::Tz = chrono_tz::Asia::Almaty;
    t.with_timezone(&tz).format("%d.%m.%Y").to_string()
}

pub(super) fn both(t: &crate::domain::catalog::Text) -> String {
    if t.kk == t.ru {
        t.ru.clone()
    } else {
        format!("{} / {}", t.kk, t.ru)
    }
}

/// The values a document can print for this request, by template field key.
pub fn field_values(
    c: &mut DbConnection,
    req: &RequestRow,
    issue: &Issue<'_>,
) -> Result<BTreeMap<String, String>, AppError> {
    let service = issue.service;
    let mut v = BTreeMap::new();
    let form: serde_json::Map<String, Value> =
        serde_json::from_str(&req.form_json).map_err(AppError::internal)?;
    // Form fields under their own codes (G-26: the application's fields).
    for (k, val) in &form {
        // Choice fields print their labels, not their codes.
        let label = |code: String| {
            service
                .field(k)
                .and_then(|f| f.options.iter().find(|o| o.code == code))
                .map(|o| both(&o.label))
                .unwrap_or(code)
        };
        let text = match val {
            Value::String(s) => label(s.clone()),
            Value::Null => continue,
            Value::Array(a) => a
                .iter()
                .map(|x| {
                    label(
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x.to_string()),
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        v.insert(k.clone(), text);
    }
    let iin_bin = req.applicant_iin_bin().unwrap_or_default().to_string();
    let provider = both(&service.provider_of(&req.provider_code).name);
    let official = issue
        .official
        .map(|u| u.full_name.clone())
        .unwrap_or_default();
    let mut put = |k: &str, val: String| {
        v.entry(k.to_string()).or_insert(val);
    };
    put("request_number", req.number.clone());
    put("request_date", date(utc(req.created_at)));
    put("service", both(&service.name));
    put("provider", provider.clone());
    put("licensor", provider.clone());
    put("clinic_name", provider.clone());
    put("official", official.clone());
    put("employee", official);
    put("applicant_name", req.applicant_name.clone());
    put("applicant_iin_bin", iin_bin.clone());
    put(
        "applicant_iin",
        req.applicant_iin
            .as_ref()
            .map(|i| i.as_str().to_string())
            .unwrap_or_default(),
    );
    put("holder_name", req.applicant_name.clone());
    put("holder_iin_bin", iin_bin);
    put("patient_name", req.applicant_name.clone());
    put(
        "patient_iin",
        req.applicant_iin
            .as_ref()
            .map(|i| i.as_str().to_string())
            .unwrap_or_default(),
    );
    put("decision_date", date(issue.now));
    put("issue_date", date(issue.now));
    put("reissue_date", date(issue.now));
    put("duplicate_date", date(issue.now));
    put("attachment_date", date(issue.now));
    if let Some(a) = &service.provider_of(&req.provider_code).address {
        put("clinic_address", both(a));
        put("provider_address", both(a));
    }
    // Names the documents use for form fields (G-26): one alias table, here.
    for (doc_key, form_key) in [
        ("holder_address", "legal_address"),
        ("holder_address", "address"),
        ("sub_kinds", "activity_subkinds"),
        ("visit_address", "address"),
    ] {
        if let Some(val) = v.get(form_key).cloned() {
            v.entry(doc_key.to_string()).or_insert(val);
        }
    }
    let mut put = |k: &str, val: String| {
        v.entry(k.to_string()).or_insert(val);
    };
    // A home call goes to the district doctor of the visit address (G-13), unless the
    // registrar names another with the decision; the visit is today (R-002-08).
    if service.same_day_cutoff {
        let clinic = issue.clinics.clinic(&req.provider_code);
        if let Some(d) = clinic
            .zip(form.get("visit_address").and_then(|a| a.as_str()))
            .and_then(|(c, a)| issue.clinics.district_doctor(c, a))
        {
            put("doctor_name", d.full_name.clone());
        }
        let tz: chrono_tz::Tz = clinic
            .and_then(|c| issue.clinics.region_of(c))
            .and_then(|r| r.timezone.parse().ok())
            .unwrap_or(chrono_tz::Asia::Almaty);
        put(
            "visit_date",
            issue.now.with_timezone(&tz).format("%d.%m.%Y").to_string(),
        );
    }
    // An attachment prints its district: the form's, else the clinic territory's (G-13).
    if service.phc == Some(crate::domain::catalog::PhcRule::Attaches) {
        if let Some(d) = issue
            .clinics
            .clinic(&req.provider_code)
            .zip(form.get("address").and_then(|a| a.as_str()))
            .and_then(|(c, a)| c.district_of(a))
        {
            put("district", d.to_string());
        }
    }
    // A booked slot prints as its doctor, cabinet, date and time in the clinic's zone
    // (R-002-12, G-13).
    if let Some(b) = queries::booking_of(c, &req.id)? {
        let register = issue.clinics;
        let tz: chrono_tz::Tz = register
            .clinic(&b.clinic_code)
            .and_then(|cl| register.region_of(cl))
            .and_then(|r| r.timezone.parse().ok())
            .unwrap_or(chrono_tz::Asia::Almaty);
        let local = b.start_at.and_utc().with_timezone(&tz);
        put("appointment_date", local.format("%d.%m.%Y").to_string());
        put("appointment_time", local.format("%H:%M").to_string());
        if let Some(d) = register.doctor(&b.doctor_code) {
            put("doctor_name", d.full_name.clone());
            if let Some(s) = register.specialty(&d.specialty) {
                put("doctor_specialty", both(&s.name));
            }
            if let Some(cabinet) = &d.cabinet {
                put("cabinet", cabinet.clone());
            }
        }
    }
    // Constant values of the service's documents (catalog `[result.fields]`).
    for (k, val) in &service.result.fields {
        put(k, val.clone());
    }
    if let Some(variant) = service.variant(&req.variant) {
        put("operation", both(&variant.name));
    }
    let decision = match issue.issues {
        Issues::Result | Issues::Receipt => both(&service.result.name),
        Issues::Refusal => both(&service.result.refusal_name),
    };
    put(
        "received_at",
        issue
            .now
            .with_timezone(&chrono_tz::Asia::Almaty)
            .format("%d.%m.%Y %H:%M")
            .to_string(),
    );
    if let Some(ch) = service.channel(req.channel) {
        put(
            "intake_point",
            format!(
                "{} — {}",
                both(&ch.name),
                both(&service.provider_of(&req.provider_code).name)
            ),
        );
    }
    if let Some(due) = req.due_at {
        put("due_date", date(utc(due)));
    }
    put("decision", decision);
    if let Some(r) = issue.reason.filter(|r| !r.trim().is_empty()) {
        put("comment", r.trim().to_string());
    }
    // The commission's conclusion: each member's opinion and grounds (R-004-38, G-41, A-14).
    let history: Vec<crate::app::views::HistoryEntry> = queries::history_of(c, &req.id)?
        .into_iter()
        .map(crate::app::views::HistoryEntry::from)
        .collect();
    let opinions = crate::app::requests::commission::opinions(&history);
    // A service with a commission always has this value: empty until members have spoken
    // (an empty value is not printed; a required one is then missing).
    if service.commission.is_some() || !opinions.is_empty() {
        put(
            "commission_conclusion",
            crate::app::requests::commission::cited(c, &opinions)?.join("; "),
        );
    }
    for (k, val) in issue.decision_fields {
        v.insert(k.clone(), val.clone());
    }
    Ok(v)
}

/// The official's reasons, one item per line, without list markers or blank lines.
pub(super) fn reason_lines(reason: Option<&str>) -> impl Iterator<Item = String> + '_ {
    reason
        .unwrap_or_default()
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['-', '•', '*'])
                .trim()
                .to_string()
        })
        .filter(|l| !l.is_empty())
}
