//! A fleet run's result: counts, drift grouped by kind, errors grouped by reason, every target.

use super::{State, TargetReport};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// How a fleet run ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every target is in sync (or drifts only as the baseline accepts), or was migrated.
    Clean,
    /// Some target drifts in a way the baseline does not accept (exit 1).
    Drift,
    /// Some target could not be read or migrated (exit 2; the others were still processed).
    Errors,
}

impl Status {
    /// 0, 1 or 2.
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Clean => 0,
            Status::Drift => 1,
            Status::Errors => 2,
        }
    }
}

/// Targets per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// All targets.
    pub targets: usize,
    /// [`State::InSync`].
    pub in_sync: usize,
    /// [`State::KnownDrift`].
    pub known_drift: usize,
    /// [`State::Drifted`].
    pub drifted: usize,
    /// [`State::Unreadable`].
    pub unreadable: usize,
    /// [`State::Migrated`].
    pub migrated: usize,
    /// [`State::AlreadyDone`].
    pub already_done: usize,
    /// [`State::Failed`].
    pub failed: usize,
    /// [`State::Skipped`].
    pub skipped: usize,
}

/// Targets that share one kind of drift (or one error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// The drift lines they share, or the one-line reason they failed.
    pub items: Vec<String>,
    /// How many targets.
    pub count: usize,
    /// The targets, sorted.
    pub targets: Vec<String>,
}

/// Everything a fleet run found or did.
#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    /// Version of this JSON shape.
    pub format_version: u32,
    /// `audit` or `apply`.
    pub command: &'static str,
    /// Checksum of the desired schema (what `schema_version.checksum` records).
    pub desired: String,
    /// Targets per state.
    pub summary: Summary,
    /// How the run ended.
    pub status: Status,
    /// Drifted targets grouped by identical (new) drift, largest group first.
    pub drift: Vec<Group>,
    /// Unreadable, failed and skipped targets grouped by reason, largest group first.
    pub errors: Vec<Group>,
    /// With a baseline: targets whose accepted drift is (partly) gone, grouped by what went.
    pub resolved: Vec<Group>,
    /// Every target, sorted by name.
    pub targets: Vec<TargetReport>,
}

impl FleetReport {
    /// Builds the report from the per-target results.
    pub fn new(command: &'static str, desired: String, mut targets: Vec<TargetReport>) -> Self {
        targets.sort_by(|a, b| a.target.cmp(&b.target));
        let mut summary = Summary { targets: targets.len(), ..Summary::default() };
        for t in &targets {
            *match t.state {
                State::InSync => &mut summary.in_sync,
                State::KnownDrift => &mut summary.known_drift,
                State::Drifted => &mut summary.drifted,
                State::Unreadable => &mut summary.unreadable,
                State::Migrated => &mut summary.migrated,
                State::AlreadyDone => &mut summary.already_done,
                State::Failed => &mut summary.failed,
                State::Skipped => &mut summary.skipped,
            } += 1;
        }
        let status = if targets.iter().any(|t| t.state.is_error() || t.state == State::Skipped) {
            Status::Errors
        } else if summary.drifted > 0 {
            Status::Drift
        } else {
            Status::Clean
        };
        let drift = group(targets.iter().filter(|t| t.state == State::Drifted), |t| t.deciding_drift().to_vec());
        let errors = group(targets.iter().filter(|t| t.error.is_some()), |t| vec![reason(t)]);
        let resolved = group(targets.iter().filter(|t| !t.resolved_drift.is_empty()), |t| t.resolved_drift.clone());
        FleetReport { format_version: 1, command, desired, summary, status, drift, errors, resolved, targets }
    }

    /// The report for people: the counts, then each kind of drift with its targets, then
    /// each error with its targets — every drifted or failed target is named.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let s = &self.summary;
        let _ = writeln!(
            out,
            "fleet {}: {} target{} against the desired schema (checksum {})",
            self.command,
            s.targets,
            if s.targets == 1 { "" } else { "s" },
            self.desired
        );
        for (n, state) in [
            (s.migrated, State::Migrated),
            (s.already_done, State::AlreadyDone),
            (s.in_sync, State::InSync),
            (s.known_drift, State::KnownDrift),
            (s.drifted, State::Drifted),
            (s.unreadable, State::Unreadable),
            (s.failed, State::Failed),
            (s.skipped, State::Skipped),
        ] {
            if n > 0 {
                let _ = writeln!(out, "{n:>8}  {}", state.words());
            }
        }
        if !self.drift.is_empty() {
            let _ = writeln!(
                out,
                "\n{} kind{} of drift (+ the target lacks it, - only the target has it, ~ it differs):",
                self.drift.len(),
                if self.drift.len() == 1 { "" } else { "s" }
            );
            list_groups(&mut out, &self.drift);
        }
        if !self.errors.is_empty() {
            let _ = writeln!(out, "\nnot {}:", if self.command == "apply" { "migrated" } else { "readable" });
            list_groups(&mut out, &self.errors);
        }
        if !self.resolved.is_empty() {
            let _ = writeln!(out, "\naccepted drift no longer found (update the baseline):");
            list_groups(&mut out, &self.resolved);
        }
        let _ = writeln!(
            out,
            "\n{}",
            match self.status {
                Status::Clean if self.command == "apply" => "done",
                Status::Clean => "in sync",
                Status::Drift => "drift found",
                Status::Errors => "some targets failed",
            }
        );
        out
    }
}

fn list_groups(out: &mut String, groups: &[Group]) {
    for (i, g) in groups.iter().enumerate() {
        let _ = writeln!(out, "\n[{}] {} target{}:", i + 1, g.count, if g.count == 1 { "" } else { "s" });
        for item in &g.items {
            let _ = writeln!(out, "      {item}");
        }
        for t in &g.targets {
            let _ = writeln!(out, "    {t}");
        }
    }
}

/// A target's error with its own name taken out, so the same failure on many targets groups.
fn reason(t: &TargetReport) -> String {
    let e = t.error.clone().unwrap_or_default();
    e.replace(&format!("`{}`", t.target), "the target").replace(&t.target, "the target")
}

/// Groups targets by `key`, largest group first (ties by key).
fn group<'a>(
    targets: impl Iterator<Item = &'a TargetReport>,
    key: impl Fn(&TargetReport) -> Vec<String>,
) -> Vec<Group> {
    let mut by: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for t in targets {
        by.entry(key(t)).or_default().push(t.target.clone());
    }
    let mut groups: Vec<Group> =
        by.into_iter().map(|(items, targets)| Group { items, count: targets.len(), targets }).collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.items.cmp(&b.items)));
    groups
}
