//! The privacy rules, table-driven: each evasion form of the 第六条 issue with the exact rule and
//! masked text it must give, and the required content that must never be flagged in any form.

use super::*;

fn rules(text: &str) -> Vec<(Rule, String)> {
    scan(text, Context::default()).into_iter().map(|h| (h.rule, h.text)).collect()
}

/// The hits of a Markdown body, masked as a report shows them.
fn rendered(text: &str) -> Vec<(Rule, String)> {
    scan_reader(&Reader::markdown(text), text, Context::default()).into_iter().map(|h| (h.rule, shown(&h))).collect()
}

/// The hits of a plain text, masked as a report shows them.
fn plain(text: &str) -> Vec<(Rule, String)> {
    scan(text, Context::default()).into_iter().map(|h| (h.rule, shown(&h))).collect()
}

fn shown(h: &Hit) -> String {
    let m = h.rule.message(&h.text);
    m.split_once('「').and_then(|(_, r)| r.split_once('」')).map_or(m.clone(), |(t, _)| t.to_string())
}

/// ASCII `!`..`~` to their full-width forms, as a Chinese input method types them.
fn full_width(s: &str) -> String {
    s.chars().map(|c| if ('!'..='~').contains(&c) { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c }).collect()
}

/// Every ASCII digit as a decimal character reference.
fn entities(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_digit() { format!("&#{};", c as u32) } else { c.to_string() }).collect()
}

/// The text split in the middle by a `<span>`, as pasted from Word.
fn span_split(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let (a, b) = chars.split_at(chars.len() / 2);
    let (b, c) = b.split_at(b.len() / 2);
    let s = |x: &[char]| x.iter().collect::<String>();
    format!("{}<span style=\"font-family:宋体\">{}</span>{}", s(a), s(b), s(c))
}

const ID: &str = "110105********002X";
const MOBILE: &str = "139****5678";

#[test]
fn every_evasion_form_is_found_with_its_rule_and_masked_text() {
    use Rule::*;
    let id = |t: &str| vec![(IdNumber, t.to_string())];
    let mark = |t: &str| vec![(Classified, t.to_string())];
    #[rustfmt::skip]
    let table: Vec<(&str, Vec<(Rule, String)>)> = vec![
        // numbers next to other numbers
        ("张三 11010519491231002X 13912345678", vec![(IdNumber, ID.into()), (Mobile, MOBILE.into())]),
        ("13912345678 11010519491231002X", vec![(Mobile, MOBILE.into()), (IdNumber, ID.into())]),
        ("张三 360426199101010071 13912345678", vec![(IdNumber, "360426********0071".into()), (Mobile, MOBILE.into())]),
        ("张三 360426199101010071-13912345678", vec![(IdNumber, "360426********0071".into()), (Mobile, MOBILE.into())]),
        ("张三 110105 19491231 002X 139 1234 5678", vec![(IdNumber, ID.into()), (Mobile, MOBILE.into())]),
        ("编号 12345 11010519491231002X", id(ID)),
        // full-width digits and other separators
        ("身份证号１１０１０５１９４９１２３１００２Ｘ", id(ID)),
        ("110105　19491231　002X", id(ID)),
        ("110105－19491231－002X", id(ID)),
        ("110105–19491231–002X", id(ID)),
        ("110105.19491231.002X", id(ID)),
        ("110105·19491231·002X", id(ID)),
        ("110105\u{a0}19491231\u{a0}002X", id(ID)),
        ("1101\u{200b}0519491231\u{200d}002X", id(ID)),
        ("1101\u{ad}05194912\u{feff}31002X", id(ID)),
        ("手机１３９　１２３４　５６７８", vec![(Mobile, MOBILE.into())]),
        // character references
        ("&#49;&#49;&#48;&#49;0519491231002X", id(ID)),
        ("&#x31;1010519491231002&#88;", id(ID)),
        ("&#26426;&#23494;★", mark("机密★")),
        // split by HTML, in plain text too
        ("1101<span>0519</span>491231002X", id(ID)),
        // 15-digit first-generation numbers
        ("身份证 110105491231002", id("110105*****1002")),
        ("张三 110105491231002 13912345678", vec![(IdNumber, "110105*****1002".into()), (Mobile, MOBILE.into())]),
        // 密级 marks
        ("密级：机密", mark("密级:机密")),
        ("密级: 秘密", mark("密级: 秘密")),
        ("密级：绝密★10年", mark("密级:绝密★10年")),
        ("机　密★", mark("机 密★")),
        ("机\u{200b}密★五年", mark("机密★五年")),
        ("【秘　密】\n正文", mark("秘 密")),
    ];
    for (text, want) in &table {
        assert_eq!(&plain(text), want, "plain: {text:?}");
        assert_eq!(&rendered(text), want, "rendered: {text:?}");
    }
}

#[test]
fn markdown_evasions_are_found_in_the_rendered_text() {
    use Rule::*;
    let id = vec![(IdNumber, ID.to_string())];
    let mark = |t: &str| vec![(Classified, t.to_string())];
    #[rustfmt::skip]
    let table: Vec<(&str, Vec<(Rule, String)>)> = vec![
        ("身份证号 1101<span>0519</span>491231002X。", id.clone()),
        ("<p>1101<span lang=\"EN-US\">0519</span><span>491231002X</span></p>", id.clone()),
        ("**1101**0519491231002X", id.clone()),
        ("1101*0519*491231002X", id.clone()),
        ("1101`0519`491231002X", id.clone()),
        ("1101\n0519491231002X", id.clone()),
        ("1101\n\n0519491231002X", vec![]),
        ("[电话](tel:13912345678)", vec![(Mobile, MOBILE.into())]),
        ("<a href=\"tel:13912345678\">电话</a>", vec![(Mobile, MOBILE.into())]),
        ("# 机密", mark("机密")),
        ("## 绝密★", mark("绝密★")),
        ("# 机密★\n\n张三", mark("机密★")),
        ("机密★\n密级：秘密", vec![(Classified, "机密★".into()), (Classified, "密级:秘密".into())]),
        ("- 机密★5年", mark("机密★5年")),
        ("1. 秘密★长期", mark("秘密★长期")),
        ("**机密**★", mark("机密★")),
        ("**机密**", mark("机密")),
        ("> 秘密★10年", mark("秘密★10年")),
        ("> **密级**：机密", mark("密级:机密")),
        ("| 密级 | 机密★ |\n| --- | --- |\n| 1 | 2 |", mark("密级 机密★")),
        ("| 密级 | 机密 |\n| --- | --- |", mark("密级 机密")),
    ];
    for (text, want) in &table {
        assert_eq!(&rendered(text), want, "{text:?}");
    }
}

#[test]
fn hits_are_placed_at_their_source() {
    let text = "第一行\n\n身份证号 １１０１<span>0519</span>491231002X\n\n# 机　密★\n";
    let hits = scan_reader(&Reader::markdown(text), text, Context::default());
    let at: Vec<(Rule, &str)> = hits.iter().map(|h| (h.rule, &text[h.start..])).collect();
    assert!(at[0].1.starts_with("１１０１<span>") && at[0].0 == Rule::IdNumber, "{at:?}");
    assert!(at[1].1.starts_with("机　密★") && at[1].0 == Rule::Classified, "{at:?}");
    let mut out = Vec::new();
    scan_markdown(text, 10, "x.md", &mut out);
    let pos: Vec<_> = out.iter().map(|l| l.pos.unwrap()).collect();
    assert_eq!(pos, [crate::yaml::Pos::new(12, 6), crate::yaml::Pos::new(14, 3)]);
}

#[test]
fn required_content_is_never_flagged_in_any_form() {
    let ok = [
        "0943-8221234",
        "(0943)8221234",
        "09438221234",
        "95598",
        "96777",
        "400-820-1234",
        "12345",
        "12320",
        "热线 95598、96777、12345，400-820-1234",
        "91620400MA71QX3D8C",
        "12620400MB1A2B3C4U",
        "统一社会信用代码 91620400MA71QX3D8C 12620400MB1A2B3C4U",
        "邮编 730900",
        "2026-08-25",
        "2026年11月29日 2026.11.29 2026/11/29",
        "依据《保守国家秘密法》保护国家秘密和商业秘密",
        "保密审查",
        "138****1234",
        "620402********1234",
        "138****1234 620402********1234",
        "3.10 元/立方米",
        "工作人员岗位职责",
        "订单号 2026112900012345678",
        "订单号 2026112900012345 2026112900012346 2026112900012347",
        "发票代码 062002300111 发票号码 04567891",
        "发票代码 162002300111 发票号码 14567891 04567892",
        "发票号码 24622000000012345678 24622000000012345679",
        "ISBN 978-7-111-12345-6",
        "ISBN 978-7-111-12345-6 978-7-5442-1234-5 978-7-02-012345-8",
        "9787111123456 9787544212345 9787020123458",
        "IP 192.168.100.101 版本 1.2.3.4567",
        "户号 0123456789 0123456790",
        "电话 0943-8221234 0943-8221235 传真 0943-8221236",
    ];
    for text in ok {
        for form in [text.to_string(), full_width(text), entities(text), span_split(text)] {
            assert_eq!(plain(&form), [], "plain: {form}");
            assert_eq!(rendered(&form), [], "rendered: {form}");
        }
    }
}

#[test]
fn resident_ids_need_date_and_check_digit() {
    assert!(is_resident_id("11010519491231002X"));
    assert!(is_resident_id("360426199101010071"));
    assert!(!is_resident_id("360426199101010072"), "wrong check digit");
    assert!(!is_resident_id("360426199102300071"), "30 February");
    assert!(!is_resident_id("91620400MA71QX3D8C"));
    assert_eq!(rules("身份证号：11010519491231002x。"), [(Rule::IdNumber, "11010519491231002X".into())]);
    assert_eq!(rules("编号 360426199101010072"), []);
}

#[test]
fn first_generation_ids_need_a_province_and_a_date_in_the_1900s() {
    assert!(is_resident_id_15("110105491231002"));
    assert!(is_resident_id_15("620402850315123"));
    assert!(!is_resident_id_15("110105490230002"), "30 February");
    assert!(!is_resident_id_15("110105491331002"), "month 13");
    assert!(!is_resident_id_15("990105491231002"), "no province 99");
    assert!(!is_resident_id_15("202611290000123"), "an order number");
    assert_eq!(rules("编号 110105491231002X"), [], "16 characters");
    assert_eq!(rules("编号 1101054912310021"), [], "16 digits");
}

#[test]
fn bank_cards_need_62_and_luhn() {
    assert!(luhn("79927398713"));
    assert!(!luhn("79927398710"));
    // build a valid UnionPay number: 621700123456789012 + its check digit
    let base = "621700123456789012";
    let check = (0..10).find(|d| luhn(&format!("{base}{d}"))).unwrap();
    let valid = format!("{base}{check}");
    assert_eq!(rules(&format!("账号 {valid}")), [(Rule::BankCard, valid.clone())]);
    let spaced = format!("{} {} {} {}", &valid[..4], &valid[4..8], &valid[8..12], &valid[12..]);
    assert_eq!(rules(&spaced), [(Rule::BankCard, valid.clone())], "{spaced}");
    assert_eq!(
        plain(&format!("{} 13912345678", full_width(&spaced))),
        [(Rule::BankCard, format!("6217***********{}", &valid[15..])), (Rule::Mobile, MOBILE.into())]
    );
    let invalid = format!("{base}{}", (check + 1) % 10);
    assert_eq!(rules(&invalid), []);
}

#[test]
fn mobiles_only_outside_contact_fields_and_never_masked() {
    assert_eq!(rules("联系人手机 13912345678"), [(Rule::Mobile, "13912345678".into())]);
    assert_eq!(rules("电话 139 1234 5678。"), [(Rule::Mobile, "13912345678".into())]);
    assert_eq!(rules("+86 139 1234 5678"), [(Rule::Mobile, "8613912345678".into())]);
    assert_eq!(rules("138****1234"), []);
    assert_eq!(rules("138****1234 13912345678"), [(Rule::Mobile, "13912345678".into())]);
    let cx = Context { contact_field: true };
    assert!(scan("13912345678", cx).is_empty());
    assert!(scan("１３９１２３４５６７８", cx).is_empty());
}

#[test]
fn classification_marks() {
    assert_eq!(rules("机密★5年"), [(Rule::Classified, "机密★5年".into())]);
    assert_eq!(rules("秘密★"), [(Rule::Classified, "秘密★".into())]);
    assert_eq!(rules("绝密 10年 关于……"), [(Rule::Classified, "绝密 10年".into())]);
    assert_eq!(rules("【机密】\n正文"), [(Rule::Classified, "机密".into())]);
    assert_eq!(rules("国家秘密"), []);
    assert_eq!(rules("密级：公开"), []);
    assert_eq!(rules("有机密封圈"), []);
}

#[test]
fn internal_marks_are_warnings() {
    let r = rules("（征求意见稿）内部资料 不得外传");
    assert_eq!(r.iter().map(|(r, _)| *r).collect::<Vec<_>>(), [Rule::InternalMark; 3]);
    assert_eq!(Rule::InternalMark.severity(), Severity::Warning);
    assert_eq!(Rule::IdNumber.severity(), Severity::Error);
}

#[test]
fn credit_codes() {
    assert!(is_credit_code("91620400MA71QX3D8C"));
    assert!(is_credit_code("12620400MB1A2B3C4U"));
    assert!(!is_credit_code("91620400MA71QX3D8D"));
}

#[test]
fn messages_never_repeat_the_full_number() {
    assert_eq!(
        Rule::IdNumber.message("11010519491231002X"),
        "含有居民身份证号码「110105********002X」，属于个人隐私，不得公开"
    );
    assert!(Rule::Mobile.message("13912345678").contains("139****5678"));
    for text in ["张三 １１０１０５１９４９１２３１００２Ｘ", "1101<span>0519</span>491231002X 13912345678"]
    {
        for h in scan(text, Context::default()) {
            let m = h.rule.message(&h.text);
            assert!(!m.contains("11010519491231002X") && !m.contains("13912345678"), "{m}");
        }
    }
}

#[test]
fn odd_input_never_panics() {
    for text in [
        "&",
        "&#",
        "&#;",
        "&#x110000;",
        "&#0;",
        "<",
        "<a",
        "<a href=\"",
        "<!--",
        "</>",
        "**",
        "`",
        "\\",
        "1\u{300}2",
        "\u{fdfa}",
        "１\u{ad}",
        "<span>&#49;</span>&#x",
        "[a](<tel:1>",
        "\n\n# \u{3000}\n",
    ] {
        let _ = scan(text, Context::default());
        let _ = rendered(text);
        let _ = rendered(&text.repeat(3));
    }
}

#[test]
fn an_id_right_after_a_latin_label_is_found_and_codes_are_not() {
    // found in review: `No…`, `ID…` and a <summary> run straight into the number
    for text in
        ["ID11010519491231002X", "No11010519491231002X。", "身份证号:ID11010519491231002X", "x11010519491231002X"]
    {
        assert_eq!(plain(text), [(Rule::IdNumber, "110105********002X".to_string())], "{text}");
    }
    assert_eq!(
        rendered("<details><summary>x</summary>11010519491231002X</details>\n"),
        [(Rule::IdNumber, "110105********002X".to_string())]
    );
    // codes that carry letters stay unflagged: a credit code, an order number of 19 digits, an
    // 18-digit run after letters that is no valid ID (wrong check character)
    for text in ["91620400MA71QX3D8C", "SN1101051949123100211", "NO110105194912310021"] {
        assert_eq!(plain(text), [], "{text}");
    }
}

/// What an HTML comment hides from a page is still published where the text is shown as
/// written (open data publishes a Markdown body's source; a YAML value is shown escaped), so the
/// scans read inside comments, as they read link targets and attributes.
#[test]
fn a_number_inside_an_html_comment_is_found_in_the_source() {
    let text = "收费标准见附件。<!-- 经办人 11010519491231002X -->";
    assert_eq!(plain(text), vec![(Rule::IdNumber, ID.to_string())]);
    assert_eq!(plain("<!--\n13912345678\n-->"), vec![(Rule::Mobile, MOBILE.to_string())]);
    assert_eq!(rendered(text), vec![(Rule::IdNumber, ID.to_string())]);
}
