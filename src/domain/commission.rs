//! The commission whose conclusion a support decision rests on (R-004-22, R-004-38, G-41,
//! assumption A-14): each member records an opinion, the conclusion is formed once a quorum
//! of members has spoken and a strict majority of them agree, and the official's decision
//! must follow it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A member's opinion on the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Opinion {
    /// The documents are in order: support is to be granted.
    Grant,
    /// Support is to be refused (the member's reason says why).
    Refuse,
}

impl Opinion {
    pub fn as_str(self) -> &'static str {
        match self {
            Opinion::Grant => "grant",
            Opinion::Refuse => "refuse",
        }
    }

    /// As printed on the decision, in Kazakh and Russian.
    pub fn label(self) -> &'static str {
        match self {
            Opinion::Grant => "қанағаттандыру / удовлетворить",
            Opinion::Refuse => "бас тарту / отказать",
        }
    }
}

/// The catalog's commission of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Commission {
    /// How many members must have recorded an opinion before there is a conclusion.
    pub quorum: u32,
}

impl Default for Commission {
    fn default() -> Self {
        Commission { quorum: 1 }
    }
}

/// Where the commission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Conclusion {
    /// Fewer members than the quorum have recorded an opinion.
    Pending { recorded: u32, quorum: u32 },
    /// The quorum is reached but no strict majority agrees.
    Split { grant: u32, refuse: u32 },
    /// A strict majority of the members who spoke holds this opinion.
    Formed {
        opinion: Opinion,
        grant: u32,
        refuse: u32,
    },
}

impl Default for Conclusion {
    fn default() -> Self {
        Conclusion::Pending {
            recorded: 0,
            quorum: 1,
        }
    }
}

/// The conclusion of `commission` from the opinions recorded, oldest first, as
/// `(member, opinion)`: a member who spoke twice counts once, with their latest opinion.
pub fn conclude<'a>(
    commission: Commission,
    recorded: impl IntoIterator<Item = (&'a str, Opinion)>,
) -> Conclusion {
    let latest: BTreeMap<&str, Opinion> = recorded.into_iter().collect();
    let grant = latest.values().filter(|o| **o == Opinion::Grant).count() as u32;
    let refuse = latest.len() as u32 - grant;
    let quorum = commission.quorum.max(1);
    if grant + refuse < quorum {
        return Conclusion::Pending {
            recorded: grant + refuse,
            quorum,
        };
    }
    match grant.cmp(&refuse) {
        std::cmp::Ordering::Greater => Conclusion::Formed {
            opinion: Opinion::Grant,
            grant,
            refuse,
        },
        std::cmp::Ordering::Less => Conclusion::Formed {
            opinion: Opinion::Refuse,
            grant,
            refuse,
        },
        std::cmp::Ordering::Equal => Conclusion::Split { grant, refuse },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TWO: Commission = Commission { quorum: 2 };

    #[test]
    fn a_quorum_then_a_strict_majority() {
        use Opinion::*;
        assert_eq!(
            conclude(TWO, [("a", Grant)]),
            Conclusion::Pending {
                recorded: 1,
                quorum: 2
            }
        );
        // The same member twice is one opinion, the latest.
        assert_eq!(
            conclude(TWO, [("a", Refuse), ("a", Grant)]),
            Conclusion::Pending {
                recorded: 1,
                quorum: 2
            }
        );
        assert_eq!(
            conclude(TWO, [("a", Grant), ("b", Refuse)]),
            Conclusion::Split {
                grant: 1,
                refuse: 1
            }
        );
        assert_eq!(
            conclude(TWO, [("a", Grant), ("b", Refuse), ("b", Grant)]),
            Conclusion::Formed {
                opinion: Grant,
                grant: 2,
                refuse: 0
            }
        );
        assert_eq!(
            conclude(TWO, [("a", Refuse), ("b", Refuse), ("c", Grant)]),
            Conclusion::Formed {
                opinion: Refuse,
                grant: 1,
                refuse: 2
            }
        );
        assert_eq!(
            conclude(Commission { quorum: 0 }, []),
            Conclusion::Pending {
                recorded: 0,
                quorum: 1
            },
            "a quorum below one is one"
        );
    }

    proptest! {
        /// A conclusion is formed exactly when the quorum has spoken and one opinion has
        /// more members than the other; it is that opinion.
        #[test]
        fn formed_iff_quorum_and_majority(votes in proptest::collection::vec((0u8..6, any::<bool>()), 0..20), quorum in 1u32..5) {
            let names: Vec<(String, Opinion)> = votes
                .iter()
                .map(|(m, g)| (format!("m{m}"), if *g { Opinion::Grant } else { Opinion::Refuse }))
                .collect();
            let mut latest = BTreeMap::new();
            for (m, o) in &names {
                latest.insert(m.clone(), *o);
            }
            let g = latest.values().filter(|o| **o == Opinion::Grant).count() as u32;
            let r = latest.len() as u32 - g;
            let c = conclude(Commission { quorum }, names.iter().map(|(m, o)| (m.as_str(), *o)));
            match c {
                Conclusion::Formed { opinion, grant, refuse } => {
                    prop_assert!(grant + refuse >= quorum && grant != refuse);
                    prop_assert_eq!((grant, refuse), (g, r));
                    prop_assert_eq!(opinion == Opinion::Grant, g > r);
                }
                Conclusion::Split { grant, refuse } => prop_assert!(grant == refuse && grant + refuse >= quorum),
                Conclusion::Pending { recorded, .. } => prop_assert!(recorded < quorum && recorded == g + r),
            }
        }
    }
}
