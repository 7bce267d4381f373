//! How one value of an item is judged: text of a shape (a phone number, an e-mail address, a
//! date, an attachment), a declaration that the item does not exist here, and the help texts
//! that say how to fill it in or declare it absent.
//!
//! Part of `items` (the methods of its `Eval`); pure.

use super::{Eval, Place, short};
use crate::declaration::{self, Declaration};
use crate::finding::Kind;
use crate::pack::{Requirement, Shape};
use crate::schema::FieldDef;
use crate::shape;
use crate::yaml::{Node, Pos};

impl Eval<'_> {
    pub(super) fn text(&mut self, shape: Shape, text: &str, pos: Pos, def: &FieldDef, place: &Place<'_>) {
        let t = text.trim();
        if t.is_empty() {
            return self.push(
                Kind::Empty,
                place.file,
                Some(pos),
                Some(place.path.clone()),
                format!("{}「{}」是空的", place.label, def.zh),
                self.absent_help(self.fill_help(def, shape), def, place),
            );
        }
        if shape::is_placeholder(t, &self.pack.placeholders) {
            return self.push(
                Kind::Placeholder,
                place.file,
                Some(pos),
                Some(place.path.clone()),
                format!("{}「{}」还是占位内容「{}」", place.label, def.zh, short(t)),
                self.absent_help(
                    self.rule.hint.clone().unwrap_or_else(|| {
                        let hint = def.hint.as_deref().map(|h| format!("（{h}）")).unwrap_or_default();
                        format!("把「{}」换成实际的{}{hint}", short(t), def.zh)
                    }),
                    def,
                    place,
                ),
            );
        }
        let masked = (shape == Shape::Contact).then(|| shape::masked_mobile(t)).flatten();
        let problem = match shape {
            Shape::Text | Shape::List => None,
            Shape::Phone => (!shape::is_phone(t)).then_some(None),
            Shape::Contact if masked.is_some() => Some(Some("是隐去了中间四位的手机号，公众无法据此联系")),
            Shape::Contact => (!shape::is_contact(t)).then_some(None),
            Shape::Email => (!shape::is_email(t)).then_some(None),
            Shape::Postcode => (!shape::is_postcode(t)).then_some(None),
            Shape::Date => shape::parse_date(t).is_none().then_some(None),
            Shape::Url => (!shape::is_url(t)).then_some(None),
            Shape::File => self.file_problem(t).map(Some),
        };
        let valid = |x: &str| if shape == Shape::Phone { shape::is_phone(x) } else { shape::is_contact(x) };
        let wide = matches!(shape, Shape::Phone | Shape::Contact).then(|| shape::full_width_only(t, valid)).flatten();
        if let (Some(_), Some(wide)) = (&problem, wide) {
            let narrow: String = wide.chars().filter_map(|c| char::from_u32(c as u32 - 0xFEE0)).collect();
            return self.push(
                Kind::Invalid,
                place.file,
                Some(pos),
                Some(place.path.clone()),
                format!("{}「{}」里用了全角字符「{wide}」：「{}」", place.label, def.zh, short(t)),
                format!("把全角的「{wide}」改成半角的「{narrow}」（切换到英文输入法或半角状态后重新输入）"),
            );
        }
        if let Some(detail) = problem {
            let message = match detail {
                Some(d) => format!("{}「{}」{d}：「{}」", place.label, def.zh, short(t)),
                None => format!("{}「{}」不是有效的{}：「{}」", place.label, def.zh, shape.zh(), short(t)),
            };
            let help = match masked {
                Some(_) => "写本人同意公开、公众能直接联系到的办公电话（如 0943-8221234）或电子邮箱；本人同意公开手机号的，写完整号码".to_string(),
                None => format!("写成{}", shape.example()),
            };
            self.push(Kind::Invalid, place.file, Some(pos), Some(place.path.clone()), message, help);
        }
    }

    /// A declaration that the item does not exist here: accepted where the pack allows it.
    pub(super) fn declaration(
        &mut self,
        req: &Requirement,
        reason: &str,
        node: &Node,
        def: &FieldDef,
        place: &Place<'_>,
    ) {
        let (kind, message, help) = if !self.may_be_absent(place) {
            let help = format!("{}；这一项每个单位都应公开，不能写「不适用」", self.fill_help(def, req.shape));
            (Kind::Invalid, format!("{}「{}」不能声明「不适用」", place.label, def.zh), help)
        } else if reason.is_empty() {
            let help = format!("原因会公开在页面上，写成{}", declaration::example(&def.zh));
            (Kind::Invalid, format!("{}「{}」写了「不适用」，但没有写明原因", place.label, def.zh), help)
        } else {
            let label = if place.label.is_empty() { def.zh.clone() } else { format!("{}{}", place.label, def.zh) };
            return self.declared.push(Declaration {
                document: self.spec.kind.clone(),
                file: place.file.to_string(),
                line: node.pos.line,
                field: place.path.clone(),
                key: def.key.clone(),
                label,
                reason: reason.to_string(),
                rules: vec![self.rule.id.to_string()],
            });
        };
        self.push(kind, place.file, Some(node.pos), Some(place.path.clone()), message, help);
    }

    /// The pack allows this rule's item to be absent, and this is the item itself, not a part of
    /// one of its entries (a fee's 收费依据 is never 不适用, though a unit may charge no fees).
    fn may_be_absent(&self, place: &Place<'_>) -> bool {
        self.rule.may_be_absent && !place.path.contains('[')
    }

    /// Where the pack allows an item to be absent, a help text that also says how to declare it
    /// (unless it already does, through the field's hint).
    pub(super) fn absent_help(&self, help: String, def: &FieldDef, place: &Place<'_>) -> String {
        if self.may_be_absent(place) && !help.contains(declaration::WORD) {
            format!("{help}；本单位确实没有{}的，写成{}", def.zh, declaration::example(&def.zh))
        } else {
            help
        }
    }

    /// An attachment must be a web address or a file inside the unit folder.
    fn file_problem(&self, t: &str) -> Option<&'static str> {
        if shape::is_url(t) {
            return None;
        }
        let rel = t.trim_start_matches("./");
        if rel.starts_with('/') || rel.contains(":\\") || rel.contains(":/") {
            return Some("不能是绝对路径或其他协议的链接");
        }
        if rel.split(['/', '\\']).any(|p| p == "..") {
            return Some("不能用 .. 指向单位文件夹之外");
        }
        (!self.unit.has_attachment(rel)).then_some("指向的文件不存在")
    }

    pub(super) fn fill_help(&self, def: &FieldDef, shape: Shape) -> String {
        if let Some(h) = &self.rule.hint {
            return h.clone();
        }
        match (&def.hint, shape) {
            (Some(h), Shape::Text) => format!("填写{}：{h}", def.zh),
            (None, Shape::Text) => format!("填写{}", def.zh),
            _ => format!("填写{}，{}", def.zh, shape.example()),
        }
    }
}
