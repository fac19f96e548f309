//! Applying a plan to Postgres: `BEGIN` + advisory transaction lock, re-check the live schema,
//! run, verify, record `schema_version`, commit; statements that cannot run in a transaction
//! (`CREATE INDEX CONCURRENTLY`) run after the commit, one by one.

use super::{check_unchanged, verify, ApplyOptions, Outcome};
use crate::introspect::{postgres as introspect, IntrospectOptions};
use crate::model::Schema;
use crate::plan::Capabilities;
use crate::types::Dialect;
use crate::{version, Error, Result};
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};

/// Key of the advisory lock every schema-sync change takes, so two runs never interleave.
pub const LOCK_KEY: i64 = 0x5C4E_3A5F_5359_4E43;

/// Capabilities of the server behind `conn`.
pub async fn capabilities(conn: &mut PgConnection) -> Result<Capabilities> {
    Ok(Capabilities::postgres(introspect::server_version(conn).await?))
}

/// Runs one SQL text with the simple-query protocol (works through transaction poolers).
pub async fn run(conn: &mut PgConnection, sql: &str) -> Result<()> {
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(|e| Error::postgres(format!("running `{}`", super::short(sql)), e))
}

/// The schemas a target touches, plus `opts.schemas`: what must be introspected.
pub fn schemas_for(target: &Schema, base: &IntrospectOptions) -> IntrospectOptions {
    let mut o = base.clone();
    for t in &target.tables {
        if let Some(s) = &t.schema {
            if !o.schemas.contains(s) {
                o.schemas.push(s.clone());
            }
        }
    }
    o
}

/// Brings the database behind `conn` to `target`; see [`super::sqlite::migrate`].
pub async fn migrate(
    conn: &mut PgConnection,
    target: &Schema,
    introspect_opts: &IntrospectOptions,
    opts: &ApplyOptions,
) -> Result<Outcome> {
    let iopts = schemas_for(target, introspect_opts);
    let live = introspect::introspect(conn, &iopts).await?;
    let caps = capabilities(conn).await?;
    let (mut outcome, run) = super::plan_outcome(&live, target, &caps, opts)?;
    if !run {
        return Ok(outcome);
    }
    if opts.preflight {
        super::refuse_findings(&preflight(conn, &outcome.plan, &outcome.comparison.from).await?)?;
    }
    if opts.validate {
        rehearse(conn, &outcome, &iopts).await?;
    }
    let checksum = opts.checksum.clone().unwrap_or_else(|| crate::snapshot::checksum(target));
    let version_schema = iopts.schemas.first().cloned();
    let version = execute(conn, &outcome, &iopts, &checksum, opts, version_schema.as_deref()).await?;
    outcome.applied = true;
    outcome.version = version;
    Ok(outcome)
}

/// Runs the transactional statements of a plan. Views over retyped or dropped columns block
/// such changes, so they are dropped first and recreated from their own definitions after, in
/// the same transaction.
async fn run_statements(conn: &mut PgConnection, outcome: &Outcome) -> Result<()> {
    let views = dependent_views(conn, &outcome.plan).await?;
    for v in views.iter().rev() {
        run(conn, &format!("DROP {} {}", v.kind(), crate::render::qualified(Some(&v.schema), &v.name))).await?;
    }
    for s in outcome.statements.iter().filter(|s| s.transactional) {
        run(conn, &s.sql).await?;
    }
    for v in &views {
        let name = crate::render::qualified(Some(&v.schema), &v.name);
        run(conn, &format!("CREATE {} {name} AS {}", v.kind(), v.definition.trim_end_matches(';'))).await?;
    }
    Ok(())
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

/// Views that (transitively) read a table whose columns the plan retypes or drops, in
/// creation order (a view after the views it reads).
async fn dependent_views(conn: &mut PgConnection, plan: &crate::plan::Plan) -> Result<Vec<DependentView>> {
    use crate::plan::Step;
    let tables: Vec<String> = plan
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::AlterColumnType { table, .. }
            | Step::DropColumn { table, .. }
            | Step::AlterIdentity { table, .. } => Some(crate::render::table_ref(table)),
            Step::RecreateEnum { uses, .. } => uses.first().map(|u| crate::render::table_ref(&u.table)),
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
         WHERE c.relkind IN ('v', 'm') GROUP BY 1, 2, 3, 4 ORDER BY depth, 1, 2",
    )
    .persistent(false)
    .bind(&tables)
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

/// Runs the preflight probes of `plan` (read-only) and returns those that found rows.
pub async fn preflight(
    conn: &mut PgConnection,
    plan: &crate::plan::Plan,
    live: &Schema,
) -> Result<Vec<super::preflight::Finding>> {
    let mut out = Vec::new();
    for probe in super::preflight::probes(plan, live) {
        let row = sqlx::query(AssertSqlSafe(probe.sql.clone()))
            .persistent(false)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| Error::postgres(format!("checking {}", probe.subject), e))?;
        let rows: i64 = row.try_get(0).map_err(|e| Error::postgres(format!("checking {}", probe.subject), e))?;
        if rows > 0 {
            out.push(super::preflight::Finding { probe, rows });
        }
    }
    Ok(out)
}

/// Runs every transactional statement and the verification inside a transaction that is
/// always rolled back: a rehearsal on the live data that changes nothing.
pub async fn rehearse(conn: &mut PgConnection, outcome: &Outcome, iopts: &IntrospectOptions) -> Result<()> {
    let mut tx = conn.begin().await.map_err(|e| Error::postgres("starting a validation transaction", e))?;
    let result = async {
        run_statements(&mut tx, outcome).await?;
        if outcome.statements.iter().all(|s| s.transactional) {
            let after = introspect::introspect(&mut tx, iopts).await?;
            verify(&after, &outcome.comparison.to)?;
        }
        Ok::<(), Error>(())
    }
    .await;
    let _ = tx.rollback().await;
    result.map_err(|e| Error::Refused(format!("validation (rolled back) failed, nothing was changed: {e}")))
}

async fn execute(
    conn: &mut PgConnection,
    outcome: &Outcome,
    iopts: &IntrospectOptions,
    checksum: &str,
    opts: &ApplyOptions,
    version_schema: Option<&str>,
) -> Result<Option<i64>> {
    let mut tx = conn.begin().await.map_err(|e| Error::postgres("starting a transaction", e))?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .persistent(false)
        .bind(LOCK_KEY)
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::postgres("taking the schema-sync advisory lock", e))?;
    let live = introspect::introspect(&mut tx, iopts).await?;
    check_unchanged(&live, &outcome.comparison.from)?;
    run_statements(&mut tx, outcome).await?;
    // Concurrent index builds run after the commit, so the target is verified after them.
    let deferred: Vec<&str> = outcome.statements.iter().filter(|s| !s.transactional).map(|s| s.sql.as_str()).collect();
    if deferred.is_empty() {
        let after = introspect::introspect(&mut tx, iopts).await?;
        verify(&after, &outcome.comparison.to)?;
    }
    let version = if opts.record_version {
        Some(record(&mut tx, checksum, opts.description.as_deref(), version_schema).await?)
    } else {
        None
    };
    tx.commit().await.map_err(|e| Error::postgres("committing", e))?;
    for sql in deferred {
        run(conn, sql).await?;
    }
    if !outcome.statements.iter().all(|s| s.transactional) {
        let after = introspect::introspect(conn, iopts).await?;
        verify(&after, &outcome.comparison.to)?;
    }
    Ok(version)
}

/// Creates `schema_version` if needed and appends a row; returns its version.
pub async fn record(
    conn: &mut PgConnection,
    checksum: &str,
    description: Option<&str>,
    schema: Option<&str>,
) -> Result<i64> {
    run(conn, &version::create_sql(Dialect::Postgres, schema)).await?;
    sqlx::query(AssertSqlSafe(version::insert_sql(Dialect::Postgres, schema)))
        .persistent(false)
        .bind(checksum)
        .bind(description)
        .execute(&mut *conn)
        .await
        .map_err(|e| Error::postgres("recording schema_version", e))?;
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT MAX(version) FROM {}",
        crate::render::qualified(schema, version::TABLE)
    )))
    .persistent(false)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| Error::postgres("reading schema_version", e))?;
    row.try_get::<i64, _>(0).map_err(|e| Error::postgres("reading schema_version", e))
}

/// Rows of `schema_version` in `schema` (empty when the table does not exist).
pub async fn versions(conn: &mut PgConnection, schema: &str) -> Result<Vec<version::VersionRow>> {
    let exists = sqlx::query("SELECT to_regclass($1) IS NOT NULL")
        .persistent(false)
        .bind(crate::render::qualified(Some(schema), version::TABLE))
        .fetch_one(&mut *conn)
        .await
        .and_then(|r| r.try_get::<bool, _>(0))
        .map_err(|e| Error::postgres("looking for schema_version", e))?;
    if !exists {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(AssertSqlSafe(version::select_sql(Dialect::Postgres, Some(schema))))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| Error::postgres("reading schema_version", e))?;
    rows.iter()
        .map(|r| {
            Ok(version::VersionRow {
                version: r.try_get(0)?,
                applied_at: r.try_get(1)?,
                checksum: r.try_get(2)?,
                description: r.try_get(3)?,
            })
        })
        .collect::<std::result::Result<Vec<_>, sqlx::Error>>()
        .map_err(|e| Error::postgres("reading schema_version", e))
}
