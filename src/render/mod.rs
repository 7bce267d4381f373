//! Rendering: typed views, Markdown, the theme, and every page of the site.

mod feeds;
mod links;
pub mod markdown;
mod paths;
mod report_page;
pub mod site;
pub mod theme;
mod unit_pages;
pub mod view;

pub use paths::href;
pub use report_page::report_html;
pub use unit_pages::to_json;
