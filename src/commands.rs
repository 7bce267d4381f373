//! The commands behind the CLI, as library functions: they do the I/O a command needs and report
//! an outcome; `main` maps outcomes to exit codes.

use std::io::Write;
use std::path::PathBuf;

use crate::check::{self, CheckResult};
use crate::error::{Error, Result};
use crate::load::{self, LoadOptions};
use crate::report::{self, Context, Format};

/// How a command ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing required is missing (exit 0).
    Clean,
    /// At least one error finding remains (exit 1).
    Findings,
}

/// Options of `gongkai check`.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub site: PathBuf,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub unit: Option<String>,
    /// Print only the summary in the human format.
    pub quiet: bool,
}

/// `gongkai check`: load, check, report.
pub fn check(opts: &CheckOptions) -> Result<Outcome> {
    let site = load::load_site(
        &opts.site,
        &LoadOptions {
            unit: opts.unit.clone(),
        },
    )?;
    let result = check::check_site(&site);
    let plain = Context {
        root: &site.root,
        packs: &site.packs,
        color: false,
    };
    let styled = Context {
        color: true,
        ..plain
    };

    let mut stdout = anstream::stdout().lock();
    let print = |out: &mut dyn Write, s: &str| {
        out.write_all(s.as_bytes())
            .map_err(|e| Error::io("<stdout>", e))
    };
    if let Some(path) = &opts.output {
        std::fs::write(path, report::render(opts.format, &result, &plain))
            .map_err(|e| Error::io(path, e))?;
        print(&mut stdout, &human(&result, &styled, opts.quiet))?;
    } else {
        match opts.format {
            Format::Human => print(&mut stdout, &human(&result, &styled, opts.quiet))?,
            Format::Github => {
                print(&mut stdout, &report::github_annotations(&result))?;
                print(&mut stdout, &report::human_summary(&result, &styled))?;
                if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                    append(&PathBuf::from(summary), &report::markdown(&result, &plain))?;
                }
            }
            other => print(&mut stdout, &report::render(other, &result, &plain))?,
        }
    }
    Ok(outcome(&result))
}

fn human(result: &CheckResult, cx: &Context<'_>, quiet: bool) -> String {
    let mut s = if quiet {
        String::new()
    } else {
        report::human(result, cx)
    };
    s.push_str(&report::human_summary(result, cx));
    s
}

fn append(path: &PathBuf, text: &str) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    f.write_all(text.as_bytes()).map_err(|e| Error::io(path, e))
}

pub fn outcome(result: &CheckResult) -> Outcome {
    if result.errors() > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}
