//! The Supabase workflow: models → migration files → migrate a Postgres → audit for drift.
//!
//! ```text
//! cargo run -p schema-sync-examples --example supabase
//! ```
//!
//! Needs a Postgres server: `SCHEMA_SYNC_TEST_PG_URL` or `DATABASE_URL` (for example the local
//! Supabase database, `postgres://postgres:postgres@127.0.0.1:54322/postgres`), else `initdb`
//! and `pg_ctl` on the machine. The example works in a fresh, throwaway database on that server
//! and drops it at the end; your own databases are not touched.

// The structs stand for the app's own types; here only their derived schema is used.
#![allow(dead_code)]

use schema_sync::core::apply::postgres::PgDatabase;
use schema_sync::core::diff::{self, Comparison, DiffOptions};
use schema_sync::core::introspect::{self, IntrospectOptions};
use schema_sync::core::render;
use schema_sync::core::supabase;
use schema_sync::testing::TempPostgres;
use schema_sync::{schema, Schema, SyncTable};
use schema_sync_examples::{indent, step};
use std::path::Path;

/// The first version of the models.
mod v1 {
    use super::SyncTable;

    #[derive(SyncTable)]
    #[sync(table = "profiles")]
    pub struct Profile {
        #[sync(primary_key, identity)]
        pub id: i64,
        #[sync(unique)]
        pub username: String,
        pub avatar_url: Option<String>,
    }

    #[derive(SyncTable)]
    #[sync(table = "notes", index(columns = ["owner_id"]))]
    pub struct Note {
        #[sync(primary_key, identity)]
        pub id: i64,
        #[sync(references = Profile, on_delete = "cascade")]
        pub owner_id: i64,
        pub title: String,
        #[sync(default = "''")]
        pub body: String,
    }
}

/// The next version: notes can be pinned.
mod v2 {
    pub use super::v1::Profile;
    use super::SyncTable;

    #[derive(SyncTable)]
    #[sync(table = "notes", index(columns = ["owner_id"]), index(columns = ["owner_id", "pinned"], name = "notes_pinned"))]
    pub struct Note {
        #[sync(primary_key, identity)]
        pub id: i64,
        #[sync(references = Profile, on_delete = "cascade")]
        pub owner_id: i64,
        pub title: String,
        #[sync(default = "''")]
        pub body: String,
        #[sync(default = "false")]
        pub pinned: bool,
    }
}

type Error = Box<dyn std::error::Error>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let root = std::env::temp_dir().join(format!("schema-sync-supabase-{}", std::process::id()));
    let result = run(&root.join("supabase/migrations")).await;
    let _ = std::fs::remove_dir_all(&root);
    result
}

async fn run(migrations: &Path) -> Result<(), Error> {
    println!("schema-sync + Supabase: models → migration files → migrate → audit");
    std::fs::create_dir_all(migrations)?;
    let pg = TempPostgres::new().await;
    let mut conn = pg.connect().await;
    println!("Postgres: a throwaway database `{}`", pg.database());
    // Fixed versions keep the output stable; a real project uses the current UTC time.
    let start = 1_735_689_600; // 2025-01-01 00:00:00 UTC

    step(1, "Write the first migration from the models");
    let models = schema![v1::Profile, v1::Note];
    new_migration(migrations, start, "init", &Schema::default(), &models)?;

    step(2, "Migrate: each file in version order, in one transaction");
    apply_migrations(&mut conn, migrations).await?;

    step(3, "Audit: the database against the models");
    let live = introspect::postgres::introspect(&mut conn, &IntrospectOptions::default()).await?;
    audit(&diff::compare(&live, &models, None, &DiffOptions::default())?)?;

    step(4, "Change a model, write the next migration from the diff");
    let models = schema![v2::Profile, v2::Note];
    let c = diff::compare(&live, &models, None, &DiffOptions::default())?;
    print!("{}", indent(&diff::render_text(&c)));
    new_migration(migrations, start + 86_400, "pin_notes", &live, &models)?;

    step(5, "Migrate again and audit");
    apply_migrations(&mut conn, migrations).await?;
    let live = introspect::postgres::introspect(&mut conn, &IntrospectOptions::default()).await?;
    audit(&diff::compare(&live, &models, None, &DiffOptions::default())?)?;

    step(6, "A table edited in the dashboard: the audit sees it");
    schema_sync::core::apply::postgres::run(&mut conn, "ALTER TABLE notes ADD COLUMN color text").await?;
    let live = introspect::postgres::introspect(&mut conn, &IntrospectOptions::default()).await?;
    let c = diff::compare(&live, &models, None, &DiffOptions::default())?;
    if c.is_empty() {
        return Err("the audit missed a column added outside the migrations".into());
    }
    println!("drift found (what the database needs to match the models):");
    print!("{}", indent(&diff::render_text(&c)));
    println!("SQL that would fix it:");
    print!("{}", indent(&fix_sql(&c)?));
    println!("\ndone: drift in a live database is reported, never silently fixed ✓");
    Ok(())
}

/// Plans the migration from `from` to `to` (in the online form a production database wants)
/// and writes it as new files made at `now`.
fn new_migration(dir: &Path, now: u64, name: &str, from: &Schema, to: &Schema) -> Result<(), Error> {
    let online = schema_sync::core::plan::PlanOptions { online: true, ..Default::default() };
    let planned = supabase::plan_migration(from, to, &DiffOptions::default(), &online)?;
    let paths = supabase::write_migration(dir, name, "models", "models", &planned, now)?;
    for (path, statements) in paths.iter().zip(planned.files()) {
        println!("{}:", path.file_name().unwrap_or_default().to_string_lossy());
        print!("{}", indent(&statements.iter().map(|s| format!("{s};\n")).collect::<String>()));
    }
    // What schema-sync writes passes its own lint (`schema-sync lint supabase/migrations`).
    let findings = schema_sync::core::lint::lint_paths(&paths)?;
    assert!(findings.is_empty(), "{findings:?}");
    Ok(())
}

/// Applies the files not applied yet, each in one transaction with its ledger row in
/// `supabase_migrations.schema_migrations` — the way `supabase db push` records them.
async fn apply_migrations(conn: &mut sqlx::PgConnection, dir: &Path) -> Result<(), Error> {
    let files = supabase::read_dir(dir)?;
    let report = supabase::migrate(&mut PgDatabase::new(conn), &files, &Default::default(), &mut |_| {}).await?;
    for f in &files {
        let done = if report.applied.contains(&f.version) { "applied" } else { "already applied" };
        println!("    {}: {done}", supabase::file_name(&f.version, &f.name));
    }
    Ok(())
}

/// Prints the audit result; an error when the database differs.
fn audit(c: &Comparison) -> Result<(), Error> {
    if c.is_empty() {
        println!("    in sync: the database matches the models ✓");
        Ok(())
    } else {
        Err(format!("unexpected drift:\n{}", diff::render_text(c)).into())
    }
}

/// The SQL that turns `c.from` into `c.to`.
fn fix_sql(c: &Comparison) -> Result<String, Error> {
    Ok(render::script(&render::render(&render::fix_plan(c))?))
}
