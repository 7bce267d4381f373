use std::path::Path;

use super::*;

fn err(text: &str) -> String {
    parse(Path::new("/b"), text).unwrap_err().to_string()
}

#[test]
fn chinese_and_english_keys_read_alike() {
    let zh = "考核年度: 2026\n站点: ..\n名单:\n  - 名称: 甲单位\n    统一社会信用代码: 91620400MA71QX3D8C\n    目录: a\n    县区: 白银区\n    主管部门: 市住建局\n    行业: 供水\n  - 名称: 乙单位\n    网址: http://127.0.0.1:8000\n";
    let en = "year: 2026\nsite: ..\nroster:\n  - name: 甲单位\n    code: 91620400MA71QX3D8C\n    slug: a\n    county: 白银区\n    department: 市住建局\n    sector: 供水\n  - name: 乙单位\n    url: http://127.0.0.1:8000\n";
    let b = parse(Path::new("/b"), zh).unwrap();
    assert_eq!(b, parse(Path::new("/b"), en).unwrap());
    assert_eq!(b.year, 2026);
    assert_eq!(b.period(), (jiff::civil::date(2026, 1, 1), jiff::civil::date(2026, 12, 31)));
    assert_eq!(b.roster[0].source, Source::Site(Path::new("/").to_path_buf()));
    assert_eq!(b.roster[0].county.as_deref(), Some("白银区"));
    assert_eq!(b.roster[1].source, Source::Url("http://127.0.0.1:8000/".into()));
}

#[test]
fn mistakes_are_named_where_they_are() {
    assert_eq!(
        err("考核年度: 2026\n站点: .\n名单:\n  - 名称: 甲\n    县市: 白银区\n"),
        "bureau.yaml:5:5: 配置文件有误：不认识的项「县市」。是不是「县区」？可以写：名称、代码、统一社会信用代码、目录、县区、所在县区、主管部门、行业、站点、生成目录、网址"
    );
    assert_eq!(
        err("考核年度: 26\n站点: .\n名单:\n  - 名称: 甲\n"),
        "bureau.yaml:1:7: 配置文件有误：考核年度「26」不对：写四位数的年份，如 2026"
    );
    assert!(err("站点: .\n名单:\n  - 名称: 甲\n").contains("缺少「考核年度」"));
    assert_eq!(
        err("考核年度: 2026\n名单:\n  - 名称: 甲\n"),
        "bureau.yaml:3:9: 配置文件有误：没有写「甲」的数据在哪里：写「站点」（站点文件夹）、「生成目录」（生成的 public 文件夹）或「网址」（网站地址）之一，或在文件开头写全体单位共用的一个"
    );
    assert_eq!(
        err("考核年度: 2026\n站点: .\n名单:\n  - 名称: 甲\n  - 名称: 甲\n"),
        "bureau.yaml:5:9: 配置文件有误：名单中「甲」出现了两次（第一次在第 4 行）：每个单位只列一次"
    );
    assert_eq!(
        err("考核年度: 2026\n名单:\n  - 名称: 甲\n    站点: .\n    网址: http://x/\n"),
        "bureau.yaml:5:9: 配置文件有误：「网址」和前面的来源只能写一个：每个单位的数据只从一处读取"
    );
    assert_eq!(
        err("考核年度: 2026\n网址: ftp://x/\n名单:\n  - 名称: 甲\n"),
        "bureau.yaml:2:5: 配置文件有误：网址「ftp://x/」不对：写成 http://主机/ 或 https://主机/路径/，不带 ? 和 #"
    );
    assert!(err("考核年度: 2026\n站点: .\n名单: []\n").contains("名单是空的"));
    assert_eq!(
        err("考核年度: 2026\n站点: s\n名单:\n  - 名称: 甲\n    目录: a\n  - 名称: 乙\n    目录: a\n"),
        "bureau.yaml:6:9: 配置文件有误：「乙」和「甲」是 /b/s 中的同一个单位（目录 a）：每个单位只列一次"
    );
}

#[test]
fn a_missing_file_says_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let e = read(dir.path()).unwrap_err().to_string();
    assert!(e.contains("里没有 bureau.yaml"), "{e}");
}

#[test]
fn relative_folders_are_named_plainly() {
    assert_eq!(beside(Path::new("bureau"), ".."), Path::new("."));
    assert_eq!(beside(Path::new("."), ".."), Path::new(".."));
    assert_eq!(beside(Path::new("b"), "../sites/a"), Path::new("sites/a"));
    assert_eq!(beside(Path::new("/x/b"), "/srv/public"), Path::new("/srv/public"));
}
