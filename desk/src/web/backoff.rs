//! Per-account login back-off: after [`FREE_FAILURES`] wrong passwords in a row for one account
//! name, that name may not try again for 30 s, doubling with each further failure up to an hour;
//! a right password clears it. It holds against guessing one account's password from many
//! addresses (the per-address limit holds against one address). The names are kept in memory,
//! at most [`MAX_NAMES`] (unknown names count too, so the answer does not tell which accounts
//! exist); when full, the names no longer waiting are dropped first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong passwords in a row before the first wait.
pub const FREE_FAILURES: u32 = 5;
/// The first wait.
pub const FIRST_WAIT: Duration = Duration::from_secs(30);
/// The longest wait.
pub const LONGEST_WAIT: Duration = Duration::from_secs(3600);
/// The most names remembered.
pub const MAX_NAMES: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    until: Option<Instant>,
}

/// The failures of each account name.
#[derive(Debug, Default)]
pub struct Backoff {
    names: Mutex<HashMap<String, Failures>>,
}

/// The wait after `count` failures in a row.
pub fn wait_after(count: u32) -> Option<Duration> {
    let beyond = count.checked_sub(FREE_FAILURES)?;
    let wait = FIRST_WAIT.saturating_mul(2u32.saturating_pow(beyond.min(16)));
    Some(wait.min(LONGEST_WAIT))
}

impl Backoff {
    /// How long `name` must still wait at `now` (`None`: it may try).
    pub fn waiting(&self, name: &str, now: Instant) -> Option<Duration> {
        let names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        names.get(name).and_then(|f| f.until).and_then(|u| u.checked_duration_since(now)).filter(|d| !d.is_zero())
    }

    /// A wrong password for `name` at `now`.
    pub fn failed(&self, name: &str, now: Instant) {
        let mut names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        if names.len() >= MAX_NAMES && !names.contains_key(name) {
            names.retain(|_, f| f.until.is_some_and(|u| u > now));
            if names.len() >= MAX_NAMES {
                names.clear();
            }
        }
        let f = names.entry(name.to_owned()).or_insert(Failures { count: 0, until: None });
        f.count = f.count.saturating_add(1);
        f.until = wait_after(f.count).map(|w| now + w);
    }

    /// A right password for `name`.
    pub fn succeeded(&self, name: &str) {
        self.names.lock().unwrap_or_else(|p| p.into_inner()).remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_are_free_then_the_wait_doubles_up_to_an_hour() {
        assert_eq!(wait_after(4), None);
        assert_eq!(wait_after(5), Some(Duration::from_secs(30)));
        assert_eq!(wait_after(6), Some(Duration::from_secs(60)));
        assert_eq!(wait_after(12), Some(Duration::from_secs(3600)));
        assert_eq!(wait_after(u32::MAX), Some(Duration::from_secs(3600)));
        let b = Backoff::default();
        let t0 = Instant::now();
        for _ in 0..4 {
            b.failed("water", t0);
        }
        assert_eq!(b.waiting("water", t0), None);
        b.failed("water", t0);
        assert_eq!(b.waiting("water", t0), Some(Duration::from_secs(30)));
        assert_eq!(b.waiting("water", t0 + Duration::from_secs(31)), None);
        assert_eq!(b.waiting("hospital", t0), None);
        b.failed("water", t0 + Duration::from_secs(31));
        assert_eq!(b.waiting("water", t0 + Duration::from_secs(31)), Some(Duration::from_secs(60)));
        b.succeeded("water");
        assert_eq!(b.waiting("water", t0 + Duration::from_secs(31)), None);
    }

    #[test]
    fn the_names_remembered_are_bounded() {
        let b = Backoff::default();
        let t0 = Instant::now();
        for n in 0..MAX_NAMES + 10 {
            b.failed(&format!("n{n}"), t0);
        }
        assert!(b.names.lock().unwrap().len() <= MAX_NAMES);
    }
}
