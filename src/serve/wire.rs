//! The preview's HTTP/1.1 on plain std sockets: between the accept loop (`serve`) and what to
//! answer (`http`). It reads a bounded request head, parses it with `httparse`, refuses what the
//! preview never needs before anything else sees it (a body, a foreign `Host`, an endless head),
//! and writes the answer, keeping the connection open for the next request.
//!
//! Not tiny_http: its 0.12 allocates a declared `Content-Length` in one piece when it drops an
//! unread body (`EqualReader::drop`) and collects a header line without limit, so one request
//! could abort the whole process. Here nothing is read or allocated beyond `MAX_HEAD`.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, TcpStream};
use std::time::{Duration, Instant};

/// The longest request head read (browsers send about 1 KiB).
pub(super) const MAX_HEAD: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;
/// How long a head may take to arrive, and how long an idle connection is kept.
const IDLE: Duration = Duration::from_secs(30);

/// A request the preview answers: `GET` or `HEAD`, no body, one of our names in `Host`.
pub(super) struct Request {
    pub head_only: bool,
    /// The request target as sent (`/a/b.html?x`).
    pub target: String,
}

pub(super) enum Body {
    Bytes(Vec<u8>),
    /// Sent until the reader ends (the live-reload stream); the connection closes after it.
    Stream(Box<dyn Read + Send>),
}

pub(super) struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

impl Response {
    pub(super) fn new(status: u16, kind: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![
                ("Content-Type", kind.to_string()),
                ("Cache-Control", "no-store".into()),
                ("X-Content-Type-Options", "nosniff".into()),
            ],
            body: Body::Bytes(body),
        }
    }

    fn text(status: u16, message: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", format!("{message}\n").into_bytes())
    }
}

/// The names the preview answers to: a page on another name (a DNS-rebinding attack points a
/// name of its own at 127.0.0.1) must not read the preview or the unpublished report.
pub(super) struct Hosts {
    names: Vec<String>,
    port: u16,
    /// Bound to every interface: any address literal names this machine (a rebinding page
    /// always comes under a DNS name, never an address).
    any_address: bool,
}

impl Hosts {
    pub(super) fn new(bind: IpAddr, port: u16) -> Hosts {
        let mut names: Vec<String> = ["127.0.0.1", "localhost", "[::1]"].map(String::from).into();
        let own = match bind {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        if !names.contains(&own) {
            names.push(own);
        }
        Hosts { names, port, any_address: bind.is_unspecified() }
    }

    /// Is `host` (a `Host` header: name, optionally `:port`) one of ours?
    pub(super) fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let (name, port) = match (host.starts_with('['), host.find(']'), host.find(':')) {
            (true, Some(end), _) => match &host[end + 1..] {
                "" => (&host[..=end], None),
                rest => match rest.strip_prefix(':') {
                    Some(port) => (&host[..=end], Some(port)),
                    None => return false,
                },
            },
            (true, None, _) => return false,
            (false, _, Some(colon)) => (&host[..colon], Some(&host[colon + 1..])),
            (false, _, None) => (&host[..], None),
        };
        if port.is_some_and(|p| p.parse::<u16>().ok() != Some(self.port)) {
            return false;
        }
        let address = || match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            Some(v6) => v6.parse::<Ipv6Addr>().is_ok(),
            None => name.parse::<Ipv4Addr>().is_ok(),
        };
        self.names.iter().any(|n| n == name) || (self.any_address && address())
    }

    fn refusal(&self) -> String {
        let addresses = if self.any_address { "或本机的任一 IP 地址" } else { "" };
        format!(
            "本预览只接受用这些名字访问：{}{addresses}（可带端口 {}）。请用终端里显示的预览地址打开。\
             用别的域名访问会被拒绝，这样别的网页无法借“DNS 重绑定”读取预览和尚未发布的检查报告。",
            self.names.join("、"),
            self.port
        )
    }
}

/// Serve one connection until it closes, an error ends it, or it idles past `IDLE`.
pub(super) fn serve_connection(mut stream: TcpStream, hosts: &Hosts, answer: impl Fn(&Request) -> Response) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(IDLE));
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let (response, keep, head_only) = match next_request(&mut stream, &mut buf, hosts) {
            Next::Closed => return,
            Next::Refused(response) => (response, false, false),
            Next::Request(request, keep) => (answer(&request), keep, request.head_only),
        };
        // a stream has no length: its end is the connection's end
        let keep = keep && matches!(response.body, Body::Bytes(_));
        if write(&mut stream, response, keep, head_only).is_err() || !keep {
            close(&mut stream);
            return;
        }
    }
}

/// Close after the answer went out. Whatever the client still sends (a refused body) is read
/// briefly into a small buffer and dropped: closing with unread data would reset the connection
/// and could lose the answer before the client reads it.
fn close(stream: &mut TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let until = Instant::now() + Duration::from_secs(1);
    let mut sink = [0u8; 4096];
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        if !matches!(stream.read(&mut sink), Ok(n) if n > 0) {
            return;
        }
    }
}

enum Next {
    Closed,
    Refused(Response),
    /// The request, and whether the connection stays open after it.
    Request(Request, bool),
}

/// Read and judge the next request head. `buf` carries bytes already read past the last head.
fn next_request(stream: &mut TcpStream, buf: &mut Vec<u8>, hosts: &Hosts) -> Next {
    let deadline = Instant::now() + IDLE;
    let mut chunk = [0u8; 4096];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Request::new(&mut headers);
        match parsed.parse(buf) {
            Ok(httparse::Status::Complete(len)) => {
                let next = judge(&parsed, hosts);
                buf.drain(..len);
                return next;
            }
            Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD => {
                return Next::Refused(Response::text(431, "请求头太长（超过 16 KiB），预览不处理这样的请求。"));
            }
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => {
                return Next::Refused(Response::text(431, "请求头太多，预览不处理这样的请求。"));
            }
            Err(_) => return Next::Refused(Response::text(400, "请求格式不对。")),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Next::Closed;
        }
        let want = chunk.len().min(MAX_HEAD + 1 - buf.len().min(MAX_HEAD));
        match stream.read(&mut chunk[..want]) {
            Ok(0) => return Next::Closed,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Next::Closed,
        }
    }
}

/// What to do with a complete head: refuse it (a body, a foreign name, another method) or
/// serve it. A refused request closes the connection: its body, if any, is never read.
fn judge(parsed: &httparse::Request, hosts: &Hosts) -> Next {
    let values = |name: &str| -> Vec<String> {
        parsed
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
            .collect()
    };
    let lengths = values("Content-Length");
    if !values("Transfer-Encoding").is_empty() || lengths.iter().any(|l| l != "0") {
        return Next::Refused(Response::text(413, "预览只提供页面，请求不应带正文。"));
    }
    let host = values("Host");
    if host.len() != 1 || !hosts.allows(&host[0]) {
        return Next::Refused(Response::text(403, &hosts.refusal()));
    }
    let head_only = match parsed.method {
        Some("GET") => false,
        Some("HEAD") => true,
        _ => {
            let mut r = Response::text(405, "预览只接受 GET 和 HEAD 请求。");
            r.headers.push(("Allow", "GET, HEAD".into()));
            return Next::Refused(r);
        }
    };
    let target = parsed.path.unwrap_or_default().to_string();
    if !target.starts_with('/') {
        return Next::Refused(Response::text(400, "请求的地址应以 / 开头。"));
    }
    let close = values("Connection").iter().any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")));
    let keep = parsed.version == Some(1) && !close;
    Next::Request(Request { head_only, target }, keep)
}

fn write(stream: &mut TcpStream, response: Response, keep: bool, head_only: bool) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", response.status, reason(response.status));
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Body::Bytes(bytes) = &response.body {
        head.push_str(&format!("Content-Length: {}\r\n", bytes.len()));
    }
    if !keep {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if head_only {
        return stream.flush();
    }
    match response.body {
        Body::Bytes(bytes) => stream.write_all(&bytes)?,
        Body::Stream(mut reader) => {
            // each piece at once: the live-reload events must not wait in a buffer
            let mut chunk = [0u8; 1024];
            loop {
                let n = reader.read(&mut chunk)?;
                if n == 0 {
                    break;
                }
                stream.write_all(&chunk[..n])?;
                stream.flush()?;
            }
        }
    }
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_names_are_allowed() {
        let local = Hosts::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8000);
        for ok in ["127.0.0.1", "127.0.0.1:8000", "localhost", "LOCALHOST:8000", "[::1]", "[::1]:8000"] {
            assert!(local.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8000",
            "127.0.0.1:8001",
            "127.0.0.1:",
            "localhost.",
            "127.0.0.1.nip.io",
            "[::1]x",
            "[::1]:x",
            "::1",
            "192.168.1.5",
            "",
        ] {
            assert!(!local.allows(bad), "{bad}");
        }
        let all = Hosts::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 8000);
        for ok in ["192.168.1.5:8000", "0.0.0.0", "[fe80::1]:8000", "localhost"] {
            assert!(all.allows(ok), "{ok}");
        }
        assert!(!all.allows("evil.example:8000"));
        let v6 = Hosts::new("fd00::5".parse().unwrap(), 8000);
        assert!(v6.allows("[fd00::5]:8000") && !v6.allows("[fd00::6]:8000"));
    }
}
