//! The `contact` template filter: phone numbers become `tel:` links and e-mail addresses
//! `mailto:` links, so that a citizen on a phone can call or write with one tap. Everything else
//! of the text is escaped and shown as written.

use std::sync::LazyLock;

use regex::Regex;

use crate::shape::{self, PhoneKind};

/// A run that may be a phone number (digits with the separators clerks write, an extension),
/// or an e-mail address.
static CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<mail>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})
        | (?P<phone>(?:\+86[\s-]?)?[(（]?\d[\d\s()（）-]*\d(?:\s*(?:转|分机)\s*\d{1,5})?)",
    )
    .expect("valid regex")
});

/// `text`, escaped, with its phone numbers and e-mail addresses as links.
pub(crate) fn linked(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut last = 0;
    for m in CANDIDATE.captures_iter(text) {
        let whole = m.get(0).expect("a match has group 0");
        let href = if let Some(mail) = m.name("mail") {
            Some(format!("mailto:{}", mail.as_str()))
        } else {
            let written = whole.as_str();
            shape::classify_number(written).filter(|k| *k != PhoneKind::Mobile || !written.contains('*')).map(|_| {
                let number: String = written
                    .split(['转', '分'])
                    .next()
                    .unwrap_or(written)
                    .chars()
                    .filter(|c| c.is_ascii_digit() || *c == '+')
                    .collect();
                format!("tel:{number}")
            })
        };
        let Some(href) = href else { continue };
        out.push_str(&html_escape::encode_text(&text[last..whole.start()]));
        out.push_str(&format!(
            "<a href=\"{}\">{}</a>",
            html_escape::encode_double_quoted_attribute(&href),
            html_escape::encode_text(whole.as_str())
        ));
        last = whole.end();
    }
    out.push_str(&html_escape::encode_text(&text[last..]));
    out
}

#[cfg(test)]
mod tests {
    use super::linked;

    #[test]
    fn numbers_and_addresses_become_links() {
        assert_eq!(linked("0943-8221234"), r#"<a href="tel:09438221234">0943-8221234</a>"#);
        assert_eq!(
            linked("0943-8221234（工作日 8:30-17:30），12345"),
            r#"<a href="tel:09438221234">0943-8221234</a>（工作日 8:30-17:30），<a href="tel:12345">12345</a>"#
        );
        assert_eq!(linked("jiandu@example.cn"), r#"<a href="mailto:jiandu@example.cn">jiandu@example.cn</a>"#);
        assert_eq!(linked("0943-8221234 转 8001"), r#"<a href="tel:09438221234">0943-8221234 转 8001</a>"#);
    }

    #[test]
    fn other_text_is_escaped_and_left_alone() {
        // dates, times, masked numbers, postcodes and markup are not phone numbers
        assert_eq!(linked("2026-08-25 8:30"), "2026-08-25 8:30");
        assert_eq!(linked("139****1234"), "139****1234");
        assert_eq!(linked("730900"), "730900");
        assert_eq!(linked("<b>未设</b>"), "&lt;b&gt;未设&lt;/b&gt;");
        assert_eq!(linked(""), "");
    }
}
