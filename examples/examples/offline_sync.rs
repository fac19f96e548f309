//! Offline-first: a local SQLite app database kept in step with the Postgres (Supabase) schema.
//!
//! ```text
//! cargo run -p schema-sync-examples --example offline_sync
//! ```
//!
//! Postgres is the source of truth here: the server's schema is read and the local SQLite file
//! is migrated to it by the cross-dialect rules (`bigint` → `INTEGER`, `boolean` → `INTEGER`,
//! `timestamptz` → `TEXT`, …), keeping the rows already on the device. Needs a Postgres server:
//! `SCHEMA_SYNC_TEST_PG_URL` or `DATABASE_URL`, else `initdb`/`pg_ctl` on the machine; the
//! example uses a fresh throwaway database on it.

// The structs stand for the app's own types; here only their derived schema is used.
#![allow(dead_code)]

use schema_sync::core::diff::{self, DiffOptions};
use schema_sync::core::introspect::{self, IntrospectOptions};
use schema_sync::core::render;
use schema_sync::testing::{TempPostgres, TempSqlite};
use schema_sync::{migrate, ApplyOptions};
use schema_sync::{schema, SyncTable};
use schema_sync_examples::{indent, schema_text, step};

/// What the app shipped with: the schema of the SQLite file on the device.
mod shipped {
    use super::SyncTable;

    #[derive(SyncTable)]
    #[sync(table = "projects")]
    pub struct Project {
        #[sync(primary_key, identity)]
        pub id: i64,
        pub name: String,
    }

    #[derive(SyncTable)]
    #[sync(table = "tasks")]
    pub struct Task {
        #[sync(primary_key, identity)]
        pub id: i64,
        #[sync(references = Project, on_delete = "cascade")]
        pub project_id: i64,
        pub title: String,
    }
}

/// The server's current models: tasks gained `done` and `due_on`, and an index.
mod server {
    pub use super::shipped::Project;
    use super::SyncTable;

    #[derive(SyncTable)]
    #[sync(table = "tasks", index(columns = ["project_id", "done"]))]
    pub struct Task {
        #[sync(primary_key, identity)]
        pub id: i64,
        #[sync(references = Project, on_delete = "cascade")]
        pub project_id: i64,
        pub title: String,
        #[sync(default = "false")]
        pub done: bool,
        #[sync(sql_type = "date")]
        pub due_on: Option<String>,
    }
}

type Error = Box<dyn std::error::Error>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    println!("schema-sync offline sync: a local SQLite database follows the Postgres schema");

    step(1, "Postgres has the server's current schema");
    let pg = TempPostgres::new().await;
    let mut pg_conn = pg.connect().await;
    let opts = IntrospectOptions::default();
    migrate(&mut pg_conn, &schema![server::Project, server::Task], &ApplyOptions::default()).await?;
    let pg_schema = introspect::postgres::introspect(&mut pg_conn, &opts).await?;
    print!("{}", indent(&schema_text(&pg_schema)));

    step(2, "The device has an older SQLite database, with rows");
    let local = TempSqlite::new();
    let mut conn = local.connect();
    migrate(&mut conn, &schema![shipped::Project, shipped::Task], &ApplyOptions::default()).await?;
    conn.execute_batch(
        "INSERT INTO projects (name) VALUES ('Garden'), ('Kitchen');
         INSERT INTO tasks (project_id, title) VALUES (1, 'Plant tomatoes'), (1, 'Water'), (2, 'Fix tap');",
    )?;
    println!("{} with 2 projects and 3 tasks", local.url());

    step(3, "Compare SQLite with Postgres (cross-dialect)");
    let live = introspect::sqlite::introspect(&conn, &opts)?;
    let c = diff::compare(&live, &pg_schema, None, &DiffOptions::default())?;
    println!("What SQLite needs to match Postgres:");
    print!("{}", indent(&diff::render_text(&c)));
    // Every column pair was matched by a named type rule; show one.
    if let Some(note) = c.notes.iter().find(|n| n.compatible) {
        println!("({} columns matched by the type rules, e.g. {}: {})", c.notes.len(), note.subject, note.message);
    }

    step(4, "Migrate SQLite to the Postgres schema");
    let outcome = migrate(&mut conn, &pg_schema, &ApplyOptions::default()).await?;
    print!("{}", indent(&render::script(&outcome.statements)));
    println!("applied: {}, rows copied by table rebuilds: {}", outcome.applied, outcome.rows_copied);

    step(5, "The rows are still there, with the new columns");
    let mut stmt = conn.prepare("SELECT id, title, done, due_on FROM tasks ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?, r.get::<_, Option<String>>(3)?))
    })?;
    let mut n = 0;
    for row in rows {
        let (id, title, done, due_on) = row?;
        println!("    task {id}: {title:<15} done = {done:<5} due_on = {}", due_on.as_deref().unwrap_or("NULL"));
        n += 1;
    }
    if n != 3 {
        return Err(format!("expected 3 tasks after the migration, found {n}").into());
    }

    step(6, "SQLite and Postgres are in sync");
    let live = introspect::sqlite::introspect(&conn, &opts)?;
    let c = diff::compare(&live, &pg_schema, None, &DiffOptions::default())?;
    if !c.is_empty() {
        return Err(format!("still different:\n{}", diff::render_text(&c)).into());
    }
    // The same check as a test assertion (panics with a readable diff when they differ).
    schema_sync::testing::assert_sqlite_postgres_in_sync_async(&conn, &pg).await;
    println!("    in sync ✓");
    Ok(())
}
