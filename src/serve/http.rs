//! What the preview answers (`wire` has already refused bodies, other methods and foreign
//! names): files from memory, never from disk; the live-reload event stream; the error overlay.
//! A path that tries to leave the site is simply not found; a folder without its slash is
//! redirected to it.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::state::{ReportKind, Shared, Stored};
use super::wire::{Body, Request, Response};

/// Where the preview's own files live: a name no site path can take (`__` is not produced).
pub(super) const PREFIX: &str = "/__gongkai/";

const LIVE_JS: &str = "(function(){var s=new EventSource('/__gongkai/events');\
s.onmessage=function(){location.reload();};})();\n";

const OVERLAY_CSS: &str = "#gongkai-overlay{position:fixed;inset:0 0 auto 0;max-height:60vh;overflow:auto;z-index:9999;\
background:#fff8f0;color:#1a1a1a;border-bottom:4px solid #9e1b1b;padding:1rem 1.5rem;font:16px/1.6 system-ui,sans-serif;\
box-shadow:0 4px 16px rgba(0,0,0,.3)}#gongkai-overlay h2{margin:0 0 .5rem;color:#9e1b1b;font-size:1.2rem}\
#gongkai-overlay pre{white-space:pre-wrap;margin:.25rem 0;font:14px/1.5 ui-monospace,monospace}\n";

/// In a redirect's `Location`: everything but unreserved ASCII and the `/` between segments.
const SEGMENTS: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// Answer one request.
pub(super) fn respond(shared: &Arc<Shared>, request: &Request) -> Response {
    let raw = request.target.split(['?', '#']).next().unwrap_or("/");
    if raw == "/__gongkai/events" {
        return events(shared);
    }
    let (status, body, kind) = match raw.strip_prefix(PREFIX) {
        Some("live.js") => (200, LIVE_JS.as_bytes().to_vec(), "text/javascript; charset=utf-8"),
        Some("overlay.css") => (200, OVERLAY_CSS.as_bytes().to_vec(), "text/css; charset=utf-8"),
        Some("report.html") => (200, shared.report(ReportKind::Html).into_bytes(), "text/html; charset=utf-8"),
        Some("record.html") => (200, shared.report(ReportKind::Record).into_bytes(), "text/html; charset=utf-8"),
        Some("report.json") => (200, shared.report(ReportKind::Json).into_bytes(), "application/json; charset=utf-8"),
        Some(_) => not_found(shared),
        None => match site_path(raw) {
            Some(path) => match shared.file(&path) {
                Some(stored) => page(shared, &path, &stored),
                None if !raw.ends_with('/') && shared.file(&format!("{path}/index.html")).is_some() => {
                    return folder_redirect(&path);
                }
                None => not_found(shared),
            },
            None => not_found(shared),
        },
    };
    // HEAD: the same head, so the same length; `wire` leaves out the body
    Response::new(status, kind, body)
}

/// `/unit` is the folder `unit/`: send the browser there, so that relative links resolve.
/// The address is rebuilt from the normalised site path, never copied from the request (`//x`
/// would name another host).
fn folder_redirect(path: &str) -> Response {
    let location = format!("/{}/", utf8_percent_encode(path, SEGMENTS));
    let mut response = Response::new(301, "text/plain; charset=utf-8", format!("{location}\n").into_bytes());
    response.headers.push(("Location", location));
    response
}

/// A page from memory, with the overlay when something is wrong.
fn page(shared: &Shared, path: &str, stored: &Stored) -> (u16, Vec<u8>, &'static str) {
    let kind = content_type(path);
    let mut bytes = stored.bytes();
    if kind.starts_with("text/html")
        && let Some(overlay) = shared.overlay_html()
        && let Ok(text) = String::from_utf8(bytes.clone())
    {
        bytes = with_overlay(&text, &overlay).into_bytes();
    }
    (200, bytes, kind)
}

fn not_found(shared: &Shared) -> (u16, Vec<u8>, &'static str) {
    let body = shared.file("404.html").map(|f| f.bytes()).unwrap_or_else(|| b"404".to_vec());
    (404, body, "text/html; charset=utf-8")
}

/// The site path a request path names; `None` if it tries to leave the site (`..`, encoded or
/// not), carries a NUL or a backslash, or is not UTF-8.
pub fn site_path(raw: &str) -> Option<String> {
    let decoded = percent_decode_str(raw).decode_utf8().ok()?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    let mut path = parts.join("/");
    if path.is_empty() || decoded.ends_with('/') {
        path = if path.is_empty() { "index.html".into() } else { format!("{path}/index.html") };
    }
    Some(path)
}

pub(super) fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json; charset=utf-8",
        Some("xml") => "application/xml; charset=utf-8",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("doc") => "application/msword",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xls") => "application/vnd.ms-excel",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// Put the overlay (a notice at the top of the page) into an HTML page.
fn with_overlay(html: &str, overlay: &str) -> String {
    let link = "<link rel=\"stylesheet\" href=\"/__gongkai/overlay.css\">";
    let html = html.replacen("</head>", &format!("{link}</head>"), 1);
    match html.find("<body>") {
        Some(i) => format!("{}{overlay}{}", &html[..i + 6], &html[i + 6..]),
        None => format!("{overlay}{html}"),
    }
}

/// The live-reload stream: one `reload` event when the site next changes, then the stream
/// ends (the page reloads, and opens a new one).
fn events(shared: &Arc<Shared>) -> Response {
    struct Waiter {
        shared: Arc<Shared>,
        seen: u64,
        sent: bool,
        hello: bool,
    }
    impl Read for Waiter {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if !self.hello {
                self.hello = true;
                return (&b": connected\n\n"[..]).read(buf);
            }
            if self.sent {
                return Ok(0);
            }
            // wake up now and then (a comment line keeps the stream open and lets a stopped
            // server close it)
            if !self.shared.wait_change(self.seen, Duration::from_secs(15)) {
                if self.shared.stopping() {
                    return Ok(0);
                }
                return (&b": ping\n\n"[..]).read(buf);
            }
            self.sent = true;
            (&b"data: reload\n\n"[..]).read(buf)
        }
    }
    let seen = shared.generation();
    let reader = Waiter { shared: Arc::clone(shared), seen, sent: false, hello: false };
    let mut response = Response::new(200, "text/event-stream; charset=utf-8", Vec::new());
    response.body = Body::Stream(Box::new(reader));
    response
}

/// Make a built page live: allow our own script and event stream in its policy, and load the
/// reload script. Only the preview does this; `build` output never carries it.
pub(super) fn make_live(html: &str) -> String {
    let html = html.replacen("default-src 'none';", "default-src 'none'; script-src 'self'; connect-src 'self';", 1);
    html.replacen("</body>", "<script src=\"/__gongkai/live.js\" defer></script>\n</body>", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        for bad in [
            "/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/a/%2E%2E/%2E%2E/etc/passwd",
            "/..%2fetc/passwd",
            "/%2e%2e%5cetc",
            "/a/..\\..\\etc",
            "/%00",
            "/%ff",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(site_path("/unit/").as_deref(), Some("unit/index.html"));
        assert_eq!(site_path("/unit/fees.html").as_deref(), Some("unit/fees.html"));
        assert_eq!(site_path("/a/./b.html").as_deref(), Some("a/b.html"));
        assert_eq!(site_path("/u/notices/%E5%81%9C%E6%B0%B4.html").as_deref(), Some("u/notices/停水.html"));
    }

    #[test]
    fn content_types_carry_charset_for_text() {
        assert_eq!(content_type("a/b.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("static/style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("a.pdf"), "application/pdf");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn live_pages_allow_only_our_script() {
        let page = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'\"></head><body>x</body>";
        let live = make_live(page);
        assert!(live.contains("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'"));
        assert!(live.contains("<script src=\"/__gongkai/live.js\" defer></script>\n</body>"));
        let o = with_overlay(&live, "<div id=\"gongkai-overlay\">x</div>");
        assert!(o.contains("<body><div id=\"gongkai-overlay\">"));
    }
}
