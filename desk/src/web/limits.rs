//! The limits on submissions (issue 16: per address *and* per unit), kept in memory with
//! `governor`'s keyed token buckets:
//! - every public POST and every login, per address (an IPv6 address counts by its /64, the block
//!   one household or phone is given; an IPv4-mapped IPv6 address as its IPv4 address);
//! - applications to one unit and questionnaires to one unit, per unit, whichever address they come
//!   from (a flood from many addresses cannot fill one unit's register; questionnaires and
//!   applications have separate buckets, so a flood of the one does not stop the other);
//! - questionnaires of one campaign to one unit from one address: a few, then one a day (ballot
//!   stuffing), checked by the handler once it knows the campaign.
//!
//! The buckets of addresses not seen for a while are forgotten: at most once a minute, on a
//! request, the buckets that are full again are dropped (`retain_recent`), so the memory follows
//! the recent addresses, not every address ever seen. Restarting the desk forgets every bucket.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use governor::{DefaultKeyedRateLimiter, Quota};

use super::page;

/// How submissions are limited.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// One more submission from an address allowed every this many milliseconds…
    pub every_ms: u64,
    /// …after a burst of this many; 0: no limit at all, of any kind (tests, benchmarks).
    pub burst: u32,
    /// One more application (or questionnaire) to a unit every this many milliseconds…
    pub unit_every_ms: u64,
    /// …after a burst of this many.
    pub unit_burst: u32,
    /// Questionnaires of one campaign to one unit from one address, then one a day.
    pub ballots: u32,
    /// The desk is behind a reverse proxy that sets `X-Forwarded-For` to the client's address
    /// (and drops the client's own): limit by that header, not by the proxy's address.
    pub behind_proxy: bool,
}

impl Limits {
    /// No limit at all (tests, benchmarks).
    pub const OPEN: Limits =
        Limits { every_ms: 1, burst: 0, unit_every_ms: 1, unit_burst: 0, ballots: 0, behind_proxy: false };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { every_ms: 6_000, burst: 10, unit_every_ms: 500, unit_burst: 120, ballots: 5, behind_proxy: false }
    }
}

/// How often the buckets of quiet addresses are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// A ballot more per address, campaign and unit after this long.
const BALLOT_PERIOD: Duration = Duration::from_secs(24 * 3600);

fn bucket<K: std::hash::Hash + Eq + Clone>(every: Duration, burst: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    let burst = NonZeroU32::new(burst)?;
    let quota = Quota::with_period(every.max(Duration::from_millis(1)))?.allow_burst(burst);
    Some(DefaultKeyedRateLimiter::keyed(quota))
}

/// The buckets.
pub struct Guard {
    public: Option<DefaultKeyedRateLimiter<IpAddr>>,
    login: Option<DefaultKeyedRateLimiter<IpAddr>>,
    unit: Option<DefaultKeyedRateLimiter<(&'static str, String)>>,
    ballots: Option<DefaultKeyedRateLimiter<(String, String, IpAddr)>>,
    behind_proxy: bool,
    swept: Mutex<Instant>,
    /// Wrong passwords per account name (always on, whatever the limits).
    pub(crate) accounts: super::backoff::Backoff,
}

/// The client's address as the limits count it (its /64 for IPv6), put into each request by the
/// middleware for the handlers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client(pub IpAddr);

/// The address a limit counts: IPv4 as it is, an IPv4-mapped IPv6 address as IPv4, other IPv6
/// addresses by their /64 network.
pub fn counted(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

impl Guard {
    /// The buckets for these limits (none when `burst` is 0).
    pub fn new(l: Limits) -> Guard {
        let off = l.burst == 0;
        let every = Duration::from_millis(l.every_ms);
        Guard {
            public: if off { None } else { bucket(every, l.burst) },
            login: if off { None } else { bucket(every, l.burst) },
            unit: if off { None } else { bucket(Duration::from_millis(l.unit_every_ms), l.unit_burst) },
            ballots: if off { None } else { bucket(BALLOT_PERIOD, l.ballots) },
            behind_proxy: l.behind_proxy,
            swept: Mutex::new(Instant::now()),
            accounts: super::backoff::Backoff::default(),
        }
    }

    /// The client's address: the connection's, or behind a proxy the last address of
    /// `X-Forwarded-For` (the one the proxy wrote).
    fn client(&self, req: &Request) -> Option<IpAddr> {
        if self.behind_proxy {
            let forwarded = req
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back();
            if forwarded.is_some() {
                return forwarded;
            }
        }
        req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
    }

    /// A questionnaire of `campaign` to `unit` from `client` may be stored.
    pub fn ballot(&self, campaign: &str, unit: &str, client: Option<Client>) -> bool {
        match (&self.ballots, client) {
            (Some(b), Some(Client(ip))) => b.check_key(&(campaign.to_owned(), unit.to_owned(), ip)).is_ok(),
            _ => true,
        }
    }

    /// How many addresses, units and ballots the buckets hold now.
    pub fn tracked(&self) -> usize {
        self.public.as_ref().map_or(0, |b| b.len())
            + self.login.as_ref().map_or(0, |b| b.len())
            + self.unit.as_ref().map_or(0, |b| b.len())
            + self.ballots.as_ref().map_or(0, |b| b.len())
    }

    /// Drops the buckets that are full again (nothing left to remember).
    pub fn sweep(&self) {
        if let Some(b) = &self.public {
            b.retain_recent();
            b.shrink_to_fit();
        }
        if let Some(b) = &self.login {
            b.retain_recent();
            b.shrink_to_fit();
        }
        if let Some(b) = &self.unit {
            b.retain_recent();
            b.shrink_to_fit();
        }
        if let Some(b) = &self.ballots {
            b.retain_recent();
            b.shrink_to_fit();
        }
    }

    fn maybe_sweep(&self) {
        let due = {
            let mut last = self.swept.lock().unwrap_or_else(|p| p.into_inner());
            let due = last.elapsed() >= SWEEP_EVERY;
            if due {
                *last = Instant::now();
            }
            due
        };
        if due {
            self.sweep();
        }
    }
}

/// The unit and the kind of submission a public address names (`/u/<unit>/apply`).
fn unit_of(path: &str) -> Option<(&'static str, &str)> {
    let mut parts = path.trim_start_matches('/').split('/');
    if parts.next()? != "u" {
        return None;
    }
    let unit = parts.next()?;
    let kind = match parts.next()? {
        "apply" => "apply",
        "evaluate" => "evaluate",
        _ => return None,
    };
    Some((kind, unit))
}

fn too_many(depth: usize, title: &str, text: &str) -> Response {
    page::message(StatusCode::TOO_MANY_REQUESTS, title, depth, text)
}

/// The public POSTs: per address, then per unit; the client's address for the handlers.
pub async fn public(State(guard): State<Arc<Guard>>, mut req: Request, next: Next) -> Response {
    let ip = guard.client(&req).map(counted);
    if let Some(ip) = ip {
        req.extensions_mut().insert(Client(ip));
    }
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    guard.maybe_sweep();
    let path = req.uri().path().to_owned();
    let depth = if unit_of(&path).is_some() { 2 } else { 0 };
    if let (Some(b), Some(ip)) = (&guard.public, ip)
        && b.check_key(&ip).is_err()
    {
        return too_many(
            depth,
            "提交过于频繁",
            "同一地址短时间内提交次数过多，请稍后再试。已经提交成功的申请不受影响。",
        );
    }
    if let (Some(b), Some((kind, unit))) = (&guard.unit, unit_of(&path))
        && b.check_key(&(kind, unit.to_owned())).is_err()
    {
        return too_many(
            depth,
            "提交过于频繁",
            "这个单位短时间内收到的提交太多，本平台暂停受理几分钟，请稍后再试。已经提交成功的不受影响。",
        );
    }
    next.run(req).await
}

/// The login POSTs, per address.
pub async fn login(State(guard): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    if req.method() == Method::POST {
        guard.maybe_sweep();
        if let (Some(b), Some(ip)) = (&guard.login, guard.client(&req).map(counted))
            && b.check_key(&ip).is_err()
        {
            return too_many(1, "登录过于频繁", "短时间内登录次数过多，请稍后再试。");
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_address_counts_by_its_64_and_a_mapped_one_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(counted(a), counted(b));
        assert_eq!(counted(a), "2001:db8:1:2::".parse::<IpAddr>().unwrap());
        assert_ne!(counted(a), counted(c));
        assert_eq!(counted("::ffff:198.51.100.7".parse().unwrap()), "198.51.100.7".parse::<IpAddr>().unwrap());
        assert_eq!(counted("198.51.100.7".parse().unwrap()), "198.51.100.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn a_unit_is_read_from_the_public_addresses() {
        assert_eq!(unit_of("/u/qingyuan-water/apply"), Some(("apply", "qingyuan-water")));
        assert_eq!(unit_of("/u/qingyuan-water/evaluate"), Some(("evaluate", "qingyuan-water")));
        assert_eq!(unit_of("/lookup"), None);
        assert_eq!(unit_of("/u/qingyuan-water/other"), None);
    }

    #[test]
    fn quiet_addresses_are_forgotten() {
        let g = Guard::new(Limits { every_ms: 1, burst: 1, unit_every_ms: 1, unit_burst: 1, ..Limits::default() });
        let b = g.public.as_ref().unwrap();
        for n in 0..100u8 {
            assert!(b.check_key(&IpAddr::from([198, 51, 100, n])).is_ok());
        }
        assert_eq!(g.tracked(), 100);
        // one millisecond refills a bucket of one: every bucket is full again after this
        std::thread::sleep(Duration::from_millis(20));
        g.sweep();
        assert_eq!(g.tracked(), 0);
    }

    #[test]
    fn no_limit_of_any_kind_when_the_burst_is_zero() {
        let g = Guard::new(Limits::OPEN);
        assert!(g.public.is_none() && g.login.is_none() && g.unit.is_none() && g.ballots.is_none());
        assert!((0..10).all(|_| g.ballot("2026", "u", Some(Client(IpAddr::from([1, 2, 3, 4]))))));
    }
}
