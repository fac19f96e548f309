//! SQLite introspection (rusqlite): a live database file into [`crate::model::Schema`].
//!
//! The catalog is read with two queries however many tables there are
//! ([`IntrospectStats::queries`]): `sqlite_schema` (every `CREATE` text) and `pragma_table_list`
//! (which tables are ordinary, `WITHOUT ROWID`, `STRICT`). Columns, keys, constraints and index
//! keys are read from the stored `CREATE` text by [`super::sqlite_sql`], following the rules
//! SQLite applies to the same text (declared type and default spans, NOT NULL on `WITHOUT ROWID`
//! keys, `INTEGER PRIMARY KEY` as the rowid, UNIQUE constraints folded into an identical key,
//! index collations inherited from columns). A test in `tests/tests/introspect/sqlite.rs`
//! checks every field against SQLite's own pragmas over the conformance corpus.
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
    Check, Column, ForeignKey, Generated, Identity, Index, IndexKey, KeyTarget, PrimaryKey, Schema, Table,
    TableOptions, Trigger, Unique, View,
};
use crate::{types, Dialect, Error, Result};
use rusqlite::{Connection, ErrorCode, OpenFlags, Row};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// The columns of every view: one query, or one per view when a view's query no longer
/// compiles (that view is then left out).
pub fn view_columns(conn: &Connection) -> Result<Vec<super::ViewColumns>> {
    const ALL: &str = "SELECT m.name, p.name, p.type FROM sqlite_schema m JOIN pragma_table_info(m.name) p \
                       WHERE m.type = 'view' ORDER BY m.name, p.cid";
    let read = |sql: &str, arg: Option<&str>| -> rusqlite::Result<Vec<super::ViewColumnRow>> {
        let mut st = conn.prepare(sql)?;
        let map = |r: &Row<'_>| Ok((None, r.get(0)?, r.get(1)?, r.get(2)?));
        match arg {
            Some(a) => st.query_map([a], map)?.collect(),
            None => st.query_map([], map)?.collect(),
        }
    };
    if let Ok(rows) = read(ALL, None) {
        return Ok(super::group_view_columns(rows));
    }
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'view' ORDER BY name")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| Error::sqlite("listing views", e))?;
    let mut rows = Vec::new();
    for name in names {
        let one = "SELECT ?1, name, type FROM pragma_table_info(?1) ORDER BY cid";
        rows.extend(read(one, Some(&name)).unwrap_or_default());
    }
    Ok(super::group_view_columns(rows))
}

/// Opens an existing SQLite database file read-write. Never creates a file.
///
/// A missing path and a file that is not a SQLite database are [`Error::Input`] with a one-line
/// message. The only setting changed is a 5 s busy timeout, so that a concurrent writer makes
/// us wait instead of failing; pragmas such as `foreign_keys` are left as they are.
pub fn open(path: &Path) -> Result<Connection> {
    open_waiting(path, Duration::from_secs(5))
}

/// [`open`] waiting at most `busy_timeout` for another connection's lock (a fleet audit gives
/// up on a locked file quickly and reports it, instead of stalling every worker).
pub fn open_waiting(path: &Path, busy_timeout: Duration) -> Result<Connection> {
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
    conn.busy_timeout(busy_timeout).map_err(|e| Error::sqlite(format!("setting the busy timeout on `{shown}`"), e))?;
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
/// Views and triggers are read from the same `sqlite_schema` query as tables and indexes.
/// Left out: SQLite's own `sqlite_*` tables, virtual tables and their shadow tables, and
/// tables [`super::is_excluded`] names (schema-sync's bookkeeping, `opts.exclude_tables`; a
/// trigger on an excluded table goes with it).
pub fn introspect(conn: &Connection, opts: &IntrospectOptions) -> Result<Schema> {
    introspect_with_stats(conn, opts).map(|(schema, _)| schema)
}

/// [`introspect`], also returning how many catalog queries it ran.
pub fn introspect_with_stats(conn: &Connection, opts: &IntrospectOptions) -> Result<(Schema, IntrospectStats)> {
    let mut reader = Reader { conn, queries: 0 };
    let catalog = Catalog::read(&mut reader)?;
    let mut schema = Schema::empty(Some(Dialect::Sqlite));
    for info in &catalog.tables {
        if is_internal(&info.name) || super::is_excluded(&info.name, opts) {
            continue;
        }
        schema.tables.push(build_table(info, &catalog)?);
    }
    for (name, sql) in &catalog.views {
        if super::is_excluded(name, opts) {
            continue;
        }
        let (columns, definition) =
            crate::sql::split_view(sql).ok_or_else(|| invalid_sql("view", name, "no `AS` in its CREATE VIEW text"))?;
        schema.views.push(View { columns, ..View::new(name, definition) });
    }
    for (name, table, sql) in &catalog.triggers {
        if super::is_excluded(table, opts) {
            continue;
        }
        schema.triggers.push(Trigger {
            schema: None,
            table: table.clone(),
            name: name.clone(),
            definition: crate::sql::collapse(sql),
            written_for: None,
            fires: Default::default(),
        });
    }
    schema.normalize();
    let stats = IntrospectStats { queries: reader.queries, tables: schema.tables.len() };
    Ok((schema, stats))
}

/// The exact text of `sqlite_schema` (type, name, table and SQL of every entry, in order). It
/// is all [`introspect`] reads from: two databases with the same fingerprint introspect to the
/// same schema, so a fleet audit compares each distinct schema once. One query.
pub fn schema_fingerprint(conn: &Connection) -> Result<String> {
    let mut stmt = conn
        .prepare_cached("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid")
        .map_err(|e| Error::sqlite("reading sqlite_schema", e))?;
    let mut rows = stmt.query([]).map_err(|e| Error::sqlite("reading sqlite_schema", e))?;
    let mut out = String::new();
    while let Some(r) = rows.next().map_err(|e| Error::sqlite("reading sqlite_schema", e))? {
        for i in 0..4 {
            if let Ok(Some(text)) = r.get_ref(i).map(|v| v.as_str_or_null().ok().flatten()) {
                out.push_str(text);
            }
            out.push('\u{1f}');
        }
        out.push('\u{1e}');
    }
    Ok(out)
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

/// An ordinary table: its `CREATE TABLE` text and `pragma_table_list` flags.
struct TableInfo {
    name: String,
    sql: Option<String>,
    without_rowid: bool,
    strict: bool,
}

/// Everything the two catalog queries returned.
#[derive(Default)]
struct Catalog {
    tables: Vec<TableInfo>,
    /// Named indexes (`CREATE INDEX` text) by table, the table name ASCII-lowercased.
    indexes: HashMap<String, Vec<(String, String)>>,
    /// How many automatic indexes (`sqlite_autoindex_*`, backing PRIMARY KEY and UNIQUE
    /// constraints; no `CREATE` text) each table has, by lowercased table name.
    auto_indexes: HashMap<String, usize>,
    /// Views: name and `CREATE VIEW` text.
    views: Vec<(String, String)>,
    /// Triggers: name, table and `CREATE TRIGGER` text.
    triggers: Vec<(String, String, String)>,
}

impl Catalog {
    /// `sqlite_schema` and `pragma_table_list`: two queries however many tables there are. The
    /// stored `CREATE` text is what SQLite itself parses when it opens the file, so reading it
    /// (with [`super::sqlite_sql`]) gives what the per-table pragmas would, without running a
    /// pragma per table (each prepares and parses an internal statement: that made
    /// `pragma_table_xinfo` + `pragma_index_xinfo` + `pragma_foreign_key_list` cost 2–3× a plain
    /// read of every column).
    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let mut catalog = Catalog::default();
        let mut table_sql: HashMap<String, Option<String>> = HashMap::new();
        let q = "SELECT type, name, tbl_name, sql FROM main.sqlite_schema";
        for (kind, name, table, sql) in r.rows("reading sqlite_schema", q, |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get(3)?))
        })? {
            match (kind.as_str(), sql) {
                ("table", sql) => {
                    table_sql.insert(name, sql);
                }
                ("index", Some(sql)) => {
                    catalog.indexes.entry(table.to_ascii_lowercase()).or_default().push((name, sql))
                }
                ("index", None) => *catalog.auto_indexes.entry(table.to_ascii_lowercase()).or_default() += 1,
                ("view", Some(sql)) => catalog.views.push((name, sql)),
                ("trigger", Some(sql)) => catalog.triggers.push((name, table, sql)),
                _ => {}
            }
        }
        // Virtual tables and their shadow tables are listed with their own type and left out.
        let q = "SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'";
        for (name, kind, without_rowid, strict) in r.rows("reading pragma_table_list", q, |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, bool>(2)?, row.get::<_, bool>(3)?))
        })? {
            if kind != "table" {
                continue;
            }
            if let Some(sql) = table_sql.remove(&name) {
                catalog.tables.push(TableInfo { name, sql, without_rowid, strict });
            }
        }
        Ok(catalog)
    }
}

fn invalid_sql(what: &str, name: &str, reason: impl std::fmt::Display) -> Error {
    Error::Ddl {
        origin: format!("the sqlite_schema entry of {what} `{name}`"),
        reason: reason.to_string(),
        loaded_as: Dialect::Sqlite,
    }
}

fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// A table read from its `CREATE TABLE` text, with helpers that answer like SQLite does.
struct Parsed<'p> {
    table: &'p CreateTable,
}

impl Parsed<'_> {
    fn column(&self, name: &str) -> Option<&sqlite_sql::ColumnDef> {
        let cols = &self.table.columns;
        cols.iter().find(|c| c.name == name).or_else(|| cols.iter().find(|c| same_name(&c.name, name)))
    }

    /// A column name as the table declares it (SQLite names are case-insensitive; the pragmas
    /// report the declared spelling), or `name` itself when no column has it.
    fn spelling(&self, name: &str) -> String {
        self.column(name).map_or_else(|| name.to_string(), |c| c.name.clone())
    }

    fn spellings(&self, names: &[String]) -> Vec<String> {
        names.iter().map(|n| self.spelling(n)).collect()
    }

    /// What makes two constraint indexes the same for SQLite: their columns in order, each with
    /// its collation (written, else the column's, else BINARY), case-insensitively.
    fn index_identity(&self, columns: &[String], collations: &[Option<String>]) -> Vec<(String, String)> {
        columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let written = collations.get(i).cloned().flatten();
                let coll = written.or_else(|| self.column(c).and_then(|d| d.collation.clone()));
                (c.to_ascii_lowercase(), coll.unwrap_or_else(|| "BINARY".into()).to_ascii_lowercase())
            })
            .collect()
    }
}

fn build_table(info: &TableInfo, catalog: &Catalog) -> Result<Table> {
    let name = info.name.as_str();
    let sql = info.sql.as_deref().ok_or_else(|| invalid_sql("table", name, "no CREATE TABLE text"))?;
    let parsed = sqlite_sql::parse_create_table(sql).map_err(|e| invalid_sql("table", name, e))?;
    let p = Parsed { table: &parsed };
    let mut table = Table::new(name);
    table.options = TableOptions { without_rowid: info.without_rowid, strict: info.strict };

    let pk = parsed.constraints.iter().find_map(|c| match &c.kind {
        ConstraintKind::PrimaryKey { columns, collations, desc_column_form } => {
            Some((c.name.clone(), columns, collations, *desc_column_form))
        }
        _ => None,
    });
    let pk_columns: Vec<String> = pk.as_ref().map(|(_, cols, _, _)| p.spellings(cols)).unwrap_or_default();
    for def in &parsed.columns {
        let mut col = Column::new(&def.name, types::sqlite::parse(&def.type_text));
        // A WITHOUT ROWID table's key columns are NOT NULL whether or not the text says so.
        let in_pk = pk_columns.iter().any(|k| same_name(k, &def.name));
        col.nullable = !(def.not_null || (info.without_rowid && in_pk));
        col.collation = def.collation.clone();
        col.identity = def.autoincrement.then_some(Identity::Autoincrement);
        match &def.generated {
            Some(g) => col.generated = Some(Generated { expr: g.expr.clone(), stored: g.stored }),
            None => col.default = def.default.clone(),
        }
        table.columns.push(col);
    }

    // Constraint indexes, deduplicated as SQLite does: a UNIQUE identical to the primary key
    // or to an earlier UNIQUE gets no index of its own and is not a separate constraint.
    let mut identities: Vec<Vec<(String, String)>> = Vec::new();
    let mut auto_indexes = 0usize;
    if let Some((pk_name, cols, colls, desc_column_form)) = pk {
        // `INTEGER PRIMARY KEY` on a rowid table is the rowid itself: no index.
        let rowid_alias = !info.without_rowid
            && cols.len() == 1
            && !desc_column_form
            && p.column(&cols[0]).is_some_and(|c| c.type_text.eq_ignore_ascii_case("INTEGER"));
        if !rowid_alias {
            identities.push(p.index_identity(cols, colls));
            // A WITHOUT ROWID table *is* its primary-key index: no sqlite_schema row for it.
            auto_indexes += usize::from(!info.without_rowid);
        }
        table.primary_key = Some(PrimaryKey { name: pk_name, ..PrimaryKey::on(pk_columns.clone()) });
    }
    for c in &parsed.constraints {
        match &c.kind {
            ConstraintKind::Unique { columns, collations } => {
                let identity = p.index_identity(columns, collations);
                if identities.contains(&identity) {
                    continue;
                }
                identities.push(identity);
                auto_indexes += 1;
                table.uniques.push(Unique {
                    name: c.name.clone(),
                    columns: p.spellings(columns),
                    nulls_not_distinct: false,
                    deferrable: Default::default(),
                });
            }
            ConstraintKind::ForeignKey(fk) => table.foreign_keys.push(foreign_key(c.name.clone(), fk, &p)),
            ConstraintKind::Check { expr } => table.checks.push(Check {
                name: c.name.clone(),
                expr: expr.clone(),
                no_inherit: false,
                not_valid: false,
            }),
            ConstraintKind::PrimaryKey { .. } => {}
        }
    }
    let key = name.to_ascii_lowercase();
    let stored = catalog.auto_indexes.get(&key).copied().unwrap_or(0);
    if stored != auto_indexes {
        // Never expected: it would mean the text was read differently from how SQLite read it.
        return Err(invalid_sql(
            "table",
            name,
            format!(
                "{stored} automatic index(es) in sqlite_schema but {auto_indexes} PRIMARY KEY/UNIQUE \
                 constraint(s) that need one in the CREATE TABLE text"
            ),
        ));
    }
    for (ix_name, ix_sql) in catalog.indexes.get(&key).map(Vec::as_slice).unwrap_or_default() {
        table.indexes.push(build_index(ix_name, ix_sql, &p)?);
    }
    Ok(table)
}

fn build_index(name: &str, sql: &str, p: &Parsed<'_>) -> Result<Index> {
    let parsed = sqlite_sql::parse_create_index(sql).map_err(|e| invalid_sql("index", name, e))?;
    let keys = parsed
        .keys
        .into_iter()
        .map(|k| {
            // A key's collation is the written one, else its column's; BINARY is the default.
            let (target, column_collation) = match k.target {
                KeyTarget::Column(c) => match p.column(&c) {
                    Some(def) => (KeyTarget::Column(def.name.clone()), def.collation.clone()),
                    None => (KeyTarget::Column(c), None),
                },
                expr => (expr, None),
            };
            IndexKey {
                target,
                descending: k.descending,
                nulls_first: None,
                collation: k.collation.or(column_collation).filter(|c| !c.eq_ignore_ascii_case("BINARY")),
                opclass: None,
            }
        })
        .collect();
    Ok(Index {
        name: name.to_string(),
        keys,
        unique: parsed.unique,
        predicate: parsed.predicate,
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        with: Default::default(),
        invalid: false,
    })
}

fn foreign_key(name: Option<String>, fk: &ForeignKeyDef, p: &Parsed<'_>) -> ForeignKey {
    ForeignKey {
        name,
        columns: p.spellings(&fk.columns),
        ref_schema: None,
        ref_table: fk.ref_table.clone(),
        ref_columns: fk.ref_columns.clone(),
        on_delete: fk.on_delete,
        on_update: fk.on_update,
        deferrable: fk.deferrable,
        match_full: false,
        not_valid: false,
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
