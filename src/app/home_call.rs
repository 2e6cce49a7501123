//! The home call's same-day rule and cut-off (R-002-08, R-002-09; G-07, G-08): a home call is
//! for today and is taken until the region's cut-off before the clinic closes today (2 hours
//! by default); on a day the clinic is closed it is not taken. A region switches the rule off
//! with `home_call_cutoff_minutes = 0` (`catalog/clinics.toml`). The rule itself is
//! [`crate::domain::clinics::home_call_refusal`].

use crate::app::App;
use crate::domain::catalog::Service;
use crate::domain::clinics::home_call_refusal;
use crate::error::{AppError, ErrorCode};
use chrono::{DateTime, Utc};

/// Refuses a home call to `clinic` at `now` after the cut-off or on a closed day.
pub(crate) fn check(
    app: &App,
    service: &Service,
    clinic: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !service.same_day_cutoff {
        return Ok(());
    }
    let Some(c) = app.clinics.clinic(clinic) else {
        return Ok(());
    };
    let Some(region) = app.clinics.region_of(c) else {
        return Ok(());
    };
    match home_call_refusal(c, region, now) {
        Some(why) => Err(AppError::with(ErrorCode::HomeCallCutoff, why)),
        None => Ok(()),
    }
}
