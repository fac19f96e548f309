//! The online form of a Postgres plan ([`PlanOptions::online`]): what would hold a strong
//! lock on a table that exists while it reads every row is moved out of the one transaction,
//! into an *online part* that runs after the transaction commits, one statement at a time.
//!
//! | plain step (on a table that exists)   | in the transaction                 | online part, in this order                                   |
//! |---------------------------------------|------------------------------------|--------------------------------------------------------------|
//! | `DROP INDEX` of an invalid index       | —                                  | 1 `DROP INDEX CONCURRENTLY IF EXISTS`                        |
//! | `CREATE INDEX`                         | —                                  | 2 `CREATE INDEX CONCURRENTLY` (under a temporary name when it replaces an index of the same name) |
//! | `DROP INDEX`                           | —                                  | 3 `DROP INDEX CONCURRENTLY IF EXISTS`                        |
//! | (an index replaced under its name)     | —                                  | 4 `ALTER INDEX tmp RENAME TO name`                           |
//! | `ADD COLUMN … DEFAULT volatile()` (opt-in batches) | `ADD COLUMN` (no default), `SET DEFAULT` | 5 backfill in batches                          |
//! | `ADD FOREIGN KEY` / `ADD CHECK`        | `… NOT VALID`                      | 6 `VALIDATE CONSTRAINT`                                      |
//! | `SET NOT NULL`                         | backfill, `ADD CHECK (c IS NOT NULL) NOT VALID` | 6 `VALIDATE`, 7 `SET NOT NULL` (no scan), `DROP CONSTRAINT` |
//! | `ADD UNIQUE` / `ADD PRIMARY KEY`       | —                                  | 2 `CREATE UNIQUE INDEX CONCURRENTLY`, 8 `ADD … USING INDEX`   |
//! | `ADD FOREIGN KEY` to a key built online | —                                 | 9 `ADD … NOT VALID`, 10 `VALIDATE CONSTRAINT`                |
//!
//! Every intermediate state is a valid database: a `NOT VALID` constraint is enforced for new
//! rows; an index build that fails leaves an invalid index, which introspection reports
//! ([`crate::model::Index::invalid`]) and the next plan drops first and rebuilds; a constraint
//! left `NOT VALID` is validated by the next plan. Tables the plan creates are empty and
//! unused, so everything about them stays in the transaction. Pure.

use super::steps::{PlanOptions, ShadowChange, Step};
use crate::capabilities::Capabilities;
use crate::model::{Check, Column, ForeignKey, Index, IndexKey, Schema, TableRef};
use crate::types::Dialect;
use std::collections::{BTreeMap, BTreeSet};

/// Where a step of the online part goes, in execution order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    DropInvalid,
    Build,
    Drop,
    Rename,
    Backfill,
    Validate,
    NotNull,
    Swap,
    Attach,
    LateForeignKeys,
    ValidateLate,
    /// Comments on indexes and constraints, once the online part has built them.
    Comments,
}

/// Splits `steps` (in plain execution order) into the transaction and the online part; returns
/// the steps (transaction first) and where the online part starts.
pub(super) fn split(
    steps: Vec<Step>,
    from: &Schema,
    to: &Schema,
    caps: &Capabilities,
    opts: &PlanOptions,
) -> (Vec<Step>, usize) {
    if !opts.online || caps.dialect != Dialect::Postgres || !caps.concurrent_index {
        let n = steps.len();
        return (steps, n);
    }
    let mut s = Splitter::new(&steps, from, to, caps, opts);
    for step in steps {
        s.step(step);
    }
    s.finish()
}

struct Splitter<'a> {
    from: &'a Schema,
    target: &'a Schema,
    caps: &'a Capabilities,
    opts: &'a PlanOptions,
    /// Tables created, dropped or renamed by the plan (by display name): nothing about them
    /// goes online.
    not_live: BTreeSet<String>,
    /// Tables whose keys (unique indexes, UNIQUE, primary key) change online: foreign keys
    /// added to them wait for the key.
    online_keys: BTreeSet<String>,
    /// Index names dropped online, each with "it is invalid" (a valid one still stands while
    /// its replacement is built, so the replacement is built under another name).
    dropped_online: BTreeMap<String, bool>,
    /// Names the transaction creates (an index dropped online must not be in their way).
    created_in_transaction: BTreeSet<String>,
    /// Columns the plan adds, `(table, column)`: a constraint over one is validated in the
    /// transaction (the preflight cannot count rows against a column that does not exist yet).
    added_columns: BTreeSet<(String, String)>,
    /// Columns that change identity in the transaction (which needs NOT NULL first).
    identity_columns: BTreeSet<(String, String)>,
    /// How many steps touch each column `(table, column)`: a type change goes through a
    /// shadow column only when it is the one change to its column.
    column_steps: BTreeMap<(String, String), usize>,
    /// Shadow columns an interrupted online type change left, `(table, shadow)`: the plan
    /// drops them; the type change takes them over instead.
    shadows_left: BTreeSet<(String, String)>,
    /// Columns whose type the plan changes without a conversion check, `(table, column)`.
    type_changes: BTreeSet<(String, String)>,
    transaction: Vec<Step>,
    online: Vec<(Part, usize, Step)>,
}

impl<'a> Splitter<'a> {
    fn new(
        steps: &[Step],
        from: &'a Schema,
        target: &'a Schema,
        caps: &'a Capabilities,
        opts: &'a PlanOptions,
    ) -> Self {
        // Postgres builds no index of a partitioned table concurrently and adds no NOT VALID
        // foreign key to one; a partition's own indexes and keys are built in the order that
        // lets the parent's adopt them (and a table attached or detached changes whose
        // indexes are whose): their changes stay in the transaction.
        let mut not_live: BTreeSet<String> = from
            .tables
            .iter()
            .filter(|t| t.partition_by.is_some() || t.partition_of.is_some())
            .map(|t| TableRef::of(t).display())
            .collect();
        let mut inline_refs = BTreeSet::new();
        let mut added_columns = BTreeSet::new();
        let mut identity_columns = BTreeSet::new();
        let mut column_steps: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut shadows_left = BTreeSet::new();
        let mut type_changes = BTreeSet::new();
        for s in steps {
            if let Some((t, c)) = column_of(s) {
                *column_steps.entry((t.display(), c.to_string())).or_default() += 1;
            }
            if let Step::DropColumn { table, column } = s {
                if column.ends_with(SHADOW) {
                    shadows_left.insert((table.display(), column.clone()));
                }
            }
            if let Step::AlterColumnType { table, column, collation: None, check_values: false, .. } = s {
                type_changes.insert((table.display(), column.clone()));
            }
            match s {
                Step::AddColumn { table, column } => {
                    added_columns.insert((table.display(), column.name.clone()));
                }
                Step::AlterIdentity { table, column, .. } => {
                    identity_columns.insert((table.display(), column.clone()));
                }
                Step::CreateTable { table } => {
                    not_live.insert(TableRef::of(table).display());
                    for fk in &table.foreign_keys {
                        inline_refs.insert(referenced(&TableRef::of(table), fk).display());
                    }
                }
                Step::DropTable { table } | Step::DropTableToRecreate { table } => {
                    not_live.insert(TableRef::of(table).display());
                }
                Step::AttachPartition { table, .. } | Step::DetachPartition { table, .. } => {
                    not_live.insert(table.display());
                }
                // A renamed table keeps its plain form: the preflight counts rows under the
                // old name, so what could fail on them must fail inside the transaction.
                Step::RenameTable { table, to } => {
                    not_live.insert(table.display());
                    not_live.insert(TableRef { schema: table.schema.clone(), name: to.clone() }.display());
                }
                _ => {}
            }
        }
        let mut s = Splitter {
            from,
            target,
            caps,
            opts,
            not_live,
            online_keys: BTreeSet::new(),
            dropped_online: BTreeMap::new(),
            created_in_transaction: BTreeSet::new(),
            added_columns,
            identity_columns,
            column_steps,
            shadows_left,
            type_changes,
            transaction: Vec::new(),
            online: Vec::new(),
        };
        // Keys a new table's foreign keys reference must exist inside the transaction.
        let keys_stay = |t: &TableRef| inline_refs.contains(&t.display());
        for step in steps {
            let key_table = match step {
                Step::CreateIndex { table, index, .. } | Step::DropIndex { table, index, .. } if index.unique => table,
                Step::AddUnique { table, .. } | Step::AddPrimaryKey { table, .. } => table,
                _ => continue,
            };
            if s.is_live(key_table) && !keys_stay(key_table) {
                s.online_keys.insert(key_table.display());
            }
        }
        for step in steps {
            match step {
                Step::DropIndex { table, index, .. } if s.drops_online(table, index) => {
                    s.dropped_online.insert(index.name.clone(), index.invalid);
                }
                Step::CreateIndex { table, index, .. } if !s.is_live(table) || !s.key_online(table, index.unique) => {
                    s.created_in_transaction.insert(index.name.clone());
                }
                Step::CreateTable { table } => {
                    s.created_in_transaction.extend(table.indexes.iter().map(|i| i.name.clone()));
                }
                Step::AddUnique { table, unique } if !s.is_live(table) || !s.key_online(table, true) => {
                    s.created_in_transaction.extend(unique.name.clone());
                }
                Step::AddPrimaryKey { table, primary_key } if !s.is_live(table) || !s.key_online(table, true) => {
                    s.created_in_transaction.extend(primary_key.name.clone());
                }
                _ => {}
            }
        }
        // An index dropped online whose name the transaction reuses is dropped in it instead.
        let reused: Vec<String> =
            s.dropped_online.keys().filter(|n| s.created_in_transaction.contains(*n)).cloned().collect();
        for name in reused {
            s.dropped_online.remove(&name);
        }
        s
    }

    /// The table exists before the plan and after it.
    fn is_live(&self, t: &TableRef) -> bool {
        !self.not_live.contains(&t.display())
    }

    /// A key step on `t` goes online (`unique`: the step is about a unique index or key).
    fn key_online(&self, t: &TableRef, unique: bool) -> bool {
        !unique || self.online_keys.contains(&t.display())
    }

    fn drops_online(&self, table: &TableRef, index: &Index) -> bool {
        self.is_live(table) && self.key_online(table, index.unique)
    }

    fn later(&mut self, part: Part, step: Step) {
        let n = self.online.len();
        self.online.push((part, n, step));
    }

    fn step(&mut self, step: Step) {
        match step {
            // Comments come last in a plan: on an index or constraint the online part builds,
            // they wait for it.
            Step::SetComment { ref on, .. }
                if matches!(on.kind, crate::model::ObjectKind::Index | crate::model::ObjectKind::Constraint)
                    && !self.online.is_empty() =>
            {
                self.later(Part::Comments, step)
            }
            Step::DropIndex { table, index, .. }
                if self.drops_online(&table, &index) && self.dropped_online.contains_key(&index.name) =>
            {
                let part = if index.invalid { Part::DropInvalid } else { Part::Drop };
                self.later(part, Step::DropIndex { table, index, concurrently: true });
            }
            Step::CreateIndex { table, index, .. } if self.is_live(&table) && self.key_online(&table, index.unique) => {
                let name = self.build_name(&table, &index.name);
                self.later(
                    Part::Build,
                    Step::CreateIndex { table, index: Index { name, ..index }, concurrently: true },
                );
            }
            Step::AddUnique { table, unique } if self.is_live(&table) && self.key_online(&table, true) => {
                let name = unique.name.clone().unwrap_or_else(|| default_name(&table.name, &unique.columns, "key"));
                let built = self.build_name(&table, &name);
                let index = Index {
                    name: built.clone(),
                    keys: unique.columns.iter().map(IndexKey::column).collect(),
                    unique: true,
                    nulls_not_distinct: unique.nulls_not_distinct,
                    ..Index::default()
                };
                self.later(Part::Build, Step::CreateIndex { table: table.clone(), index, concurrently: true });
                let unique = crate::model::Unique { name: Some(name), ..unique };
                self.later(Part::Attach, Step::AddUniqueUsingIndex { table, unique, index: built });
            }
            Step::AddPrimaryKey { table, primary_key } if self.is_live(&table) && self.key_online(&table, true) => {
                let name =
                    primary_key.name.clone().unwrap_or_else(|| crate::sql::pg_object_name(&table.name, None, "pkey"));
                let built = self.build_name(&table, &name);
                let index = Index {
                    name: built.clone(),
                    keys: primary_key.columns.iter().map(IndexKey::column).collect(),
                    unique: true,
                    ..Index::default()
                };
                self.later(Part::Build, Step::CreateIndex { table: table.clone(), index, concurrently: true });
                let primary_key = crate::model::PrimaryKey { name: Some(name), ..primary_key };
                self.later(Part::Attach, Step::AddPrimaryKeyUsingIndex { table, primary_key, index: built });
            }
            Step::AddForeignKey { table, foreign_key, not_valid: false } if self.caps.not_valid_constraints => {
                let parent = referenced(&table, &foreign_key);
                let waits = self.online_keys.contains(&parent.display());
                // Orphans can only be counted beforehand against columns and a parent that exist.
                let uncountable =
                    !self.is_live(&parent) || foreign_key.columns.iter().any(|c| self.is_added(&table, c));
                if !waits && (!self.is_live(&table) || uncountable) {
                    self.transaction.push(Step::AddForeignKey { table, foreign_key, not_valid: false });
                    return;
                }
                let name =
                    foreign_key.name.clone().unwrap_or_else(|| default_name(&table.name, &foreign_key.columns, "fkey"));
                let foreign_key = ForeignKey { name: Some(name.clone()), ..foreign_key };
                let add = Step::AddForeignKey { table: table.clone(), foreign_key, not_valid: true };
                let validate = Step::ValidateConstraint { table, name };
                if waits {
                    self.later(Part::LateForeignKeys, add);
                    self.later(Part::ValidateLate, validate);
                } else {
                    self.transaction.push(add);
                    self.later(Part::Validate, validate);
                }
            }
            Step::AddCheck { table, check, not_valid: false }
                if self.caps.not_valid_constraints
                    && self.is_live(&table)
                    && !self.mentions_added(&table, &check.expr) =>
            {
                let name = check.name.clone().unwrap_or_else(|| {
                    crate::sql::fit_name(&format!(
                        "{}_check_{:08x}",
                        table.name,
                        crate::sql::stable_hash(check.expr.as_bytes()) as u32
                    ))
                });
                let check = Check { name: Some(name.clone()), ..check };
                self.transaction.push(Step::AddCheck { table: table.clone(), check, not_valid: true });
                self.later(Part::Validate, Step::ValidateConstraint { table, name });
            }
            Step::ValidateConstraint { table, name } if self.is_live(&table) => {
                self.later(Part::Validate, Step::ValidateConstraint { table, name })
            }
            Step::SetNotNull { table, column, backfill }
                if self.caps.not_valid_constraints
                    && self.is_live(&table)
                    && self.had_column(&table, &column)
                    && !self.identity_columns.contains(&(table.display(), column.clone())) =>
            {
                if let Some(expr) = backfill {
                    self.transaction.push(Step::Backfill {
                        table: table.clone(),
                        column: column.clone(),
                        expr,
                        batch: None,
                    });
                }
                self.not_null_through_check(table, column);
            }
            Step::DropColumn { table, column } if self.shadow_taken_over(&table, &column) => {}
            // The swap sets the target's default on the new column.
            Step::SetDefault { table, column, .. } | Step::DropDefault { table, column }
                if self.type_change_through_shadow(&table, &column) => {}
            Step::AlterColumnType { table, column, from, to, collation: None, using, check_values: false }
                if self.through_shadow(&table, &column) =>
            {
                let (Some(batch), Some(nullable)) =
                    (self.opts.backfill_batch, self.source_column(&table, &column).map(|c| c.nullable))
                else {
                    unreachable!("checked by through_shadow")
                };
                let shadow = shadow_name(&column);
                let exists = self.shadows_left.contains(&(table.display(), shadow.clone()));
                let change = ShadowChange {
                    table: table.clone(),
                    column: column.clone(),
                    shadow: shadow.clone(),
                    from,
                    to,
                    using,
                };
                self.transaction.push(Step::AddShadowColumn { change: change.clone(), exists });
                self.later(Part::Backfill, Step::FillShadowColumn { change, batch });
                let not_null = (!nullable).then(|| self.checked_not_null(&table, &shadow));
                let default = self.target_column(&table, &column).and_then(|c| c.default.clone());
                self.later(Part::Swap, Step::SwapShadowColumn { table, column, shadow, not_null, default });
            }
            Step::AddColumn { table, column } if self.is_live(&table) && self.backfills_in_batches(&column) => {
                let (Some(batch), Some(expr)) = (self.opts.backfill_batch, column.default.clone()) else {
                    unreachable!("checked by backfills_in_batches")
                };
                let name = column.name.clone();
                let not_null = !column.nullable;
                let bare = Column { default: None, nullable: true, ..column };
                self.transaction.push(Step::AddColumn { table: table.clone(), column: bare });
                self.transaction.push(Step::SetDefault {
                    table: table.clone(),
                    column: name.clone(),
                    expr: expr.clone(),
                });
                self.later(
                    Part::Backfill,
                    Step::Backfill { table: table.clone(), column: name.clone(), expr, batch: Some(batch) },
                );
                if not_null {
                    self.not_null_through_check(table, name);
                }
            }
            other => self.transaction.push(other),
        }
    }

    /// `SET NOT NULL` without the scan: a `NOT VALID` check in the transaction, validated
    /// online, then `SET NOT NULL` (which the validated check proves) and the check dropped.
    fn not_null_through_check(&mut self, table: TableRef, column: String) {
        let name = self.checked_not_null(&table, &column);
        self.later(Part::NotNull, Step::SetNotNullChecked { table, column, check: name });
    }

    /// A type change through a shadow column: asked for (`backfill_batch`), on a live table,
    /// proven to keep every value (no check needed), the one change to its column, and nothing
    /// else reads the column (no index, key, constraint, generated column, view or trigger —
    /// those would have to move to the new column too).
    fn through_shadow(&self, table: &TableRef, column: &str) -> bool {
        let Some(t) = self.source_table(table) else { return false };
        let mentions = |e: &str| crate::expr::mentions(e, column);
        let key = |cols: &[String]| cols.iter().any(|c| c == column);
        let used = t.indexes.iter().any(|i| {
            i.keys.iter().any(|k| match &k.target {
                crate::model::KeyTarget::Column(c) => c == column,
                crate::model::KeyTarget::Expression(e) => mentions(e),
            }) || key(&i.include)
                || i.predicate.as_deref().is_some_and(mentions)
        }) || t.primary_key.as_ref().is_some_and(|p| key(&p.columns))
            || t.uniques.iter().any(|u| key(&u.columns))
            || t.foreign_keys.iter().any(|f| key(&f.columns))
            || t.checks.iter().any(|c| mentions(&c.expr))
            || t.columns.iter().any(|c| c.generated.as_ref().is_some_and(|g| mentions(&g.expr)))
            || self.from.tables.iter().any(|o| {
                o.foreign_keys.iter().any(|f| {
                    f.ref_table == t.name
                        && f.ref_schema.clone().or_else(|| o.schema.clone()) == t.schema
                        && f.ref_columns.iter().any(|c| c == column)
                })
            });
        // A view or trigger that reads the column would have to move to the new column too
        // (and a view blocks the swap's DROP COLUMN): the type change stays in the transaction,
        // with them set aside around it.
        let reads = |text: &str| {
            let ids = crate::sql::identifiers(text);
            ids.contains(&t.name.to_ascii_lowercase()) && ids.contains(&column.to_ascii_lowercase())
        };
        let used = used
            || self.from.views.iter().any(|v| reads(&v.definition))
            || self.from.triggers.iter().any(|tr| tr.table == t.name || reads(&tr.definition));
        self.opts.backfill_batch.is_some()
            && self.is_live(table)
            && !used
            && self.source_column(table, column).is_some_and(|c| c.identity.is_none() && c.generated.is_none())
            && self.column_steps.get(&(table.display(), column.to_string())).copied() == Some(1)
    }

    /// `column` changes type through a shadow column in this plan.
    fn type_change_through_shadow(&self, table: &TableRef, column: &str) -> bool {
        self.type_changes.contains(&(table.display(), column.to_string())) && self.through_shadow(table, column)
    }

    /// The plan drops `column`, a shadow an interrupted type change left, and that type change
    /// is planned again through it.
    fn shadow_taken_over(&self, table: &TableRef, column: &str) -> bool {
        let Some(base) = column.strip_suffix(SHADOW) else { return false };
        self.shadows_left.contains(&(table.display(), column.to_string())) && self.through_shadow(table, base)
    }

    fn source_table(&self, table: &TableRef) -> Option<&crate::model::Table> {
        self.from.tables.iter().find(|t| t.schema == table.schema && t.name == table.name)
    }

    fn source_column(&self, table: &TableRef, column: &str) -> Option<&Column> {
        self.source_table(table).and_then(|t| t.column(column))
    }

    fn target_column(&self, table: &TableRef, column: &str) -> Option<&Column> {
        self.target.tables.iter().find(|t| t.schema == table.schema && t.name == table.name)?.column(column)
    }

    /// `CHECK (column IS NOT NULL) NOT VALID` in the transaction, validated online; its name.
    fn checked_not_null(&mut self, table: &TableRef, column: &str) -> String {
        let name = crate::sql::fit_name(&format!("{}_{}_not_null", table.name, column));
        let check = Check {
            name: Some(name.clone()),
            expr: format!("{} IS NOT NULL", crate::sql::quote_ident(column)),
            no_inherit: false,
            not_valid: false,
        };
        self.transaction.push(Step::AddCheck { table: table.clone(), check, not_valid: true });
        self.later(Part::Validate, Step::ValidateConstraint { table: table.clone(), name: name.clone() });
        name
    }

    fn is_added(&self, table: &TableRef, column: &str) -> bool {
        self.added_columns.contains(&(table.display(), column.to_string()))
    }

    fn mentions_added(&self, table: &TableRef, expr: &str) -> bool {
        let t = table.display();
        self.added_columns.iter().any(|(tt, c)| *tt == t && crate::expr::mentions(expr, c))
    }

    fn had_column(&self, table: &TableRef, column: &str) -> bool {
        self.from
            .tables
            .iter()
            .find(|t| t.schema == table.schema && t.name == table.name)
            .is_some_and(|t| t.column(column).is_some())
    }

    fn backfills_in_batches(&self, column: &Column) -> bool {
        self.opts.backfill_batch.is_some()
            && column.generated.is_none()
            && column.identity.is_none()
            && column.default.as_deref().is_some_and(super::is_volatile)
    }

    /// The name an index is built under: its own, or a temporary one while an index of the
    /// same name is still there (dropped online after the build, then renamed).
    fn build_name(&mut self, table: &TableRef, name: &str) -> String {
        if self.dropped_online.get(name) != Some(&false) {
            return name.to_string();
        }
        let tmp = crate::sql::fit_name(&format!("{name}_ss_new"));
        self.later(Part::Rename, Step::RenameIndex { table: table.clone(), from: tmp.clone(), to: name.to_string() });
        tmp
    }

    fn finish(self) -> (Vec<Step>, usize) {
        let mut online = self.online;
        online.sort_by_key(|(part, n, _)| (*part, *n));
        // An attach renames the built index to the constraint's name: no separate rename.
        let attached: BTreeMap<String, ()> = online
            .iter()
            .filter_map(|(_, _, s)| match s {
                Step::AddUniqueUsingIndex { index, .. } | Step::AddPrimaryKeyUsingIndex { index, .. } => {
                    Some((index.clone(), ()))
                }
                _ => None,
            })
            .collect();
        online.retain(|(_, _, s)| !matches!(s, Step::RenameIndex { from, .. } if attached.contains_key(from)));
        let online_from = self.transaction.len();
        let mut steps = self.transaction;
        steps.extend(online.into_iter().map(|(_, _, s)| s));
        (steps, online_from)
    }
}

/// Suffix of the shadow column of an online type change.
const SHADOW: &str = "__ss_new";

fn shadow_name(column: &str) -> String {
    crate::sql::fit_name(&format!("{column}{SHADOW}"))
}

/// The column a step changes, if it changes exactly one (a default set or dropped around a type
/// change does not count: the swap sets the target's default).
fn column_of(s: &Step) -> Option<(&TableRef, &str)> {
    match s {
        Step::AddColumn { table, column } => Some((table, &column.name)),
        Step::DropColumn { table, column }
        | Step::AlterColumnType { table, column, .. }
        | Step::SetNotNull { table, column, .. }
        | Step::DropNotNull { table, column }
        | Step::AlterIdentity { table, column, .. }
        | Step::DropExpression { table, column } => Some((table, column)),
        Step::RenameColumn { table, from, .. } => Some((table, from)),
        _ => None,
    }
}

/// The table a foreign key of `table` references.
fn referenced(table: &TableRef, fk: &ForeignKey) -> TableRef {
    TableRef { schema: fk.ref_schema.clone().or_else(|| table.schema.clone()), name: fk.ref_table.clone() }
}

/// The name Postgres would give the constraint (`table_col1_col2_suffix`, shortened as it
/// does), so the online form names it as the plain form's `ADD` would have.
fn default_name(table: &str, columns: &[String], suffix: &str) -> String {
    crate::sql::pg_object_name(table, Some(&columns.join("_")), suffix)
}

#[cfg(test)]
mod tests {
    use crate::capabilities::Capabilities;
    use crate::model::{Schema, Unique};
    use crate::plan::{PlanOptions, Step};
    use crate::testkit::{col, fk, index, kinds, plan_with, schema, table};
    use crate::types::Dialect::{Postgres as PG, Sqlite as LITE};

    fn base() -> Schema {
        let mut users = table(PG, "users", &[("id", "bigint"), ("email", "text"), ("org_id", "bigint")]);
        users.primary_key = Some(crate::model::PrimaryKey::on(["id"]));
        let mut orgs = table(PG, "orgs", &[("id", "bigint"), ("slug", "text")]);
        orgs.primary_key = Some(crate::model::PrimaryKey::on(["id"]));
        schema(PG, vec![users, orgs])
    }

    fn online(from: &Schema, to: &Schema, opts: PlanOptions) -> (Vec<String>, Vec<String>, crate::plan::Plan) {
        let p = plan_with(from, to, &Capabilities::latest(PG), &PlanOptions { online: true, ..opts });
        let k = kinds(&p);
        (k[..p.online_from].to_vec(), k[p.online_from..].to_vec(), p)
    }

    fn edit(f: impl FnOnce(&mut Schema)) -> (Schema, Schema) {
        let from = base();
        let mut to = from.clone();
        f(&mut to);
        to.normalize();
        (from, to)
    }

    fn users(s: &mut Schema) -> &mut crate::model::Table {
        s.tables.iter_mut().find(|t| t.name == "users").unwrap()
    }

    #[test]
    fn set_not_null_goes_through_a_validated_check() {
        let (from, to) = edit(|s| users(s).columns[1].nullable = false);
        let (tx, later, p) = online(&from, &to, PlanOptions::default());
        assert_eq!(tx, ["add_check"]);
        assert_eq!(later, ["validate_constraint", "set_not_null_checked"]);
        assert!(
            matches!(&p.steps[0], Step::AddCheck { not_valid: true, check, .. } if check.expr == r#""email" IS NOT NULL"#)
        );
        // With a backfill, the NULLs are filled in the transaction first.
        let mut opts = PlanOptions::default();
        opts.backfill.insert("users.email".into(), "''".into());
        let (tx, later, _) = online(&from, &to, opts);
        assert_eq!(tx, ["backfill", "add_check"]);
        assert_eq!(later.len(), 2);
    }

    #[test]
    fn an_index_replaced_under_its_name_is_built_new_then_swapped() {
        let (mut from, mut to) = edit(|_| {});
        users(&mut from).indexes.push(index("users_email", &["email"], false));
        users(&mut to).indexes.push(index("users_email", &["email", "id"], false));
        let (tx, later, p) = online(&from, &to, PlanOptions::default());
        assert!(tx.is_empty(), "{tx:?}");
        assert_eq!(later, ["create_index", "drop_index", "rename_index"]);
        assert!(
            matches!(&p.steps[0], Step::CreateIndex { index, concurrently: true, .. } if index.name == "users_email_ss_new")
        );
        assert!(
            matches!(&p.steps[1], Step::DropIndex { index, concurrently: true, .. } if index.name == "users_email")
        );
        assert!(
            matches!(&p.steps[2], Step::RenameIndex { from, to, .. } if from == "users_email_ss_new" && to == "users_email")
        );
    }

    #[test]
    fn an_invalid_index_is_dropped_first_and_rebuilt_under_its_name() {
        let (mut from, mut to) = edit(|_| {});
        let mut broken = index("users_email", &["email"], false);
        broken.invalid = true;
        users(&mut from).indexes.push(broken);
        users(&mut to).indexes.push(index("users_email", &["email"], false));
        let (tx, later, p) = online(&from, &to, PlanOptions::default());
        assert!(tx.is_empty());
        assert_eq!(later, ["drop_index", "create_index"]);
        assert!(matches!(&p.steps[1], Step::CreateIndex { index, .. } if index.name == "users_email"));
    }

    #[test]
    fn unique_keys_are_attached_from_a_concurrent_index_and_foreign_keys_wait_for_them() {
        let (from, to) = edit(|s| {
            let orgs = s.tables.iter_mut().find(|t| t.name == "orgs").unwrap();
            orgs.uniques.push(Unique {
                name: None,
                columns: vec!["slug".into()],
                nulls_not_distinct: false,
                deferrable: Default::default(),
            });
            let mut f = fk("org_id", "orgs", "id");
            f.name = None;
            users(s).foreign_keys.push(f);
        });
        let (tx, later, p) = online(&from, &to, PlanOptions::default());
        assert!(tx.is_empty(), "{tx:?}");
        assert_eq!(later, ["create_index", "add_unique_using_index", "add_foreign_key", "validate_constraint"]);
        let sql = crate::render::render(&p).unwrap();
        assert!(sql[1].sql.contains(r#"ADD CONSTRAINT "orgs_slug_key" UNIQUE USING INDEX "orgs_slug_key""#), "{sql:?}");
        assert!(sql.iter().all(|s| !s.transactional));
    }

    #[test]
    fn everything_about_a_new_table_stays_in_the_transaction() {
        let (from, to) = edit(|s| {
            let mut posts = table(PG, "posts", &[("id", "bigint"), ("user_id", "bigint")]);
            posts.indexes.push(index("posts_user", &["user_id"], false));
            posts.foreign_keys.push(fk("user_id", "users", "id"));
            s.tables.push(posts);
        });
        let (_, later, _) = online(&from, &to, PlanOptions::default());
        assert!(later.is_empty(), "{later:?}");
    }

    #[test]
    fn a_volatile_default_is_backfilled_in_batches_only_when_asked() {
        let (from, to) = edit(|s| {
            let mut c = col(PG, "token", "uuid").not_null();
            c.default = Some("gen_random_uuid()".into());
            users(s).columns.push(c);
        });
        let (tx, later, _) = online(&from, &to, PlanOptions::default());
        assert_eq!(tx, ["add_column"]);
        assert!(later.is_empty());
        let (tx, later, p) = online(&from, &to, PlanOptions { backfill_batch: Some(500), ..Default::default() });
        assert_eq!(tx, ["add_column", "set_default", "add_check"]);
        assert_eq!(later, ["backfill", "validate_constraint", "set_not_null_checked"]);
        let sql = crate::render::render(&p).unwrap();
        let fill = sql.iter().find(|s| s.sql.starts_with("DO ")).unwrap();
        assert!(fill.sql.contains("LIMIT 500") && fill.sql.contains("COMMIT") && !fill.transactional, "{fill:?}");
    }

    #[test]
    fn a_type_change_goes_through_a_shadow_column_only_when_asked_and_nothing_else_reads_the_column() {
        let (from, to) = edit(|s| users(s).columns[2] = col(PG, "org_id", "numeric(20,0)"));
        let batched = || PlanOptions { backfill_batch: Some(100), ..Default::default() };
        let (tx, later, _) = online(&from, &to, PlanOptions::default());
        assert_eq!((tx, later.len()), (vec!["alter_column_type".to_string()], 0), "not asked: the plain rewrite");
        let (tx, later, _) = online(&from, &to, batched());
        assert_eq!(tx, ["add_shadow_column"]);
        assert_eq!(later, ["fill_shadow_column", "swap_shadow_column"]);
        // An index on the column would have to move to the new one: the plain rewrite.
        let (mut from2, mut to2) = (from.clone(), to.clone());
        users(&mut from2).indexes.push(index("users_org", &["org_id"], false));
        users(&mut to2).indexes.push(index("users_org", &["org_id"], false));
        let (tx, _, _) = online(&from2, &to2, batched());
        assert_eq!(tx, ["alter_column_type"]);
        // A shadow an interrupted run left is taken over, not dropped.
        let mut left = from.clone();
        users(&mut left).columns.push(col(PG, "org_id__ss_new", "numeric(20,0)"));
        let (tx, later, p) = online(&left, &to, batched());
        assert_eq!(tx, ["add_shadow_column"]);
        assert_eq!(later.len(), 2);
        assert!(matches!(&p.steps[0], Step::AddShadowColumn { exists: true, .. }));
        assert!(!p.is_destructive());
    }

    #[test]
    fn plain_plans_and_sqlite_are_untouched() {
        let (from, to) = edit(|s| users(s).indexes.push(index("users_email", &["email"], false)));
        let p = plan_with(&from, &to, &Capabilities::latest(PG), &PlanOptions::default());
        assert_eq!((p.online_from, p.steps.len()), (1, 1));
        let lite = |n: bool| {
            let mut t = table(LITE, "t", &[("id", "INTEGER")]);
            if n {
                t.indexes.push(index("t_id", &["id"], false));
            }
            schema(LITE, vec![t])
        };
        let opts = PlanOptions { online: true, ..Default::default() };
        let p = plan_with(&lite(false), &lite(true), &Capabilities::latest(LITE), &opts);
        assert!(!p.has_online_part());
    }
}
