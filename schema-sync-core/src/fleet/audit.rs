//! `fleet audit`: every target compared with the desired schema, in parallel.

use super::workers::{threads, StopOnDrop};
use super::{Baseline, FleetOptions, FleetReport, State, Target, TargetReport, TargetSpec};
use crate::diff::{self, Comparison, DiffOptions};
use crate::introspect::{postgres as pgi, sqlite as litei, IntrospectOptions};
use crate::model::Schema;
use crate::{Dialect, Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::unbounded_channel;

/// Compares every target with `desired` and streams each result to `on_report` as it finishes
/// (in completion order); returns the whole report, targets sorted. With a `baseline`, drift
/// it accepts for a target is [`State::KnownDrift`] and only the rest is [`State::Drifted`].
///
/// A target that cannot be read (missing, not a database, locked past
/// `opts.busy_timeout`, a Postgres database that refuses the connection) is
/// [`State::Unreadable`] with the reason; the others are still audited. `Err` only for a
/// problem with the run itself (a `desired` schema that cannot be resolved).
pub async fn audit(
    specs: &[TargetSpec],
    desired: &Schema,
    opts: &FleetOptions,
    baseline: Option<&Baseline>,
    on_report: &mut (dyn FnMut(&TargetReport) + Send),
) -> Result<FleetReport> {
    let checksum = crate::snapshot::checksum(desired);
    let stop = Arc::new(AtomicBool::new(false));
    let _stop_on_drop = StopOnDrop(stop.clone());
    let (tx, mut rx) = unbounded_channel();

    let files: Vec<PathBuf> = specs
        .iter()
        .filter_map(|s| match s {
            TargetSpec::Sqlite(p) => Some(p.clone()),
            TargetSpec::Postgres { .. } => None,
        })
        .collect();
    if !files.is_empty() {
        let desired = Arc::new(for_dialect(desired, Dialect::Sqlite, &opts.template_schema)?);
        let opts = opts.clone();
        let seen = Arc::new(Seen::default());
        threads(files, opts.workers(), stop.clone(), &tx, move |path| audit_file(path, &desired, &opts, &seen));
    }
    let databases: Vec<(String, Vec<String>)> = specs
        .iter()
        .filter_map(|s| match s {
            TargetSpec::Postgres { url, schemas } => Some((url.clone(), schemas.clone())),
            TargetSpec::Sqlite(_) => None,
        })
        .collect();
    if !databases.is_empty() {
        let desired = Arc::new(for_dialect(desired, Dialect::Postgres, &opts.template_schema)?);
        let permits = Arc::new(tokio::sync::Semaphore::new(opts.workers()));
        for (url, patterns) in databases {
            let (desired, opts, tx, permits) = (desired.clone(), opts.clone(), tx.clone(), permits.clone());
            tokio::spawn(async move {
                let _permit = permits.acquire().await;
                for r in audit_database(&url, &patterns, &desired, &opts).await {
                    if tx.send(r).is_err() {
                        break;
                    }
                }
            });
        }
    }
    drop(tx);

    let mut reports = Vec::new();
    while let Some(mut r) = rx.recv().await {
        if let Some(b) = baseline {
            b.classify(&mut r);
        }
        on_report(&r);
        reports.push(r);
    }
    Ok(FleetReport::new("audit", checksum, reports))
}

/// `desired` as it is compared with targets of `dialect`: models are resolved once here (not
/// once per target); a schema read from a database is left as it is, so a cross-dialect
/// comparison still sees each target's own types.
pub(super) fn for_dialect(desired: &Schema, dialect: Dialect, template: &str) -> Result<Schema> {
    match desired.dialect {
        None => crate::resolve::resolve_in(desired, dialect, template),
        Some(_) => Ok(desired.clone()),
    }
}

/// The drift of each distinct SQLite schema already compared, by
/// [`litei::schema_fingerprint`]: a fleet is mostly copies of a few schemas, and each is
/// introspected and compared once.
type Seen = Mutex<HashMap<String, Arc<Vec<String>>>>;

fn audit_file(path: &Path, desired: &Schema, opts: &FleetOptions, seen: &Seen) -> TargetReport {
    let target = Target::Sqlite(path.to_path_buf());
    let compared = (|| {
        let conn = litei::open_waiting(path, opts.busy_timeout)?;
        let fingerprint = litei::schema_fingerprint(&conn)?;
        if let Some(drift) = seen.lock().ok().and_then(|s| s.get(&fingerprint).cloned()) {
            return Ok(drift);
        }
        let live = litei::introspect(&conn, &IntrospectOptions::default())?;
        let c = diff::compare_owned(live, desired.clone(), Some(Dialect::Sqlite), &opts.diff)?;
        let drift = Arc::new(drift_items(&c, None));
        if let Ok(mut s) = seen.lock() {
            s.insert(fingerprint, drift.clone());
        }
        Ok::<_, Error>(drift)
    })();
    match compared {
        Ok(drift) => with_drift(&target, drift.to_vec()),
        Err(e) => TargetReport::failed(&target, State::Unreadable, e),
    }
}

/// One Postgres database: its tenant schemas read in one introspection (each kind of tenant's
/// tables once: [`pgi::introspect_tenants`]), then compared one by one as if each were the
/// template schema.
async fn audit_database(url: &str, patterns: &[String], desired: &Schema, opts: &FleetOptions) -> Vec<TargetReport> {
    let whole = Target::Postgres { url: url.to_string(), schema: None };
    let mut conn = match pgi::connect(url).await {
        Ok(c) => c,
        Err(e) => return vec![TargetReport::failed(&whole, State::Unreadable, e)],
    };
    let tenants = match tenant_schemas(&mut conn, patterns).await {
        Ok(t) => t,
        Err(e) => return vec![TargetReport::failed(&whole, State::Unreadable, e)],
    };
    let scope = IntrospectOptions { schemas: tenants.iter().map(|(s, _)| s.clone()).collect(), ..Default::default() };
    // Many tenants: a second connection reads half the catalog families in the same snapshot.
    let mut helper = match tenants.len() > 1 && opts.workers() > 1 {
        true => pgi::connect(url).await.ok(),
        false => None,
    };
    let read = match (tenants.len() >= READ_ONCE_FROM, helper.as_mut()) {
        (true, helper) => {
            pgi::introspect_tenants(&mut conn, helper, &scope).await.map(|t| (t.schema, t.representative))
        }
        (false, Some(helper)) => {
            pgi::introspect_parallel(&mut conn, helper, &scope).await.map(|s| each_its_own(s, &scope))
        }
        (false, None) => pgi::introspect(&mut conn, &scope).await.map(|s| each_its_own(s, &scope)),
    };
    let (live, representative) = match read {
        Ok(t) => t,
        Err(e) => return vec![TargetReport::failed(&whole, State::Unreadable, e)],
    };
    let template = opts.template_schema.as_str();
    let diff_opts = DiffOptions { default_schema: Some(template.to_string()), ..opts.diff.clone() };
    // The catalog prints the names of a schema on the search path (`public`, the usual
    // template) unqualified: a tenant's are made to read the same.
    let qualifier = if template == crate::resolve::DEFAULT_PG_SCHEMA { "" } else { template };
    let mut parts = split_by_schema(live);
    // Each tenant rehomed to the template, its tables and sequences set aside: a
    // representative's stand for every tenant it represents.
    let mut tables: HashMap<String, Schema> = HashMap::new();
    let rest: Vec<(String, bool, Schema)> = tenants
        .into_iter()
        .map(|(schema, named)| {
            let mut part = parts.remove(&schema).unwrap_or_else(|| Schema::empty(Some(Dialect::Postgres)));
            part.rehome_as(&schema, template, qualifier);
            let mut own = Schema::empty(Some(Dialect::Postgres));
            own.tables = std::mem::take(&mut part.tables);
            own.sequences = std::mem::take(&mut part.sequences);
            if representative.get(&schema) == Some(&schema) {
                tables.insert(schema.clone(), own);
            }
            (schema, named, part)
        })
        .collect();
    let mut seen = SeenTenants::default();
    rest.into_iter()
        .map(|(schema, named, part)| {
            let target = Target::Postgres { url: url.to_string(), schema: named.then(|| schema.clone()) };
            let rep = representative.get(&schema).cloned().unwrap_or_else(|| schema.clone());
            if let Some(drift) = seen.get(&rep, &part) {
                return with_drift(&target, drift.to_vec());
            }
            let mut whole = part.clone();
            if let Some(own) = tables.get(&rep) {
                whole.tables = own.tables.clone();
                whole.sequences = own.sequences.clone();
            }
            match diff::compare_owned(whole, desired.clone(), Some(Dialect::Postgres), &diff_opts) {
                Ok(c) => {
                    let drift = drift_items(&c, Some(template));
                    seen.insert(rep, part, drift.clone());
                    with_drift(&target, drift)
                }
                Err(e) => TargetReport::failed(&target, State::Unreadable, e),
            }
        })
        .collect()
}

/// From how many tenant schemas of one database on, each kind of tenant's tables is read once
/// ([`pgi::introspect_tenants`]) rather than every tenant's: the server's digests of the
/// tenants cost a scan of the table catalogs, which pays for itself from about this many
/// tenants on (BENCHMARKS.md § Fleets).
pub const READ_ONCE_FROM: usize = 100;

/// A schema read whole, each tenant standing for its own tables.
fn each_its_own(schema: Schema, scope: &IntrospectOptions) -> (Schema, HashMap<String, String>) {
    (schema, scope.schemas.iter().map(|s| (s.clone(), s.clone())).collect())
}

/// The drift of each distinct tenant already compared, as [`Seen`] is for SQLite files: by the
/// tenant that stands for its tables, then by the rest of it (rehomed to the template, so
/// tenants built alike are equal). 1,000 tenants of a few kinds cost a few comparisons; at
/// most [`SeenTenants::PER_KIND`] are kept per kind of tables, so a fleet of all-distinct
/// tenants costs no more than comparing each.
#[derive(Default)]
struct SeenTenants {
    kinds: HashMap<String, Vec<(Schema, Vec<String>)>>,
}

impl SeenTenants {
    const PER_KIND: usize = 32;

    fn get(&self, representative: &str, rest: &Schema) -> Option<&[String]> {
        let kind = self.kinds.get(representative)?;
        kind.iter().find(|(seen, _)| seen == rest).map(|(_, drift)| drift.as_slice())
    }

    fn insert(&mut self, representative: String, rest: Schema, drift: Vec<String>) {
        let kind = self.kinds.entry(representative).or_default();
        if kind.len() < Self::PER_KIND {
            kind.push((rest, drift));
        }
    }
}

/// The schemas of a database that `patterns` select, each with whether it names a tenant
/// (`false`: no patterns, the database's `public` schema stands for the database). A pattern
/// that matches nothing is an error: a typo must not look like an empty, clean fleet.
pub(super) async fn tenant_schemas(conn: &mut sqlx::PgConnection, patterns: &[String]) -> Result<Vec<(String, bool)>> {
    if patterns.is_empty() {
        return Ok(vec![(crate::resolve::DEFAULT_PG_SCHEMA.to_string(), false)]);
    }
    let names = pgi::schema_names(conn).await?;
    for p in patterns {
        if !names.iter().any(|n| crate::glob::matches(p, n)) {
            return Err(Error::input(format!("no schema matches `{p}`")));
        }
    }
    Ok(names.into_iter().filter(|n| patterns.iter().any(|p| crate::glob::matches(p, n))).map(|n| (n, true)).collect())
}

/// Splits a schema read from many namespaces into one schema per namespace: every kind of
/// object goes to its own namespace's part (the destructuring names each field, so a new kind
/// must be placed here too).
fn split_by_schema(schema: Schema) -> HashMap<String, Schema> {
    let Schema {
        dialect,
        namespaces,
        tables,
        enums,
        sequences,
        views,
        triggers,
        functions,
        policies,
        comments,
        extensions,
        domains,
        composites,
        collations,
        grants,
    } = schema;
    fn part<'a>(parts: &'a mut HashMap<String, Schema>, s: &Option<String>, d: Option<Dialect>) -> &'a mut Schema {
        parts.entry(s.clone().unwrap_or_default()).or_insert_with(|| Schema::empty(d))
    }
    let mut parts: HashMap<String, Schema> = HashMap::new();
    macro_rules! spread {
        ($($list:ident),*) => {$(
            for x in $list {
                part(&mut parts, &x.schema, dialect).$list.push(x);
            }
        )*};
    }
    spread!(
        tables, enums, sequences, views, triggers, functions, policies, extensions, domains, composites, collations
    );
    for n in namespaces {
        part(&mut parts, &Some(n.clone()), dialect).namespaces.push(n);
    }
    // A comment or grant on a schema names it; on anything else, the schema it is in.
    let home = |on: &crate::model::ObjectRef| match on.kind {
        crate::model::ObjectKind::Schema => Some(on.name.clone()),
        _ => on.schema.clone(),
    };
    for c in comments {
        part(&mut parts, &home(&c.on), dialect).comments.push(c);
    }
    for g in grants {
        part(&mut parts, &home(&g.on), dialect).grants.push(g);
    }
    parts
}

/// The report of a target with `drift` from the desired schema.
fn with_drift(target: &Target, drift: Vec<String>) -> TargetReport {
    let state = if drift.is_empty() { State::InSync } else { State::Drifted };
    TargetReport { drift, ..TargetReport::new(target, state) }
}

/// The differences of a comparison as one self-contained line each, worded as
/// [`crate::diff::render_text`] words them: a table that is missing or extra is one line
/// (`+ table users`, `- table users`), a change inside a table names it
/// (`~ table users: + index users_email_idx (email)`). With `template`, tables of that
/// schema are named without it, so the drift of every tenant reads alike.
pub fn drift_items(c: &Comparison, template: Option<&str>) -> Vec<String> {
    let text = diff::render_text(c);
    let strip = |line: &str| match template {
        Some(s) => line.replacen(&format!("table {s}."), "table ", 1),
        None => line.to_string(),
    };
    let mut items = Vec::new();
    let mut header: Option<String> = None;
    for line in text.lines() {
        match line.strip_prefix("    ") {
            Some(inner) => {
                if let Some(h) = header.as_deref().filter(|h| h.starts_with('~')) {
                    items.push(format!("{h}: {inner}"));
                }
            }
            None => {
                let h = strip(line);
                if !h.starts_with("~ table ") {
                    items.push(h.clone());
                }
                header = Some(h);
            }
        }
    }
    items
}
