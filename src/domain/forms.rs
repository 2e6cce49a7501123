//! Request form rules: which fields a service's form has, their formats, and which are
//! required (checked at submission, guard `form_complete`).

use crate::domain::catalog::{FieldKind, FormField, Service};
use crate::domain::identity::{Bin, Iin};
use crate::error::ErrorCode;
use chrono::NaiveDate;
use serde_json::{Map, Value};

/// A field value that does not fit the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    Unknown(String),
    Invalid {
        field: String,
        why: String,
        /// What is wrong, for a person, where a code says more than `FIELD_INVALID` (an
        /// IIN's or BIN's own: `IIN_CHECKSUM`, `BIN_FORMAT`, …).
        reason: Option<ErrorCode>,
    },
    /// A date outside the range the catalog allows (in the future, too old, already past).
    DateOutOfRange {
        field: String,
        why: String,
    },
    /// A document number that cannot be one (no digit, characters no register uses).
    DocumentNumber {
        field: String,
        why: String,
    },
}

impl FieldError {
    pub fn code(&self) -> ErrorCode {
        match self {
            FieldError::Unknown(_) => ErrorCode::UnknownField,
            FieldError::Invalid { .. } => ErrorCode::FieldInvalid,
            FieldError::DateOutOfRange { .. } => ErrorCode::DateOutOfRange,
            FieldError::DocumentNumber { .. } => ErrorCode::DocumentNumberInvalid,
        }
    }
    /// The code whose message tells a person what is wrong with the value (a form page
    /// shows it at the field): the precise one where there is one, else [`Self::code`].
    pub fn reason(&self) -> ErrorCode {
        match self {
            FieldError::Invalid {
                reason: Some(r), ..
            } => *r,
            _ => self.code(),
        }
    }
    pub fn detail(&self) -> String {
        match self {
            FieldError::Unknown(f) => format!("field `{f}`"),
            FieldError::Invalid { field, why, .. }
            | FieldError::DateOutOfRange { field, why }
            | FieldError::DocumentNumber { field, why } => format!("field `{field}`: {why}"),
        }
    }
}

fn invalid(field: &FormField, why: impl Into<String>) -> FieldError {
    FieldError::Invalid {
        field: field.code.clone(),
        why: why.into(),
        reason: None,
    }
}

/// An IIN or BIN that does not parse: its own code says what is wrong.
fn invalid_id(field: &FormField, e: crate::domain::identity::IdentityError) -> FieldError {
    FieldError::Invalid {
        field: field.code.clone(),
        why: e.to_string(),
        reason: Some(e.code()),
    }
}

/// IBAN check (ISO 13616 mod-97); Kazakh IBANs are 20 characters starting with KZ.
pub fn iban_is_valid(s: &str) -> bool {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if s.len() < 15 || s.len() > 34 || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    if s.starts_with("KZ") && s.len() != 20 {
        return false;
    }
    let rearranged = format!("{}{}", &s[4..], &s[..4]);
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        for d in v.to_string().chars() {
            rem = (rem * 10 + d.to_digit(10).unwrap_or(0)) % 97;
        }
    }
    rem == 1
}

/// The longest text a field takes when the catalog sets no `max_len`: a free text ends up
/// on a signed A4 document, and nothing an applicant writes needs more.
pub const DEFAULT_MAX_LEN: usize = 2000;

/// Whether `s` can be the number of an issued document: 1..50 characters of letters,
/// digits, spaces and `-/№.`, at least one of them a digit.
pub fn document_number_is_plausible(s: &str) -> bool {
    let s = s.trim();
    (1..=50).contains(&s.chars().count())
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || "-/№.".contains(c))
}

/// The catalog's range for a date field, relative to the provider's `today`.
fn check_date_range(f: &FormField, day: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    let out = |why: String| FieldError::DateOutOfRange {
        field: f.code.clone(),
        why,
    };
    if f.not_future && day > today {
        return Err(out(format!("{day} is after today ({today})")));
    }
    if f.not_past && day < today {
        return Err(out(format!("{day} is before today ({today})")));
    }
    if let Some(days) = f.max_age_days {
        let oldest = today - chrono::Days::new(u64::from(days));
        if day < oldest {
            return Err(out(format!(
                "{day} is more than {days} days before today ({today})"
            )));
        }
    }
    Ok(())
}

fn check_value(f: &FormField, v: &Value, today: NaiveDate) -> Result<(), FieldError> {
    let as_str = || v.as_str().ok_or_else(|| invalid(f, "expected a string"));
    match f.kind {
        FieldKind::Text | FieldKind::Phone | FieldKind::Email | FieldKind::Iban => {
            let s = as_str()?;
            let max = f.max_len.unwrap_or(DEFAULT_MAX_LEN);
            if s.chars().count() > max {
                return Err(invalid(f, format!("longer than {max} characters")));
            }
            match f.kind {
                FieldKind::Phone => {
                    let digits = s.chars().filter(char::is_ascii_digit).count();
                    if !(10..=15).contains(&digits)
                        || !s.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
                    {
                        return Err(invalid(
                            f,
                            "expected a phone number such as +7 701 234 56 78",
                        ));
                    }
                }
                FieldKind::Email => {
                    let ok = s
                        .split_once('@')
                        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !s.contains(' '));
                    if !ok {
                        return Err(invalid(f, "expected an e-mail address"));
                    }
                }
                FieldKind::Iban if !iban_is_valid(s) => {
                    return Err(invalid(f, "expected a valid IBAN (KZ + 18 characters)"))
                }
                _ => {}
            }
            Ok(())
        }
        FieldKind::Date => {
            let day = NaiveDate::parse_from_str(as_str()?, "%Y-%m-%d")
                .map_err(|_| invalid(f, "expected a date YYYY-MM-DD"))?;
            check_date_range(f, day, today)
        }
        FieldKind::DocumentNumber => {
            if document_number_is_plausible(as_str()?) {
                Ok(())
            } else {
                Err(FieldError::DocumentNumber {
                    field: f.code.clone(),
                    why: "expected 1..50 letters, digits, spaces or -/№. with at least one digit"
                        .into(),
                })
            }
        }
        FieldKind::DateTime => chrono::DateTime::parse_from_rfc3339(as_str()?)
            .map(|_| ())
            .map_err(|_| invalid(f, "expected an RFC 3339 date-time")),
        FieldKind::Iin => as_str()?
            .parse::<Iin>()
            .map(|_| ())
            .map_err(|e| invalid_id(f, e)),
        FieldKind::Bin => as_str()?
            .parse::<Bin>()
            .map(|_| ())
            .map_err(|e| invalid_id(f, e)),
        FieldKind::Decimal => {
            let s = match v {
                Value::String(s) => s.clone(),
                _ => return Err(invalid(f, "expected a decimal number as a string")),
            };
            s.parse::<rust_decimal::Decimal>()
                .map(|_| ())
                .map_err(|_| invalid(f, "expected a decimal number"))
        }
        FieldKind::Boolean => v
            .as_bool()
            .map(|_| ())
            .ok_or_else(|| invalid(f, "expected true or false")),
        FieldKind::Select => {
            let s = as_str()?;
            if f.options.iter().any(|o| o.code == s) {
                Ok(())
            } else {
                Err(invalid(f, format!("`{s}` is not one of the options")))
            }
        }
        FieldKind::MultiSelect => {
            let arr = v.as_array().ok_or_else(|| invalid(f, "expected a list"))?;
            for item in arr {
                let s = item
                    .as_str()
                    .ok_or_else(|| invalid(f, "expected a list of option codes"))?;
                if !f.options.iter().any(|o| o.code == s) {
                    return Err(invalid(f, format!("`{s}` is not one of the options")));
                }
            }
            Ok(())
        }
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Checks every given value against the form of `service` / `variant`; date ranges are
/// relative to `today`, the provider's calendar date.
pub fn validate_values(
    service: &Service,
    variant: &str,
    values: &Map<String, Value>,
    today: NaiveDate,
) -> Result<(), FieldError> {
    for (k, v) in values {
        let f = service
            .field(k)
            .filter(|f| f.applies_to(variant))
            .ok_or_else(|| FieldError::Unknown(k.clone()))?;
        if !is_empty(v) {
            check_value(f, v, today)?;
        }
    }
    Ok(())
}

/// A form's text value for `field`, trimmed; `None` when absent, not text, or blank.
pub fn text<'f>(form: &'f Map<String, Value>, field: &str) -> Option<&'f str> {
    form.get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Required fields of the variant that are missing or empty.
pub fn missing_required(
    service: &Service,
    variant: &str,
    values: &Map<String, Value>,
) -> Vec<String> {
    service
        .form
        .iter()
        .filter(|f| f.applies_to(variant))
        .filter(|f| {
            f.required
                || f.required_when.as_ref().is_some_and(|c| {
                    values.get(&c.field).and_then(Value::as_str) == Some(c.equals.as_str())
                })
        })
        .filter(|f| values.get(&f.code).is_none_or(is_empty))
        .map(|f| f.code.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_mod97() {
        assert!(iban_is_valid("KZ86125KZT5004100100"));
        assert!(!iban_is_valid("KZ86125KZT5004100101"));
        assert!(iban_is_valid("GB82 WEST 1234 5698 7654 32"));
        assert!(!iban_is_valid("KZ86"));
    }

    #[test]
    fn document_numbers() {
        for ok in ["15", "№ 123/2026", "ППК-04.17", "ПМПК 7"] {
            assert!(document_number_is_plausible(ok), "{ok}");
        }
        for bad in ["", "   ", "без номера", "12<script>", &"1".repeat(51)] {
            assert!(!document_number_is_plausible(bad), "{bad}");
        }
    }

    fn dated(not_future: bool, not_past: bool, max_age_days: Option<u32>) -> FormField {
        FormField {
            code: "d".into(),
            kind: crate::domain::catalog::FieldKind::Date,
            label: crate::domain::catalog::Text {
                ru: "д".into(),
                kk: "к".into(),
                en: "d".into(),
            },
            required: true,
            variants: vec![],
            options: vec![],
            max_len: None,
            requirements: vec![],
            required_when: None,
            not_future,
            not_past,
            max_age_days,
        }
    }

    #[test]
    fn an_iin_says_what_is_wrong_with_it_while_the_code_stays_field_invalid() {
        let mut f = dated(false, false, None);
        f.kind = crate::domain::catalog::FieldKind::Iin;
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
        let e = check_value(&f, &Value::from("150606600012"), today).expect_err("checksum");
        assert_eq!(e.code(), ErrorCode::FieldInvalid);
        assert_eq!(e.reason(), ErrorCode::IinChecksum);
        let e = check_value(&f, &Value::from("15060660001"), today).expect_err("length");
        assert_eq!(e.reason(), ErrorCode::IinFormat);
        assert!(check_value(&f, &Value::from("150606600013"), today).is_ok());
        // Other faults have no code more precise than FIELD_INVALID.
        f.kind = crate::domain::catalog::FieldKind::Email;
        let e = check_value(&f, &Value::from("no-at-sign"), today).expect_err("e-mail");
        assert_eq!(e.reason(), ErrorCode::FieldInvalid);
    }

    proptest::proptest! {
        /// A date is accepted exactly when it lies in [today - max_age, today] (not_future)
        /// or [today, ∞) (not_past), whatever today is.
        #[test]
        fn date_ranges_are_inclusive_windows(today_off in 0i64..30_000, delta in -800i64..800, age in 0u32..730) {
            let base = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default();
            let today = base + chrono::Duration::days(today_off);
            let day = today + chrono::Duration::days(delta);
            let past_window = check_date_range(&dated(true, false, Some(age)), day, today).is_ok();
            proptest::prop_assert_eq!(past_window, delta <= 0 && -delta <= i64::from(age));
            let future = check_date_range(&dated(false, true, None), day, today).is_ok();
            proptest::prop_assert_eq!(future, delta >= 0);
        }
    }
}
