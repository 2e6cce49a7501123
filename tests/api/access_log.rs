//! The personal-data access log (R-003-66, R-004-53, G-51): staff reads of a request are
//! recorded, the applicant's own are not; administrators list them; the log is append-only.

use crate::common::*;
use serde_json::Value;

#[test]
fn staff_reads_are_logged_and_listed_to_administrators_only() {
    let app = TestApp::spawn();
    let daulet = app.login("daulet");
    let number = submitted_support_request(&app, &daulet);
    let mio = app.login("mio");
    let commission = app.login("commission");
    assert_eq!(
        app.get(&daulet, &format!("/api/v1/requests/{number}"))
            .status(),
        200
    );
    assert_eq!(
        app.get(&mio, &format!("/api/v1/requests/{number}"))
            .status(),
        200
    );
    assert_eq!(
        app.get(&commission, &format!("/api/v1/requests/{number}/history"))
            .status(),
        200
    );
    // Someone who may not see the request reads nothing, and nothing is logged.
    let official = app.login("official");
    assert_eq!(
        app.get(&official, &format!("/api/v1/requests/{number}"))
            .status(),
        404
    );

    let path = format!("/api/v1/requests/{number}/access-log");
    assert_error(app.get(&mio, &path), 403, "ACTION_NOT_PERMITTED");
    let admin = app.login("admin");
    let log: Value = app.get(&admin, &path).json().expect("json");
    let rows: Vec<(String, String, String)> = log
        .as_array()
        .expect("array")
        .iter()
        .map(|e| {
            (
                e["login"].as_str().unwrap_or_default().to_string(),
                e["role"].as_str().unwrap_or_default().to_string(),
                e["what"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("mio".into(), "official".into(), "request".into()),
            (
                "commission".into(),
                "commission_member".into(),
                "history".into()
            ),
        ]
    );
    // Append-only on both backends.
    let tampered = app.app.store.write(|c| {
        use diesel::prelude::*;
        diesel::delete(ruqsat::db::schema::access_log::table)
            .execute(c)
            .map_err(ruqsat::error::AppError::internal)
    });
    assert!(tampered.is_err(), "the access log must be append-only");
}
