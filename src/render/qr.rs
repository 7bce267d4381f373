//! The QR code printed at the foot of every page: the page's address, for a notice board.
//!
//! Every page carries one, so its cost is part of every page's. qrcode's `Canvas` draws the
//! finder, timing and alignment patterns, then walks the zigzag of data positions testing each
//! module, then masks every module, for every code. All of that depends only on the version
//! (with the error-correction level and the mask fixed), so it is done once per version
//! ([`Layout`]) and a code is its layout's colours with the data bits flipped in. The result is
//! the same modules as qrcode's canvas gives (tested against it below).

use std::sync::{LazyLock, Mutex};

use qrcode::canvas::{Canvas, MaskPattern, Module};
use qrcode::{Color, EcLevel, Version, bits, ec};

/// Fixed for every code: level M, and the checkerboard mask instead of scoring all eight (a
/// valid code, the mask is written in the format bits; the scoring was a third of a build's CPU).
const LEVEL: EcLevel = EcLevel::M;
const MASK: MaskPattern = MaskPattern::Checkerboard;

/// What a version's codes share.
struct Layout {
    width: usize,
    /// Every module with no data in it: the patterns, the format and version bits, and the
    /// data positions masked as if their bit were 0 (light).
    base: Vec<bool>,
    /// The data positions (row-major indexes) in the order the bits go in.
    order: Vec<u32>,
}

impl Layout {
    fn of(version: Version) -> Option<Layout> {
        let mut canvas = Canvas::new(version, LEVEL);
        canvas.draw_all_functional_patterns();
        let w = version.width();
        let width = usize::try_from(w).ok()?;
        let mut order = Vec::new();
        for (x, y) in zigzag(w) {
            if canvas.get(x, y) == Module::Empty {
                order.push(u32::try_from(usize::try_from(y).ok()? * width + usize::try_from(x).ok()?).ok()?);
            }
        }
        canvas.apply_mask(MASK);
        let base = canvas.into_colors().into_iter().map(|c| c == Color::Dark).collect();
        Some(Layout { width, base, order })
    }
}

/// The order in which a code's modules take its bits (ISO/IEC 18004 7.7.3): two columns at a
/// time from the right, upwards then downwards, stepping over the vertical timing pattern.
/// Includes functional modules; the caller keeps the empty ones.
fn zigzag(width: i16) -> impl Iterator<Item = (i16, i16)> {
    const TIMING: i16 = 6;
    let mut right = width - 1;
    let mut cells = Vec::with_capacity(usize::try_from(width).unwrap_or(0).pow(2));
    let mut upwards = true;
    while right > 0 {
        if right == TIMING {
            right -= 1;
        }
        for i in 0..width {
            let y = if upwards { width - 1 - i } else { i };
            cells.push((right, y));
            cells.push((right - 1, y));
        }
        upwards = !upwards;
        right -= 2;
    }
    cells.into_iter()
}

/// The layouts made so far, by version number (codes of page addresses use a handful).
static LAYOUTS: LazyLock<Mutex<Vec<Option<std::sync::Arc<Layout>>>>> = LazyLock::new(|| Mutex::new(Vec::new()));

fn layout(version: Version) -> Option<std::sync::Arc<Layout>> {
    let Version::Normal(n) = version else { return Layout::of(version).map(std::sync::Arc::new) };
    let n = usize::try_from(n).ok()?;
    let mut all = LAYOUTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if all.len() <= n {
        all.resize(n + 1, None);
    }
    if all[n].is_none() {
        all[n] = Layout::of(version).map(std::sync::Arc::new);
    }
    all[n].clone()
}

/// The modules of the code of `text`, row by row (`true` is dark), and the width; `None` when
/// the text does not fit in a QR code.
fn modules(text: &str) -> Option<(Vec<bool>, usize)> {
    let bits = bits::encode_auto(text.as_bytes(), LEVEL).ok()?;
    let version = bits.version();
    let (data, ec_data) = ec::construct_codewords(&bits.into_bytes(), version, LEVEL).ok()?;
    let layout = layout(version)?;
    let mut dark = layout.base.clone();
    // each byte's bits, first bit first, into the next eight data positions
    for (&byte, slots) in data.iter().chain(&ec_data).zip(layout.order.chunks(8)) {
        if byte == 0 {
            continue;
        }
        for (j, &at) in slots.iter().enumerate() {
            if byte & (0x80 >> j) != 0 {
                dark[at as usize] ^= true;
            }
        }
    }
    Some((dark, layout.width))
}

/// A QR code of `url` as inline SVG for the printed page.
///
/// Drawn in module units (the viewBox scales it) as one stroked path of horizontal runs, each
/// written relative to the previous one: about 2 KB, a fifth of qrcode's own SVG, which matters
/// when every page carries one.
pub(super) fn svg(url: &str) -> Option<String> {
    let (dark, width) = modules(url)?;
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut d = String::with_capacity(width * width / 2);
    let mut num = itoa::Buffer::new();
    for (y, row) in dark.chunks(width).enumerate() {
        let mut pen: Option<usize> = None; // where the previous run ended, on this row
        let mut x = 0;
        while x < width {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] {
                x += 1;
            }
            // `M<x> <y>.5h<run>` for a row's first run, `m<gap> 0h<run>` after it: pushed
            // piece by piece (fmt's write! here was a few per cent of a build's CPU time)
            match pen {
                None => {
                    d.push('M');
                    d.push_str(num.format(start + quiet));
                    d.push(' ');
                    d.push_str(num.format(y + quiet));
                    d.push_str(".5h");
                }
                Some(end) => {
                    d.push('m');
                    d.push_str(num.format(start - end));
                    d.push_str(" 0h");
                }
            }
            d.push_str(num.format(x - start));
            pen = Some(x);
        }
    }
    Some(format!(
        "<svg role=\"img\" aria-label=\"本页网址二维码\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         width=\"164\" height=\"164\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path stroke=\"#000\" d=\"{d}\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// qrcode's own way, step by step, with the same level and mask.
    fn canvas_modules(text: &str) -> (Vec<bool>, usize) {
        let bits = bits::encode_auto(text.as_bytes(), LEVEL).unwrap();
        let version = bits.version();
        let (data, ec_data) = ec::construct_codewords(&bits.into_bytes(), version, LEVEL).unwrap();
        let mut canvas = Canvas::new(version, LEVEL);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data, &ec_data);
        canvas.apply_mask(MASK);
        let width = usize::try_from(version.width()).unwrap();
        (canvas.into_colors().into_iter().map(|c| c == Color::Dark).collect(), width)
    }

    /// Addresses of every length a page can have, ASCII and percent-encoded Chinese, cover
    /// versions 1 to 20 (each with its own layout, remainder bits and alignment patterns).
    #[test]
    fn the_same_modules_as_qrcodes_canvas() {
        let mut versions = std::collections::BTreeSet::new();
        for len in (0..900).step_by(7) {
            let tail: String = "通知%E5%81%9Ca-b_c/1".chars().cycle().take(len).collect();
            for url in [format!("https://gongkai.example/{tail}"), format!("HTTPS://GK.EXAMPLE/{}", len * 31)] {
                let ours = modules(&url).unwrap();
                assert_eq!(ours, canvas_modules(&url), "{url}");
                if let Version::Normal(n) = bits::encode_auto(url.as_bytes(), LEVEL).unwrap().version() {
                    versions.insert(n);
                }
            }
        }
        assert!(versions.len() >= 20, "only {} versions tried", versions.len());
    }

    #[test]
    fn a_text_too_long_for_any_code_has_none() {
        assert!(svg(&"a".repeat(5000)).is_none());
    }

    #[test]
    fn the_svg_draws_every_dark_module() {
        let svg = svg("https://gongkai.example/qingyuan-water/fees.html").unwrap();
        assert!(svg.starts_with("<svg role=\"img\""), "{svg}");
        let (dark, _) = modules("https://gongkai.example/qingyuan-water/fees.html").unwrap();
        let drawn: usize = svg
            .split("d=\"")
            .nth(1)
            .unwrap()
            .split('h')
            .skip(1)
            .map(|run| run.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse::<usize>().unwrap())
            .sum();
        assert_eq!(drawn, dark.iter().filter(|&&d| d).count());
    }
}
