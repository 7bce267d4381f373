//! `gongkai.yaml`: the optional site configuration.
//!
//! Read once by `load`; every key has an English and a Chinese spelling. With no file at all the
//! embedded defaults apply (the `baiyin-2021` pack, no base URL).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Site configuration. Unknown keys are errors (exit 2) so a typo never silently changes behaviour.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The portal's title (e.g. 白银市公共企事业单位信息公开平台).
    #[serde(default, alias = "站点名称", alias = "标题")]
    pub title: Option<String>,
    /// The address the site is published at; used for absolute links and QR codes.
    #[serde(default, alias = "网址")]
    pub base_url: Option<String>,
    /// Rule packs to apply, by id (built-in or from the site's `rules/` folder).
    #[serde(default, alias = "规则包")]
    pub packs: Option<Vec<String>>,
    /// Per-unit settings, by unit folder name.
    #[serde(default, alias = "单位")]
    pub units: BTreeMap<String, UnitConfig>,
    /// Where the missing-items report goes.
    #[serde(default, alias = "报告")]
    pub report: ReportConfig,
    /// Theme name: `themes/<name>/` in the site, laid over the built-in default theme.
    #[serde(default, alias = "主题")]
    pub theme: Option<String>,
    /// The date deadlines are judged on, instead of today (`--today` overrides it). For an example
    /// or an archive whose dated content must stay valid; a live site leaves it out.
    #[serde(default, alias = "检查日期")]
    pub today: Option<String>,
    /// Local days off and make-up working days, added to the national calendar.
    #[serde(default, alias = "日历")]
    pub calendar: crate::calendar::LocalDays,
    /// The dates of the rules whose pack leaves the date to the site (`by: site`), by rule id:
    /// `baiyin-2021/annual-report-deadline: 01-31`.
    #[serde(default, alias = "期限")]
    pub deadlines: BTreeMap<String, String>,
    /// What the footer of every page says about the portal (主办单位, 备案号...).
    #[serde(default, alias = "页脚")]
    pub footer: FooterConfig,
    /// The site search (`search.html` and its index under `search/`); on unless `false`.
    #[serde(default, alias = "站内搜索")]
    pub search: Option<bool>,
    /// The address of the 依申请公开 and 社会评议 desk (`gongkai-desk`) the request pages post
    /// to, as written with where it was written; read it through [`Config::desk`].
    #[serde(default, alias = "受理平台")]
    pub desk: Option<serde_saphyr::Spanned<String>>,
}

/// The facts a Chinese government portal shows in its footer; each is left out when not set.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FooterConfig {
    /// 主办单位: the body that runs the portal.
    #[serde(default, alias = "主办单位")]
    pub sponsor: Option<String>,
    /// 联系方式: how to reach the portal's maintainers (a phone number or an e-mail address).
    #[serde(default, alias = "联系方式")]
    pub contact: Option<String>,
    /// 网站标识码 of a government website.
    #[serde(default, alias = "网站标识码")]
    pub site_code: Option<String>,
    /// ICP备案号 (`陇ICP备12345678号`), linked to the MIIT filing system.
    #[serde(default, alias = "ICP备案号")]
    pub icp: Option<String>,
    /// 公安机关备案号 (`甘公网安备62040202000001号`), linked to its record in the MPS filing system.
    #[serde(default, alias = "公安机关备案号", alias = "公安备案号")]
    pub police: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UnitConfig {
    /// The unit's sector, when its `unit.yaml` does not say.
    #[serde(default, alias = "行业")]
    pub sector: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// Also publish the report on the site (default: no, it goes to `gongkai-report/`).
    #[serde(default, alias = "公开")]
    pub publish: bool,
}

/// The packs applied when the configuration names none: the municipal baseline, the national
/// deadline, and every built-in sector pack (each applies only to units of its sectors).
pub(crate) fn default_packs() -> Vec<String> {
    crate::pack::BUILTIN.iter().map(|(name, _)| name.trim_end_matches(".yaml").to_string()).collect()
}

impl FooterConfig {
    /// Each value that is set, with its name as `gongkai.yaml` writes it (for the 第六条 scan).
    pub(crate) fn values(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("主办单位", &self.sponsor),
            ("联系方式", &self.contact),
            ("网站标识码", &self.site_code),
            ("ICP备案号", &self.icp),
            ("公安机关备案号", &self.police),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_deref().map(|v| (name, v)))
    }

    /// The footer without the values that hold what 第六条 forbids (an ID number, a bank card,
    /// a classification mark): those are never published; `check` reports them.
    pub(crate) fn publishable(&self) -> FooterConfig {
        let keep = |v: &Option<String>| v.clone().filter(|t| !crate::privacy::forbids(t));
        FooterConfig {
            sponsor: keep(&self.sponsor),
            contact: keep(&self.contact),
            site_code: keep(&self.site_code),
            icp: keep(&self.icp),
            police: keep(&self.police),
        }
    }
}

/// What is wrong with a site address (`base_url` in `gongkai.yaml`, or `--base-url`), in the
/// clerk's words; `None` when it can be used. The address goes into every QR code, the feeds,
/// the sitemap and the canonical links, so it must be a whole `http(s)://host/path/` with nothing
/// that would be lost or mean something else there (a query, a fragment, a password).
pub(crate) fn base_url_problem(written: &str) -> Option<String> {
    let example = "例如 https://gk.example.gov.cn/ 或 https://www.example.gov.cn/gongkai/";
    if written.trim().is_empty() {
        return Some(format!("网站地址是空的，{example}"));
    }
    if written.chars().any(char::is_whitespace) {
        return Some(format!("网站地址「{written}」中有空格或换行，{example}"));
    }
    let Ok(url) = url::Url::parse(written) else {
        return Some(format!("「{written}」不是完整的网站地址：应以 http:// 或 https:// 开头，{example}"));
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Some(format!("「{written}」不是网站地址：应以 http:// 或 https:// 开头，{example}"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Some(format!("「{written}」缺少域名，{example}"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Some(format!("网站地址「{written}」里不能写用户名或密码（会印在每一页的二维码里）"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Some(format!("网站地址「{written}」不能带「?」或「#」及其后面的部分，{example}"));
    }
    None
}

/// What is wrong with the desk's address (`desk:` in `gongkai.yaml`), in the clerk's words; `None`
/// when it can be used. The request form posts to it and the page's Content-Security-Policy
/// allows exactly its origin, so it must be a whole `http(s)://host/path` without a query, a
/// fragment or a password.
pub(crate) fn desk_problem(written: &str) -> Option<String> {
    let example = "例如 https://shenqing.example.gov.cn/";
    if written.trim().is_empty() {
        return Some(format!("受理平台的地址是空的，{example}；没有受理平台就删掉这一项"));
    }
    if written.chars().any(char::is_whitespace) {
        return Some(format!("受理平台的地址「{written}」中有空格或换行，{example}"));
    }
    let url = match url::Url::parse(written) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        _ => {
            return Some(format!(
                "「{written}」不是完整的网址：受理平台的地址应以 https:// 或 http:// 开头，{example}"
            ));
        }
    };
    if url.host_str().is_none_or(str::is_empty) {
        return Some(format!("受理平台的地址「{written}」缺少域名，{example}"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Some(format!("受理平台的地址「{written}」里不能写用户名或密码（会出现在每个申请页上）"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Some(format!("受理平台的地址「{written}」不能带「?」或「#」及其后面的部分，{example}"));
    }
    None
}

/// The desk's address as the pages use it: always ending with `/` (the desk's routes are
/// relative to it, `crate::desk::apply_path`).
pub(crate) fn desk_address(written: &str) -> String {
    let t = written.trim();
    if t.ends_with('/') { t.to_string() } else { format!("{t}/") }
}

/// The origin of an address (`https://desk.example.gov.cn:8443`), as a Content-Security-Policy
/// source; `None` when it has none.
pub(crate) fn origin_of(address: &str) -> Option<String> {
    let origin = url::Url::parse(address).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

impl Config {
    /// The desk's address, normalised to end with `/`; `None` without a desk. `load` has refused
    /// an address [`desk_problem`] objects to.
    pub fn desk(&self) -> Option<String> {
        self.desk.as_ref().map(|d| desk_address(&d.value))
    }

    /// Whether the site gets a search page and index (the default).
    pub fn search(&self) -> bool {
        self.search.unwrap_or(true)
    }

    pub fn packs(&self) -> Vec<String> {
        self.packs.clone().unwrap_or_else(default_packs)
    }
}

#[cfg(test)]
mod tests {
    use super::{base_url_problem, desk_address, desk_problem, origin_of};

    #[test]
    fn a_desk_address_is_a_whole_http_address_and_ends_with_a_slash() {
        for good in ["https://shenqing.example.gov.cn", "http://127.0.0.1:8087/desk/", "https://例子.中国/受理"] {
            assert_eq!(desk_problem(good), None, "{good}");
            assert!(desk_address(good).ends_with('/'), "{good}");
        }
        assert_eq!(desk_address("https://a.example/desk"), "https://a.example/desk/");
        assert_eq!(desk_address("https://a.example/"), "https://a.example/");
        for bad in [
            "",
            " ",
            "shenqing.example.gov.cn",
            "ftp://a.example/",
            "https://a.example/?x=1",
            "https://u:p@a.example/",
            "mailto:a@b.cn",
            "https://a.example/ x",
        ] {
            let problem = desk_problem(bad);
            assert!(problem.as_deref().is_some_and(|p| p.contains("受理平台")), "{bad:?}: {problem:?}");
        }
        assert_eq!(origin_of("http://127.0.0.1:8087/desk/").as_deref(), Some("http://127.0.0.1:8087"));
        assert_eq!(origin_of("https://a.example:443/x/").as_deref(), Some("https://a.example"));
        assert_eq!(origin_of("https://例子.中国/").as_deref(), Some("https://xn--fsqu00a.xn--fiqs8s"));
    }

    #[test]
    fn a_site_address_is_a_whole_http_address() {
        for good in ["https://gk.example.gov.cn/", "http://10.0.0.8:8080/gongkai", "https://例子.中国/信息公开/"]
        {
            assert_eq!(base_url_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "gk.example.gov.cn",
            "/gongkai/",
            "ftp://gk.example.gov.cn/",
            "file:///srv/www/",
            "https://gk.example.gov.cn/ ",
            "https://gk.example.gov.cn/?a=1",
            "https://gk.example.gov.cn/#top",
            "https://user:pw@gk.example.gov.cn/",
            "https://",
        ] {
            assert!(base_url_problem(bad).is_some(), "{bad:?} accepted");
        }
    }
}
