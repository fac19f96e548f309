//! Which lock each Postgres step takes, and for how long: the mode on which tables, whether it
//! rewrites or scans them while holding it. Pure: sizes come later ([`super::Plan::estimate`])
//! from the live catalog.
//!
//! Modes follow the Postgres documentation of each command (`ALTER TABLE`, `CREATE INDEX`,
//! `VALIDATE CONSTRAINT`, …). SQLite plans carry none: SQLite locks the whole database for
//! writes for the one transaction (`BEGIN IMMEDIATE`); readers of a WAL database go on.

use super::locks::{LockMode, StepLock};
use super::steps::{ShadowChange, Step};
use crate::model::{Column, TableRef};
use crate::types::Dialect;

/// The locks of every step of a plan for `dialect` (none for SQLite).
pub(super) fn locks(steps: &[Step], dialect: Dialect) -> Vec<StepLock> {
    if dialect != Dialect::Postgres {
        return Vec::new();
    }
    let created: std::collections::HashSet<TableRef> = steps
        .iter()
        .filter_map(|s| match s {
            Step::CreateTable { table } => Some(TableRef::of(table)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        for (table, mode, rewrites, scans) in step_locks(s) {
            let new_table = created.contains(&table);
            out.push(StepLock { step: i, table, mode, rewrites, scans, new_table, size: None });
        }
    }
    out
}

/// `(table, mode, rewrites, scans)` for each table one step locks.
fn step_locks(s: &Step) -> Vec<(TableRef, LockMode, bool, bool)> {
    use LockMode::*;
    let referenced = |table: &TableRef, fk: &crate::model::ForeignKey| TableRef {
        schema: fk.ref_schema.clone().or_else(|| table.schema.clone()),
        name: fk.ref_table.clone(),
    };
    match s {
        Step::CreateTable { table } => {
            let me = TableRef::of(table);
            // A new table's foreign keys lock the tables they reference, briefly.
            table
                .foreign_keys
                .iter()
                .map(|fk| referenced(&me, fk))
                .filter(|r| *r != me)
                .map(|r| (r, ShareRowExclusive, false, false))
                .collect()
        }
        Step::DropTable { table } | Step::DropTableToRecreate { table } => {
            vec![(TableRef::of(table), AccessExclusive, false, false)]
        }
        // The parent is locked SHARE UPDATE EXCLUSIVE (Postgres 12+); the partition's rows are
        // checked against the bound.
        Step::AttachPartition { table, of } => vec![
            (of.parent().with_default_schema(table.schema.as_deref()), ShareUpdateExclusive, false, false),
            (table.clone(), AccessExclusive, false, true),
        ],
        Step::Inherit { table, parent, .. } => {
            vec![(parent.clone(), ShareUpdateExclusive, false, false), (table.clone(), AccessExclusive, false, false)]
        }
        Step::DetachPartition { table, parent } => {
            vec![(parent.clone(), AccessExclusive, false, false), (table.clone(), AccessExclusive, false, false)]
        }
        Step::RenameTable { table, .. }
        | Step::SetIdentityOptions { table, .. }
        | Step::DropColumn { table, .. }
        | Step::RenameColumn { table, .. }
        | Step::DropExpression { table, .. }
        | Step::DropNotNull { table, .. }
        | Step::SetDefault { table, .. }
        | Step::DropDefault { table, .. }
        | Step::DropPrimaryKey { table, .. }
        | Step::DropUnique { table, .. }
        | Step::DropCheck { table, .. }
        | Step::DropExclusion { table, .. }
        | Step::AddUniqueUsingIndex { table, .. }
        | Step::AddPrimaryKeyUsingIndex { table, .. }
        | Step::DropIndex { table, concurrently: false, .. } => vec![(table.clone(), AccessExclusive, false, false)],
        Step::DropIndex { table, concurrently: true, .. }
        | Step::RenameIndex { table, .. }
        | Step::NamePartitionIndex { table, .. } => {
            vec![(table.clone(), ShareUpdateExclusive, false, false)]
        }
        // The validated check proves the column has no NULL: no scan.
        Step::SetNotNullChecked { table, .. } => vec![(table.clone(), AccessExclusive, false, false)],
        // An UPDATE: row locks on the rows it fills; in batches, each held only for its batch.
        Step::Backfill { table, .. } | Step::FillShadowColumn { change: ShadowChange { table, .. }, .. } => {
            vec![(table.clone(), RowExclusive, false, false)]
        }
        // A nullable column without a default, a trigger; then a drop and a rename: brief.
        Step::AddShadowColumn { change: ShadowChange { table, .. }, .. } | Step::SwapShadowColumn { table, .. } => {
            vec![(table.clone(), AccessExclusive, false, false)]
        }
        Step::AlterIdentity { table, .. } => vec![(table.clone(), AccessExclusive, false, false)],
        Step::AddColumn { table, column } => vec![(table.clone(), AccessExclusive, add_column_rewrites(column), false)],
        // A checked change reads every row first (under the lock) to prove no value changes.
        Step::AlterColumnType { table, from, to, using, check_values, .. } => {
            let rewrites = using.is_some() || !crate::types::conversion::binary_coercible(from, to);
            vec![(table.clone(), AccessExclusive, rewrites, *check_values && !rewrites)]
        }
        // Every row is checked for NULL while everything waits (a validated
        // `CHECK (col IS NOT NULL)` lets Postgres 12+ skip the scan).
        Step::SetNotNull { table, backfill, .. } => {
            vec![(table.clone(), AccessExclusive, backfill.is_some(), backfill.is_none())]
        }
        Step::AddPrimaryKey { table, .. } | Step::AddUnique { table, .. } | Step::AddExclusion { table, .. } => {
            vec![(table.clone(), AccessExclusive, false, true)]
        }
        Step::CreateIndex { table, concurrently, .. } => {
            vec![(table.clone(), if *concurrently { ShareUpdateExclusive } else { Share }, false, true)]
        }
        Step::AddForeignKey { table, foreign_key, not_valid } => {
            let parent = referenced(table, foreign_key);
            let mut v = vec![(table.clone(), ShareRowExclusive, false, !not_valid)];
            if parent != *table {
                v.push((parent, ShareRowExclusive, false, false));
            }
            v
        }
        Step::DropForeignKey { table, foreign_key } => {
            let parent = referenced(table, foreign_key);
            let mut v = vec![(table.clone(), AccessExclusive, false, false)];
            if parent != *table {
                v.push((parent, ShareRowExclusive, false, false));
            }
            v
        }
        Step::AddCheck { table, not_valid, .. } => vec![(table.clone(), AccessExclusive, false, !not_valid)],
        Step::ValidateConstraint { table, .. } => vec![(table.clone(), ShareUpdateExclusive, false, true)],
        Step::RecreateEnum { uses, .. } => {
            let mut tables: Vec<TableRef> = uses.iter().map(|u| u.table.clone()).collect();
            tables.sort_by_key(|t| t.display());
            tables.dedup();
            tables.into_iter().map(|t| (t, AccessExclusive, true, false)).collect()
        }
        // A trigger is created and dropped under SHARE ROW EXCLUSIVE on its table (brief).
        Step::CreateTrigger { trigger } | Step::DropTrigger { trigger, .. } => {
            vec![(trigger.relation(), ShareRowExclusive, false, false)]
        }
        // Policies and the row-security switches take ACCESS EXCLUSIVE, briefly (no scan).
        Step::CreatePolicy { policy } | Step::DropPolicy { policy, .. } => {
            vec![(policy.relation(), AccessExclusive, false, false)]
        }
        Step::SetRowSecurity { table, .. } => vec![(table.clone(), AccessExclusive, false, false)],
        Step::RebuildTable { .. }
        | Step::CreateView { .. }
        | Step::DropView { .. }
        | Step::CreateFunction { .. }
        | Step::DropFunction { .. }
        | Step::SetComment { .. }
        | Step::CreateExtension { .. }
        | Step::DropExtension { .. }
        | Step::AlterExtension { .. }
        | Step::CreateDomain { .. }
        | Step::DropDomain { .. }
        | Step::AlterDomain { .. }
        | Step::CreateComposite { .. }
        | Step::DropComposite { .. }
        | Step::AlterComposite { .. }
        | Step::CreateCollation { .. }
        | Step::DropCollation { .. }
        | Step::SetPrivileges { .. }
        | Step::RetypeSerialSequence { .. }
        | Step::CreateSchema { .. }
        | Step::DropSchema { .. }
        | Step::CreateEnum { .. }
        | Step::DropEnum { .. }
        | Step::AddEnumValue { .. }
        | Step::CreateSequence { .. }
        | Step::DropSequence { .. }
        | Step::AlterSequence { .. }
        | Step::SetSequenceOwner { .. } => Vec::new(),
    }
}

/// `ADD COLUMN` rewrites the table when every row needs a value computed per row: a volatile
/// default (`random()`, `gen_random_uuid()`, `clock_timestamp()`, a sequence), an identity, or
/// a stored generated column. A constant or `now()` default is stored once (Postgres 11+).
pub(super) fn add_column_rewrites(c: &Column) -> bool {
    c.identity.is_some() || c.generated.is_some() || c.default.as_deref().is_some_and(is_volatile)
}

/// A default expression that calls a volatile function (the usual ones; an unknown function
/// is assumed stable, as most are).
pub fn is_volatile(expr: &str) -> bool {
    const VOLATILE: &[&str] = &[
        "random(",
        "gen_random_uuid(",
        "uuid_generate_v1(",
        "uuid_generate_v1mc(",
        "uuid_generate_v4(",
        "clock_timestamp(",
        "timeofday(",
        "nextval(",
        "setseed(",
        "txid_current(",
    ];
    let e = expr.to_ascii_lowercase().replace(' ', "");
    VOLATILE.iter().any(|f| e.contains(f))
}

#[cfg(test)]
mod tests {
    use super::super::locks::LockMode::{self, *};
    use super::*;
    use crate::plan::PlanOptions;
    use crate::testkit::{col, index, plan_with, schema, table};
    use crate::types::Dialect::Postgres as PG;

    fn base() -> crate::model::Schema {
        schema(PG, vec![table(PG, "t", &[("id", "bigint"), ("name", "varchar(20)"), ("n", "integer")])])
    }

    /// `(mode, rewrites, scans)` of the single table lock of the plan from `base` to `edit(base)`.
    fn lock(edit: fn(&mut crate::model::Schema), opts: &PlanOptions) -> Vec<(LockMode, bool, bool)> {
        let from = base();
        let mut to = from.clone();
        edit(&mut to);
        let caps = crate::capabilities::Capabilities::latest(PG);
        plan_with(&from, &to, &caps, opts).locks.iter().map(|l| (l.mode, l.rewrites, l.scans)).collect()
    }

    #[test]
    fn each_step_knows_its_lock() {
        let plain = PlanOptions::default();
        type Edit = fn(&mut crate::model::Schema);
        type Want = Vec<(LockMode, bool, bool)>;
        let cases: Vec<(&str, Edit, Want)> = vec![
            (
                "nullable column",
                |s| s.tables[0].columns.push(col(PG, "x", "text")),
                vec![(AccessExclusive, false, false)],
            ),
            (
                "constant default",
                |s| {
                    let mut c = col(PG, "x", "integer");
                    c.default = Some("0".into());
                    s.tables[0].columns.push(c)
                },
                vec![(AccessExclusive, false, false)],
            ),
            (
                "volatile default rewrites",
                |s| {
                    let mut c = col(PG, "x", "uuid");
                    c.default = Some("gen_random_uuid()".into());
                    s.tables[0].columns.push(c)
                },
                vec![(AccessExclusive, true, false)],
            ),
            (
                "int → bigint rewrites",
                |s| s.tables[0].columns[2] = col(PG, "n", "bigint"),
                vec![(AccessExclusive, true, false)],
            ),
            (
                "varchar widened: no rewrite, no scan",
                |s| s.tables[0].columns[1] = col(PG, "name", "varchar(40)"),
                vec![(AccessExclusive, false, false)],
            ),
            ("set not null scans", |s| s.tables[0].columns[2].nullable = false, vec![(AccessExclusive, false, true)]),
            (
                "index blocks writes",
                |s| s.tables[0].indexes.push(index("t_n", &["n"], false)),
                vec![(Share, false, true)],
            ),
            (
                "drop column is brief",
                |s| {
                    s.tables[0].columns.pop();
                },
                vec![(AccessExclusive, false, false)],
            ),
        ];
        for (name, edit, want) in cases {
            assert_eq!(lock(edit, &plain), want, "{name}");
        }
        let concurrent = PlanOptions { online: true, ..Default::default() };
        assert_eq!(
            lock(|s| s.tables[0].indexes.push(index("t_n", &["n"], false)), &concurrent),
            [(ShareUpdateExclusive, false, true)]
        );
    }

    #[test]
    fn volatile_defaults_are_told_apart() {
        assert!(is_volatile("gen_random_uuid()") && is_volatile("NEXTVAL('s'::regclass)") && !is_volatile("now()"));
    }
}
