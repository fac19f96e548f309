//! `diff(from, to)`: the typed, ordered, complete list of differences between two schemas of
//! the same dialect. Pure: values in, values out.
//!
//! Renames come only from hints (`renamed_from` on a table or column of `to`); they are never
//! guessed. Two schemas of different dialects go through [`compare`], which translates `to`
//! into `from`'s dialect by the compatibility rules first and keeps the notes.
//!
//! ```
//! use schema_sync_core::{diff::{diff, Change}, model::*, types::*};
//! let mut a = Schema::empty(Some(Dialect::Sqlite));
//! let mut t = Table::new("users");
//! t.columns.push(Column::new("id", SqlType::BigInt));
//! a.tables.push(t.clone());
//! let mut b = a.clone();
//! b.tables[0].columns.push(Column::new("email", SqlType::Text));
//! let changes = diff(&a, &b);
//! assert!(matches!(&changes[0], Change::AddColumn { column, .. } if column.name == "email"));
//! ```

mod format;
mod matching;

pub use format::{render_json, render_text};
pub(crate) use matching::same_check;

use crate::capabilities::Capabilities;
use crate::model::{
    Check, Collation, Column, CompositeType, Domain, EnumType, Exclusion, Extension, ForeignKey, Function, Grant,
    Index, ObjectRef, Parent, PartitionOf, Policy, PrimaryKey, RowSecurity, Schema, Sequence, Table, TableOptions,
    TableRef, Trigger, Unique, View,
};
use crate::resolve::{self, Note};
use crate::types::Dialect;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What changed about one column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ColumnChanges {
    /// The type differs.
    pub ty: bool,
    /// Nullability differs.
    pub nullable: bool,
    /// The default differs (after canonicalisation).
    pub default: bool,
    /// Identity / serial / AUTOINCREMENT differs.
    pub identity: bool,
    /// The options of an identity column's sequence differ.
    pub identity_options: bool,
    /// The generation expression differs.
    pub generated: bool,
    /// The collation differs.
    pub collation: bool,
}

impl ColumnChanges {
    /// `true` when nothing differs.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Names of the aspects that differ, for messages.
    pub fn names(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        for (on, n) in [
            (self.ty, "type"),
            (self.nullable, "nullability"),
            (self.default, "default"),
            (self.identity, "identity"),
            (self.identity_options, "identity options"),
            (self.generated, "generated"),
            (self.collation, "collation"),
        ] {
            if on {
                v.push(n);
            }
        }
        v
    }
}

/// One difference. `from` → `to` describes what must happen to a database at `from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[allow(missing_docs)]
// Changes are few per diff and short-lived; boxing the column variants would only add noise.
#[allow(clippy::large_enum_variant)]
pub enum Change {
    /// `CREATE TYPE … AS ENUM`.
    CreateEnum { r#enum: EnumType },
    /// `DROP TYPE`.
    DropEnum { r#enum: EnumType },
    /// The labels of an enum differ (`from` → `to`).
    AlterEnum { from: EnumType, to: EnumType },
    /// `CREATE SEQUENCE`.
    CreateSequence { sequence: Sequence },
    /// `DROP SEQUENCE`.
    DropSequence { sequence: Sequence },
    /// Sequence options differ.
    AlterSequence { from: Sequence, to: Sequence },
    /// A table only in `to`.
    CreateTable { table: Table },
    /// A table only in `from`.
    DropTable { table: Table },
    /// A table renamed by hint.
    RenameTable { table: TableRef, to: String },
    /// A column only in `to`.
    AddColumn { table: TableRef, column: Column },
    /// A column only in `from`.
    DropColumn { table: TableRef, column: Column },
    /// A column renamed by hint.
    RenameColumn { table: TableRef, from: String, to: String },
    /// A column in both that differs.
    AlterColumn { table: TableRef, from: Column, to: Column, changes: ColumnChanges },
    /// Primary key added, dropped or changed.
    AlterPrimaryKey { table: TableRef, from: Option<PrimaryKey>, to: Option<PrimaryKey> },
    /// Index only in `to` (or changed: drop + add).
    AddIndex { table: TableRef, index: Index },
    /// Index only in `from`.
    DropIndex { table: TableRef, index: Index },
    /// UNIQUE constraint added.
    AddUnique { table: TableRef, unique: Unique },
    /// UNIQUE constraint dropped.
    DropUnique { table: TableRef, unique: Unique },
    /// Foreign key added.
    AddForeignKey { table: TableRef, foreign_key: ForeignKey },
    /// Foreign key dropped.
    DropForeignKey { table: TableRef, foreign_key: ForeignKey },
    /// CHECK added.
    AddCheck { table: TableRef, check: Check },
    /// CHECK dropped.
    DropCheck { table: TableRef, check: Check },
    /// `EXCLUDE` constraint added (or changed: drop + add).
    AddExclusion { table: TableRef, exclusion: Exclusion },
    /// `EXCLUDE` constraint dropped.
    DropExclusion { table: TableRef, exclusion: Exclusion },
    /// A wanted foreign key or CHECK is live but `NOT VALID` (an online change stopped before
    /// its `VALIDATE CONSTRAINT`): validate it.
    ValidateConstraint { table: TableRef, name: String },
    /// SQLite `WITHOUT ROWID` / `STRICT` differ.
    AlterTableOptions { table: TableRef, from: TableOptions, to: TableOptions },
    /// A table whose partitioning changes in a way Postgres cannot alter (a partition key
    /// added, dropped or changed, or the parent it is a partition of recreated): dropped and
    /// created again. Refused while it holds rows.
    RecreateTable { from: Table, to: Table },
    /// A table becomes a partition, stops being one, or moves to another parent or bound
    /// (`DETACH PARTITION` then `ATTACH PARTITION`; the rows stay).
    AlterPartition { table: TableRef, from: Option<PartitionOf>, to: Option<PartitionOf> },
    /// A partition's index that is a partition of its parent's index `parent_index` is to be
    /// named `to` (`from`: its name now, if it exists).
    NamePartitionIndex { table: TableRef, parent_index: String, from: Option<String>, to: String },
    /// The parents a table inherits from (`INHERITS`) differ (`INHERIT` / `NO INHERIT`).
    AlterInherits { table: TableRef, from: Vec<Parent>, to: Vec<Parent> },
    /// A view only in `to`.
    CreateView { view: View },
    /// A view only in `from`.
    DropView { view: View },
    /// A view in both whose query, columns, kind or options differ (dropped and recreated).
    AlterView { from: View, to: View },
    /// A trigger only in `to`.
    CreateTrigger { trigger: Trigger },
    /// A trigger only in `from`.
    DropTrigger { trigger: Trigger },
    /// A trigger in both whose statement differs (dropped and recreated).
    AlterTrigger { from: Trigger, to: Trigger },
    /// A function or procedure only in `to`.
    CreateFunction { function: Function },
    /// A function or procedure only in `from`.
    DropFunction { function: Function },
    /// A function in both (same name and argument types) whose definition differs.
    AlterFunction { from: Function, to: Function },
    /// Row-level security switched on or off, or forced or not, on a table.
    AlterRowSecurity { table: TableRef, from: RowSecurity, to: RowSecurity },
    /// A policy only in `to`.
    CreatePolicy { policy: Policy },
    /// A policy only in `from`.
    DropPolicy { policy: Policy },
    /// A policy in both (same table and name) that differs.
    AlterPolicy { from: Policy, to: Policy },
    /// A comment added, changed or removed (`to: None`).
    SetComment { on: ObjectRef, from: Option<String>, to: Option<String> },
    /// An extension only in `to`.
    CreateExtension { extension: Extension },
    /// An extension only in `from`.
    DropExtension { extension: Extension },
    /// An extension in both whose schema or (named) version differs.
    AlterExtension { from: Extension, to: Extension },
    /// A domain only in `to`.
    CreateDomain { domain: Domain },
    /// A domain only in `from`.
    DropDomain { domain: Domain },
    /// A domain in both whose base type, collation, default, `NOT NULL` or CHECKs differ.
    AlterDomain { from: Domain, to: Domain },
    /// A Postgres schema (namespace) only in `to` (created even when it holds nothing).
    CreateSchema { name: String },
    /// A Postgres schema only in `from`, when `to` lists its schemas (`Schema::namespaces`):
    /// dropped once everything in it is (never `CASCADE`, never `public`).
    DropSchema { name: String },
    /// A composite type only in `to`.
    CreateComposite { composite: CompositeType },
    /// A composite type only in `from`.
    DropComposite { composite: CompositeType },
    /// A composite type in both whose attributes differ.
    AlterComposite { from: CompositeType, to: CompositeType },
    /// A collation only in `to`.
    CreateCollation { collation: Collation },
    /// A collation only in `from`.
    DropCollation { collation: Collation },
    /// A collation in both whose provider, locale or determinism differ (dropped and created
    /// again: Postgres cannot change them in place).
    AlterCollation { from: Collation, to: Collation },
    /// What a managed role holds on an object differs. `None`: the side has the database's
    /// default privileges there (no record).
    SetPrivileges { on: ObjectRef, role: String, from: Option<Grant>, to: Option<Grant> },
}

impl Change {
    /// The table a change is about, if any.
    pub fn table(&self) -> Option<TableRef> {
        use Change::*;
        match self {
            CreateTable { table } | DropTable { table } | RecreateTable { to: table, .. } => Some(TableRef::of(table)),
            RenameTable { table, .. }
            | AddColumn { table, .. }
            | DropColumn { table, .. }
            | RenameColumn { table, .. }
            | AlterColumn { table, .. }
            | AlterPrimaryKey { table, .. }
            | AddIndex { table, .. }
            | DropIndex { table, .. }
            | AddUnique { table, .. }
            | DropUnique { table, .. }
            | AddForeignKey { table, .. }
            | DropForeignKey { table, .. }
            | AddCheck { table, .. }
            | DropCheck { table, .. }
            | AddExclusion { table, .. }
            | DropExclusion { table, .. }
            | ValidateConstraint { table, .. }
            | AlterTableOptions { table, .. }
            | AlterPartition { table, .. }
            | AlterInherits { table, .. }
            | NamePartitionIndex { table, .. }
            | AlterRowSecurity { table, .. } => Some(table.clone()),
            CreatePolicy { .. } | DropPolicy { .. } | AlterPolicy { .. } | SetComment { .. } => None,
            CreateExtension { .. }
            | DropExtension { .. }
            | AlterExtension { .. }
            | CreateDomain { .. }
            | DropDomain { .. }
            | AlterDomain { .. }
            | CreateComposite { .. }
            | DropComposite { .. }
            | AlterComposite { .. }
            | CreateSchema { .. }
            | DropSchema { .. }
            | CreateCollation { .. }
            | DropCollation { .. }
            | AlterCollation { .. }
            | SetPrivileges { .. } => None,
            CreateEnum { .. }
            | DropEnum { .. }
            | AlterEnum { .. }
            | CreateSequence { .. }
            | DropSequence { .. }
            | AlterSequence { .. }
            // Views and triggers are planned on their own, around the table changes (a trigger
            // is not part of its table's rebuild: see `plan::dependents`).
            | CreateView { .. }
            | DropView { .. }
            | AlterView { .. }
            | CreateTrigger { .. }
            | DropTrigger { .. }
            | AlterTrigger { .. }
            | CreateFunction { .. }
            | DropFunction { .. }
            | AlterFunction { .. } => None,
        }
    }
}

/// Options for [`compare`].
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Rename hints `table` → `new` (table renames) and `table.old` → `new` (columns), as given
    /// by `--rename`; applied to `to` as `renamed_from`.
    pub renames: Vec<(String, String)>,
    /// Cross-dialect: match names ignoring case and `_` (`AlbumId` ↔ `album_id`), renaming `to`'s
    /// names to `from`'s spelling. Off by default; the config's `rename_all` turns it on.
    pub fold_names: bool,
    /// Tables to leave out of the comparison (names or globs with `*` and `?`).
    pub ignore_tables: Vec<String>,
    /// The Postgres schema of objects that name none (models, a SQLite side): the first schema
    /// schema-sync manages. `None`: `public`.
    pub default_schema: Option<String>,
}

/// The result of [`compare`]: both sides resolved into one dialect, and the changes.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Dialect both sides were resolved into (the `from` side's).
    pub dialect: Dialect,
    /// `from`, resolved.
    pub from: Schema,
    /// `to`, resolved/translated into [`Comparison::dialect`].
    pub to: Schema,
    /// Differences, in a stable order.
    pub changes: Vec<Change>,
    /// Cross-dialect decisions (empty for same-dialect comparisons).
    pub notes: Vec<Note>,
    /// `true` when the two sides were of different dialects.
    pub cross_dialect: bool,
}

impl Comparison {
    /// A same-dialect comparison of two schemas already resolved into one dialect (`from`'s),
    /// with `changes` computed by [`diff`] (or given).
    pub fn between(from: Schema, to: Schema, changes: Vec<Change>) -> Self {
        let dialect = from.dialect.or(to.dialect).unwrap_or(Dialect::Postgres);
        Comparison { dialect, from, to, changes, notes: Vec::new(), cross_dialect: false }
    }

    /// [`Comparison::between`] with the changes of [`diff`].
    pub fn of(from: Schema, to: Schema) -> Self {
        let changes = diff(&from, &to);
        Self::between(from, to, changes)
    }

    /// `true` when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Compares any two schemas. `to` is resolved (models) or translated (other dialect) into
/// `from`'s dialect; `dialect` chooses it when `from` is a model too.
pub fn compare(from: &Schema, to: &Schema, dialect: Option<Dialect>, opts: &DiffOptions) -> crate::Result<Comparison> {
    compare_owned(from.clone(), to.clone(), dialect, opts)
}

/// [`compare`] taking the schemas by value: a side already in the comparison's dialect is used
/// as is instead of copied (what the CLI does with two freshly read 5,000-table catalogs).
pub fn compare_owned(
    from: Schema,
    to: Schema,
    dialect: Option<Dialect>,
    opts: &DiffOptions,
) -> crate::Result<Comparison> {
    let target = from.dialect.or(to.dialect).or(dialect).unwrap_or(Dialect::Postgres);
    let target = dialect.filter(|_| from.dialect.is_none()).unwrap_or(target);
    let namespace = opts.default_schema.as_deref().unwrap_or(resolve::DEFAULT_PG_SCHEMA);
    let mut from_r = resolve::resolve_owned_in(from, target, namespace)?;
    let mut to_in = to;
    apply_rename_hints(&mut to_in, &opts.renames)?;
    let model = to_in.dialect.is_none();
    let cross = to_in.dialect.is_some_and(|d| d != target);
    if cross && opts.fold_names {
        fold_names(&mut to_in, &from_r);
    }
    let (mut to_r, notes) = if cross {
        resolve::translate_in(&to_in, target, Some(&from_r), namespace)
    } else {
        (resolve::resolve_owned_in(to_in, target, namespace)?, Vec::new())
    };
    if let Some(folded) = fold_sqlite_case(&from_r, &to_r) {
        to_r = folded;
    }
    if model {
        keep_undeclared_extensions(&from_r, &mut to_r);
    }
    drop_ignored(&mut from_r, opts);
    drop_ignored(&mut to_r, opts);
    let changes = diff(&from_r, &to_r);
    Ok(Comparison { dialect: target, from: from_r, to: to_r, changes, notes, cross_dialect: cross })
}

/// Models (`#[derive(SyncTable)]` cannot declare extensions) keep the extensions the database
/// has: one they do not list is left alone, never dropped; one they list is created.
fn keep_undeclared_extensions(from: &Schema, to: &mut Schema) {
    let kept: Vec<_> =
        from.extensions.iter().filter(|x| !to.extensions.iter().any(|y| y.name == x.name)).cloned().collect();
    if !kept.is_empty() {
        to.extensions.extend(kept);
        to.normalize();
    }
}

/// Removes the tables a comparison leaves out (`opts.ignore_tables`) from `schema`.
pub fn drop_ignored(schema: &mut Schema, opts: &DiffOptions) {
    for pattern in &opts.ignore_tables {
        schema.tables.retain(|x| !glob_match(pattern, &x.name));
    }
}

/// `*` (any run) and `?` (one character) glob matching, for ignored tables.
///
/// ```
/// use schema_sync_core::diff::glob_match;
/// assert!(glob_match("_litestream_*", "_litestream_seq"));
/// assert!(!glob_match("audit_?", "audit_log"));
/// ```
pub fn glob_match(pattern: &str, name: &str) -> bool {
    crate::glob::matches(pattern, name)
}

fn apply_rename_hints(schema: &mut Schema, renames: &[(String, String)]) -> crate::Result<()> {
    for (old, new) in renames {
        match old.split_once('.') {
            Some((table, col)) => {
                let t = schema
                    .tables
                    .iter_mut()
                    .find(|t| t.name == table || t.renamed_from.as_deref() == Some(table))
                    .ok_or_else(|| crate::Error::RenameHint {
                        hint: format!("{old}={new}"),
                        reason: format!("no table `{table}` in the target schema"),
                    })?;
                let tname = t.name.clone();
                let c = t.column_mut(new).ok_or_else(|| crate::Error::RenameHint {
                    hint: format!("{old}={new}"),
                    reason: format!("no column `{new}` in table `{tname}`"),
                })?;
                c.renamed_from = Some(col.to_string());
            }
            None => {
                let t = schema.table_mut(None, new).ok_or_else(|| crate::Error::RenameHint {
                    hint: format!("{old}={new}"),
                    reason: format!("no table `{new}` in the target schema"),
                })?;
                t.renamed_from = Some(old.clone());
            }
        }
    }
    Ok(())
}

fn fold_loose(s: &str) -> String {
    s.chars().filter(|c| *c != '_').flat_map(char::to_lowercase).collect()
}

fn fold_case(s: &str) -> String {
    s.to_lowercase()
}

/// Renames tables and columns of `schema` to the spelling `like` uses when they are equal
/// ignoring case and underscores (`AlbumId` ↔ `album_id`).
pub fn fold_names(schema: &mut Schema, like: &Schema) {
    fold_names_with(schema, like, fold_loose)
}

/// SQLite identifiers are case-insensitive: `USERS` and `users` are one table. Renames `to`'s
/// names to `from`'s spelling where they differ only in case.
fn fold_sqlite_case(from: &Schema, to: &Schema) -> Option<Schema> {
    if !from.dialect.is_some_and(|d| Capabilities::latest(d).case_insensitive_names) {
        return None;
    }
    // Most comparisons spell every name the same on both sides: nothing to fold, no copy (and
    // no allocation per column: a fleet audit runs this once per file).
    let have: HashMap<&str, &Table> = from.tables.iter().map(|t| (t.name.as_str(), t)).collect();
    let needs = to.tables.iter().any(|t| match have.get(t.name.as_str()) {
        None => true,
        Some(f) => t.columns.iter().any(|c| f.column(&c.name).is_none()),
    });
    if !needs {
        return None;
    }
    let mut folded = to.clone();
    fold_names_with(&mut folded, from, fold_case);
    Some(folded)
}

fn fold_names_with(schema: &mut Schema, like: &Schema, fold: fn(&str) -> String) {
    let table_names: HashMap<String, &Table> = like.tables.iter().map(|t| (fold(&t.name), t)).collect();
    let mut table_map: HashMap<String, String> = HashMap::new();
    for t in &mut schema.tables {
        if let Some(l) = table_names.get(&fold(&t.name)) {
            table_map.insert(t.name.clone(), l.name.clone());
            t.name = l.name.clone();
            let cols: HashMap<String, String> = l.columns.iter().map(|c| (fold(&c.name), c.name.clone())).collect();
            let map = |n: &mut String| {
                if let Some(x) = cols.get(&fold(n)) {
                    *n = x.clone();
                }
            };
            for c in &mut t.columns {
                map(&mut c.name);
            }
            if let Some(pk) = &mut t.primary_key {
                pk.columns.iter_mut().for_each(map);
            }
            for u in &mut t.uniques {
                u.columns.iter_mut().for_each(map);
            }
            for i in &mut t.indexes {
                for k in &mut i.keys {
                    if let crate::model::KeyTarget::Column(c) = &mut k.target {
                        map(c);
                    }
                }
            }
            for fk in &mut t.foreign_keys {
                fk.columns.iter_mut().for_each(map);
            }
        }
    }
    // Foreign keys point at renamed tables and their columns.
    let snapshot: Vec<(String, HashMap<String, String>)> = like
        .tables
        .iter()
        .map(|t| (t.name.clone(), t.columns.iter().map(|c| (fold(&c.name), c.name.clone())).collect()))
        .collect();
    for t in &mut schema.tables {
        for fk in &mut t.foreign_keys {
            if let Some(n) = table_map.get(&fk.ref_table) {
                fk.ref_table = n.clone();
            }
            if let Some((_, cols)) = snapshot.iter().find(|(n, _)| *n == fk.ref_table) {
                for c in &mut fk.ref_columns {
                    if let Some(x) = cols.get(&fold(c)) {
                        *c = x.clone();
                    }
                }
            }
        }
    }
    schema.normalize();
}

/// Differences between two schemas **of the same dialect** (resolve or translate first; see
/// [`compare`]). Output order: enums, sequences, then tables by name with each table's changes
/// in a fixed order.
pub fn diff(from: &Schema, to: &Schema) -> Vec<Change> {
    if let Some(folded) = fold_sqlite_case(from, to) {
        return diff_exact(from, &folded);
    }
    diff_exact(from, to)
}

fn diff_exact(from: &Schema, to: &Schema) -> Vec<Change> {
    let mut changes = Vec::new();
    diff_namespaces(from, to, &mut changes);
    diff_extensions(from, to, &mut changes);
    diff_enums(from, to, &mut changes);
    diff_domains(from, to, &mut changes);
    diff_composites_and_collations(from, to, &mut changes);
    diff_sequences(from, to, &mut changes);

    let key = |t: &Table| (t.schema.clone(), t.name.clone());
    let from_tables: BTreeMap<_, &Table> = from.tables.iter().map(|t| (key(t), t)).collect();
    let to_tables: BTreeMap<_, &Table> = to.tables.iter().map(|t| (key(t), t)).collect();
    let mut renamed_away = std::collections::HashSet::new();
    let recreated = recreated_tables(&from_tables, &to_tables);
    for (k, t) in &to_tables {
        match from_tables.get(k) {
            Some(f) if recreated.contains(k) => {
                changes.push(Change::RecreateTable { from: (*f).clone(), to: (*t).clone() })
            }
            Some(f) => {
                diff_table(f, t, &mut changes);
                inheritance_changes(f, t, &to_tables, &mut changes);
                if t.partition_of.is_some() {
                    for (parent_index, name) in &t.partition_indexes {
                        let now = f.partition_indexes.get(parent_index).filter(|_| f.partition_of == t.partition_of);
                        if now != Some(name) {
                            changes.push(Change::NamePartitionIndex {
                                table: TableRef::of(t),
                                parent_index: parent_index.clone(),
                                from: now.cloned(),
                                to: name.clone(),
                            });
                        }
                    }
                }
                if f.partition_of != t.partition_of {
                    changes.push(Change::AlterPartition {
                        table: TableRef::of(t),
                        from: f.partition_of.clone(),
                        to: t.partition_of.clone(),
                    });
                    // Attaching adopts a local index that matches one of the parent's as that
                    // index's partition: one the table is to keep as its own is built again
                    // after the attach.
                    if t.partition_of.is_some() {
                        for i in t.indexes.iter().filter(|i| f.indexes.iter().any(|x| matching::same_index(x, i))) {
                            changes.push(Change::DropIndex { table: TableRef::of(t), index: i.clone() });
                            changes.push(Change::AddIndex { table: TableRef::of(t), index: i.clone() });
                        }
                    }
                }
            }
            None => {
                let old = t.renamed_from.as_ref().map(|o| (t.schema.clone(), o.clone()));
                match old.as_ref().and_then(|o| from_tables.get(o).map(|f| (o, f))) {
                    Some((o, f)) if !to_tables.contains_key(o) => {
                        renamed_away.insert(o.clone());
                        changes.push(Change::RenameTable { table: TableRef::of(f), to: t.name.clone() });
                        let mut moved = (*f).clone();
                        moved.name = t.name.clone();
                        diff_table(&moved, t, &mut changes);
                    }
                    _ => changes.push(Change::CreateTable { table: (*t).clone() }),
                }
            }
        }
    }
    for (k, f) in &from_tables {
        if !to_tables.contains_key(k) && !renamed_away.contains(k) {
            changes.push(Change::DropTable { table: (*f).clone() });
        }
    }
    partition_index_rebuilds(&from_tables, &to_tables, &mut changes);
    diff_views(from, to, &mut changes);
    diff_triggers(from, to, &mut changes);
    diff_functions(from, to, &mut changes);
    diff_policies(from, to, &mut changes);
    diff_comments(from, to, &mut changes);
    diff_grants(from, to, &mut changes);
    changes
}

type TableKey = (Option<String>, String);

/// What changes about a table's place under (legacy) inheritance: parents it gains or loses,
/// and columns it only inherited that become its own because the parent drops them (added
/// back once the parent's drop took the inherited one).
fn inheritance_changes(from: &Table, to: &Table, to_tables: &BTreeMap<TableKey, &Table>, out: &mut Vec<Change>) {
    let tref = TableRef::of(to);
    if from.inherits != to.inherits {
        out.push(Change::AlterInherits { table: tref.clone(), from: from.inherits.clone(), to: to.inherits.clone() });
    }
    for c in to.columns.iter().filter(|c| !c.inherited && from.column(&c.name).is_some_and(|f| f.inherited)) {
        let parent_keeps = to.inherits.iter().any(|p| {
            let key = (p.schema.clone().or(to.schema.clone()), p.table.clone());
            to_tables.get(&key).is_some_and(|pt| pt.column(&c.name).is_some())
        });
        if !parent_keeps {
            out.push(Change::AddColumn { table: tref.clone(), column: c.clone() });
        }
    }
}

/// Indexes (and keys) of partitioned tables that are built again, and the names of their
/// partitions' indexes that come with them.
///
/// Postgres adopts a partition's matching index as the partition of its parent's index only
/// when the parent's index is built after it; and a parent's index built `ON ONLY` stays
/// without a partition where none was attached by hand. So the parent's index is built again
/// (once every partition has its own indexes) when the target has, as the partition of an
/// index of the parent that stays, a new partition's own index, or a partition's index that
/// the current schema lacks. Every index built again — for these reasons or because it
/// changed — makes new partitions of it, named by Postgres: their target names are set.
fn partition_index_rebuilds(from: &BTreeMap<TableKey, &Table>, to: &BTreeMap<TableKey, &Table>, out: &mut Vec<Change>) {
    let parent_key =
        |t: &Table| t.partition_of.as_ref().map(|p| (p.schema.clone().or(t.schema.clone()), p.table.clone()));
    let mut rebuild: std::collections::BTreeSet<(TableKey, String)> = Default::default();
    for (k, t) in to {
        let Some(pk) = parent_key(t) else { continue };
        let before = from.get(k).filter(|f| parent_key(f).as_ref() == Some(&pk));
        let own: Vec<&str> = t
            .indexes
            .iter()
            .map(|i| i.name.as_str())
            .chain(t.primary_key.iter().filter_map(|p| p.name.as_deref()))
            .chain(t.uniques.iter().filter_map(|u| u.name.as_deref()))
            .collect();
        for (parent_index, name) in &t.partition_indexes {
            let again = match before {
                Some(f) => !f.partition_indexes.contains_key(parent_index),
                None => !from.contains_key(k) && own.contains(&name.as_str()),
            };
            if again {
                rebuild.insert((pk.clone(), parent_index.clone()));
            }
        }
    }
    let mut rebuilt: std::collections::BTreeSet<(TableKey, String)> = Default::default();
    for (pk, parent_index) in rebuild {
        let (Some(old_parent), Some(parent)) = (from.get(&pk), to.get(&pk)) else { continue };
        let tref = TableRef::of(parent);
        let changed_already = out.iter().any(|c| match c {
            Change::DropIndex { table, index } => table == &tref && index.name == parent_index,
            Change::DropUnique { table, unique } => table == &tref && unique.name.as_ref() == Some(&parent_index),
            Change::AlterPrimaryKey { table, from: Some(p), .. } => {
                table == &tref && p.name.as_ref() == Some(&parent_index)
            }
            _ => false,
        });
        if changed_already {
            continue;
        }
        let index = |x: &Table| x.indexes.iter().find(|i| i.name == parent_index).cloned();
        let unique = |x: &Table| x.uniques.iter().find(|u| u.name.as_ref() == Some(&parent_index)).cloned();
        let key = |x: &Table| x.primary_key.clone().filter(|p| p.name.as_ref() == Some(&parent_index));
        if let (Some(old), Some(new)) = (index(old_parent), index(parent)) {
            out.push(Change::DropIndex { table: tref.clone(), index: old });
            out.push(Change::AddIndex { table: tref, index: new });
        } else if let (Some(old), Some(new)) = (unique(old_parent), unique(parent)) {
            out.push(Change::DropUnique { table: tref.clone(), unique: old });
            out.push(Change::AddUnique { table: tref, unique: new });
        } else if let (Some(old), Some(new)) = (key(old_parent), key(parent)) {
            out.push(Change::AlterPrimaryKey { table: tref, from: Some(old), to: Some(new) });
        }
    }
    // Every index of a partitioned table the plan builds again, whatever the reason.
    for c in out.iter() {
        let (table, name) = match c {
            Change::AddIndex { table, index } => (table, Some(&index.name)),
            Change::AddUnique { table, unique } => (table, unique.name.as_ref()),
            Change::AlterPrimaryKey { table, to: Some(p), .. } => (table, p.name.as_ref()),
            _ => continue,
        };
        if let Some(name) = name {
            rebuilt.insert(((table.schema.clone(), table.name.clone()), name.clone()));
        }
    }
    let named: std::collections::BTreeSet<(TableRef, String)> = out
        .iter()
        .filter_map(|c| match c {
            Change::NamePartitionIndex { table, parent_index, .. } => Some((table.clone(), parent_index.clone())),
            _ => None,
        })
        .collect();
    let mut renames = Vec::new();
    for (k, t) in to {
        let Some(pk) = parent_key(t) else { continue };
        if from.get(k).is_none_or(|f| parent_key(f).as_ref() != Some(&pk)) {
            continue;
        }
        for (parent_index, name) in &t.partition_indexes {
            let key = (TableRef::of(t), parent_index.clone());
            if rebuilt.contains(&(pk.clone(), parent_index.clone())) && !named.contains(&key) {
                renames.push(Change::NamePartitionIndex {
                    table: key.0,
                    parent_index: key.1,
                    from: None,
                    to: name.clone(),
                });
            }
        }
    }
    out.extend(renames);
}

/// The tables in both whose partitioning changes in a way Postgres cannot alter: the key
/// (`PARTITION BY`) added, dropped or changed, or — transitively — the parent they stay a
/// partition of recreated.
fn recreated_tables(
    from: &BTreeMap<TableKey, &Table>,
    to: &BTreeMap<TableKey, &Table>,
) -> std::collections::BTreeSet<TableKey> {
    let parent = |t: &Table| t.partition_of.as_ref().map(|p| (p.schema.clone().or(t.schema.clone()), p.table.clone()));
    let mut out: std::collections::BTreeSet<TableKey> = to
        .iter()
        .filter(|(k, t)| from.get(*k).is_some_and(|f| f.partition_by != t.partition_by))
        .map(|(k, _)| k.clone())
        .collect();
    loop {
        let more: Vec<TableKey> = to
            .iter()
            .filter(|(k, t)| {
                !out.contains(*k)
                    && from.get(*k).is_some_and(|f| parent(f) == parent(t))
                    && parent(t).is_some_and(|p| out.contains(&p))
            })
            .map(|(k, _)| k.clone())
            .collect();
        if more.is_empty() {
            return out;
        }
        out.extend(more);
    }
}

fn diff_grants(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    let key = |g: &Grant| (g.on.clone(), g.role.clone());
    let have: BTreeMap<_, &Grant> = from.grants.iter().map(|g| (key(g), g)).collect();
    let want: BTreeMap<_, &Grant> = to.grants.iter().map(|g| (key(g), g)).collect();
    for (k, g) in &want {
        if !have.get(k).is_some_and(|h| h.same(g)) {
            out.push(Change::SetPrivileges {
                on: k.0.clone(),
                role: k.1.clone(),
                from: have.get(k).map(|h| (*h).clone()),
                to: Some((*g).clone()),
            });
        }
    }
    for (k, h) in &have {
        if !want.contains_key(k) && !h.is_default() {
            out.push(Change::SetPrivileges { on: k.0.clone(), role: k.1.clone(), from: Some((*h).clone()), to: None });
        }
    }
}

fn diff_comments(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    let have: BTreeMap<&ObjectRef, &str> = from.comments.iter().map(|c| (&c.on, c.text.as_str())).collect();
    let want: BTreeMap<&ObjectRef, &str> = to.comments.iter().map(|c| (&c.on, c.text.as_str())).collect();
    for (on, text) in &want {
        if have.get(on) != Some(text) {
            out.push(Change::SetComment {
                on: (*on).clone(),
                from: have.get(on).map(|t| t.to_string()),
                to: Some(text.to_string()),
            });
        }
    }
    for (on, text) in &have {
        if !want.contains_key(on) {
            out.push(Change::SetComment { on: (*on).clone(), from: Some(text.to_string()), to: None });
        }
    }
}

/// Schemas are compared only when the target lists its own (a Postgres catalog, snapshot or
/// DDL file): models and SQLite name none, and create what their objects need.
fn diff_namespaces(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    if to.namespaces.is_empty() {
        return;
    }
    for name in to.namespaces.iter().filter(|n| !from.namespaces.contains(n)) {
        out.push(Change::CreateSchema { name: name.clone() });
    }
    for name in from.namespaces.iter().filter(|n| !to.namespaces.contains(n) && n.as_str() != "public") {
        out.push(Change::DropSchema { name: name.clone() });
    }
}

fn diff_extensions(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    let change = (
        (|extension| Change::CreateExtension { extension }) as fn(Extension) -> Change,
        (|extension| Change::DropExtension { extension }) as fn(Extension) -> Change,
        (|from, to| Change::AlterExtension { from, to }) as fn(Extension, Extension) -> Change,
    );
    diff_keyed(&from.extensions, &to.extensions, |x| x.name.clone(), matching::same_extension, change, out);
}

fn diff_domains(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    let key = |d: &Domain| (d.schema.clone(), d.name.clone());
    let change = (
        (|domain| Change::CreateDomain { domain }) as fn(Domain) -> Change,
        (|domain| Change::DropDomain { domain }) as fn(Domain) -> Change,
        (|from, to| Change::AlterDomain { from, to }) as fn(Domain, Domain) -> Change,
    );
    let mut changes = Vec::new();
    diff_keyed(&from.domains, &to.domains, key, matching::same_domain, change, &mut changes);
    // A domain over another domain comes after it (dropped before it: the plan drops in
    // reverse).
    let depth = |d: &Domain, all: &[Domain]| {
        let mut n = 0i64;
        let mut base = d.base.replace('"', "");
        while let Some(b) =
            all.iter().find(|x| base == x.name || x.schema.as_ref().is_some_and(|s| base == format!("{s}.{}", x.name)))
        {
            n += 1;
            if n > all.len() as i64 {
                break;
            }
            base = b.base.replace('"', "");
        }
        n
    };
    changes.sort_by_key(|c| match c {
        Change::CreateDomain { domain } | Change::AlterDomain { to: domain, .. } => depth(domain, &to.domains),
        Change::DropDomain { domain } => -depth(domain, &from.domains),
        _ => 0,
    });
    out.extend(changes);
}

fn diff_composites_and_collations(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    let change = (
        (|composite| Change::CreateComposite { composite }) as fn(CompositeType) -> Change,
        (|composite| Change::DropComposite { composite }) as fn(CompositeType) -> Change,
        (|from, to| Change::AlterComposite { from, to }) as fn(CompositeType, CompositeType) -> Change,
    );
    let key = |c: &CompositeType| (c.schema.clone(), c.name.clone());
    diff_keyed(&from.composites, &to.composites, key, |a, b| a == b, change, out);
    let change = (
        (|collation| Change::CreateCollation { collation }) as fn(Collation) -> Change,
        (|collation| Change::DropCollation { collation }) as fn(Collation) -> Change,
        (|from, to| Change::AlterCollation { from, to }) as fn(Collation, Collation) -> Change,
    );
    let key = |c: &Collation| (c.schema.clone(), c.name.clone());
    diff_keyed(&from.collations, &to.collations, key, |a, b| a == b, change, out);
}

fn diff_policies(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    let key = |p: &Policy| (p.schema.clone(), p.table.clone(), p.name.clone());
    let change = (
        (|policy| Change::CreatePolicy { policy }) as fn(Policy) -> Change,
        (|policy| Change::DropPolicy { policy }) as fn(Policy) -> Change,
        (|from, to| Change::AlterPolicy { from, to }) as fn(Policy, Policy) -> Change,
    );
    diff_keyed(&from.policies, &to.policies, key, matching::same_policy, change, out);
}

fn diff_functions(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    let key = |f: &Function| (f.schema.clone(), f.name.clone(), f.identity.clone());
    let change = (
        (|function| Change::CreateFunction { function }) as fn(Function) -> Change,
        (|function| Change::DropFunction { function }) as fn(Function) -> Change,
        (|from, to| Change::AlterFunction { from, to }) as fn(Function, Function) -> Change,
    );
    diff_keyed(&from.functions, &to.functions, key, |a, b| a == b, change, out);
}

/// How [`diff_keyed`] makes the change for a created, dropped and altered object.
type Makers<T> = (fn(T) -> Change, fn(T) -> Change, fn(T, T) -> Change);

/// Objects of one kind matched by `key`: one only in `to` is created, one only in `from`
/// dropped, one in both that is not `same` altered.
fn diff_keyed<'a, T: Clone + 'a, K: Ord>(
    from: &'a [T],
    to: &'a [T],
    key: impl Fn(&T) -> K,
    same: impl Fn(&T, &T) -> bool,
    change: Makers<T>,
    out: &mut Vec<Change>,
) {
    let (create, drop, alter) = change;
    let have: BTreeMap<K, &T> = from.iter().map(|x| (key(x), x)).collect();
    let want: BTreeMap<K, &T> = to.iter().map(|x| (key(x), x)).collect();
    for (k, x) in &want {
        match have.get(k) {
            None => out.push(create((*x).clone())),
            Some(h) if !same(h, x) => out.push(alter((*h).clone(), (*x).clone())),
            Some(_) => {}
        }
    }
    out.extend(have.iter().filter(|(k, _)| !want.contains_key(*k)).map(|(_, h)| drop((*h).clone())));
}

/// SQLite names are one name whatever their case.
fn folds(s: &Schema) -> bool {
    s.dialect.is_some_and(|d| Capabilities::latest(d).case_insensitive_names)
}

fn diff_views(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    let fold = folds(from);
    let key = |v: &View| (v.schema.clone(), if fold { v.name.to_ascii_lowercase() } else { v.name.clone() });
    let change = (
        (|view| Change::CreateView { view }) as fn(View) -> Change,
        (|view| Change::DropView { view }) as fn(View) -> Change,
        (|from, to| Change::AlterView { from, to }) as fn(View, View) -> Change,
    );
    diff_keyed(&from.views, &to.views, key, matching::same_view, change, out);
    // Indexes of a materialized view that stays.
    for t in to.views.iter().filter(|v| v.materialized) {
        let Some(f) = from.views.iter().find(|f| key(f) == key(t) && matching::same_view(f, t)) else { continue };
        let relation = TableRef { schema: t.schema.clone(), name: t.name.clone() };
        let (drop, add) = matching::pair(&f.indexes, &t.indexes, matching::same_index);
        out.extend(drop.into_iter().map(|i| Change::DropIndex { table: relation.clone(), index: i.clone() }));
        out.extend(add.into_iter().map(|i| Change::AddIndex { table: relation.clone(), index: i.clone() }));
    }
}

fn diff_triggers(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    let fold = folds(from);
    let lower = |s: &str| if fold { s.to_ascii_lowercase() } else { s.to_string() };
    let key = |t: &Trigger| (t.schema.clone(), lower(&t.table), lower(&t.name));
    let change = (
        (|trigger| Change::CreateTrigger { trigger }) as fn(Trigger) -> Change,
        (|trigger| Change::DropTrigger { trigger }) as fn(Trigger) -> Change,
        (|from, to| Change::AlterTrigger { from, to }) as fn(Trigger, Trigger) -> Change,
    );
    let same = |a: &Trigger, b: &Trigger| a.definition == b.definition && a.fires == b.fires;
    diff_keyed(&from.triggers, &to.triggers, key, same, change, out);
}

fn diff_enums(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    for e in &to.enums {
        match from.enums.iter().find(|f| f.schema == e.schema && f.name == e.name) {
            None => out.push(Change::CreateEnum { r#enum: e.clone() }),
            Some(f) if f.values != e.values => out.push(Change::AlterEnum { from: f.clone(), to: e.clone() }),
            Some(_) => {}
        }
    }
    for f in &from.enums {
        if !to.enums.iter().any(|e| e.schema == f.schema && e.name == f.name) {
            out.push(Change::DropEnum { r#enum: f.clone() });
        }
    }
}

fn diff_sequences(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    for s in &to.sequences {
        match from.sequences.iter().find(|f| f.schema == s.schema && f.name == s.name) {
            None => out.push(Change::CreateSequence { sequence: s.clone() }),
            Some(f) if f != s => out.push(Change::AlterSequence { from: f.clone(), to: s.clone() }),
            Some(_) => {}
        }
    }
    for f in &from.sequences {
        if !to.sequences.iter().any(|s| s.schema == f.schema && s.name == f.name) {
            out.push(Change::DropSequence { sequence: f.clone() });
        }
    }
}

fn diff_table(from: &Table, to: &Table, out: &mut Vec<Change>) {
    let tref = TableRef::of(to);
    // A partition that stays one has its parent's columns: their names, types, identity,
    // generation and collation change with the parent's. Its own are the NOT NULLs and
    // defaults.
    let partition = from.partition_of.is_some() && to.partition_of.is_some();
    // Columns, with rename hints. A column only inherited (`INHERITS`) is added, dropped and
    // retyped by its parent; the table's own NOT NULL and default on it are its own.
    let mut renamed_from_cols = std::collections::HashSet::new();
    for c in &to.columns {
        let existing = from.column(&c.name);
        match existing {
            Some(f) => {
                let mut changes = matching::column_changes(f, c);
                if partition || (f.inherited && c.inherited) {
                    changes =
                        ColumnChanges { nullable: changes.nullable, default: changes.default, ..Default::default() };
                }
                if !changes.is_empty() {
                    out.push(Change::AlterColumn { table: tref.clone(), from: f.clone(), to: c.clone(), changes });
                }
            }
            None => match c.renamed_from.as_ref().and_then(|o| from.column(o).map(|f| (o, f))) {
                Some((o, f)) if to.column(o).is_none() => {
                    renamed_from_cols.insert(o.clone());
                    out.push(Change::RenameColumn { table: tref.clone(), from: o.clone(), to: c.name.clone() });
                    let mut moved = f.clone();
                    moved.name = c.name.clone();
                    let changes = matching::column_changes(&moved, c);
                    if !changes.is_empty() {
                        out.push(Change::AlterColumn { table: tref.clone(), from: moved, to: c.clone(), changes });
                    }
                }
                _ if partition || c.inherited => {}
                _ => out.push(Change::AddColumn { table: tref.clone(), column: c.clone() }),
            },
        }
    }
    for f in &from.columns {
        if to.column(&f.name).is_none() && !renamed_from_cols.contains(&f.name) && !partition && !f.inherited {
            out.push(Change::DropColumn { table: tref.clone(), column: f.clone() });
        }
    }
    // Constraint comparisons see column names after renames.
    let renames: HashMap<&str, &str> = to
        .columns
        .iter()
        .filter_map(|c| {
            c.renamed_from.as_deref().filter(|o| renamed_from_cols.contains(*o)).map(|o| (o, c.name.as_str()))
        })
        .collect();
    let from = matching::rename_columns(from, &renames);
    if !matching::same_pk(from.primary_key.as_ref(), to.primary_key.as_ref()) {
        out.push(Change::AlterPrimaryKey {
            table: tref.clone(),
            from: from.primary_key.clone(),
            to: to.primary_key.clone(),
        });
    }
    if from.options != to.options {
        out.push(Change::AlterTableOptions { table: tref.clone(), from: from.options, to: to.options });
    }
    if from.row_security != to.row_security {
        out.push(Change::AlterRowSecurity { table: tref.clone(), from: from.row_security, to: to.row_security });
    }
    let (drop, add) = matching::pair(&from.indexes, &to.indexes, matching::same_index);
    out.extend(drop.into_iter().map(|i| Change::DropIndex { table: tref.clone(), index: i.clone() }));
    out.extend(add.into_iter().map(|i| Change::AddIndex { table: tref.clone(), index: i.clone() }));
    let (drop, add) = matching::pair(&from.uniques, &to.uniques, matching::same_unique);
    out.extend(drop.into_iter().map(|u| Change::DropUnique { table: tref.clone(), unique: u.clone() }));
    out.extend(add.into_iter().map(|u| Change::AddUnique { table: tref.clone(), unique: u.clone() }));
    let same_fk = |a: &ForeignKey, b: &ForeignKey| matching::same_fk(a, b, &from, to);
    let (drop, add) = matching::pair(&from.foreign_keys, &to.foreign_keys, same_fk);
    let unvalidated = |a: &ForeignKey, b: &ForeignKey| {
        a.not_valid && same_fk(a, &ForeignKey { not_valid: true, ..b.clone() }) && a.name.is_some()
    };
    let (validate, drop, add) = matching::validations(drop, add, unvalidated);
    out.extend(drop.into_iter().map(|f| Change::DropForeignKey { table: tref.clone(), foreign_key: f.clone() }));
    out.extend(add.into_iter().map(|f| Change::AddForeignKey { table: tref.clone(), foreign_key: f.clone() }));
    out.extend(
        validate
            .into_iter()
            .filter_map(|f| f.name.clone())
            .map(|name| Change::ValidateConstraint { table: tref.clone(), name }),
    );
    let (drop, add) = matching::pair(&from.exclusions, &to.exclusions, matching::same_exclusion);
    out.extend(drop.into_iter().map(|x| Change::DropExclusion { table: tref.clone(), exclusion: x.clone() }));
    out.extend(add.into_iter().map(|x| Change::AddExclusion { table: tref.clone(), exclusion: x.clone() }));
    let (drop, add) = matching::pair(&from.checks, &to.checks, matching::same_check);
    let unvalidated =
        |a: &Check, b: &Check| a.not_valid && matching::same_check(a, &Check { not_valid: true, ..b.clone() });
    let (validate, drop, add) = matching::validations(drop, add, |a, b| unvalidated(a, b) && a.name.is_some());
    out.extend(drop.into_iter().map(|c| Change::DropCheck { table: tref.clone(), check: c.clone() }));
    out.extend(add.into_iter().map(|c| Change::AddCheck { table: tref.clone(), check: c.clone() }));
    out.extend(
        validate
            .into_iter()
            .filter_map(|c| c.name.clone())
            .map(|name| Change::ValidateConstraint { table: tref.clone(), name }),
    );
}

#[cfg(test)]
mod tests;
