//! Serving the router on a TCP listener with time limits, so that the desk can face the internet
//! without nginx in front: a client must send a request's headers within [`Timeouts::headers`]
//! (hyper closes the connection otherwise: slow-header attacks), and a whole request, body and
//! answer, must be done within [`Timeouts::request`] (else 408: slow bodies). axum's own `serve`
//! sets neither. Each connection's peer address reaches the handlers as `ConnectInfo`, as with
//! `into_make_service_with_connect_info`. Stops accepting at `shutdown`, and returns once the
//! connections open then have finished their requests.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tower::Layer;

use crate::web::page;

/// The time limits.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// To receive a request's headers.
    pub headers: Duration,
    /// To receive a request's body and answer it.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts { headers: Duration::from_secs(10), request: Duration::from_secs(30) }
    }
}

async fn limit(timeout: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => page::message(
            StatusCode::REQUEST_TIMEOUT,
            "请求超时",
            0,
            "提交的内容传输太慢，没有在规定时间内收完，这次提交没有受理。请检查网络后重新提交。",
        ),
    }
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) {
    let request = timeouts.request;
    let router = router.layer(middleware::from_fn(move |req: Request, next: Next| limit(request, req, next)));
    let (closing, closed) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // out of file descriptors and the like: wait a little rather than spin
                    eprintln!("无法接受连接：{e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(axum::Extension(ConnectInfo(peer)).layer(router.clone()));
        let mut closed = closed.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(timeouts.headers);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = closed.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(closed);
    let _ = closing.send(());
    closing.closed().await;
}
