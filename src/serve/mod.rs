//! `gongkai serve`: build the site into memory, serve it on loopback, rebuild what an edit
//! affects, reload open pages, and show in the terminal which findings appeared and went away.
//!
//! Threads: the main thread accepts connections (one thread each, see `wire`); the builder
//! thread owns the site and is the only one that renders; the watcher's thread turns file events
//! into messages for it. The last good pages are served while an edit is broken.

mod http;
mod preview;
mod rebuild;
mod state;
mod watch;
mod wire;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};

pub use http::site_path;
use rebuild::{Builder, Outcome as Rebuilt};
pub use rebuild::{Change, classify};
use state::{Msg, Shared};

use crate::check::CheckResult;
use crate::commands::Outcome;
use crate::error::{Error, Result};
use crate::report;

/// Options of `gongkai serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site root.
    pub site: PathBuf,
    /// TCP port (0: any free port).
    pub port: u16,
    /// Address to listen on (loopback by default).
    pub bind: IpAddr,
    /// Open the browser once it is listening.
    pub open: bool,
    /// Poll for changes instead of native file events (network drives, WSL).
    pub poll: bool,
    /// The site's address for the preview's QR codes, feeds and sitemap, in place of `base_url`
    /// in `gongkai.yaml`.
    pub base_url: Option<String>,
    /// Show drafts (`草稿: true`), each with a banner saying it is one.
    pub drafts: bool,
}

/// Build into memory, serve on loopback, rebuild what changes; returns when interrupted.
pub fn serve(opts: &ServeOptions) -> Result<Outcome> {
    let root = opts.site.clone();
    if !root.join("content").is_dir() {
        return Err(Error::NoContent(root));
    }
    // a bad address is a usage error before anything is served, not a broken preview
    let base_url = opts.base_url.as_deref().map(crate::load::checked_base_url).transpose()?;
    let listener = TcpListener::bind((opts.bind, opts.port)).map_err(|e| {
        Error::Usage(format!(
            "无法在 {}:{} 上提供服务：{e}（端口可能被占用，可用 --port 换一个）",
            opts.bind, opts.port
        ))
    })?;
    let port = listener.local_addr().map_or(opts.port, |a| a.port());
    let hosts = Arc::new(wire::Hosts::new(opts.bind, port));
    let url = match opts.bind {
        IpAddr::V6(ip) => format!("http://[{ip}]:{port}/"),
        IpAddr::V4(ip) => format!("http://{ip}:{port}/"),
    };

    let (tx, rx) = channel::<Msg>();
    let shared = Arc::new(Shared::new(tx.clone()));
    let options = crate::load::LoadOptions { base_url, drafts: opts.drafts, ..Default::default() };
    let mut builder = Builder::new(&root, options, Arc::clone(&shared));
    let first = builder.apply(&[Change::Everything]);
    let mut out = anstream::stdout();
    let _ = write!(out, "{}", first_report(&builder, &first));
    let watching =
        watch::watch(&root, opts.poll, tx.clone()).map_err(|e| Error::Usage(format!("无法监视文件变化：{e}")))?;
    if !opts.bind.is_loopback() {
        let _ = writeln!(out, "注意：正在 {} 上提供服务，同一网络中的其他人也能访问。", opts.bind);
    }
    let _ = writeln!(
        out,
        "预览地址：{url}\n检查报告：{url}__gongkai/report.html\n公开记录预览：{url}__gongkai/record.html\n正在监视文件变化（{}），按 Ctrl-C 退出。",
        watching.mode
    );
    let _ = out.flush();
    if opts.open {
        open_browser(&url);
    }

    let stop_shared = Arc::clone(&shared);
    let stop_tx = tx.clone();
    let wake = wake_address(opts.bind, port);
    let _ = ctrlc::set_handler(move || {
        stop_shared.stop();
        let _ = stop_tx.send(Msg::Stop);
        // the accept loop is blocked in accept(): one connection of our own lets it see the stop
        let _ = TcpStream::connect_timeout(&wake, std::time::Duration::from_secs(1));
    });

    let builder_thread = std::thread::spawn(move || run_builder(builder, rx));
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if shared.stopping() {
            break;
        }
        // accept errors (a connection reset before it was taken, too many open files) pass
        let Ok(stream) = stream else { continue };
        if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::SeqCst);
            continue; // dropped: closed at once
        }
        let (shared, hosts, open) = (Arc::clone(&shared), Arc::clone(&hosts), Arc::clone(&open));
        std::thread::spawn(move || {
            wire::serve_connection(stream, &hosts, |request| http::respond(&shared, request));
            open.fetch_sub(1, Ordering::SeqCst);
        });
    }
    shared.stop();
    let _ = tx.send(Msg::Stop);
    drop(watching);
    let _ = builder_thread.join();
    let _ = writeln!(anstream::stdout(), "已停止预览。");
    Ok(Outcome::Clean)
}

/// Connections served at once (a browser opens about six per page); more are closed unanswered.
const MAX_CONNECTIONS: usize = 256;

/// Where the Ctrl-C handler connects to wake the accept loop: the bound address, or loopback
/// when bound to every interface.
fn wake_address(bind: IpAddr, port: u16) -> SocketAddr {
    let ip = match bind {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, port)
}

/// The builder thread: apply changes, answer report requests, until told to stop.
fn run_builder(mut builder: Builder, rx: Receiver<Msg>) {
    while let Ok(msg) = rx.recv() {
        match msg {
            Msg::Stop => break,
            Msg::Report(kind, reply) => {
                let _ = reply.send(builder.report(kind));
            }
            Msg::Changed(paths) => {
                // take everything already queued: one rebuild for a burst of saves
                let mut paths = paths;
                let mut stop = false;
                while let Ok(more) = rx.try_recv() {
                    match more {
                        Msg::Changed(p) => paths.extend(p),
                        Msg::Report(kind, reply) => {
                            let _ = reply.send(builder.report(kind));
                        }
                        Msg::Stop => stop = true,
                    }
                }
                if stop {
                    break;
                }
                let mut changes: Vec<Change> = paths.iter().filter_map(|p| classify(p)).collect();
                changes.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
                changes.dedup();
                if changes.is_empty() {
                    continue;
                }
                let rebuilt = builder.apply(&changes);
                let _ = write!(anstream::stdout(), "{}", change_report(&builder, &paths, &rebuilt));
                let _ = anstream::stdout().flush();
            }
        }
    }
}

fn first_report(builder: &Builder, r: &Rebuilt) -> String {
    let mut s = String::new();
    if let Some((root, packs)) = builder.context()
        && let Some(result) = builder.result()
    {
        let cx = report::Context { root, packs, color: true };
        s.push_str(&report::human(result, &cx));
        s.push_str(&report::human_summary(result, &cx));
    }
    if let Some(e) = builder.error() {
        s.push_str(&format!("错误: {e}\n（修正后保存，预览会自动恢复）\n"));
    }
    s.push_str(&format!(
        "已在内存中生成 {} 个文件（压缩后 {:.1} MiB，用时 {} ms）。\n",
        r.pages,
        builder.stored_bytes() as f64 / 1048576.0,
        r.elapsed_ms
    ));
    s
}

/// What a rebuild changed, in the same format as `check`.
fn change_report(builder: &Builder, paths: &[PathBuf], r: &Rebuilt) -> String {
    let names: Vec<String> = paths.iter().take(3).map(|p| p.display().to_string()).collect();
    let more = if paths.len() > 3 { format!(" 等 {} 个文件", paths.len()) } else { String::new() };
    let mut s = format!("\n{}{more} 已修改，重新生成用时 {} ms。", names.join("、"), r.elapsed_ms);
    if let Some(e) = builder.error() {
        s.push_str(&format!("\n错误: {e}\n仍显示上一次正确的页面。\n"));
        return s;
    }
    if r.added.is_empty() && r.resolved.is_empty() {
        s.push_str("问题没有变化。\n");
        return s;
    }
    s.push_str(&format!("新出现 {} 项问题，解决了 {} 项。\n", r.added.len(), r.resolved.len()));
    if let Some((root, packs)) = builder.context() {
        let cx = report::Context { root, packs, color: true };
        let added = CheckResult { findings: rebuild::sorted(r.added.clone()), ..CheckResult::default() };
        s.push_str(&report::human(&added, &cx));
    }
    for f in &r.resolved {
        let at = f.line.map(|l| format!(":{l}")).unwrap_or_default();
        s.push_str(&format!("已解决：{}{at} {}\n", f.file, f.message));
    }
    if let Some(result) = builder.result() {
        s.push_str(&format!("现在共 {} 项错误，{} 项警告。\n", result.errors(), result.warnings()));
    }
    s
}

/// Open the preview in the user's browser, through `webbrowser` (which knows `$BROWSER`, the
/// desktops' openers, Windows, macOS and WSL, and makes sure a browser is what opens). On a
/// thread of its own: a text browser named in `$BROWSER` runs in the foreground until it is
/// closed, and the server is listening meanwhile. Failing is a notice, never an error.
fn open_browser(url: &str) {
    let url = url.to_string();
    std::thread::spawn(move || {
        if let Err(e) = webbrowser::open(&url) {
            // one write: this thread runs beside the server's own messages
            let line = format!("注意：没能打开浏览器（{e}），请在浏览器里打开 {url}\n");
            let _ = anstream::stderr().write_all(line.as_bytes());
        }
    });
}

/// For tests: is this path (relative to a site root) one that triggers a rebuild?
pub fn watched(rel: &Path) -> bool {
    !watch::ignored(rel)
}
