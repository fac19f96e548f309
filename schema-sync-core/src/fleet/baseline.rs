//! The drift baseline: drift that is known and accepted, per target, in a file meant for git.
//!
//! ```json
//! {
//!   "format_version": 1,
//!   "desired": "3f2a9c0d1e2b4a5c",
//!   "accepted": [
//!     {
//!       "drift": ["~ table users: - index users_email_idx (email)"],
//!       "targets": ["shards/0001.db", "shards/0002.db"]
//!     }
//!   ]
//! }
//! ```
//!
//! Groups are sorted by drift, targets by name, one per line: a change to the fleet is a small,
//! readable diff. A target's drift is accepted exactly: drift the baseline does not list for
//! *that* target is new, even when other targets have it.

use super::{FleetReport, State, TargetReport};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Accepted drift, per target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Version of this file's shape (1).
    pub format_version: u32,
    /// Checksum of the desired schema the drift was recorded against (for people: drift is
    /// matched line by line, whatever the checksum).
    pub desired: String,
    /// Targets that share one set of drift lines.
    pub accepted: Vec<Accepted>,
    #[serde(skip)]
    by_target: HashMap<String, BTreeSet<String>>,
}

/// One set of drift lines and the targets that have exactly it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    /// The drift lines, as [`super::drift_items`] words them.
    pub drift: Vec<String>,
    /// The targets, as [`super::Target::display`] names them.
    pub targets: Vec<String>,
}

impl Baseline {
    /// The drift of every target of an audit (all of it, new or known).
    pub fn from_report(report: &FleetReport) -> Baseline {
        let mut by: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
        for t in report.targets.iter().filter(|t| matches!(t.state, State::Drifted | State::KnownDrift)) {
            let mut drift = t.drift.clone();
            drift.sort();
            by.entry(drift).or_default().push(t.target.clone());
        }
        let accepted = by
            .into_iter()
            .map(|(drift, mut targets)| {
                targets.sort();
                Accepted { drift, targets }
            })
            .collect();
        Baseline { format_version: 1, desired: report.desired.clone(), accepted, by_target: HashMap::new() }.indexed()
    }

    /// Reads a baseline file. A missing or malformed file is an error naming the file.
    pub fn read(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading the baseline {}", path.display()), e))?;
        let b: Baseline = serde_json::from_str(&text)
            .map_err(|e| Error::input(format!("baseline {} is not a schema-sync baseline: {e}", path.display())))?;
        if b.format_version != 1 {
            return Err(Error::input(format!(
                "baseline {} has format_version {}; this schema-sync reads 1",
                path.display(),
                b.format_version
            )));
        }
        Ok(b.indexed())
    }

    /// Writes the baseline (pretty JSON, one target a line), replacing the file atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| Error::input(e.to_string()))?;
        text.push('\n');
        let tmp = path.with_extension("tmp~");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| Error::io(format!("writing the baseline {}", path.display()), e))
    }

    /// Targets with accepted drift.
    pub fn targets(&self) -> usize {
        self.by_target.len()
    }

    /// Sets the audit state of `r` against the baseline: [`State::KnownDrift`] when all its drift
    /// is accepted, [`State::Drifted`] with `new_drift` otherwise; `resolved_drift` lists
    /// accepted drift that is gone. Reports of other states are left alone.
    pub fn classify(&self, r: &mut TargetReport) {
        if !matches!(r.state, State::InSync | State::Drifted | State::KnownDrift) {
            return;
        }
        let accepted = self.by_target.get(&r.target);
        let known = |d: &String| accepted.is_some_and(|a| a.contains(d));
        r.new_drift = r.drift.iter().filter(|d| !known(d)).cloned().collect();
        r.resolved_drift =
            accepted.map(|a| a.iter().filter(|d| !r.drift.contains(d)).cloned().collect()).unwrap_or_default();
        r.state = match (r.drift.is_empty(), r.new_drift.is_empty()) {
            (true, _) => State::InSync,
            (false, true) => State::KnownDrift,
            (false, false) => State::Drifted,
        };
    }

    fn indexed(mut self) -> Self {
        self.by_target.clear();
        for a in &self.accepted {
            for t in &a.targets {
                self.by_target.entry(t.clone()).or_default().extend(a.drift.iter().cloned());
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::{Target, TargetReport};

    fn drifted(name: &str, drift: &[&str]) -> TargetReport {
        let mut r = TargetReport::new(&Target::Sqlite(name.into()), State::Drifted);
        r.drift = drift.iter().map(|d| d.to_string()).collect();
        if r.drift.is_empty() {
            r.state = State::InSync;
        }
        r
    }

    fn baseline(targets: Vec<TargetReport>) -> Baseline {
        let report = FleetReport::new("audit", "sum".to_string(), targets);
        Baseline::from_report(&report)
    }

    #[test]
    fn drift_is_accepted_per_target_exactly_and_resolved_drift_is_named() {
        let b = baseline(vec![
            drifted("b.db", &["- index i"]),
            drifted("a.db", &["- index i"]),
            drifted("c.db", &["+ table t", "- index i"]),
            drifted("d.db", &[]),
        ]);
        assert_eq!(b.targets(), 3);
        assert_eq!(b.accepted.len(), 2);
        assert_eq!(b.accepted[0].targets, ["c.db"], "groups sorted by drift");
        assert_eq!(b.accepted[1].targets, ["a.db", "b.db"], "targets sorted within a group");

        let mut same = drifted("a.db", &["- index i"]);
        b.classify(&mut same);
        assert_eq!(same.state, State::KnownDrift);
        assert!(same.new_drift.is_empty());

        // The same drift on a target the baseline does not list for it is new.
        let mut elsewhere = drifted("d.db", &["- index i"]);
        b.classify(&mut elsewhere);
        assert_eq!(elsewhere.state, State::Drifted);
        assert_eq!(elsewhere.new_drift, ["- index i"]);

        // Part of c's drift was fixed: known drift remains, the fixed part is resolved.
        let mut fixed = drifted("c.db", &["- index i"]);
        b.classify(&mut fixed);
        assert_eq!(fixed.state, State::KnownDrift);
        assert_eq!(fixed.resolved_drift, ["+ table t"]);

        // All fixed: in sync, and says what disappeared.
        let mut clean = drifted("b.db", &[]);
        b.classify(&mut clean);
        assert_eq!(clean.state, State::InSync);
        assert_eq!(clean.resolved_drift, ["- index i"]);
    }

    #[test]
    fn a_baseline_round_trips_through_its_file_and_rejects_other_shapes() {
        let b = baseline(vec![drifted("a.db", &["- index i"])]);
        let dir = std::env::temp_dir().join(format!("ss-baseline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("baseline.json");
        b.write(&path).unwrap();
        let back = Baseline::read(&path).unwrap();
        assert_eq!(back.accepted, b.accepted);
        assert_eq!(back.targets(), 1);

        std::fs::write(&path, r#"{"format_version":2,"desired":"x","accepted":[]}"#).unwrap();
        assert!(Baseline::read(&path).unwrap_err().to_string().contains("format_version 2"));
        std::fs::write(&path, r#"{"format_version":1,"desired":"x","accepted":[],"extra":1}"#).unwrap();
        assert!(Baseline::read(&path).unwrap_err().to_string().contains("not a schema-sync baseline"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
