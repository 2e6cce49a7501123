//! Free appointment slots (R-002-12: "choose a free time of the doctor according to the
//! doctors' appointment schedule"; G-06): a doctor's weekly spans cut into slots of their
//! length, inside the clinic's hours, minus absences, bookings and the past.

use crate::domain::clinics::{Clinic, Doctor};
use chrono::{DateTime, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// A bookable time, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Slot {
    pub fn overlaps(&self, other: &Slot) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The most days one search covers.
pub const MAX_DAYS: u32 = 31;

/// Every slot of `doctor` on the `days` days from `from` (the clinic's local dates) that
/// starts after `now`, lies inside the doctor's spans and the clinic's hours, on a day the
/// doctor is not absent and that is not a public holiday (`holiday`, A-16), and overlaps
/// none of `booked`.
#[allow(clippy::too_many_arguments)]
pub fn free_slots(
    clinic: &Clinic,
    doctor: &Doctor,
    tz: Tz,
    from: NaiveDate,
    days: u32,
    now: DateTime<Utc>,
    booked: &[Slot],
    holiday: &dyn Fn(NaiveDate) -> bool,
) -> Vec<Slot> {
    let mut out = Vec::new();
    let len = Duration::minutes(i64::from(doctor.slot_minutes));
    // Bookings by start, so each slot looks only at the few that could overlap it.
    let mut booked: Vec<Slot> = booked.to_vec();
    booked.sort();
    let longest = booked
        .iter()
        .map(|b| b.end - b.start)
        .max()
        .unwrap_or_else(Duration::zero);
    let taken = |s: &Slot| {
        let upto = booked.partition_point(|b| b.start < s.end);
        booked[..upto]
            .iter()
            .rev()
            .take_while(|b| b.start + longest > s.start)
            .any(|b| b.overlaps(s))
    };
    for day in from.iter_days().take(days.min(MAX_DAYS) as usize) {
        if doctor.absent_on(day) || holiday(day) {
            continue;
        }
        let weekday = chrono::Datelike::weekday(&day);
        let Some(open) = clinic.open_on(weekday) else {
            continue;
        };
        for span in doctor.spans_on(weekday) {
            // Inside the clinic's hours even if the register were edited inconsistently.
            let (start, end) = (span.start.max(open.start), span.end.min(open.end));
            // One zone lookup per span when the offset is the same at both ends (no clock
            // change inside it, as in Kazakhstan since 2024); else one per slot.
            let at = |t: chrono::NaiveTime| tz.from_local_datetime(&day.and_time(t)).single();
            if let (Some(a), Some(b)) = (at(start), at(end)) {
                if a.offset().fix() == b.offset().fix() && start < end {
                    let first = a.with_timezone(&Utc);
                    let count = (end - start).num_minutes() / len.num_minutes().max(1);
                    for k in 0..count {
                        let s0 = first + len * (k as i32);
                        let slot = Slot {
                            start: s0,
                            end: s0 + len,
                        };
                        if slot.start > now && !taken(&slot) {
                            out.push(slot);
                        }
                    }
                    continue;
                }
            }
            let mut t = start;
            while t + len <= end {
                let local = day.and_time(t);
                // A local time skipped by a clock change has no slot.
                if let Some(s) = tz.from_local_datetime(&local).earliest() {
                    let slot = Slot {
                        start: s.with_timezone(&Utc),
                        end: (s + len).with_timezone(&Utc),
                    };
                    if slot.start > now && !taken(&slot) {
                        out.push(slot);
                    }
                }
                let (next, wrapped) = t.overflowing_add_signed(len);
                if wrapped != 0 {
                    break;
                }
                t = next;
            }
        }
    }
    out
}

/// Whether `start` is the start of a free slot of `doctor` now (the check made when booking).
pub fn is_free(
    clinic: &Clinic,
    doctor: &Doctor,
    tz: Tz,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    booked: &[Slot],
    holiday: &dyn Fn(NaiveDate) -> bool,
) -> Option<Slot> {
    let day = start.with_timezone(&tz).date_naive();
    free_slots(clinic, doctor, tz, day, 1, now, booked, holiday)
        .into_iter()
        .find(|s| s.start == start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::Text;
    use crate::domain::clinics::{Absence, Span, WEEKDAYS};
    use chrono::Datelike;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn text() -> Text {
        Text {
            ru: "т".into(),
            kk: "т".into(),
            en: "t".into(),
        }
    }

    fn hhmm(m: u32) -> String {
        format!("{:02}:{:02}", m / 60, m % 60)
    }

    fn clinic(hours: &[(usize, u32, u32)]) -> Clinic {
        Clinic {
            code: "c".into(),
            region: "r".into(),
            name: text(),
            address: text(),
            hours: hours
                .iter()
                .map(|(d, a, b)| {
                    (
                        WEEKDAYS[*d].0.to_string(),
                        format!("{}-{}", hhmm(*a), hhmm(*b)),
                    )
                })
                .collect(),
            territory: vec![],
        }
    }

    fn doctor(slot: u32, week: BTreeMap<String, Vec<String>>, absences: Vec<Absence>) -> Doctor {
        Doctor {
            code: "d".into(),
            clinic: "c".into(),
            full_name: "D".into(),
            specialty: "gp".into(),
            district: None,
            slot_minutes: slot,
            cabinet: None,
            week,
            absences,
        }
    }

    fn none(_: NaiveDate) -> bool {
        false
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn a_day_of_slots() {
        // Monday 7 December 2026, Astana (UTC+5): 08:00-12:00 and 13:00-14:00 in 20 minutes.
        let c = clinic(&[(0, 8 * 60, 20 * 60)]);
        let week = BTreeMap::from([(
            "mon".to_string(),
            vec!["08:00-12:00".to_string(), "13:00-14:00".to_string()],
        )]);
        let doc = doctor(20, week, vec![]);
        let tz = chrono_tz::Asia::Almaty;
        let now = Utc
            .with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let slots = free_slots(&c, &doc, tz, d(2026, 12, 7), 1, now, &[], &none);
        assert_eq!(slots.len(), 12 + 3);
        assert_eq!(
            slots[0].start,
            Utc.with_ymd_and_hms(2026, 12, 7, 3, 0, 0)
                .single()
                .unwrap_or_default()
        );
        // The break is not bookable.
        assert!(slots
            .iter()
            .all(|s| s.start.with_timezone(&tz).hour() != 12));
        // A booking takes its slot away; the past has none.
        let booked = [slots[1]];
        let after = free_slots(&c, &doc, tz, d(2026, 12, 7), 1, now, &booked, &none);
        assert_eq!(after.len(), 14);
        assert!(!after.contains(&slots[1]));
        let later = slots[5].start;
        assert!(
            free_slots(&c, &doc, tz, d(2026, 12, 7), 1, later, &[], &none)
                .iter()
                .all(|s| s.start > later)
        );
        assert_eq!(
            is_free(&c, &doc, tz, slots[2].start, now, &booked, &none),
            Some(slots[2])
        );
        assert_eq!(
            is_free(&c, &doc, tz, slots[1].start, now, &booked, &none),
            None
        );
        assert_eq!(
            is_free(
                &c,
                &doc,
                tz,
                slots[2].start + Duration::minutes(5),
                now,
                &[],
                &none
            ),
            None
        );
        // Absent that day: nothing. The next Monday: the same number again.
        let away = doctor(
            20,
            doc.week.clone(),
            vec![Absence {
                from: d(2026, 12, 7),
                to: d(2026, 12, 7),
                reason: None,
            }],
        );
        assert!(free_slots(&c, &away, tz, d(2026, 12, 7), 1, now, &[], &none).is_empty());
        assert_eq!(
            free_slots(&c, &away, tz, d(2026, 12, 7), 8, now, &[], &none).len(),
            15
        );
        // A public holiday has no slots (A-16): 16 December.
        let mut wed = BTreeMap::new();
        wed.insert("wed".to_string(), vec!["08:00-12:00".to_string()]);
        let c = clinic(&[(2, 8 * 60, 20 * 60)]);
        let doc = doctor(20, wed, vec![]);
        let holiday = |day: NaiveDate| day == d(2026, 12, 16);
        assert!(free_slots(&c, &doc, tz, d(2026, 12, 16), 1, now, &[], &holiday).is_empty());
        assert_eq!(
            free_slots(&c, &doc, tz, d(2026, 12, 16), 8, now, &[], &holiday).len(),
            12
        );
    }

    use chrono::Timelike;

    fn arb_spans() -> impl Strategy<Value = Vec<(u32, u32)>> {
        // Up to three spans per day, as minute ranges in 06:00-22:00.
        proptest::collection::vec((360u32..1300, 10u32..300), 0..3).prop_map(|v| {
            let mut spans: Vec<(u32, u32)> = v
                .into_iter()
                .map(|(a, l)| (a, (a + l).min(1320)))
                .filter(|(a, b)| a < b)
                .collect();
            spans.sort();
            let mut out: Vec<(u32, u32)> = Vec::new();
            for (a, b) in spans {
                match out.last_mut() {
                    Some(last) if a <= last.1 => last.1 = last.1.max(b),
                    _ => out.push((a, b)),
                }
            }
            out
        })
    }

    proptest! {
        /// Generated free slots never overlap a booking, a break, an absence or closed hours,
        /// never start in the past, and never overlap each other.
        #[test]
        fn free_slots_respect_every_constraint(
            week in proptest::collection::vec(arb_spans(), 7),
            hours in proptest::collection::vec(proptest::option::of((360u32..900, 60u32..720)), 7),
            slot in prop_oneof![Just(10u32), Just(15), Just(20), Just(30), Just(45)],
            absent in proptest::option::of((0u32..14, 0u32..5)),
            bookings in proptest::collection::vec((0i64..14 * 24 * 60, 5i64..90), 0..20),
            now_off in 0i64..10 * 24 * 60,
        ) {
            let from = d(2026, 12, 7);
            let c = clinic(&hours.iter().enumerate().filter_map(|(i, h)| h.map(|(a, l)| (i, a, (a + l).min(1439)))).collect::<Vec<_>>());
            let week: BTreeMap<String, Vec<String>> = week.iter().enumerate().map(|(i, spans)| {
                (WEEKDAYS[i].0.to_string(), spans.iter().map(|(a, b)| format!("{}-{}", hhmm(*a), hhmm(*b))).collect())
            }).collect();
            let absences: Vec<Absence> = absent.map(|(s, l)| Absence {
                from: from + Duration::days(i64::from(s)),
                to: from + Duration::days(i64::from(s + l)),
                reason: None,
            }).into_iter().collect();
            let doc = doctor(slot, week, absences);
            let tz = chrono_tz::Asia::Almaty;
            let base = tz.from_local_datetime(&from.and_hms_opt(0, 0, 0).unwrap_or_default()).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or_default();
            let booked: Vec<Slot> = bookings.iter().map(|(m, l)| Slot { start: base + Duration::minutes(*m), end: base + Duration::minutes(m + l) }).collect();
            let now = base + Duration::minutes(now_off);
            let slots = free_slots(&c, &doc, tz, from, 14, now, &booked, &none);
            for (i, s) in slots.iter().enumerate() {
                prop_assert!(s.start > now);
                prop_assert_eq!(s.end - s.start, Duration::minutes(i64::from(slot)));
                prop_assert!(!booked.iter().any(|b| b.overlaps(s)));
                let (ls, le) = (s.start.with_timezone(&tz), s.end.with_timezone(&tz));
                let day = ls.date_naive();
                prop_assert!(!doc.absent_on(day));
                let span = Span { start: ls.time(), end: le.time() };
                let open = c.open_on(day.weekday());
                prop_assert!(open.is_some_and(|o| o.contains(&span)), "closed hours");
                prop_assert!(doc.spans_on(day.weekday()).iter().any(|w| w.contains(&span)), "outside the schedule");
                if let Some(next) = slots.get(i + 1) {
                    prop_assert!(!s.overlaps(next) && s.start < next.start);
                }
            }
        }
    }
}
