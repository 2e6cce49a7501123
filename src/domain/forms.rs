//! Request form rules: which fields a service's form has, their formats, and which are
//! required (checked at submission, guard `form_complete`).

use crate::domain::catalog::{FieldKind, FormField, Service};
use crate::domain::identity::{Bin, Iin};
use crate::error::ErrorCode;
use serde_json::{Map, Value};

/// A field value that does not fit the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    Unknown(String),
    Invalid { field: String, why: String },
}

impl FieldError {
    pub fn code(&self) -> ErrorCode {
        match self {
            FieldError::Unknown(_) => ErrorCode::UnknownField,
            FieldError::Invalid { .. } => ErrorCode::FieldInvalid,
        }
    }
    pub fn detail(&self) -> String {
        match self {
            FieldError::Unknown(f) => format!("field `{f}`"),
            FieldError::Invalid { field, why } => format!("field `{field}`: {why}"),
        }
    }
}

fn invalid(field: &FormField, why: impl Into<String>) -> FieldError {
    FieldError::Invalid {
        field: field.code.clone(),
        why: why.into(),
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

fn check_value(f: &FormField, v: &Value) -> Result<(), FieldError> {
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
        FieldKind::Date => chrono::NaiveDate::parse_from_str(as_str()?, "%Y-%m-%d")
            .map(|_| ())
            .map_err(|_| invalid(f, "expected a date YYYY-MM-DD")),
        FieldKind::DateTime => chrono::DateTime::parse_from_rfc3339(as_str()?)
            .map(|_| ())
            .map_err(|_| invalid(f, "expected an RFC 3339 date-time")),
        FieldKind::Iin => as_str()?
            .parse::<Iin>()
            .map(|_| ())
            .map_err(|e| invalid(f, e.to_string())),
        FieldKind::Bin => as_str()?
            .parse::<Bin>()
            .map(|_| ())
            .map_err(|e| invalid(f, e.to_string())),
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

/// Checks every given value against the form of `service` / `variant`.
pub fn validate_values(
    service: &Service,
    variant: &str,
    values: &Map<String, Value>,
) -> Result<(), FieldError> {
    for (k, v) in values {
        let f = service
            .field(k)
            .filter(|f| f.applies_to(variant))
            .ok_or_else(|| FieldError::Unknown(k.clone()))?;
        if !is_empty(v) {
            check_value(f, v)?;
        }
    }
    Ok(())
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
}
