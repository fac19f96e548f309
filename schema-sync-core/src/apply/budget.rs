//! Lock budgets: how long a live migration may wait for a table lock, how long a statement may
//! run, and how often a transaction that ran out of lock budget is retried.
//!
//! The outage this prevents: an `ALTER TABLE` waits for `ACCESS EXCLUSIVE` behind one long
//! transaction, and every query on the table queues behind the `ALTER`. Under a budget the
//! `ALTER` gives up after `lock_timeout` (Postgres `55P03`), the whole transaction rolls back —
//! holding nothing while it waits — and is tried again after a backoff with jitter; when the
//! retries are spent the run stops with nothing changed and names the sessions that held the
//! locks.

use crate::plan::{Plan, StepLock};
use std::time::Duration;

/// The budget of a live apply (Postgres; SQLite has its busy timeout instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockBudget {
    /// Longest wait for any lock, per statement (`SET LOCAL lock_timeout`). `None`: wait
    /// forever (the plain behaviour). Default 3 s.
    pub lock_timeout: Option<Duration>,
    /// Longest run of any statement (`SET LOCAL statement_timeout`; zero: no limit). `None`:
    /// derived per step from the sizes of the tables it scans or rewrites
    /// ([`LockBudget::statement_timeout_for`]).
    pub statement_timeout: Option<Duration>,
    /// Attempts after the first when a lock is not available. Default 5.
    pub retries: u32,
    /// First pause between attempts; doubled each time (up to 30 s), with ±50 % jitter.
    /// Default 1 s.
    pub backoff: Duration,
}

impl Default for LockBudget {
    fn default() -> Self {
        LockBudget {
            lock_timeout: Some(Duration::from_secs(3)),
            statement_timeout: None,
            retries: 5,
            backoff: Duration::from_secs(1),
        }
    }
}

/// The limits one step runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StepLimits {
    /// `lock_timeout` (`None`: no limit).
    pub lock_timeout: Option<Duration>,
    /// `statement_timeout` (`None`: no limit).
    pub statement_timeout: Option<Duration>,
}

/// Assumed scan/rewrite speed for deriving statement timeouts: deliberately slow (a busy disk).
const BYTES_PER_SECOND: f64 = 20.0 * 1024.0 * 1024.0;
/// No derived statement timeout is shorter than this.
const MIN_STATEMENT_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest pause between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

impl LockBudget {
    /// No limits and no retries: the plain transactional behaviour (`--lock-timeout 0`).
    pub fn unlimited() -> Self {
        LockBudget { lock_timeout: None, statement_timeout: None, retries: 0, backoff: Duration::ZERO }
    }

    /// The limits for the whole transaction (before any step: setting views aside, reading).
    pub fn transaction_limits(&self) -> StepLimits {
        StepLimits { lock_timeout: self.lock_timeout, statement_timeout: self.statement_timeout }
    }

    /// The limits of step `i` of `plan`: the lock timeout, and the statement timeout given or
    /// derived from the step's estimate — ten times the time a scan or rewrite of its tables
    /// takes at 20 MB/s, at least a minute; no limit when a size is unknown.
    pub fn limits_for(&self, plan: &Plan, i: usize) -> StepLimits {
        let statement_timeout = self.statement_timeout.or_else(|| self.statement_timeout_for(plan.locks_of(i)));
        StepLimits { lock_timeout: self.lock_timeout, statement_timeout }
    }

    /// The derived statement timeout of a step with these locks (see [`LockBudget::limits_for`]).
    pub fn statement_timeout_for<'a>(&self, locks: impl Iterator<Item = &'a StepLock>) -> Option<Duration> {
        let mut bytes = 0i64;
        for l in locks.filter(|l| !l.is_brief() && !l.new_table) {
            bytes += l.size?.bytes;
        }
        let estimate = Duration::from_secs_f64(bytes.max(0) as f64 / BYTES_PER_SECOND);
        Some((estimate * 10).max(MIN_STATEMENT_TIMEOUT))
    }

    /// The pause before attempt `attempt` (1 = the first retry): the backoff doubled per
    /// attempt, capped at 30 s, times a jitter factor in [0.5, 1.5) from `seed`.
    pub fn pause(&self, attempt: u32, seed: u64) -> Duration {
        let base = self.backoff.saturating_mul(1u32 << attempt.saturating_sub(1).min(16)).min(MAX_BACKOFF);
        // splitmix64: a well-spread fraction from any seed.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let jitter = 0.5 + (z >> 11) as f64 / (1u64 << 53) as f64;
        base.mul_f64(jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{LockMode, TableSize};

    #[test]
    fn pauses_double_with_jitter_and_stay_capped() {
        let b = LockBudget::default();
        for seed in 0..200u64 {
            let p1 = b.pause(1, seed);
            assert!(p1 >= Duration::from_millis(500) && p1 < Duration::from_millis(1500), "{p1:?}");
            let p3 = b.pause(3, seed);
            assert!(p3 >= Duration::from_secs(2) && p3 < Duration::from_secs(6), "{p3:?}");
            assert!(b.pause(30, seed) < Duration::from_secs(45));
        }
        assert_ne!(b.pause(2, 1), b.pause(2, 2), "jitter spreads retries of parallel runs");
    }

    #[test]
    fn statement_timeouts_follow_the_size_of_what_is_scanned() {
        let b = LockBudget::default();
        let lock = |bytes: Option<i64>, scans: bool| StepLock {
            step: 0,
            table: crate::model::TableRef { schema: None, name: "t".into() },
            mode: LockMode::AccessExclusive,
            rewrites: false,
            scans,
            new_table: false,
            size: bytes.map(|bytes| TableSize { rows: 0, bytes }),
        };
        // Small tables get the floor; 10 GB at 20 MB/s × 10 is 5,120 s.
        assert_eq!(b.statement_timeout_for([lock(Some(1 << 20), true)].iter()), Some(MIN_STATEMENT_TIMEOUT));
        assert_eq!(b.statement_timeout_for([lock(Some(10 << 30), true)].iter()), Some(Duration::from_secs(5120)));
        assert_eq!(b.statement_timeout_for([lock(None, true)].iter()), None, "unknown size: no limit");
        assert_eq!(b.statement_timeout_for([lock(None, false)].iter()), Some(MIN_STATEMENT_TIMEOUT), "a brief step");
    }
}
