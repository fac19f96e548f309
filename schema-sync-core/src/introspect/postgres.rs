//! Postgres introspection (sqlx): connect safely, read the catalog of the requested schemas into
//! a [`Schema`] with a constant number of queries.
//!
//! The model is filled so that two databases built from the same DDL compare equal field by
//! field: types go through [`crate::types::postgres::parse`] of `format_type`, enum columns
//! become [`crate::types::SqlType::Enum`], a `nextval()` default of a sequence the column owns becomes
//! [`crate::model::Identity::Serial`], and expressions are kept exactly as the catalog prints them.
//!
//! Not in the model, so not read: exclusion constraints (`EXCLUDE USING …`), `ON DELETE SET NULL
//! (cols)` column lists, partitions, composite types, rules, the privileges of roles outside the
//! managed set. Objects that belong to an extension (PostGIS' `spatial_ref_sys`, …) are left out.
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

use super::postgres_build::Builder;
use super::postgres_queries::Scope;
use super::IntrospectOptions;
use crate::model::Schema;
use crate::url::{redact_url, redact_urls_in};
use crate::{Error, Result};

/// How long [`connect`] waits for a server before giving up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What one [`introspect_with_stats`] call cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IntrospectStats {
    /// Catalog queries sent (the server version comes with the first). Independent of the number
    /// of tables: that is the point.
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
    let shown = redact_url(url);
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("postgres://") || lower.starts_with("postgresql://")) {
        return Err(Error::input(format!(
            "invalid Postgres URL {shown}: expected postgres://user:password@host:port/database"
        )));
    }
    let opts: PgConnectOptions = url.parse().map_err(|e: sqlx::Error| {
        Error::input(format!("invalid Postgres URL {shown}: {}", redact_urls_in(&one_line(&e.to_string()))))
    })?;
    let opts = opts.statement_cache_capacity(0);
    let context = format!("connecting to {shown}");
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&opts)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(Error::postgres(context, scrub_error(e))),
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

/// The names of the database's own schemas (not `pg_*`, `information_schema` or
/// `pg_toast*`), sorted: what `--schema 'tenant_*'` patterns are matched against. One query.
pub async fn schema_names(conn: &mut PgConnection) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT nspname::text FROM pg_catalog.pg_namespace \
         WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1",
    )
    .persistent(false)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| Error::postgres("listing the schemas", e))?;
    rows.iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::postgres("listing the schemas", e))
}

/// Reads the tables, enums and standalone sequences of `opts.schemas` into a normalised
/// [`Schema`] with `dialect = Some(Postgres)`.
pub async fn introspect(conn: &mut PgConnection, opts: &IntrospectOptions) -> Result<Schema> {
    Ok(introspect_with_stats(conn, opts).await?.0)
}

/// The columns of every view and materialized view in `opts.schemas` (one query).
pub async fn view_columns(conn: &mut PgConnection, opts: &IntrospectOptions) -> Result<Vec<super::ViewColumns>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT n.nspname::text, c.relname::text, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod) \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY($1) ORDER BY 1, 2, a.attnum",
    )
    .bind(&opts.schemas)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| Error::postgres("reading the columns of views", e))?;
    Ok(super::group_view_columns(rows.into_iter().map(|(s, v, c, t)| (Some(s), v, c, t)).collect()))
}

/// [`introspect`], also returning how many catalog queries it took (constant: 8, plus one for
/// the text of CHECKs, defaults and index predicates when there are any, plus one when a
/// foreign key references a table outside `opts.schemas`).
pub async fn introspect_with_stats(
    conn: &mut PgConnection,
    opts: &IntrospectOptions,
) -> Result<(Schema, IntrospectStats)> {
    read_schema(conn, None, opts).await
}

/// [`introspect`] of a large catalog (many schemas: a fleet of tenants) on two connections to
/// one database: `conn` reads the tables and columns while `helper` reads the other families,
/// both in one `REPEATABLE READ` snapshot (exported by `conn`, imported by `helper`), so the
/// result is the schema as of one moment, as with one connection. Neither connection may be
/// in a transaction. Where a snapshot cannot be shared (a transaction-mode pooler, a server
/// that refuses `pg_export_snapshot`), falls back to reading everything on `conn`.
pub async fn introspect_parallel(
    conn: &mut PgConnection,
    helper: &mut PgConnection,
    opts: &IntrospectOptions,
) -> Result<Schema> {
    let shared = share_snapshot(conn, helper).await.is_ok();
    let read = read_schema(conn, shared.then_some(helper), opts).await;
    if shared {
        // Read-only transactions: ending them cannot lose anything; a failure here means the
        // connection broke, which the next use reports.
        let _ = sqlx::raw_sql("COMMIT").execute(&mut *conn).await;
        let _ = sqlx::raw_sql("COMMIT").execute(&mut *helper).await;
    }
    Ok(read?.0)
}

/// A fleet of tenant schemas read by [`introspect_tenants`].
#[derive(Debug, Clone)]
pub struct Tenants {
    /// Every object of every tenant, except that tables and sequences are those of the
    /// representatives only.
    pub schema: Schema,
    /// Each tenant schema → the tenant whose tables and sequences stand for its own (itself
    /// for a representative). Tenants mapped to the same one have equal tables, columns,
    /// defaults, constraints, indexes and sequences up to the name of their schema.
    pub representative: HashMap<String, String>,
    /// Catalog queries sent (constant: two for the digests, one for the server version, and
    /// those of [`introspect_with_stats`]).
    pub queries: usize,
}

/// Reads the tenant schemas `opts.schemas` of one database, each kind of tenant once: the
/// server digests every tenant's table families (tables, columns, defaults, constraints,
/// indexes, sequences: the rows that grow with every table; see `postgres_digest.rs`), one
/// tenant per distinct digest has them read, and the rest of every tenant (views, triggers,
/// functions, policies, grants, comments, enums, domains) is read for all. 1,000 tenants of
/// a few kinds cost a few tenants' columns instead of 1,000. Digest and read see one
/// `REPEATABLE READ` snapshot; with a `helper` connection the read is split as in
/// [`introspect_parallel`]. Neither connection may be in a transaction.
pub async fn introspect_tenants(
    conn: &mut PgConnection,
    helper: Option<&mut PgConnection>,
    opts: &IntrospectOptions,
) -> Result<Tenants> {
    let mut shared = match helper {
        Some(h) => share_snapshot(conn, h).await.is_ok().then_some(h),
        None => None,
    };
    if shared.is_none() {
        sqlx::raw_sql(BEGIN_READ_ONLY)
            .execute(&mut *conn)
            .await
            .map_err(|e| Error::postgres("starting a read-only transaction", e))?;
    }
    let read = async {
        let mut stats = IntrospectStats { queries: 1 };
        let version = server_version(conn).await?;
        let digests =
            super::postgres_digest::digests(conn, shared.as_deref_mut(), &opts.schemas, version, &mut stats.queries)
                .await?;
        let representative = representatives(&opts.schemas, &digests);
        let mut tables: Vec<String> = representative.iter().filter(|(t, r)| t == r).map(|(t, _)| t.clone()).collect();
        tables.sort();
        let (schema, stats) = read_scoped(conn, shared.as_deref_mut(), opts, &tables, stats).await?;
        Ok::<_, Error>(Tenants { schema, representative, queries: stats.queries })
    }
    .await;
    // Read-only transactions: ending them cannot lose anything; a failure here means the
    // connection broke, which the next use reports.
    let _ = sqlx::raw_sql("COMMIT").execute(&mut *conn).await;
    if let Some(h) = shared {
        let _ = sqlx::raw_sql("COMMIT").execute(&mut *h).await;
    }
    read
}

/// Each schema → the first schema (by name) with its digest; schemas without tables or
/// sequences (no digest) stand for each other.
fn representatives(
    schemas: &[String],
    digests: &HashMap<String, super::postgres_digest::Digest>,
) -> HashMap<String, String> {
    let mut sorted: Vec<&String> = schemas.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut first: HashMap<Option<&super::postgres_digest::Digest>, &String> = HashMap::new();
    sorted
        .into_iter()
        .map(|s| {
            let rep = *first.entry(digests.get(s)).or_insert(s);
            (s.clone(), rep.clone())
        })
        .collect()
}

/// Starts the read-only `REPEATABLE READ` transaction a catalog read spanning several queries
/// runs in, without JIT (it compiled the index query for 90 ms) or parallel workers.
const BEGIN_READ_ONLY: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off; \
    SET LOCAL max_parallel_workers_per_gather = 0";

/// Starts a read-only `REPEATABLE READ` transaction on both connections, `helper` importing
/// `conn`'s snapshot. On failure neither is left in a transaction.
async fn share_snapshot(conn: &mut PgConnection, helper: &mut PgConnection) -> sqlx::Result<()> {
    let begin = BEGIN_READ_ONLY;
    let shared = async {
        sqlx::raw_sql(begin).execute(&mut *conn).await?;
        let id: String = sqlx::query_scalar("SELECT pg_catalog.pg_export_snapshot()")
            .persistent(false)
            .fetch_one(&mut *conn)
            .await?;
        sqlx::raw_sql(begin).execute(&mut *helper).await?;
        // The id is the server's own (`0000000A-00000002-1`), never user input; checked anyway.
        if !id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
            return Err(sqlx::Error::Protocol(format!("unexpected snapshot id {id:?}")));
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET TRANSACTION SNAPSHOT '{id}'"))).execute(&mut *helper).await?;
        Ok(())
    }
    .await;
    if shared.is_err() {
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *helper).await;
    }
    shared
}

async fn read_schema(
    conn: &mut PgConnection,
    helper: Option<&mut PgConnection>,
    opts: &IntrospectOptions,
) -> Result<(Schema, IntrospectStats)> {
    read_scoped(conn, helper, opts, &opts.schemas, IntrospectStats::default()).await
}

/// [`read_schema`] with the table families read only for the schemas `tables`.
async fn read_scoped(
    conn: &mut PgConnection,
    helper: Option<&mut PgConnection>,
    opts: &IntrospectOptions,
    tables: &[String],
    mut stats: IntrospectStats,
) -> Result<(Schema, IntrospectStats)> {
    let mut builder = Builder::default();
    let scope = Scope { schemas: &opts.schemas, tables };
    super::postgres_queries::read(conn, helper, scope, &opts.managed_roles, &mut builder, &mut stats.queries).await?;
    let missing = builder.missing_schemas(&opts.must_exist);
    if !missing.is_empty() {
        return Err(Error::input(format!(
            "schema {} does not exist in the database (existing schemas are listed by `\\dn` in psql)",
            missing.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        )));
    }
    Ok((builder.finish(opts), stats))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The driver error, rebuilt with any URL in its text redacted.
fn scrub_error(e: sqlx::Error) -> sqlx::Error {
    let text = crate::error::pg_message(&e);
    let clean = redact_urls_in(&text);
    if clean == text {
        e
    } else {
        sqlx::Error::Protocol(clean)
    }
}

#[cfg(test)]
mod tests {
    use crate::url::redact_url;

    #[test]
    fn each_tenant_is_represented_by_the_first_tenant_with_its_digest() {
        let digest = |n: i64, sum: &str| [(n, sum.to_string()), (1, "7".to_string())];
        let digests = [("b", digest(3, "-1")), ("a", digest(3, "-1")), ("c", digest(3, "5")), ("d", digest(4, "-1"))]
            .into_iter()
            .map(|(s, d)| (s.to_string(), d))
            .collect();
        let schemas: Vec<String> = ["d", "c", "b", "a", "e", "f", "a"].iter().map(|s| s.to_string()).collect();
        let reps = super::representatives(&schemas, &digests);
        let of = |s: &str| reps[s].as_str();
        // Equal digests share the first by name; a different count or sum is a kind of its own;
        // schemas without tables (no digest) stand for each other.
        assert_eq!([of("a"), of("b"), of("c"), of("d"), of("e"), of("f")], ["a", "a", "c", "d", "e", "e"]);
        assert_eq!(reps.len(), 6);
    }

    #[test]
    fn urls_are_masked_by_structure() {
        for (url, want) in [
            ("postgres://me:pw@db/app", "postgres://me:***@db/app"),
            ("postgres//me:pw@db/app", "postgres//me:***@db/app"),
            ("me:pw@db", "me:***@db"),
            ("postgres://me@db/app", "postgres://me@db/app"),
            ("postgres://db/app", "postgres://db/app"),
            ("postgresql://u:Xq7/zKp9@host/db", "postgresql://u:***@host/db"),
            ("postgres://u:p@ss:w/rd@host:5432/db", "postgres://u:***@host:5432/db"),
            ("postgres://u:s%40cret@db/app?password=other", "postgres://u:***@db/app?password=***"),
        ] {
            assert_eq!(redact_url(url), want, "{url}");
        }
    }
}
