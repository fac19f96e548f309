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
use schema_sync_tests::{create_roles, ScratchDir, API_ROLES};

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

/// A `profiles` table with row-level security, policies, grants and comments declared on the
/// struct (the `_without_policy` twin lacks one policy).
mod secured {
    use schema_sync::SyncTable;

    #[derive(SyncTable)]
    #[allow(dead_code)]
    #[sync(table = "profiles", comment = "one row per person", rls(enable, force))]
    #[sync(policy(name = "read own", command = select, roles = ["authenticated"], using = "owner = CURRENT_USER"))]
    #[sync(policy(name = "write own", command = update, roles = ["authenticated"], using = "owner = CURRENT_USER", with_check = "owner = CURRENT_USER"))]
    #[sync(grant(role = "authenticated", privileges = [select, update]), grant(role = "anon", privileges = [select]))]
    pub struct Profile {
        #[sync(primary_key)]
        pub id: i64,
        #[sync(comment = "the role that owns the row")]
        pub owner: String,
        pub bio: Option<String>,
    }

    pub mod without_policy {
        use schema_sync::SyncTable;

        #[derive(SyncTable)]
        #[allow(dead_code)]
        #[sync(table = "profiles", comment = "one row per person", rls(enable, force))]
        #[sync(policy(name = "read own", command = select, roles = ["authenticated"], using = "owner = CURRENT_USER"))]
        #[sync(grant(role = "authenticated", privileges = [select, update]), grant(role = "anon", privileges = [select]))]
        pub struct Profile {
            #[sync(primary_key)]
            pub id: i64,
            #[sync(comment = "the role that owns the row")]
            pub owner: String,
            pub bio: Option<String>,
        }
    }
}

#[tokio::test]
async fn policies_grants_and_comments_declared_on_structs_are_applied_and_their_absence_is_drift() {
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    create_roles(&mut conn, API_ROLES).await;
    let want = schema![secured::Profile];
    apply::migrate(&mut conn, &want, &ApplyOptions::default()).await.expect("create");
    sqlx::raw_sql("INSERT INTO profiles VALUES (1, 'a', 'x'), (2, 'b', NULL)").execute(&mut conn).await.unwrap();
    let live = pg::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap();
    let cmp = diff::compare(&live, &want, None, &DiffOptions::default()).unwrap();
    assert!(cmp.is_empty(), "Postgres differs from the models:\n{}", diff::render_text(&cmp));
    let profiles = live.table(Some("public"), "profiles").unwrap();
    assert!(profiles.row_security.enabled && profiles.row_security.forced);
    assert_eq!(live.policies.len(), 2);
    assert!(live.comments.iter().any(|c| c.text == "the role that owns the row"));
    let anon = live.grants.iter().find(|g| g.role == "anon").expect("anon's grant");
    assert_eq!(anon.privileges, ["SELECT"]);
    // One policy fewer in the models: drift that names it; applying drops it, rows kept.
    let fewer = schema![secured::without_policy::Profile];
    let cmp = diff::compare(&live, &fewer, None, &DiffOptions::default()).unwrap();
    let text = diff::render_text(&cmp);
    assert!(text.contains("write own"), "{text}");
    let opts = ApplyOptions { allow_destructive: true, ..Default::default() };
    apply::migrate(&mut conn, &fewer, &opts).await.expect("drops the policy");
    let live = pg::introspect(&mut conn, &IntrospectOptions::default()).await.unwrap();
    assert_eq!(live.policies.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["read own"]);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM profiles").fetch_one(&mut conn).await.unwrap();
    assert_eq!(n, 2);
}

#[test]
fn policies_grants_and_comments_are_absent_from_the_sqlite_side_and_not_drift_there() {
    let db = TempSqlite::new();
    let mut conn = db.connect();
    let want = schema![secured::Profile];
    apply::migrate_blocking(&mut conn, &want, &ApplyOptions::default()).expect("create on SQLite");
    let live = lite::introspect(&conn, &IntrospectOptions::default()).unwrap();
    assert!(live.policies.is_empty() && live.grants.is_empty() && live.comments.is_empty());
    let cmp = diff::compare(&live, &want, None, &DiffOptions::default()).unwrap();
    assert!(cmp.is_empty(), "SQLite differs from the models:\n{}", diff::render_text(&cmp));
}

const DECLARED_SQL: &str = "
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.bio := coalesce(NEW.bio, ''); RETURN NEW; END $$;
CREATE TRIGGER profiles_touch BEFORE INSERT OR UPDATE ON profiles FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW public_profiles WITH (security_invoker = true) AS SELECT id, bio FROM profiles;
CREATE DOMAIN short_text AS text CHECK (length(VALUE) < 100);
CREATE INDEX profiles_bio_lower ON profiles (lower(bio));
COMMENT ON VIEW public_profiles IS 'what anyone may see';";

#[tokio::test]
async fn declarative_sql_files_merge_with_the_models_into_one_desired_schema() {
    use schema_sync::core::declarative::{self, SqlFile};
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    create_roles(&mut conn, API_ROLES).await;
    let dir = ScratchDir::new("declarative");
    std::fs::write(dir.join("10_functions.sql"), DECLARED_SQL).unwrap();
    std::fs::write(dir.join("README.md"), "not SQL").unwrap();
    let files = declarative::read_dir(dir.path()).unwrap();
    assert_eq!(files.len(), 1);
    let models = schema![secured::Profile];
    let io = IntrospectOptions::default();
    let pg = schema_sync::Dialect::Postgres;
    let desired = declarative::merge(&models, &files, pg, Some(db.url()), &io).await.expect("merges");
    assert_eq!(desired.functions.len(), 1);
    assert_eq!(desired.triggers.len(), 1);
    assert_eq!(desired.views.len(), 1);
    assert_eq!(desired.domains.len(), 1);
    assert_eq!(desired.policies.len(), 2, "the models' policies once");
    let profiles = desired.tables.iter().find(|t| t.name == "profiles").unwrap();
    assert!(profiles.indexes.iter().any(|i| i.name == "profiles_bio_lower"));
    assert_eq!(profiles.columns[0].ty, SqlType::BigInt, "the models' neutral types stay");
    // Applied from empty, the database is the merged schema; a second plan is empty.
    apply::migrate(&mut conn, &desired, &ApplyOptions::default()).await.expect("create");
    let live = pg::introspect(&mut conn, &io).await.unwrap();
    let cmp = diff::compare(&live, &desired, None, &DiffOptions::default()).unwrap();
    assert!(cmp.is_empty(), "Postgres differs from models + SQL:\n{}", diff::render_text(&cmp));
    // The models alone lack the file's objects: that is drift, named.
    let cmp = diff::compare(&live, &models, None, &DiffOptions::default()).unwrap();
    let text = diff::render_text(&cmp);
    assert!(text.contains("public_profiles") && text.contains("profiles_touch"), "{text}");
    // A file that does not load names itself; nothing is left behind.
    let bad = [SqlFile::new("broken.sql", "CREATE VIEW v AS SELECT nope FROM profiles;")];
    let err = declarative::merge(&models, &bad, pg, Some(db.url()), &io).await.expect_err("does not load");
    assert!(err.to_string().contains("broken.sql"), "{err}");
    // Postgres files need a dev database.
    let err = declarative::merge(&models, &files, pg, None, &io).await.expect_err("no dev URL");
    assert!(err.to_string().contains("--dev-url"), "{err}");
    // SQLite files merge in memory.
    let lite_files = [SqlFile::new("views.sql", "CREATE VIEW named AS SELECT id FROM profiles;")];
    let sqlite = schema_sync::Dialect::Sqlite;
    let merged = declarative::merge(&models, &lite_files, sqlite, None, &io).await.expect("SQLite merge");
    assert_eq!(merged.views.len(), 1);
}
