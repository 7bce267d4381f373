//! `gongkai verify URL`: the published site read over plain HTTP GETs, bounded in count and time
//! (issue 14 part 5). The record is read from `/.well-known/gongkai/` through
//! [`Record::read_with`](crate::record::Record::read_with), then every file it lists is fetched by
//! a few connections and hashed. A commands-layer helper of `verify`: it knows URLs and bounds,
//! nothing of content.
//!
//! Bounds: a request budget, a timeout per request and one for the whole check, a largest body,
//! a few connections at once. A budget or time that runs out, or a file that could not be
//! fetched, leaves files unchecked: that is reported, and it is not a pass.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// How much a check over HTTP may ask of the site.
#[derive(Debug, Clone)]
pub struct Bounds {
    /// Requests in all (the record, the signatures, every file).
    pub max_requests: u64,
    /// One request, connection to last byte.
    pub timeout: Duration,
    /// The whole check.
    pub total: Duration,
    /// The largest body read, in bytes.
    pub max_body: u64,
    /// Requests at once.
    pub connections: usize,
}

impl Default for Bounds {
    /// Enough for a 10,000-unit portal (about 250,000 files) at a few connections.
    fn default() -> Bounds {
        Bounds {
            max_requests: 1_000_000,
            timeout: Duration::from_secs(30),
            total: Duration::from_secs(4 * 3600),
            max_body: 200 * 1024 * 1024,
            connections: 4,
        }
    }
}

/// What one GET gave.
#[derive(Debug, PartialEq)]
pub(crate) enum Got {
    /// 200, with the body.
    Body(Vec<u8>),
    /// 404 or 410: not on the site.
    NotFound,
    /// Not fetched: why, in words (a timeout, another status, a refused connection…).
    Failed(String),
    /// Not asked: the request budget or the total time ran out.
    Stopped,
}

/// A site's base URL and an HTTP agent held to [`Bounds`].
pub(crate) struct Client {
    agent: ureq::Agent,
    base: String,
    bounds: Bounds,
    deadline: Instant,
    used: AtomicU64,
    /// Why the check was cut short, once it was.
    stopped: Mutex<Option<String>>,
}

/// A path segment as sent: everything but unreserved characters percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

impl Client {
    /// A client for the site at `url` (`http://host/` or `https://host/sub/`).
    pub(crate) fn new(url: &str, bounds: Bounds) -> Result<Client, String> {
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) || url.contains(['?', '#']) {
            return Err(format!("「{url}」不是网站地址：应写成 http://主机/ 或 https://主机/路径/"));
        }
        let base = if url.ends_with('/') { url.to_string() } else { format!("{url}/") };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(3)
            .user_agent(concat!("gongkai-verify/", env!("CARGO_PKG_VERSION")))
            .max_idle_connections_per_host(bounds.connections.max(1))
            .build()
            .into();
        let deadline = Instant::now() + bounds.total;
        Ok(Client { agent, base, bounds, deadline, used: AtomicU64::new(0), stopped: Mutex::new(None) })
    }

    /// The URL of a site path.
    pub(crate) fn url(&self, path: &str) -> String {
        let encoded: Vec<String> = path.split('/').map(|s| utf8_percent_encode(s, SEGMENT).to_string()).collect();
        format!("{}{}", self.base, encoded.join("/"))
    }

    /// Why the check was cut short, if it was.
    pub(crate) fn stopped(&self) -> Option<String> {
        self.stopped.lock().ok().and_then(|s| s.clone())
    }

    /// Requests made so far.
    pub(crate) fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    fn stop(&self, why: String) -> Got {
        if let Ok(mut s) = self.stopped.lock() {
            s.get_or_insert(why);
        }
        Got::Stopped
    }

    /// GET a site path, within the bounds.
    pub(crate) fn get(&self, path: &str) -> Got {
        if self.stopped().is_some() {
            return Got::Stopped;
        }
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return self.stop(format!("总时限（--total-timeout {} 秒）已到", self.bounds.total.as_secs()));
        }
        if self.used.fetch_add(1, Ordering::Relaxed) >= self.bounds.max_requests {
            self.used.fetch_sub(1, Ordering::Relaxed);
            return self.stop(format!("请求数上限（--max-requests {}）已用完", self.bounds.max_requests));
        }
        let url = self.url(path);
        let response = self.agent.get(&url).config().timeout_global(Some(self.bounds.timeout.min(left))).build().call();
        let mut response = match response {
            Ok(r) => r,
            Err(e) => return Got::Failed(self.reason(e)),
        };
        match response.status().as_u16() {
            200 => {}
            404 | 410 => return Got::NotFound,
            s => return Got::Failed(format!("服务器答复 HTTP {s}")),
        }
        match response.body_mut().with_config().limit(self.bounds.max_body).read_to_vec() {
            Ok(bytes) => Got::Body(bytes),
            Err(e) => Got::Failed(self.reason(e)),
        }
    }

    /// What went wrong with a request, in words.
    fn reason(&self, e: ureq::Error) -> String {
        match e {
            ureq::Error::Timeout(_) if Instant::now() >= self.deadline => {
                format!("超时：整次核验的时限（--total-timeout {} 秒）已到", self.bounds.total.as_secs_f32())
            }
            ureq::Error::Timeout(_) => {
                format!("超时：{} 秒内没有收完（--timeout）", self.bounds.timeout.as_secs_f32())
            }
            ureq::Error::BodyExceedsLimit(n) => format!("文件超过 {n} 字节的上限（--max-body）"),
            ureq::Error::HostNotFound => "找不到这个主机（域名无法解析）".into(),
            ureq::Error::ConnectionFailed => "无法连接到服务器".into(),
            ureq::Error::TooManyRedirects => "重定向次数过多".into(),
            ureq::Error::Io(io) => format!("连接出错：{}", crate::error::io_reason(&io)),
            other => format!("请求出错：{other}"),
        }
    }
}

/// GET every path of `paths` with a few connections at once; the answers in the same order.
pub(crate) fn get_all(client: &Client, paths: &[&str]) -> Vec<Got> {
    let next = AtomicUsize::new(0);
    let answers: Mutex<Vec<(usize, Got)>> = Mutex::new(Vec::with_capacity(paths.len()));
    std::thread::scope(|scope| {
        for _ in 0..client.bounds.connections.clamp(1, 16) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    let got = client.get(path);
                    if let Ok(mut a) = answers.lock() {
                        a.push((i, got));
                    }
                }
            });
        }
    });
    let mut all: Vec<Got> = paths.iter().map(|_| Got::Stopped).collect();
    for (i, got) in answers.into_inner().unwrap_or_default() {
        if let Some(slot) = all.get_mut(i) {
            *slot = got;
        }
    }
    all
}
