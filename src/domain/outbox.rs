//! The e-mail outbox's rules (docs/mail.md): a message's states, when a failed one is tried
//! again, and when it is given up. No I/O here; `app::outbox` applies them.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// Where a message stands. Stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum OutboxStatus {
    /// Waiting to be sent (or to be tried again at `next_attempt_at`).
    Pending,
    /// Accepted by the SMTP server (or written to the mail folder); final.
    Sent,
    /// Given up after [`RetryPolicy::max_attempts`] failures; an administrator may re-queue.
    Dead,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 3] = [
        OutboxStatus::Pending,
        OutboxStatus::Sent,
        OutboxStatus::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Dead => "dead",
        }
    }
}

impl std::fmt::Display for OutboxStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for OutboxStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OutboxStatus::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("unknown outbox status `{s}`"))
    }
}

/// When a failed message is tried again: `first` after the first failure, doubling each
/// time up to `max`; after `max_attempts` failures it is dead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub first: Duration,
    pub max: Duration,
    pub max_attempts: i32,
}

impl Default for RetryPolicy {
    /// 30 s, 1 min, 2 min, … capped at 1 h; dead after 10 failures (about 4 h 45 min).
    fn default() -> Self {
        RetryPolicy {
            first: Duration::seconds(30),
            max: Duration::hours(1),
            max_attempts: 10,
        }
    }
}

/// What happens to a message after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    Dead,
}

impl RetryPolicy {
    /// The wait after `failures` failed attempts (1 = the first failure).
    pub fn delay(&self, failures: i32) -> Duration {
        let doublings = failures.saturating_sub(1).clamp(0, 30) as u32;
        let ms = self
            .first
            .num_milliseconds()
            .saturating_mul(1i64 << doublings);
        Duration::milliseconds(ms).min(self.max)
    }

    /// The message's fate at `now`, after its `failures`-th failure.
    pub fn after_failure(&self, failures: i32, now: DateTime<Utc>) -> AfterFailure {
        if failures >= self.max_attempts {
            AfterFailure::Dead
        } else {
            AfterFailure::RetryAt(now + self.delay(failures))
        }
    }
}

/// How long a worker holds the messages it took before another may take them: longer than
/// one SMTP exchange with its timeout, so a live worker never loses its lease.
pub const LEASE: Duration = Duration::seconds(120);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn statuses_round_trip() {
        for s in OutboxStatus::ALL {
            assert_eq!(s.as_str().parse::<OutboxStatus>(), Ok(s));
        }
        assert!("sending".parse::<OutboxStatus>().is_err());
    }

    #[test]
    fn the_default_waits_double_to_an_hour_and_gives_up_after_ten() {
        let p = RetryPolicy::default();
        let secs: Vec<i64> = (1..=9).map(|f| p.delay(f).num_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        let now = Utc::now();
        assert_eq!(
            p.after_failure(9, now),
            AfterFailure::RetryAt(now + Duration::hours(1))
        );
        assert_eq!(p.after_failure(10, now), AfterFailure::Dead);
    }

    proptest! {
        #[test]
        fn delays_grow_never_shrink_and_stay_within_bounds(
            first_ms in 1i64..600_000, max_ms in 1i64..86_400_000, failures in 1i32..200,
        ) {
            let p = RetryPolicy {
                first: Duration::milliseconds(first_ms),
                max: Duration::milliseconds(max_ms),
                max_attempts: 1000,
            };
            let d = p.delay(failures);
            prop_assert!(d <= p.max);
            prop_assert!(d >= p.first.min(p.max));
            prop_assert!(p.delay(failures + 1) >= d);
        }
    }
}
