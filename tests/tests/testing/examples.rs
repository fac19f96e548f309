//! The runnable examples: each exits 0 and prints what its story promises.
//! (`cargo run` in the workspace, sharing this build's target directory.)

use super::{assert_contains, cargo, text, WORKSPACE};
use std::path::Path;

/// `cargo run -p schema-sync-examples --example <name>`; its stdout when it exits 0.
fn run_example(name: &str, pg_url: Option<&str>) -> String {
    let out = cargo(Path::new(WORKSPACE), &["run", "--quiet", "-p", "schema-sync-examples", "--example", name], pg_url);
    assert!(out.status.success(), "example {name} failed:\n{}", text(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn quickstart() {
    let out = run_example("quickstart", None);
    assert_contains(
        &out,
        &[
            "── 1. The models",
            "CREATE TABLE \"posts\"",
            "+ column published BOOLEAN NOT NULL DEFAULT 0",
            "+ index posts_by_author (author_id, published)",
            "ALTER TABLE \"posts\" ADD COLUMN \"published\" BOOLEAN NOT NULL DEFAULT 0;",
            "applied: true, schema_version 2",
            "post 3: Hi     by bob@acme.test  published = false",
            "orgs: 1, users: 2, posts: 3",
            "in sync ✓",
        ],
    );
}

#[test]
fn supabase() {
    let pg = schema_sync::require_postgres!(blocking);
    let out = run_example("supabase", Some(pg.url()));
    assert_contains(
        &out,
        &[
            "20250101000000_init.sql: applied",
            "20250101000000_init.sql: already applied",
            "20250102000000_pin_notes.sql: applied",
            "in sync: the database matches the models ✓",
            "- column color text",
            "ALTER TABLE \"public\".\"notes\" DROP COLUMN \"color\";",
        ],
    );
}

#[test]
fn offline_sync() {
    let pg = schema_sync::require_postgres!(blocking);
    let out = run_example("offline_sync", Some(pg.url()));
    assert_contains(
        &out,
        &[
            "+ column done BOOLEAN NOT NULL DEFAULT 0",
            "ALTER TABLE \"tasks\" ADD COLUMN \"due_on\" DATE;",
            "task 3: Fix tap",
            "in sync ✓",
        ],
    );
}
