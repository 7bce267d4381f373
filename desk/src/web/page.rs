//! The pages' frame: one stylesheet, no script, every value escaped by maud.
//!
//! maud rather than the library's Tera: the templates are Rust, checked when the desk is
//! compiled (a misspelt field is a build error, not a page that fails at run time), every
//! `(value)` is HTML-escaped unless marked otherwise (nothing here marks one), and there are no
//! template files to ship beside the binary.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

/// The stylesheet, served at `desk.css` (the CSP allows styles from the desk only).
pub const CSS: &str = "\
body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:46rem;margin:1rem auto;padding:0 1rem;line-height:1.6;color:#1a1a1a}\
label{display:block;font-weight:600;margin-top:1rem}\
input[type=text],input[type=password],input[type=date],textarea,select{width:100%;box-sizing:border-box;padding:.4rem;font:inherit}\
textarea{min-height:8rem}.hint{color:#555;font-size:.9em;margin:0}\
.error{color:#a40000}.errors{border:2px solid #a40000;padding:.5rem 1rem}\
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}\
.receipt{border:2px solid #0b5394;padding:.5rem 1rem}.code{font-family:monospace;font-size:1.3em}\
.overdue{background:#fde2e2}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem;text-align:left}\
fieldset{margin-top:1rem}button{margin-top:1rem;padding:.5rem 1.5rem;font:inherit}";

/// A whole page; `depth` is how many folders below the desk's root the page's address is
/// (`u/<unit>/apply`: 2), for relative links.
pub fn page(title: &str, depth: usize, body: Markup) -> Markup {
    let root = "../".repeat(depth);
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                link rel="stylesheet" href={ (root) "desk.css" };
            }
            body {
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// A page answered with a status.
pub fn respond(status: StatusCode, markup: Markup) -> Response {
    (status, [("content-type", "text/html; charset=utf-8")], markup.into_string()).into_response()
}

/// A short page saying one thing.
pub fn message(status: StatusCode, title: &str, depth: usize, text: &str) -> Response {
    respond(status, page(title, depth, html! { p { (text) } }))
}
