//! `ruqsat bench --suite slots`: the free-slot search a patient waits on (R-002-12), for a
//! clinic of 50 doctors over 14 days with about a third of the slots booked. Measures
//! `app::clinics::free_slots` in-process (the bookings query and the schedule arithmetic),
//! single-threaded, and prints p50/p99. Target: p99 < 10 ms.

use super::percentile;
use crate::app::auth::CurrentUser;
use crate::app::clinics::{free_slots, SlotQuery};
use crate::app::App;
use crate::config::Config;
use crate::db::models::{BookingRow, HistoryRow, RequestRow};
use crate::db::queries;
use crate::domain::clinics::{Clinic, ClinicRegister, Doctor, Territory};
use crate::domain::ids::RequestId;
use crate::domain::lifecycle::State;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

const CLINIC: &str = "bench-clinic";
const DOCTORS: usize = 50;
const DAYS: u32 = 14;

/// The register with a bench clinic of 50 doctors (15-minute slots, a lunch break,
/// Monday–Saturday) in Astana.
fn register_with_bench_clinic(base: &ClinicRegister) -> anyhow::Result<ClinicRegister> {
    let mut r = base.clone();
    let template = r
        .clinic("astana-polyclinic-1")
        .ok_or_else(|| anyhow::anyhow!("astana-polyclinic-1 missing"))?
        .clone();
    let hours: BTreeMap<String, String> = ["mon", "tue", "wed", "thu", "fri", "sat"]
        .iter()
        .map(|d| (d.to_string(), "08:00-20:00".to_string()))
        .collect();
    r.clinics.push(Clinic {
        code: CLINIC.into(),
        hours: hours.clone(),
        territory: vec![Territory {
            street: "Bench".into(),
            district: "1".into(),
        }],
        ..template
    });
    for i in 0..DOCTORS {
        let spans = if i % 2 == 0 {
            vec!["08:00-12:00".to_string(), "13:00-17:00".to_string()]
        } else {
            vec!["12:00-16:00".to_string(), "16:30-20:00".to_string()]
        };
        r.doctors.push(Doctor {
            code: format!("bench-doctor-{i:02}"),
            clinic: CLINIC.into(),
            full_name: format!("Doctor {i:02}"),
            specialty: "therapist".into(),
            district: Some(format!("{}", i % 10 + 1)),
            slot_minutes: 15,
            cabinet: None,
            week: hours.keys().map(|d| (d.clone(), spans.clone())).collect(),
            absences: Vec::new(),
        });
    }
    Ok(r)
}

/// One request row that the bench bookings belong to.
fn holder(app: &App) -> anyhow::Result<RequestId> {
    let now = app.now();
    let user = app
        .store
        .read(|c| queries::user_by_login(c, "aigerim"))?
        .ok_or_else(|| anyhow::anyhow!("demo user aigerim missing"))?;
    let user = CurrentUser::try_from(user)?;
    let row = app.store.create_request("request:BENCH:0", |seq| {
        let row = RequestRow {
            id: RequestId::generate(),
            number: format!("BENCH-{seq:06}"),
            service_code: "doctor-appointment".into(),
            service_version: 1,
            variant: "standard".into(),
            channel: crate::domain::channels::ChannelCode::Portal,
            state: State::Submitted,
            applicant_kind: crate::domain::catalog::ApplicantKind::Person,
            applicant_iin: user.iin.clone(),
            applicant_bin: None,
            applicant_name: user.full_name.clone(),
            owner_user_id: Some(user.id.clone()),
            created_by: user.id.clone(),
            form_json: "{}".into(),
            fee_tiyn: 0,
            registered_at: None,
            due_at: None,
            extended: false,
            version: 1,
            created_at: now.naive_utc(),
            updated_at: now.naive_utc(),
            provider_code: CLINIC.into(),
            intake_office: None,
        };
        let first: HistoryRow = crate::app::engine::history_row(
            &row,
            1,
            now,
            Some(&user),
            crate::app::engine::Entry {
                action: "create",
                from: None,
                to: State::Draft,
                reason: None,
                requirements: &[],
                data: None,
            },
        );
        Ok((row, first))
    })?;
    Ok(row.id)
}

pub fn run(database_url: Option<String>, searches: usize) -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let config = Config::for_dir(work.path(), database_url);
    let mut app = App::build(config)?;
    app.clinics = Arc::new(register_with_bench_clinic(&app.clinics)?);
    let query = SlotQuery {
        doctor: None,
        from: None,
        days: Some(DAYS),
    };
    // Book every third free slot of the fortnight.
    let free = free_slots(&app, CLINIC, &query)?;
    let request = holder(&app)?;
    let now = app.now().naive_utc();
    let booked: Vec<BookingRow> = free
        .slots
        .iter()
        .step_by(3)
        .map(|s| BookingRow {
            id: uuid::Uuid::now_v7().to_string(),
            request_id: request.clone(),
            clinic_code: CLINIC.into(),
            doctor_code: s.doctor.clone(),
            start_at: s.start.naive_utc(),
            end_at: s.end.naive_utc(),
            created_at: now,
            cancelled_at: None,
            cancelled_by: None,
        })
        .collect();
    app.store.write(|c| {
        for b in &booked {
            queries::insert_booking(c, b)?;
        }
        Ok(())
    })?;
    // Warm up, then measure.
    for _ in 0..10 {
        free_slots(&app, CLINIC, &query)?;
    }
    let mut ms = Vec::with_capacity(searches);
    let mut found = 0;
    let start = Instant::now();
    for _ in 0..searches {
        let t = Instant::now();
        found = free_slots(&app, CLINIC, &query)?.slots.len();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let elapsed = start.elapsed();
    // The share of the bookings query in one search.
    let codes: Vec<String> = app
        .clinics
        .doctors_of(CLINIC)
        .map(|d| d.code.clone())
        .collect();
    let today = app.now().date_naive();
    let mut q_ms = Vec::with_capacity(50);
    for _ in 0..50 {
        let t = Instant::now();
        crate::app::clinics::booked(&app, &codes, today, DAYS)?;
        q_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    q_ms.sort_by(f64::total_cmp);
    ms.sort_by(f64::total_cmp);
    let backend =
        format!("{:?}", crate::db::Backend::of_url(&app.config.database_url)).to_lowercase();
    println!(
        "bench slots backend={backend}: free-slot search, {DOCTORS} doctors × {DAYS} days, {} slots booked, {found} free per answer",
        booked.len()
    );
    println!(
        "  {searches} searches in {:.2}s: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target p99 < 10 ms)",
        elapsed.as_secs_f64(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(0.0),
    );
    println!(
        "  of which the bookings query: p50 {:.2} ms",
        percentile(&q_ms, 0.5)
    );
    Ok(())
}
