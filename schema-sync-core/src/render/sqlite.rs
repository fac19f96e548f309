//! SQLite SQL for every [`Step`]. Steps SQLite cannot run in place never reach here: the
//! planner lowers them to a [`Step::RebuildTable`]; the rest are typed errors.

use super::{constraint_name, deferrable, Statement};
use crate::capabilities::Capabilities;
use crate::expr::default_sql;
use crate::model::{Check, Column, ForeignKey, Identity, Index, Table, Unique};
use crate::plan::{CopyColumn, Plan, Step};
use crate::sql::{ident_list, quote_ident, quote_literal};
use crate::types::{sqlite::render as ty, Dialect};

/// The value a rebuild copies into the new column: the old column, converted (`using`) and
/// backfilled as the plan says.
fn copy_expr(c: &CopyColumn) -> String {
    let col = quote_ident(&c.from);
    // The backfill stands in for a NULL *old* value, before any conversion.
    match (&c.using, &c.backfill) {
        (Some(u), Some(b)) => format!("CASE WHEN {col} IS NULL THEN {b} ELSE {} END", u.replace("{col}", &col)),
        (Some(u), None) => u.replace("{col}", &col),
        (None, Some(b)) => format!("COALESCE({col}, {b})"),
        (None, None) => col,
    }
}

/// Temporary table a value check stores `(new value, old value)` pairs in.
const VALUES_TABLE: &str = "_ss_values";
/// Temporary table whose CHECK constraints fail when a value check found changes.
const GUARD_TABLE: &str = "_ss_values_guard";

/// `true` when the copied value `v` is the old value `o`: the same storage class and bytes,
/// the same number (`4` and `4.0`), or the same text (`'42'` and `42`). Not: `'042'` → `42`,
/// `' 7 '` → `7`, `'12.50'` → `12.5`, `0.30000000000000004` → `'0.3'` (text keeps 15 digits),
/// `9007199254740993` → `9007199254740992.0`. Both sides are expressions, so no affinity
/// applies to the comparison itself.
fn unchanged(v: &str, o: &str, null_changes: bool) -> String {
    let same = format!(
        "(typeof({v}) = typeof({o}) AND CAST({v} AS BLOB) = CAST({o} AS BLOB)) \
         OR (typeof({v}) IN ('integer', 'real') AND typeof({o}) IN ('integer', 'real') AND ({v} + 0) = ({o} + 0)) \
         OR (typeof({o}) = 'text' AND typeof({v}) IN ('integer', 'real') AND CAST({v} AS TEXT) = {o}) \
         OR (typeof({o}) = 'integer' AND typeof({v}) = 'text' AND {v} = CAST({o} AS TEXT)) \
         OR (typeof({o}) = 'real' AND typeof({v}) = 'text' AND CAST({v} AS REAL) = ({o} + 0))"
    );
    if null_changes {
        // A NULL copied into the rowid alias becomes a new rowid: that is a change.
        format!("({o} IS NOT NULL AND ({same}))")
    } else {
        format!("(({v} IS NULL AND {o} IS NULL) OR {same})")
    }
}

/// The statements that fill a temporary table with the `(new, old)` pairs of the checked copy
/// columns, with the new columns' declared types so SQLite applies the same affinity the copy
/// does. Returns the setup statements and, per checked column, the predicate for a change.
/// Setup statements, and per checked column its `table.column` and the predicate for a change.
type ValuePairs = (Vec<String>, Vec<(String, String)>);

fn value_pairs(from: &Table, to: &Table, copy: &[CopyColumn]) -> Option<ValuePairs> {
    let checked: Vec<&CopyColumn> = copy.iter().filter(|c| c.check).collect();
    if checked.is_empty() {
        return None;
    }
    let mut cols = Vec::new();
    let mut exprs = Vec::new();
    let mut preds = Vec::new();
    for (i, c) in checked.iter().enumerate() {
        let (Some(new_col), Some(old_col)) = (to.column(&c.to), from.column(&c.from)) else { continue };
        let decl = ty(&new_col.ty);
        let rowid = |t: &Table, col: &Column| Capabilities::latest(Dialect::Sqlite).is_rowid_alias(t, col);
        let becomes_rowid = rowid(to, new_col) && !rowid(from, old_col);
        let (v, o) = (format!("v{i}"), format!("o{i}"));
        cols.push(format!("{} {decl}", quote_ident(&v)));
        cols.push(quote_ident(&o));
        exprs.push(copy_expr(c));
        exprs.push(quote_ident(&c.from));
        let null_changes = becomes_rowid && c.backfill.is_none();
        let excused_nulls =
            if c.backfill.is_some() { format!("{} IS NOT NULL AND ", quote_ident(&o)) } else { String::new() };
        preds.push((
            format!("{}.{}", to.name, c.to),
            format!("{excused_nulls}NOT {}", unchanged(&quote_ident(&v), &quote_ident(&o), null_changes)),
        ));
    }
    if cols.is_empty() {
        return None;
    }
    let table = format!("temp.{}", quote_ident(VALUES_TABLE));
    let setup = vec![
        format!("CREATE TEMP TABLE {} ({})", quote_ident(VALUES_TABLE), cols.join(", ")),
        format!("INSERT INTO {table} SELECT {} FROM {}", exprs.join(", "), quote_ident(&from.name)),
    ];
    Some((setup, preds))
}

/// A check's setup statements, its count query and its teardown statements.
pub type ValueProbe = (Vec<String>, String, Vec<String>);

/// The read-only check behind the preflight for one checked column of a rebuild: setup
/// statements (a temporary table), the count of rows whose value would change, and teardown.
pub fn changed_values_probe(
    from: &Table,
    to: &Table,
    column: &CopyColumn,
) -> Option<(Vec<String>, String, Vec<String>)> {
    let one = [CopyColumn { check: true, ..column.clone() }];
    let (setup, preds) = value_pairs(from, to, &one)?;
    let (_, pred) = preds.into_iter().next()?;
    let sql = format!("SELECT count(*) FROM temp.{} WHERE {pred}", quote_ident(VALUES_TABLE));
    Some((setup, sql, vec![format!("DROP TABLE temp.{}", quote_ident(VALUES_TABLE))]))
}

/// Statements that fail the rebuild (CHECK constraint `values of t.c would change`) when a
/// checked column's copied value differs from the old one, before the old table is dropped:
/// the written SQL refuses a lossy conversion exactly as `apply` does.
fn value_guard(from: &Table, to: &Table, copy: &[CopyColumn]) -> Vec<String> {
    let Some((mut out, preds)) = value_pairs(from, to, copy) else { return Vec::new() };
    let cols: Vec<String> = preds
        .iter()
        .enumerate()
        .map(|(i, (subject, _))| {
            let c = quote_ident(&format!("c{i}"));
            format!(
                "{c} INTEGER CONSTRAINT {} CHECK ({c} = 0)",
                quote_ident(&format!("values of {subject} would change"))
            )
        })
        .collect();
    let sums: Vec<String> =
        preds.iter().map(|(_, p)| format!("coalesce(sum(CASE WHEN {p} THEN 1 ELSE 0 END), 0)")).collect();
    out.push(format!("CREATE TEMP TABLE {} ({})", quote_ident(GUARD_TABLE), cols.join(", ")));
    out.push(format!(
        "INSERT INTO temp.{} SELECT {} FROM temp.{}",
        quote_ident(GUARD_TABLE),
        sums.join(", "),
        quote_ident(VALUES_TABLE)
    ));
    out.push(format!("DROP TABLE temp.{}", quote_ident(GUARD_TABLE)));
    out.push(format!("DROP TABLE temp.{}", quote_ident(VALUES_TABLE)));
    out
}

/// Prefix of the temporary table a rebuild copies into.
pub const REBUILD_PREFIX: &str = "_ss_new_";

fn unsupported(what: &str) -> crate::Error {
    crate::Error::Unsupported { dialect: Dialect::Sqlite, what: format!("{what} on SQLite") }
}

/// Renders every step of `plan` as SQLite statements.
pub fn render(plan: &Plan) -> crate::Result<Vec<Statement>> {
    let mut out = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let mut push = |sql: String| out.push(Statement::new(i, sql));
        match step {
            Step::CreateTable { table } => push(create_table(table, &table.name)),
            Step::DropTable { table } => push(format!("DROP TABLE {}", quote_ident(&table.name))),
            Step::RenameTable { table, to } => {
                push(format!("ALTER TABLE {} RENAME TO {}", quote_ident(&table.name), quote_ident(to)))
            }
            Step::AddColumn { table, column } => {
                push(format!("ALTER TABLE {} ADD COLUMN {}", quote_ident(&table.name), column_def(column, false)))
            }
            Step::DropColumn { table, column } => {
                push(format!("ALTER TABLE {} DROP COLUMN {}", quote_ident(&table.name), quote_ident(column)))
            }
            Step::RenameColumn { table, from, to } => push(format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                quote_ident(&table.name),
                quote_ident(from),
                quote_ident(to)
            )),
            Step::CreateIndex { table, index, .. } => push(create_index(&table.name, index)),
            Step::DropIndex { index, .. } => push(format!("DROP INDEX {}", quote_ident(&index.name))),
            Step::RebuildTable { from, to, copy } => {
                for sql in rebuild(from, to, copy) {
                    push(sql);
                }
            }
            Step::CreateView { view } => {
                if view.materialized {
                    return Err(unsupported(&format!("materialized view `{}`", view.name)));
                }
                let what = format!("view `{}`", view.name);
                let query = super::body(
                    Dialect::Sqlite,
                    &what,
                    view.written_for,
                    &view.definition,
                    crate::sql::sqlite_statements(&view.definition),
                    &[],
                )?;
                let columns = if view.columns.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", crate::sql::ident_list(&view.columns))
                };
                push(format!("CREATE VIEW {}{columns} AS {query}", quote_ident(&view.name)))
            }
            Step::DropView { view, .. } => push(format!("DROP VIEW {}", quote_ident(&view.name))),
            Step::CreateTrigger { trigger } => {
                let what = format!("trigger `{}`", trigger.name);
                let text = &trigger.definition;
                push(
                    super::body(
                        Dialect::Sqlite,
                        &what,
                        trigger.written_for,
                        text,
                        crate::sql::sqlite_statements(text),
                        super::TRIGGER_HEADS,
                    )?
                    .to_string(),
                )
            }
            Step::DropTrigger { trigger, .. } => push(format!("DROP TRIGGER {}", quote_ident(&trigger.name))),
            Step::Backfill { table, column, expr, .. } => {
                let c = quote_ident(column);
                push(format!("UPDATE {} SET {c} = {expr} WHERE {c} IS NULL", quote_ident(&table.name)))
            }
            Step::RenameIndex { .. }
            | Step::AddShadowColumn { .. }
            | Step::FillShadowColumn { .. }
            | Step::SwapShadowColumn { .. }
            | Step::AddUniqueUsingIndex { .. }
            | Step::AddPrimaryKeyUsingIndex { .. }
            | Step::SetNotNullChecked { .. } => return Err(unsupported("the online form of a change")),
            Step::CreateSchema { .. } | Step::DropSchema { .. } => return Err(unsupported("schemas")),
            Step::CreateFunction { .. } | Step::DropFunction { .. } => return Err(unsupported("functions")),
            Step::SetRowSecurity { .. } | Step::CreatePolicy { .. } | Step::DropPolicy { .. } => {
                return Err(unsupported("row-level security"))
            }
            Step::SetComment { .. } => return Err(unsupported("comments")),
            Step::CreateExtension { .. } | Step::DropExtension { .. } | Step::AlterExtension { .. } => {
                return Err(unsupported("extensions"))
            }
            Step::CreateDomain { .. } | Step::DropDomain { .. } | Step::AlterDomain { .. } => {
                return Err(unsupported("domains"))
            }
            Step::CreateComposite { .. } | Step::DropComposite { .. } | Step::AlterComposite { .. } => {
                return Err(unsupported("composite types"))
            }
            Step::CreateCollation { .. } | Step::DropCollation { .. } => return Err(unsupported("collations")),
            Step::SetPrivileges { .. } => return Err(unsupported("privileges")),
            Step::DropTableToRecreate { .. }
            | Step::AttachPartition { .. }
            | Step::DetachPartition { .. }
            | Step::NamePartitionIndex { .. } => return Err(unsupported("partitioned tables")),
            Step::Inherit { .. } => return Err(unsupported("table inheritance")),
            Step::RetypeSerialSequence { .. } => return Err(unsupported("serial sequences")),
            Step::SetIdentityOptions { .. } => return Err(unsupported("identity options")),
            Step::CreateEnum { .. } | Step::DropEnum { .. } | Step::AddEnumValue { .. } | Step::RecreateEnum { .. } => {
                return Err(unsupported("enum types"))
            }
            Step::CreateSequence { .. }
            | Step::DropSequence { .. }
            | Step::AlterSequence { .. }
            | Step::SetSequenceOwner { .. } => return Err(unsupported("sequences")),
            Step::AlterColumnType { .. }
            | Step::SetNotNull { .. }
            | Step::DropNotNull { .. }
            | Step::SetDefault { .. }
            | Step::DropDefault { .. }
            | Step::AlterIdentity { .. }
            | Step::DropExpression { .. } => return Err(unsupported("altering a column in place")),
            Step::AddPrimaryKey { .. }
            | Step::DropPrimaryKey { .. }
            | Step::AddUnique { .. }
            | Step::DropUnique { .. }
            | Step::AddForeignKey { .. }
            | Step::DropForeignKey { .. }
            | Step::AddCheck { .. }
            | Step::DropCheck { .. }
            | Step::ValidateConstraint { .. } => return Err(unsupported("adding or dropping a constraint in place")),
            Step::AddExclusion { .. } | Step::DropExclusion { .. } => {
                return Err(unsupported("exclusion constraints (Postgres only)"))
            }
        }
    }
    Ok(out)
}

/// `"name" TYPE [COLLATE …] [NOT NULL] [PRIMARY KEY AUTOINCREMENT] [DEFAULT …] [GENERATED …]`.
fn column_def(c: &Column, inline_pk: bool) -> String {
    let mut s = quote_ident(&c.name);
    let t = ty(&c.ty);
    if !t.is_empty() {
        s.push(' ');
        s.push_str(&t);
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if inline_pk {
        s.push_str(" PRIMARY KEY");
        if c.identity == Some(Identity::Autoincrement) {
            s.push_str(" AUTOINCREMENT");
        }
    }
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {}", quote_ident(coll)));
    }
    if let (Some(d), None) = (&c.default, &c.generated) {
        s.push_str(&format!(" DEFAULT {}", default_sql(d, Dialect::Sqlite)));
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) {}", g.expr, if g.stored { "STORED" } else { "VIRTUAL" }));
    }
    s
}

fn unique_def(u: &Unique) -> String {
    format!("{}UNIQUE ({})", constraint_name(&u.name), ident_list(&u.columns))
}

fn check_def(c: &Check) -> String {
    format!("{}CHECK ({})", constraint_name(&c.name), c.expr)
}

fn fk_def(fk: &ForeignKey) -> String {
    let refs = if fk.ref_columns.is_empty() { String::new() } else { format!(" ({})", ident_list(&fk.ref_columns)) };
    let mut s = format!(
        "{}FOREIGN KEY ({}) REFERENCES {}{refs}",
        constraint_name(&fk.name),
        ident_list(&fk.columns),
        quote_ident(&fk.ref_table)
    );
    if fk.on_update != Default::default() {
        s.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
    }
    if fk.on_delete != Default::default() {
        s.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
    }
    if fk.match_full {
        s.push_str(" MATCH FULL");
    }
    s.push_str(deferrable(fk.deferrable));
    s
}

/// `CREATE TABLE "name" (…)` for `t` under the name `name` (a rebuild creates it under a
/// temporary name first).
pub fn create_table(t: &Table, name: &str) -> String {
    // AUTOINCREMENT is only legal on an inline `INTEGER PRIMARY KEY`.
    let inline_pk: Option<&str> = t
        .primary_key
        .as_ref()
        .filter(|pk| pk.columns.len() == 1 && pk.name.is_none())
        .and_then(|pk| t.column(&pk.columns[0]))
        .filter(|c| c.identity == Some(Identity::Autoincrement))
        .map(|c| c.name.as_str());
    let mut parts: Vec<String> = t.columns.iter().map(|c| column_def(c, Some(c.name.as_str()) == inline_pk)).collect();
    if let (Some(pk), None) = (&t.primary_key, inline_pk) {
        parts.push(format!("{}PRIMARY KEY ({})", constraint_name(&pk.name), ident_list(&pk.columns)));
    }
    parts.extend(t.uniques.iter().map(unique_def));
    parts.extend(t.checks.iter().map(check_def));
    parts.extend(t.foreign_keys.iter().map(fk_def));
    let mut options = Vec::new();
    if t.options.strict {
        options.push("STRICT");
    }
    if t.options.without_rowid {
        options.push("WITHOUT ROWID");
    }
    let tail = if options.is_empty() { String::new() } else { format!(" {}", options.join(", ")) };
    format!("CREATE TABLE {} (\n    {}\n){tail}", quote_ident(name), parts.join(",\n    "))
}

/// `CREATE [UNIQUE] INDEX "name" ON "table" (…) [WHERE …]`.
pub fn create_index(table: &str, i: &Index) -> String {
    let keys: Vec<String> = i
        .keys
        .iter()
        .map(|k| {
            let mut s = super::index_key_head(k);
            if k.descending {
                s.push_str(" DESC");
            }
            s
        })
        .collect();
    let mut s = format!(
        "CREATE {}INDEX {} ON {} ({})",
        if i.unique { "UNIQUE " } else { "" },
        quote_ident(&i.name),
        quote_ident(table),
        keys.join(", ")
    );
    if let Some(p) = &i.predicate {
        s.push_str(&format!(" WHERE {p}"));
    }
    s
}

/// The statements of the 12-step rebuild that live inside the transaction. `apply` adds what
/// needs the live database: `PRAGMA foreign_keys=OFF` before the transaction,
/// row counts, `PRAGMA foreign_key_check` before commit.
pub fn rebuild(from: &Table, to: &Table, copy: &[CopyColumn]) -> Vec<String> {
    let new_name = format!("{REBUILD_PREFIX}{}", to.name);
    let mut out = vec![create_table(to, &new_name)];
    if !copy.is_empty() {
        let cols: Vec<String> = copy.iter().map(|c| quote_ident(&c.to)).collect();
        let exprs: Vec<String> = copy.iter().map(copy_expr).collect();
        out.push(format!(
            "INSERT INTO {} ({}) SELECT {} FROM {}",
            quote_ident(&new_name),
            cols.join(", "),
            exprs.join(", "),
            quote_ident(&from.name)
        ));
        out.extend(value_guard(from, to, copy));
    }
    if to.columns.iter().any(|c| c.identity == Some(Identity::Autoincrement)) {
        // Keep the AUTOINCREMENT high-water mark: ids of deleted rows are never reused.
        let new_lit = quote_literal(&new_name);
        let old_lit = quote_literal(&from.name);
        out.push(format!(
            "UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = {old_lit}), 0)) WHERE name = {new_lit}"
        ));
        out.push(format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT {new_lit}, seq FROM sqlite_sequence WHERE name = {old_lit} AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {new_lit})"
        ));
    }
    out.push(format!("DROP TABLE {}", quote_ident(&from.name)));
    // Legacy rename leaves views, triggers and other tables' foreign keys that name the table
    // as they are: they name the final table again once the rename is done.
    out.push("PRAGMA legacy_alter_table = ON".to_string());
    out.push(format!("ALTER TABLE {} RENAME TO {}", quote_ident(&new_name), quote_ident(&to.name)));
    out.push("PRAGMA legacy_alter_table = OFF".to_string());
    for idx in &to.indexes {
        out.push(create_index(&to.name, idx));
    }
    out
}
