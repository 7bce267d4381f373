//! Rendering: typed views, Markdown, the theme, and every page of the site.

mod archive;
pub(crate) mod cache;
mod contact;
mod evaluations;
mod feeds;
mod links;
pub(crate) mod markdown;
mod open_data;
mod pages;
mod paths;
mod portal;
mod portal_catalog;
mod qr;
mod report_page;
pub(crate) mod run;
mod search;
pub(crate) mod site;
pub(crate) mod theme;
pub(crate) mod view;

pub(crate) use report_page::report_html;
