//! Postgres introspection (sqlx): connect safely, read the catalog of the requested schemas into
//! a [`Schema`] with a constant number of queries.
//!
//! The model is filled so that two databases built from the same DDL compare equal field by
//! field: types go through [`crate::types::postgres::parse`] of `format_type`, enum columns
//! become [`SqlType::Enum`], a `nextval()` default of a sequence the column owns becomes
//! [`Identity::Serial`], and expressions are kept exactly as the catalog prints them.
//!
//! Not in the model, so not read: exclusion constraints (`EXCLUDE USING …`), `ON DELETE SET NULL
//! (cols)` column lists, triggers, views, policies, comments, privileges. Objects that belong to
//! an extension (PostGIS' `spatial_ref_sys`, …) are left out.
//!
//! ```no_run
//! # async fn demo() -> schema_sync_core::Result<()> {
//! use schema_sync_core::introspect::{postgres, IntrospectOptions};
//! let mut conn = postgres::connect("postgres://app:secret@localhost/app").await?;
//! let schema = postgres::introspect(&mut conn, &IntrospectOptions::default()).await?;
//! println!("{} tables", schema.tables.len());
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, Row};

use super::postgres_queries::{fetch_all, CatalogRows, ColumnRow, ConstraintRow, IndexRow};
use super::IntrospectOptions;
use crate::model::{
    Check, Column, Deferrable, EnumType, FkAction, ForeignKey, Generated, Identity, Index, IndexKey, KeyTarget,
    PrimaryKey, Schema, Sequence, Table, Unique,
};
use crate::source::redact_url;
use crate::types::{Dialect, SqlType};
use crate::{Error, Result};

/// How long [`connect`] waits for a server before giving up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What one [`introspect_with_stats`] call cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IntrospectStats {
    /// Catalog queries sent (including the server-version query). Independent of the number of
    /// tables: that is the point.
    pub queries: usize,
}

/// Opens one connection to `url` (`postgres://user:password@host:port/db?sslmode=…`).
///
/// * A malformed URL is [`Error::Input`]; every error names the URL with its password replaced
///   by `***` and never contains the password itself.
/// * Gives up after [`CONNECT_TIMEOUT`]; a refused connection fails at once.
/// * The statement cache is off, and every query schema-sync sends is an unnamed statement, so
///   the connection works through a transaction-mode pooler (Supabase on port 6543), where a
///   named prepared statement does not survive to the next transaction.
pub async fn connect(url: &str) -> Result<PgConnection> {
    let shown = shown_url(url);
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("postgres://") || lower.starts_with("postgresql://")) {
        return Err(Error::input(format!(
            "invalid Postgres URL {shown}: expected postgres://user:password@host:port/database"
        )));
    }
    let opts: PgConnectOptions = url.parse().map_err(|e: sqlx::Error| {
        Error::input(format!("invalid Postgres URL {shown}: {}", scrub(&one_line(&e.to_string()), url)))
    })?;
    let opts = opts.statement_cache_capacity(0);
    let context = format!("connecting to {shown}");
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&opts)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(Error::postgres(context, scrub_error(e, url))),
        Err(_) => Err(Error::postgres(
            context,
            sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            )),
        )),
    }
}

/// The server's `server_version_num` (`150004` for 15.4).
pub async fn server_version(conn: &mut PgConnection) -> Result<u32> {
    let row = sqlx::query("SELECT current_setting('server_version_num')::int4 AS v")
        .persistent(false)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| Error::postgres("reading the Postgres server version", e))?;
    let v: i32 = row.try_get("v").map_err(|e| Error::postgres("reading the Postgres server version", e))?;
    u32::try_from(v).map_err(|_| Error::input(format!("unexpected server_version_num {v}")))
}

/// Reads the tables, enums and standalone sequences of `opts.schemas` into a normalised
/// [`Schema`] with `dialect = Some(Postgres)`.
pub async fn introspect(conn: &mut PgConnection, opts: &IntrospectOptions) -> Result<Schema> {
    Ok(introspect_with_stats(conn, opts).await?.0)
}

/// [`introspect`], also returning how many catalog queries it took (constant: 7).
pub async fn introspect_with_stats(
    conn: &mut PgConnection,
    opts: &IntrospectOptions,
) -> Result<(Schema, IntrospectStats)> {
    let version = server_version(conn).await?;
    let mut stats = IntrospectStats { queries: 1 };
    let rows = fetch_all(conn, &opts.schemas, version, &mut stats.queries).await?;
    Ok((build(rows, opts), stats))
}

/// Turns catalog rows into the model. Pure: everything after the fetch lives here.
pub(crate) fn build(rows: CatalogRows, opts: &IntrospectOptions) -> Schema {
    let mut schema = Schema::empty(Some(Dialect::Postgres));
    let mut by_oid: HashMap<i64, usize> = HashMap::new();
    for t in rows.tables {
        if super::is_excluded(&t.name, opts) {
            continue;
        }
        let mut table = Table::new(t.name);
        table.schema = Some(t.schema);
        by_oid.insert(t.oid, schema.tables.len());
        schema.tables.push(table);
    }
    // Sequences that serial columns draw from are part of those columns, not standalone.
    let mut serial_sequences: std::collections::HashSet<String> = std::collections::HashSet::new();
    for c in rows.columns {
        let table = by_oid.get(&c.table_oid).copied();
        let col = column(c, &mut serial_sequences);
        if let Some(i) = table {
            schema.tables[i].columns.push(col);
        }
    }
    for c in rows.constraints {
        if let Some(&i) = by_oid.get(&c.table_oid) {
            let table = &mut schema.tables[i];
            let same_schema = c.ref_same_schema;
            add_constraint(table, c, same_schema);
        }
    }
    for ix in rows.indexes {
        if let Some(&i) = by_oid.get(&ix.table_oid) {
            schema.tables[i].indexes.push(index(ix));
        }
    }
    schema.enums =
        rows.enums.into_iter().map(|e| EnumType { schema: Some(e.schema), name: e.name, values: e.labels }).collect();
    schema.sequences = rows
        .sequences
        .into_iter()
        .filter(|s| !serial_sequences.contains(&s.reg_name))
        .filter(|s| !s.owner_table.as_deref().is_some_and(|t| super::is_excluded(t, opts)))
        .map(|s| Sequence {
            owned_by: match (s.owner_table, s.owner_column) {
                (Some(table), Some(column)) => Some(crate::model::SequenceOwner { table, column }),
                _ => None,
            },
            schema: Some(s.schema),
            name: s.name,
            data_type: parse_type(&s.type_text),
            start: s.start,
            increment: s.increment,
            min: s.min,
            max: s.max,
            cache: s.cache,
            cycle: s.cycle,
        })
        .collect();
    schema.normalize();
    schema
}

/// `format_type` text → [`SqlType`]; a spelling the parser does not know stays verbatim.
fn parse_type(text: &str) -> SqlType {
    crate::types::postgres::parse(text)
        .unwrap_or_else(|_| SqlType::Other { dialect: Dialect::Postgres, raw: text.to_string() })
}

fn column(c: ColumnRow, serial_sequences: &mut std::collections::HashSet<String>) -> Column {
    let ty = match (c.enum_schema, c.enum_name) {
        (Some(schema), Some(name)) => {
            let e = SqlType::Enum { schema: Some(schema), name };
            if c.enum_array {
                SqlType::Array { element: Box::new(e) }
            } else {
                e
            }
        }
        // A domain keeps its own name; its base type is the domain's business.
        _ if c.is_domain => SqlType::Other { dialect: Dialect::Postgres, raw: c.type_text.clone() },
        _ => parse_type(&c.type_text),
    };
    let mut col = Column::new(c.name, ty);
    col.nullable = !c.not_null;
    col.collation = c.collation;
    let mut default = c.default;
    match c.generated.as_str() {
        // Postgres keeps the generation expression in pg_attrdef, where defaults live.
        "s" | "v" => {
            col.generated = Some(Generated { expr: default.take().unwrap_or_default(), stored: c.generated == "s" })
        }
        _ => {}
    }
    col.identity = match c.identity.as_str() {
        "a" => Some(Identity::Always),
        "d" => Some(Identity::ByDefault),
        _ => None,
    };
    if col.identity.is_none() && col.generated.is_none() {
        if let Some(d) = &default {
            // `regclass::text` and `pg_get_expr` quote and qualify the sequence name the same way
            // (both follow search_path), so an exact compare is right.
            let owned = c
                .owned_sequences
                .iter()
                .find(|seq| *d == format!("nextval({}::regclass)", crate::render::quote_literal(seq)));
            if let Some(seq) = owned {
                serial_sequences.insert(seq.clone());
                col.identity = Some(Identity::Serial);
                default = None;
            }
        }
    }
    col.default = default;
    col
}

fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

fn deferrable(deferrable: bool, deferred: bool) -> Deferrable {
    match (deferrable, deferred) {
        (false, _) => Deferrable::No,
        (true, false) => Deferrable::InitiallyImmediate,
        (true, true) => Deferrable::InitiallyDeferred,
    }
}

fn add_constraint(table: &mut Table, c: ConstraintRow, same_schema: bool) {
    let name = Some(c.name);
    match c.kind.as_str() {
        "p" => table.primary_key = Some(PrimaryKey { name, columns: c.columns }),
        "u" => table.uniques.push(Unique {
            name,
            columns: c.columns,
            nulls_not_distinct: c.nulls_not_distinct,
            deferrable: deferrable(c.deferrable, c.deferred),
        }),
        "f" => table.foreign_keys.push(ForeignKey {
            name,
            columns: c.columns,
            ref_schema: if same_schema { None } else { c.ref_schema },
            ref_table: c.ref_table.unwrap_or_default(),
            ref_columns: c.ref_columns,
            on_delete: fk_action(&c.on_delete),
            on_update: fk_action(&c.on_update),
            deferrable: deferrable(c.deferrable, c.deferred),
            match_full: c.match_type == "f",
        }),
        "c" => table.checks.push(Check {
            name,
            expr: check_body(c.definition.as_deref().unwrap_or_default()),
            no_inherit: c.no_inherit,
        }),
        // NOT NULL (PG 18 'n'), exclusion ('x') and trigger ('t') constraints are filtered by
        // the query; nothing else exists.
        _ => {}
    }
}

fn index(ix: IndexRow) -> Index {
    let key_count = usize::try_from(ix.key_count).unwrap_or(0).min(ix.targets.len());
    let mut keys = Vec::with_capacity(key_count);
    for k in 0..key_count {
        let text = ix.targets[k].clone().unwrap_or_default();
        let target = if ix.is_expr.get(k).copied().unwrap_or(false) {
            KeyTarget::Expression(text)
        } else {
            KeyTarget::Column(text)
        };
        let opt = ix.options.get(k).copied().unwrap_or(0);
        let descending = opt & 1 != 0;
        let nulls_first_flag = opt & 2 != 0;
        // Only when it differs from the direction's default (ASC → NULLS LAST, DESC → NULLS FIRST).
        let nulls_first = match (descending, nulls_first_flag) {
            (false, true) => Some(true),
            (true, false) => Some(false),
            _ => None,
        };
        keys.push(IndexKey {
            target,
            descending,
            nulls_first,
            collation: ix.collations.get(k).cloned().flatten(),
            opclass: ix.opclasses.get(k).cloned().flatten(),
        });
    }
    let include = ix.targets[key_count..].iter().map(|t| t.clone().unwrap_or_default()).collect();
    Index {
        name: ix.name,
        keys,
        unique: ix.unique,
        predicate: ix.predicate,
        method: if ix.method == "btree" { None } else { Some(ix.method) },
        include,
        nulls_not_distinct: ix.nulls_not_distinct,
    }
}

/// The expression of a `pg_get_constraintdef` text `CHECK (…) [NO INHERIT] [NOT VALID]`, with
/// one outer pair of parentheses removed when it wraps the whole expression.
pub(crate) fn check_body(def: &str) -> String {
    let def = def.trim();
    let Some(open) = def.find('(') else {
        return def.to_string();
    };
    let inner = match matching_paren(def, open) {
        Some(close) => &def[open + 1..close],
        None => &def[open + 1..],
    };
    strip_outer_parens(inner.trim()).to_string()
}

fn strip_outer_parens(s: &str) -> &str {
    if s.starts_with('(') && matching_paren(s, 0) == Some(s.len() - 1) {
        s[1..s.len() - 1].trim()
    } else {
        s
    }
}

/// Byte index of the `)` that closes the `(` at `open`, skipping string literals and quoted
/// identifiers.
fn matching_paren(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, ch) in s.char_indices().skip_while(|(i, _)| *i < open) {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None => match ch {
                '\'' | '"' => quote = Some(ch),
                '(' => depth += 1,
                ')' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

/// [`redact_url`], plus a mask for the password of a malformed URL that `redact_url` cannot
/// parse (`postgres//me:pw@host/db`): whatever sits between `:` and the last `@` of its word.
fn shown_url(url: &str) -> String {
    let mut shown = redact_url(url);
    if let Some(at) = shown.rfind('@') {
        let start = shown[..at].rfind(['/', ' ']).map(|i| i + 1).unwrap_or(0);
        if let Some(colon) = shown[start..at].find(':').map(|i| i + start) {
            if &shown[colon + 1..at] != "***" {
                shown.replace_range(colon + 1..at, "***");
            }
        }
    }
    shown
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The password in `url` (userinfo or `password=` query parameter), percent-decoded.
fn passwords(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(start) = url.find("://").map(|i| i + 3) {
        let end = url[start..].find(['/', '?', '#']).map(|i| i + start).unwrap_or(url.len());
        if let Some(at) = url[start..end].rfind('@').map(|i| i + start) {
            if let Some(colon) = url[start..at].find(':').map(|i| i + start) {
                out.push(url[colon + 1..at].to_string());
            }
        }
    }
    if let Some(q) = url.find('?') {
        for kv in url[q + 1..].split(['&', '#']) {
            if let Some((k, v)) = kv.split_once('=') {
                if k.eq_ignore_ascii_case("password") {
                    out.push(v.to_string());
                }
            }
        }
    }
    let decoded: Vec<String> = out.iter().map(|p| percent_decode(p)).collect();
    out.extend(decoded);
    out.retain(|p| !p.is_empty());
    out.sort_by_key(|p| std::cmp::Reverse(p.len()));
    out.dedup();
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` with every occurrence of the URL's password replaced by `***`.
fn scrub(text: &str, url: &str) -> String {
    let mut out = text.to_string();
    for p in passwords(url) {
        out = out.replace(&p, "***");
    }
    out
}

/// The driver error, rebuilt without the password when its text would contain it.
fn scrub_error(e: sqlx::Error, url: &str) -> sqlx::Error {
    let text = crate::error::pg_message(&e);
    let clean = scrub(&text, url);
    if clean == text {
        e
    } else {
        sqlx::Error::Protocol(clean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_body_strips_check_and_one_outer_pair() {
        for (def, want) in [
            ("CHECK (a > 0)", "a > 0"),
            ("CHECK ((a > 0))", "a > 0"),
            ("CHECK (((a > 0)))", "(a > 0)"),
            ("CHECK ((a > 0) AND (b > 0))", "(a > 0) AND (b > 0)"),
            ("CHECK (a > 0) NO INHERIT", "a > 0"),
            ("CHECK (a > 0) NOT VALID", "a > 0"),
            ("CHECK (name <> ')'::text)", "name <> ')'::text"),
            ("CHECK (\"we)ird\" > 0)", "\"we)ird\" > 0"),
            ("CHECK ((x)::text <> ''::text)", "(x)::text <> ''::text"),
        ] {
            assert_eq!(check_body(def), want, "{def}");
        }
    }

    #[test]
    fn malformed_urls_are_masked_too() {
        for (url, want) in [
            ("postgres://me:pw@db/app", "postgres://me:***@db/app"),
            ("postgres//me:pw@db/app", "postgres//me:***@db/app"),
            ("me:pw@db", "me:***@db"),
            ("postgres://me@db/app", "postgres://me@db/app"),
            ("postgres://db/app", "postgres://db/app"),
        ] {
            assert_eq!(shown_url(url), want, "{url}");
        }
    }

    #[test]
    fn passwords_are_found_and_scrubbed() {
        let url = "postgres://me:s%40cret@db/app?password=other";
        let msg = "failed for s@cret and s%40cret and other";
        assert_eq!(scrub(msg, url), "failed for *** and *** and ***");
        assert!(passwords("postgres://db/app").is_empty());
    }

    #[test]
    fn nulls_first_only_when_not_the_default() {
        let ix = |opt: i32| IndexRow {
            table_oid: 1,
            name: "i".into(),
            unique: false,
            predicate: None,
            method: "btree".into(),
            key_count: 1,
            nulls_not_distinct: false,
            targets: vec![Some("a".into()), Some("b".into())],
            is_expr: vec![false, false],
            options: vec![opt, 0],
            collations: vec![None, None],
            opclasses: vec![None, None],
        };
        let k = |opt| index(ix(opt)).keys[0].clone();
        assert_eq!((k(0).descending, k(0).nulls_first), (false, None));
        assert_eq!((k(2).descending, k(2).nulls_first), (false, Some(true)));
        assert_eq!((k(3).descending, k(3).nulls_first), (true, None));
        assert_eq!((k(1).descending, k(1).nulls_first), (true, Some(false)));
        assert_eq!(index(ix(0)).include, vec!["b".to_string()]);
    }
}
