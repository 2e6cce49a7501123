//! The commission's opinions on a request (G-41, A-14), read from the history: each
//! `record_conclusion` entry holds one member's opinion and their reason. The rule that
//! turns them into a conclusion is [`crate::domain::commission::conclude`].

use crate::db::models::HistoryRow;
use crate::db::{queries, DbConnection};
use crate::domain::catalog::Service;
use crate::domain::commission::{conclude, Conclusion, Opinion};
use crate::domain::ids::UserId;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// The workflow action by which a commission member records an opinion.
pub(crate) const OPINION_ACTION: &str = "record_conclusion";

/// One member's latest opinion.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MemberOpinion {
    pub member_id: UserId,
    pub opinion: Opinion,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// Each member's latest opinion, in the order members first spoke. Entries without an
/// opinion (recorded before opinions were asked for) do not count.
pub(crate) fn opinions(history: &[HistoryRow]) -> Vec<MemberOpinion> {
    let mut out: Vec<MemberOpinion> = Vec::new();
    for h in history.iter().filter(|h| h.action == OPINION_ACTION) {
        let opinion = h
            .data_json
            .as_deref()
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
            .and_then(|v| serde_json::from_value::<Opinion>(v["opinion"].clone()).ok());
        let (Some(member_id), Some(opinion)) = (h.actor_id.clone(), opinion) else {
            continue;
        };
        let o = MemberOpinion {
            member_id,
            opinion,
            reason: h.reason.clone().unwrap_or_default(),
            at: crate::app::views::utc(h.at),
        };
        match out.iter_mut().find(|x| x.member_id == o.member_id) {
            Some(prev) => *prev = o,
            None => out.push(o),
        }
    }
    out
}

/// Where the service's commission stands on these opinions.
pub(crate) fn conclusion_of(service: &Service, opinions: &[MemberOpinion]) -> Conclusion {
    conclude(
        service.commission.unwrap_or_default(),
        opinions.iter().map(|o| (o.member_id.as_str(), o.opinion)),
    )
}

/// The opinions as the decision cites them: one line per member, «Name: opinion — reason».
pub(crate) fn cited(
    c: &mut DbConnection,
    opinions: &[MemberOpinion],
) -> Result<Vec<String>, AppError> {
    opinions
        .iter()
        .map(|o| {
            let name = queries::user_by_id(c, &o.member_id)?
                .map(|u| u.full_name)
                .unwrap_or_else(|| o.member_id.to_string());
            Ok(format!(
                "{name}: {} — {}",
                o.opinion.label(),
                o.reason.trim()
            ))
        })
        .collect()
}
