//! Lowering: each [`Change`] becomes the steps that carry it out on a target with these
//! [`Capabilities`], tagged with the phase it runs in ([`Phase`]). What a target cannot do in
//! place becomes something it can (a SQLite table rebuild, in `rebuild.rs`; an enum recreated
//! around a label it cannot drop; foreign keys dropped and re-added around the key they use).

use super::steps::{EnumUse, PlanOptions, Step};
use crate::capabilities::Capabilities;
use crate::diff::{Change, ColumnChanges};
use crate::model::{Column, EnumType, Identity, Schema, Table, TableRef};
use crate::types::{conversion, SqlType};
use std::collections::BTreeSet;

/// Phases, in execution order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Phase {
    CreateSchemas,
    /// Extensions (what they define may be used by anything after).
    CreateExtensions,
    /// Collations (columns, domains and composite types name them).
    CreateCollations,
    /// Triggers and views dropped (gone, changed, or set aside around what they read).
    DropViews,
    CreateTypes,
    /// Domains (after the enums they may be over), in base-type order.
    CreateDomains,
    /// Composite types (after the enums and domains their attributes may be; before the
    /// functions that take or return them and the tables that store them).
    CreateComposites,
    /// Functions (their bodies are checked when called, so they may name later tables).
    CreateFunctions,
    /// Domains whose CHECK or default calls a function of the target.
    LateDomains,
    DropForeignKeys,
    DropConstraints,
    Renames,
    /// Tables dropped to be created again (a partitioning Postgres cannot alter).
    RecreateDrops,
    CreateTables,
    Columns,
    Rebuilds,
    /// Functions whose signature names a table of the target.
    LateFunctions,
    AddConstraints,
    /// Indexes and keys of partitioned tables, after those of their partitions (a partition's
    /// matching index is adopted rather than built again).
    PartitionedIndexes,
    /// The names of partitions' indexes that Postgres made for their parent's.
    PartitionIndexNames,
    /// A partition's own indexes that are not its parent's index's partition: after the
    /// parent's, which would otherwise adopt a matching one.
    LocalPartitionIndexes,
    AddForeignKeys,
    DropColumns,
    /// Columns a table only inherited, its own after the parent dropped them (their values
    /// copied before: `Builder::own_inherited_column`).
    OwnInheritedColumns,
    DropTables,
    /// Domains, once no column uses them (and before the functions their CHECKs call).
    DropDomains,
    DropFunctions,
    DropTypes,
    /// Collations, once no column, domain or type uses them.
    DropCollations,
    /// Extensions, once nothing of the schema uses what they define.
    DropExtensions,
    /// Schemas, once everything in them is gone.
    DropSchemas,
    /// Views and triggers created (new, changed, or set aside), after everything they read.
    CreateViews,
    /// Privileges of the managed roles, once every object exists.
    Privileges,
    /// Comments, once every object exists.
    Comments,
}

/// Lowers `changes` (from `from` to `to`) into steps in execution order: by phase, then in the
/// order the changes came.
pub(super) fn lower(
    from: &Schema,
    to: &Schema,
    changes: &[Change],
    caps: &Capabilities,
    opts: &PlanOptions,
) -> Vec<Step> {
    let recreated = changes
        .iter()
        .filter_map(|c| match c {
            Change::RecreateTable { from, .. } => Some(TableRef::of(from)),
            _ => None,
        })
        .collect();
    let mut b = Builder { seq_swaps: Vec::new(), recreated, caps, opts, from, to, steps: Vec::new() };
    b.build(changes);
    let made: Vec<&Step> = b.steps.iter().map(|(_, _, s)| s).collect();
    let privileges = super::privileges::plan(to, changes, &made);
    let comments = super::comments::plan(to, changes, &made);
    for step in privileges {
        b.push(Phase::Privileges, step);
    }
    for step in comments {
        b.push(Phase::Comments, step);
    }
    let mut steps = b.steps;
    steps.sort_by_key(|(p, i, _)| (*p, *i));
    steps.into_iter().map(|(_, _, s)| s).collect()
}

pub(super) struct Builder<'a> {
    /// Sequences that switch between "owned by a serial column" and "standalone" without being
    /// recreated (their value is kept): name → (table, column, becomes standalone).
    pub(super) seq_swaps: Vec<(String, TableRef, String, bool)>,
    /// Tables the plan drops and creates again ([`Change::RecreateTable`]).
    pub(super) recreated: Vec<TableRef>,
    pub(super) caps: &'a Capabilities,
    pub(super) opts: &'a PlanOptions,
    pub(super) from: &'a Schema,
    pub(super) to: &'a Schema,
    pub(super) steps: Vec<(Phase, usize, Step)>,
}

impl Builder<'_> {
    pub(super) fn push(&mut self, phase: Phase, step: Step) {
        let partitioned = |t: &TableRef| {
            self.to.tables.iter().any(|x| x.partition_by.is_some() && x.name == t.name && x.schema == t.schema)
        };
        // A partition's own index not to be adopted (the target has it besides the parent's).
        let local = |t: &TableRef, name: &str| {
            self.to.tables.iter().any(|x| {
                x.partition_of.is_some()
                    && x.name == t.name
                    && x.schema == t.schema
                    && !x.partition_indexes.values().any(|n| n == name)
            })
        };
        let phase = match &step {
            Step::CreateIndex { table, index, .. }
                if matches!(phase, Phase::AddConstraints | Phase::CreateTables) && local(table, &index.name) =>
            {
                Phase::LocalPartitionIndexes
            }
            Step::CreateIndex { table, .. } | Step::AddUnique { table, .. } | Step::AddPrimaryKey { table, .. }
                if phase == Phase::AddConstraints && partitioned(table) =>
            {
                Phase::PartitionedIndexes
            }
            _ => phase,
        };
        let n = self.steps.len();
        self.steps.push((phase, n, step));
    }

    /// Schemas that objects of `to` live in but no object of `from` does: created first.
    fn create_schemas(&mut self) {
        if !self.caps.schemas {
            return;
        }
        let used = |s: &Schema| -> BTreeSet<String> {
            s.tables
                .iter()
                .filter_map(|t| t.schema.clone())
                .chain(s.enums.iter().filter_map(|e| e.schema.clone()))
                .chain(s.sequences.iter().filter_map(|q| q.schema.clone()))
                .chain(s.views.iter().filter_map(|v| v.schema.clone()))
                .chain(s.functions.iter().filter_map(|f| f.schema.clone()))
                .chain(s.domains.iter().filter_map(|d| d.schema.clone()))
                .chain(s.composites.iter().filter_map(|c| c.schema.clone()))
                .chain(s.collations.iter().filter_map(|c| c.schema.clone()))
                .chain(s.extensions.iter().filter_map(|x| x.schema.clone()))
                .collect()
        };
        let mut have = used(self.from);
        have.extend(self.from.namespaces.iter().cloned());
        // Those the target lists are created by their own change.
        have.extend(self.to.namespaces.iter().cloned());
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
                Change::DropTable { table } | Change::RecreateTable { from: table, .. } => {
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
                // A recreated table's foreign keys come back with it.
                let kept = self
                    .target_table(&tref)
                    .filter(|_| !self.recreated.contains(&tref))
                    .and_then(|tt| tt.foreign_keys.iter().find(|f| f == &fk))
                    .cloned();
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
        let sides = super::dependents::Sides { from: self.from, to: self.to, fold: self.caps.case_insensitive_names };
        // Materialized views dropped and created again come back with their indexes.
        let mut views_again = BTreeSet::new();
        for (around, step) in super::dependents::plan(sides, changes, &rebuild) {
            use super::dependents::Around;
            if let Step::DropView { view, .. } = &step {
                views_again.insert(view.relation());
            }
            let phase = match around {
                Around::Before => Phase::DropViews,
                Around::Functions => Phase::CreateFunctions,
                Around::AfterTables => Phase::LateFunctions,
                Around::After => Phase::CreateViews,
                Around::Last => Phase::DropFunctions,
            };
            self.push(phase, step);
        }
        let mut rebuilt_done = BTreeSet::new();
        for ch in changes {
            let t = ch.table();
            if matches!(ch, Change::AddIndex { .. } | Change::DropIndex { .. })
                && t.as_ref().is_some_and(|t| views_again.contains(t))
            {
                continue;
            }
            if let Some(t) = t.as_ref().filter(|t| rebuild.contains(*t)) {
                if !matches!(ch, Change::RenameTable { .. }) {
                    if rebuilt_done.insert(t.clone()) {
                        self.rebuild(t, changes);
                    }
                    continue;
                }
            }
            self.lower(ch);
        }
    }

    /// Where a domain of the target is created or changed: after the functions when its
    /// default or a CHECK calls one of the target's.
    fn domain_phase(&self, d: &crate::model::Domain) -> Phase {
        let texts: Vec<String> =
            d.checks.iter().map(|c| c.expr.to_lowercase()).chain(d.default.iter().map(|x| x.to_lowercase())).collect();
        let calls = self.to.functions.iter().any(|f| {
            let call = format!("{}(", f.name.to_lowercase());
            texts.iter().any(|t| t.contains(&call))
        });
        if calls {
            Phase::LateDomains
        } else {
            Phase::CreateDomains
        }
    }

    pub(super) fn target_table(&self, t: &TableRef) -> Option<&Table> {
        self.to.tables.iter().find(|x| x.schema == t.schema && x.name == t.name)
    }

    pub(super) fn source_table(&self, t: &TableRef) -> Option<&Table> {
        self.from.tables.iter().find(|x| x.schema == t.schema && x.name == t.name)
    }

    fn lower(&mut self, ch: &Change) {
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
            Change::CreateExtension { extension } => {
                self.push(Phase::CreateExtensions, Step::CreateExtension { extension: extension.clone() })
            }
            Change::DropExtension { extension } => {
                self.push(Phase::DropExtensions, Step::DropExtension { extension: extension.clone() })
            }
            Change::AlterExtension { from, to } => self.push(
                Phase::CreateExtensions,
                Step::AlterExtension { from: from.clone(), to: to.clone() },
            ),
            Change::CreateSchema { name } => {
                self.push(Phase::CreateSchemas, Step::CreateSchema { name: name.clone() })
            }
            Change::DropSchema { name } => self.push(Phase::DropSchemas, Step::DropSchema { name: name.clone() }),
            Change::CreateComposite { composite } => {
                self.push(Phase::CreateComposites, Step::CreateComposite { composite: composite.clone() })
            }
            Change::DropComposite { composite } => {
                self.push(Phase::DropTypes, Step::DropComposite { composite: composite.clone(), kept: false })
            }
            Change::AlterComposite { from, to } => {
                if from.alterable_to(to) {
                    self.push(Phase::CreateComposites, Step::AlterComposite { from: from.clone(), to: to.clone() })
                } else {
                    self.push(Phase::DropViews, Step::DropComposite { composite: from.clone(), kept: true });
                    self.push(Phase::CreateComposites, Step::CreateComposite { composite: to.clone() });
                }
            }
            Change::CreateCollation { collation } => {
                self.push(Phase::CreateCollations, Step::CreateCollation { collation: collation.clone() })
            }
            Change::DropCollation { collation } => {
                self.push(Phase::DropCollations, Step::DropCollation { collation: collation.clone(), kept: false })
            }
            Change::AlterCollation { from, to } => {
                self.push(Phase::CreateCollations, Step::DropCollation { collation: from.clone(), kept: true });
                self.push(Phase::CreateCollations, Step::CreateCollation { collation: to.clone() });
            }
            Change::CreateDomain { domain } => {
                self.push(self.domain_phase(domain), Step::CreateDomain { domain: domain.clone() })
            }
            Change::DropDomain { domain } => {
                self.push(Phase::DropDomains, Step::DropDomain { domain: domain.clone(), kept: false })
            }
            Change::AlterDomain { from, to } => {
                let phase = self.domain_phase(to);
                if from.recreated_as(to) {
                    self.push(phase, Step::DropDomain { domain: from.clone(), kept: true });
                    self.push(phase, Step::CreateDomain { domain: to.clone() });
                } else {
                    self.push(phase, Step::AlterDomain { from: from.clone(), to: to.clone() });
                }
            }
            // Planned together, around the table changes: `super::dependents`.
            Change::CreateView { .. }
            | Change::DropView { .. }
            | Change::AlterView { .. }
            | Change::CreateTrigger { .. }
            | Change::DropTrigger { .. }
            | Change::AlterTrigger { .. }
            | Change::CreateFunction { .. }
            | Change::DropFunction { .. }
            | Change::AlterFunction { .. }
            | Change::CreatePolicy { .. }
            | Change::DropPolicy { .. }
            | Change::AlterPolicy { .. }
            // After every other step: `super::privileges`, `super::comments`.
            | Change::SetPrivileges { .. }
            | Change::SetComment { .. } => {}
            Change::AlterRowSecurity { table, from, to } => {
                self.push(Phase::AddConstraints, Step::SetRowSecurity { table: table.clone(), from: *from, to: *to })
            }
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
                    // A serial column's sequence has the column's type (`CREATE SEQUENCE` alone
                    // makes a bigint one).
                    let ty = self.target_table(&t).and_then(|tt| tt.column(&c)).map(|col| col.ty.clone());
                    self.push(
                        Phase::Columns,
                        Step::SetSequenceOwner { sequence: sequence.clone(), owner: Some((t.clone(), c.clone())) },
                    );
                    let integer = |ty: &SqlType| matches!(ty, SqlType::SmallInt | SqlType::Int | SqlType::BigInt);
                    if let Some(ty) = ty.filter(|ty| *ty != sequence.data_type && integer(ty)) {
                        self.push(Phase::Columns, Step::RetypeSerialSequence { table: t, column: c, ty });
                    }
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
            Change::CreateTable { table } => self.create_table(table),
            Change::RecreateTable { from, to } => {
                // A partition of a recreated parent goes with the parent's drop.
                if !from.partition_of.as_ref().is_some_and(|p| self.recreated_parent(from, p)) {
                    self.push(Phase::RecreateDrops, Step::DropTableToRecreate { table: from.clone() });
                }
                self.create_table(to);
            }
            Change::AlterPartition { table, from, to } => {
                if let Some(p) = from {
                    let parent = TableRef { schema: p.schema.clone().or(table.schema.clone()), name: p.table.clone() };
                    self.push(Phase::DropConstraints, Step::DetachPartition { table: table.clone(), parent });
                }
                if let Some(p) = to {
                    self.push(Phase::AddConstraints, Step::AttachPartition { table: table.clone(), of: p.clone() });
                }
            }
            Change::DropTable { table }
                if table.partition_of.as_ref().is_some_and(|p| self.recreated_parent(table, p)) => {}
            Change::NamePartitionIndex { table, parent_index, from, to } => {
                let to_table = self.target_table(table).cloned();
                if let Some(t) = to_table.filter(|t| from.is_some() || self.named_otherwise(t, parent_index, to)) {
                    self.name_partition_index(&t, parent_index, to);
                }
            }
            Change::DropTable { table } => {
                // Dropped before the tables are created when a new index or key takes the name
                // of one of its indexes (index names are per schema in Postgres).
                let phase = if self.index_names_reused(table) { Phase::RecreateDrops } else { Phase::DropTables };
                self.push(phase, Step::DropTable { table: table.clone() })
            }
            Change::RenameTable { table, to } => {
                self.push(Phase::Renames, Step::RenameTable { table: table.clone(), to: to.clone() })
            }
            Change::AddColumn { table, column } => {
                let was_inherited =
                    self.source_table(table).and_then(|t| t.column(&column.name)).is_some_and(|c| c.inherited);
                if was_inherited {
                    self.own_inherited_column(table, column);
                } else {
                    self.push(Phase::Columns, Step::AddColumn { table: table.clone(), column: column.clone() })
                }
            }
            Change::AlterInherits { table, from, to } => {
                let home = table.schema.as_deref();
                for p in from.iter().filter(|p| !to.contains(p)) {
                    let parent = p.table_ref(home);
                    self.push(Phase::DropConstraints, Step::Inherit { table: table.clone(), parent, add: false });
                }
                for p in to.iter().filter(|p| !from.contains(p)) {
                    let parent = p.table_ref(home);
                    self.push(Phase::AddConstraints, Step::Inherit { table: table.clone(), parent, add: true });
                }
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
            Change::AddIndex { table, index } => self.push(
                Phase::AddConstraints,
                Step::CreateIndex { table: table.clone(), index: index.clone(), concurrently: false },
            ),
            Change::DropIndex { table, index } => self.push(
                Phase::DropConstraints,
                Step::DropIndex { table: table.clone(), index: index.clone(), concurrently: false },
            ),
            Change::AddUnique { table, unique } => {
                self.push(Phase::AddConstraints, Step::AddUnique { table: table.clone(), unique: unique.clone() })
            }
            Change::DropUnique { table, unique } => {
                self.push(Phase::DropConstraints, Step::DropUnique { table: table.clone(), unique: unique.clone() })
            }
            Change::AddForeignKey { table, foreign_key } => self.push(
                Phase::AddForeignKeys,
                // A constraint the target declares NOT VALID is added so (Postgres only has them).
                Step::AddForeignKey {
                    table: table.clone(),
                    foreign_key: foreign_key.clone(),
                    not_valid: foreign_key.not_valid && caps.not_valid_constraints,
                },
            ),
            Change::DropForeignKey { table, foreign_key } => self.push(
                Phase::DropForeignKeys,
                Step::DropForeignKey { table: table.clone(), foreign_key: foreign_key.clone() },
            ),
            Change::AddCheck { table, check } => self.push(
                Phase::AddConstraints,
                Step::AddCheck {
                    table: table.clone(),
                    check: check.clone(),
                    not_valid: check.not_valid && caps.not_valid_constraints,
                },
            ),
            Change::ValidateConstraint { table, name } => {
                self.push(Phase::AddForeignKeys, Step::ValidateConstraint { table: table.clone(), name: name.clone() })
            }
            Change::DropCheck { table, check } => {
                self.push(Phase::DropConstraints, Step::DropCheck { table: table.clone(), check: check.clone() })
            }
            Change::AddExclusion { table, exclusion } => self.push(
                Phase::AddConstraints,
                Step::AddExclusion { table: table.clone(), exclusion: exclusion.clone() },
            ),
            Change::DropExclusion { table, exclusion } => self.push(
                Phase::DropConstraints,
                Step::DropExclusion { table: table.clone(), exclusion: exclusion.clone() },
            ),
            Change::AlterTableOptions { .. } => {
                // Only SQLite has table options, and they always rebuild (handled above).
            }
        }
    }

    /// `CREATE TABLE` with its indexes; its foreign keys are added once every table exists.
    /// A column the table only inherited becomes its own because the parent drops it, which
    /// takes the inherited one and its values: its values are copied into a new column of the
    /// table first, which takes the name once the parent's drop is done.
    fn own_inherited_column(&mut self, table: &TableRef, column: &Column) {
        let keep = crate::sql::pg_object_name("ss_own", Some(&column.name), "col");
        let bare = Column {
            name: keep.clone(),
            nullable: true,
            default: None,
            identity: None,
            identity_options: None,
            generated: None,
            ..column.clone()
        };
        self.push(Phase::Columns, Step::AddColumn { table: table.clone(), column: bare });
        let expr = crate::sql::quote_ident(&column.name);
        let backfill = Step::Backfill { table: table.clone(), column: keep.clone(), expr, batch: None };
        self.push(Phase::Columns, backfill);
        let rename = Step::RenameColumn { table: table.clone(), from: keep, to: column.name.clone() };
        self.push(Phase::OwnInheritedColumns, rename);
        if let Some(expr) = &column.default {
            let step = Step::SetDefault { table: table.clone(), column: column.name.clone(), expr: expr.clone() };
            self.push(Phase::OwnInheritedColumns, step);
        }
        if !column.nullable {
            let step = Step::SetNotNull { table: table.clone(), column: column.name.clone(), backfill: None };
            self.push(Phase::OwnInheritedColumns, step);
        }
    }

    fn create_table(&mut self, table: &Table) {
        let caps = self.caps;
        let mut t = table.clone();
        if caps.add_foreign_key_later {
            // Foreign keys are added once every table and column they name exists
            // (the referenced table may be new, or gain the referenced column later).
            for fk in std::mem::take(&mut t.foreign_keys) {
                let not_valid = fk.not_valid && caps.not_valid_constraints;
                self.push(
                    Phase::AddForeignKeys,
                    Step::AddForeignKey { table: TableRef::of(&t), foreign_key: fk, not_valid },
                );
            }
        }
        if caps.not_valid_constraints {
            // `CREATE TABLE` validates every constraint it has (there are no rows yet): one the
            // target keeps `NOT VALID` is added after, so.
            let (later, now): (Vec<_>, Vec<_>) = std::mem::take(&mut t.checks).into_iter().partition(|c| c.not_valid);
            t.checks = now;
            for check in later {
                self.push(Phase::AddConstraints, Step::AddCheck { table: TableRef::of(&t), check, not_valid: true });
            }
        }
        let indexes = std::mem::take(&mut t.indexes);
        let tref = TableRef::of(&t);
        for (parent_index, name) in &table.partition_indexes {
            if self.named_otherwise(table, parent_index, name) {
                self.name_partition_index(table, parent_index, name);
            }
        }
        // A partitioned table's indexes come once its partitions exist, so an index a partition
        // has of its own that matches is adopted as that index's partition, as in the target.
        let phase = if t.partition_by.is_some() { Phase::PartitionedIndexes } else { Phase::CreateTables };
        self.push(Phase::CreateTables, Step::CreateTable { table: t });
        for index in indexes {
            self.push(phase, Step::CreateIndex { table: tref.clone(), index, concurrently: false });
        }
    }

    fn name_partition_index(&mut self, partition: &Table, parent_index: &str, name: &str) {
        let Some(of) = &partition.partition_of else { return };
        let parent = of.parent().with_default_schema(partition.schema.as_deref());
        self.push(
            Phase::PartitionIndexNames,
            Step::NamePartitionIndex {
                table: TableRef::of(partition),
                parent_index: TableRef { schema: parent.schema, name: parent_index.to_string() },
                name: name.to_string(),
            },
        );
    }

    /// Postgres would not name `partition`'s index for its parent's `parent_index` `name` by
    /// itself (or it cannot be told): `{partition}_{columns}_idx`, `…_key` for a UNIQUE
    /// constraint's, `{partition}_pkey` for the primary key's.
    fn named_otherwise(&self, partition: &Table, parent_index: &str, name: &str) -> bool {
        let Some(of) = &partition.partition_of else { return true };
        let schema = of.schema.clone().or(partition.schema.clone());
        let Some(parent) = self.to.tables.iter().find(|t| t.name == of.table && t.schema == schema) else {
            return true;
        };
        let label = |cols: &[String], suffix: &str| format!("{}_{}_{suffix}", partition.name, cols.join("_"));
        let predicted = if parent.primary_key.as_ref().and_then(|p| p.name.as_deref()) == Some(parent_index) {
            format!("{}_pkey", partition.name)
        } else if let Some(u) = parent.uniques.iter().find(|u| u.name.as_deref() == Some(parent_index)) {
            label(&u.columns, "key")
        } else if let Some(i) = parent.indexes.iter().find(|i| i.name == parent_index) {
            let cols: Option<Vec<String>> = i.keys.iter().map(|k| k.column_name().map(str::to_string)).collect();
            match cols {
                Some(cols) => label(&cols, "idx"),
                None => return true,
            }
        } else {
            return true;
        };
        predicted.len() > 63 || predicted != name
    }

    /// A table of the target (another one) has an index or key named like one of `table`'s.
    fn index_names_reused(&self, table: &Table) -> bool {
        let names = |t: &Table| -> Vec<String> {
            t.indexes
                .iter()
                .map(|i| i.name.clone())
                .chain(t.primary_key.iter().filter_map(|p| p.name.clone()))
                .chain(t.uniques.iter().filter_map(|u| u.name.clone()))
                .collect()
        };
        let mine = names(table);
        !mine.is_empty()
            && self
                .to
                .tables
                .iter()
                .any(|t| t.schema == table.schema && t.name != table.name && names(t).iter().any(|n| mine.contains(n)))
    }

    /// `p`, the parent of partition `table` in the current schema, is recreated by this plan.
    fn recreated_parent(&self, table: &Table, p: &crate::model::PartitionOf) -> bool {
        let schema = p.schema.clone().or(table.schema.clone());
        self.recreated.iter().any(|r| r.name == p.table && r.schema == schema)
    }

    fn alter_column(&mut self, table: &TableRef, from: &Column, to: &Column, changes: &ColumnChanges) {
        let col = to.name.clone();
        let t = table.clone();
        if changes.generated {
            if from.generated.is_some() && to.generated.is_none() && self.caps.drop_expression {
                // Generated → plain keeps the stored values (DROP EXPRESSION); the rest of the
                // change (type, NOT NULL, default) follows on the now plain column.
                self.push(Phase::Columns, Step::DropExpression { table: t.clone(), column: col.clone() });
                let mut rest = changes.clone();
                rest.generated = false;
                let plain = Column { generated: None, ..from.clone() };
                if !rest.is_empty() {
                    self.alter_column(table, &plain, to, &rest);
                }
                return;
            }
            // Becoming generated replaces the values (a DeletesData drop of the old column);
            // a new expression is computed afresh either way.
            self.push(Phase::Columns, Step::DropColumn { table: t.clone(), column: col.clone() });
            self.push(Phase::Columns, Step::AddColumn { table: t, column: to.clone() });
            return;
        }
        let retype = changes.ty || changes.collation;
        let default_in_way = retype && from.default.is_some();
        if default_in_way || (changes.default && to.default.is_none() && from.default.is_some()) {
            // Early: a default may call a sequence that goes with a table the plan drops.
            self.push(Phase::DropConstraints, Step::DropDefault { table: t.clone(), column: col.clone() });
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
            // An explicit conversion is the user's decision; otherwise a cast that is not
            // proven to keep every value is checked against the rows before it runs.
            let check_values =
                using.is_none() && !self.opts.allow_lossy && conversion::needs_value_check(&from.ty, &to.ty);
            self.push(
                Phase::Columns,
                Step::AlterColumnType {
                    table: t.clone(),
                    column: col.clone(),
                    from: from.ty.clone(),
                    to: to.ty.clone(),
                    collation: to.collation.clone(),
                    using,
                    check_values,
                },
            );
            let serial = |c: &Column| c.identity == Some(Identity::Serial);
            let integer = |c: &Column| matches!(c.ty, SqlType::SmallInt | SqlType::Int | SqlType::BigInt);
            if serial(from) && serial(to) && integer(to) && self.caps.sequences && from.ty != to.ty {
                self.push(
                    Phase::Columns,
                    Step::RetypeSerialSequence { table: t.clone(), column: col.clone(), ty: to.ty.clone() },
                );
            }
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
        let mut made_identity = false;
        if changes.identity && !identity_removed {
            let from_id = if retype { None } else { from.identity };
            if from_id != to.identity {
                made_identity = true;
                self.push(
                    Phase::Columns,
                    Step::AlterIdentity {
                        table: t.clone(),
                        column: col.clone(),
                        ty: to.ty.clone(),
                        from: from_id,
                        to: to.identity,
                    },
                );
            }
        }
        // The identity sequence's options: changed, or named on an identity just added.
        let identity = matches!(to.identity, Some(Identity::Always | Identity::ByDefault));
        if identity && (changes.identity_options || (made_identity && to.identity_options.is_some())) {
            let options = to.identity_options.unwrap_or_else(|| crate::model::IdentityOptions::defaults(&to.ty));
            self.push(Phase::Columns, Step::SetIdentityOptions { table: t, column: col, options });
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
        if !super::dependents::recreates_enum(from, to, self.to) {
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
                t.columns.iter().filter(|c| super::dependents::uses_enum(&c.ty, from)).map(move |c| EnumUse {
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

#[cfg(test)]
#[path = "lower_tests.rs"]
mod tests;
