//! Errors that stop gongkai before it can check anything (exit status 2).
//!
//! Problems *in content* are never errors: they are `Finding`s. An `Error` means the site itself,
//! its configuration or a rule pack is unusable, or the output cannot be written.

use std::path::PathBuf;

use crate::yaml::Pos;

/// Why a command could not run at all (exit code 2); a problem in content is a `Finding`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The folder has no `content/`.
    #[error("{}: 这里没有 content/ 文件夹，不是一个 gongkai 站点\n  帮助: 用 `gongkai init 目录` 新建一个站点，或指定站点所在的目录", .0.display())]
    NoContent(PathBuf),

    /// `gongkai.yaml` is unusable.
    #[error("{file}{}: 配置文件有误：{message}", pos_suffix(*.pos))]
    Config {
        /// The configuration file.
        file: String,
        /// Where in it.
        pos: Option<Pos>,
        /// What is wrong, in Chinese.
        message: String,
    },

    /// A rule pack is unusable.
    #[error("{file}{}: 规则包有误：{message}", pos_suffix(*.pos))]
    Pack {
        /// The pack file, or `builtin:NAME`.
        file: String,
        /// Where in it.
        pos: Option<Pos>,
        /// What is wrong.
        message: String,
    },

    /// A file or folder could not be read.
    #[error("无法读取 {}：{}", .path.display(), io_reason(.source))]
    Io {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },

    /// A file or folder could not be written.
    #[error("无法写入 {}：{}", .path.display(), io_reason(.source))]
    Write {
        /// What could not be written.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },

    /// The output folder may not be used; nothing was written.
    #[error("不能输出到 {}：{reason}\n  帮助: {help}", .path.display())]
    Output {
        /// The folder asked for.
        path: PathBuf,
        /// Why it may not be used.
        reason: String,
        /// What to do instead.
        help: String,
    },

    /// A build stopped part-way: the previous site is as it was.
    #[error("{source}\n  {}", if *.kept { format!("之前生成的网站 {} 保持原样，没有任何改动。", .out.display()) } else { format!("没有生成 {}。", .out.display()) })]
    BuildStopped {
        /// The output folder.
        out: PathBuf,
        /// A previous site was there and is untouched.
        kept: bool,
        /// What stopped it.
        source: Box<Error>,
    },

    /// `--unit` names no unit folder.
    #[error("没有名为「{name}」的单位{}", suggestion.as_ref().map(|s| format!("，是不是「{s}」？")).unwrap_or_default())]
    UnknownUnit {
        /// The name asked for.
        name: String,
        /// The nearest unit name, if one is close.
        suggestion: Option<String>,
    },

    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),

    /// The theme's templates are unusable.
    #[error("主题有误：{0}")]
    Theme(String),

    #[error("公开记录 {} 核验不通过，为免另起一条记录链，没有发布：\n{}\n  帮助: 公开记录只能由 gongkai 追加。从正在运行的网站的 /.well-known/gongkai/ 取回完整的记录放回这个文件夹（或从版本库恢复），再重新生成", .path.display(), .problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    /// The site's publication record does not verify: publishing over it would start a new chain.
    Record {
        /// The record's folder.
        path: PathBuf,
        /// Where its chain breaks, in words.
        problems: Vec<String>,
    },
}

fn pos_suffix(pos: Option<Pos>) -> String {
    pos.map(|p| format!(":{}:{}", p.line, p.col)).unwrap_or_default()
}

/// What went wrong with a file operation, in Chinese, with the system's error number for the IT
/// person (the system's own text is English and would confuse a clerk).
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    if let Some(ours) = e.get_ref() {
        // an error gongkai made itself carries its own Chinese message
        return ours.to_string();
    }
    let zh = match e.kind() {
        K::NotFound => "文件或文件夹不存在",
        K::PermissionDenied => "没有权限（请检查文件夹的权限，或换一个有写权限的位置）",
        K::StorageFull => "磁盘已满，请腾出空间后重试",
        K::QuotaExceeded => "超出了磁盘配额，请腾出空间后重试",
        K::ReadOnlyFilesystem => "所在的磁盘或文件系统是只读的",
        K::AlreadyExists => "同名的文件或文件夹已存在",
        K::IsADirectory => "这是一个文件夹，不是文件",
        K::NotADirectory => "路径中有一部分是文件，不是文件夹",
        K::DirectoryNotEmpty => "文件夹不是空的",
        K::ResourceBusy => "正被其他程序占用",
        K::FileTooLarge => "文件太大",
        K::InvalidFilename => "文件名无效或太长",
        K::CrossesDevices => "不能跨磁盘移动",
        K::InvalidData => "内容不是有效的文字",
        K::BrokenPipe => "输出已被关闭",
        K::Interrupted => "操作被中断",
        K::TimedOut => "操作超时",
        K::OutOfMemory => "内存不足",
        _ => "系统报告了错误",
    };
    match e.raw_os_error() {
        Some(code) => format!("{zh}（系统错误码 {code}）"),
        None => zh.to_string(),
    }
}

impl Error {
    /// A file or folder could not be read.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    /// A file or folder could not be written, created, renamed or removed.
    pub fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Write { path: path.into(), source }
    }
}

/// A command's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_errors_say_what_in_chinese() {
        let cases = [
            (28, "磁盘已满"),  // ENOSPC
            (30, "只读"),      // EROFS
            (13, "没有权限"),  // EACCES
            (122, "磁盘配额"), // EDQUOT
        ];
        for (code, words) in cases {
            let e = Error::write("/srv/public/index.html", std::io::Error::from_raw_os_error(code));
            let text = e.to_string();
            assert!(text.starts_with("无法写入 /srv/public/index.html："), "{text}");
            assert!(text.contains(words), "{code}: {text}");
            assert!(text.contains(&format!("系统错误码 {code}")), "{text}");
            assert!(!text.is_ascii() && !text.contains("No space") && !text.contains("denied"), "{text}");
        }
    }
}
