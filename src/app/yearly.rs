//! Yearly data at run time: loading the catalog and templates (compiled in, overridden by
//! `catalog_dir` / `templates_dir`), the check for a missing МРП or working calendar of
//! the current or next year (at start and daily while serving: a warning, the gauge
//! `ruqsat_yearly_data_missing`, and `/health`), and the error of a paid request in a year
//! without an МРП.

use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::App;
use crate::catalog_source::{self, RuntimeData};
use crate::config::Config;
use crate::domain::money::FeeError;
use crate::domain::yearly::{yearly_data, YearlyData, YearlyKind};
use crate::error::{AppError, ErrorCode};

/// Loads and validates the catalog and templates of `config`, logging which files came
/// from the override directories and which of their files are not read.
pub fn load_data(config: &Config) -> anyhow::Result<RuntimeData> {
    let data = catalog_source::load(
        config.catalog_dir.as_deref(),
        config.templates_dir.as_deref(),
    )?;
    for (file, replaces) in &data.sources.from_dirs {
        let how = if *replaces {
            "replaces the compiled-in file"
        } else {
            "added to the compiled-in files"
        };
        tracing::info!(%file, "data file {how}");
    }
    for file in &data.sources.ignored {
        tracing::warn!(%file, "not a file Ruqsat reads: ignored");
    }
    Ok(data)
}

/// What to do about missing data, naming the setting.
pub fn missing_hint(kind: YearlyKind, year: i32) -> String {
    match kind {
        YearlyKind::Mrp => format!(
            "no МРП for {year}: add [mrp.{year}] to fees.toml in catalog_dir (RUQSAT_CATALOG_DIR)"
        ),
        YearlyKind::Calendar => format!(
            "no working calendar for {year}: add a [[year]] block for {year} (Kurban Ait, decreed transfers) to calendar/kz.toml in catalog_dir (RUQSAT_CATALOG_DIR)"
        ),
    }
}

/// The yearly data of the current and next year, as `/health` shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct YearlyDataHealth {
    /// The date the check is for (the application clock, UTC).
    pub today: NaiveDate,
    /// МРП and calendar of this year and the next: `present`, `assumed` or `missing`.
    pub years: Vec<YearlyData>,
    /// What to add, one line per missing item; empty when nothing is missing.
    pub missing: Vec<String>,
}

/// The state of the yearly data for the application clock's date.
pub fn status(app: &App) -> YearlyDataHealth {
    let today = app.now().date_naive();
    let years = yearly_data(&app.fees, &app.calendar, today);
    let missing = years
        .iter()
        .filter(|d| d.is_missing())
        .map(|d| missing_hint(d.kind, d.year))
        .collect();
    YearlyDataHealth {
        today,
        years,
        missing,
    }
}

/// Checks the yearly data: logs a warning per missing item and sets the gauge. Returns
/// the state.
pub fn check(app: &App) -> YearlyDataHealth {
    let s = status(app);
    for d in s.years.iter().filter(|d| d.is_missing()) {
        tracing::warn!(
            kind = d.kind.as_str(),
            year = d.year,
            "yearly data missing: {}",
            missing_hint(d.kind, d.year)
        );
    }
    crate::metrics::yearly_data(
        chrono::Datelike::year(&s.today),
        &s.years
            .iter()
            .map(|d| (d.kind.as_str(), d.year, d.is_missing()))
            .collect::<Vec<_>>(),
    );
    s
}

/// Runs [`check`] now and then once a day, on the runtime of the caller (the server's).
/// Without a runtime it only checks once.
pub fn spawn_daily_check(app: App) {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => {
            rt.spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
                every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    every.tick().await;
                    check(&app);
                }
            });
        }
        Err(_) => {
            check(&app);
        }
    }
}

/// The error of a fee that cannot be computed. A year without an МРП is
/// `FEE_NO_MRP_FOR_YEAR`, naming the year and the setting; anything else is internal (the
/// fee rules are checked against the catalog at start).
pub fn fee_error(rule: &str, e: FeeError) -> AppError {
    match e {
        FeeError::NoMrp(year) => {
            let hint = missing_hint(YearlyKind::Mrp, year);
            tracing::error!(%rule, year, "{hint}");
            AppError::with(ErrorCode::FeeNoMrpForYear, hint)
        }
        other => AppError::internal(format!("fee rule {rule}: {other}")),
    }
}
