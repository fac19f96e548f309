//! SQLite introspection (rusqlite): a live database file into [`crate::model::Schema`].
//!
//! The catalog is read with a constant number of queries however many tables there are
//! ([`IntrospectStats::queries`]): `sqlite_schema`, `pragma_table_list`, and the
//! `pragma_table_xinfo` / `pragma_index_list` + `pragma_index_xinfo` / `pragma_foreign_key_list`
//! table-valued functions joined with `sqlite_schema`. What the pragmas do not say (constraint
//! names, CHECK and generation expressions, `AUTOINCREMENT`, `COLLATE`, `DEFERRABLE`, index
//! expressions and predicates) is read from the stored `CREATE` text by [`super::sqlite_sql`].
//!
//! ```
//! use schema_sync_core::introspect::{sqlite, IntrospectOptions};
//! use schema_sync_core::model::Identity;
//!
//! let conn = rusqlite::Connection::open_in_memory().unwrap();
//! conn.execute_batch("CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE)").unwrap();
//! let schema = sqlite::introspect(&conn, &IntrospectOptions::default()).unwrap();
//! let users = schema.table(None, "users").unwrap();
//! assert_eq!(users.columns[0].identity, Some(Identity::Autoincrement));
//! assert_eq!(users.uniques[0].columns, ["email"]);
//! ```

use super::sqlite_sql::{self, ConstraintKind, CreateTable, ForeignKeyDef};
use super::IntrospectOptions;
use crate::model::{
    Check, Column, FkAction, ForeignKey, Generated, Identity, Index, IndexKey, KeyTarget, PrimaryKey, Schema, Table,
    TableOptions, Unique,
};
use crate::{types, Dialect, Error, Result};
use rusqlite::{Connection, ErrorCode, OpenFlags, Row};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Duration;

/// Opens an existing SQLite database file read-write. Never creates a file.
///
/// A missing path and a file that is not a SQLite database are [`Error::Input`] with a one-line
/// message. The only setting changed is a 5 s busy timeout, so that a concurrent writer makes
/// us wait instead of failing; pragmas such as `foreign_keys` are left as they are.
pub fn open(path: &Path) -> Result<Connection> {
    let shown = path.display();
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::input(format!("SQLite database `{shown}` does not exist")))
        }
        Err(e) => return Err(Error::io(format!("opening SQLite database `{shown}`"), e)),
        Ok(meta) if !meta.is_file() => return Err(not_a_database(path)),
        Ok(_) => {}
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| Error::sqlite(format!("opening SQLite database `{shown}`"), e))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(|e| Error::sqlite(format!("setting the busy timeout on `{shown}`"), e))?;
    // SQLite opens lazily; the first read is what finds out whether the file is a database.
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(conn),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => Err(not_a_database(path)),
        Err(e) => Err(Error::sqlite(format!("reading sqlite_schema of `{shown}`"), e)),
    }
}

fn not_a_database(path: &Path) -> Error {
    Error::input(format!("`{}` is not a SQLite database", path.display()))
}

/// The SQLite library version of the connection (`sqlite_version()`), e.g. `(3, 50, 2)`.
pub fn server_version(conn: &Connection) -> Result<(u32, u32, u32)> {
    let text: String = conn
        .query_row("SELECT sqlite_version()", [], |r| r.get(0))
        .map_err(|e| Error::sqlite("reading sqlite_version()", e))?;
    parse_version(&text).ok_or_else(|| Error::input(format!("unexpected SQLite version `{text}`")))
}

fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.trim().split('.').map(|p| p.parse::<u32>());
    let major = parts.next()?.ok()?;
    let minor = parts.next().unwrap_or(Ok(0)).ok()?;
    let patch = parts.next().unwrap_or(Ok(0)).ok()?;
    Some((major, minor, patch))
}

/// What one introspection did, for diagnostics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IntrospectStats {
    /// Catalog queries prepared and run; the same for 1 table and for 1000.
    pub queries: usize,
    /// Tables read into the schema.
    pub tables: usize,
}

/// Reads the `main` database of `conn` into a [`Schema`] (dialect SQLite, normalised).
///
/// Left out: SQLite's own `sqlite_*` tables, virtual tables and their shadow tables, views, and
/// tables [`super::is_excluded`] names (schema-sync's bookkeeping, `opts.exclude_tables`).
pub fn introspect(conn: &Connection, opts: &IntrospectOptions) -> Result<Schema> {
    introspect_with_stats(conn, opts).map(|(schema, _)| schema)
}

/// [`introspect`], also returning how many catalog queries it ran.
pub fn introspect_with_stats(conn: &Connection, opts: &IntrospectOptions) -> Result<(Schema, IntrospectStats)> {
    let mut reader = Reader { conn, queries: 0 };
    let catalog = Catalog::read(&mut reader)?;
    let mut schema = Schema::empty(Some(Dialect::Sqlite));
    for (name, info) in &catalog.tables {
        if info.kind != "table" || is_internal(name) || super::is_excluded(name, opts) {
            continue;
        }
        schema.tables.push(build_table(name, info, &catalog)?);
    }
    schema.normalize();
    let stats = IntrospectStats { queries: reader.queries, tables: schema.tables.len() };
    Ok((schema, stats))
}

/// SQLite reserves every name starting with `sqlite_` (any case) for itself.
fn is_internal(name: &str) -> bool {
    name.as_bytes().get(..7).is_some_and(|p| p.eq_ignore_ascii_case(b"sqlite_"))
}

/// Runs catalog queries and counts them.
struct Reader<'c> {
    conn: &'c Connection,
    queries: usize,
}

impl Reader<'_> {
    fn rows<T>(
        &mut self,
        context: &str,
        sql: &str,
        map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        self.queries += 1;
        let wrap = |e| Error::sqlite(context, e);
        let mut stmt = self.conn.prepare(sql).map_err(wrap)?;
        let rows = stmt.query_map([], map).map_err(wrap)?;
        rows.collect::<rusqlite::Result<Vec<T>>>().map_err(wrap)
    }
}

/// One table of `pragma_table_list` with its `CREATE TABLE` text.
#[derive(Default)]
struct TableInfo {
    kind: String,
    without_rowid: bool,
    strict: bool,
    sql: Option<String>,
    columns: Vec<ColumnRow>,
    indexes: BTreeMap<String, IndexRows>,
    foreign_keys: BTreeMap<i64, Vec<FkRow>>,
}

struct ColumnRow {
    name: String,
    decl_type: String,
    not_null: bool,
    default: Option<String>,
    pk: i64,
    hidden: i64,
}

#[derive(Default)]
struct IndexRows {
    unique: bool,
    origin: String,
    keys: Vec<KeyRow>,
}

struct KeyRow {
    seqno: i64,
    cid: i64,
    name: Option<String>,
    descending: bool,
    collation: Option<String>,
}

struct FkRow {
    ref_table: String,
    from: String,
    to: Option<String>,
    on_update: String,
    on_delete: String,
}

/// Everything the catalog queries returned, grouped by table.
struct Catalog {
    tables: BTreeMap<String, TableInfo>,
    /// `CREATE INDEX` text by index name (absent for automatic indexes).
    index_sql: HashMap<String, String>,
}

/// A query over one pragma table-valued function for every ordinary table at once. Virtual
/// tables are left out here because reading one whose module is not loaded fails.
fn per_table_query(columns: &str, pragmas: &str, filter: &str, order: &str) -> String {
    format!(
        "SELECT m.name, {columns} FROM main.sqlite_schema m, {pragmas} \
         WHERE m.type = 'table' AND m.sql NOT LIKE 'CREATE VIRTUAL%' \
         AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'{filter} ORDER BY m.name, {order}"
    )
}

impl Catalog {
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let mut tables: BTreeMap<String, TableInfo> = BTreeMap::new();
        let mut index_sql = HashMap::new();
        let q = "SELECT type, name, sql FROM main.sqlite_schema WHERE type IN ('table', 'index')";
        for (kind, name, sql) in r.rows("reading sqlite_schema", q, |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, Option<String>>(2)?))
        })? {
            match (kind.as_str(), sql) {
                ("table", sql) => tables.entry(name).or_default().sql = sql,
                ("index", Some(sql)) => {
                    index_sql.insert(name, sql);
                }
                _ => {}
            }
        }

        let q = "SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'";
        for (name, kind, wr, strict) in r.rows("reading pragma_table_list", q, |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, bool>(2)?, row.get::<_, bool>(3)?))
        })? {
            // Views are listed too; they have no sqlite_schema row of type `table` and are skipped.
            if let Some(t) = tables.get_mut(&name) {
                (t.kind, t.without_rowid, t.strict) = (kind, wr, strict);
            }
        }

        let q = per_table_query(
            "p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden",
            "pragma_table_xinfo(m.name, 'main') p",
            "",
            "p.cid",
        );
        for (table, col) in r.rows("reading columns (pragma_table_xinfo)", &q, |row| {
            let col = ColumnRow {
                name: row.get(1)?,
                decl_type: row.get(2)?,
                not_null: row.get(3)?,
                default: row.get(4)?,
                pk: row.get(5)?,
                hidden: row.get(6)?,
            };
            Ok((row.get::<_, String>(0)?, col))
        })? {
            tables.entry(table).or_default().columns.push(col);
        }

        let q = per_table_query(
            "il.name, il.\"unique\", il.origin, x.seqno, x.cid, x.name, x.\"desc\", x.coll",
            "pragma_index_list(m.name, 'main') il, pragma_index_xinfo(il.name, 'main') x",
            " AND x.key = 1",
            "il.name, x.seqno",
        );
        for (table, index, unique, origin, key) in r.rows("reading indexes (pragma_index_xinfo)", &q, |row| {
            let key = KeyRow {
                seqno: row.get(4)?,
                cid: row.get(5)?,
                name: row.get(6)?,
                descending: row.get(7)?,
                collation: row.get(8)?,
            };
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, bool>(2)?, row.get(3)?, key))
        })? {
            let ix = tables.entry(table).or_default().indexes.entry(index).or_default();
            (ix.unique, ix.origin) = (unique, origin);
            ix.keys.push(key);
        }

        let q = per_table_query(
            "f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete",
            "pragma_foreign_key_list(m.name, 'main') f",
            "",
            "f.id, f.seq",
        );
        for (table, id, fk) in r.rows("reading foreign keys (pragma_foreign_key_list)", &q, |row| {
            let fk = FkRow {
                ref_table: row.get(2)?,
                from: row.get(3)?,
                to: row.get(4)?,
                on_update: row.get(5)?,
                on_delete: row.get(6)?,
            };
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, fk))
        })? {
            tables.entry(table).or_default().foreign_keys.entry(id).or_default().push(fk);
        }
        Ok(Catalog { tables, index_sql })
    }
}

fn invalid_sql(what: &str, name: &str, reason: impl std::fmt::Display) -> Error {
    Error::Ddl { origin: format!("the sqlite_schema entry of {what} `{name}`"), reason: reason.to_string() }
}

fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_name(x, y))
}

fn build_table(name: &str, info: &TableInfo, catalog: &Catalog) -> Result<Table> {
    let sql = info.sql.as_deref().ok_or_else(|| invalid_sql("table", name, "no CREATE TABLE text"))?;
    let parsed = sqlite_sql::parse_create_table(sql).map_err(|e| invalid_sql("table", name, e))?;
    let mut table = Table::new(name);
    table.options = TableOptions { without_rowid: info.without_rowid, strict: info.strict };
    for row in info.columns.iter().filter(|c| c.hidden != 1) {
        table.columns.push(build_column(name, row, &parsed)?);
    }
    let mut pk: Vec<&ColumnRow> = info.columns.iter().filter(|c| c.pk > 0).collect();
    pk.sort_by_key(|c| c.pk);
    if !pk.is_empty() {
        let pk_name = parsed.constraints.iter().find_map(|c| match c.kind {
            ConstraintKind::PrimaryKey { .. } => c.name.clone(),
            _ => None,
        });
        table.primary_key =
            Some(PrimaryKey { name: pk_name, columns: pk.into_iter().map(|c| c.name.clone()).collect() });
    }
    let mut used_uniques = vec![false; parsed.constraints.len()];
    for (ix_name, ix) in &info.indexes {
        match ix.origin.as_str() {
            "pk" => {}
            "u" => {
                let columns: Vec<String> = ix.keys.iter().filter_map(|k| k.name.clone()).collect();
                let found = parsed.constraints.iter().enumerate().find(|(i, c)| {
                    !used_uniques[*i]
                        && matches!(&c.kind, ConstraintKind::Unique { columns: cs } if same_names(cs, &columns))
                });
                let uq_name = found.and_then(|(i, c)| {
                    used_uniques[i] = true;
                    c.name.clone()
                });
                table.uniques.push(Unique {
                    name: uq_name,
                    columns,
                    nulls_not_distinct: false,
                    deferrable: Default::default(),
                });
            }
            _ => table.indexes.push(build_index(ix_name, ix, catalog)?),
        }
    }
    let mut used_fks = vec![false; parsed.constraints.len()];
    for rows in info.foreign_keys.values() {
        table.foreign_keys.push(build_foreign_key(rows, &parsed, &mut used_fks));
    }
    for c in &parsed.constraints {
        if let ConstraintKind::Check { expr } = &c.kind {
            table.checks.push(Check { name: c.name.clone(), expr: expr.clone(), no_inherit: false });
        }
    }
    Ok(table)
}

fn build_column(table: &str, row: &ColumnRow, parsed: &CreateTable) -> Result<Column> {
    let def = parsed
        .columns
        .iter()
        .find(|c| c.name == row.name)
        .or_else(|| parsed.columns.iter().find(|c| same_name(&c.name, &row.name)))
        .ok_or_else(|| invalid_sql("table", table, format!("column `{}` is not in the CREATE TABLE text", row.name)))?;
    let mut col = Column::new(&row.name, types::sqlite::parse(&row.decl_type));
    col.nullable = !row.not_null;
    col.collation = def.collation.clone();
    col.identity = def.autoincrement.then_some(Identity::Autoincrement);
    if matches!(row.hidden, 2 | 3) {
        let expr = def.generated.as_ref().map(|g| g.expr.clone()).ok_or_else(|| {
            invalid_sql("table", table, format!("generated column `{}` has no AS (…) expression", row.name))
        })?;
        col.generated = Some(Generated { expr, stored: row.hidden == 3 });
    } else {
        col.default = row.default.clone();
    }
    Ok(col)
}

fn build_index(name: &str, ix: &IndexRows, catalog: &Catalog) -> Result<Index> {
    let sql = catalog.index_sql.get(name).ok_or_else(|| invalid_sql("index", name, "no CREATE INDEX text"))?;
    let parsed = sqlite_sql::parse_create_index(sql).map_err(|e| invalid_sql("index", name, e))?;
    let mut keys = Vec::with_capacity(ix.keys.len());
    for k in &ix.keys {
        let target = match (&k.name, k.cid) {
            (Some(column), cid) if cid >= 0 => KeyTarget::Column(column.clone()),
            _ => {
                usize::try_from(k.seqno).ok().and_then(|i| parsed.keys.get(i)).map(|pk| pk.target.clone()).ok_or_else(
                    || invalid_sql("index", name, format!("key {} is not in the CREATE INDEX text", k.seqno)),
                )?
            }
        };
        keys.push(IndexKey {
            target,
            descending: k.descending,
            nulls_first: None,
            collation: k.collation.clone().filter(|c| !c.eq_ignore_ascii_case("BINARY")),
            opclass: None,
        });
    }
    Ok(Index {
        name: name.to_string(),
        keys,
        unique: ix.unique,
        predicate: parsed.predicate,
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
    })
}

/// One `pragma_foreign_key_list` id group, with the name and deferral of the parsed constraint
/// it matches (same columns and referenced table; ties broken by referenced columns and actions).
fn build_foreign_key(rows: &[FkRow], parsed: &CreateTable, used: &mut [bool]) -> ForeignKey {
    let first = &rows[0];
    let columns: Vec<String> = rows.iter().map(|r| r.from.clone()).collect();
    let ref_columns: Vec<String> = if rows.iter().any(|r| r.to.is_none()) {
        Vec::new()
    } else {
        rows.iter().filter_map(|r| r.to.clone()).collect()
    };
    let on_delete = FkAction::parse(&first.on_delete).unwrap_or_default();
    let on_update = FkAction::parse(&first.on_update).unwrap_or_default();
    let candidates: Vec<(usize, &ForeignKeyDef, Option<&String>)> = parsed
        .constraints
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match &c.kind {
            ConstraintKind::ForeignKey(fk) => Some((i, fk, c.name.as_ref())),
            _ => None,
        })
        .filter(|(i, fk, _)| {
            !used[*i] && same_names(&fk.columns, &columns) && same_name(&fk.ref_table, &first.ref_table)
        })
        .collect();
    let exact = candidates.iter().find(|(_, fk, _)| {
        same_names(&fk.ref_columns, &ref_columns) && fk.on_delete == on_delete && fk.on_update == on_update
    });
    let matched = exact.or(candidates.first());
    if let Some((i, _, _)) = matched {
        used[*i] = true;
    }
    ForeignKey {
        name: matched.and_then(|(_, _, n)| n.cloned()),
        columns,
        ref_schema: None,
        ref_table: first.ref_table.clone(),
        ref_columns,
        on_delete,
        on_update,
        deferrable: matched.map(|(_, fk, _)| fk.deferrable).unwrap_or_default(),
        match_full: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        for (text, want) in [
            ("3.50.2", Some((3, 50, 2))),
            ("3.8", Some((3, 8, 0))),
            (" 3.45.1 ", Some((3, 45, 1))),
            ("x.1", None),
            ("", None),
        ] {
            assert_eq!(parse_version(text), want, "{text}");
        }
    }

    #[test]
    fn internal_names() {
        for (name, want) in [("sqlite_sequence", true), ("SQLITE_stat1", true), ("sqlitex", false), ("sql", false)] {
            assert_eq!(is_internal(name), want, "{name}");
        }
    }

    #[test]
    fn server_version_is_at_least_3_37() {
        let conn = Connection::open_in_memory().unwrap();
        let v = server_version(&conn).unwrap();
        assert!(v >= (3, 37, 0), "{v:?}");
    }
}
