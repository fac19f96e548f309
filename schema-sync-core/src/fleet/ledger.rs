//! The per-target ledger of `fleet apply`: one JSON line per finished target, appended after
//! the target's transaction committed, so a run that is interrupted (Ctrl-C, kill, crash)
//! resumes where it stopped.
//!
//! The ledger is a shortcut, not the guard: a target is never migrated twice because each one
//! is re-read and compared before anything runs (a target killed after its commit but before
//! its ledger line is found in sync and left alone), and its `schema_version` records the
//! change in the same transaction as the change.

use super::{State, TargetReport};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One line of the ledger.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Line {
    target: String,
    checksum: String,
    state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// Seconds since the Unix epoch.
    at: u64,
}

/// An open ledger for one desired schema.
#[derive(Debug)]
pub struct Ledger {
    path: PathBuf,
    checksum: String,
    done: HashSet<String>,
    file: std::fs::File,
}

impl Ledger {
    /// Where a run keeps its ledger by default: `.schema-sync/fleet-<checksum>.jsonl` under
    /// `dir`, one file per desired schema.
    pub fn default_path(dir: &Path, checksum: &str) -> PathBuf {
        dir.join(".schema-sync").join(format!("fleet-{checksum}.jsonl"))
    }

    /// Opens (creating it and its directory when missing) the ledger at `path` for the desired
    /// schema with `checksum`. Targets an earlier run finished for the same checksum are done;
    /// a line cut short by a crash is ignored.
    pub fn open(path: &Path, checksum: &str) -> Result<Ledger> {
        let io = |e| Error::io(format!("opening the fleet ledger {}", path.display()), e);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io(e)),
        };
        let done = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Line>(l).ok())
            .filter(|l| l.checksum == checksum && (l.state == "migrated" || l.state == "in_sync"))
            .map(|l| l.target)
            .collect();
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(io)?;
        if !text.is_empty() && !text.ends_with('\n') {
            // A crash mid-line: end it, so the next line starts clean.
            file.write_all(b"\n").map_err(io)?;
        }
        Ok(Ledger { path: path.to_path_buf(), checksum: checksum.to_string(), done, file })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `true` when an earlier run finished `target` (as [`super::Target::display`] names it).
    pub fn is_done(&self, target: &str) -> bool {
        self.done.contains(target)
    }

    /// Targets already done.
    pub fn done(&self) -> usize {
        self.done.len()
    }

    /// Appends the outcome of one target (one `write` of one whole line).
    pub fn record(&mut self, r: &TargetReport) -> Result<()> {
        let state = match r.state {
            State::Migrated => "migrated",
            State::InSync => "in_sync",
            State::Failed => "failed",
            _ => return Ok(()),
        };
        let at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let line = Line {
            target: r.target.clone(),
            checksum: self.checksum.clone(),
            state: state.to_string(),
            version: r.version,
            error: r.error.clone(),
            at,
        };
        let mut text = serde_json::to_string(&line).map_err(|e| Error::input(e.to_string()))?;
        text.push('\n');
        self.file
            .write_all(text.as_bytes())
            .map_err(|e| Error::io(format!("writing the fleet ledger {}", self.path.display()), e))?;
        if state != "failed" {
            self.done.insert(r.target.clone());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::Target;

    fn report(name: &str, state: State) -> TargetReport {
        TargetReport::new(&Target::Sqlite(PathBuf::from(name)), state)
    }

    #[test]
    fn finished_targets_are_done_failed_ones_are_not_and_a_torn_line_is_ignored() {
        let dir = std::env::temp_dir().join(format!("ss-ledger-{}", std::process::id()));
        let path = Ledger::default_path(&dir, "abc");
        let _ = std::fs::remove_dir_all(&dir);
        {
            let mut l = Ledger::open(&path, "abc").unwrap();
            l.record(&report("a.db", State::Migrated)).unwrap();
            l.record(&report("b.db", State::InSync)).unwrap();
            l.record(&report("c.db", State::Failed)).unwrap();
            l.record(&report("d.db", State::Drifted)).unwrap(); // not an apply outcome: not written
        }
        // A crash mid-write leaves half a line.
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"target":"e.db","checksum":"abc","sta"#).unwrap();
        drop(f);

        let mut l = Ledger::open(&path, "abc").unwrap();
        assert!(l.is_done("a.db") && l.is_done("b.db"));
        assert!(!l.is_done("c.db") && !l.is_done("d.db") && !l.is_done("e.db"));
        assert_eq!(l.done(), 2);
        l.record(&report("e.db", State::Migrated)).unwrap();
        drop(l);
        let l = Ledger::open(&path, "abc").unwrap();
        assert!(l.is_done("e.db"), "the line after a torn one starts clean");
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 5);

        // Another desired schema starts from nothing.
        assert_eq!(Ledger::open(&path, "other").unwrap().done(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
