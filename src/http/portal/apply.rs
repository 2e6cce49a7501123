//! Applying on the portal: the service's form, built from the catalog (fields, options,
//! which fields a variant has), checked by the same domain rules as the API
//! ([`crate::domain::forms`]) with each problem shown next to its field, then the draft
//! made by [`crate::app::requests::create`].

use super::{Fail, Form, Page, PageResult};
use crate::app::requests::{self, ApplicantInput, NewRequest};
use crate::domain::catalog::{ApplicantKind, ChannelCode, FieldKind, Service};
use crate::domain::forms;
use crate::error::{AppError, ErrorCode};
use actix_web::{get, post, web};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(apply_page).service(apply);
}

#[derive(Deserialize)]
pub struct ApplyQuery {
    variant: Option<String>,
}

fn service<'a>(page: &'a Page, code: &str) -> Result<&'a Service, Fail> {
    page.app
        .catalog
        .service(code)
        .filter(|s| s.channels.iter().any(|c| c.code == ChannelCode::Portal))
        .ok_or_else(|| page.fail(AppError::with(ErrorCode::UnknownService, code.to_string())))
}

/// The fields of `variant` as the form shows them.
pub(crate) fn fields(s: &Service, variant: &str) -> Vec<Value> {
    s.form
        .iter()
        .filter(|f| f.applies_to(variant))
        .map(|f| {
            let mut v = json!(f);
            v["input"] = json!(match f.kind {
                FieldKind::Date => "date",
                FieldKind::DateTime => "datetime-local",
                FieldKind::Email => "email",
                FieldKind::Phone => "tel",
                FieldKind::Select => "select",
                FieldKind::MultiSelect => "checkboxes",
                FieldKind::Boolean => "checkbox",
                // A long free text (symptoms, a description) gets a text area.
                FieldKind::Text if f.max_len.is_some_and(|n| n >= 1000) => "textarea",
                _ => "text",
            });
            // A field required only with another field's answer says which.
            if let Some(c) = &f.required_when {
                let other = s.field(&c.field);
                v["condition"] = json!({
                    "field": other.map(|o| &o.label),
                    "option": other
                        .and_then(|o| o.options.iter().find(|x| x.code == c.equals))
                        .map(|x| &x.label),
                });
            }
            v
        })
        .collect()
}

/// The providers an applicant may name (a service several departments provide).
fn providers(s: &Service) -> Vec<Value> {
    if s.departments.is_empty() {
        return vec![];
    }
    std::iter::once(&s.provider)
        .chain(s.departments.iter())
        .map(|p| json!({"code": p.code, "name": p.name}))
        .collect()
}

/// Whom the user may apply as: themselves, or the company of their certificate's BIN where
/// the service takes companies. Empty when there is no choice.
fn applicant_kinds(page: &Page, s: &Service) -> Vec<Value> {
    let bin = page.user.as_ref().and_then(|u| u.bin.as_ref());
    let kinds: Vec<Value> = s
        .applicant_kinds
        .iter()
        .filter(|k| **k == ApplicantKind::Person || bin.is_some())
        .map(|k| json!({"code": k.as_str(), "bin": (*k == ApplicantKind::LegalEntity).then(|| bin.map(|b| b.as_str().to_string())).flatten()}))
        .collect();
    if kinds.len() > 1 {
        kinds
    } else {
        vec![]
    }
}

#[allow(clippy::too_many_arguments)]
fn render_form(
    page: &Page,
    s: &Service,
    clinics: &Value,
    variant: Option<&str>,
    values: &Map<String, Value>,
    errors: &BTreeMap<String, String>,
    provider: Option<&str>,
    general: Option<(&str, String)>,
) -> PageResult {
    let status = if errors.is_empty() && general.is_none() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let chosen = variant.or_else(|| (s.variants.len() == 1).then(|| s.variants[0].code.as_str()));
    page.render_status(
        status,
        "apply.html",
        json!({
            "service": super::catalog::service_json(page, s),
            "variant": chosen,
            "fields": chosen.map(|v| fields(s, v)).unwrap_or_default(),
            "values": values,
            "errors": errors,
            // A clinic service names its clinic from the register (with what the register
            // of the attached population says of each); other services their department.
            "providers": if clinics.is_null() { providers(s) } else { vec![] },
            "clinics": clinics,
            "applicant_kinds": applicant_kinds(page, s),
            "applicant_kind": values.get("__applicant_kind").cloned()
                .unwrap_or_else(|| json!(if page.user.as_ref().is_some_and(|u| u.bin.is_some()) { "legal_entity" } else { "person" })),
            "provider": provider,
            "general": general.map(|(code, message)| json!({"code": code, "message": message})),
        }),
    )
}

/// The form of a service (first the variant, for a service with several).
#[get("/services/{code}/apply")]
pub async fn apply_page(
    page: Page,
    code: web::Path<String>,
    q: web::Query<ApplyQuery>,
) -> PageResult {
    page.user()?;
    let s = service(&page, &code)?;
    // A booking is made from the calendar of free slots.
    if s.booking.is_some() {
        return Ok(page.redirect(&format!("/services/{}/book", s.code)));
    }
    let variant = q
        .variant
        .as_deref()
        .filter(|v| s.variants.iter().any(|x| x.code == *v));
    let clinics = clinic_choices(&page, s).await?;
    render_form(
        &page,
        s,
        &clinics,
        variant,
        &Map::new(),
        &BTreeMap::new(),
        None,
        None,
    )
}

/// The clinics an applicant may name for a clinic service, by region, with the refusal
/// each would give now ([`crate::app::clinics::choices`]); `null` for other services.
async fn clinic_choices(page: &Page, s: &Service) -> Result<Value, Fail> {
    if page.app.clinics.clinics_for(&s.code).next().is_none() {
        return Ok(Value::Null);
    }
    let user = page.user()?.clone();
    let service = s.clone();
    let choices = page
        .run(move |app| crate::app::clinics::choices(app, &user, &service))
        .await?;
    let mut groups: Vec<Value> = Vec::new();
    for c in &choices {
        let same = groups
            .last()
            .is_some_and(|g| g["region"] == json!(c.clinic.region));
        if !same {
            groups.push(
                json!({"region": c.clinic.region, "name": c.clinic.region_name, "clinics": []}),
            );
        }
        if let Some(Value::Array(list)) = groups.last_mut().map(|g| &mut g["clinics"]) {
            list.push(json!(c));
        }
    }
    let mut notes: Vec<&str> = choices
        .iter()
        .filter_map(|c| c.refusal.map(|r| r.as_str()))
        .collect();
    notes.sort_unstable();
    notes.dedup();
    // Where an attachment needs an address in the clinic's territory (G-14), which streets
    // each clinic serves.
    let territories: Vec<Value> = choices
        .iter()
        .filter(|_| s.phc == Some(crate::domain::catalog::PhcRule::Attaches))
        .filter(|c| c.refusal.is_none() && !c.territory.is_empty())
        .map(|c| json!({"name": c.clinic.name, "streets": c.territory}))
        .collect();
    Ok(json!({
        "territories": territories,
        "groups": groups,
        "attached": choices.iter().find(|c| c.attached && c.refusal.is_none()).map(|c| &c.clinic.code),
        "notes": notes,
    }))
}

/// The variant a form posted, if the service has it; a service with one variant needs none.
pub(crate) fn variant_of<'a>(s: &'a Service, posted: Option<&str>) -> Option<&'a str> {
    posted
        .and_then(|v| s.variants.iter().find(|x| x.code == v))
        .or_else(|| (s.variants.len() == 1).then(|| &s.variants[0]))
        .map(|v| v.code.as_str())
}

/// The form's values as the catalog types them: lists for multi-selects, `true` for a
/// ticked box, RFC 3339 with Kazakhstan's offset for a date-time; empty fields left out.
pub fn typed_values(s: &Service, variant: &str, pairs: &[(String, String)]) -> Map<String, Value> {
    let mut out = Map::new();
    for f in s.form.iter().filter(|f| f.applies_to(variant)) {
        let given: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| *k == f.code)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        let Some(last) = given.last().copied() else {
            continue;
        };
        let v = match f.kind {
            FieldKind::MultiSelect => json!(given),
            FieldKind::Boolean => json!(last == "true" || last == "on"),
            FieldKind::DateTime if last.len() == 16 => json!(format!("{last}:00+05:00")),
            _ => json!(last),
        };
        out.insert(f.code.clone(), v);
    }
    out
}

/// Checks every field on its own (so each shows its own problem) and the required ones;
/// the message of a field is its error code's, in the page's language.
pub(crate) fn field_errors(
    page: &Page,
    s: &Service,
    variant: &str,
    values: &Map<String, Value>,
) -> BTreeMap<String, String> {
    let today = page
        .app
        .now()
        .with_timezone(&chrono_tz::Asia::Almaty)
        .date_naive();
    let mut errors = BTreeMap::new();
    for (k, v) in values {
        let one: Map<String, Value> = std::iter::once((k.clone(), v.clone())).collect();
        if let Err(e) = forms::validate_values(s, variant, &one, today) {
            errors.insert(k.clone(), e.reason().message(page.lang).to_string());
        }
    }
    for missing in forms::missing_required(s, variant, values) {
        errors
            .entry(missing)
            .or_insert_with(|| page.app.pages.t(page.lang, "field-required"));
    }
    errors
}

/// Makes the draft from the form, or shows the form again with each problem at its field.
#[post("/services/{code}/apply")]
pub async fn apply(
    page: Page,
    code: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> PageResult {
    let user = page.user()?.clone();
    let form = Form::checked(&page, form)?;
    let s = service(&page, &code)?;
    let variant = variant_of(s, form.get("variant"))
        .ok_or_else(|| page.fail(AppError::new(ErrorCode::UnknownVariant)))?
        .to_string();
    let provider = form.text("provider").map(str::to_string);
    let kind = match form.get("applicant_kind") {
        Some("legal_entity") => Some(ApplicantKind::LegalEntity),
        Some("person") => Some(ApplicantKind::Person),
        _ => None,
    };
    let values = typed_values(s, &variant, form.pairs());
    let errors = field_errors(&page, s, &variant, &values);
    let clinics = clinic_choices(&page, s).await?;
    if !errors.is_empty() {
        let mut shown = values.clone();
        if let Some(k) = kind {
            shown.insert("__applicant_kind".into(), json!(k.as_str()));
        }
        return render_form(
            &page,
            s,
            &clinics,
            Some(&variant),
            &shown,
            &errors,
            provider.as_deref(),
            None,
        );
    }
    let input = NewRequest {
        service: s.code.clone(),
        variant: Some(variant.clone()),
        channel: "portal".to_string(),
        applicant: kind.map(|kind| ApplicantInput {
            kind,
            iin: None,
            bin: None,
            name: None,
        }),
        provider: provider.clone(),
        form: values.clone(),
    };
    let app = page.app.clone();
    let created = web::block(move || requests::create(&app, &user, input)).await;
    match created {
        Ok(Ok(view)) => Ok(page.redirect(&format!("/requests/{}", view.number))),
        // A refusal of the rules (a slot taken, a clinic not the applicant's, …) is shown on
        // the form, which keeps what was typed.
        Ok(Err(e)) if e.status < 500 && e.status != 401 => {
            let message = e.message(page.lang).to_string();
            render_form(
                &page,
                s,
                &clinics,
                Some(&variant),
                &values,
                &BTreeMap::new(),
                provider.as_deref(),
                Some((e.code.as_str(), message)),
            )
        }
        Ok(Err(e)) => Err(page.fail(e)),
        Err(e) => Err(page.fail(AppError::internal(e))),
    }
}
