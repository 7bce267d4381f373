//! The `gongkai-desk` command: serve, migrate, campaigns.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use gongkai_desk::campaigns::{self, Campaign};
use gongkai_desk::db::Db;
use gongkai_desk::portal::Portal;
use gongkai_desk::web::{self, App, Limits};
use gongkai_desk::{backup, export, migrate, retention, users};

/// 依申请公开与社会评议受理平台
#[derive(Parser)]
#[command(name = "gongkai-desk", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 启动受理平台（默认只监听 127.0.0.1，对外由 nginx 等提供 HTTPS）
    Serve {
        /// 门户站点的文件夹（含 content/ 和 gongkai.yaml）：从中读取单位和工作日
        #[arg(long, value_name = "DIR")]
        site: PathBuf,
        /// 数据库：sqlite:desk.db（或 .db 文件路径）或 postgres://用户@主机/数据库
        #[arg(long, value_name = "URL")]
        db: String,
        /// 监听地址
        #[arg(long, default_value = "127.0.0.1:8480")]
        listen: SocketAddr,
        /// 同一地址每隔多少毫秒可以再提交一次
        #[arg(long, default_value_t = 6000)]
        every_ms: u64,
        /// 同一地址可以连续提交几次（0：所有限制都不用，只用于测试和压测）
        #[arg(long, default_value_t = 10)]
        burst: u32,
        /// 同一单位每隔多少毫秒可以再收到一份申请（问卷另计）
        #[arg(long, default_value_t = 500)]
        unit_every_ms: u64,
        /// 同一单位可以连续收到几份申请（问卷另计）
        #[arg(long, default_value_t = 120)]
        unit_burst: u32,
        /// 同一次评议、同一单位，同一地址（IPv6 按 /64）最多提交几份问卷，此后每天一份
        #[arg(long, default_value_t = 5)]
        ballots: u32,
        /// 在反向代理（nginx）之后：按代理设置的 X-Forwarded-For 限流（代理须覆盖客户端自己发来的这个头）
        #[arg(long)]
        behind_proxy: bool,
        /// 登录 Cookie 不带 Secure（只用于在本机以 http://127.0.0.1 试用；http://localhost 不需要）
        #[arg(long)]
        insecure_cookie: bool,
        /// 把这一天当作今天（测试、演示用）
        #[arg(long, hide = true)]
        today: Option<jiff::civil::Date>,
    },
    /// 把某年度的申请统计和评议结果导出到门户的单位文件夹（只有数字，没有个人信息）
    Export {
        /// 门户站点的文件夹
        #[arg(long, value_name = "DIR")]
        site: PathBuf,
        /// 数据库地址
        #[arg(long, value_name = "URL")]
        db: String,
        /// 年度
        #[arg(long)]
        year: i16,
    },
    /// 备份整个数据库到一个文件（JSON 行，SQLite 和 PostgreSQL 通用）
    Backup {
        /// 数据库地址
        #[arg(long, value_name = "URL")]
        db: String,
        /// 备份文件（不覆盖已有的文件）
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// 从备份恢复到一个新建（migrate 过）的空数据库
    Restore {
        /// 数据库地址
        #[arg(long, value_name = "URL")]
        db: String,
        /// 备份文件
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// 清除保存期满的个人信息：已归档、答复超过 DAYS 天的申请，结束超过 DAYS 天的评议的意见
    Purge {
        /// 数据库地址
        #[arg(long, value_name = "URL")]
        db: String,
        /// 保存天数
        #[arg(long, value_name = "DAYS")]
        older_than: i64,
        /// 把这一天当作今天（测试用）
        #[arg(long, hide = true)]
        today: Option<jiff::civil::Date>,
    },
    /// 工作人员账号
    User {
        #[command(subcommand)]
        action: UserCmd,
    },
    /// 建立或升级数据库结构
    Migrate {
        /// 数据库地址
        #[arg(long, value_name = "URL")]
        db: String,
    },
    /// 社会评议
    Campaign {
        #[command(subcommand)]
        action: CampaignCmd,
    },
    /// 主管部门考核（同 gongkai assess），历史库可在 PostgreSQL 上
    Assess(gongkai_desk::province::AssessArgs),
}

#[derive(Subcommand)]
enum UserCmd {
    /// 新建账号；密码从环境变量 GONGKAI_DESK_PASSWORD 或标准输入的第一行读取
    Add {
        /// 账号名
        name: String,
        /// 数据库地址
        #[arg(long, value_name = "URL")]
        db: String,
        /// 管理员（新建账号和评议，看所有单位）
        #[arg(long, conflicts_with = "unit")]
        admin: bool,
        /// 负责的单位（文件夹名），可写多次
        #[arg(long, required_unless_present = "admin")]
        unit: Vec<String>,
    },
    /// 停用账号：不能再登录，已登录的立即退出
    Disable {
        /// 账号名
        name: String,
        /// 数据库地址
        #[arg(long, value_name = "URL")]
        db: String,
    },
    /// 重新启用停用的账号
    Enable {
        /// 账号名
        name: String,
        /// 数据库地址
        #[arg(long, value_name = "URL")]
        db: String,
    },
    /// 重设密码（已登录的立即退出）；新密码从环境变量 GONGKAI_DESK_PASSWORD 或标准输入的第一行读取
    Passwd {
        /// 账号名
        name: String,
        /// 数据库地址
        #[arg(long, value_name = "URL")]
        db: String,
    },
}

#[derive(Subcommand)]
enum CampaignCmd {
    /// 新建一次评议
    Add {
        /// 数据库地址
        #[arg(long, value_name = "URL")]
        db: String,
        /// 编号（导出文件名），例如 2026
        #[arg(long)]
        id: String,
        /// 名称，例如 2026年度政务公开社会评议
        #[arg(long)]
        name: String,
        /// 开始日期
        #[arg(long)]
        from: String,
        /// 结束日期
        #[arg(long)]
        to: String,
        /// 只评议这个单位（文件夹名）；不写则所有单位
        #[arg(long, default_value = "")]
        unit: String,
    },
}

async fn open(url: &str) -> Result<Db, String> {
    Db::open(url).await.map_err(|e| e.to_string())
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve {
            site,
            db,
            listen,
            every_ms,
            burst,
            unit_every_ms,
            unit_burst,
            ballots,
            behind_proxy,
            insecure_cookie,
            today,
        } => {
            let portal = Portal::load(&site)?;
            let db = open(&db).await?;
            migrate::check_current(&db).await?;
            let app = App { db, portal: Arc::new(portal), today, secure_cookie: !insecure_cookie };
            let router = web::router(app, Limits { every_ms, burst, unit_every_ms, unit_burst, ballots, behind_proxy });
            let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
                format!("无法监听 {listen}：{e}\n  帮助: 换一个端口（--listen 127.0.0.1:8481），或先停掉占用它的程序")
            })?;
            let addr = listener.local_addr().map_err(|e| format!("无法监听 {listen}：{e}"))?;
            eprintln!("受理平台已启动：http://{addr}/");
            let stop = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            gongkai_desk::serve::serve(listener, router, gongkai_desk::serve::Timeouts::default(), stop).await;
            Ok(())
        }
        Command::Migrate { db } => {
            let db = open(&db).await?;
            let done = migrate::migrate(&db, None).await?;
            if done.is_empty() {
                eprintln!("数据库结构已是最新（{}）", db.kind());
            } else {
                eprintln!("已完成结构迁移 {:?}（{}）", done, db.kind());
            }
            Ok(())
        }
        Command::Export { site, db, year } => {
            let portal = Portal::load(&site)?;
            let db = open(&db).await?;
            migrate::check_current(&db).await?;
            let report = export::export(&db, &site, &portal.units, year).await?;
            for f in &report.written {
                eprintln!("已写出 {f}");
            }
            for (f, why) in &report.kept {
                eprintln!("未替换 {f}：{why}");
            }
            if report.written.is_empty() && report.kept.is_empty() {
                eprintln!("{year}年度没有要导出的内容（或导出的文件已是最新）");
            }
            Ok(())
        }
        Command::Backup { db, out } => {
            let db = open(&db).await?;
            // every applicant's details and every password hash: readable by the owner only
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options
                .open(&out)
                .map_err(|e| format!("无法新建备份文件 {}：{e}（已有的文件不会被覆盖）", out.display()))?;
            let mut w = std::io::BufWriter::new(file);
            let n = backup::backup(&db, &mut w).await?;
            let file = w.into_inner().map_err(|e| format!("无法写出备份：{e}"))?;
            file.sync_all().map_err(|e| format!("无法写出备份：{e}"))?;
            eprintln!("已备份 {n} 行到 {}", out.display());
            Ok(())
        }
        Command::Restore { db, from } => {
            let db = open(&db).await?;
            migrate::check_current(&db).await?;
            let file = std::fs::File::open(&from).map_err(|e| format!("无法打开备份文件 {}：{e}", from.display()))?;
            let n = backup::restore(&db, std::io::BufReader::new(file)).await?;
            eprintln!("已恢复 {n} 行");
            Ok(())
        }
        Command::Purge { db, older_than, today } => {
            if !(0..=retention::MAX_DAYS).contains(&older_than) {
                return Err(format!("--older-than 须为 0 到 {} 之间的天数（一百年以内）", retention::MAX_DAYS));
            }
            let db = open(&db).await?;
            migrate::check_current(&db).await?;
            let today = today.unwrap_or_else(gongkai::load::today_in_china);
            let p = retention::purge(&db, today, older_than).await.map_err(|e| e.to_string())?;
            eprintln!("已清除 {} 件申请的个人信息、{} 份问卷的意见", p.cases, p.remarks);
            Ok(())
        }
        Command::User { action: UserCmd::Add { name, db, admin, unit } } => {
            let password = password()?;
            let db = open(&db).await?;
            migrate::check_current(&db).await?;
            users::add(&db, &name, &password, admin, &unit).await?;
            eprintln!("已新建账号「{name}」");
            Ok(())
        }
        // handled in main, before the runtime starts
        Command::Assess(_) => Err("assess 不在异步运行时中运行".into()),
        Command::User { action: UserCmd::Disable { name, db } } => {
            let db = open(&db).await?;
            migrate::check_current(&db).await?;
            users::set_disabled(&db, &name, true).await?;
            eprintln!("已停用账号「{name}」");
            Ok(())
        }
        Command::User { action: UserCmd::Enable { name, db } } => {
            let db = open(&db).await?;
            migrate::check_current(&db).await?;
            users::set_disabled(&db, &name, false).await?;
            eprintln!("已重新启用账号「{name}」");
            Ok(())
        }
        Command::User { action: UserCmd::Passwd { name, db } } => {
            let password = password()?;
            let db = open(&db).await?;
            migrate::check_current(&db).await?;
            users::set_password(&db, &name, &password).await?;
            eprintln!("已重设账号「{name}」的密码");
            Ok(())
        }
        Command::Campaign { action: CampaignCmd::Add { db, id, name, from, to, unit } } => {
            let db = open(&db).await?;
            migrate::check_current(&db).await?;
            campaigns::add(&db, &Campaign { id: id.clone(), name, unit, opens: from, closes: to }).await?;
            eprintln!("已新建评议「{id}」");
            Ok(())
        }
    }
}

/// A password from GONGKAI_DESK_PASSWORD, else the first line of standard input.
fn password() -> Result<String, String> {
    match std::env::var("GONGKAI_DESK_PASSWORD") {
        Ok(p) => Ok(p),
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(|e| format!("无法读取密码：{e}"))?;
            Ok(line.trim_end_matches(['\n', '\r']).to_owned())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // the bureau's assess is synchronous (the library's), with its own small runtime for PostgreSQL
    let cli = match cli.command {
        Command::Assess(a) => return gongkai_desk::province::run(a),
        command => Cli { command },
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误: 无法启动：{e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误: {e}");
            ExitCode::FAILURE
        }
    }
}
