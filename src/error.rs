//! Errors that stop gongkai before it can check anything (exit status 2).
//!
//! Problems *in content* are never errors: they are `Finding`s. An `Error` means the site itself,
//! its configuration or a rule pack is unusable.

use std::path::PathBuf;

use crate::yaml::Pos;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: 这里没有 content/ 文件夹，不是一个 gongkai 站点\n  帮助: 用 `gongkai init 目录` 新建一个站点，或指定站点所在的目录", .0.display())]
    NoContent(PathBuf),

    #[error("{file}{}: 配置文件有误：{message}", pos_suffix(*.pos))]
    Config { file: String, pos: Option<Pos>, message: String },

    #[error("{file}{}: 规则包有误：{message}", pos_suffix(*.pos))]
    Pack { file: String, pos: Option<Pos>, message: String },

    #[error("无法读取 {}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },

    #[error("没有名为「{name}」的单位{}", suggestion.as_ref().map(|s| format!("，是不是「{s}」？")).unwrap_or_default())]
    UnknownUnit { name: String, suggestion: Option<String> },

    #[error("{0}")]
    Usage(String),

    #[error("主题有误：{0}")]
    Theme(String),
}

fn pos_suffix(pos: Option<Pos>) -> String {
    pos.map(|p| format!(":{}:{}", p.line, p.col)).unwrap_or_default()
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
