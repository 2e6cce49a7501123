//! Demo users for every role (catalog/demo/users.toml), seeded once into an empty database.

use super::auth::{create_user, NewUser};
use super::{App, CATALOG_DIR};
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
pub fn seed_demo_users(app: &App) -> anyhow::Result<usize> {
    if app.store.read(queries::count_users)? > 0 {
        return Ok(0);
    }
    let users = demo_users()?;
    for u in &users {
        let password = demo_password(&u.login);
        create_user(
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
        )?;
    }
    tracing::info!(count = users.len(), "demo users seeded");
    Ok(users.len())
}
