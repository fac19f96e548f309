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

use schema_sync::core::diff::{self, Comparison, DiffOptions};
use schema_sync::core::introspect::{self, IntrospectOptions};
use schema_sync::core::plan::{self, Capabilities};
use schema_sync::core::render;
use schema_sync::core::supabase::{self, timestamp};
use schema_sync::testing::TempPostgres;
use schema_sync::{schema, Dialect, SyncTable};
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
    let sql = render::script(&render::schema_sql(&models, Dialect::Postgres)?);
    let first = write_migration(migrations, &timestamp(start), "init", &sql)?;
    println!("{}:", first);
    print!("{}", indent(&sql));

    step(2, "Migrate: each file in version order, in one transaction");
    apply_migrations(&mut conn, migrations).await?;

    step(3, "Audit: the database against the models");
    let live = introspect::postgres::introspect(&mut conn, &IntrospectOptions::default()).await?;
    audit(&diff::compare(&live, &models, None, &DiffOptions::default())?)?;

    step(4, "Change a model, write the next migration from the diff");
    let models = schema![v2::Profile, v2::Note];
    let c = diff::compare(&live, &models, None, &DiffOptions::default())?;
    print!("{}", indent(&diff::render_text(&c)));
    let sql = fix_sql(&c)?;
    let second = write_migration(migrations, &timestamp(start + 86_400), "pin_notes", &sql)?;
    println!("{}:", second);
    print!("{}", indent(&sql));

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

/// Writes `<version>_<name>.sql`; returns its file name.
fn write_migration(dir: &Path, version: &str, name: &str, sql: &str) -> Result<String, Error> {
    let file = supabase::file_name(version, name);
    std::fs::write(dir.join(&file), sql)?;
    Ok(file)
}

/// Applies the files not applied yet, each in one transaction with its bookkeeping row — the
/// way `supabase db push` does, in the same `supabase_migrations.schema_migrations` table
/// (outside `public`, so the audit does not see it).
async fn apply_migrations(conn: &mut sqlx::PgConnection, dir: &Path) -> Result<(), Error> {
    use schema_sync::core::apply::postgres::run;
    run(
        conn,
        "CREATE SCHEMA IF NOT EXISTS supabase_migrations;
         CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text PRIMARY KEY, name text)",
    )
    .await?;
    for migration in supabase::read_dir(dir)? {
        let (version, name) = (migration.version.as_str(), migration.name.as_str());
        let file = supabase::file_name(version, name);
        let applied: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM supabase_migrations.schema_migrations WHERE version = $1)",
        )
        .persistent(false)
        .bind(version)
        .fetch_one(&mut *conn)
        .await?;
        if applied {
            println!("    {file}: already applied");
            continue;
        }
        let sql = std::fs::read_to_string(&migration.path)?;
        let record = format!(
            "INSERT INTO supabase_migrations.schema_migrations VALUES ({}, {})",
            render::quote_literal(version),
            render::quote_literal(name)
        );
        run(conn, &format!("BEGIN;\n{sql}\n{record};\nCOMMIT;")).await?;
        println!("    {file}: applied");
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
    let plan = plan::plan(&c.from, &c.to, &c.changes, &Capabilities::latest(c.dialect), &Default::default());
    Ok(render::script(&render::render(&plan)?))
}
