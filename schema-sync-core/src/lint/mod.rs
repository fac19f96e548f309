//! `schema-sync lint`: lock hazards in Postgres migration SQL, anyone's — a statement that
//! would stall a busy production table, rewrite it, or break clients still running the old
//! code. Pure: text in, findings out.
//!
//! Files of a directory are read in name order (the order migration tools apply them) and
//! share what earlier files did: a table created in an earlier file already has rows by the
//! time a later file runs, and a `CHECK (col IS NOT NULL)` validated earlier makes a later
//! `SET NOT NULL` free. A table created in the *same* file is new and empty: nothing on it is
//! a hazard.
//!
//! A finding is silenced for one statement by a comment just before it (or inside it):
//! `-- schema-sync-lint: allow SS002` (several ids separated by commas or spaces, or `all`).
//!
//! ```
//! use schema_sync_core::lint::lint_sql;
//! let f = lint_sql("SET lock_timeout = '3s';\nCREATE INDEX users_email ON users (email);", "m.sql");
//! assert_eq!(f.len(), 1);
//! assert_eq!((f[0].rule, f[0].line), ("SS002", 2));
//! ```

mod rules;
mod tokens;

pub use rules::{Rule, RULES};

use crate::{Error, Result};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// One hazard found in one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The file, as given (or as found in a directory).
    pub file: String,
    /// 1-based line of the statement's first character.
    pub line: usize,
    /// Rule id (`SS002`).
    pub rule: &'static str,
    /// Rule name (`index-not-concurrent`).
    pub name: &'static str,
    /// What is wrong here and what to write instead.
    pub message: String,
    /// The statement, shortened to one line.
    pub statement: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {} {}: {}", self.file, self.line, self.rule, self.name, self.message)
    }
}

/// What the files read so far established about the database.
#[derive(Debug, Default)]
pub struct Context {
    /// `table.column` pairs with a validated `CHECK (column IS NOT NULL)`.
    not_null_checked: HashSet<String>,
    /// `constraint name` → `table.column` of a `CHECK (column IS NOT NULL) NOT VALID`.
    pending_checks: std::collections::HashMap<String, String>,
}

/// Lints one file's text (a fresh [`Context`]: every table it does not create exists).
pub fn lint_sql(text: &str, file: &str) -> Vec<Finding> {
    lint_in(&mut Context::default(), text, file)
}

/// Lints `paths` (files, or directories whose `*.sql` files are read in name order, sharing one
/// [`Context`]). An unreadable path is an error naming it.
pub fn lint_paths(paths: &[PathBuf]) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    for p in paths {
        let files = if p.is_dir() { sql_files(p)? } else { vec![p.clone()] };
        let mut cx = Context::default();
        for f in files {
            let text =
                std::fs::read_to_string(&f).map_err(|e| Error::io(format!("reading migration {}", f.display()), e))?;
            out.extend(lint_in(&mut cx, &text, &f.display().to_string()));
        }
    }
    Ok(out)
}

fn sql_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let io = |e| Error::io(format!("reading directory {}", dir.display()), e);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    Ok(files)
}

/// Lints one file's text in `cx`.
pub fn lint_in(cx: &mut Context, text: &str, file: &str) -> Vec<Finding> {
    let mut file_state = rules::FileState::default();
    let mut out = Vec::new();
    for st in crate::sql::split_located(text) {
        let allowed = allowed_rules(&st.comments, &st.sql);
        for (rule, message) in rules::check(cx, &mut file_state, &st.sql) {
            if allowed.contains("all") || allowed.contains(rule.id) || allowed.contains(rule.name) {
                continue;
            }
            out.push(Finding {
                file: file.to_string(),
                line: st.line(text),
                rule: rule.id,
                name: rule.name,
                message,
                statement: crate::sql::short(&st.sql),
            });
        }
    }
    out
}

/// The rules a `schema-sync-lint: allow …` comment before or inside a statement silences.
fn allowed_rules(comments: &str, sql: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    for text in [comments, sql] {
        for (i, _) in text.match_indices("schema-sync-lint:") {
            let rest = text[i + "schema-sync-lint:".len()..].lines().next().unwrap_or("");
            let rest = rest.trim_start();
            if let Some(list) = rest.strip_prefix("allow") {
                for id in list.split(|c: char| c == ',' || c.is_whitespace()) {
                    let id = id.trim().trim_end_matches("*/").trim();
                    if !id.is_empty() {
                        out.insert(id.to_string());
                    }
                }
            }
        }
    }
    out
}
