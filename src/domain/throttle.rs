//! Login throttling: after a few free failures each further failure blocks the key (an
//! account or an address) for a delay that doubles, up to a cap; failures older than the
//! window are forgotten. Pure arithmetic; the counts live in the database (`login_throttle`)
//! so every instance applies the same limits.

use chrono::{Duration, NaiveDateTime};

/// Limits for one kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failures allowed before the first block.
    pub free: i64,
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// The longest block.
    pub max_delay: Duration,
}

/// Per account: 5 free tries, then 1 s, 2 s, 4 s, … up to 15 minutes.
pub const ACCOUNT: Limits = Limits {
    free: 5,
    window: Duration::minutes(15),
    max_delay: Duration::minutes(15),
};

/// Per address: more generous (an office behind one NAT), same growth.
pub const ADDRESS: Limits = Limits {
    free: 30,
    window: Duration::minutes(15),
    max_delay: Duration::minutes(15),
};

/// A key's record after one more failure at `now`: (failures, blocked until).
pub fn after_failure(
    limits: Limits,
    previous: Option<(i64, NaiveDateTime)>,
    now: NaiveDateTime,
) -> (i64, Option<NaiveDateTime>) {
    let failures = match previous {
        Some((n, last)) if now - last < limits.window => n.saturating_add(1),
        _ => 1,
    };
    let over = failures - limits.free;
    if over <= 0 {
        return (failures, None);
    }
    let secs = 1i64
        .checked_shl(u32::try_from(over - 1).unwrap_or(u32::MAX).min(62))
        .unwrap_or(i64::MAX)
        .min(limits.max_delay.num_seconds());
    (failures, Some(now + Duration::seconds(secs)))
}

/// Whole seconds until `blocked_until` (rounded up), if it is still ahead of `now`.
pub fn retry_after(blocked_until: Option<NaiveDateTime>, now: NaiveDateTime) -> Option<u64> {
    let until = blocked_until?;
    let ms = (until - now).num_milliseconds();
    (ms > 0).then(|| u64::try_from((ms + 999) / 1000).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + s, 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default()
    }

    #[test]
    fn free_tries_then_doubling_delays_up_to_the_cap() {
        let mut rec = None;
        let mut delays = Vec::new();
        for i in 0..20 {
            let now = t(i);
            let (n, until) = after_failure(ACCOUNT, rec, now);
            delays.push(until.map(|u| (u - now).num_seconds()).unwrap_or(0));
            rec = Some((n, now));
        }
        // Five free failures; the sixth blocks for 1 s, then 2 s, 4 s, …
        assert_eq!(delays[..12], [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(delays[19], 900);
    }

    #[test]
    fn old_failures_are_forgotten() {
        let (n, until) = after_failure(ACCOUNT, Some((40, t(0))), t(16 * 60));
        assert_eq!((n, until), (1, None));
        assert_eq!(retry_after(Some(t(10)), t(4)), Some(6));
        assert_eq!(retry_after(Some(t(10)), t(10)), None);
        assert_eq!(retry_after(None, t(10)), None);
        let almost = t(10) - Duration::milliseconds(1);
        assert_eq!(retry_after(Some(t(12)), almost), Some(3));
    }

    proptest! {
        #[test]
        fn the_delay_never_shrinks_within_the_window_and_never_exceeds_the_cap(
            n in 0i64..10_000, gap in 0i64..899
        ) {
            let now = t(1000);
            let (a, ua) = after_failure(ACCOUNT, Some((n, now - Duration::seconds(gap))), now);
            let (_, ub) = after_failure(ACCOUNT, Some((a, now)), now);
            let d = |u: Option<NaiveDateTime>| u.map(|u| (u - now).num_seconds()).unwrap_or(0);
            prop_assert!(d(ub) >= d(ua));
            prop_assert!(d(ub) <= 900);
        }
    }
}
