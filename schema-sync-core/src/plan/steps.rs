//! The plan vocabulary: the [`Plan`], the steps a renderer must print, the hazards a person must
//! see, and the options that change how a plan is built.

use super::locks::{human_bytes, human_count, StepLock, TableSize};
use crate::model::{
    Check, Collation, Column, CompositeType, Domain, EnumType, Exclusion, Extension, ForeignKey, Function, Grant,
    Identity, IdentityOptions, Index, ObjectRef, Policy, PrimaryKey, RowSecurity, Sequence, Table, Trigger, Unique,
    View,
};
use crate::model::{PartitionOf, TableRef};
use crate::types::Dialect;
use crate::types::SqlType;
use serde::Serialize;
use std::collections::HashMap;

/// One column of a SQLite rebuild's `INSERT INTO new (…) SELECT … FROM old`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyColumn {
    /// Column of the new table.
    pub to: String,
    /// Column of the old table it is filled from.
    pub from: String,
    /// Conversion expression (`using`), with `{col}` standing for the quoted old column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    /// Value for rows whose old value is NULL when the new column is NOT NULL (backfill).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backfill: Option<String>,
    /// The new column's type affinity may store a value differently (TEXT `'042'` becomes
    /// INTEGER `42`): the copy is checked, and refused if any value would change.
    #[serde(skip_serializing_if = "is_false")]
    pub check: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A type change made through a shadow column ([`Step::AddShadowColumn`],
/// [`Step::FillShadowColumn`], [`Step::SwapShadowColumn`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShadowChange {
    /// The table.
    pub table: TableRef,
    /// The column changing type.
    pub column: String,
    /// The shadow column (`<column>__ss_new`).
    pub shadow: String,
    /// Old type.
    pub from: SqlType,
    /// New type.
    pub to: SqlType,
    /// Conversion (`{col}` = the column); `None`: a cast.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
}

/// A column using an enum type that is being recreated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumUse {
    /// Table of the column.
    pub table: TableRef,
    /// Column name.
    pub column: String,
    /// The column is an array of the enum.
    pub array: bool,
    /// Default to restore after the type swap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// One unit of work. Renderers match on every variant (no catch-all), so a new step does not
/// compile until each dialect prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
#[allow(missing_docs)]
// A plan holds a handful of steps, not thousands: boxing `RebuildTable`'s tables would make
// every renderer and test pattern noisier for no measurable gain.
#[allow(clippy::large_enum_variant)]
pub enum Step {
    /// `CREATE SCHEMA IF NOT EXISTS` for a namespace the target uses (never dropped).
    CreateSchema { name: String },
    /// `DROP SCHEMA` (never `CASCADE`: the server refuses while anything is left in it).
    DropSchema { name: String },
    /// `CREATE TYPE … AS ENUM (…)`.
    CreateEnum { r#enum: EnumType },
    /// `DROP TYPE …`.
    DropEnum { r#enum: EnumType },
    /// `ALTER TYPE … ADD VALUE 'v' [BEFORE|AFTER 'w']`.
    AddEnumValue { r#enum: EnumType, value: String, before: Option<String>, after: Option<String> },
    /// Rename old type, create new, convert every column through text, drop old.
    RecreateEnum { from: EnumType, to: EnumType, uses: Vec<EnumUse> },
    /// `CREATE SEQUENCE`.
    CreateSequence { sequence: Sequence },
    /// `DROP SEQUENCE`.
    DropSequence { sequence: Sequence },
    /// `ALTER SEQUENCE`.
    AlterSequence { sequence: Sequence },
    /// `ALTER SEQUENCE … OWNED BY table.column | NONE` (serial ↔ standalone, value kept).
    SetSequenceOwner { sequence: Sequence, owner: Option<(TableRef, String)> },
    /// `CREATE TABLE` with its columns, primary key, uniques, checks, and the foreign keys in
    /// `foreign_keys` (others are added later by [`Step::AddForeignKey`]).
    CreateTable { table: Table },
    /// `DROP TABLE`.
    DropTable { table: Table },
    /// `DROP TABLE` of a table created again by this plan (its partitioning changes in a way
    /// Postgres cannot alter), before the new one is created. The preflight refuses it while
    /// the table holds rows.
    DropTableToRecreate { table: Table },
    /// `ALTER TABLE parent ATTACH PARTITION table FOR VALUES …` (the rows are checked
    /// against the bound).
    AttachPartition { table: TableRef, of: PartitionOf },
    /// Names `name` the index of partition `table` that is a partition of the parent's index
    /// `parent_index` (whatever Postgres named it: found in the catalog at run time).
    NamePartitionIndex { table: TableRef, parent_index: TableRef, name: String },
    /// `ALTER TABLE parent DETACH PARTITION table`; the keys, indexes, foreign keys, CHECKs
    /// and triggers it had from the parent are dropped with it (the partition's own stay).
    DetachPartition { table: TableRef, parent: TableRef },
    /// `ALTER TABLE table INHERIT parent` (`NO INHERIT` when `add` is false).
    Inherit { table: TableRef, parent: TableRef, add: bool },
    /// `ALTER TABLE … RENAME TO`.
    RenameTable { table: TableRef, to: String },
    /// `ALTER TABLE … ADD COLUMN`.
    AddColumn { table: TableRef, column: Column },
    /// `ALTER TABLE … DROP COLUMN`.
    DropColumn { table: TableRef, column: String },
    /// `ALTER TABLE … RENAME COLUMN`.
    RenameColumn { table: TableRef, from: String, to: String },
    /// `ALTER COLUMN … DROP EXPRESSION`: a generated column becomes a plain one, keeping the
    /// values it holds (Postgres ≥ 13).
    DropExpression { table: TableRef, column: String },
    /// `ALTER COLUMN … TYPE … [COLLATE …] USING …`.
    /// With `check_values`, the rows are checked first (inside the transaction, under the
    /// table lock) and the step fails if a value would not survive the cast unchanged.
    AlterColumnType {
        table: TableRef,
        column: String,
        from: SqlType,
        to: SqlType,
        collation: Option<String>,
        using: Option<String>,
        #[serde(skip_serializing_if = "is_false")]
        check_values: bool,
    },
    /// `ALTER SEQUENCE … AS ty` for the sequence a `serial` column draws from
    /// (`pg_get_serial_sequence`), after the column's own type change: `serial` → `bigserial`
    /// changes the sequence too, or it stops at 2^31 - 1.
    RetypeSerialSequence { table: TableRef, column: String, ty: SqlType },
    /// `ALTER COLUMN … SET NOT NULL`, optionally after `UPDATE … SET col = backfill WHERE col IS NULL`.
    SetNotNull { table: TableRef, column: String, backfill: Option<String> },
    /// Online: `ALTER COLUMN … SET NOT NULL` once the validated `CHECK (col IS NOT NULL)` named
    /// `check` proves it (Postgres then skips the scan), then `DROP CONSTRAINT check`.
    SetNotNullChecked { table: TableRef, column: String, check: String },
    /// `UPDATE … SET col = expr WHERE col IS NULL`: in one statement, or online in batches of
    /// `batch` rows, each committed on its own.
    Backfill { table: TableRef, column: String, expr: String, batch: Option<u64> },
    /// Online type change, first part: the shadow column `shadow` of type `to` (unless it is
    /// there already, from an interrupted run) and a trigger keeping it equal to `column`
    /// converted (`using`, `{col}` standing for the column, else a cast) on every write.
    AddShadowColumn { change: ShadowChange, exists: bool },
    /// Online type change: the shadow filled where it is still NULL, `batch` rows at a time,
    /// each batch committed on its own.
    FillShadowColumn { change: ShadowChange, batch: u64 },
    /// Online type change, last part, in one short transaction: the trigger dropped, `column`
    /// dropped, `shadow` renamed to it, its NOT NULL (proven by the validated check `not_null`)
    /// and default restored.
    SwapShadowColumn {
        table: TableRef,
        column: String,
        shadow: String,
        not_null: Option<String>,
        default: Option<String>,
    },
    /// `ALTER COLUMN … DROP NOT NULL`.
    DropNotNull { table: TableRef, column: String },
    /// `ALTER COLUMN … SET DEFAULT …`.
    SetDefault { table: TableRef, column: String, expr: String },
    /// `ALTER COLUMN … DROP DEFAULT`.
    DropDefault { table: TableRef, column: String },
    /// `ALTER TABLE … ALTER COLUMN … SET START WITH … SET INCREMENT BY …`: the options of an
    /// identity column's sequence (its current value is kept).
    SetIdentityOptions { table: TableRef, column: String, options: IdentityOptions },
    /// Identity / serial transitions, keeping the sequence's current value.
    AlterIdentity { table: TableRef, column: String, ty: SqlType, from: Option<Identity>, to: Option<Identity> },
    /// `ADD [CONSTRAINT …] PRIMARY KEY (…)`.
    AddPrimaryKey { table: TableRef, primary_key: PrimaryKey },
    /// `DROP CONSTRAINT <pk>`.
    DropPrimaryKey { table: TableRef, primary_key: PrimaryKey },
    /// `CREATE [UNIQUE] INDEX [CONCURRENTLY] …`.
    CreateIndex { table: TableRef, index: Index, concurrently: bool },
    /// `DROP INDEX [CONCURRENTLY IF EXISTS] …`.
    DropIndex { table: TableRef, index: Index, concurrently: bool },
    /// `ALTER INDEX … RENAME TO …` (online: the new index of a swap takes the old one's name).
    RenameIndex { table: TableRef, from: String, to: String },
    /// Online: `ADD CONSTRAINT … UNIQUE USING INDEX index` over a unique index built
    /// concurrently just before (renamed to the constraint's name).
    AddUniqueUsingIndex { table: TableRef, unique: Unique, index: String },
    /// Online: `ADD CONSTRAINT … PRIMARY KEY USING INDEX index`, likewise.
    AddPrimaryKeyUsingIndex { table: TableRef, primary_key: PrimaryKey, index: String },
    /// `ADD [CONSTRAINT …] UNIQUE (…)`.
    AddUnique { table: TableRef, unique: Unique },
    /// `DROP CONSTRAINT <unique>`.
    DropUnique { table: TableRef, unique: Unique },
    /// `ADD [CONSTRAINT …] FOREIGN KEY … [NOT VALID]`.
    AddForeignKey { table: TableRef, foreign_key: ForeignKey, not_valid: bool },
    /// `DROP CONSTRAINT <fk>`.
    DropForeignKey { table: TableRef, foreign_key: ForeignKey },
    /// `ADD [CONSTRAINT …] CHECK (…) [NOT VALID]`.
    AddCheck { table: TableRef, check: Check, not_valid: bool },
    /// `DROP CONSTRAINT <check>`.
    DropCheck { table: TableRef, check: Check },
    /// `ADD [CONSTRAINT …] EXCLUDE …` (Postgres; builds its index, reading every row).
    AddExclusion { table: TableRef, exclusion: Exclusion },
    /// `DROP CONSTRAINT <exclusion>`.
    DropExclusion { table: TableRef, exclusion: Exclusion },
    /// `VALIDATE CONSTRAINT` after a `NOT VALID` add.
    ValidateConstraint { table: TableRef, name: String },
    /// SQLite's 12-step table rebuild: new table, copy rows with explicit columns, drop, rename,
    /// recreate indexes, keep the AUTOINCREMENT high-water mark, then `PRAGMA
    /// foreign_key_check`. The table's triggers and the views over it are set aside around it
    /// by their own steps ([`Step::DropTrigger`], [`Step::CreateTrigger`], …).
    RebuildTable { from: Table, to: Table, copy: Vec<CopyColumn> },
    /// `CREATE [MATERIALIZED] VIEW … AS …`.
    CreateView { view: View },
    /// `DROP [MATERIALIZED] VIEW`; `kept`: created again later in the plan (set aside around
    /// a change to what it reads, or changed), so nothing is lost.
    DropView { view: View, kept: bool },
    /// `CREATE TRIGGER …` (the catalog's statement).
    CreateTrigger { trigger: Trigger },
    /// `DROP TRIGGER`; `kept` as for [`Step::DropView`].
    DropTrigger { trigger: Trigger, kept: bool },
    /// `CREATE OR REPLACE FUNCTION …` (the catalog's statement), with function bodies checked
    /// when they are called rather than now (`check_function_bodies = off`, as `pg_dump` does:
    /// a body may name a table created later in the plan). `replace`: an existing function of
    /// the same signature is replaced in place (its dependents stay).
    CreateFunction { function: Function, replace: bool },
    /// `DROP FUNCTION|PROCEDURE name(argument types)`; `kept` as for [`Step::DropView`].
    DropFunction { function: Function, kept: bool },
    /// `ALTER TABLE … ENABLE|DISABLE ROW LEVEL SECURITY`, `… [NO] FORCE ROW LEVEL SECURITY`.
    SetRowSecurity { table: TableRef, from: RowSecurity, to: RowSecurity },
    /// `CREATE POLICY …`.
    CreatePolicy { policy: Policy },
    /// `DROP POLICY … ON …`; `kept` as for [`Step::DropView`].
    DropPolicy { policy: Policy, kept: bool },
    /// `COMMENT ON … IS '…'` (`NULL`: removed).
    SetComment { on: ObjectRef, text: Option<String> },
    /// `CREATE EXTENSION … WITH SCHEMA … [VERSION …]` (not `IF NOT EXISTS`: one installed in a
    /// schema outside the scope is an error, not a silent no-op that leaves it elsewhere).
    CreateExtension { extension: Extension },
    /// `DROP EXTENSION` (never `CASCADE`: one a column still uses is refused by the server).
    DropExtension { extension: Extension },
    /// `ALTER EXTENSION … SET SCHEMA …` and/or `… UPDATE TO …`.
    AlterExtension { from: Extension, to: Extension },
    /// `CREATE TYPE … AS (…)`.
    CreateComposite { composite: CompositeType },
    /// `DROP TYPE` of a composite type (`kept`: created again right after, with new attributes).
    DropComposite { composite: CompositeType, kept: bool },
    /// `ALTER TYPE … ADD | DROP | ALTER ATTRIBUTE …`, one statement per attribute.
    AlterComposite { from: CompositeType, to: CompositeType },
    /// `CREATE COLLATION … (provider = …, locale = …)`.
    CreateCollation { collation: Collation },
    /// `DROP COLLATION` (`kept`: created again right after, changed).
    DropCollation { collation: Collation, kept: bool },
    /// `CREATE DOMAIN … AS … [COLLATE …] [DEFAULT …] [NOT NULL] [CONSTRAINT … CHECK (…)]…`.
    CreateDomain { domain: Domain },
    /// `DROP DOMAIN`; `kept`: created again later in the plan (a new base type or collation).
    DropDomain { domain: Domain, kept: bool },
    /// `ALTER DOMAIN …`: default, `NOT NULL`, CHECKs dropped and added (same base type).
    AlterDomain { from: Domain, to: Domain },
    /// `REVOKE …` / `GRANT …` so that `role` holds exactly `to` on `on`. `from`: what it holds
    /// now, when known; `None` (it has the defaults, or the plan just created the object)
    /// starts with `REVOKE ALL`. `narrows`: the role may lose a privilege it has now.
    SetPrivileges { on: ObjectRef, role: String, from: Option<Grant>, to: Grant, narrows: bool },
}

/// The kind of risk a step carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HazardCode {
    /// Drops a table or column: rows or values are gone. Needs `--allow-destructive`.
    DeletesData,
    /// Drops a view, trigger, function (or, later, policy or grant) the target does not have:
    /// no row is lost, but the application may rely on it, and a dropped policy or grant
    /// changes who may read what. Needs `--allow-destructive`.
    DropsObject,
    /// Rewrites the whole table (Postgres type change, SQLite rebuild): slow on big tables.
    RewritesTable,
    /// Can fail on existing rows (NOT NULL over NULLs, narrowing type, unique over duplicates,
    /// a lossy conversion); fails atomically when it does.
    MayFail,
    /// Holds `ACCESS EXCLUSIVE` while it reads every row (`SET NOT NULL`, a validated `CHECK`,
    /// a primary key or `UNIQUE` built in place): reads and writes wait for the scan.
    LocksTable,
    /// Blocks writes (not reads) while it reads every row (`CREATE INDEX`, a validated foreign
    /// key).
    BlocksWrites,
    /// Reads every row under a lock that lets reads and writes go on (`VALIDATE CONSTRAINT`,
    /// `CREATE INDEX CONCURRENTLY`): slow on a big table, blocks nobody.
    ScansTable,
    /// Runs outside the transaction (`CREATE INDEX CONCURRENTLY`).
    NonTransactional,
}

impl HazardCode {
    /// `true` for the kinds that need `--allow-destructive`.
    pub fn is_destructive(self) -> bool {
        matches!(self, HazardCode::DeletesData | HazardCode::DropsObject)
    }
}

/// A risk attached to a step, with a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hazard {
    /// What kind.
    pub code: HazardCode,
    /// Index into [`super::Plan::steps`].
    pub step: usize,
    /// One sentence.
    pub message: String,
}

/// Choices that change how a plan is built (not what it achieves).
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Online form for a live Postgres (see `docs/online.md`): indexes built and dropped
    /// `CONCURRENTLY`, index changes built new then swapped, foreign keys and checks added
    /// `NOT VALID` then validated, `SET NOT NULL` through a validated check, `UNIQUE` and
    /// primary keys over a concurrently built index — all of it after the transaction commits,
    /// one statement at a time. Off: one transaction for everything (the plain form).
    pub online: bool,
    /// Online: fill a column added with a volatile default in batches of this many rows (each
    /// batch committed on its own) instead of the one `ADD COLUMN` that rewrites the table; and
    /// change a column's type through a shadow column filled in such batches (kept in step by
    /// a trigger, swapped in at the end) instead of the `ALTER … TYPE` that rewrites it.
    pub backfill_batch: Option<u64>,
    /// Conversions for type changes, `table.column` → expression (`{col}` = old column),
    /// merged with the models' `using`.
    pub using: HashMap<String, String>,
    /// Backfill values for columns that become NOT NULL, `table.column` → SQL literal/expr.
    pub backfill: HashMap<String, String>,
    /// Accept type changes that change stored values (truncation, rounding, normalisation)
    /// without checking the rows. Off: such a change is checked, and refused if any value
    /// would change, unless the column has an explicit conversion (`using`).
    pub allow_lossy: bool,
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
    /// The table locks each step takes (Postgres; SQLite locks the whole database), by step.
    pub locks: Vec<StepLock>,
    /// Steps `0..online_from` run in the one transaction; the steps after it (the online part)
    /// run after it commits, each statement on its own. `steps.len()` when there is none.
    pub online_from: usize,
}

impl Plan {
    /// A plan with nothing to do.
    pub fn empty(dialect: Dialect) -> Self {
        Plan { dialect, steps: Vec::new(), hazards: Vec::new(), locks: Vec::new(), online_from: 0 }
    }

    /// The locks step `i` takes.
    pub fn locks_of(&self, i: usize) -> impl Iterator<Item = &StepLock> {
        self.locks.iter().filter(move |l| l.step == i)
    }

    /// Tables this plan locks that exist already (by [`TableRef::display`]), each once.
    pub fn locked_tables(&self) -> Vec<TableRef> {
        let mut seen = std::collections::BTreeMap::new();
        for l in self.locks.iter().filter(|l| !l.new_table) {
            seen.entry(l.table.display()).or_insert_with(|| l.table.clone());
        }
        seen.into_values().collect()
    }

    /// Adds the live sizes of the locked tables (keyed by [`TableRef::display`]) to the locks
    /// and to the lock hazards' messages, so people see what a scan or rewrite will cost.
    pub fn estimate(&mut self, sizes: &HashMap<String, TableSize>) {
        for l in &mut self.locks {
            if !l.new_table {
                l.size = sizes.get(&l.table.display()).copied();
            }
        }
        let locks = &self.locks;
        for h in &mut self.hazards {
            if !matches!(
                h.code,
                HazardCode::RewritesTable | HazardCode::LocksTable | HazardCode::BlocksWrites | HazardCode::ScansTable
            ) {
                continue;
            }
            let sized: Vec<String> = locks
                .iter()
                .filter(|l| l.step == h.step && !l.is_brief())
                .filter_map(|l| {
                    l.size.map(|s| format!("{}: ~{} rows, {}", l.table.name, human_count(s.rows), human_bytes(s.bytes)))
                })
                .collect();
            if !sized.is_empty() && !h.message.ends_with(')') {
                h.message = format!("{} ({})", h.message, sized.join("; "));
            }
        }
    }

    /// `true` when step `i` runs after the transaction, on its own (the online part).
    pub fn is_online(&self, i: usize) -> bool {
        i >= self.online_from
    }

    /// `true` when part of the plan runs after the transaction.
    pub fn has_online_part(&self) -> bool {
        self.online_from < self.steps.len()
    }

    /// `true` when there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// `true` when any step deletes data or drops an object the target does not have.
    pub fn is_destructive(&self) -> bool {
        self.hazards.iter().any(|h| h.code.is_destructive())
    }

    /// Hazards of one kind.
    pub fn hazards_of(&self, code: HazardCode) -> impl Iterator<Item = &Hazard> {
        self.hazards.iter().filter(move |h| h.code == code)
    }
}
