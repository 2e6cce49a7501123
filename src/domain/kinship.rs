//! The child of a support request checked against ГБД ФЛ at intake (G-40, A-15): what the
//! registry says is shown to the reviewer as a warning, never as an automatic refusal.
//! The registry lookup itself is the application's; the rules are here.

use crate::domain::identity::Iin;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The catalog's registry check of a child named on the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildCheck {
    /// The form field holding the child's IIN.
    pub field: String,
    /// The age from which a person is no longer a child (18 in Kazakhstan).
    pub adult_age: u32,
}

/// Something the reviewer should look at before deciding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IntakeWarning {
    /// ГБД ФЛ has no person with the child's IIN.
    ChildNotFound,
    /// By the birth date in the child's IIN, the child is of age.
    ChildNotMinor,
    /// The registry does not list the applicant as the child's parent or guardian.
    NotApplicantsChild,
    /// The registry could not be asked; the documents are to be checked by hand.
    RegistryUnavailable,
}

impl IntakeWarning {
    pub fn code(self) -> &'static str {
        match self {
            IntakeWarning::ChildNotFound => "CHILD_NOT_FOUND",
            IntakeWarning::ChildNotMinor => "CHILD_NOT_MINOR",
            IntakeWarning::NotApplicantsChild => "NOT_APPLICANTS_CHILD",
            IntakeWarning::RegistryUnavailable => "REGISTRY_UNAVAILABLE",
        }
    }

    /// The message in Russian, Kazakh and English (G-48).
    pub fn message(self) -> [&'static str; 3] {
        match self {
            IntakeWarning::ChildNotFound => [
                "Ребёнок с указанным ИИН не найден в ГБД ФЛ: проверьте свидетельство о рождении",
                "Көрсетілген ЖСН бар бала ЖТ ММБ-да табылмады: туу туралы куәлікті тексеріңіз",
                "No child with this IIN is in the individuals' registry: check the birth certificate",
            ],
            IntakeWarning::ChildNotMinor => [
                "По дате рождения в ИИН ребёнок достиг совершеннолетия",
                "ЖСН-дағы туған күні бойынша бала кәмелетке толған",
                "By the birth date in the IIN the child is of age",
            ],
            IntakeWarning::NotApplicantsChild => [
                "По данным ГБД ФЛ заявитель не является родителем или опекуном ребёнка",
                "ЖТ ММБ деректері бойынша өтініш беруші баланың ата-анасы немесе қорғаншысы емес",
                "Per the individuals' registry the applicant is not the child's parent or guardian",
            ],
            IntakeWarning::RegistryUnavailable => [
                "ГБД ФЛ недоступна: родство и возраст ребёнка не проверены, сверьте документы",
                "ЖТ ММБ қолжетімсіз: баланың туыстығы мен жасы тексерілмеді, құжаттарды салыстырыңыз",
                "The individuals' registry was unavailable: kinship and age are unchecked, compare the documents",
            ],
        }
    }
}

/// What the registry answered about the child.
pub enum ChildRecord<'a> {
    /// Found; the IINs of the parents and guardians it lists.
    Found {
        parents: &'a [String],
    },
    NotFound,
    Unavailable,
}

/// Full years between `born` and `on`.
pub fn age_on(born: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

/// The warnings for `child` named by `applicant`, on the provider's `today`.
pub fn check_child(
    check: &ChildCheck,
    applicant: &Iin,
    child: &Iin,
    record: ChildRecord<'_>,
    today: NaiveDate,
) -> Vec<IntakeWarning> {
    let mut out = Vec::new();
    // The age comes from the IIN itself, so it is checked even without the registry.
    if age_on(child.birth_date(), today) >= check.adult_age as i32 {
        out.push(IntakeWarning::ChildNotMinor);
    }
    match record {
        ChildRecord::Found { parents } => {
            if !parents.iter().any(|p| p == applicant.as_str()) {
                out.push(IntakeWarning::NotApplicantsChild);
            }
        }
        ChildRecord::NotFound => out.push(IntakeWarning::ChildNotFound),
        ChildRecord::Unavailable => out.push(IntakeWarning::RegistryUnavailable),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    const CHECK: ChildCheck = ChildCheck {
        field: String::new(),
        adult_age: 18,
    };

    #[test]
    fn warnings_from_the_registry_and_the_iin() {
        let parent = Iin::parse("900712304567").expect("iin");
        let child = Iin::parse("150606600013").expect("iin");
        let parents = ["900712304567".to_string()];
        let today = d(2026, 12, 1);
        let found = |p: &'static [String]| ChildRecord::Found { parents: p };
        assert_eq!(
            check_child(
                &CHECK,
                &parent,
                &child,
                ChildRecord::Found { parents: &parents },
                today
            ),
            vec![]
        );
        assert_eq!(
            check_child(&CHECK, &parent, &child, found(&[]), today),
            vec![IntakeWarning::NotApplicantsChild]
        );
        assert_eq!(
            check_child(&CHECK, &parent, &child, ChildRecord::NotFound, today),
            vec![IntakeWarning::ChildNotFound]
        );
        assert_eq!(
            check_child(&CHECK, &parent, &child, ChildRecord::Unavailable, today),
            vec![IntakeWarning::RegistryUnavailable]
        );
        // The parent named as the child: of age by the IIN.
        assert_eq!(
            check_child(&CHECK, &parent, &parent, ChildRecord::NotFound, today),
            vec![IntakeWarning::ChildNotMinor, IntakeWarning::ChildNotFound]
        );
        // The eve of the 18th birthday, and the day itself.
        let born_2008 = Iin::parse(
            crate::domain::identity::make_iin(
                d(2008, 12, 2),
                crate::domain::identity::Sex::Male,
                1,
            )
            .map(String::from)
            .unwrap_or_default()
            .as_str(),
        )
        .expect("iin");
        let on = |day| {
            check_child(
                &CHECK,
                &parent,
                &born_2008,
                ChildRecord::Found { parents: &parents },
                day,
            )
        };
        assert_eq!(on(d(2026, 12, 1)), vec![]);
        assert_eq!(on(d(2026, 12, 2)), vec![IntakeWarning::ChildNotMinor]);
        for w in [
            IntakeWarning::ChildNotFound,
            IntakeWarning::ChildNotMinor,
            IntakeWarning::NotApplicantsChild,
            IntakeWarning::RegistryUnavailable,
        ] {
            let [ru, kk, en] = w.message();
            assert!(ru != kk && kk != en && !en.is_empty(), "{w:?}");
            assert_eq!(
                serde_json::to_value(w).ok(),
                Some(serde_json::Value::from(w.code()))
            );
        }
    }

    proptest! {
        /// Age in full years: a birthday adds one, the day before it does not.
        #[test]
        fn age_counts_birthdays(born_off in 0i64..40_000, later in 0i64..40_000) {
            let born = d(1920, 1, 1) + chrono::Duration::days(born_off);
            let on = born + chrono::Duration::days(later);
            let a = age_on(born, on);
            prop_assert!(a >= 0);
            let nth = |n: i32| born.with_year(born.year() + n).unwrap_or_else(|| d(born.year() + n, 3, 1));
            prop_assert!(nth(a) <= on);
            prop_assert!(nth(a + 1) > on);
        }
    }
}
