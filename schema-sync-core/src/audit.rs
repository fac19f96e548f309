//! The pre-deploy check: do SQLite, Postgres, the migrations folder and the models agree?
//!
//! [`audit`] gathers, [`AuditReport`] is the serialisable result (`audit --format json`), and
//! [`AuditReport::is_clean`] decides the exit code. It reports:
//!
//! * SQLite ↔ Postgres drift, by the cross-dialect comparison (compatible types are not drift);
//! * with a models snapshot: models ↔ SQLite and models ↔ Postgres;
//! * with a migrations folder: files not applied to Postgres (pending), ledger rows with no file
//!   (unknown), applied files whose statements changed since (edited);
//! * `schema_version`: both databases' latest rows must carry the same checksum (a side with no
//!   row yet is reported, not counted as drift; different checksums on two schemas that agree
//!   were recorded by different paths, which is said and not counted either).

use crate::apply::postgres::PgDatabase;
use crate::apply::sqlite::SqliteDatabase;
use crate::apply::{Database, VersionRow};
use crate::diff::{self, Comparison, DiffOptions};
use crate::introspect::{postgres as pgi, IntrospectOptions};
use crate::model::Schema;
use crate::source::{self, LoadOptions, Source};
use crate::supabase::{self, Reconciliation};
use crate::Result;
use serde::Serialize;
use std::fmt::Write;
use std::path::PathBuf;

/// What to audit besides the two databases.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Name folding, ignored tables.
    pub diff: DiffOptions,
    /// Postgres schemas to read (default `public`).
    pub introspect: IntrospectOptions,
    /// A Supabase migrations folder to check against the Postgres ledger.
    pub migrations: Option<PathBuf>,
    /// Models (a snapshot) both databases must match.
    pub models: Option<Schema>,
}

/// One comparison in the report.
#[derive(Debug, Clone, Serialize)]
pub struct Drift {
    /// What was compared (`sqlite ↔ postgres`).
    pub subject: String,
    /// `true` when nothing differs.
    pub in_sync: bool,
    /// The changes as text, grouped by table (names every column).
    pub text: String,
    /// The stable diff JSON ([`crate::diff::render_json`]).
    pub diff: serde_json::Value,
}

impl Drift {
    fn of(subject: &str, c: &Comparison) -> Self {
        Drift {
            subject: subject.to_string(),
            in_sync: c.is_empty(),
            text: diff::render_text(c),
            diff: diff::render_json(c),
        }
    }
}

/// The migrations folder vs the Postgres ledger.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationsState {
    /// The folder.
    pub dir: PathBuf,
    /// Files in it.
    pub files: usize,
    /// Rows in `supabase_migrations.schema_migrations`.
    pub applied: usize,
    /// Pending / unknown / edited versions.
    #[serde(flatten)]
    pub state: Reconciliation,
}

/// Latest `schema_version` rows of both sides.
#[derive(Debug, Clone, Serialize)]
pub struct Versions {
    /// SQLite's latest row.
    pub sqlite: Option<VersionRow>,
    /// Postgres' latest row.
    pub postgres: Option<VersionRow>,
    /// `true` when both have a row, the checksums differ, and the two schemas do not agree.
    pub mismatch: bool,
    /// `true` when the checksums differ but the two schemas agree: the databases were brought
    /// to one schema by different paths (`migrate` of migration files records the checksum of
    /// the database it made, `apply --to models` that of the models), which is not drift.
    pub recorded_apart: bool,
}

/// Everything [`audit`] found.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    /// Version of this JSON shape.
    pub format_version: u32,
    /// The SQLite source, as shown.
    pub sqlite: String,
    /// The Postgres URL, password removed.
    pub postgres: String,
    /// SQLite ↔ Postgres, then models ↔ each database when models were given.
    pub drift: Vec<Drift>,
    /// The migrations folder vs Postgres, when a folder was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrations: Option<MigrationsState>,
    /// `schema_version` on both sides.
    pub versions: Versions,
    /// `true` when everything agrees.
    pub clean: bool,
}

impl AuditReport {
    /// `true` when nothing drifts: exit 0.
    pub fn is_clean(&self) -> bool {
        self.clean
    }

    /// A report for people.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "audit: {} vs {}", self.sqlite, self.postgres);
        for d in &self.drift {
            if d.in_sync {
                let _ = writeln!(out, "ok    {}: in sync", d.subject);
            } else {
                let _ = writeln!(out, "DRIFT {}:", d.subject);
                for l in d.text.lines() {
                    let _ = writeln!(out, "      {l}");
                }
            }
        }
        if let Some(m) = &self.migrations {
            let status = if m.state.is_clean() { "ok   " } else { "DRIFT" };
            let _ = writeln!(
                out,
                "{status} migrations {} vs Postgres: {} file(s), {} applied",
                m.dir.display(),
                m.files,
                m.applied
            );
            for (what, list) in
                [("pending", &m.state.pending), ("unknown", &m.state.unknown), ("edited", &m.state.edited)]
            {
                if !list.is_empty() {
                    let _ = writeln!(out, "      {what}: {}", list.join(", "));
                }
            }
        }
        let v = &self.versions;
        let show = |r: &Option<VersionRow>| {
            r.as_ref().map(|r| format!("v{} (checksum {})", r.version, r.checksum)).unwrap_or_else(|| "none".into())
        };
        let _ = writeln!(
            out,
            "{} schema_version: SQLite {}, Postgres {}{}",
            if v.mismatch { "DRIFT" } else { "ok   " },
            show(&v.sqlite),
            show(&v.postgres),
            if v.mismatch {
                " — the databases were last brought to different schemas"
            } else if v.recorded_apart {
                " — recorded by different paths; the schemas agree"
            } else {
                ""
            }
        );
        let _ = writeln!(out, "{}", if self.clean { "clean" } else { "drift found" });
        out
    }
}

/// Reads both databases (and the folder and models) and builds the report.
pub async fn audit(sqlite: &Source, postgres_url: &str, opts: &AuditOptions) -> Result<AuditReport> {
    let lo = LoadOptions { introspect: opts.introspect.clone(), ..Default::default() };
    let lite = source::load(sqlite, &lo).await?;
    let mut conn = pgi::connect(postgres_url).await?;
    let pg = pgi::introspect(&mut conn, &opts.introspect).await?;
    let both = "SQLite vs Postgres (+ only in Postgres, - only in SQLite)";
    let mut drift = vec![Drift::of(both, &diff::compare(&lite, &pg, None, &opts.diff)?)];
    if let Some(models) = &opts.models {
        let (l, p) = (
            "SQLite vs models (+ only in models, - only in SQLite)",
            "Postgres vs models (+ only in models, - only in Postgres)",
        );
        drift.push(Drift::of(l, &diff::compare(&lite, models, None, &opts.diff)?));
        drift.push(Drift::of(p, &diff::compare(&pg, models, None, &opts.diff)?));
    }
    let migrations = match &opts.migrations {
        Some(dir) => {
            let files = supabase::read_dir(dir)?;
            let applied = supabase::applied(&mut conn).await?;
            Some(MigrationsState {
                dir: dir.clone(),
                files: files.len(),
                applied: applied.len(),
                state: supabase::reconcile(&files, &applied),
            })
        }
        None => None,
    };
    let sqlite_v = match sqlite {
        Source::Sqlite(p) => {
            let mut lite = crate::introspect::sqlite::open(p)?;
            SqliteDatabase::new(&mut lite).versions().await?.pop()
        }
        _ => None,
    };
    let pg_v = PgDatabase::new(&mut conn).with_scope(opts.introspect.clone()).versions().await?.pop();
    let differ = matches!((&sqlite_v, &pg_v), (Some(a), Some(b)) if a.checksum != b.checksum);
    let agree = drift.first().is_some_and(|d| d.in_sync);
    let (mismatch, recorded_apart) = (differ && !agree, differ && agree);
    let versions = Versions { sqlite: sqlite_v, postgres: pg_v, mismatch, recorded_apart };
    let clean = drift.iter().all(|d| d.in_sync) && migrations.as_ref().is_none_or(|m| m.state.is_clean()) && !mismatch;
    Ok(AuditReport {
        format_version: 1,
        sqlite: sqlite.display(),
        postgres: crate::url::redact_url(postgres_url),
        drift,
        migrations,
        versions,
        clean,
    })
}
