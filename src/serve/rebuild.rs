//! The preview's builder: owns the loaded site, renders it into memory, and on a change
//! re-renders only what the change affects — one unit's files, or everything when a template,
//! rule pack or the configuration changed. A broken edit never replaces the last good pages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use super::http::make_live;
use super::state::{ReportKind, Shared, Stored};
use crate::check::{CheckResult, UnitCheck};
use crate::error::Result;
use crate::finding::{self, Finding, Kind, Origin};
use crate::load::{self, LoadOptions};
use crate::model::Site;
use crate::output::{MemorySink, Sink};
use crate::render::run::{RenderedUnit, SiteRenderer};
use crate::render::theme::Theme;
use crate::report::{self, Context};

/// What changed on disk, as the builder sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Files of one unit.
    Unit(String),
    /// Templates, rule packs, configuration, or a unit appearing or disappearing.
    Everything,
}

/// Classify a changed path (relative to the site root).
pub fn classify(rel: &Path) -> Option<Change> {
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
    match parts.next()?.as_str() {
        // a unit's folder or anything in it; `apply` rebuilds everything when a unit folder
        // appears or disappears
        "content" => Some(parts.next().map_or(Change::Everything, Change::Unit)),
        "themes" | "rules" | load::CONFIG_FILE => Some(Change::Everything),
        _ => None,
    }
}

/// Built files ready to serve, by site path.
type Files = Vec<(String, Arc<Stored>)>;

struct UnitEntry {
    /// The last good rendering: its summary and the paths it published.
    rendered: RenderedUnit,
    files: Vec<String>,
    /// The current check (may differ from `rendered.check` while an edit is broken).
    check: UnitCheck,
}

struct Loaded {
    site: Site,
    theme: Theme,
    units: BTreeMap<String, UnitEntry>,
    site_files: Vec<String>,
    result: CheckResult,
}

pub(super) struct Builder {
    root: PathBuf,
    /// How the site is loaded: `--base-url`, `--drafts`.
    options: LoadOptions,
    shared: Arc<Shared>,
    loaded: Option<Loaded>,
    /// Why the last rebuild could not be used (a template or configuration error).
    error: Option<String>,
}

/// How a rebuild went, for the terminal.
pub(super) struct Outcome {
    pub added: Vec<Finding>,
    pub resolved: Vec<Finding>,
    pub elapsed_ms: u128,
    pub pages: usize,
}

impl Builder {
    pub(super) fn new(root: &Path, options: LoadOptions, shared: Arc<Shared>) -> Builder {
        Builder { root: root.to_path_buf(), options, shared, loaded: None, error: None }
    }

    /// The current check result, for the terminal and the report.
    pub(super) fn result(&self) -> Option<&CheckResult> {
        self.loaded.as_ref().map(|l| &l.result)
    }

    /// Memory held by the served files.
    pub(super) fn stored_bytes(&self) -> usize {
        self.shared.stored_bytes()
    }

    pub(super) fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Rebuild for a set of changes.
    pub(super) fn apply(&mut self, changes: &[Change]) -> Outcome {
        let started = Instant::now();
        let before = self.result().map(|r| r.findings.clone()).unwrap_or_default();
        let everything = self.loaded.is_none()
            || changes.contains(&Change::Everything)
            || changes.iter().any(|c| matches!(c, Change::Unit(s) if !self.has_unit_dir(s)));
        let outcome = if everything {
            self.full()
        } else {
            let slugs: Vec<&String> =
                changes.iter().filter_map(|c| if let Change::Unit(s) = c { Some(s) } else { None }).collect();
            self.units(&slugs)
        };
        match outcome {
            Ok(()) => self.error = None,
            Err(e) => self.error = Some(e.to_string()),
        }
        self.shared.set_overlay(self.overlay());
        self.shared.bump();
        let after = self.result().map(|r| r.findings.clone()).unwrap_or_default();
        let added = after.iter().filter(|f| !before.contains(f)).cloned().collect();
        let resolved = before.into_iter().filter(|f| !after.contains(f)).collect();
        let pages = self.loaded.as_ref().map_or(0, |l| l.units.values().map(|u| u.files.len()).sum::<usize>());
        Outcome { added, resolved, elapsed_ms: started.elapsed().as_millis(), pages }
    }

    fn has_unit_dir(&self, slug: &str) -> bool {
        let on_disk = self.root.join("content").join(slug).is_dir();
        let known = self.loaded.as_ref().is_some_and(|l| l.units.contains_key(slug));
        on_disk == known
    }

    /// Load everything and render every unit.
    fn full(&mut self) -> Result<()> {
        let site = load::load_site(&self.root, &self.options)?;
        let theme = Theme::load(&site.root, site.config.theme.as_deref().unwrap_or("default"))?;
        let rendered: Vec<(String, RenderedUnit, Files)> = site
            .units
            .par_iter()
            .map(|dir| {
                let sink = MemorySink::default();
                let unit = SiteRenderer::new(&site, &theme, &sink)?.unit(dir)?;
                Ok((dir.slug.clone(), unit, stored(sink)))
            })
            .collect::<Result<_>>()?;
        let old: Vec<String> = self.loaded.as_ref().map(all_paths).unwrap_or_default();
        let mut units = BTreeMap::new();
        let mut new_files = Vec::new();
        for (slug, rendered, files) in rendered {
            let paths = files.iter().map(|(p, _)| p.clone()).collect();
            new_files.extend(files);
            units.insert(slug, UnitEntry { check: rendered.check.clone(), rendered, files: paths });
        }
        self.shared.replace(&old, new_files);
        let mut loaded = Loaded { site, theme, units, site_files: Vec::new(), result: CheckResult::default() };
        self.finish(&mut loaded)?;
        self.loaded = Some(loaded);
        Ok(())
    }

    /// Re-render some units; a unit whose edit broke a file keeps its last good pages.
    fn units(&mut self, slugs: &[&String]) -> Result<()> {
        let Some(mut loaded) = self.loaded.take() else { return self.full() };
        let outcome = (|| {
            for slug in slugs {
                let Some(dir) = loaded.site.units.iter().find(|d| &&d.slug == slug).cloned() else { continue };
                let sink = MemorySink::default();
                let unit = SiteRenderer::new(&loaded.site, &loaded.theme, &sink)?.unit(&dir)?;
                // a file that cannot be read, or is (for the moment) empty: keep the last good pages
                let broken = unit
                    .check
                    .findings
                    .iter()
                    .any(|f| f.kind == Kind::Syntax || (f.kind == Kind::Empty && f.origin == Origin::Gongkai));

                match loaded.units.get_mut(*slug) {
                    Some(entry) if broken => entry.check = unit.check.clone(),
                    entry => {
                        let files = stored(sink);
                        let paths: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
                        let old = entry.map(|e| std::mem::take(&mut e.files)).unwrap_or_default();
                        self.shared.replace(&old, files);
                        loaded.units.insert(
                            (*slug).clone(),
                            UnitEntry { check: unit.check.clone(), rendered: unit, files: paths },
                        );
                    }
                }
            }
            self.finish(&mut loaded)
        })();
        self.loaded = Some(loaded);
        outcome
    }

    /// The pages about all units, and the combined result.
    fn finish(&self, loaded: &mut Loaded) -> Result<()> {
        let sink = MemorySink::default();
        let checks: Vec<UnitCheck> = loaded.units.values().map(|u| u.check.clone()).collect();
        let refs: Vec<&RenderedUnit> = loaded.units.values().map(|u| &u.rendered).collect();
        let renderer = SiteRenderer::new(&loaded.site, &loaded.theme, &sink)?;
        renderer.index(&refs)?;
        let (result, _) = renderer.finish(checks, &refs, &|p| sink.exists(p) || self.shared.file(p).is_some())?;
        let files = stored(sink);
        let paths = files.iter().map(|(p, _)| p.clone()).collect();
        self.shared.replace(&loaded.site_files, files);
        loaded.site_files = paths;
        loaded.result = result;
        Ok(())
    }

    /// The notice shown on every page while something is broken.
    fn overlay(&self) -> Option<String> {
        let mut items: Vec<String> = Vec::new();
        if let Some(e) = &self.error {
            items.push(escape(e));
        }
        if let Some(r) = self.result() {
            for f in r.findings.iter().filter(|f| f.kind == Kind::Syntax) {
                let at = match (f.line, f.column) {
                    (Some(l), Some(c)) => format!("{}:{l}:{c}", f.file),
                    _ => f.file.clone(),
                };
                let help = f.help.as_deref().map(|h| format!("\n  帮助：{h}")).unwrap_or_default();
                items.push(escape(&format!("{at}: {}{help}", f.message)));
            }
        }
        if items.is_empty() {
            return None;
        }
        let body: String = items.iter().map(|i| format!("<pre>{i}</pre>")).collect();
        Some(format!(
            "<div id=\"gongkai-overlay\" role=\"alert\"><h2>有文件出错，下面仍显示上一次正确的页面</h2>{body}</div>"
        ))
    }

    /// A report of the current state.
    pub(super) fn report(&self, kind: ReportKind) -> String {
        let Some(l) = &self.loaded else { return String::new() };
        match kind {
            ReportKind::Json => {
                let cx = Context { root: &l.site.root, packs: &l.site.packs, color: false };
                report::render(report::Format::Json, &l.result, &cx)
            }
            ReportKind::Html => {
                crate::render::report_html(&l.site, &l.result, &l.theme, "/static/style.css", "/").unwrap_or_default()
            }
            ReportKind::Record => match l.site.record() {
                Ok(record) => {
                    super::preview::page(record, &self.shared.hashes(), super::preview::unlike_build(&l.site))
                }
                Err(e) => e.to_string(),
            },
        }
    }

    pub(super) fn context(&self) -> Option<(&Path, &[crate::pack::Pack])> {
        self.loaded.as_ref().map(|l| (l.site.root.as_path(), &l.site.packs[..]))
    }
}

fn all_paths(l: &Loaded) -> Vec<String> {
    l.units.values().flat_map(|u| u.files.iter().cloned()).chain(l.site_files.iter().cloned()).collect()
}

/// Take a sink's files for serving: HTML made live, everything stored compactly.
fn stored(sink: MemorySink) -> Files {
    let files = sink.files.into_inner().unwrap_or_else(|e| e.into_inner());
    files
        .into_iter()
        .map(|(path, bytes)| {
            let stored = if path.ends_with(".html") {
                Stored::new(make_live(&String::from_utf8_lossy(&bytes)).as_bytes())
            } else {
                Stored::new(&bytes)
            };
            (path, Arc::new(stored.with_hash(crate::record::hex(&bytes))))
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Findings in report order, for the terminal.
pub(super) fn sorted(mut f: Vec<Finding>) -> Vec<Finding> {
    finding::sort(&mut f);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_classified_by_what_they_touch() {
        assert_eq!(classify(Path::new("content/a/fees.yaml")), Some(Change::Unit("a".into())));
        assert_eq!(classify(Path::new("content/a/services/x.md")), Some(Change::Unit("a".into())));
        assert_eq!(classify(Path::new("content/a")), Some(Change::Unit("a".into())));
        assert_eq!(classify(Path::new("content")), Some(Change::Everything));
        assert_eq!(classify(Path::new("themes/default/templates/fees.html")), Some(Change::Everything));
        assert_eq!(classify(Path::new("rules/x.yaml")), Some(Change::Everything));
        assert_eq!(classify(Path::new("gongkai.yaml")), Some(Change::Everything));
        assert_eq!(classify(Path::new("public/index.html")), None);
        assert_eq!(classify(Path::new("README.md")), None);
    }
}
