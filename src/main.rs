//! `gongkai`: parse the command line, run the command, map the outcome to an exit status.
//!
//! Exit status: 0 nothing required is missing (`verify`: the site matches its record); 1 an error
//! finding remains (`verify`: a file or the record differs); 2 a usage error or an unusable site,
//! configuration or rule pack (`verify`: no record). This is the only place that decides it.
//! `import`: 0 the table was read (shown, or written with `--write`); 1 a row, a cell or the
//! unit's file could not be used, and nothing was written; 2 a usage error or an unreadable file.
//! `export`: 0 written; 2 nothing written (an existing file in the way, an unusable site).
//! `schema`: 0 written; 2 nothing written. `fix`: 0 nothing to repair, or repaired (`--write`);
//! 1 repairs shown but not written, or a file that cannot be repaired; 2 an unusable site.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use gongkai::commands::{
    self, BuildOptions, CheckOptions, ExportOptions, ImportOptions, Outcome, SheetFormat, site_root,
};
use gongkai::sheet::Kind;

use gongkai::report::Format;

/// 公共企事业单位信息公开网站的生成与检查工具
///
/// Checks that a unit publishes every item its disclosure rules require, and builds the site.
#[derive(Parser)]
#[command(name = "gongkai", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 检查必须公开的内容是否齐全 (check completeness against the rule packs)
    Check(CheckArgs),
    /// 生成公开网站 (build the static site, and the missing-items report)
    Build(BuildArgs),
    /// 边改边看：在本机预览网站，保存后自动刷新 (preview with live reload)
    Serve(ServeArgs),
    /// 新建站点或单位的填写模板 (scaffold a site, or a unit inside a site)
    Init(InitArgs),
    /// 核验网站是否与公开记录一致 (verify a built site against its publication record)
    Verify(VerifyArgs),
    /// 从 Excel、WPS 或 CSV 表格导入收费项目、领导名录等 (import a spreadsheet into a unit's YAML)
    Import(ImportArgs),
    /// 把收费项目、领导名录等导出为表格，或生成空白填写表 (export tables as xlsx or CSV)
    Export(ExportArgs),
    /// 主管部门考核：按名单汇总各单位公开的数据 (gather a bureau's roster for the 考核)
    Assess(AssessArgs),
    /// 生成编辑器用的 JSON Schema：字段补全、行业等选项、错误提示 (write the editors' JSON Schemas)
    Schema(SchemaArgs),
    /// 修正编码（GBK、UTF-16、BOM）、字段名后的全角冒号、Tab 缩进 (repair encodings, full-width colons, tabs)
    Fix(FixArgs),
    /// 输出命令行补全脚本 (print shell completions: bash, zsh, fish, powershell, elvish)
    Completions {
        /// 命令行程序 (the shell)
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// 输出 man 手册页 (print the man page, of gongkai or of one command: `gongkai man build`)
    Man {
        /// 命令名，如 build；不写则为 gongkai 本身 (a command's name; none: gongkai itself)
        command: Option<String>,
    },
}

/// `gongkai completions SHELL`: the script on standard output.
fn completions(shell: clap_complete::Shell) -> Result<Outcome, gongkai::error::Error> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "gongkai", &mut out);
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)
        .map_err(|e| gongkai::error::Error::write("<stdout>", e))?;
    Ok(Outcome::Clean)
}

/// `gongkai man [COMMAND]`: the page in roff on standard output (`gongkai man > gongkai.1`).
fn man(command: Option<&str>) -> Result<Outcome, gongkai::error::Error> {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    cmd.build();
    let page = match command {
        None => cmd,
        Some(name) => {
            let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).filter(|n| *n != "help").collect();
            let Some(sub) = cmd.find_subcommand(name).filter(|_| name != "help").cloned() else {
                return Err(gongkai::error::Error::Usage(format!(
                    "没有「{name}」这个命令；可以是：{}",
                    names.join("、")
                )));
            };
            sub.display_name(format!("gongkai-{name}"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out).map_err(|e| gongkai::error::Error::write("<stdout>", e))?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)
        .map_err(|e| gongkai::error::Error::write("<stdout>", e))?;
    Ok(Outcome::Clean)
}

#[derive(Args)]
struct SchemaArgs {
    /// 站点目录；不写时用当前文件夹，或它上级中最近的有 gongkai.yaml 的文件夹
    /// (the site root; default: this folder, or the nearest above it holding gongkai.yaml)
    site: Option<PathBuf>,
    /// 输出目录，默认 SITE/.gongkai/schema (the folder to write into)
    #[arg(long, short, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct FixArgs {
    /// 站点目录；不写时用当前文件夹，或它上级中最近的有 gongkai.yaml 的文件夹
    /// (the site root; default: this folder, or the nearest above it holding gongkai.yaml)
    site: Option<PathBuf>,
    /// 写入修正，原文件备份为隐藏的 .文件名.bak；不加时只显示将做的修改 (write; without it, only show the diff)
    #[arg(long)]
    write: bool,
}

#[derive(Args)]
struct ImportArgs {
    /// 表格文件：.xlsx、.xls、.et、.ods 或 .csv (the spreadsheet)
    file: PathBuf,
    /// 导入到这个单位 (the unit's folder name)
    #[arg(long, value_name = "NAME")]
    unit: String,
    /// 表格的内容 (which table it is)
    #[arg(long = "as", value_enum, value_name = "TABLE")]
    kind: Kind,
    /// 写入文件；不加时只显示将写入的内容 (write the file; without it, only show the change)
    #[arg(long)]
    write: bool,
    /// 站点目录；不写时用当前文件夹，或它上级中最近的有 gongkai.yaml 的文件夹
    /// (the site root; default: this folder, or the nearest above it holding gongkai.yaml)
    #[arg(long, value_name = "DIR")]
    site: Option<PathBuf>,
}

#[derive(Args)]
struct ExportArgs {
    /// 表格格式 (xlsx: one workbook, a sheet per table; csv: a file per table)
    #[arg(long, value_enum, default_value_t = SheetFormat::Xlsx)]
    format: SheetFormat,
    /// 只导出这个单位；不写时导出所有单位，并加上「单位」列 (only this unit)
    #[arg(long, value_name = "NAME")]
    unit: Option<String>,
    /// 只导出这一种表 (only this table)
    #[arg(long = "as", value_enum, value_name = "TABLE")]
    kind: Option<Kind>,
    /// 生成只有表头的空白填写表 (fill-in sheets: headers only)
    #[arg(long)]
    blank: bool,
    /// 输出目录，默认站点目录 (the folder to write into; default: the site root)
    #[arg(long, short, value_name = "DIR")]
    output: Option<PathBuf>,
    /// 站点目录；不写时用当前文件夹，或它上级中最近的有 gongkai.yaml 的文件夹
    /// (the site root; default: this folder, or the nearest above it holding gongkai.yaml)
    #[arg(long, value_name = "DIR")]
    site: Option<PathBuf>,
}

#[derive(Args)]
struct VerifyArgs {
    /// 生成的网站所在的文件夹，或网站地址 (the built site, e.g. public/, or its URL, e.g. https://example.org/;
    /// default: public/ of the site, found like `build` finds it)
    site: Option<String>,
    /// 通过 HTTP 核验时最多发出的请求数 (over HTTP: the most requests in all)
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    max_requests: u64,
    /// 每个请求的时限，秒 (over HTTP: seconds for one request)
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    timeout: f64,
    /// 整次核验的时限，秒 (over HTTP: seconds for the whole check)
    #[arg(long, value_name = "SECONDS", default_value_t = 14_400.0)]
    total_timeout: f64,
    /// 单个文件的大小上限，MB (over HTTP: the largest file read, in MiB)
    #[arg(long, value_name = "MIB", default_value_t = 200)]
    max_body: u64,
    /// 同时发出的请求数 (over HTTP: requests at once)
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=16))]
    connections: u16,
    /// 生成一对签名密钥，私钥写入这个文件 (make a signing key pair; write the private key to FILE)
    #[arg(long, value_name = "FILE")]
    new_key: Option<PathBuf>,
    /// 核验站点 record/archive/ 中的每个存档版本 (check every version in the site's archive,
    /// record/archive/, against its hash and the record; the site found like `build` finds it)
    #[arg(long, conflicts_with_all = ["site", "new_key"])]
    archive: bool,
}

impl VerifyArgs {
    fn bounds(&self) -> Result<gongkai::verify::Bounds, gongkai::error::Error> {
        let seconds = |s: f64, flag: &str| {
            std::time::Duration::try_from_secs_f64(s)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| gongkai::error::Error::Usage(format!("{flag} 应为大于 0 的秒数，实为 {s}")))
        };
        Ok(gongkai::verify::Bounds {
            max_requests: self.max_requests,
            timeout: seconds(self.timeout, "--timeout")?,
            total: seconds(self.total_timeout, "--total-timeout")?,
            max_body: self.max_body.saturating_mul(1024 * 1024),
            connections: usize::from(self.connections),
        })
    }
}

#[derive(Args)]
struct AssessArgs {
    /// 考核文件夹，其中的 bureau.yaml 写明考核年度和单位名单，默认当前文件夹
    /// (the bureau folder, holding bureau.yaml; default: this folder)
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// 输出格式 (human: in words; json: the snapshot)
    #[arg(long, short, value_enum, default_value_t = gongkai::bureau::AssessFormat::Human)]
    format: gongkai::bureau::AssessFormat,
    /// 把结果写入文件，终端仍显示文字 (write the result to FILE; the terminal still shows the words)
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// 按这一天判断是否按时公开，默认各站点自己的设置或今天 (judge deadlines as on this date)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    today: Option<jiff::civil::Date>,
    /// 通过网址读取时每个请求的时限，秒 (over HTTP: seconds for one request)
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    timeout: f64,
    /// 请求失败后重试的次数 (over HTTP: times a failed request is asked again)
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    retries: u32,
    /// 把这次汇总存入历史库（默认 DIR/history.sqlite），只记录变化 (store the gathering in the history)
    #[arg(long)]
    save: bool,
    /// 历史库文件，默认 DIR/history.sqlite (the history file)
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// 不汇总，显示这个单位各项公开情况的变化：何时缺失、何时改正 (show a unit's stored changes)
    #[arg(long, value_name = "UNIT", conflicts_with_all = ["save", "output", "format", "site"])]
    history: Option<String>,
    /// 与 --history 同用：只看这一项规则，如 baiyin-2021/fee-standard (only this rule)
    #[arg(long, value_name = "RULE", requires = "history")]
    rule: Option<String>,
    /// 同时读取的单位数 (units read at once)
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=16))]
    connections: u16,
    /// 按评分方案评分，把考核总表、各单位书面反馈和评分表（CSV、XLSX）写入这个文件夹
    /// (score, and write the dashboard, the letters and the score sheet into OUTDIR)
    #[arg(long, value_name = "OUTDIR")]
    site: Option<PathBuf>,
}

impl AssessArgs {
    fn options(self) -> Result<gongkai::bureau::AssessOptions, gongkai::error::Error> {
        let timeout =
            std::time::Duration::try_from_secs_f64(self.timeout).ok().filter(|d| !d.is_zero()).ok_or_else(|| {
                gongkai::error::Error::Usage(format!("--timeout 应为大于 0 的秒数，实为 {}", self.timeout))
            })?;
        let bounds = gongkai::verify::Bounds {
            timeout,
            connections: usize::from(self.connections),
            max_body: 64 * 1024 * 1024,
            ..Default::default()
        };
        let db = self.db.unwrap_or_else(|| self.dir.join(gongkai::bureau::history::HISTORY_FILE));
        Ok(gongkai::bureau::AssessOptions {
            save: self.save,
            db: Some(db),
            site: self.site,
            dir: self.dir,
            format: self.format,
            output: self.output,
            gather: gongkai::bureau::GatherOptions { today: self.today, bounds, retries: self.retries },
        })
    }
}

#[derive(Args)]
struct CheckArgs {
    /// 站点目录；不写时用当前文件夹，或它上级中最近的有 gongkai.yaml 的文件夹
    /// (the site root; default: this folder, or the nearest above it holding gongkai.yaml)
    site: Option<PathBuf>,
    /// 输出格式 (report format)
    #[arg(long, short, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// 把报告写入文件，终端仍显示摘要 (write the report to FILE; the terminal still shows the summary)
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// 只检查这个单位 (check only this unit, by folder name)
    #[arg(long, value_name = "NAME")]
    unit: Option<String>,
    /// 只显示摘要 (print only the summary)
    #[arg(long, short)]
    quiet: bool,
    /// 按这一天判断是否按时公开，默认今天 (judge deadlines as on this date, YYYY-MM-DD)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    today: Option<jiff::civil::Date>,
}

#[derive(Args)]
struct BuildArgs {
    /// 站点目录；不写时用当前文件夹，或它上级中最近的有 gongkai.yaml 的文件夹
    /// (the site root; default: this folder, or the nearest above it holding gongkai.yaml)
    site: Option<PathBuf>,
    /// 输出目录 (output folder; default SITE/public)
    #[arg(long, short, value_name = "DIR")]
    output: Option<PathBuf>,
    /// 还有错误时不发布，退出码为 1 (publish nothing and exit 1 while an error finding remains)
    #[arg(long)]
    strict: bool,
    /// 只显示摘要，不显示进度 (print only the summary, no progress bar)
    #[arg(long, short)]
    quiet: bool,
    /// 按这一天判断是否按时公开，默认今天 (judge deadlines as on this date, YYYY-MM-DD)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    today: Option<jiff::civil::Date>,
    /// 这次用的网站地址，代替 gongkai.yaml 的 base_url（测试站、正式站）
    /// (the site's address for this run, in place of base_url: QR codes, feeds, sitemap)
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// 构建缓存的目录，默认 SITE/.gongkai-cache，也可用环境变量 GONGKAI_CACHE 指定
    /// (build cache folder; default SITE/.gongkai-cache or $GONGKAI_CACHE: only changed units are rendered)
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// 不用也不写构建缓存，生成所有单位的网页 (render every unit; read and write no build cache)
    #[arg(long, conflicts_with = "cache")]
    no_cache: bool,
    /// 输出目录成为指向版本库中一个版本的符号链接，没有变化的单位只链接不复制（见 README）
    /// (publish the output as a link to a version in a store beside it: unchanged units cost one link)
    #[arg(long)]
    versioned: bool,
}

#[derive(Args)]
struct ServeArgs {
    /// 站点目录；不写时用当前文件夹，或它上级中最近的有 gongkai.yaml 的文件夹
    /// (the site root; default: this folder, or the nearest above it holding gongkai.yaml)
    site: Option<PathBuf>,
    /// 端口，0 表示任选一个空闲端口 (port; 0 picks a free one)
    #[arg(long, short, default_value_t = 8000)]
    port: u16,
    /// 监听地址，默认只允许本机访问 (address to listen on; loopback unless asked)
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// 启动后打开浏览器 (open a browser)
    #[arg(long)]
    open: bool,
    /// 定时扫描文件变化，用于网络盘和 WSL (poll for changes: network drives, WSL)
    #[arg(long)]
    poll: bool,
    /// 这次预览用的网站地址，代替 gongkai.yaml 的 base_url (the address for QR codes, feeds, sitemap)
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// 预览中也显示草稿（草稿: true），页面上标明「草稿」(show drafts, each marked as one)
    #[arg(long)]
    drafts: bool,
}

#[derive(Args)]
struct InitArgs {
    /// 新站点或新单位的目录 (folder to create: a new site, or content/NAME inside a site)
    dir: PathBuf,
    /// 行业：学校、幼儿园、医院、卫生院、疾病预防控制、妇幼保健、供水、供电、供气、供热、公共交通、环保、其他…
    /// (sector; default: the unit's own, else 其他)
    #[arg(long)]
    sector: Option<String>,
}

fn parse_day(s: &str) -> Result<jiff::civil::Date, String> {
    gongkai::shape::parse_date(s).ok_or_else(|| format!("「{s}」不是有效的日期，写成 2026-11-27"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // rayon's threads do the work (`build` runs on one of them whole): the main thread's stack
    // size for each, not the 2 MiB of a spawned thread (deeply nested input recurses in the
    // parsers; the pages a stack does not touch cost no memory)
    let _ = rayon::ThreadPoolBuilder::new().stack_size(8 << 20).build_global();
    let result = match cli.command {
        Command::Check(a) => commands::check(&CheckOptions {
            site: site_root(a.site),
            format: a.format,
            output: a.output,
            unit: a.unit,
            quiet: a.quiet,
            today: a.today,
        }),
        Command::Init(a) => gongkai::init::run(&a.dir, a.sector.as_deref()),
        Command::Build(a) => {
            let site = site_root(a.site);
            let cache = match (a.no_cache, a.cache, std::env::var_os("GONGKAI_CACHE").filter(|v| !v.is_empty())) {
                (true, _, _) => None,
                (false, Some(dir), _) => Some(dir),
                (false, None, Some(dir)) => Some(PathBuf::from(dir)),
                (false, None, None) => Some(commands::default_cache(&site)),
            };
            commands::build(&BuildOptions {
                site,
                out: a.output,
                strict: a.strict,
                quiet: a.quiet,
                today: a.today,
                base_url: a.base_url,
                cache,
                versioned: a.versioned,
            })
        }
        Command::Verify(a) => match (&a.new_key, a.bounds()) {
            (Some(file), _) => gongkai::verify::new_key(file, &mut std::io::stdout().lock()),
            (None, _) if a.archive => gongkai::verify::verify_archive(&site_root(None), &mut std::io::stdout().lock()),
            (None, Ok(bounds)) => {
                // `build`'s default output: public/ of the site this folder is in
                let site = a.site.unwrap_or_else(|| site_root(None).join("public").to_string_lossy().into_owned());
                gongkai::verify::verify(&gongkai::verify::Target::new(&site, bounds), &mut std::io::stdout().lock())
            }
            (None, Err(e)) => Err(e),
        },
        Command::Import(a) => {
            let site = site_root(a.site);
            commands::import(&ImportOptions { site, file: a.file, unit: a.unit, kind: a.kind, write: a.write })
        }
        Command::Export(a) => {
            let site = site_root(a.site);
            let out = a.output.unwrap_or_else(|| site.clone());
            commands::export(&ExportOptions { site, format: a.format, unit: a.unit, kind: a.kind, blank: a.blank, out })
        }
        Command::Assess(a) => match a.history.clone() {
            Some(unit) => {
                let db = a.db.clone().unwrap_or_else(|| a.dir.join(gongkai::bureau::history::HISTORY_FILE));
                gongkai::bureau::show_history(&db, &unit, a.rule.as_deref(), &mut std::io::stdout().lock())
            }
            None => a.options().and_then(|o| gongkai::bureau::assess(&o, &mut std::io::stdout().lock())),
        },
        Command::Schema(a) => commands::schema(&commands::SchemaOptions { site: site_root(a.site), out: a.out }),
        Command::Fix(a) => gongkai::fix::run(&gongkai::fix::FixOptions { site: site_root(a.site), write: a.write }),
        Command::Completions { shell } => completions(shell),
        Command::Man { command } => man(command.as_deref()),
        Command::Serve(a) => gongkai::serve::serve(&gongkai::serve::ServeOptions {
            site: site_root(a.site),
            port: a.port,
            bind: a.bind,
            open: a.open,
            poll: a.poll,
            base_url: a.base_url,
            drafts: a.drafts,
        }),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            anstream::eprintln!(
                "{}: {e}",
                anstyle::AnsiColor::Red.on_default().bold().render().to_string()
                    + "错误"
                    + &anstyle::Reset.render().to_string()
            );
            ExitCode::from(2)
        }
    }
}
