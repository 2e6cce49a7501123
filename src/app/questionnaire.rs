//! The quality questionnaire (R-000-60..63, R-002-64..67, R-003-68, R-004-54, R-004-55):
//! the service's questions (catalog `questionnaire`) offered to the applicant once a result
//! or refusal is issued, one answer set per request, and their aggregate for
//! administrators.

use super::auth::CurrentUser;
use super::requests::{load_visible, service_of};
use super::App;
use crate::db::models::QualityAnswerRow;
use crate::db::queries;
use crate::domain::catalog::{Question, Satisfaction};
use crate::domain::lifecycle::State;
use crate::domain::roles::Role;
use crate::error::{AppError, ErrorCode};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The questionnaire of a request, as its applicant sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionnaireView {
    pub request: String,
    /// Whether it can be answered now: a result or refusal is issued and no answer given.
    pub offered: bool,
    pub questions: Vec<Question>,
    /// The answers given, if any.
    pub answers: Option<BTreeMap<String, Satisfaction>>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// Answers: question code → satisfaction.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    pub answers: BTreeMap<String, Satisfaction>,
}

fn issued(state: State) -> bool {
    matches!(
        state,
        State::Approved | State::Refused | State::ResultDelivered
    )
}

/// `GET /api/v1/requests/{number}/questionnaire`.
pub fn get(app: &App, user: &CurrentUser, number: &str) -> Result<QuestionnaireView, AppError> {
    let (req, answer) = app.store.read(|c| {
        let req = load_visible(c, user, number)?;
        let answer = queries::quality_answer(c, &req.id)?;
        Ok((req, answer))
    })?;
    let service = service_of(app, &req.service_code)?;
    let answers = answer
        .as_ref()
        .and_then(|a| serde_json::from_str(&a.answers_json).ok());
    Ok(QuestionnaireView {
        request: req.number.clone(),
        offered: issued(req.state) && answer.is_none() && !service.questionnaire.is_empty(),
        questions: service.questionnaire.clone(),
        answers,
        answered_at: answer.map(|a| super::views::utc(a.answered_at)),
    })
}

/// `POST /api/v1/requests/{number}/questionnaire`: the applicant's one answer set.
pub fn answer(
    app: &App,
    user: &CurrentUser,
    number: &str,
    input: Answers,
) -> Result<QuestionnaireView, AppError> {
    let now = app.now().naive_utc();
    app.store.write(|c| {
        let req = load_visible(c, user, number)?;
        if req.owner_user_id.as_ref() != Some(&user.id) {
            return Err(AppError::new(ErrorCode::ActionNotPermitted));
        }
        let service = service_of(app, &req.service_code)?;
        if !issued(req.state) || service.questionnaire.is_empty() {
            return Err(AppError::new(ErrorCode::QuestionnaireNotOffered));
        }
        let codes: Vec<&str> = service
            .questionnaire
            .iter()
            .map(|q| q.code.as_str())
            .collect();
        let given: Vec<&str> = input.answers.keys().map(String::as_str).collect();
        if given != {
            let mut c = codes.clone();
            c.sort_unstable();
            c
        } {
            return Err(AppError::with(
                ErrorCode::AnswersInvalid,
                format!("expected answers to {codes:?}"),
            ));
        }
        let row = QualityAnswerRow {
            request_id: req.id.clone(),
            service_code: req.service_code.clone(),
            user_id: user.id.clone(),
            answers_json: serde_json::to_string(&input.answers).map_err(AppError::internal)?,
            answered_at: now,
        };
        if !queries::insert_quality_answer(c, &row)? {
            return Err(AppError::new(ErrorCode::QuestionnaireAnswered));
        }
        Ok(())
    })?;
    get(app, user, number)
}

/// One question's answers in a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionReport {
    pub code: String,
    pub text: crate::domain::catalog::Text,
    /// Answers by option: `not_satisfied`, `partly_satisfied`, `satisfied`.
    pub counts: BTreeMap<Satisfaction, u64>,
    /// Each option's share of the answers, in per cent with one decimal ("66.7").
    pub shares: BTreeMap<Satisfaction, String>,
}

/// `GET /api/v1/reports/quality`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualityReport {
    pub service: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Answer sets counted.
    pub responses: u64,
    pub questions: Vec<QuestionReport>,
}

/// Share of `n` in `total` as a per-cent with one decimal; "0.0" of nothing.
pub fn share(n: u64, total: u64) -> String {
    if total == 0 {
        return "0.0".into();
    }
    let d = (Decimal::from(n) * Decimal::from(100) / Decimal::from(total))
        .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{d:.1}")
}

/// Answers given from `from` to `to` (dates inclusive, Kazakhstan time), of one service or
/// all; administrators only.
pub fn report(
    app: &App,
    user: &CurrentUser,
    service: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<QualityReport, AppError> {
    if user.role != Role::Admin {
        return Err(AppError::new(ErrorCode::ActionNotPermitted));
    }
    if to < from {
        return Err(AppError::with(
            ErrorCode::BadRequest,
            "`to` is before `from`",
        ));
    }
    let questions: Vec<Question> = match service {
        Some(code) => service_of(app, code)?.questionnaire.clone(),
        None => app
            .catalog
            .services()
            .map(|s| s.questionnaire.clone())
            .find(|q| !q.is_empty())
            .unwrap_or_default(),
    };
    let at = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_local_timezone(chrono_tz::Asia::Almaty)
            .earliest()
            .map(|t| t.naive_utc())
            .unwrap_or_default()
    };
    let next = to.succ_opt().unwrap_or(to);
    let rows = app
        .store
        .read(|c| queries::quality_answers_between(c, service, at(from), at(next)))?;
    let mut counts: BTreeMap<String, BTreeMap<Satisfaction, u64>> = BTreeMap::new();
    for row in &rows {
        let answers: BTreeMap<String, Satisfaction> =
            serde_json::from_str(&row.answers_json).map_err(AppError::internal)?;
        for (q, a) in answers {
            *counts.entry(q).or_default().entry(a).or_default() += 1;
        }
    }
    let questions = questions
        .into_iter()
        .map(|q| {
            let mut by = counts.remove(&q.code).unwrap_or_default();
            for s in Satisfaction::ALL {
                by.entry(s).or_default();
            }
            let total: u64 = by.values().sum();
            let shares = by.iter().map(|(s, n)| (*s, share(*n, total))).collect();
            QuestionReport {
                code: q.code,
                text: q.text,
                counts: by,
                shares,
            }
        })
        .collect();
    Ok(QualityReport {
        service: service.map(str::to_string),
        from,
        to,
        responses: rows.len() as u64,
        questions,
    })
}

#[cfg(test)]
mod tests {
    use super::share;
    use proptest::prelude::*;

    #[test]
    fn shares_in_per_cent_with_one_decimal() {
        assert_eq!(share(2, 3), "66.7");
        assert_eq!(share(1, 3), "33.3");
        assert_eq!(share(1, 8), "12.5");
        assert_eq!(share(0, 0), "0.0");
        assert_eq!(share(3, 3), "100.0");
    }

    proptest! {
        #[test]
        fn shares_of_three_options_add_up_to_about_a_hundred(a in 0u64..1000, b in 0u64..1000, c in 0u64..1000) {
            let total = a + b + c;
            prop_assume!(total > 0);
            let sum: f64 = [a, b, c].iter().map(|n| share(*n, total).parse::<f64>().unwrap_or(-1.0)).sum();
            // Each share is rounded to 0.1, so the sum is within 0.15 of 100.
            prop_assert!((sum - 100.0).abs() <= 0.15 + 1e-9, "{sum}");
        }
    }
}
