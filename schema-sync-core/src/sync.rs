//! Syncing a SQLite database and a Postgres database: `sqlite-wins`, `postgres-wins`, `merge`.
//!
//! Each strategy computes one target schema per side ([`targets`], pure), then each side is
//! brought to its target by the one safety procedure ([`crate::apply::migrate_database`]) in
//! its own transaction, and both sides get a `schema_version` row with the same checksum.
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

use crate::apply::{self, ApplyOptions, Database, IntoDatabase, Outcome, VersionRecord};
use crate::model::{Schema, Table};
use crate::resolve::translate;
use crate::types::{compat, Dialect};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Which way to sync. Reads from configuration as `sqlite-wins`, `postgres-wins`, `merge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// One of the two databases. Reads from configuration as `sqlite`, `postgres`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

fn on_side<T>(side: Side, r: Result<T>) -> Result<T> {
    r.map_err(|e| Error::Side { side: side.label(), source: Box::new(e) })
}

impl Side {
    /// `SQLite` or `Postgres`, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Side::Sqlite => "SQLite",
            Side::Postgres => "Postgres",
        }
    }
}

/// Plans both sides and, with `opts.apply`, runs them: every check (conflicts, destructive
/// steps, preflight row counts, a rehearsal rolled back on each side) passes for both sides
/// before either changes. Postgres is changed first, then SQLite, each in its own transaction;
/// both record a `schema_version` row with the same checksum.
///
/// `lite` and `pg` are anything [`IntoDatabase`]: `&mut rusqlite::Connection` and
/// `&mut PgConnection`, or [`crate::apply::postgres::PgDatabase`] with its schemas.
pub async fn sync<L: IntoDatabase, P: IntoDatabase>(lite: L, pg: P, opts: &SyncOptions) -> Result<SyncReport> {
    let (mut lite, mut pg) = (lite.into_database(), pg.into_database());
    let s = lite.read_schema().await?;
    let p = pg.read_schema().await?;
    let t = targets(&s, &p, opts.strategy, opts.on_conflict);
    let blocked = !t.conflicts.is_empty() && opts.on_conflict.is_none();
    let description = format!("sync {}", opts.strategy.name());
    let base = ApplyOptions {
        dry_run: true,
        checksum: Some(t.checksum.clone()),
        description: Some(description.clone()),
        ..opts.apply_options.clone()
    };
    let sqlite_out = apply::migrate_database(&mut lite, &t.sqlite, &base).await?;
    let pg_out = apply::migrate_database(&mut pg, &t.postgres, &base).await?;
    let mut report = SyncReport {
        strategy: opts.strategy,
        conflicts: t.conflicts,
        blocked,
        sqlite: sqlite_out,
        postgres: pg_out,
        checksum: t.checksum.clone(),
        applied: false,
    };
    let record = VersionRecord { checksum: t.checksum.clone(), description: Some(description) };
    if !opts.apply || blocked {
        return Ok(report);
    }
    if !report.has_drift() {
        // Nothing to change — but a sync that stopped half-way (one side changed, the other
        // failed) left a side without the shared checksum: record it now.
        report.applied = record_if_behind(&mut lite, &record).await? | record_if_behind(&mut pg, &record).await?;
        return Ok(report);
    }
    on_side(Side::Sqlite, apply::check_destructive(&report.sqlite.plan, base.allow_destructive))?;
    on_side(Side::Postgres, apply::check_destructive(&report.postgres.plan, base.allow_destructive))?;
    // Both sides must pass their preflight row checks and a rehearsal (a transaction that is
    // rolled back) before either database changes, so a side that would fail stops the sync
    // with nothing changed anywhere.
    let checks = ApplyOptions { dry_run: false, preflight: true, validate: true, ..base.clone() };
    if !report.sqlite.plan.is_empty() {
        on_side(Side::Sqlite, apply::check(&mut lite, &report.sqlite, &checks).await)?;
    }
    if !report.postgres.plan.is_empty() {
        on_side(Side::Postgres, apply::check(&mut pg, &report.postgres, &checks).await)?;
    }
    let run = ApplyOptions { dry_run: false, validate: false, ..base };
    report.postgres = bring(&mut pg, &t.postgres, report.postgres, &run, &record).await?;
    // Postgres is committed: a failure now must say so, and the next sync finishes the job
    // (the SQLite plan is computed again; the checksum is recorded where it is missing).
    report.sqlite = bring(&mut lite, &t.sqlite, report.sqlite, &run, &record).await.map_err(|e| {
        Error::HalfApplied { changed: Side::Postgres.label(), failed: Side::Sqlite.label(), source: Box::new(e) }
    })?;
    report.applied = true;
    Ok(report)
}

/// Records `record` on `db` unless its latest `schema_version` row already has the checksum;
/// `true` when it wrote one.
async fn record_if_behind<D: Database>(db: &mut D, record: &VersionRecord) -> Result<bool> {
    let latest = db.versions().await?.pop();
    if latest.is_some_and(|v| v.checksum == record.checksum) {
        return Ok(false);
    }
    apply::record_only(db, record).await?;
    Ok(true)
}

/// Brings one side to its target (or, when it has nothing to change, records the shared
/// checksum alone).
async fn bring<D: Database>(
    db: &mut D,
    target: &Schema,
    planned: Outcome,
    run: &ApplyOptions,
    record: &VersionRecord,
) -> Result<Outcome> {
    if planned.plan.is_empty() {
        apply::record_only(db, record).await?;
        Ok(planned)
    } else {
        apply::migrate_database(db, target, run).await
    }
}
