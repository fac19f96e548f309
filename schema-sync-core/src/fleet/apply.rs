//! `fleet apply`: every target migrated to the desired schema with the one safety procedure of
//! [`crate::apply::migrate`], in parallel, resumable through a [`Ledger`].

use super::audit::{drift_items, for_dialect, tenant_schemas};
use super::workers::{threads, StopOnDrop};
use super::{FleetOptions, FleetReport, Ledger, State, Target, TargetReport, TargetSpec};
use crate::apply::postgres::PgDatabase;
use crate::apply::{self as one, Outcome};
use crate::introspect::{postgres as pgi, sqlite as litei, IntrospectOptions};
use crate::model::Schema;
use crate::plan::PlanOptions;
use crate::{Dialect, Error, Result};
use sqlx::{AssertSqlSafe, PgConnection};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// How a fleet is migrated.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Run steps that delete data. Off: a target that needs one fails with the losses named.
    pub allow_destructive: bool,
    /// Migrate this many targets first (in the order given); if any of them fails, stop and
    /// leave the rest [`State::Skipped`].
    pub canary: usize,
    /// Conversions, backfills, concurrent indexes, … as for one database.
    pub plan: PlanOptions,
    /// Lock and statement timeouts and retries, per target, as for one database.
    pub budget: crate::apply::LockBudget,
    /// `schema_version.description` (default `fleet apply`).
    pub description: Option<String>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        let one = crate::apply::ApplyOptions::default();
        ApplyOptions { allow_destructive: false, canary: 0, plan: one.plan, budget: one.budget, description: None }
    }
}

/// Migrates every target to `desired` and streams each result to `on_report`.
///
/// Each target gets what `apply` gives one database: destructive steps refused unless
/// allowed, the preflight row counts, a rehearsal, then one transaction that re-checks the
/// live schema, runs the plan, verifies the result and records a `schema_version` row (the
/// checksum of `desired`, the same for every target). A target that fails is rolled back and
/// reported with its reason; the others go on. With a `ledger`, targets it lists as done are
/// not opened ([`State::AlreadyDone`]) and each finished target is recorded as soon as it
/// committed. A target already at `desired` is left alone ([`State::InSync`]), so a rerun
/// never migrates a target twice even without a ledger.
pub async fn apply(
    specs: &[TargetSpec],
    desired: &Schema,
    opts: &FleetOptions,
    apply_opts: &ApplyOptions,
    mut ledger: Option<&mut Ledger>,
    on_report: &mut (dyn FnMut(&TargetReport) + Send),
) -> Result<FleetReport> {
    let checksum = crate::snapshot::checksum(desired);
    let mut reports = Vec::new();
    let mut emit = |r: TargetReport, reports: &mut Vec<TargetReport>| {
        on_report(&r);
        reports.push(r);
    };
    let mut todo = Vec::new();
    let (targets, unlisted) = expand(specs).await;
    for failed in unlisted {
        emit(failed, &mut reports);
    }
    for t in targets {
        if ledger.as_ref().is_some_and(|l| l.is_done(&t.display())) {
            emit(TargetReport::new(&t, State::AlreadyDone), &mut reports)
        } else {
            todo.push(t)
        }
    }
    let job = Arc::new(Job {
        sqlite: for_dialect(desired, Dialect::Sqlite, &opts.template_schema)?,
        postgres: for_dialect(desired, Dialect::Postgres, &opts.template_schema)?,
        options: one::ApplyOptions {
            allow_destructive: apply_opts.allow_destructive,
            checksum: Some(checksum.clone()),
            description: Some(apply_opts.description.clone().unwrap_or_else(|| "fleet apply".to_string())),
            diff: opts.diff.clone(),
            plan: apply_opts.plan.clone(),
            budget: apply_opts.budget.clone(),
            preflight: true,
            validate: true,
            ..Default::default()
        },
        fleet: opts.clone(),
    });
    let rest = if apply_opts.canary > 0 { todo.split_off(apply_opts.canary.min(todo.len())) } else { Vec::new() };
    let mut failed = false;
    for (phase, targets) in [todo, rest].into_iter().enumerate() {
        if phase == 1 && failed {
            for t in targets {
                let mut r = TargetReport::new(&t, State::Skipped);
                r.error = Some("not attempted: a canary target failed".to_string());
                emit(r, &mut reports);
            }
            break;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let _stop_on_drop = StopOnDrop(stop.clone());
        let mut rx = start(targets, &job, &stop);
        while let Some(r) = rx.recv().await {
            if let Some(l) = ledger.as_deref_mut() {
                l.record(&r)?;
            }
            failed |= r.state == State::Failed;
            emit(r, &mut reports);
        }
    }
    Ok(FleetReport::new("apply", checksum, reports))
}

/// What every worker needs: the desired schema per dialect and the per-target options.
struct Job {
    sqlite: Schema,
    postgres: Schema,
    options: one::ApplyOptions,
    fleet: FleetOptions,
}

/// The concrete targets of the specs, in order, and a failed report for each Postgres database
/// whose schemas could not be listed.
async fn expand(specs: &[TargetSpec]) -> (Vec<Target>, Vec<TargetReport>) {
    let (mut out, mut failed) = (Vec::new(), Vec::new());
    for spec in specs {
        match spec {
            TargetSpec::Sqlite(p) => out.push(Target::Sqlite(p.clone())),
            TargetSpec::Postgres { url, schemas } => {
                let whole = Target::Postgres { url: url.clone(), schema: None };
                let listed = async {
                    let mut conn = pgi::connect(url).await?;
                    tenant_schemas(&mut conn, schemas).await
                }
                .await;
                match listed {
                    Ok(tenants) => out.extend(
                        tenants
                            .into_iter()
                            .map(|(s, named)| Target::Postgres { url: url.clone(), schema: named.then_some(s) }),
                    ),
                    Err(e) => failed.push(TargetReport::failed(&whole, State::Failed, e)),
                }
            }
        }
    }
    (out, failed)
}

/// Starts the workers for `targets`: threads for the SQLite files, tasks for Postgres (each
/// holding at most one connection per database). The channel closes when all are done.
fn start(
    targets: Vec<Target>,
    job: &Arc<Job>,
    stop: &Arc<AtomicBool>,
) -> tokio::sync::mpsc::UnboundedReceiver<TargetReport> {
    let (tx, rx) = unbounded_channel();
    let (files, tenants): (Vec<Target>, Vec<Target>) =
        targets.into_iter().partition(|t| matches!(t, Target::Sqlite(_)));
    let files: Vec<PathBuf> = files
        .into_iter()
        .filter_map(|t| match t {
            Target::Sqlite(p) => Some(p),
            Target::Postgres { .. } => None,
        })
        .collect();
    let workers = job.fleet.workers();
    if !files.is_empty() {
        let job = job.clone();
        threads(files, workers, stop.clone(), &tx, move |p| apply_file(p, &job));
    }
    if !tenants.is_empty() {
        let queue = Arc::new(Mutex::new(VecDeque::from(tenants)));
        for _ in 0..workers {
            tokio::spawn(pg_worker(queue.clone(), job.clone(), stop.clone(), tx.clone()));
        }
    }
    rx
}

fn apply_file(path: &Path, job: &Job) -> TargetReport {
    let target = Target::Sqlite(path.to_path_buf());
    let done = litei::open_waiting(path, job.fleet.busy_timeout)
        .and_then(|mut conn| one::migrate_blocking(&mut conn, &job.sqlite, &job.options));
    match done {
        Ok(o) => outcome(&target, &o, None),
        Err(e) => TargetReport::failed(&target, State::Failed, e),
    }
}

async fn pg_worker(
    queue: Arc<Mutex<VecDeque<Target>>>,
    job: Arc<Job>,
    stop: Arc<AtomicBool>,
    tx: UnboundedSender<TargetReport>,
) {
    let mut conns: HashMap<String, PgConnection> = HashMap::new();
    while !stop.load(Ordering::SeqCst) {
        let next = queue.lock().map(|mut q| q.pop_front()).unwrap_or(None);
        let Some(target) = next else { break };
        let Target::Postgres { url, schema } = &target else { continue };
        let schema = schema.clone().unwrap_or_else(|| crate::resolve::DEFAULT_PG_SCHEMA.to_string());
        let report = match apply_tenant(&mut conns, url, &schema, &job).await {
            Ok(o) => outcome(&target, &o, Some(&schema)),
            Err(e) => {
                // The connection may be what failed: the next target on this worker gets a new one.
                conns.remove(url);
                TargetReport::failed(&target, State::Failed, e)
            }
        };
        if tx.send(report).is_err() {
            break;
        }
    }
}

async fn apply_tenant(
    conns: &mut HashMap<String, PgConnection>,
    url: &str,
    schema: &str,
    job: &Job,
) -> Result<Outcome> {
    if !conns.contains_key(url) {
        conns.insert(url.to_string(), pgi::connect(url).await?);
    }
    let conn = conns.get_mut(url).expect("connection just inserted");
    let target = match job.postgres.dialect {
        // A SQLite schema is translated into the tenant's namespace by the comparison itself.
        Some(Dialect::Sqlite) => job.postgres.clone(),
        _ => {
            let mut t = job.postgres.clone();
            t.rehome(&job.fleet.template_schema, schema);
            t
        }
    };
    let mut options = job.options.clone();
    options.diff.default_schema = Some(schema.to_string());
    // A template on the search path (`public`) is printed with its names unqualified, so its
    // views and triggers say `FROM users`: the tenant goes first on the search path while it is
    // read and migrated, so those names are the tenant's, and its own print alike.
    let visible = job.fleet.template_schema == crate::resolve::DEFAULT_PG_SCHEMA;
    if visible {
        let path = format!("SET search_path TO {}, public", crate::sql::quote_ident(schema));
        sqlx::raw_sql(AssertSqlSafe(path))
            .execute(&mut *conn)
            .await
            .map_err(|e| Error::postgres("SET search_path", e))?;
    }
    let scope = IntrospectOptions { schemas: vec![schema.to_string()], ..Default::default() };
    let mut db = PgDatabase::new(&mut *conn).with_scope(scope);
    let result = one::migrate_database(&mut db, &target, &options).await;
    if visible {
        sqlx::raw_sql("RESET search_path")
            .execute(&mut *conn)
            .await
            .map_err(|e| Error::postgres("RESET search_path", e))?;
    }
    result
}

/// The report of a target that [`one::migrate`] brought to the desired schema (or found there).
fn outcome(target: &Target, o: &Outcome, schema: Option<&str>) -> TargetReport {
    let state = if o.applied { State::Migrated } else { State::InSync };
    TargetReport {
        drift: drift_items(&o.comparison, schema),
        version: o.version,
        rows_copied: o.rows_copied,
        ..TargetReport::new(target, state)
    }
}
