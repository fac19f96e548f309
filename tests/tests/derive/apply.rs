//! The example models, turned into a schema, migrated onto a real SQLite file and a real
//! Postgres database: both introspect back equal to the models (per-dialect overrides
//! respected), and a second migration plans nothing.

use super::models::{AuditEvent, Org, Post, PostTag, User};
use schema_sync::core::apply::postgres::PgDatabase;
use schema_sync::core::apply::{self, ApplyOptions};
use schema_sync::core::diff::{self, DiffOptions};
use schema_sync::core::introspect::{postgres as pg, sqlite as lite, IntrospectOptions};
use schema_sync::schema;
use schema_sync::testing::TempSqlite;
use schema_sync::SqlType;

fn models() -> schema_sync::Schema {
    schema![Org, User, Post, PostTag, AuditEvent]
}

#[test]
fn models_applied_to_sqlite_introspect_equal() {
    let db = TempSqlite::new();
    let mut conn = db.connect();
    let out = apply::migrate_blocking(&mut conn, &models(), &ApplyOptions::default()).expect("create from models");
    assert!(out.applied && out.plan.steps.len() >= 5);
    let live = lite::introspect(&conn, &IntrospectOptions::default()).unwrap();
    let cmp = diff::compare(&live, &models(), None, &DiffOptions::default()).unwrap();
    assert!(cmp.is_empty(), "SQLite differs from the models:\n{}", diff::render_text(&cmp));
    // Per-dialect overrides: `email` is TEXT on SQLite, the Role enum is TEXT + CHECK.
    let users = live.table(None, "users").unwrap();
    assert_eq!(users.column("email").unwrap().ty, SqlType::Text);
    assert!(users.checks.iter().any(|c| c.expr.contains("'owner'")), "enum check: {:?}", users.checks);
    let again = apply::migrate_blocking(&mut conn, &models(), &ApplyOptions::default()).unwrap();
    assert!(again.plan.is_empty(), "second plan: {:?}", again.plan.steps);
}

#[tokio::test]
async fn models_applied_to_postgres_introspect_equal() {
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    sqlx::raw_sql("CREATE EXTENSION IF NOT EXISTS citext")
        .execute(&mut conn)
        .await
        .expect("citext (postgresql-contrib)");
    let iopts = IntrospectOptions { schemas: vec!["public".into(), "audit".into()], ..Default::default() };
    let out = apply::migrate(PgDatabase::new(&mut conn).with_scope(iopts.clone()), &models(), &ApplyOptions::default())
        .await
        .expect("create");
    assert!(out.applied);
    let live = pg::introspect(&mut conn, &iopts).await.unwrap();
    let cmp = diff::compare(&live, &models(), None, &DiffOptions::default()).unwrap();
    assert!(cmp.is_empty(), "Postgres differs from the models:\n{}", diff::render_text(&cmp));
    let users = live.table(Some("public"), "users").unwrap();
    assert_eq!(users.column("email").unwrap().ty.to_string(), "citext");
    assert!(matches!(users.column("role").unwrap().ty, SqlType::Enum { .. }));
    assert!(live.table(Some("audit"), "audit_event").is_some());
    let again =
        apply::migrate(PgDatabase::new(&mut conn).with_scope(iopts.clone()), &models(), &ApplyOptions::default())
            .await
            .unwrap();
    assert!(again.plan.is_empty(), "second plan: {:?}", again.plan.steps);
}
