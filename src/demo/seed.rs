//! Demo users for every role (catalog/demo/users.toml), seeded once into an empty database.

use crate::app::auth::{hash_password, user_row, NewUser};
use crate::app::{App, CATALOG_DIR};
use crate::db::queries;
use crate::domain::roles::Role;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoUser {
    pub login: String,
    pub role: Role,
    pub full_name: String,
    pub iin: Option<String>,
    pub bin: Option<String>,
    pub email: Option<String>,
    pub provider_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoUsers {
    users: Vec<DemoUser>,
}

pub fn demo_users() -> anyhow::Result<Vec<DemoUser>> {
    let text = CATALOG_DIR
        .get_file("demo/users.toml")
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| anyhow::anyhow!("catalog/demo/users.toml missing"))?;
    Ok(toml::from_str::<DemoUsers>(text)?.users)
}

/// The demo password of a demo login.
pub fn demo_password(login: &str) -> String {
    format!("{login}-demo")
}

/// Seeds the demo users when the database has no users at all.
/// `hashes`: the demo passwords' hashes made ahead ([`demo_password_hashes`], in the order
/// of [`demo_users`]), or `None` to make them here.
pub fn seed_demo_users(app: &App, hashes: Option<Vec<String>>) -> anyhow::Result<usize> {
    if app.store.read(queries::count_users)? > 0 {
        return Ok(0);
    }
    let users = demo_users()?;
    let hashes = match hashes {
        Some(h) if h.len() == users.len() => h,
        _ => hash_demo_passwords(&users)?,
    };
    let mut rows = Vec::with_capacity(users.len());
    for (u, hash) in users.iter().zip(hashes) {
        let password = demo_password(&u.login);
        rows.push(user_row(
            app,
            &NewUser {
                login: &u.login,
                password: &password,
                role: u.role,
                full_name: &u.full_name,
                iin: u.iin.as_deref(),
                bin: u.bin.as_deref(),
                email: u.email.as_deref(),
                provider_code: u.provider_code.as_deref(),
            },
            hash,
        )?);
    }
    app.store.write(|c| {
        for row in &rows {
            queries::insert_user(c, row)?;
        }
        Ok(())
    })?;
    tracing::info!(count = users.len(), "demo users seeded");
    Ok(users.len())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoAttachments {
    attachments: Vec<DemoAttachment>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoAttachment {
    iin: String,
    clinic: String,
    district: Option<String>,
}

/// Seeds the demo register of the attached population (`catalog/demo/attachments.toml`)
/// when the register is empty; each clinic must be in the clinic register.
pub fn seed_demo_attachments(app: &App) -> anyhow::Result<usize> {
    if app.store.read(queries::count_phc)? > 0 {
        return Ok(0);
    }
    let text = crate::app::CATALOG_DIR
        .get_file("demo/attachments.toml")
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| anyhow::anyhow!("catalog/demo/attachments.toml missing"))?;
    let list = toml::from_str::<DemoAttachments>(text)?.attachments;
    let now = app.now().naive_utc();
    app.store.write(|c| {
        for a in &list {
            if app.clinics.clinic(&a.clinic).is_none() {
                return Err(crate::error::AppError::internal(format!(
                    "demo attachment of {}: no clinic {}",
                    a.iin, a.clinic
                )));
            }
            queries::insert_phc(
                c,
                &crate::db::models::PhcRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    person_iin: a.iin.clone(),
                    clinic_code: a.clinic.clone(),
                    district: a.district.clone(),
                    started_at: now,
                    ended_at: None,
                    request_id: None,
                    ended_by: None,
                },
            )?;
        }
        Ok(())
    })?;
    tracing::info!(
        count = list.len(),
        "demo register of the attached population seeded"
    );
    Ok(list.len())
}

/// Demo certificates for every demo user with an IIN, plus a revoked one for `aigerim`.
pub fn demo_spec(public_url: &str) -> anyhow::Result<crate::demo::pki::DemoPkiSpec> {
    let mut users = Vec::new();
    for u in demo_users()? {
        let Some(iin) = u.iin.clone() else { continue };
        users.push(crate::demo::pki::DemoIdentity {
            file_stem: u.login.clone(),
            common_name: u.full_name.to_uppercase(),
            iin: Some(iin),
            bin: u.bin.clone(),
            org_name: u
                .bin
                .as_ref()
                .map(|_| "ТОО «Медицинский центр Ақжол»".to_string()),
            revoked: false,
            ecdsa: u.login == "daulet",
        });
    }
    users.push(crate::demo::pki::DemoIdentity {
        file_stem: "aigerim-revoked".into(),
        common_name: "НҰРЛАНОВА ӘЙГЕРІМ".into(),
        iin: Some("850305401237".into()),
        bin: None,
        org_name: None,
        revoked: true,
        ecdsa: false,
    });
    Ok(crate::demo::pki::DemoPkiSpec {
        crl_url: format!(
            "{}/pki/crl/demo-intermediate.crl",
            public_url.trim_end_matches('/')
        ),
        users,
    })
}

/// The demo users' password hashes, in the order of [`demo_users`]: a first start makes
/// them on threads of their own while it makes the demo PKI.
pub fn demo_password_hashes() -> anyhow::Result<Vec<String>> {
    hash_demo_passwords(&demo_users()?)
}

/// The demo passwords' Argon2 hashes, on every core at once (a first start waits for them).
fn hash_demo_passwords(users: &[DemoUser]) -> anyhow::Result<Vec<String>> {
    super::on_every_core(users.len(), |i| {
        Ok(hash_password(&demo_password(&users[i].login))?)
    })
}
