//! Where the CLI prints: quiet/verbose, colour only on a terminal and never with `NO_COLOR`,
//! progress bars only on a terminal. Everything for stdout goes through [`stdout`], so a
//! closed pipe (`schema-sync inspect big.json | head -1`) ends the run quietly, as it ends
//! other Unix tools, instead of panicking.

use std::io::{IsTerminal, Write};

/// Exit status of a run whose reader closed stdout early: 128 + SIGPIPE, what a shell reports
/// for a tool the signal ended.
pub const BROKEN_PIPE_EXIT: i32 = 141;

/// Writes `text` to stdout. When the reader has gone away the process ends quietly with
/// [`BROKEN_PIPE_EXIT`]: nothing more can be shown, and nothing is left half-done — output is
/// written after the work it reports.
pub fn stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(BROKEN_PIPE_EXIT);
        }
    }
}

/// `print!` through [`stdout`].
macro_rules! outp {
    ($($arg:tt)*) => { $crate::cli::output::stdout(&format!($($arg)*)) };
}

/// `println!` through [`stdout`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::output::stdout(&format!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {outln, outp};

/// Printing policy for one run.
#[derive(Debug, Clone)]
pub struct Output {
    /// `--quiet`.
    pub quiet: bool,
    /// `--verbose`.
    pub verbose: bool,
    /// stdout is a terminal.
    pub tty: bool,
    /// Colour allowed.
    pub color: bool,
}

impl Output {
    /// Decides from flags and the environment.
    pub fn new(quiet: bool, verbose: bool) -> Self {
        let tty = std::io::stdout().is_terminal();
        let color = tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Self { quiet, verbose, tty, color }
    }

    /// Prints a line unless quiet.
    pub fn say(&self, text: impl AsRef<str>) {
        if !self.quiet {
            stdout(&format!("{}\n", text.as_ref()));
        }
    }

    /// Prints a line only with `--verbose`.
    pub fn detail(&self, text: impl AsRef<str>) {
        if self.verbose && !self.quiet {
            eprintln!("{}", text.as_ref());
        }
    }

    /// Colours a diff report line by its leading sign.
    pub fn paint_diff(&self, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        text.lines()
            .map(|l| {
                let t = l.trim_start();
                let code = match t.chars().next() {
                    Some('+') => "32",
                    Some('-') => "31",
                    Some('~') => "33",
                    _ => return l.to_string(),
                };
                format!("\x1b[{code}m{l}\x1b[0m")
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    }

    /// A progress bar for `len` units of work, hidden unless on a terminal.
    pub fn progress(&self, len: u64, what: &str) -> indicatif::ProgressBar {
        if !self.tty || self.quiet {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new(len);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_string());
        bar
    }
}

/// The plan's SQL with its hazards as leading comments.
pub fn sql_with_hazards(plan: &schema_sync_core::plan::Plan) -> anyhow::Result<String> {
    let mut s = String::new();
    for h in &plan.hazards {
        s.push_str(&format!("-- hazard {:?}: {}\n", h.code, h.message));
    }
    // Each step's statements, after the locks it takes on tables that exist (Postgres).
    let mut last = None;
    for st in schema_sync_core::render::render(plan)? {
        if last != Some(st.step) {
            last = Some(st.step);
            if st.step == plan.online_from && plan.has_online_part() {
                s.push_str("-- online part: runs after the transaction commits, each statement on its own\n");
            }
            for l in plan.locks_of(st.step).filter(|l| !l.new_table) {
                s.push_str(&format!("-- lock: {}\n", l.describe()));
            }
        }
        s.push_str(&st.sql);
        s.push_str(";\n");
    }
    Ok(s)
}
