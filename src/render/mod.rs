//! Rendering: typed views, Markdown, the theme, and every page of the site.

mod feeds;
mod links;
pub mod markdown;
mod open_data;
mod pages;
mod paths;
mod report_page;
pub mod site;
pub mod theme;
pub mod view;

pub use paths::href;
pub use report_page::report_html;
