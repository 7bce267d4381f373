//! Generate a portal of N fictional units for benchmarks and smoke tests.
//!
//!     cargo run --release --example gen_portal -- --units 1000 --out /tmp/portal
//!
//! Deterministic: the same N gives byte-identical files (a fixed-seed generator, no clock). Units
//! rotate through the sectors; each has about 20 pages (overview, fees, commitments, supervision,
//! request, 4–6 services with a Markdown sample form each, 4–6 notices, two lists) and the items
//! of its sector's pack (a hospital's departments and 健康科普, a bus company's routes...). One
//! unit in ten is incomplete in a controlled way so that `check` has findings to report:
//! every 10th lacks a fee basis, every 20th still has a 待补充 placeholder, every 50th has a YAML
//! syntax error in its commitments, every 100th plants a personal mobile in a notice.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// A small fixed-seed generator (PCG-style LCG): the same sequence on every machine and version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
}

const SECTORS: &[(&str, &str, &str)] = &[
    ("school", "学校", "中学"),
    ("hospital", "医院", "医院"),
    ("water", "供水", "供水有限公司"),
    ("power", "供电", "供电公司"),
    ("gas", "供气", "燃气有限公司"),
    ("heating", "供热", "热力有限公司"),
    ("transit", "公共交通", "公交有限公司"),
];
const PLACES: &[&str] = &["白银区", "平川区", "会宁县", "靖远县", "景泰县"];
const ROADS: &[&str] = &["人民路", "北京路", "友好路", "四龙路", "公园路", "水川路", "兰州路", "长通路", "诚信大道"];
const NAMES: &[&str] =
    &["金鼎", "清源", "仁和", "铜城", "银光", "水川", "黄河", "西区", "长征", "永安", "新华", "阳光"];
const SURNAMES: &[&str] = &["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "马", "孙"];
const GIVEN: &[&str] = &["国栋", "晓燕", "海峰", "文涛", "静", "建国", "立新", "淑芬", "志远", "慧敏", "振华", "玉兰"];
const SENTENCES: &[&str] = &[
    "本单位坚持以公开为常态、不公开为例外，及时更新办事信息。",
    "办理过程中如有疑问，可拨打便民服务电话咨询，工作人员将一次性告知所需材料。",
    "为方便群众办事，窗口实行首问负责制和限时办结制。",
    "相关费用严格按照价格主管部门核定的标准收取，不得擅自增加收费项目。",
    "请申请人如实填写申请材料，并对材料的真实性负责。",
    "办理结果将通过电话或短信告知申请人，也可到窗口查询。",
    "节假日期间值班电话照常接听，紧急情况请拨打服务热线。",
    "本单位欢迎社会各界监督，对反映的问题将认真核实并及时答复。",
    "施工期间给您带来的不便，敬请谅解。",
    "具体安排如有调整，以本网站最新通知为准。",
];
const SERVICES: &[&str] = &[
    "业务报装",
    "过户变更",
    "销户办理",
    "费用查询",
    "证明开具",
    "资料复印",
    "预约服务",
    "投诉受理",
    "退费申请",
    "设施报修",
];
const NOTICES: &[&str] = &[
    "计划停止服务通知",
    "营业时间调整",
    "年度服务计划",
    "设施改造方案",
    "收费标准调整说明",
    "节假日服务安排",
    "服务网点变更",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let units: usize = get("--units").and_then(|n| n.parse().ok()).unwrap_or(100);
    let Some(out) = get("--out").map(PathBuf::from) else {
        eprintln!("usage: gen_portal --units N --out DIR");
        std::process::exit(2);
    };
    if out.join("content").exists() {
        eprintln!("{} already holds a portal; choose an empty folder", out.display());
        std::process::exit(2);
    }
    fs::create_dir_all(out.join("content")).expect("create output folder");
    fs::write(
        out.join("gongkai.yaml"),
        format!(
            "title: 示例市公共企事业单位信息公开平台（{units} 个单位，生成）\nbase_url: https://gongkai.example/\ntoday: 2026-11-27\n期限:\n  baiyin-2021/annual-report-deadline: 01-31\n"
        ),
    )
    .expect("write config");
    let mut files = 0;
    for i in 0..units {
        files += unit(&out.join("content"), i);
    }
    println!("{units} units, {files} files in {}", out.display());
}

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        fs::create_dir_all(p).expect("create folder");
    }
    fs::write(path, text).expect("write file");
}

fn phone(rng: &mut Rng) -> String {
    format!("0943-8{:06}", rng.below(1_000_000))
}

fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

fn paragraph(rng: &mut Rng, sentences: usize) -> String {
    (0..sentences).map(|_| rng.pick(SENTENCES)).collect()
}

/// Write one unit; returns the number of files.
fn unit(content: &Path, i: usize) -> usize {
    let mut rng = Rng(0x5EED ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let (sector, sector_zh, kind) = SECTORS[i % SECTORS.len()];
    let slug = format!("{sector}-{i:05}");
    let dir = content.join(&slug);
    let name = format!("示例市{}{}{}", rng.pick(NAMES), rng.pick(PLACES).trim_end_matches(['区', '县']), kind);
    let address = format!("示例市{}{}{}号", rng.pick(PLACES), rng.pick(ROADS), rng.range(1, 300));
    let mut files = 0;

    let mut u = format!(
        "单位名称: {name}\n行业: {sector_zh}\n职能权限:\n  - 提供{sector_zh}公共服务，保障服务质量和安全\n  - 受理群众办事申请和咨询\n  - 按规定公开服务信息\n\
         服务范围: {}城区及周边的居民和单位\n办公地点: {address}\n便民服务电话: {}\n办公时间: 周一至周五 8:30-12:00，14:30-18:00\n窗口单位领导:\n",
        rng.pick(PLACES),
        phone(&mut rng)
    );
    for post in ["负责人", "副职", "副职"] {
        let _ = write!(u, "  - 姓名: {}\n    职务: {post}\n    工作分工: {}\n", person(&mut rng), rng.pick(SENTENCES));
        if sector == "hospital" {
            let _ = writeln!(u, "    科室: {}", rng.pick(&["院办公室", "医务科", "门诊部", "护理部"]));
        }
    }
    u.push_str("岗位职责:\n");
    for post in ["综合窗口", "收费窗口", "咨询服务"] {
        let _ = write!(
            u,
            "  - 岗位: {post}\n    职责:\n      - {}\n      - {}\n",
            rng.pick(SENTENCES),
            rng.pick(SENTENCES)
        );
    }
    let _ = write!(
        u,
        "工作标准:\n  - 首问负责，一次告知\n  - 限时办结\n行为规范:\n  - 文明接待，佩戴工作牌\n  - 不得收受财物\n更新日期: 2026-{:02}-{:02}\n",
        rng.range(1, 9),
        rng.range(1, 28)
    );
    u.push_str(&sector_overview(sector, &mut rng));
    if i % 20 == 5 {
        u = u.replace(&format!("办公地点: {address}"), "办公地点: 待补充");
    }
    write(&dir.join("unit.yaml"), &u);
    files += 1;

    let mut fees = String::from("收费项目:\n");
    for k in 0..rng.range(3, 8) {
        let basis = if i % 10 == 3 && k == 0 {
            String::new()
        } else {
            format!("    收费依据: 示例市发展和改革委员会价格批复第{}号\n", rng.range(1, 99))
        };
        let _ = write!(
            fees,
            "  - 项目名称: 服务项目{}\n{basis}    收费标准: {}.{:02} 元/次\n    备注: {}\n",
            k + 1,
            rng.range(1, 200),
            rng.below(100),
            rng.pick(SENTENCES)
        );
        if sector == "school" {
            fees.push_str("    收费范围: 自愿参加的在校学生\n    计费单位: 每生每学期\n");
        }
    }
    fees.push_str(match sector {
        "hospital" => {
            "医保服务信息:\n  - 本院为城乡居民和城镇职工基本医疗保险定点医疗机构\n  - 住院费用出院时直接结算\n"
        }
        "power" => "电价政策文件:\n  - 甘肃省发展和改革委员会关于电网销售电价的通知\n",
        _ => "",
    });
    fees.push_str("更新日期: 2026-01-01\n");
    write(&dir.join("fees.yaml"), &fees);
    files += 1;

    let mut commitments = String::from("服务承诺:\n");
    for _ in 0..rng.range(2, 4) {
        let _ = write!(
            commitments,
            "  - 承诺事项: {}\n    服务标准: {} 个工作日内办结\n    违约责任: 超时未办结的，对责任人通报批评\n    处理办法: 拨打监督电话投诉，3 个工作日内答复\n",
            rng.pick(SERVICES),
            rng.range(1, 10)
        );
    }
    if i % 50 == 7 {
        commitments.push_str("  - 承诺事项: \"未闭合的引号\n");
    }
    write(&dir.join("commitments.yaml"), &commitments);
    files += 1;

    let supervision = format!(
        "监督电话: {p}\n监督窗口: 营业厅监督窗口\n监督信箱: 营业厅大厅意见信箱\n社会监督员:\n  - 姓名: {a}\n    联系方式: {c}\n  - 姓名: {b}\n    联系方式: sv{m}{n:04}@example.cn\n\
         投诉电话: {p}\n传真号码: {f}\n电子信箱: jiandu{i}@example.cn\n意见箱: 营业厅入口处\n通讯地址: {address}\n邮政编码: 7309{z:02}\n\
         监督机构: 示例市{s}行业主管部门\n违规处理规定: 工作人员违规违纪的，按单位奖惩办法处理；查实的投诉 10 个工作日内答复。\n更新日期: 2026-01-01\n",
        p = phone(&mut rng),
        a = person(&mut rng),
        b = person(&mut rng),
        c = phone(&mut rng),
        m = rng.range(5, 9),
        n = rng.below(10_000),
        f = phone(&mut rng),
        z = rng.below(100),
        s = sector_zh,
    );
    let supervision = supervision.replace(
        "更新日期:",
        match sector {
            "hospital" => "咨询方式:\n  - 门诊服务中心现场咨询\n  - 医院网站和服务热线\n更新日期:",
            "power" => "能源监管热线: \"12398\"\n更新日期:",
            "transit" => "行业监督电话: 12328\n投诉受理制度:\n  - 接到投诉 7 个工作日内答复\n更新日期:",
            _ => "更新日期:",
        },
    );
    write(&dir.join("supervision.yaml"), &supervision);
    files += 1;

    // 第七条: the review mechanism, as the unit's 公开制度
    let policy = String::from(
        "---\n标题: 信息公开保密审查制度\n类别: 保密审查制度\n发布日期: 2026-03-01\n---\n\
         拟公开的信息由承办科室自查、办公室复核、分管负责人审定，不能确定是否可以公开的报主管部门确定。\n",
    );
    write(&dir.join("policies/保密审查制度.md"), &policy);
    files += 1;

    // 《考核办法》第七条(三): the 2025 年度报告, its six sections, and its request figures
    let sections = [
        "一、总体情况",
        "二、主动公开情况",
        "三、收到和处理申请情况",
        "四、被申请行政复议、提起行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ];
    let mut report = String::from("---\n年度: 2025\n发布日期: 2026-01-20\n---\n");
    for s in sections {
        report.push_str(&format!("\n## {s}\n\n{}\n", paragraph(&mut rng, 2)));
    }
    write(&dir.join("reports/2025.md"), &report);
    let (new, granted) = (rng.range(0, 20), rng.range(0, 5));
    let granted = granted.min(new);
    write(
        &dir.join("requests/2025.yaml"),
        &format!(
            "年度: 2025\n新收申请数量: {new}\n上年结转: 0\n予以公开: {granted}\n部分公开: {}\n不予公开: 0\n无法提供: 0\n不予处理: 0\n其他处理: 0\n结转下年度继续办理: 0\n行政复议: 0\n行政诉讼: 0\n",
            new - granted
        ),
    );
    files += 2;

    for k in 0..rng.range(4, 6) {
        let title = format!("{}（{}）", rng.pick(SERVICES), k + 1);
        let service = format!(
            "---\n事项名称: {title}\n办事依据: 《示例市公共服务管理办法》第{}条\n办事时限: {} 个工作日\n办事流程:\n  - 提交申请\n  - 窗口受理审核\n  - 办理完成并告知结果\n\
             办事结果: 办结并出具凭证\n申请材料:\n  - 申请人身份证件\n  - 申请表\n示范文本:\n  - 名称: {title}申请表\n    文件: attachments/表{k}.md\n更新日期: 2026-03-01\n---\n{}\n",
            rng.range(1, 40),
            rng.range(1, 15),
            paragraph(&mut rng, 4)
        );
        write(&dir.join(format!("services/事项{k}.md")), &service);
        let form = format!(
            "# {title}申请表（填写样例）\n\n| 项目 | 填写内容 |\n|---|---|\n| 申请人 | {}某 |\n| 地址 | 示例市××路××号 |\n| 申请日期 | 2026 年 3 月 1 日 |\n",
            rng.pick(SURNAMES)
        );
        write(&dir.join(format!("attachments/表{k}.md")), &form);
        files += 2;
    }

    for k in 0..rng.range(4, 6) {
        let mut body = format!("## 主要内容\n\n{}\n\n## 具体安排\n\n", paragraph(&mut rng, 3));
        for step in 1..=3 {
            let _ = writeln!(body, "{step}. {}", rng.pick(SENTENCES));
        }
        let _ = write!(
            body,
            "\n| 时间 | 区域 |\n|---|---|\n| 2026 年 {} 月 | {} |\n\n详见[收费项目](../fees.yaml)。\n",
            rng.range(1, 12),
            rng.pick(PLACES)
        );
        if i % 100 == 11 && k == 0 {
            body.push_str("\n联系人手机 13912345678。\n");
        }
        let notice = format!(
            "---\n标题: {}\n类别: {}\n发布日期: 2026-{:02}-{:02}\n---\n{body}",
            rng.pick(NOTICES),
            rng.pick(&["变动事项", "计划", "方案", "相关信息"]),
            // before the portal's today (2026-11-27): a later date would be a publication in the future
            rng.range(1, 10),
            rng.range(1, 28)
        );
        write(&dir.join(format!("notices/通知{k}.md")), &notice);
        files += 1;
    }
    // the kinds of notice a sector's pack asks for, and a bus company's routes
    let kinds: &[&str] = match sector {
        "hospital" => &["健康科普", "招标采购"],
        "power" => &["供电质量"],
        _ => &[],
    };
    for kind in kinds {
        let notice = format!(
            "---\n标题: 2026 年{kind}信息\n类别: {kind}\n发布日期: 2026-03-10\n---\n{}\n",
            paragraph(&mut rng, 3)
        );
        write(&dir.join(format!("notices/{kind}.md")), &notice);
        files += 1;
    }
    if sector == "transit" {
        for k in 1..=rng.range(2, 4) {
            let stops: String =
                (0..rng.range(6, 12)).map(|s| format!("  - {}{}站\n", rng.pick(ROADS), s + 1)).collect();
            let route = format!(
                "---\n线路名称: {k} 路\n站点名称:\n{stops}服务时间: 6:30-20:30\n运行方向: 双向\n票价: 1 元\n更新日期: 2026-06-01\n---\n{}\n",
                paragraph(&mut rng, 2)
            );
            write(&dir.join(format!("routes/{k}路.md")), &route);
            files += 1;
        }
    }
    files
}

/// The overview items of a sector's pack.
fn sector_overview(sector: &str, rng: &mut Rng) -> String {
    match sector {
        "hospital" => format!(
            "医疗机构执业许可证: PDY{:08}\n科室分布:\n  - 科室: 内科\n    位置: 门诊楼二层\n  - 科室: 外科\n    位置: 门诊楼三层\n\
             重点学科及医疗技术: 心血管内科\n公共卫生和应急处置流程:\n  - {}\n行风廉政建设:\n  - 不收受红包回扣\n",
            rng.below(100_000_000),
            rng.pick(SENTENCES)
        ),
        "power" => format!(
            "电力业务许可证: 1{:010}\n营业场所:\n  - {}{}号营业厅\n",
            rng.below(1_000_000_000),
            rng.pick(ROADS),
            rng.range(1, 300)
        ),
        "water" | "gas" | "heating" => format!(
            "服务网点:\n  - 名称: {}营业厅\n    地址: 示例市{}{}号\n    联系方式: {}\n    营业时间: 周一至周六 8:30-17:30\n\
             服务质量信息:\n  - 每月检测并公布服务质量指标\n",
            rng.pick(PLACES),
            rng.pick(ROADS),
            rng.range(1, 300),
            phone(rng)
        ),
        "transit" => "乘车规则:\n  - 先下后上，文明乘车\n乘客安全须知:\n  - 车辆行驶中请站稳扶好\n\
             禁止携带物品目录:\n  - 易燃、易爆、有毒物品\n应急设备使用方法:\n  - 安全锤位于车窗两侧，紧急时敲击玻璃四角\n\
             安全疏散标识:\n  - 车门上方设有应急出口标识\n"
            .to_string(),
        _ => String::new(),
    }
}
