//! Quickstart: Rust structs as the schema of an embedded SQLite database. No server needed.
//!
//! ```text
//! cargo run -p schema-sync-examples --example quickstart
//! ```
//!
//! 1. Define tables with `#[derive(SyncTable)]`.
//! 2. Create a SQLite database from them and add some rows.
//! 3. Change a model (a new column and a new index, in `mod v2`).
//! 4. See the diff and the SQL, migrate, and check that the rows survived.

// The structs stand for the app's own types; here only their derived schema is used.
#![allow(dead_code)]

use schema_sync::core::diff::{self, DiffOptions};
use schema_sync::core::introspect::{self, IntrospectOptions};
use schema_sync::core::render;
use schema_sync::{block_on, migrate_blocking, schema, versions, ApplyOptions, SyncTable};
use schema_sync_examples::{indent, schema_text, step};

/// Version 1 of the app's models.
mod v1 {
    use super::SyncTable;

    #[derive(SyncTable)]
    #[sync(table = "orgs")]
    pub struct Org {
        #[sync(primary_key, identity)]
        pub id: i64,
        #[sync(unique)]
        pub slug: String,
        pub name: String,
    }

    #[derive(SyncTable)]
    #[sync(table = "users")]
    pub struct User {
        #[sync(primary_key, identity)]
        pub id: i64,
        #[sync(references = Org, on_delete = "cascade", index)]
        pub org_id: i64,
        #[sync(unique)]
        pub email: String,
        pub display_name: Option<String>,
    }

    #[derive(SyncTable)]
    #[sync(table = "posts")]
    pub struct Post {
        #[sync(primary_key, identity)]
        pub id: i64,
        #[sync(references = User, on_delete = "cascade")]
        pub author_id: i64,
        pub title: String,
        pub body: String,
    }
}

/// Version 2: posts gain a `published` flag (default false) and an index for "an author's
/// published posts". Orgs and users are unchanged.
mod v2 {
    pub use super::v1::{Org, User};
    use super::SyncTable;

    #[derive(SyncTable)]
    #[sync(table = "posts", index(columns = ["author_id", "published"], name = "posts_by_author"))]
    pub struct Post {
        #[sync(primary_key, identity)]
        pub id: i64,
        #[sync(references = User, on_delete = "cascade")]
        pub author_id: i64,
        pub title: String,
        pub body: String,
        #[sync(default = "false")]
        pub published: bool,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("schema-sync-quickstart-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = run(&dir.join("app.db"));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    println!("schema-sync quickstart: models → SQLite → change a model → diff → migrate");

    step(1, "The models");
    let models_v1 = schema![v1::Org, v1::User, v1::Post];
    print!("{}", indent(&schema_text(&models_v1)));

    step(2, "Create the database from the models");
    let mut conn = rusqlite::Connection::open(path)?;
    let created = migrate_blocking(&mut conn, &models_v1, &ApplyOptions::default())?;
    println!("{}: ran {} statements", path.display(), created.statements.len());
    print!("{}", indent(&render::script(&created.statements)));

    step(3, "Add some rows");
    conn.execute_batch(
        "INSERT INTO orgs (slug, name) VALUES ('acme', 'Acme Corp');
         INSERT INTO users (org_id, email, display_name) VALUES (1, 'ada@acme.test', 'Ada'), (1, 'bob@acme.test', NULL);
         INSERT INTO posts (author_id, title, body) VALUES (1, 'Hello', 'First post'), (1, 'Again', 'Second post'), (2, 'Hi', 'From Bob');",
    )?;
    println!(
        "    orgs: {}, users: {}, posts: {}",
        count(&conn, "orgs")?,
        count(&conn, "users")?,
        count(&conn, "posts")?
    );

    step(4, "Change a model: posts gain `published` and an index");
    let models_v2 = schema![v2::Org, v2::User, v2::Post];
    let live = introspect::sqlite::introspect(&conn, &IntrospectOptions::default())?;
    let comparison = diff::compare(&live, &models_v2, None, &DiffOptions::default())?;
    println!("What the database needs to match the models:");
    print!("{}", indent(&diff::render_text(&comparison)));

    step(5, "Migrate: one transaction, verified, recorded");
    let outcome = migrate_blocking(&mut conn, &models_v2, &ApplyOptions::default())?;
    print!("{}", indent(&render::script(&outcome.statements)));
    println!("applied: {}, schema_version {}", outcome.applied, outcome.version.unwrap_or_default());

    step(6, "The rows survived");
    let mut stmt = conn.prepare(
        "SELECT p.id, u.email, p.title, p.published FROM posts p JOIN users u ON u.id = p.author_id ORDER BY p.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, bool>(3)?))
    })?;
    for row in rows {
        let (id, email, title, published) = row?;
        println!("    post {id}: {title:<6} by {email:<14} published = {published}");
    }
    drop(stmt);
    println!(
        "    orgs: {}, users: {}, posts: {}",
        count(&conn, "orgs")?,
        count(&conn, "users")?,
        count(&conn, "posts")?
    );
    println!("schema_version:");
    for v in block_on(versions(&mut conn))? {
        println!(
            "    version {}  applied {}  checksum {}…",
            v.version,
            v.applied_at,
            &v.checksum[..12.min(v.checksum.len())]
        );
    }

    step(7, "The database now matches the models");
    let live = introspect::sqlite::introspect(&conn, &IntrospectOptions::default())?;
    let check = diff::compare(&live, &models_v2, None, &DiffOptions::default())?;
    if !check.is_empty() {
        return Err(format!("still different:\n{}", diff::render_text(&check)).into());
    }
    print!("{}", indent(&schema_text(&live)));
    println!("\nin sync ✓");
    Ok(())
}

fn count(conn: &rusqlite::Connection, table: &str) -> rusqlite::Result<i64> {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
}
