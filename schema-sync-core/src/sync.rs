//! Syncing a SQLite database and a Postgres database: `sqlite-wins`, `postgres-wins`, `merge`.
//!
//! Each strategy computes one target schema per side ([`targets`], pure), then each side is
//! brought to its target by the ordinary apply ([`crate::apply::sqlite::migrate`],
//! [`crate::apply::postgres::migrate`]) in its own transaction, and both sides get a
//! `schema_version` row with the same checksum.
//!
//! * `sqlite-wins`: Postgres is made to match SQLite (types mapped across by the compatibility
//!   rules; compatible columns are left alone).
//! * `postgres-wins`: SQLite is made to match Postgres (table rebuilds keep every row).
//! * `merge`: each side gets the tables and columns only the other has. The same column with
//!   incompatible types or different nullability, or a table with a different primary key, is a
//!   [`Conflict`]: nothing runs unless `on_conflict` says which side wins those.
//!
//! ```
//! use schema_sync_core::model::{Column, Schema, Table};
//! use schema_sync_core::sync::{targets, Strategy};
//! use schema_sync_core::types::{postgres, sqlite, Dialect};
//! let mut lite = Schema::empty(Some(Dialect::Sqlite));
//! let mut t = Table::new("notes");
//! t.columns.push(Column::new("body", sqlite::parse("TEXT")));
//! lite.tables.push(t);
//! let mut pg = Schema::empty(Some(Dialect::Postgres));
//! let mut t = Table::new("tags");
//! t.schema = Some("public".into());
//! t.columns.push(Column::new("label", postgres::parse("text").unwrap()));
//! pg.tables.push(t);
//! let merged = targets(&lite, &pg, Strategy::Merge, None);
//! assert!(merged.conflicts.is_empty());
//! assert_eq!(merged.sqlite.tables.len(), 2);
//! assert_eq!(merged.postgres.tables.len(), 2);
//! ```

use crate::apply::{self, ApplyOptions, Outcome};
use crate::introspect::{postgres as pgi, sqlite as litei, IntrospectOptions};
use crate::model::{Schema, Table};
use crate::resolve::translate;
use crate::types::{compat, Dialect};
use crate::{Error, Result};
use serde::Serialize;

/// Which way to sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Postgres is changed to match SQLite.
    SqliteWins,
    /// SQLite is changed to match Postgres.
    PostgresWins,
    /// Both sides get what only the other has.
    Merge,
}

impl Strategy {
    /// `sqlite-wins`, `postgres-wins`, `merge`.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::SqliteWins => "sqlite-wins",
            Strategy::PostgresWins => "postgres-wins",
            Strategy::Merge => "merge",
        }
    }
}

/// One of the two databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The SQLite database.
    Sqlite,
    /// The Postgres database.
    Postgres,
}

/// What a merge conflict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Same column, types no compatibility rule accepts.
    Type,
    /// Same column, NOT NULL on one side only.
    Nullability,
    /// Same table, different primary key.
    PrimaryKey,
}

/// A difference `merge` cannot resolve by adding things.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// Table name.
    pub table: String,
    /// Column name (`None` for a primary key conflict).
    pub column: Option<String>,
    /// What differs.
    pub kind: ConflictKind,
    /// One sentence naming both sides.
    pub message: String,
}

/// The schema each side should end at.
#[derive(Debug, Clone)]
pub struct Targets {
    /// Target of the SQLite database (in any dialect; apply translates).
    pub sqlite: Schema,
    /// Target of the Postgres database.
    pub postgres: Schema,
    /// Merge conflicts found (resolved by `on_conflict` when given).
    pub conflicts: Vec<Conflict>,
    /// Checksum recorded in `schema_version` on both sides.
    pub checksum: String,
}

fn find<'a>(s: &'a Schema, name: &str) -> Option<&'a Table> {
    s.tables.iter().find(|t| t.name.eq_ignore_ascii_case(name))
}

/// Conflicts between a SQLite and a Postgres schema over the tables both have. Pure.
pub fn conflicts(sqlite: &Schema, postgres: &Schema) -> Vec<Conflict> {
    let mut out = Vec::new();
    for st in &sqlite.tables {
        let Some(pt) = find(postgres, &st.name) else { continue };
        let pk =
            |t: &Table| t.primary_key.as_ref().map(|p| p.columns.iter().map(|c| c.to_lowercase()).collect::<Vec<_>>());
        let pk_cols = pk(pt).unwrap_or_default();
        if pk(st) != pk(pt) {
            let show = |t: &Table| {
                t.primary_key.as_ref().map(|p| format!("({})", p.columns.join(", "))).unwrap_or("none".into())
            };
            out.push(Conflict {
                table: st.name.clone(),
                column: None,
                kind: ConflictKind::PrimaryKey,
                message: format!("table `{}`: primary key {} in SQLite, {} in Postgres", st.name, show(st), show(pt)),
            });
        }
        for sc in &st.columns {
            let Some(pc) = pt.columns.iter().find(|c| c.name.eq_ignore_ascii_case(&sc.name)) else { continue };
            let verdict = compat::compatible(&sc.ty, &pc.ty);
            if !verdict.compatible {
                out.push(Conflict {
                    table: st.name.clone(),
                    column: Some(sc.name.clone()),
                    kind: ConflictKind::Type,
                    message: format!("column `{}.{}`: {}", st.name, sc.name, verdict.explain),
                });
            }
            // SQLite lets key columns hold NULL unless declared otherwise; Postgres never does.
            if sc.nullable != pc.nullable && !pk_cols.contains(&sc.name.to_lowercase()) {
                let n = |b: bool| if b { "nullable" } else { "NOT NULL" };
                out.push(Conflict {
                    table: st.name.clone(),
                    column: Some(sc.name.clone()),
                    kind: ConflictKind::Nullability,
                    message: format!(
                        "column `{}.{}`: {} in SQLite, {} in Postgres",
                        st.name,
                        sc.name,
                        n(sc.nullable),
                        n(pc.nullable)
                    ),
                });
            }
        }
    }
    out
}

/// `base` plus the tables and columns of `other` (same dialect) it lacks; where `prefer_other`,
/// conflicting columns and keys take `other`'s definition.
fn union(base: &Schema, other: &Schema, conflicts: &[Conflict], prefer_other: bool) -> Schema {
    let mut out = base.clone();
    for ot in &other.tables {
        let Some(bt) = out.tables.iter_mut().find(|t| t.name.eq_ignore_ascii_case(&ot.name)) else {
            out.tables.push(ot.clone());
            continue;
        };
        for oc in &ot.columns {
            match bt.columns.iter_mut().find(|c| c.name.eq_ignore_ascii_case(&oc.name)) {
                None => bt.columns.push(oc.clone()),
                Some(bc) => {
                    let conflicted = conflicts.iter().any(|c| {
                        c.table.eq_ignore_ascii_case(&ot.name)
                            && c.column.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&oc.name))
                    });
                    if prefer_other && conflicted {
                        let name = bc.name.clone();
                        *bc = oc.clone();
                        bc.name = name;
                    }
                }
            }
        }
        let pk_conflict =
            conflicts.iter().any(|c| c.kind == ConflictKind::PrimaryKey && c.table.eq_ignore_ascii_case(&ot.name));
        if prefer_other && pk_conflict {
            bt.primary_key = ot.primary_key.clone();
        }
    }
    out.normalize();
    out
}

/// The target of each side for `strategy`. Pure. With merge conflicts and no `on_conflict`,
/// the targets leave conflicting columns as they are on each side.
pub fn targets(sqlite: &Schema, postgres: &Schema, strategy: Strategy, on_conflict: Option<Side>) -> Targets {
    let (sqlite_t, postgres_t, conflicts) = match strategy {
        Strategy::SqliteWins => (sqlite.clone(), sqlite.clone(), Vec::new()),
        Strategy::PostgresWins => (postgres.clone(), postgres.clone(), Vec::new()),
        Strategy::Merge => {
            let found = conflicts(sqlite, postgres);
            let (pg_as_lite, _) = translate(postgres, Dialect::Sqlite, Some(sqlite));
            let (lite_as_pg, _) = translate(sqlite, Dialect::Postgres, Some(postgres));
            let s = union(sqlite, &pg_as_lite, &found, on_conflict == Some(Side::Postgres));
            let p = union(postgres, &lite_as_pg, &found, on_conflict == Some(Side::Sqlite));
            (s, p, found)
        }
    };
    let checksum = crate::snapshot::checksum(&postgres_t);
    Targets { sqlite: sqlite_t, postgres: postgres_t, conflicts, checksum }
}

/// How to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The strategy.
    pub strategy: Strategy,
    /// Which side wins merge conflicts; `None` stops on a conflict.
    pub on_conflict: Option<Side>,
    /// Run the plans (default: plan only).
    pub apply: bool,
    /// Diff/plan options and `allow_destructive` for both sides (`dry_run` is ignored).
    pub apply_options: ApplyOptions,
    /// Postgres schemas to read.
    pub introspect: IntrospectOptions,
}

/// What [`sync`] found and did.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    /// The strategy.
    pub strategy: Strategy,
    /// Merge conflicts (when unresolved, nothing was applied).
    pub conflicts: Vec<Conflict>,
    /// `true` when conflicts exist and `on_conflict` did not resolve them.
    pub blocked: bool,
    /// The SQLite side's plan (and what ran).
    pub sqlite: Outcome,
    /// The Postgres side's plan (and what ran).
    pub postgres: Outcome,
    /// Checksum recorded on both sides when applied.
    pub checksum: String,
    /// `true` when the plans ran.
    pub applied: bool,
}

impl SyncReport {
    /// `true` when either side has something to change (or a conflict stands).
    pub fn has_drift(&self) -> bool {
        self.blocked || !self.sqlite.plan.is_empty() || !self.postgres.plan.is_empty()
    }
}

/// Plans both sides and, with `opts.apply`, runs them: every check (conflicts, destructive
/// steps) passes for both sides before either changes. Postgres is changed first, then SQLite,
/// each in its own transaction; both record a `schema_version` row with the same checksum.
pub async fn sync(
    lite: &mut rusqlite::Connection,
    pg: &mut sqlx::PgConnection,
    opts: &SyncOptions,
) -> Result<SyncReport> {
    let s = litei::introspect(lite, &IntrospectOptions::default())?;
    let p = pgi::introspect(pg, &opts.introspect).await?;
    let t = targets(&s, &p, opts.strategy, opts.on_conflict);
    let blocked = !t.conflicts.is_empty() && opts.on_conflict.is_none();
    let description = format!("sync {}", opts.strategy.name());
    let base = ApplyOptions {
        dry_run: true,
        checksum: Some(t.checksum.clone()),
        description: Some(description.clone()),
        ..opts.apply_options.clone()
    };
    let mut sqlite_out = apply::sqlite::migrate(lite, &t.sqlite, &base)?;
    let mut pg_out = apply::postgres::migrate(pg, &t.postgres, &opts.introspect, &base).await?;
    let mut report = SyncReport {
        strategy: opts.strategy,
        conflicts: t.conflicts,
        blocked,
        sqlite: sqlite_out.clone(),
        postgres: pg_out.clone(),
        checksum: t.checksum.clone(),
        applied: false,
    };
    if !opts.apply || blocked || !report.has_drift() {
        return Ok(report);
    }
    apply::check_destructive(&sqlite_out.plan, base.allow_destructive)
        .map_err(|e| Error::Refused(format!("SQLite side: {e}")))?;
    apply::check_destructive(&pg_out.plan, base.allow_destructive)
        .map_err(|e| Error::Refused(format!("Postgres side: {e}")))?;
    let run = ApplyOptions { dry_run: false, ..base };
    // Both sides must pass their preflight row checks and a rehearsal (SQLite on an in-memory
    // copy, Postgres in a rolled-back transaction) before either database changes, so a side
    // that would fail stops the sync with nothing changed anywhere.
    if !sqlite_out.plan.is_empty() {
        let findings = apply::sqlite::preflight(lite, &sqlite_out.plan, &sqlite_out.comparison.from)?;
        if !findings.is_empty() {
            return Err(Error::Refused(format!("SQLite side: {}", apply::preflight::refuse(&findings))));
        }
        apply::sqlite::rehearse(lite, &t.sqlite, &run).map_err(|e| Error::Refused(format!("SQLite side: {e}")))?;
    }
    if !pg_out.plan.is_empty() {
        let findings = apply::postgres::preflight(pg, &pg_out.plan, &pg_out.comparison.from).await?;
        if !findings.is_empty() {
            return Err(Error::Refused(format!("Postgres side: {}", apply::preflight::refuse(&findings))));
        }
        apply::postgres::rehearse(pg, &pg_out, &opts.introspect)
            .await
            .map_err(|e| Error::Refused(format!("Postgres side: {e}")))?;
    }
    let version_schema = opts.introspect.schemas.first().cloned().unwrap_or_else(|| "public".into());
    if pg_out.plan.is_empty() {
        record_postgres(pg, &t.checksum, &description, &version_schema).await?;
    } else {
        pg_out = apply::postgres::migrate(pg, &t.postgres, &opts.introspect, &run).await?;
    }
    if sqlite_out.plan.is_empty() {
        record_sqlite(lite, &t.checksum, &description)?;
    } else {
        sqlite_out = apply::sqlite::migrate(lite, &t.sqlite, &run)?;
    }
    report.sqlite = sqlite_out;
    report.postgres = pg_out;
    report.applied = true;
    Ok(report)
}

/// A `schema_version` row alone, in its own transaction (the side that did not change).
fn record_sqlite(conn: &mut rusqlite::Connection, checksum: &str, description: &str) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| Error::sqlite("starting a write transaction", e))?;
    apply::sqlite::record(&tx, checksum, Some(description))?;
    tx.commit().map_err(|e| Error::sqlite("committing schema_version", e))
}

async fn record_postgres(conn: &mut sqlx::PgConnection, checksum: &str, description: &str, schema: &str) -> Result<()> {
    use sqlx::Connection;
    let mut tx = conn.begin().await.map_err(|e| Error::postgres("starting a transaction", e))?;
    apply::postgres::run(&mut tx, &format!("SELECT pg_advisory_xact_lock({})", apply::postgres::LOCK_KEY)).await?;
    apply::postgres::record(&mut tx, checksum, Some(description), Some(schema)).await?;
    tx.commit().await.map_err(|e| Error::postgres("committing schema_version", e))
}
