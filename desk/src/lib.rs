//! gongkai-desk: the 依申请公开 and 社会评议 desk a unit or a city runs beside its gongkai portal.
//! A small web service (axum on tokio) over SQLite or PostgreSQL; the portal's units and calendar
//! come from the `gongkai` library, the form's fields and the questionnaire from `gongkai::desk`.

pub mod backup;
pub mod campaigns;
pub mod cases;
pub mod codes;
pub mod db;
pub mod export;
pub mod holds;
pub mod lite;
pub mod migrate;
pub mod portal;
pub mod province;
pub mod retention;
pub mod serve;
pub mod users;
pub mod web;
pub mod workflow;
