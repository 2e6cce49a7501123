//! The catalog loader ([`Catalog::from_sources`]): a minimal valid catalog loads, and each
//! way a file can be broken stops the load with an error naming that file.

use super::*;

const WORKFLOWS_FILE: &str = "catalog/workflows.toml";
const SERVICE_FILE: &str = "catalog/services/test-service.toml";

const WORKFLOWS: &str = r#"
[[workflows]]
code = "simple"
description = "submit, then decide"

  [[workflows.transitions]]
  action = "submit"
  from = ["draft"]
  to = "submitted"
  by = ["initiator"]
  guards = ["form_complete"]
  requirements = ["G-04"]

  [[workflows.transitions]]
  action = "approve"
  from = ["submitted"]
  to = "approved"
  by = ["reviewer"]
  requirements = ["R-000-27"]
"#;

const SERVICE: &str = r#"
code = "test-service"
version = 1
number_prefix = "TST"
workflow = "simple"
applicant_kinds = ["person"]
reviewer_roles = ["official"]
requirements = ["G-04"]
name = { ru = "Тест", kk = "Сынақ", en = "Test" }

[provider]
code = "test-provider"
name = { ru = "Поставщик", kk = "Беруші", en = "Provider" }
timezone = "Asia/Almaty"
opens = "09:00"
closes = "18:00"

[legal_basis]
act = "Test act"
status = "in force"
standard = "Test standard"

[result]
kind = "certificate"
template = "certificate"
name = { ru = "Справка", kk = "Анықтама", en = "Certificate" }
refusal_kind = "refusal"
refusal_template = "refusal"
refusal_name = { ru = "Отказ", kk = "Бас тарту", en = "Refusal" }

[[variants]]
code = "standard"
name = { ru = "Обычный", kk = "Қалыпты", en = "Standard" }
fee_rule = "free"
deadline = { amount = 5, unit = "working_days" }

[[channels]]
code = "portal"
name = { ru = "Портал", kk = "Портал", en = "Portal" }
initiator_roles = ["applicant"]
signer = "applicant"
"#;

fn fee_rules() -> BTreeSet<String> {
    BTreeSet::from(["free".to_string()])
}

fn load(workflows: &str, services: &[(&str, &str)]) -> Result<Catalog, CatalogError> {
    let services: Vec<(String, String)> = services
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    Catalog::from_sources((WORKFLOWS_FILE, workflows), &services, &fee_rules())
}

/// `text` with `from` replaced by `to`; `from` must occur, so no case tests the valid text.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` not in the sample");
    text.replacen(from, to, 1)
}

#[track_caller]
fn assert_fails(result: Result<Catalog, CatalogError>, file: &str, fragment: &str) {
    let e = result.expect_err(fragment);
    assert_eq!(e.file, file, "{e}");
    assert!(e.message.contains(fragment), "`{fragment}` not in: {e}");
    assert!(
        e.to_string().starts_with(&format!("catalog file {file}: ")),
        "{e}"
    );
}

#[test]
fn a_minimal_catalog_loads() {
    let c = load(WORKFLOWS, &[(SERVICE_FILE, SERVICE)]).expect("valid catalog");
    let s = c.service("test-service").expect("service");
    assert_eq!(c.services().count(), 1);
    assert_eq!(s.number_prefix, "TST");
    assert_eq!(c.workflow_of(s).code, "simple");
    assert_eq!(c.workflow("simple").expect("workflow").transitions.len(), 2);
    assert_eq!(c.services_reviewed_by(Role::Official), ["test-service"]);
    assert!(c.services_reviewed_by(Role::ClinicRegistrar).is_empty());
}

#[test]
fn the_embedded_catalog_loads() {
    let c = crate::catalog_source::load(None, None)
        .expect("embedded catalog")
        .catalog;
    assert!(c.services().count() >= 5);
    for s in c.services() {
        assert_eq!(c.workflow_of(s).code, s.workflow);
    }
}

#[test]
fn an_unknown_workflow_names_the_service_file() {
    let s = edit(
        SERVICE,
        r#"workflow = "simple""#,
        r#"workflow = "no-such-flow""#,
    );
    assert_fails(
        load(WORKFLOWS, &[(SERVICE_FILE, &s)]),
        SERVICE_FILE,
        "workflow `no-such-flow` is not defined in workflows.toml",
    );
}

#[test]
fn an_unknown_fee_rule_names_the_service_file() {
    let s = edit(
        SERVICE,
        r#"fee_rule = "free""#,
        r#"fee_rule = "no-such-rule""#,
    );
    assert_fails(
        load(WORKFLOWS, &[(SERVICE_FILE, &s)]),
        SERVICE_FILE,
        "variant `standard`: fee_rule `no-such-rule` is not in the fee table",
    );
}

#[test]
fn an_unknown_guard_names_the_workflows_file() {
    let w = edit(
        WORKFLOWS,
        r#"guards = ["form_complete"]"#,
        r#"guards = ["no_such_guard"]"#,
    );
    assert_fails(
        load(&w, &[(SERVICE_FILE, SERVICE)]),
        WORKFLOWS_FILE,
        "no_such_guard",
    );
}

#[test]
fn a_duplicate_service_code_names_the_second_file() {
    let other = edit(
        SERVICE,
        r#"number_prefix = "TST""#,
        r#"number_prefix = "TSU""#,
    );
    assert_fails(
        load(
            WORKFLOWS,
            &[
                (SERVICE_FILE, SERVICE),
                ("catalog/services/copy.toml", &other),
            ],
        ),
        "catalog/services/copy.toml",
        "duplicate service code",
    );
}

#[test]
fn a_duplicate_number_prefix_names_the_second_file() {
    let other = edit(
        SERVICE,
        r#"code = "test-service""#,
        r#"code = "other-service""#,
    );
    assert_fails(
        load(
            WORKFLOWS,
            &[
                (SERVICE_FILE, SERVICE),
                ("catalog/services/other.toml", &other),
            ],
        ),
        "catalog/services/other.toml",
        "number_prefix `TST` used by another service",
    );
}

#[test]
fn malformed_toml_names_its_file() {
    let broken = format!("{SERVICE}\n[[variants]\ncode = ");
    let e = load(WORKFLOWS, &[(SERVICE_FILE, &broken)]).expect_err("malformed service");
    assert_eq!(e.file, SERVICE_FILE, "{e}");
    assert!(!e.message.is_empty());
    let broken = edit(WORKFLOWS, r#"code = "simple""#, r#"code = "simple"#);
    let e = load(&broken, &[(SERVICE_FILE, SERVICE)]).expect_err("malformed workflows");
    assert_eq!(e.file, WORKFLOWS_FILE, "{e}");
}

#[test]
fn no_services_is_an_error() {
    assert_fails(load(WORKFLOWS, &[]), "catalog/services", "no services");
}

/// Every other check of the loader, one broken field at a time.
#[test]
fn each_broken_field_is_reported_with_its_file() {
    /// Text to replace and its replacement.
    type Edit = (&'static str, &'static str);
    /// What is broken, the edit of workflows.toml or of the service file, the file the
    /// error names, a fragment of its message.
    type Case = (
        &'static str,
        Option<Edit>,
        Option<Edit>,
        &'static str,
        &'static str,
    );
    let cases: &[Case] = &[
        (
            "unknown field",
            None,
            Some(("version = 1", "version = 1\ncolour = \"red\"")),
            SERVICE_FILE,
            "unknown field `colour`",
        ),
        (
            "unknown state",
            Some((r#"from = ["submitted"]"#, r#"from = ["pending"]"#)),
            None,
            WORKFLOWS_FILE,
            "pending",
        ),
        (
            "unknown party",
            Some((r#"by = ["reviewer"]"#, r#"by = ["boss"]"#)),
            None,
            WORKFLOWS_FILE,
            "boss",
        ),
        (
            "unknown role",
            None,
            Some((
                r#"reviewer_roles = ["official"]"#,
                r#"reviewer_roles = ["boss"]"#,
            )),
            SERVICE_FILE,
            "boss",
        ),
        (
            "bad workflow code",
            Some((r#"code = "simple""#, r#"code = "Simple Flow""#)),
            None,
            WORKFLOWS_FILE,
            "workflow code `Simple Flow` must be lower-case",
        ),
        (
            "bad action name",
            Some((r#"action = "approve""#, r#"action = "Approve!""#)),
            None,
            WORKFLOWS_FILE,
            "action Approve!: bad action name",
        ),
        (
            "empty by",
            Some((r#"by = ["reviewer"]"#, "by = []")),
            None,
            WORKFLOWS_FILE,
            "`from` and `by` must not be empty",
        ),
        (
            "system together with people",
            Some((r#"by = ["reviewer"]"#, r#"by = ["system", "reviewer"]"#)),
            None,
            WORKFLOWS_FILE,
            "a system action cannot also be taken by people",
        ),
        (
            "bad requirement ID in a transition",
            Some((r#"requirements = ["R-000-27"]"#, r#"requirements = ["REQ-27"]"#)),
            None,
            WORKFLOWS_FILE,
            "`REQ-27` is not a requirement ID",
        ),
        (
            "a state never reached",
            Some((r#"from = ["submitted"]"#, r#"from = ["paid"]"#)),
            None,
            WORKFLOWS_FILE,
            "workflow simple action approve: state `paid` is never reached",
        ),
        (
            "bad service code",
            None,
            Some((r#"code = "test-service""#, r#"code = "Test Service""#)),
            SERVICE_FILE,
            "code `Test Service` must be lower-case",
        ),
        (
            "lower-case number prefix",
            None,
            Some((r#"number_prefix = "TST""#, r#"number_prefix = "tst""#)),
            SERVICE_FILE,
            "number_prefix must be upper-case ASCII letters",
        ),
        (
            "unknown time zone",
            None,
            Some((r#"timezone = "Asia/Almaty""#, r#"timezone = "Mars/Olympus""#)),
            SERVICE_FILE,
            "timezone `Mars/Olympus` is not an IANA zone",
        ),
        (
            "bad opening time",
            None,
            Some((r#"opens = "09:00""#, r#"opens = "9am""#)),
            SERVICE_FILE,
            "opens `9am` is not HH:MM",
        ),
        (
            "no applicant kinds",
            None,
            Some((r#"applicant_kinds = ["person"]"#, "applicant_kinds = []")),
            SERVICE_FILE,
            "must not be empty",
        ),
        (
            "bad requirement ID in a service",
            None,
            Some((r#"requirements = ["G-04"]"#, r#"requirements = ["G-4"]"#)),
            SERVICE_FILE,
            "requirements: `G-4` is not a requirement ID",
        ),
        (
            "duplicate variant",
            None,
            Some((
                "[[channels]]",
                "[[variants]]\ncode = \"standard\"\nname = { ru = \"a\", kk = \"b\", en = \"c\" }\n\
                 fee_rule = \"free\"\ndeadline = { amount = 1, unit = \"working_days\" }\n\n[[channels]]",
            )),
            SERVICE_FILE,
            "variant `standard`: bad or duplicate code",
        ),
        (
            "select field without options",
            None,
            Some((
                "[[channels]]",
                "[[form]]\ncode = \"kind\"\nkind = \"select\"\n\
                 label = { ru = \"a\", kk = \"b\", en = \"c\" }\n\n[[channels]]",
            )),
            SERVICE_FILE,
            "form field `kind`: options are required exactly for select fields",
        ),
        (
            "form field of an unknown variant",
            None,
            Some((
                "[[channels]]",
                "[[form]]\ncode = \"note\"\nkind = \"text\"\nvariants = [\"urgent\"]\n\
                 label = { ru = \"a\", kk = \"b\", en = \"c\" }\n\n[[channels]]",
            )),
            SERVICE_FILE,
            "form field `note`: unknown variant",
        ),
        (
            "applicant opening an employee-signed channel",
            None,
            Some((r#"signer = "applicant""#, r#"signer = "employee""#)),
            SERVICE_FILE,
            "channel `portal`: an applicant cannot open a channel an employee signs",
        ),
        (
            "channel without initiators",
            None,
            Some((r#"initiator_roles = ["applicant"]"#, "initiator_roles = []")),
            SERVICE_FILE,
            "channel `portal`: initiator_roles must not be empty",
        ),
    ];
    for (what, wf_edit, svc_edit, file, fragment) in cases {
        let w = wf_edit.map_or(WORKFLOWS.to_string(), |(a, b)| edit(WORKFLOWS, a, b));
        let s = svc_edit.map_or(SERVICE.to_string(), |(a, b)| edit(SERVICE, a, b));
        let e = load(&w, &[(SERVICE_FILE, &s)]).expect_err(what);
        assert_eq!(&e.file, file, "{what}: {e}");
        assert!(
            e.message.contains(fragment),
            "{what}: `{fragment}` not in: {e}"
        );
    }
}

#[test]
fn a_duplicate_workflow_code_names_the_workflows_file() {
    let twice = format!("{WORKFLOWS}\n{}", WORKFLOWS.trim_start());
    assert_fails(
        load(&twice, &[(SERVICE_FILE, SERVICE)]),
        WORKFLOWS_FILE,
        "duplicate workflow code",
    );
}
