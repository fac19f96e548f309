//! Each assertion: passes on matching databases, fails with the expected message otherwise.

use super::{apply_postgres, apply_sqlite, assert_contains, models_v1, models_v2, panic_message};
use schema_sync::testing::{self, TempSqlite};
use schema_sync::{assert_migrations_reproduce, assert_schema_matches, assert_sqlite_postgres_in_sync, Dialect};
use std::path::Path;

fn sqlite_at_v1() -> TempSqlite {
    let db = TempSqlite::new();
    apply_sqlite(&mut db.connect(), &models_v1());
    db
}

/// A migrations directory holding the Postgres CREATE script of `models_v1()`.
fn migrations_at_v1(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let sql = schema_sync::core::render::schema_sql(&models_v1(), Dialect::Postgres).unwrap();
    std::fs::write(dir.join("20240101000000_init.sql"), schema_sync::core::render::script(&sql)).unwrap();
}

#[test]
fn schema_matches_accepts_every_form_of_a_matching_sqlite_database() {
    let db = sqlite_at_v1();
    let conn = db.connect();
    assert_schema_matches!(db, models_v1());
    assert_schema_matches!(&db, models_v1());
    assert_schema_matches!(db.url(), models_v1());
    assert_schema_matches!(db.path(), models_v1());
    assert_schema_matches!(db.path().display().to_string().as_str(), models_v1());
    assert_schema_matches!(conn, models_v1());
    testing::assert_schema_matches(&conn, &models_v1());
}

#[test]
fn schema_matches_fails_on_sqlite_with_the_diff_and_the_fixing_sql() {
    let db = sqlite_at_v1();
    let message = panic_message(|| assert_schema_matches!(db, models_v2()));
    assert_contains(
        &message,
        &[
            "assert_schema_matches!: the database does not match the models",
            &format!("database: {}", db.url()),
            "models:   2 tables (orgs, users)",
            "~ table users",
            "+ column nickname TEXT",
            "+ unique index",
            "SQL that would fix it:",
            "ALTER TABLE \"users\" ADD COLUMN \"nickname\" TEXT",
            "CREATE UNIQUE INDEX",
        ],
    );
    // The fixing SQL really fixes it.
    let sql: String =
        message.split("SQL that would fix it:\n").nth(1).unwrap().lines().map(|l| format!("{}\n", l.trim())).collect();
    db.connect().execute_batch(&sql).unwrap();
    assert_schema_matches!(db, models_v2());
}

#[test]
fn schema_matches_fails_on_a_missing_or_unreadable_database() {
    let message = panic_message(|| assert_schema_matches!("sqlite:/nonexistent/app.db", models_v1()));
    assert_contains(&message, &["assert_schema_matches!", "does not exist"]);
    let message = panic_message(|| assert_schema_matches!("postgres://nobody@127.0.0.1:1/none", models_v1()));
    assert_contains(&message, &["assert_schema_matches!", "connecting to postgres://nobody@127.0.0.1:1/none"]);
}

#[test]
fn schema_matches_on_postgres() {
    let pg = schema_sync::require_postgres!(blocking);
    apply_postgres(pg.url(), &models_v1());
    assert_schema_matches!(pg, models_v1());
    assert_schema_matches!(pg.url(), models_v1());
    let message = panic_message(|| assert_schema_matches!(pg, models_v2()));
    assert_contains(
        &message,
        &[
            "the database does not match the models",
            "~ table public.users",
            "+ column nickname text",
            "ALTER TABLE \"public\".\"users\" ADD COLUMN \"nickname\" text",
        ],
    );
}

#[tokio::test]
async fn blocking_and_async_forms_work_inside_tokio() {
    let pg = schema_sync::require_postgres!();
    apply_postgres(pg.url(), &models_v1());
    let db = sqlite_at_v1();
    assert_schema_matches!(pg, models_v1());
    assert_sqlite_postgres_in_sync!(db, pg);
    testing::assert_schema_matches_async(&pg, &models_v1()).await;
    testing::assert_schema_matches_async(db.connect(), &models_v1()).await;
    testing::assert_sqlite_postgres_in_sync_async(&db, &pg).await;
    let dir = TempSqlite::new();
    let migrations = dir.path().with_file_name("migrations");
    migrations_at_v1(&migrations);
    testing::assert_migrations_reproduce_async(&migrations, &models_v1()).await;
}

#[test]
fn migrations_reproduce_in_version_order() {
    let _pg = schema_sync::require_postgres!(blocking);
    let scratch = TempSqlite::new();
    let dir = scratch.path().with_file_name("migrations");
    migrations_at_v1(&dir);
    assert_migrations_reproduce!(dir = &dir, models_v1());
    // A later file adds what v2 has; it only applies after the first one.
    std::fs::write(
        dir.join("20240301000000_nickname.sql"),
        "ALTER TABLE users ADD COLUMN nickname text;\nCREATE UNIQUE INDEX users_email_idx ON users (email);\n",
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "not a migration").unwrap();
    assert_migrations_reproduce!(dir = &dir, models_v2());
    let message = panic_message(|| assert_migrations_reproduce!(dir = &dir, models_v1()));
    assert_contains(&message, &["the migrations do not reproduce the models", "- column nickname text"]);
}

#[test]
fn migrations_reproduce_fails_with_the_missing_migration() {
    let _pg = schema_sync::require_postgres!(blocking);
    let scratch = TempSqlite::new();
    let dir = scratch.path().with_file_name("migrations");
    migrations_at_v1(&dir);
    let message = panic_message(|| assert_migrations_reproduce!(dir = &dir, models_v2()));
    assert_contains(
        &message,
        &[
            "assert_migrations_reproduce!: the migrations do not reproduce the models",
            "(1 file, last 20240101000000_init.sql)",
            "What the migrations are missing to match the models:",
            "~ table public.users",
            "+ column nickname text",
            "SQL that would fix it (as a new migration, e.g. ",
            "_update_schema.sql):",
            "ALTER TABLE \"public\".\"users\" ADD COLUMN \"nickname\" text",
        ],
    );
    // Saving the suggested SQL as the next migration makes the assertion pass.
    let sql: String =
        message.split("_update_schema.sql):\n").nth(1).unwrap().lines().map(|l| format!("{}\n", l.trim())).collect();
    std::fs::write(dir.join("20240201000000_update_schema.sql"), sql).unwrap();
    assert_migrations_reproduce!(dir = &dir, models_v2());
}

#[test]
fn migrations_reproduce_rejects_bad_directories_and_files() {
    let scratch = TempSqlite::new();
    let dir = scratch.path().with_file_name("migrations");
    let message = panic_message(|| assert_migrations_reproduce!(dir = &dir, models_v1()));
    assert_contains(&message, &["assert_migrations_reproduce!: migrations directory", "does not exist"]);
    std::fs::create_dir_all(&dir).unwrap();
    let message = panic_message(|| assert_migrations_reproduce!(dir = &dir, models_v1()));
    assert_contains(&message, &["no migration files"]);
    std::fs::write(dir.join("init.sql"), "CREATE TABLE t (id int)").unwrap();
    let message = panic_message(|| assert_migrations_reproduce!(dir = &dir, models_v1()));
    assert_contains(&message, &["malformed migration file name `init.sql`"]);
}

#[test]
fn migrations_reproduce_names_the_file_that_fails_and_rolls_it_back() {
    let _pg = schema_sync::require_postgres!(blocking);
    let scratch = TempSqlite::new();
    let dir = scratch.path().with_file_name("migrations");
    migrations_at_v1(&dir);
    std::fs::write(
        dir.join("20240201000000_broken.sql"),
        "ALTER TABLE users ADD COLUMN x int;\nALTER TABLE nope ADD COLUMN y int;",
    )
    .unwrap();
    let message = panic_message(|| assert_migrations_reproduce!(dir = &dir, models_v1()));
    assert_contains(&message, &["20240201000000_broken.sql failed to apply", "relation \"nope\" does not exist"]);
}

#[test]
fn migrations_reproduce_relative_dirs_are_relative_to_the_crate() {
    // `tests/` has no `no-such-dir`; the message shows the path joined to CARGO_MANIFEST_DIR.
    let message = panic_message(|| assert_migrations_reproduce!(dir = "no-such-dir", models_v1()));
    assert_contains(&message, &[&format!("{}/no-such-dir", env!("CARGO_MANIFEST_DIR"))]);
}

#[test]
fn sqlite_postgres_in_sync() {
    let pg = schema_sync::require_postgres!(blocking);
    apply_postgres(pg.url(), &models_v1());
    let db = sqlite_at_v1();
    assert_sqlite_postgres_in_sync!(db, pg);
    assert_sqlite_postgres_in_sync!(db.connect(), pg.url());

    let behind = sqlite_at_v1();
    apply_postgres(pg.url(), &models_v2());
    let message = panic_message(|| assert_sqlite_postgres_in_sync!(behind, pg));
    assert_contains(
        &message,
        &[
            "assert_sqlite_postgres_in_sync!: the SQLite database is not in sync with Postgres",
            &format!("sqlite:   {}", behind.url()),
            "~ table users",
            "+ column nickname TEXT",
            "SQL that would fix it (on SQLite):",
            "ALTER TABLE \"users\" ADD COLUMN \"nickname\" TEXT",
        ],
    );
    let message = panic_message(|| assert_sqlite_postgres_in_sync!(pg, behind));
    assert_contains(&message, &["the first database must be SQLite"]);
}
