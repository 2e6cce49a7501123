//! The commission's opinions on a request (G-41, A-14), read from the history: each
//! `record_conclusion` entry holds one member's opinion and their reason. The rule that
//! turns them into a conclusion is [`crate::domain::commission::conclude`].

use crate::app::views::HistoryEntry;
use crate::db::{queries, DbConnection};
use crate::domain::catalog::Service;
use crate::domain::commission::{conclude, Conclusion, Opinion};
use crate::domain::ids::UserId;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The workflow action by which a commission member records an opinion.
pub(crate) const OPINION_ACTION: &str = "record_conclusion";

/// One member's latest opinion.
#[derive(Debug, Clone, Serialize)]
pub struct MemberOpinion {
    pub member_id: UserId,
    /// The member's full name, when the history was read with names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_name: Option<String>,
    pub opinion: Opinion,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// Each member's latest opinion, in the order members first spoke. Entries without an
/// opinion (recorded before opinions were asked for) do not count.
pub fn opinions(history: &[HistoryEntry]) -> Vec<MemberOpinion> {
    let mut out: Vec<MemberOpinion> = Vec::new();
    for h in history.iter().filter(|h| h.action == OPINION_ACTION) {
        let opinion = h
            .data
            .as_ref()
            .and_then(|v| serde_json::from_value::<Opinion>(v["opinion"].clone()).ok());
        let (Some(member_id), Some(opinion)) = (h.actor_id.clone(), opinion) else {
            continue;
        };
        let o = MemberOpinion {
            member_id,
            member_name: h.actor_name.clone(),
            opinion,
            reason: h.reason.clone().unwrap_or_default(),
            at: h.at,
        };
        match out.iter_mut().find(|x| x.member_id == o.member_id) {
            Some(prev) => *prev = o,
            None => out.push(o),
        }
    }
    out
}

/// Where a service's commission stands on a request: the quorum, each member's latest
/// opinion and the conclusion they form (G-41, A-14).
#[derive(Debug, Clone, Serialize)]
pub struct CommissionStanding {
    pub quorum: u32,
    pub opinions: Vec<MemberOpinion>,
    pub conclusion: Conclusion,
}

/// The standing of the service's commission in this history; `None` for a service without
/// a commission.
pub fn standing(service: &Service, history: &[HistoryEntry]) -> Option<CommissionStanding> {
    let commission = service.commission?;
    let opinions = opinions(history);
    Some(CommissionStanding {
        quorum: commission.quorum,
        conclusion: conclusion_of(service, &opinions),
        opinions,
    })
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
            let name = match &o.member_name {
                Some(n) => n.clone(),
                None => queries::user_by_id(c, &o.member_id)?
                    .map(|u| u.full_name)
                    .unwrap_or_else(|| o.member_id.to_string()),
            };
            Ok(format!(
                "{name}: {} — {}",
                o.opinion.label(),
                o.reason.trim()
            ))
        })
        .collect()
}
