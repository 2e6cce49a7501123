//! [`plan`] against the real embedded catalog, driven by its data: every transition of every
//! workflow, from each of its states, asked by every kind of actor, with every guard failing
//! alone. A transition added to `catalog/workflows.toml` is covered without touching this file;
//! a guard added to [`Guard`] does not compile here until its failures are listed.

use super::*;
use crate::domain::catalog::{Catalog, Issues};
use crate::domain::commission::{Conclusion, Opinion};
use std::collections::BTreeSet;

fn catalog() -> Catalog {
    crate::catalog_source::load(None, None)
        .expect("embedded catalog")
        .catalog
}

/// Facts under which every guard holds.
fn all_hold() -> Facts {
    Facts {
        form_problems: vec![],
        missing_documents: vec![],
        payment_confirmed: true,
        signature_verified: true,
        reason: Some("Основание / негіз".into()),
        new_due_later: Some(true),
        qualification_unmet: Some(vec![]),
        recipient_recorded: true,
        conclusion: Conclusion::Formed {
            opinion: Opinion::Grant,
            grant: 2,
            refuse: 0,
        },
        opinion_given: true,
        visit_given: true,
        originals_not_seen: vec![],
        second_opinion: true,
    }
}

/// Facts under which every guard of `t` holds: a refusal follows a conclusion to refuse,
/// anything else one to grant.
fn all_hold_for(t: &Transition) -> Facts {
    let mut f = all_hold();
    if t.issues == Some(Issues::Refusal) {
        f.conclusion = Conclusion::Formed {
            opinion: Opinion::Refuse,
            grant: 0,
            refuse: 2,
        };
    }
    f
}

/// The opposite conclusion to the one the facts hold.
fn flip(x: &mut Facts) {
    if let Conclusion::Formed {
        opinion,
        grant,
        refuse,
    } = x.conclusion
    {
        x.conclusion = Conclusion::Formed {
            opinion: match opinion {
                Opinion::Grant => Opinion::Refuse,
                Opinion::Refuse => Opinion::Grant,
            },
            grant: refuse,
            refuse: grant,
        };
    }
}

/// One way a guard fails: what is wrong with the facts and the error `plan` must give.
struct Failure {
    what: &'static str,
    spoil: fn(&mut Facts),
    error: TransitionError,
}

/// Every way each guard can fail. The match is exhaustive, so a new guard must be added here.
fn failures(g: Guard) -> Vec<Failure> {
    fn f(what: &'static str, spoil: fn(&mut Facts), error: TransitionError) -> Failure {
        Failure { what, spoil, error }
    }
    match g {
        Guard::FormComplete => vec![f(
            "a form problem",
            |x| x.form_problems = vec!["phone: required".into()],
            TransitionError::FormIncomplete(vec!["phone: required".into()]),
        )],
        Guard::RequiredDocuments => vec![
            f(
                "a missing document",
                |x| x.missing_documents = vec!["residence".into()],
                TransitionError::MissingDocuments(vec!["residence".into()]),
            ),
            // R-004-12: a scan counts only with its original seen.
            f(
                "a scan whose original was not seen",
                |x| x.originals_not_seen = vec!["birth-certificate".into()],
                TransitionError::OriginalNotSeen(vec!["birth-certificate".into()]),
            ),
        ],
        Guard::PaymentConfirmed => vec![f(
            "no confirmed payment",
            |x| x.payment_confirmed = false,
            TransitionError::PaymentNotConfirmed,
        )],
        Guard::SignatureVerified => vec![f(
            "no verified signature",
            |x| x.signature_verified = false,
            TransitionError::SignatureRequired,
        )],
        Guard::ReasonRequired => vec![
            f(
                "no reason",
                |x| x.reason = None,
                TransitionError::ReasonRequired,
            ),
            f(
                "a blank reason",
                |x| x.reason = Some(" \n\t".into()),
                TransitionError::ReasonRequired,
            ),
        ],
        Guard::NewDueDate => vec![
            f(
                "no new due date",
                |x| x.new_due_later = None,
                TransitionError::BadExtension,
            ),
            f(
                "a new due date not later",
                |x| x.new_due_later = Some(false),
                TransitionError::BadExtension,
            ),
        ],
        Guard::QualificationMet => vec![
            f(
                "no checklist yet",
                |x| x.qualification_unmet = None,
                TransitionError::QualificationNotAssessed,
            ),
            f(
                "an unmet item",
                |x| x.qualification_unmet = Some(vec!["premises".into()]),
                TransitionError::QualificationNotMet(vec!["premises".into()]),
            ),
        ],
        Guard::RecipientRecorded => vec![f(
            "no recipient recorded",
            |x| x.recipient_recorded = false,
            TransitionError::RecipientRequired,
        )],
        // a quorum of opinions, a strict majority, and the decision follows it.
        Guard::ConclusionFollowed => vec![
            f(
                "no quorum of opinions",
                |x| {
                    x.conclusion = Conclusion::Pending {
                        recorded: 1,
                        quorum: 2,
                    }
                },
                TransitionError::ConclusionRequired {
                    recorded: 1,
                    quorum: 2,
                },
            ),
            f(
                "split opinions",
                |x| {
                    x.conclusion = Conclusion::Split {
                        grant: 1,
                        refuse: 1,
                    }
                },
                TransitionError::ConclusionSplit {
                    grant: 1,
                    refuse: 1,
                },
            ),
            f(
                "a conclusion the other way",
                flip,
                TransitionError::ConclusionDisagrees,
            ),
        ],
        Guard::OpinionGiven => vec![f(
            "no opinion",
            |x| x.opinion_given = false,
            TransitionError::OpinionRequired,
        )],
        Guard::VisitGiven => vec![f(
            "no visit outcome",
            |x| x.visit_given = false,
            TransitionError::VisitRequired,
        )],
    }
}

const ALL_GUARDS: [Guard; 11] = [
    Guard::VisitGiven,
    Guard::ConclusionFollowed,
    Guard::OpinionGiven,
    Guard::FormComplete,
    Guard::RequiredDocuments,
    Guard::PaymentConfirmed,
    Guard::SignatureVerified,
    Guard::ReasonRequired,
    Guard::NewDueDate,
    Guard::QualificationMet,
    Guard::RecipientRecorded,
];

/// The applicant opening the result in the cabinet needs no handover record (G-30, G-43).
fn exempt(g: Guard, actor: &Actor) -> bool {
    g == Guard::RecipientRecorded && actor.role == Role::Applicant
}

/// Everyone who might ask: every role, as the request's initiator or not, as a person or as
/// Ruqsat acting on that user's verified event, at the deciding provider, at the intake
/// office or elsewhere, having taken the request in or not, being its applicant or not.
fn everyone() -> Vec<Actor> {
    let mut out = Vec::new();
    let b = [false, true];
    for role in Role::ALL {
        for (is_initiator, is_system, at_provider, at_intake, took_in, is_applicant) in b
            .into_iter()
            .flat_map(|a| b.map(move |c| (a, c)))
            .flat_map(|(a, c)| b.map(move |d| (a, c, d)))
            .flat_map(|(a, c, d)| b.map(move |e| (a, c, d, e)))
            .flat_map(|(a, c, d, e)| b.map(move |f| (a, c, d, e, f)))
            .flat_map(|(a, c, d, e, f)| b.map(move |g| (a, c, d, e, f, g)))
        {
            out.push(Actor {
                role,
                is_initiator,
                is_system,
                at_provider,
                at_intake,
                took_in,
                is_applicant,
            });
        }
    }
    out
}

/// Separation of duties as `docs/access.md` states it: a decision (result or refusal) is
/// never the applicant's, and not the intake employee's unless the service names a second
/// opinion someone else recorded (all_hold: it was).
fn separation_forbids(service: &Service, t: &Transition, a: &Actor) -> bool {
    let decides = matches!(t.issues, Some(Issues::Result | Issues::Refusal));
    let rule = &service.separation_of_duties;
    decides
        && rule.enabled
        && !a.is_system
        && (a.is_applicant || (a.took_in && rule.second_opinion.is_none()))
}

/// Who a party is, as the catalog documents it (`catalog/workflows.toml`, `by`).
fn is_party(p: Party, service: &Service, a: &Actor) -> bool {
    match p {
        Party::System => a.is_system,
        Party::Initiator => a.is_initiator,
        Party::Applicant => a.is_applicant && a.role == Role::Applicant,
        Party::Reviewer => service.reviewer_roles.contains(&a.role) && a.at_provider,
        Party::Official => a.role == Role::Official && (a.at_provider || a.at_intake),
        Party::CommissionMember => {
            a.role == Role::CommissionMember && (a.at_provider || a.at_intake)
        }
        Party::ConOperator => a.role == Role::ConOperator && (a.at_provider || a.at_intake),
        Party::ClinicRegistrar => a.role == Role::ClinicRegistrar && (a.at_provider || a.at_intake),
        Party::Admin => a.role == Role::Admin,
    }
}

/// A party to `t` whom separation of duties does not stop.
fn may_take(service: &Service, t: &Transition, a: &Actor) -> bool {
    t.by.iter().any(|p| is_party(*p, service, a)) && !separation_forbids(service, t, a)
}

/// The transition `plan` must choose: the first one of that name allowed from `from`.
fn chosen<'a>(w: &'a Workflow, action: &str, from: State) -> Option<&'a Transition> {
    w.transitions
        .iter()
        .find(|t| t.action == action && t.from.contains(&from))
}

fn expected(t: &Transition, from: State) -> Planned {
    Planned {
        action: t.action.clone(),
        from,
        to: t.to.unwrap_or(from),
        requirements: t.requirements.clone(),
        notify: t.notify,
        issues: t.issues,
    }
}

/// Each service with its workflow; reviewers differ by service, so every service is checked.
fn cases(c: &Catalog) -> Vec<(&Service, &Workflow)> {
    c.services().map(|s| (s, c.workflow_of(s))).collect()
}

#[test]
fn every_workflow_is_checked_and_uses_every_guard() {
    let c = catalog();
    let text = crate::app::CATALOG_DIR
        .get_file("workflows.toml")
        .and_then(|f| f.contents_utf8())
        .expect("workflows.toml");
    let file: toml::Value = toml::from_str(text).expect("toml");
    let defined: BTreeSet<&str> = file["workflows"]
        .as_array()
        .expect("workflows")
        .iter()
        .map(|w| w["code"].as_str().expect("code"))
        .collect();
    let used: BTreeSet<&str> = cases(&c).iter().map(|(_, w)| w.code.as_str()).collect();
    assert_eq!(
        used, defined,
        "a workflow no service uses is not checked here"
    );
    let guarded: BTreeSet<String> = cases(&c)
        .iter()
        .flat_map(|(_, w)| &w.transitions)
        .flat_map(|t| &t.guards)
        .map(|g| format!("{g:?}"))
        .collect();
    for g in ALL_GUARDS {
        assert!(
            guarded.contains(&format!("{g:?}")),
            "{g:?} guards no transition: its failures below would be checked nowhere"
        );
    }
}

#[test]
fn allowed_transitions_go_to_their_target_and_cite_their_requirements() {
    let c = catalog();
    let mut checked = 0;
    for (service, w) in cases(&c) {
        for t in &w.transitions {
            for &from in &t.from {
                let t = chosen(w, &t.action, from).expect("listed state");
                for actor in everyone().iter().filter(|a| {
                    t.by.iter().any(|p| is_party(*p, service, a))
                        && !separation_forbids(service, t, a)
                }) {
                    let at = format!("{} {} from {from} by {actor:?}", service.code, t.action);
                    let planned = plan(service, w, from, &t.action, actor, &all_hold_for(t))
                        .unwrap_or_else(|e| panic!("{at}: {e}"));
                    assert_eq!(planned, expected(t, from), "{at}");
                    assert!(!planned.requirements.is_empty(), "{at}: no requirement IDs");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} allowed moves checked");
}

#[test]
fn the_catalog_says_what_the_main_moves_do() {
    // A few rows written out, so the data-driven loops above cannot pass on an empty table.
    let c = catalog();
    let official = Actor {
        at_provider: true,
        ..Actor::system(Role::Official)
    };
    let official = Actor {
        is_system: false,
        ..official
    };
    let system = Actor::system(Role::Applicant);
    let rows: [(&str, State, &str, Actor, State, &str); 5] = [
        (
            "med-licence",
            State::Paid,
            "sign",
            system,
            State::Signed,
            "R-003-24",
        ),
        (
            "med-licence",
            State::UnderReview,
            "approve",
            official,
            State::Approved,
            "R-003-32",
        ),
        (
            "disabled-child-support",
            State::UnderReview,
            "extend_deadline",
            official,
            State::UnderReview,
            "R-004-39",
        ),
        (
            "disabled-child-support",
            State::UnderReview,
            "refuse",
            official,
            State::Refused,
            "R-004-38",
        ),
        (
            "doctor-home-call",
            State::Signed,
            "register",
            system,
            State::Registered,
            "R-000-24",
        ),
    ];
    for (code, from, action, actor, to, requirement) in rows {
        let s = c.service(code).expect(code);
        let t = chosen(c.workflow_of(s), action, from).expect("listed move");
        let p = plan(s, c.workflow_of(s), from, action, &actor, &all_hold_for(t))
            .unwrap_or_else(|e| panic!("{code} {action}: {e}"));
        assert_eq!(p.to, to, "{code} {action}");
        assert!(
            p.requirements.iter().any(|r| r == requirement),
            "{code} {action}: {:?}",
            p.requirements
        );
    }
}

#[test]
fn an_unknown_action_is_unknown_in_every_state() {
    let c = catalog();
    let all_actions: BTreeSet<String> = cases(&c)
        .iter()
        .flat_map(|(_, w)| w.transitions.iter().map(|t| t.action.clone()))
        .collect();
    for (service, w) in cases(&c) {
        let unknown = all_actions
            .iter()
            .map(String::as_str)
            .filter(|a| w.transitions_named(a).next().is_none())
            .chain(["no_such_action", "", "SUBMIT"]);
        for action in unknown {
            for from in State::ALL {
                for actor in everyone() {
                    assert_eq!(
                        plan(service, w, from, action, &actor, &all_hold()),
                        Err(TransitionError::UnknownAction(action.to_string())),
                        "{} `{action}` from {from}",
                        service.code
                    );
                }
            }
        }
    }
}

#[test]
fn an_action_from_a_state_it_does_not_leave_is_illegal_for_everyone() {
    let c = catalog();
    let mut checked = 0;
    for (service, w) in cases(&c) {
        let actions: BTreeSet<&str> = w.transitions.iter().map(|t| t.action.as_str()).collect();
        for action in actions {
            for from in State::ALL
                .into_iter()
                .filter(|s| chosen(w, action, *s).is_none())
            {
                for actor in everyone() {
                    assert_eq!(
                        plan(service, w, from, action, &actor, &all_hold()),
                        Err(TransitionError::IllegalTransition {
                            action: action.to_string(),
                            from
                        }),
                        "{} {action} from {from}",
                        service.code
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} illegal moves checked");
}

#[test]
fn the_wrong_party_is_refused_and_system_steps_are_only_for_ruqsat() {
    let c = catalog();
    let (mut system_only, mut not_permitted) = (0, 0);
    for (service, w) in cases(&c) {
        for t in &w.transitions {
            for &from in &t.from {
                let t = chosen(w, &t.action, from).expect("listed state");
                for actor in everyone()
                    .iter()
                    .filter(|a| !t.by.iter().any(|p| is_party(*p, service, a)))
                {
                    let want = if t.by == [Party::System] {
                        system_only += 1;
                        TransitionError::SystemOnly(t.action.clone())
                    } else {
                        not_permitted += 1;
                        TransitionError::NotPermitted(t.action.clone())
                    };
                    assert_eq!(
                        plan(service, w, from, &t.action, actor, &all_hold()),
                        Err(want),
                        "{} {} from {from} by {actor:?}",
                        service.code,
                        t.action
                    );
                }
            }
        }
    }
    assert!(system_only > 0 && not_permitted > 0);
}

#[test]
fn each_guard_failing_alone_gives_its_own_error() {
    let c = catalog();
    let mut failed = BTreeSet::new();
    for (service, w) in cases(&c) {
        for t in &w.transitions {
            for &from in &t.from {
                let t = chosen(w, &t.action, from).expect("listed state");
                let allowed = everyone().into_iter().filter(|a| may_take(service, t, a));
                for actor in allowed {
                    for &g in &t.guards {
                        for fail in failures(g) {
                            let mut facts = all_hold_for(t);
                            (fail.spoil)(&mut facts);
                            let got = plan(service, w, from, &t.action, &actor, &facts);
                            let at = format!(
                                "{} {} from {from} by {actor:?} with {}",
                                service.code, t.action, fail.what
                            );
                            if exempt(g, &actor) {
                                assert_eq!(got, Ok(expected(t, from)), "{at}: exempt");
                            } else {
                                assert_eq!(got, Err(fail.error), "{at}");
                                failed.insert(format!("{g:?}"));
                            }
                        }
                    }
                }
            }
        }
    }
    for g in ALL_GUARDS {
        assert!(failed.contains(&format!("{g:?}")), "{g:?} never failed");
    }
}

#[test]
fn the_applicant_is_exempt_from_recording_a_recipient_but_staff_are_not() {
    let c = catalog();
    let mut seen = (0, 0);
    for (service, w) in cases(&c) {
        for t in w
            .transitions
            .iter()
            .filter(|t| t.guards.contains(&Guard::RecipientRecorded))
        {
            let facts = Facts {
                recipient_recorded: false,
                ..all_hold()
            };
            for &from in &t.from {
                for actor in everyone()
                    .iter()
                    .filter(|a| !a.is_system && t.by.iter().any(|p| is_party(*p, service, a)))
                {
                    let got = plan(service, w, from, &t.action, actor, &facts);
                    if actor.role == Role::Applicant {
                        assert_eq!(got, Ok(expected(t, from)));
                        seen.0 += 1;
                    } else {
                        assert_eq!(got, Err(TransitionError::RecipientRequired));
                        seen.1 += 1;
                    }
                }
            }
        }
    }
    assert!(seen.0 > 0 && seen.1 > 0, "{seen:?}");
}

#[test]
fn guards_a_transition_does_not_list_do_not_stop_it() {
    let c = catalog();
    for (service, w) in cases(&c) {
        for t in &w.transitions {
            for &from in &t.from {
                let t = chosen(w, &t.action, from).expect("listed state");
                // Every guard the transition does not name fails.
                let mut facts = all_hold_for(t);
                for g in ALL_GUARDS.into_iter().filter(|g| !t.guards.contains(g)) {
                    (failures(g)[0].spoil)(&mut facts);
                }
                for actor in everyone().iter().filter(|a| may_take(service, t, a)) {
                    assert_eq!(
                        plan(service, w, from, &t.action, actor, &facts),
                        Ok(expected(t, from)),
                        "{} {} from {from} by {actor:?}",
                        service.code,
                        t.action
                    );
                }
            }
        }
    }
}

#[test]
fn with_several_guards_failing_the_first_listed_is_reported() {
    let c = catalog();
    let mut checked = 0;
    for (service, w) in cases(&c) {
        let mut facts = all_hold();
        for g in ALL_GUARDS {
            (failures(g)[0].spoil)(&mut facts);
        }
        for t in &w.transitions {
            for &from in &t.from {
                let t = chosen(w, &t.action, from).expect("listed state");
                if t.guards.len() < 2 {
                    continue;
                }
                for actor in everyone().iter().filter(|a| may_take(service, t, a)) {
                    let first = t
                        .guards
                        .iter()
                        .find(|g| !exempt(**g, actor))
                        .expect("a guard that applies");
                    assert_eq!(
                        plan(service, w, from, &t.action, actor, &facts),
                        Err(failures(*first).remove(0).error),
                        "{} {} from {from} by {actor:?}",
                        service.code,
                        t.action
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 0);
}

#[test]
fn decisions_are_never_the_applicants_nor_the_intake_employees_alone() {
    let c = catalog();
    let mut refused = 0;
    for (service, w) in cases(&c) {
        for t in w
            .transitions
            .iter()
            .filter(|t| matches!(t.issues, Some(Issues::Result | Issues::Refusal)))
        {
            for &from in &t.from {
                for actor in everyone()
                    .iter()
                    .filter(|a| t.by.iter().any(|p| is_party(*p, service, a)))
                {
                    let at = format!("{} {} from {from} by {actor:?}", service.code, t.action);
                    let mut facts = all_hold_for(t);
                    facts.second_opinion = false;
                    let got = plan(service, w, from, &t.action, actor, &facts);
                    let rule = &service.separation_of_duties;
                    let forbidden =
                        rule.enabled && !actor.is_system && (actor.is_applicant || actor.took_in);
                    if forbidden {
                        refused += 1;
                        assert_eq!(
                            got,
                            Err(TransitionError::SeparationOfDuties(t.action.clone())),
                            "{at}"
                        );
                    } else {
                        assert!(got.is_ok(), "{at}: {got:?}");
                    }
                }
            }
        }
    }
    assert!(refused > 50, "only {refused} refusals checked");

    // R-004-22, G-41: the desk employee who took a support request in registers the decision
    // once a commission member (someone else) recorded the conclusion.
    let dcs = c.service("disabled-child-support").expect("service");
    let w = c.workflow_of(dcs);
    let desk_employee = Actor {
        is_system: false,
        at_provider: true,
        at_intake: true,
        took_in: true,
        is_initiator: true,
        ..Actor::system(Role::Official)
    };
    let mut facts = all_hold();
    facts.second_opinion = false;
    assert_eq!(
        plan(dcs, w, State::UnderReview, "refuse", &desk_employee, &facts),
        Err(TransitionError::SeparationOfDuties("refuse".into()))
    );
    let refuse = chosen(w, "refuse", State::UnderReview).expect("refuse");
    let facts = Facts {
        second_opinion: true,
        ..all_hold_for(refuse)
    };
    assert!(plan(dcs, w, State::UnderReview, "refuse", &desk_employee, &facts).is_ok());
    // A licence official who took the request in at the desk never decides it.
    let lic = c.service("med-licence").expect("service");
    let w = c.workflow_of(lic);
    assert_eq!(
        plan(
            lic,
            w,
            State::UnderReview,
            "approve",
            &desk_employee,
            &all_hold()
        ),
        Err(TransitionError::SeparationOfDuties("approve".into()))
    );
}
