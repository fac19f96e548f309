//! `plan(from, to, changes, caps)`: order the changes by dependency and lower what the target
//! cannot do in place. Pure.
//!
//! Order: enum/sequence creation → foreign-key and other constraint drops → renames → new tables
//! (referenced ones first) → column additions and alterations → SQLite rebuilds → new
//! constraints and indexes → new foreign keys → column drops → table drops (referencing ones
//! first) → enum/sequence drops.

mod capabilities;
mod steps;

pub use capabilities::Capabilities;
pub use steps::{CopyColumn, EnumUse, Hazard, HazardCode, Step};

use crate::diff::{Change, ColumnChanges, TableRef};
use crate::expr;
use crate::model::{Column, EnumType, Identity, Schema, Table};
use crate::types::{Dialect, SqlType};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Choices that change how a plan is built (not what it achieves).
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Build indexes with `CREATE INDEX CONCURRENTLY` outside the transaction (Postgres).
    pub concurrent_indexes: bool,
    /// Add foreign keys and checks `NOT VALID`, then `VALIDATE` (shorter locks; Postgres).
    pub not_valid_constraints: bool,
    /// Conversions for type changes, `table.column` → expression (`{col}` = old column),
    /// merged with the models' `using`.
    pub using: HashMap<String, String>,
    /// Backfill values for columns that become NOT NULL, `table.column` → SQL literal/expr.
    pub backfill: HashMap<String, String>,
}

/// An ordered, lowered migration with its hazards.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Target dialect.
    pub dialect: Dialect,
    /// Steps in execution order.
    pub steps: Vec<Step>,
    /// Hazards, by step.
    pub hazards: Vec<Hazard>,
}

impl Plan {
    /// `true` when there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// `true` when any step deletes data.
    pub fn is_destructive(&self) -> bool {
        self.hazards.iter().any(|h| h.code == HazardCode::DeletesData)
    }

    /// Hazards of one kind.
    pub fn hazards_of(&self, code: HazardCode) -> impl Iterator<Item = &Hazard> {
        self.hazards.iter().filter(move |h| h.code == code)
    }
}

/// Phases, in execution order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    CreateSchemas,
    CreateTypes,
    DropForeignKeys,
    DropConstraints,
    Renames,
    CreateTables,
    Columns,
    Rebuilds,
    AddConstraints,
    AddForeignKeys,
    DropColumns,
    DropTables,
    DropTypes,
}

/// Builds the plan that turns a database at `from` into `to` (both resolved to one dialect),
/// given the `changes` of [`crate::diff::diff`].
pub fn plan(from: &Schema, to: &Schema, changes: &[Change], caps: &Capabilities, opts: &PlanOptions) -> Plan {
    let mut b = Builder { seq_swaps: Vec::new(), caps, opts, from, to, steps: Vec::new() };
    b.build(changes);
    let mut steps: Vec<(Phase, usize, Step)> = b.steps;
    steps.sort_by_key(|(p, i, _)| (*p, *i));
    let steps: Vec<Step> = steps.into_iter().map(|(_, _, s)| s).collect();
    let steps = order_tables(steps, from);
    let hazards = hazards(&steps, caps);
    Plan { dialect: caps.dialect, steps, hazards }
}

struct Builder<'a> {
    /// Sequences that switch between "owned by a serial column" and "standalone" without being
    /// recreated (their value is kept): name → (table, column, becomes standalone).
    seq_swaps: Vec<(String, TableRef, String, bool)>,
    caps: &'a Capabilities,
    opts: &'a PlanOptions,
    from: &'a Schema,
    to: &'a Schema,
    steps: Vec<(Phase, usize, Step)>,
}

impl Builder<'_> {
    fn push(&mut self, phase: Phase, step: Step) {
        let n = self.steps.len();
        self.steps.push((phase, n, step));
    }

    /// Schemas that objects of `to` live in but no object of `from` does: created first.
    fn create_schemas(&mut self) {
        if !self.caps.enum_types {
            return;
        }
        let used = |s: &Schema| -> BTreeSet<String> {
            s.tables
                .iter()
                .filter_map(|t| t.schema.clone())
                .chain(s.enums.iter().filter_map(|e| e.schema.clone()))
                .chain(s.sequences.iter().filter_map(|q| q.schema.clone()))
                .collect()
        };
        let have = used(self.from);
        for name in used(self.to) {
            if !have.contains(&name) && name != "public" {
                self.push(Phase::CreateSchemas, Step::CreateSchema { name });
            }
        }
    }

    /// Foreign keys that depend on a key being dropped (their referenced columns are that
    /// key's columns) are dropped first and re-added after the key is back.
    fn fks_over_dropped_keys(&mut self, changes: &[Change]) {
        if !self.caps.alter_constraints {
            return;
        }
        let mut dropped_keys: Vec<(TableRef, Vec<String>)> = Vec::new();
        for ch in changes {
            match ch {
                Change::AlterPrimaryKey { table, from: Some(pk), .. } => {
                    dropped_keys.push((table.clone(), pk.columns.clone()))
                }
                Change::DropUnique { table, unique } => dropped_keys.push((table.clone(), unique.columns.clone())),
                Change::DropIndex { table, index } if index.unique => dropped_keys.push((
                    table.clone(),
                    index.keys.iter().filter_map(|k| k.column_name().map(str::to_string)).collect(),
                )),
                Change::DropTable { table } => {
                    let t = TableRef::of(table);
                    if let Some(pk) = &table.primary_key {
                        dropped_keys.push((t.clone(), pk.columns.clone()));
                    }
                    for u in &table.uniques {
                        dropped_keys.push((t.clone(), u.columns.clone()));
                    }
                    for i in table.indexes.iter().filter(|i| i.unique) {
                        dropped_keys.push((
                            t.clone(),
                            i.keys.iter().filter_map(|k| k.column_name().map(str::to_string)).collect(),
                        ));
                    }
                }
                _ => {}
            }
        }
        if dropped_keys.is_empty() {
            return;
        }
        let already_dropped = |t: &TableRef, fk: &crate::model::ForeignKey| {
            changes.iter().any(|c| match c {
                Change::DropForeignKey { table, foreign_key } => table == t && foreign_key == fk,
                _ => false,
            })
        };
        let sorted = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        for t in &self.from.tables {
            let tref = TableRef::of(t);
            for fk in &t.foreign_keys {
                let target =
                    TableRef { schema: fk.ref_schema.clone().or(t.schema.clone()), name: fk.ref_table.clone() };
                let hit =
                    dropped_keys.iter().any(|(kt, cols)| kt == &target && sorted(cols) == sorted(&fk.ref_columns));
                if !hit || already_dropped(&tref, fk) {
                    continue;
                }
                self.steps.push((
                    Phase::DropForeignKeys,
                    self.steps.len(),
                    Step::DropForeignKey { table: tref.clone(), foreign_key: fk.clone() },
                ));
                let kept = self.target_table(&tref).and_then(|tt| tt.foreign_keys.iter().find(|f| f == &fk)).cloned();
                if let Some(fk) = kept {
                    self.steps.push((
                        Phase::AddForeignKeys,
                        self.steps.len(),
                        Step::AddForeignKey { table: tref.clone(), foreign_key: fk, not_valid: false },
                    ));
                }
            }
        }
    }

    /// Finds serial columns whose sequence becomes standalone (or the reverse) in this plan.
    fn find_sequence_swaps(&mut self, changes: &[Change]) {
        for ch in changes {
            let Change::AlterColumn { table, from, to, .. } = ch else { continue };
            let (serial_to_plain, default) = match (from.identity, to.identity) {
                (Some(Identity::Serial), None) => (true, to.default.as_deref()),
                (None, Some(Identity::Serial)) => (false, from.default.as_deref()),
                _ => continue,
            };
            let Some(seq) = default.and_then(nextval_target) else { continue };
            let matches = changes.iter().any(|c| match c {
                Change::CreateSequence { sequence } if serial_to_plain => sequence.name == seq,
                Change::DropSequence { sequence } if !serial_to_plain => sequence.name == seq,
                _ => false,
            });
            if matches {
                self.seq_swaps.push((seq, table.clone(), to.name.clone(), serial_to_plain));
            }
        }
    }

    fn build(&mut self, changes: &[Change]) {
        self.find_sequence_swaps(changes);
        self.create_schemas();
        self.fks_over_dropped_keys(changes);
        let rebuild = self.tables_to_rebuild(changes);
        let mut rebuilt_done = BTreeSet::new();
        let created: BTreeSet<TableRef> = changes
            .iter()
            .filter_map(|c| match c {
                Change::CreateTable { table } => Some(TableRef::of(table)),
                _ => None,
            })
            .collect();
        for ch in changes {
            let t = ch.table();
            if let Some(t) = t.as_ref().filter(|t| rebuild.contains(*t)) {
                if !matches!(ch, Change::RenameTable { .. }) {
                    if rebuilt_done.insert(t.clone()) {
                        self.rebuild(t, changes);
                    }
                    continue;
                }
            }
            self.lower(ch, &created);
        }
    }

    /// SQLite-style targets: tables whose changes need a rebuild.
    fn tables_to_rebuild(&self, changes: &[Change]) -> BTreeSet<TableRef> {
        let caps = self.caps;
        let mut out = BTreeSet::new();
        for ch in changes {
            let needs = match ch {
                Change::AlterColumn { .. } => !caps.alter_column,
                Change::AlterPrimaryKey { .. }
                | Change::AddUnique { .. }
                | Change::DropUnique { .. }
                | Change::AddForeignKey { .. }
                | Change::DropForeignKey { .. }
                | Change::AddCheck { .. }
                | Change::DropCheck { .. } => !caps.alter_constraints,
                Change::AlterTableOptions { .. } => true,
                Change::AddColumn { table, column } => !self.can_add_in_place(table, column),
                Change::DropColumn { table, column } => !self.can_drop_in_place(table, &column.name),
                Change::RenameColumn { .. } => !caps.rename_column,
                _ => false,
            };
            if needs {
                if let Some(t) = ch.table() {
                    out.insert(t);
                }
            }
        }
        out
    }

    fn target_table(&self, t: &TableRef) -> Option<&Table> {
        self.to.tables.iter().find(|x| x.schema == t.schema && x.name == t.name)
    }

    fn source_table(&self, t: &TableRef) -> Option<&Table> {
        self.from.tables.iter().find(|x| x.schema == t.schema && x.name == t.name)
    }

    fn can_add_in_place(&self, table: &TableRef, column: &Column) -> bool {
        let caps = self.caps;
        let Some(t) = self.target_table(table) else { return false };
        let in_key = !caps.alter_constraints
            && (t.primary_key.as_ref().is_some_and(|pk| pk.columns.contains(&column.name))
                || t.uniques.iter().any(|u| u.columns.contains(&column.name))
                || t.foreign_keys.iter().any(|f| f.columns.contains(&column.name)));
        let default_ok = match &column.default {
            None => true,
            Some(d) => caps.add_column_expression_default || is_constant(d),
        };
        let not_null_ok = column.nullable
            || caps.add_column_not_null_without_default
            || column.default.as_deref().is_some_and(|d| expr::canonical(d) != "null");
        let generated_ok = caps.alter_column || column.generated.as_ref().is_none_or(|g| !g.stored);
        !in_key && default_ok && not_null_ok && generated_ok && (caps.identity_columns || column.identity.is_none())
    }

    fn can_drop_in_place(&self, table: &TableRef, column: &str) -> bool {
        if !self.caps.drop_column {
            return false;
        }
        if self.caps.alter_constraints {
            return true;
        }
        let Some(t) = self.source_table(table) else { return false };
        let used = t.primary_key.as_ref().is_some_and(|pk| pk.columns.iter().any(|c| c == column))
            || t.uniques.iter().any(|u| u.columns.iter().any(|c| c == column))
            || t.foreign_keys.iter().any(|f| f.columns.iter().any(|c| c == column))
            || t.indexes.iter().any(|i| {
                i.keys.iter().any(|k| match &k.target {
                    crate::model::KeyTarget::Column(c) => c == column,
                    crate::model::KeyTarget::Expression(e) => mentions(e, column),
                }) || i.predicate.as_deref().is_some_and(|p| mentions(p, column))
            })
            || t.checks.iter().any(|c| mentions(&c.expr, column))
            || t.columns.iter().any(|c| c.generated.as_ref().is_some_and(|g| mentions(&g.expr, column)));
        !used
    }

    fn key(t: &TableRef, col: &str) -> String {
        format!("{}.{col}", t.name)
    }

    fn rebuild(&mut self, t: &TableRef, changes: &[Change]) {
        let Some(to) = self.target_table(t).cloned() else {
            debug_assert!(false, "rebuild of a table missing from the target: {t:?}");
            return;
        };
        // The old table is the `from` table, under its pre-rename name if renamed in this plan.
        let old_name = changes.iter().find_map(|c| match c {
            Change::RenameTable { table, to } if to == &t.name => Some(table.name.clone()),
            _ => None,
        });
        let mut from = self
            .source_table(&TableRef { schema: t.schema.clone(), name: old_name.unwrap_or_else(|| t.name.clone()) })
            .cloned()
            .unwrap_or_else(|| to.clone());
        from.name = t.name.clone();
        let renamed: HashMap<&str, &str> = changes
            .iter()
            .filter_map(|c| match c {
                Change::RenameColumn { table, from, to } if table == t => Some((to.as_str(), from.as_str())),
                _ => None,
            })
            .collect();
        let mut copy = Vec::new();
        for col in &to.columns {
            if col.generated.is_some() {
                continue;
            }
            let src = renamed.get(col.name.as_str()).copied().unwrap_or(col.name.as_str());
            let Some(old) = from.column(src) else { continue };
            if old.generated.is_some() {
                continue;
            }
            let key = Self::key(t, &col.name);
            let using =
                if old.ty != col.ty { self.opts.using.get(&key).cloned().or_else(|| col.using.clone()) } else { None };
            let backfill = if old.nullable && !col.nullable { self.opts.backfill.get(&key).cloned() } else { None };
            copy.push(CopyColumn { to: col.name.clone(), from: src.to_string(), using, backfill });
        }
        self.push(Phase::Rebuilds, Step::RebuildTable { from, to, copy });
    }

    fn lower(&mut self, ch: &Change, created: &BTreeSet<TableRef>) {
        let caps = self.caps;
        match ch {
            Change::CreateEnum { r#enum } => {
                if caps.enum_types {
                    self.push(Phase::CreateTypes, Step::CreateEnum { r#enum: r#enum.clone() })
                }
            }
            Change::DropEnum { r#enum } => {
                if caps.enum_types {
                    self.push(Phase::DropTypes, Step::DropEnum { r#enum: r#enum.clone() })
                }
            }
            Change::AlterEnum { from, to } => self.alter_enum(from, to),
            Change::CreateSequence { sequence } => {
                if let Some((_, t, c, _)) = self.seq_swaps.iter().find(|x| x.0 == sequence.name && x.3).cloned() {
                    // The serial column's own sequence stays (with its current value), detached.
                    let _ = (t, c);
                    self.push(Phase::Columns, Step::SetSequenceOwner { sequence: sequence.clone(), owner: None });
                    self.push(Phase::Columns, Step::AlterSequence { sequence: sequence.clone() });
                } else {
                    self.push(Phase::CreateTypes, Step::CreateSequence { sequence: sequence.clone() });
                    if sequence.owned_by.is_some() {
                        self.set_owner(sequence);
                    }
                }
            }
            Change::DropSequence { sequence } => {
                if let Some((_, t, c, _)) = self.seq_swaps.iter().find(|x| x.0 == sequence.name && !x.3).cloned() {
                    self.push(
                        Phase::Columns,
                        Step::SetSequenceOwner { sequence: sequence.clone(), owner: Some((t, c)) },
                    );
                } else {
                    self.push(Phase::DropTypes, Step::DropSequence { sequence: sequence.clone() })
                }
            }
            Change::AlterSequence { from, to } => {
                let mut options = to.clone();
                options.owned_by = from.owned_by.clone();
                if &options != from {
                    self.push(Phase::CreateTypes, Step::AlterSequence { sequence: to.clone() })
                }
                if from.owned_by != to.owned_by {
                    self.set_owner(to);
                }
            }
            Change::CreateTable { table } => {
                let mut t = table.clone();
                if caps.add_foreign_key_later {
                    // Foreign keys are added once every table and column they name exists
                    // (the referenced table may be new, or gain the referenced column later).
                    for fk in std::mem::take(&mut t.foreign_keys) {
                        self.push(
                            Phase::AddForeignKeys,
                            Step::AddForeignKey { table: TableRef::of(&t), foreign_key: fk, not_valid: false },
                        );
                    }
                }
                let indexes = std::mem::take(&mut t.indexes);
                let tref = TableRef::of(&t);
                self.push(Phase::CreateTables, Step::CreateTable { table: t });
                for index in indexes {
                    self.push(
                        Phase::CreateTables,
                        Step::CreateIndex { table: tref.clone(), index, concurrently: false },
                    );
                }
            }
            Change::DropTable { table } => self.push(Phase::DropTables, Step::DropTable { table: table.clone() }),
            Change::RenameTable { table, to } => {
                self.push(Phase::Renames, Step::RenameTable { table: table.clone(), to: to.clone() })
            }
            Change::AddColumn { table, column } => {
                self.push(Phase::Columns, Step::AddColumn { table: table.clone(), column: column.clone() })
            }
            Change::DropColumn { table, column } => {
                self.push(Phase::DropColumns, Step::DropColumn { table: table.clone(), column: column.name.clone() })
            }
            Change::RenameColumn { table, from, to } => self
                .push(Phase::Renames, Step::RenameColumn { table: table.clone(), from: from.clone(), to: to.clone() }),
            Change::AlterColumn { table, from, to, changes } => {
                if self.seq_swaps.iter().any(|x| &x.1 == table && x.2 == to.name) {
                    // Identity and default are taken care of by the sequence's new owner.
                    let mut rest = changes.clone();
                    rest.identity = false;
                    rest.default = false;
                    if !rest.is_empty() {
                        self.alter_column(table, from, to, &rest);
                    }
                } else {
                    self.alter_column(table, from, to, changes)
                }
            }
            Change::AlterPrimaryKey { table, from, to } => {
                if let Some(pk) = from {
                    self.push(
                        Phase::DropConstraints,
                        Step::DropPrimaryKey { table: table.clone(), primary_key: pk.clone() },
                    );
                }
                if let Some(pk) = to {
                    self.push(
                        Phase::AddConstraints,
                        Step::AddPrimaryKey { table: table.clone(), primary_key: pk.clone() },
                    );
                }
            }
            Change::AddIndex { table, index } => {
                let concurrently = self.opts.concurrent_indexes && caps.concurrent_index && !created.contains(table);
                self.push(
                    Phase::AddConstraints,
                    Step::CreateIndex { table: table.clone(), index: index.clone(), concurrently },
                )
            }
            Change::DropIndex { table, index } => {
                self.push(Phase::DropConstraints, Step::DropIndex { table: table.clone(), index: index.clone() })
            }
            Change::AddUnique { table, unique } => {
                self.push(Phase::AddConstraints, Step::AddUnique { table: table.clone(), unique: unique.clone() })
            }
            Change::DropUnique { table, unique } => {
                self.push(Phase::DropConstraints, Step::DropUnique { table: table.clone(), unique: unique.clone() })
            }
            Change::AddForeignKey { table, foreign_key } => {
                let not_valid = self.opts.not_valid_constraints && caps.not_valid_constraints;
                self.push(
                    Phase::AddForeignKeys,
                    Step::AddForeignKey { table: table.clone(), foreign_key: foreign_key.clone(), not_valid },
                );
                if let (true, Some(name)) = (not_valid, &foreign_key.name) {
                    self.push(
                        Phase::AddForeignKeys,
                        Step::ValidateConstraint { table: table.clone(), name: name.clone() },
                    );
                }
            }
            Change::DropForeignKey { table, foreign_key } => self.push(
                Phase::DropForeignKeys,
                Step::DropForeignKey { table: table.clone(), foreign_key: foreign_key.clone() },
            ),
            Change::AddCheck { table, check } => {
                let not_valid = self.opts.not_valid_constraints && caps.not_valid_constraints;
                self.push(
                    Phase::AddConstraints,
                    Step::AddCheck { table: table.clone(), check: check.clone(), not_valid },
                );
                if let (true, Some(name)) = (not_valid, &check.name) {
                    self.push(
                        Phase::AddConstraints,
                        Step::ValidateConstraint { table: table.clone(), name: name.clone() },
                    );
                }
            }
            Change::DropCheck { table, check } => {
                self.push(Phase::DropConstraints, Step::DropCheck { table: table.clone(), check: check.clone() })
            }
            Change::AlterTableOptions { .. } => {
                // Only SQLite has table options, and they always rebuild (handled above).
            }
        }
    }

    fn alter_column(&mut self, table: &TableRef, from: &Column, to: &Column, changes: &ColumnChanges) {
        let col = to.name.clone();
        let t = table.clone();
        if changes.generated {
            // A generated column holds no user data: drop and re-add it.
            self.push(Phase::Columns, Step::DropColumn { table: t.clone(), column: col.clone() });
            self.push(Phase::Columns, Step::AddColumn { table: t, column: to.clone() });
            return;
        }
        let retype = changes.ty || changes.collation;
        let default_in_way = retype && from.default.is_some();
        if default_in_way || (changes.default && to.default.is_none() && from.default.is_some()) {
            self.push(Phase::Columns, Step::DropDefault { table: t.clone(), column: col.clone() });
        }
        if changes.identity && from.identity.is_some() && retype {
            self.push(
                Phase::Columns,
                Step::AlterIdentity {
                    table: t.clone(),
                    column: col.clone(),
                    ty: from.ty.clone(),
                    from: from.identity,
                    to: None,
                },
            );
        }
        if retype {
            let key = Self::key(table, &col);
            let using = self.opts.using.get(&key).cloned().or_else(|| to.using.clone());
            self.push(
                Phase::Columns,
                Step::AlterColumnType {
                    table: t.clone(),
                    column: col.clone(),
                    from: from.ty.clone(),
                    to: to.ty.clone(),
                    collation: to.collation.clone(),
                    using,
                },
            );
        }
        let identity_removed = changes.identity && !retype && from.identity.is_some() && to.identity.is_none();
        if identity_removed {
            // An identity column cannot drop NOT NULL while it is one.
            self.push(
                Phase::Columns,
                Step::AlterIdentity {
                    table: t.clone(),
                    column: col.clone(),
                    ty: to.ty.clone(),
                    from: from.identity,
                    to: None,
                },
            );
        }
        if changes.nullable {
            if to.nullable {
                self.push(Phase::Columns, Step::DropNotNull { table: t.clone(), column: col.clone() });
            } else {
                let backfill = self.opts.backfill.get(&Self::key(table, &col)).cloned();
                self.push(Phase::Columns, Step::SetNotNull { table: t.clone(), column: col.clone(), backfill });
            }
        }
        if let Some(d) = &to.default {
            if changes.default || default_in_way {
                self.push(Phase::Columns, Step::SetDefault { table: t.clone(), column: col.clone(), expr: d.clone() });
            }
        }
        if changes.identity && !identity_removed {
            let from_id = if retype { None } else { from.identity };
            if from_id != to.identity {
                self.push(
                    Phase::Columns,
                    Step::AlterIdentity { table: t, column: col, ty: to.ty.clone(), from: from_id, to: to.identity },
                );
            }
        }
    }

    /// `OWNED BY`: detached early (before a table drop would take the sequence with it),
    /// attached late (once the owning column exists).
    fn set_owner(&mut self, sequence: &crate::model::Sequence) {
        let owner = sequence
            .owned_by
            .as_ref()
            .map(|o| (TableRef { schema: sequence.schema.clone(), name: o.table.clone() }, o.column.clone()));
        let phase = if owner.is_some() { Phase::AddForeignKeys } else { Phase::CreateTypes };
        self.push(phase, Step::SetSequenceOwner { sequence: sequence.clone(), owner });
    }

    fn alter_enum(&mut self, from: &EnumType, to: &EnumType) {
        if !self.caps.enum_types {
            return;
        }
        // Pure insertions keep existing labels in order: ALTER TYPE … ADD VALUE.
        let kept: Vec<&String> = to.values.iter().filter(|v| from.values.contains(v)).collect();
        let only_added = kept.len() == from.values.len() && kept.iter().zip(&from.values).all(|(a, b)| *a == b);
        // A new label used by a default in the same transaction is unusable until commit
        // ("unsafe use of new value"), so such plans recreate the type instead.
        let new: Vec<&String> = to.values.iter().filter(|v| !from.values.contains(v)).collect();
        let used_now = self.to.tables.iter().flat_map(|t| &t.columns).any(|c| {
            uses_enum(&c.ty, to)
                && c.default.as_deref().is_some_and(|d| new.iter().any(|v| d.contains(&format!("'{v}'"))))
        });
        if only_added && !used_now {
            for (i, v) in to.values.iter().enumerate() {
                if from.values.contains(v) {
                    continue;
                }
                // Values are added in order, so the previous label always exists by now.
                let after = if i > 0 { Some(to.values[i - 1].clone()) } else { None };
                let before = if after.is_none() {
                    to.values[i + 1..].iter().find(|x| from.values.contains(x)).cloned()
                } else {
                    None
                };
                self.push(
                    Phase::CreateTypes,
                    Step::AddEnumValue { r#enum: to.clone(), value: v.clone(), before, after },
                );
            }
            return;
        }
        let uses = self
            .from
            .tables
            .iter()
            .flat_map(|t| {
                t.columns.iter().filter(|c| uses_enum(&c.ty, from)).map(move |c| EnumUse {
                    table: TableRef::of(t),
                    column: c.name.clone(),
                    array: matches!(c.ty, SqlType::Array { .. }),
                    default: c.default.clone(),
                })
            })
            .collect();
        self.push(Phase::CreateTypes, Step::RecreateEnum { from: from.clone(), to: to.clone(), uses });
    }
}

/// The sequence a `nextval('name'::regclass)` default draws from (unqualified, unquoted).
fn nextval_target(default: &str) -> Option<String> {
    let start = default.find("nextval('")? + "nextval('".len();
    let rest = &default[start..];
    let end = rest.find('\'')?;
    let name = &rest[..end];
    let last = name.rsplit('.').next().unwrap_or(name);
    Some(last.trim_matches('"').replace("\"\"", "\""))
}

fn uses_enum(ty: &SqlType, e: &EnumType) -> bool {
    match ty {
        SqlType::Enum { schema, name } => {
            name == &e.name && (schema.is_none() || e.schema.is_none() || schema == &e.schema)
        }
        SqlType::Array { element } => uses_enum(element, e),
        _ => false,
    }
}

/// `true` when an expression is a literal SQLite accepts as an ADD COLUMN default.
fn is_constant(d: &str) -> bool {
    let c = expr::canonical(d);
    let t = c.trim();
    t.starts_with('\'') && t.ends_with('\'')
        || t.parse::<f64>().is_ok()
        || t.strip_prefix("- ").is_some_and(|n| n.parse::<f64>().is_ok())
        || matches!(t, "null" | "true" | "false")
}

/// `true` when `text` mentions identifier `col` (quoted or bare, case-insensitive).
fn mentions(text: &str, col: &str) -> bool {
    let lower = text.to_lowercase();
    let c = col.to_lowercase();
    let bytes = lower.as_bytes();
    let mut start = 0;
    while let Some(pos) = lower[start..].find(&c) {
        let i = start + pos;
        let before = if i == 0 { None } else { Some(bytes[i - 1]) };
        let after = bytes.get(i + c.len()).copied();
        let boundary = |b: Option<u8>| b.is_none_or(|b| !(b.is_ascii_alphanumeric() || b == b'_'));
        if boundary(before) && boundary(after) {
            return true;
        }
        start = i + c.len().max(1);
    }
    false
}

/// Orders CREATE TABLE steps so referenced tables come first, and DROP TABLE steps so
/// referencing tables go first. Other steps keep their phase order.
fn order_tables(steps: Vec<Step>, from: &Schema) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    let mut i = 0;
    while i < steps.len() {
        let is_create = |s: &Step| matches!(s, Step::CreateTable { .. } | Step::CreateIndex { .. });
        let is_drop = |s: &Step| matches!(s, Step::DropTable { .. });
        if matches!(steps[i], Step::CreateTable { .. }) {
            let mut j = i;
            while j < steps.len() && is_create(&steps[j]) {
                j += 1;
            }
            out.extend(topo(&steps[i..j], false, from));
            i = j;
        } else if is_drop(&steps[i]) {
            let mut j = i;
            while j < steps.len() && is_drop(&steps[j]) {
                j += 1;
            }
            out.extend(topo(&steps[i..j], true, from));
            i = j;
        } else {
            out.push(steps[i].clone());
            i += 1;
        }
    }
    out
}

fn topo(group: &[Step], reverse: bool, _from: &Schema) -> Vec<Step> {
    // Tables of this group and the tables each references.
    let mut tables: BTreeMap<String, (Step, Vec<Step>, Vec<String>)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for s in group {
        match s {
            Step::CreateTable { table } | Step::DropTable { table } => {
                let key = TableRef::of(table).display();
                let deps = table
                    .foreign_keys
                    .iter()
                    .map(|fk| {
                        TableRef { schema: fk.ref_schema.clone().or(table.schema.clone()), name: fk.ref_table.clone() }
                            .display()
                    })
                    .filter(|d| d != &key)
                    .collect();
                order.push(key.clone());
                tables.insert(key, (s.clone(), Vec::new(), deps));
            }
            _ => {}
        }
    }
    // Indexes go right after their table when it is created here; an index on a table that
    // already exists (the run only happens to include it) keeps its place after the tables.
    let mut other_indexes = Vec::new();
    for s in group {
        if let Step::CreateIndex { table, .. } = s {
            match tables.get_mut(&table.display()) {
                Some(e) => e.1.push(s.clone()),
                None => other_indexes.push(s.clone()),
            }
        }
    }
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut sorted: Vec<String> = Vec::new();
    fn visit(
        k: &str,
        tables: &BTreeMap<String, (Step, Vec<Step>, Vec<String>)>,
        done: &mut BTreeSet<String>,
        visiting: &mut BTreeSet<String>,
        sorted: &mut Vec<String>,
    ) {
        if done.contains(k) || !visiting.insert(k.to_string()) {
            return;
        }
        if let Some((_, _, deps)) = tables.get(k) {
            for d in deps {
                if tables.contains_key(d) {
                    visit(d, tables, done, visiting, sorted);
                }
            }
        }
        done.insert(k.to_string());
        sorted.push(k.to_string());
    }
    let mut visiting = BTreeSet::new();
    for k in &order {
        visit(k, &tables, &mut done, &mut visiting, &mut sorted);
    }
    if reverse {
        sorted.reverse();
    }
    let mut out = Vec::new();
    for k in sorted {
        if let Some((s, idx, _)) = tables.remove(&k) {
            out.push(s);
            out.extend(idx);
        }
    }
    out.extend(other_indexes);
    out
}

fn hazards(steps: &[Step], caps: &Capabilities) -> Vec<Hazard> {
    let mut out = Vec::new();
    let mut add = |code, step, message: String| out.push(Hazard { code, step, message });
    for (i, s) in steps.iter().enumerate() {
        match s {
            Step::DropTable { table } => {
                add(HazardCode::DeletesData, i, format!("drops table `{}` and every row in it", table.display_name()))
            }
            Step::DropColumn { table, column } => {
                add(HazardCode::DeletesData, i, format!("drops column `{}.{column}` and its values", table.name))
            }
            Step::AlterColumnType { table, column, from, to, using, .. } => {
                add(
                    HazardCode::RewritesTable,
                    i,
                    format!("changing `{}.{column}` to {to} rewrites the table", table.name),
                );
                if crate::diff::narrows(from, to) || using.is_some() {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!("`{}.{column}` {from} → {to} fails if a row does not convert", table.name),
                    );
                }
            }
            Step::SetNotNull { table, column, backfill } => {
                if backfill.is_none() {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!("SET NOT NULL on `{}.{column}` fails if a row holds NULL", table.name),
                    )
                }
            }
            Step::AddColumn { table, column } => {
                if !column.nullable
                    && column.default.is_none()
                    && column.generated.is_none()
                    && column.identity.is_none()
                {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!(
                            "NOT NULL column `{}.{}` without a default fails if the table has rows",
                            table.name, column.name
                        ),
                    )
                }
            }
            Step::CreateIndex { table, index, concurrently } => {
                if index.unique {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!("unique index `{}` fails if `{}` has duplicates", index.name, table.name),
                    );
                }
                if *concurrently {
                    add(
                        HazardCode::NonTransactional,
                        i,
                        format!("index `{}` is built CONCURRENTLY outside the transaction", index.name),
                    );
                } else if caps.concurrent_index {
                    add(
                        HazardCode::LocksTable,
                        i,
                        format!("building index `{}` blocks writes to `{}`", index.name, table.name),
                    );
                }
            }
            Step::AddUnique { table, unique } => add(
                HazardCode::MayFail,
                i,
                format!("UNIQUE ({}) fails if `{}` has duplicates", unique.columns.join(", "), table.name),
            ),
            Step::AddPrimaryKey { table, .. } => {
                add(HazardCode::MayFail, i, format!("primary key on `{}` fails on duplicates or NULLs", table.name))
            }
            Step::AddForeignKey { table, foreign_key, not_valid } => {
                if !not_valid {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!(
                            "foreign key ({}) on `{}` fails if a row has no parent",
                            foreign_key.columns.join(", "),
                            table.name
                        ),
                    )
                }
            }
            Step::AddCheck { table, check, not_valid } => {
                if !not_valid {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!("CHECK ({}) fails if a row of `{}` violates it", check.expr, table.name),
                    )
                }
            }
            Step::RecreateEnum { to, from, .. } => {
                add(
                    HazardCode::RewritesTable,
                    i,
                    format!("recreating enum `{}` rewrites every table that uses it", to.name),
                );
                if from.values.iter().any(|v| !to.values.contains(v)) {
                    add(HazardCode::MayFail, i, format!("enum `{}` loses labels; fails if a row uses one", to.name));
                }
            }
            Step::RebuildTable { from, to, copy } => {
                add(
                    HazardCode::RewritesTable,
                    i,
                    format!("table `{}` is rebuilt (new table, rows copied, old dropped)", to.name),
                );
                let dropped: Vec<&str> = from
                    .columns
                    .iter()
                    .filter(|c| c.generated.is_none() && !copy.iter().any(|k| k.from == c.name))
                    .map(|c| c.name.as_str())
                    .collect();
                if !dropped.is_empty() {
                    add(
                        HazardCode::DeletesData,
                        i,
                        format!("rebuild of `{}` drops column(s) {}", to.name, dropped.join(", ")),
                    );
                }
                let risky = copy.iter().any(|k| {
                    let (Some(a), Some(b)) = (from.column(&k.from), to.column(&k.to)) else { return false };
                    (a.nullable && !b.nullable && k.backfill.is_none()) || crate::diff::narrows(&a.ty, &b.ty)
                }) || to.columns.iter().any(|c| {
                    !c.nullable
                        && c.default.is_none()
                        && c.generated.is_none()
                        && !copy.iter().any(|k| k.to == c.name)
                        && !is_rowid_alias(to, c)
                }) || to.checks.len() > from.checks.len()
                    || to.foreign_keys.len() > from.foreign_keys.len()
                    || to.uniques.len() > from.uniques.len();
                if risky {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!("rebuild of `{}` fails if existing rows violate the new definition", to.name),
                    );
                }
            }
            Step::AlterIdentity { .. }
            | Step::CreateSchema { .. }
            | Step::SetSequenceOwner { .. }
            | Step::CreateEnum { .. }
            | Step::DropEnum { .. }
            | Step::AddEnumValue { .. }
            | Step::CreateSequence { .. }
            | Step::DropSequence { .. }
            | Step::AlterSequence { .. }
            | Step::CreateTable { .. }
            | Step::RenameTable { .. }
            | Step::RenameColumn { .. }
            | Step::DropNotNull { .. }
            | Step::SetDefault { .. }
            | Step::DropDefault { .. }
            | Step::DropPrimaryKey { .. }
            | Step::DropIndex { .. }
            | Step::DropUnique { .. }
            | Step::DropForeignKey { .. }
            | Step::DropCheck { .. }
            | Step::ValidateConstraint { .. } => {}
        }
    }
    // A table this plan creates is empty and unused: building its indexes and constraints
    // cannot fail on existing rows or block anyone.
    let created: BTreeSet<String> = steps
        .iter()
        .filter_map(|s| match s {
            Step::CreateTable { table } => Some(TableRef::of(table).display()),
            _ => None,
        })
        .collect();
    if !created.is_empty() {
        out.retain(|h| {
            let on = match &steps[h.step] {
                Step::CreateIndex { table, concurrently: false, .. }
                | Step::AddUnique { table, .. }
                | Step::AddForeignKey { table, .. }
                | Step::AddCheck { table, .. } => table,
                _ => return true,
            };
            !(matches!(h.code, HazardCode::MayFail | HazardCode::LocksTable) && created.contains(&on.display()))
        });
    }
    out
}

fn is_rowid_alias(t: &Table, c: &Column) -> bool {
    t.primary_key.as_ref().is_some_and(|pk| pk.columns.len() == 1 && pk.columns[0] == c.name)
        && crate::types::sqlite::render(&c.ty) == "INTEGER"
        && !t.options.without_rowid
}
