//! The Postgres backend: `BEGIN` + a transaction-scoped advisory lock so two runs never
//! interleave, views over retyped or dropped columns set aside and recreated in the same
//! transaction, statements sent with the simple-query protocol (works through transaction
//! poolers such as Supabase's).

use super::budget::StepLimits;
use super::database::{Database, IntoDatabase, VersionRecord, VersionRow, VERSION_TABLE};
use super::preflight::Probe;
use crate::error::Blocker;
use crate::introspect::{postgres as introspect, IntrospectOptions};
use crate::model::{Schema, TableRef};
use crate::plan::{Capabilities, Plan, Step, TableSize};
use crate::sql::qualified;
use crate::types::Dialect;
use crate::{Error, Result};
use sqlx::{AssertSqlSafe, PgConnection, Row};
use std::collections::HashMap;
use std::ops::DerefMut;
use std::time::Duration;

/// Key of the database-wide advisory lock. A change to some schemas takes it *shared* and then
/// [`SCHEMA_LOCK_SPACE`]`, hashtext(schema)` exclusively for each schema it reads, in name order:
/// two runs on the same schema queue up, runs on different schemas (a fleet of tenants) go in
/// parallel. A change that may touch any schema (Supabase migration files) takes it exclusively
/// ([`PgDatabase::begin_exclusive`]) and so waits for, and holds off, every other run.
pub const LOCK_KEY: i64 = 0x5C4E_3A5F_5359_4E43;

/// First key of the per-schema advisory locks (the two-`int4` key space, distinct from
/// [`LOCK_KEY`]'s `bigint` one).
pub const SCHEMA_LOCK_SPACE: i32 = 0x5C4E_3A5F;

/// A Postgres database behind a connection (`&mut PgConnection`, a pooled connection, …), as a
/// [`Database`], reading the schemas of its [`IntrospectOptions`] (default `public`).
#[derive(Debug)]
pub struct PgDatabase<C> {
    conn: C,
    scope: IntrospectOptions,
    /// Views set aside by `before_steps`, in creation order.
    views: Vec<DependentView>,
}

impl<C: DerefMut<Target = PgConnection>> PgDatabase<C> {
    /// Wraps a connection; reads schema `public`.
    pub fn new(conn: C) -> Self {
        Self { conn, scope: IntrospectOptions::default(), views: Vec::new() }
    }

    /// Reads (and changes) these schemas and leaves these tables out.
    pub fn with_scope(mut self, scope: IntrospectOptions) -> Self {
        self.scope = scope;
        self
    }

    /// The schemas read and the tables left out.
    pub fn scope(&self) -> &IntrospectOptions {
        &self.scope
    }

    /// The connection.
    pub fn connection(&mut self) -> &mut PgConnection {
        &mut self.conn
    }

    /// Opens the transaction holding the database-wide lock exclusively (see [`LOCK_KEY`]), for a
    /// change that may touch any schema.
    pub async fn begin_exclusive(&mut self) -> Result<()> {
        self.begin_locked(None).await
    }

    /// Holds (`true`) or releases (`false`) the database-wide lock exclusively at session level,
    /// across the statements of a migration file that cannot run in a transaction.
    pub async fn hold_exclusive(&mut self, on: bool) -> Result<()> {
        let sql = if on { "SELECT pg_advisory_lock($1)" } else { "SELECT pg_advisory_unlock($1)" };
        sqlx::query(sql)
            .persistent(false)
            .bind(LOCK_KEY)
            .execute(&mut *self.conn)
            .await
            .map(|_| ())
            .map_err(|e| Error::postgres("holding the schema-sync advisory lock", e))
    }

    /// `BEGIN`, then the advisory locks: `LOCK_KEY` shared plus one per schema, or `LOCK_KEY`
    /// exclusively when `schemas` is `None`. Rolled back when a lock cannot be taken.
    async fn begin_locked(&mut self, schemas: Option<&[String]>) -> Result<()> {
        run(&mut self.conn, "BEGIN").await?;
        let locked = async {
            let Some(schemas) = schemas else {
                return sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .persistent(false)
                    .bind(LOCK_KEY)
                    .execute(&mut *self.conn)
                    .await
                    .map(|_| ());
            };
            sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
                .persistent(false)
                .bind(LOCK_KEY)
                .execute(&mut *self.conn)
                .await?;
            for s in schemas {
                sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
                    .persistent(false)
                    .bind(SCHEMA_LOCK_SPACE)
                    .bind(s)
                    .execute(&mut *self.conn)
                    .await?;
            }
            Ok(())
        }
        .await
        .map_err(|e| Error::postgres("taking the schema-sync advisory lock", e));
        if let Err(e) = locked {
            let _ = run(&mut self.conn, "ROLLBACK").await;
            return Err(e);
        }
        Ok(())
    }

    /// The schema `schema_version` lives in: the first one read.
    fn version_schema(&self) -> &str {
        self.scope.schemas.first().map(String::as_str).unwrap_or("public")
    }
}

/// `SET [LOCAL] lock_timeout = …; SET [LOCAL] statement_timeout = …` for `limits` (zero or
/// none is Postgres' "no limit"). `LOCAL`: until the transaction ends; else for the session,
/// until [`RESET_LIMITS`].
pub(crate) fn limits_sql(limits: &StepLimits, local: bool) -> String {
    let ms = |d: Option<Duration>| d.map_or(0, |d| if d.is_zero() { 0 } else { d.as_millis().max(1) });
    let scope = if local { "LOCAL " } else { "" };
    format!(
        "SET {scope}lock_timeout = {}; SET {scope}statement_timeout = {}",
        ms(limits.lock_timeout),
        ms(limits.statement_timeout)
    )
}

/// `true` for a statement that cannot run inside a transaction block: `CONCURRENTLY` and the
/// like, or a `DO` block that commits (a batched backfill).
fn needs_session(sql: &str) -> bool {
    crate::sql::runs_outside_transaction(sql) || (sql.starts_with("DO ") && sql.contains(" COMMIT;"))
}

/// Back to the session's own `lock_timeout` and `statement_timeout`.
pub(crate) const RESET_LIMITS: &str = "RESET lock_timeout; RESET statement_timeout";

/// Runs one SQL text with the simple-query protocol (works through transaction poolers).
pub async fn run(conn: &mut PgConnection, sql: &str) -> Result<()> {
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(|e| Error::postgres(format!("running `{}`", crate::sql::short(sql)), e))
}

/// The schemas a target touches, plus `base.schemas`: what must be introspected.
pub fn schemas_for(target: &Schema, base: &IntrospectOptions) -> IntrospectOptions {
    let mut o = base.clone();
    for s in target.tables.iter().filter_map(|t| t.schema.as_ref()).chain(&target.namespaces) {
        if !o.schemas.contains(s) {
            o.schemas.push(s.clone());
        }
    }
    o
}

impl<C: DerefMut<Target = PgConnection> + Send> Database for PgDatabase<C> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn scope_to(&mut self, target: &Schema) {
        self.scope = schemas_for(target, &self.scope);
    }

    async fn capabilities(&mut self) -> Result<Capabilities> {
        Ok(Capabilities::postgres(introspect::server_version(&mut self.conn).await?))
    }

    async fn read_schema(&mut self) -> Result<Schema> {
        introspect::introspect(&mut self.conn, &self.scope).await
    }

    async fn probe(&mut self, probe: &Probe) -> Result<i64> {
        let what = format!("checking {}", probe.finding.subject());
        for sql in &probe.setup {
            run(&mut self.conn, sql).await?;
        }
        let count = sqlx::query(AssertSqlSafe(probe.sql.clone()))
            .persistent(false)
            .fetch_one(&mut *self.conn)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(|e| Error::postgres(&what, e));
        for sql in &probe.teardown {
            run(&mut self.conn, sql).await?;
        }
        count
    }

    async fn begin(&mut self, _plan: &Plan) -> Result<()> {
        let mut schemas = self.scope.schemas.clone();
        schemas.sort();
        schemas.dedup();
        self.begin_locked(Some(&schemas)).await
    }

    async fn limit(&mut self, limits: &StepLimits) -> Result<()> {
        run(&mut self.conn, &limits_sql(limits, true)).await
    }

    async fn table_sizes(&mut self, tables: &[TableRef]) -> Result<HashMap<String, TableSize>> {
        if tables.is_empty() {
            return Ok(HashMap::new());
        }
        let names: Vec<String> = tables.iter().map(TableRef::quoted).collect();
        let rows = sqlx::query(
            "SELECT t.i::int4, GREATEST(c.reltuples, 0)::int8, pg_catalog.pg_total_relation_size(c.oid)::int8 \
             FROM unnest($1::text[]) WITH ORDINALITY AS t(name, i) \
             JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(t.name)",
        )
        .persistent(false)
        .bind(&names)
        .fetch_all(&mut *self.conn)
        .await
        .map_err(|e| Error::postgres("reading table sizes", e))?;
        let mut out = HashMap::new();
        for r in rows {
            let read =
                || Ok::<_, sqlx::Error>((r.try_get::<i32, _>(0)?, r.try_get::<i64, _>(1)?, r.try_get::<i64, _>(2)?));
            let (i, rows, bytes) = read().map_err(|e| Error::postgres("reading table sizes", e))?;
            if let Some(t) = tables.get(i as usize - 1) {
                out.insert(t.display(), TableSize { rows, bytes });
            }
        }
        Ok(out)
    }

    async fn blockers(&mut self, tables: &[TableRef]) -> Result<Vec<Blocker>> {
        let names: Vec<String> = tables.iter().map(TableRef::quoted).collect();
        let rows = sqlx::query(
            "SELECT a.pid, c.oid::regclass::text, l.mode, COALESCE(a.state, ''), \
                    COALESCE(EXTRACT(EPOCH FROM now() - a.xact_start), 0)::float8, COALESCE(a.query, '') \
             FROM pg_catalog.pg_locks l \
             JOIN pg_catalog.pg_class c ON c.oid = l.relation \
             JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
             WHERE l.granted AND l.pid <> pg_backend_pid() \
               AND l.relation = ANY(SELECT pg_catalog.to_regclass(t) FROM unnest($1::text[]) t) \
             ORDER BY a.xact_start NULLS LAST, a.pid",
        )
        .persistent(false)
        .bind(&names)
        .fetch_all(&mut *self.conn)
        .await
        .map_err(|e| Error::postgres("finding the sessions holding the locks", e))?;
        rows.iter()
            .map(|r| {
                Ok(Blocker {
                    pid: r.try_get(0)?,
                    table: r.try_get(1)?,
                    mode: r.try_get::<String, _>(2)?.trim_end_matches("Lock").to_string(),
                    state: r.try_get(3)?,
                    transaction_seconds: r.try_get(4)?,
                    query: crate::sql::short(&r.try_get::<String, _>(5)?),
                })
            })
            .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
            .map_err(|e| Error::postgres("finding the sessions holding the locks", e))
    }

    async fn pause(&mut self, d: Duration) {
        tokio::time::sleep(d).await;
    }

    async fn before_steps(&mut self, plan: &Plan) -> Result<()> {
        self.views = dependent_views(&mut self.conn, plan, &self.scope.schemas).await?;
        for v in self.views.iter().rev() {
            run(&mut self.conn, &format!("DROP {} {}", v.kind(), qualified(Some(&v.schema), &v.name))).await?;
        }
        Ok(())
    }

    async fn run_step(&mut self, _step: &Step, statements: &[&str]) -> Result<u64> {
        for sql in statements {
            run(&mut self.conn, sql).await?;
        }
        Ok(0)
    }

    async fn after_steps(&mut self) -> Result<()> {
        for v in std::mem::take(&mut self.views) {
            let name = qualified(Some(&v.schema), &v.name);
            run(&mut self.conn, &format!("CREATE {} {name} AS {}", v.kind(), v.definition.trim_end_matches(';')))
                .await?;
        }
        Ok(())
    }

    async fn record_version(&mut self, record: &VersionRecord) -> Result<i64> {
        let name = qualified(Some(self.version_schema()), VERSION_TABLE);
        run(
            &mut self.conn,
            &format!(
                "CREATE TABLE IF NOT EXISTS {name} (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), checksum text NOT NULL, description text)"
            ),
        )
        .await?;
        // Bookkeeping is nobody's API: Supabase's default privileges would grant the new table
        // to `anon` and `authenticated` (readable and writable through PostgREST).
        let roles = &self.scope().managed_roles;
        if !roles.is_empty() {
            let revoke = format!(
                "DO $ss$ DECLARE r name; BEGIN FOR r IN SELECT rolname FROM pg_catalog.pg_roles WHERE rolname IN ({}) LOOP \
                 EXECUTE format('REVOKE ALL ON TABLE %s FROM %I', {}, r); END LOOP; END $ss$",
                crate::sql::literal_list(roles),
                crate::sql::quote_literal(&name)
            );
            run(&mut self.conn, &revoke).await?;
        }
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO {name} (version, checksum, description) SELECT COALESCE(MAX(version), 0) + 1, $1, $2 FROM {name}"
        )))
        .persistent(false)
        .bind(&record.checksum)
        .bind(&record.description)
        .execute(&mut *self.conn)
        .await
        .map_err(|e| Error::postgres("recording schema_version", e))?;
        let row = sqlx::query(AssertSqlSafe(format!("SELECT MAX(version) FROM {name}")))
            .persistent(false)
            .fetch_one(&mut *self.conn)
            .await
            .map_err(|e| Error::postgres("reading schema_version", e))?;
        row.try_get::<i64, _>(0).map_err(|e| Error::postgres("reading schema_version", e))
    }

    async fn finish(&mut self, commit: bool) -> Result<()> {
        self.views.clear();
        if commit {
            run(&mut self.conn, "COMMIT").await
        } else {
            // ROLLBACK outside a transaction is only a warning: never an error here.
            run(&mut self.conn, "ROLLBACK").await
        }
    }

    async fn run_alone(&mut self, sql: &str, limits: &StepLimits) -> Result<()> {
        // What may run in a transaction block gets one of its own, sent as one message with its
        // limits: through a transaction pooler too, the limits apply to the statement.
        if !needs_session(sql) {
            let wrapped = format!("BEGIN; {}; {sql}; COMMIT", limits_sql(limits, true));
            let result = run(&mut self.conn, &wrapped).await;
            if result.is_err() {
                let _ = run(&mut self.conn, "ROLLBACK").await;
            }
            return result;
        }
        run(&mut self.conn, &limits_sql(limits, false)).await?;
        let result = run(&mut self.conn, sql).await;
        let reset = run(&mut self.conn, RESET_LIMITS).await;
        result.and(reset)
    }

    async fn hold(&mut self, on: bool) -> Result<()> {
        let mut schemas = self.scope.schemas.clone();
        schemas.sort();
        schemas.dedup();
        let (shared, one) = if on {
            ("SELECT pg_advisory_lock_shared($1)", "SELECT pg_advisory_lock($1, hashtext($2))")
        } else {
            ("SELECT pg_advisory_unlock_shared($1)", "SELECT pg_advisory_unlock($1, hashtext($2))")
        };
        let conn = &mut *self.conn;
        async {
            sqlx::query(shared).persistent(false).bind(LOCK_KEY).execute(&mut *conn).await?;
            for s in &schemas {
                sqlx::query(one).persistent(false).bind(SCHEMA_LOCK_SPACE).bind(s).execute(&mut *conn).await?;
            }
            Ok::<_, sqlx::Error>(())
        }
        .await
        .map_err(|e| Error::postgres("holding the schema-sync advisory lock", e))
    }

    async fn versions(&mut self) -> Result<Vec<VersionRow>> {
        let name = qualified(Some(self.version_schema()), VERSION_TABLE);
        let exists = sqlx::query("SELECT to_regclass($1) IS NOT NULL")
            .persistent(false)
            .bind(&name)
            .fetch_one(&mut *self.conn)
            .await
            .and_then(|r| r.try_get::<bool, _>(0))
            .map_err(|e| Error::postgres("looking for schema_version", e))?;
        if !exists {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT version, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), checksum, description FROM {name} ORDER BY version"
        )))
        .persistent(false)
        .fetch_all(&mut *self.conn)
        .await
        .map_err(|e| Error::postgres("reading schema_version", e))?;
        rows.iter()
            .map(|r| {
                Ok(VersionRow {
                    version: r.try_get(0)?,
                    applied_at: r.try_get(1)?,
                    checksum: r.try_get(2)?,
                    description: r.try_get(3)?,
                })
            })
            .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
            .map_err(|e| Error::postgres("reading schema_version", e))
    }
}

impl<'c> IntoDatabase for &'c mut PgConnection {
    type Database = PgDatabase<&'c mut PgConnection>;
    fn into_database(self) -> Self::Database {
        PgDatabase::new(self)
    }
}

impl<'c> IntoDatabase for &'c mut sqlx::pool::PoolConnection<sqlx::Postgres> {
    type Database = PgDatabase<&'c mut PgConnection>;
    fn into_database(self) -> Self::Database {
        PgDatabase::new(&mut **self)
    }
}

impl<C: DerefMut<Target = PgConnection> + Send> IntoDatabase for PgDatabase<C> {
    type Database = PgDatabase<C>;
    fn into_database(self) -> Self {
        self
    }
}

/// A view (or materialized view) that depends on a table the plan alters.
#[derive(Debug, Clone)]
struct DependentView {
    schema: String,
    name: String,
    definition: String,
    materialized: bool,
}

impl DependentView {
    fn kind(&self) -> &'static str {
        if self.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        }
    }
}

/// Views **outside the schemas in scope** that (transitively) read a table whose columns the
/// plan retypes or drops, or a view it drops, in creation order (a view after the views it
/// reads). The views in scope are the plan's own: it sets them aside itself
/// (`plan::dependents`), so the SQL it writes does the same; these it cannot know about.
async fn dependent_views(conn: &mut PgConnection, plan: &Plan, scope: &[String]) -> Result<Vec<DependentView>> {
    let tables: Vec<String> = plan
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::AlterColumnType { table, .. }
            | Step::DropColumn { table, .. }
            | Step::AlterIdentity { table, .. } => Some(table.quoted()),
            Step::RecreateEnum { uses, .. } => uses.first().map(|u| u.table.quoted()),
            Step::DropView { view, .. } => Some(view.relation().quoted()),
            _ => None,
        })
        .collect();
    if tables.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "WITH RECURSIVE deps(oid, depth) AS ( \
           SELECT DISTINCT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid \
           WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = ANY(SELECT to_regclass(t)::oid FROM unnest($1::text[]) t) \
             AND r.ev_class <> d.refobjid \
           UNION \
           SELECT r.ev_class, deps.depth + 1 FROM deps JOIN pg_depend d ON d.refobjid = deps.oid \
             JOIN pg_rewrite r ON r.oid = d.objid \
           WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class <> deps.oid AND deps.depth < 50 \
         ) \
         SELECT n.nspname::text, c.relname::text, pg_get_viewdef(c.oid), c.relkind = 'm', max(deps.depth) AS depth \
         FROM deps JOIN pg_class c ON c.oid = deps.oid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('v', 'm') AND n.nspname <> ALL($2) GROUP BY 1, 2, 3, 4 ORDER BY depth, 1, 2",
    )
    .persistent(false)
    .bind(&tables)
    .bind(scope)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| Error::postgres("finding views that depend on altered tables", e))?;
    rows.iter()
        .map(|r| {
            Ok(DependentView {
                schema: r.try_get(0)?,
                name: r.try_get(1)?,
                definition: r.try_get(2)?,
                materialized: r.try_get(3)?,
            })
        })
        .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
        .map_err(|e| Error::postgres("reading dependent views", e))
}
