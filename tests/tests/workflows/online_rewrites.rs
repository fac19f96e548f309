//! The online form against a real Postgres with a million rows: an index, a foreign key, a
//! CHECK and a NOT NULL added while a client reads and writes single rows in a loop, with
//! `--online` (the default) and `--no-online` side by side; a concurrent index build killed
//! half-way, finished by the next run; a validation that fails after the transaction, finished
//! by the next run once the data is fixed; a volatile default filled in batches.

use crate::{pg_exec, pg_rows};
use schema_sync::core::apply::{self, ApplyOptions};
use schema_sync::core::introspect::postgres as pgi;
use schema_sync::testing::TempPostgres;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIG: i64 = 1_000_000;

const CURRENT: &str = "CREATE TABLE parents (id bigint PRIMARY KEY);
     CREATE TABLE big (id bigint PRIMARY KEY, parent_id bigint, n bigint NOT NULL, note text);";

const DESIRED: &str = "CREATE TABLE parents (id bigint PRIMARY KEY);
     CREATE TABLE big (id bigint PRIMARY KEY, parent_id bigint REFERENCES parents (id), n bigint NOT NULL,
                       note text NOT NULL, CONSTRAINT big_n_check CHECK (n >= 0));
     CREATE INDEX big_note_n_idx ON big (note, n);";

async fn setup(pg: &TempPostgres) {
    pg_exec(
        pg.url(),
        &format!(
            "{CURRENT}
             INSERT INTO parents SELECT g FROM generate_series(1, 1000) g;
             INSERT INTO big SELECT g, g % 1000 + 1, g, 'note ' || g FROM generate_series(1, {BIG}) g;
             ANALYZE big;"
        ),
    )
    .await;
}

async fn desired(pg: &TempPostgres, ddl: &str) -> schema_sync::Schema {
    schema_sync::core::source::load_postgres_ddl(ddl, "desired", pg.url(), &Default::default()).await.unwrap()
}

/// Applies [`DESIRED`] in one mode while the client runs; returns how long `apply` took, the
/// client's worst latency and the steps (`kind`, online) it ran.
async fn apply_mode(pg: &TempPostgres, online: bool) -> (Duration, Duration, Vec<(String, bool)>) {
    let target = desired(pg, DESIRED).await;
    let stop = Arc::new(AtomicBool::new(false));
    let load = crate::online::row_client(pg.url().to_string(), stop.clone(), "big", "n", BIG);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut opts = ApplyOptions::default();
    opts.plan.online = online;
    let mut conn = pg.connect().await;
    let started = Instant::now();
    let outcome = apply::migrate(&mut conn, &target, &opts).await.expect("applied");
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    let (worst, ops) = load.join().unwrap();
    assert!(ops > 100, "the client kept working ({ops} operations)");
    // Converged, every row kept, one schema_version row for the change.
    let live = pgi::introspect(&mut conn, &Default::default()).await.unwrap();
    assert!(schema_sync::core::diff::diff(&live, &target).is_empty());
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM big").await, [BIG.to_string()]);
    let kinds = outcome
        .plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let v = serde_json::to_value(s).unwrap();
            (v["step"].as_str().unwrap().to_string(), outcome.plan.is_online(i))
        })
        .collect();
    (took, worst, kinds)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_rows_get_index_fk_check_and_not_null_without_blocking_the_clients_writes() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    setup(&pg).await;
    let (online_took, online_worst, steps) = apply_mode(&pg, true).await;
    assert_eq!(
        steps,
        [
            ("add_check".to_string(), false),
            ("add_check".to_string(), false),
            ("add_foreign_key".to_string(), false),
            ("create_index".to_string(), true),
            ("validate_constraint".to_string(), true),
            ("validate_constraint".to_string(), true),
            ("validate_constraint".to_string(), true),
            ("set_not_null_checked".to_string(), true),
        ],
        "NOT VALID in the transaction; build, validations and the proven NOT NULL after it"
    );
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM schema_version").await, ["1"]);
    // The helper check that proved NOT NULL is gone; every constraint is validated.
    assert_eq!(
        pg_rows(pg.url(), "SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'big'::regclass AND contype IN ('c', 'f') ORDER BY 1").await,
        ["big_n_check|true", "big_parent_id_fkey|true"]
    );
    // Back to the start, then the plain form under the same load.
    pg_exec(
        pg.url(),
        "DROP INDEX big_note_n_idx; ALTER TABLE big DROP CONSTRAINT big_n_check;
         ALTER TABLE big DROP CONSTRAINT big_parent_id_fkey; ALTER TABLE big ALTER COLUMN note DROP NOT NULL;",
    )
    .await;
    let (plain_took, plain_worst, steps) = apply_mode(&pg, false).await;
    assert!(steps.iter().all(|(_, online)| !online), "{steps:?}");
    eprintln!(
        "1,000,000 rows, index + FK + CHECK + NOT NULL under a read/write client:\n  \
         --online:    apply {online_took:?}, client worst latency {online_worst:?}\n  \
         --no-online: apply {plain_took:?}, client worst latency {plain_worst:?}"
    );
    // Online: the client never waits for a scan or a build — only for brief catalog locks.
    assert!(online_worst * 10 < online_took, "online: the client waited {online_worst:?} of a {online_took:?} change");
    assert!(online_worst * 3 < plain_worst, "online {online_worst:?} vs plain {plain_worst:?}");
}

/// The backend of a `CREATE INDEX CONCURRENTLY` is killed half-way: the run fails, leaving
/// only an invalid index (the transaction had nothing else to do); the next run sees it, drops
/// it and builds the index again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_concurrent_build_leaves_an_invalid_index_that_the_next_run_finishes() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    setup(&pg).await;
    let mut conn = pg.connect().await;
    let before = pgi::introspect(&mut conn, &Default::default()).await.unwrap();
    let target = desired_with(&pg, CURRENT, "CREATE INDEX big_note_n_idx ON big (note, n);").await;
    let url = pg.url().to_string();
    let run = {
        let target = target.clone();
        tokio::spawn(async move {
            let mut conn = pgi::connect(&url).await.unwrap();
            apply::migrate(&mut conn, &target, &ApplyOptions::default()).await
        })
    };
    // Kill the build's backend while it runs.
    // Once the index is in the catalog (the build's first transaction committed) — on a busy
    // machine the kill could otherwise come before it.
    let built = "SELECT 1 FROM pg_class WHERE relname = 'big_note_n_idx'";
    kill_while_running(pg.url(), "CREATE INDEX CONCURRENTLY%", Duration::ZERO, Some(built)).await;
    let err = run.await.unwrap().expect_err("the run whose build was killed fails");
    eprintln!("killed build: {err}");
    assert_eq!(
        pg_rows(pg.url(), "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_note_n_idx'::regclass").await,
        ["false"],
        "an invalid index is left behind"
    );
    // Nothing else changed: the schema is the old one plus the invalid index; no version row.
    let mut after = pgi::introspect(&mut conn, &Default::default()).await.unwrap();
    let big = after.tables.iter_mut().find(|t| t.name == "big").unwrap();
    assert!(big.indexes.iter().all(|i| i.invalid), "{:?}", big.indexes);
    big.indexes.clear();
    assert!(schema_sync::core::diff::diff(&after, &before).is_empty());
    assert!(apply::versions(&mut conn).await.unwrap().is_empty());
    // The next run drops the invalid index first and builds it again.
    let again = apply::migrate(&mut conn, &target, &ApplyOptions::default()).await.expect("the next run finishes");
    let kinds: Vec<String> =
        again.plan.steps.iter().map(|s| serde_json::to_value(s).unwrap()["step"].as_str().unwrap().into()).collect();
    assert_eq!(kinds, ["drop_index", "create_index"]);
    assert_eq!(
        pg_rows(pg.url(), "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_note_n_idx'::regclass").await,
        ["true"]
    );
    let live = pgi::introspect(&mut conn, &Default::default()).await.unwrap();
    assert!(schema_sync::core::diff::diff(&live, &target).is_empty());
    assert_eq!(apply::versions(&mut conn).await.unwrap().len(), 1);
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM big").await, [BIG.to_string()]);
}

/// Waits for a client session running a statement `LIKE pattern`, lets it run `after` longer
/// (and, with `until`, until that query returns a row: the statement got that far), and
/// terminates its backend (what a crash or a kill does to a migration mid-statement).
async fn kill_while_running(url: &str, pattern: &str, after: Duration, until: Option<&str>) {
    // The session's own backend: a parallel worker of its build shows the same query, and
    // killing the worker only fails the statement (which the run then cleans up after).
    let query = format!(
        "SELECT pid FROM pg_stat_activity WHERE query LIKE '{pattern}' AND pid <> pg_backend_pid() \
         AND backend_type = 'client backend'"
    );
    for _ in 0..4000 {
        if let Some(pid) = pg_rows(url, &query).await.first() {
            tokio::time::sleep(after).await;
            if let Some(q) = until {
                while pg_rows(url, q).await.is_empty() {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
            pg_exec(url, &format!("SELECT pg_terminate_backend({pid})")).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("no session ran `{pattern}`");
}

/// `current` + `extra` as a schema (loaded through a scratch database).
async fn desired_with(pg: &TempPostgres, current: &str, extra: &str) -> schema_sync::Schema {
    desired(pg, &format!("{current}\n{extra}")).await
}

/// With the preflight off, a CHECK that a row violates fails at `VALIDATE`, after the
/// transaction committed: the database is left valid (the constraint exists, `NOT VALID`,
/// checked for new rows), nothing is recorded, and once the row is fixed the next run only
/// validates it.
#[tokio::test]
async fn a_failed_validation_leaves_a_valid_database_that_the_next_run_finishes() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    pg_exec(
        pg.url(),
        "CREATE TABLE t (id bigint PRIMARY KEY, n bigint); INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g;
         UPDATE t SET n = -5 WHERE id = 7;",
    )
    .await;
    let target =
        desired(&pg, "CREATE TABLE t (id bigint PRIMARY KEY, n bigint, CONSTRAINT t_n_check CHECK (n >= 0))").await;
    let mut conn = pg.connect().await;
    // With the preflight (the default) nothing runs: the row is counted first.
    let err = apply::migrate(&mut conn, &target, &ApplyOptions::default()).await.expect_err("refused");
    assert!(err.to_string().contains("1 row(s)"), "{err}");
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM pg_constraint WHERE conname = 't_n_check'").await, ["0"]);
    let opts = ApplyOptions { preflight: false, ..Default::default() };
    let err = apply::migrate(&mut conn, &target, &opts).await.expect_err("VALIDATE fails on the row");
    assert!(err.to_string().contains("t_n_check"), "{err}");
    assert_eq!(
        pg_rows(pg.url(), "SELECT convalidated FROM pg_constraint WHERE conname = 't_n_check'").await,
        ["false"],
        "left NOT VALID"
    );
    // New rows are checked already.
    let mut c = pgi::connect(pg.url()).await.unwrap();
    assert!(sqlx::raw_sql("INSERT INTO t VALUES (5000, -1)").execute(&mut c).await.is_err());
    assert!(apply::versions(&mut conn).await.unwrap().is_empty());
    // The next run only validates.
    pg_exec(pg.url(), "UPDATE t SET n = 7 WHERE id = 7").await;
    let again = apply::migrate(&mut conn, &target, &ApplyOptions::default()).await.expect("finishes");
    let kinds: Vec<String> =
        again.plan.steps.iter().map(|s| serde_json::to_value(s).unwrap()["step"].as_str().unwrap().into()).collect();
    assert_eq!(kinds, ["validate_constraint"]);
    assert_eq!(pg_rows(pg.url(), "SELECT convalidated FROM pg_constraint WHERE conname = 't_n_check'").await, ["true"]);
    assert_eq!(apply::versions(&mut conn).await.unwrap().len(), 1);
    assert_eq!(pg_rows(pg.url(), "SELECT count(*), sum(n) FROM t").await, ["1000|500500"]);
}

/// An index changed under its name is built new, the old one dropped, the new one renamed —
/// so the table is never without it; a UNIQUE constraint is attached to a unique index built
/// concurrently, and a foreign key to it waits for it.
#[tokio::test]
async fn index_changes_swap_and_unique_keys_attach_a_concurrent_index() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    pg_exec(
        pg.url(),
        "CREATE TABLE orgs (id bigint PRIMARY KEY, slug text NOT NULL);
         CREATE TABLE users (id bigint PRIMARY KEY, org_slug text, email text);
         CREATE INDEX users_email_idx ON users (email);
         INSERT INTO orgs SELECT g, 'org' || g FROM generate_series(1, 100) g;
         INSERT INTO users SELECT g, 'org' || (g % 100 + 1), 'u' || g || '@x' FROM generate_series(1, 5000) g;",
    )
    .await;
    let target = desired(
        &pg,
        "CREATE TABLE orgs (id bigint PRIMARY KEY, slug text NOT NULL, CONSTRAINT orgs_slug_key UNIQUE (slug));
         CREATE TABLE users (id bigint PRIMARY KEY, org_slug text REFERENCES orgs (slug), email text);
         CREATE INDEX users_email_idx ON users (lower(email));",
    )
    .await;
    let mut conn = pg.connect().await;
    let out = apply::migrate(&mut conn, &target, &ApplyOptions::default()).await.expect("applied");
    let sql: Vec<&str> = out.statements.iter().filter(|s| !s.transactional).map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sql,
        [
            r#"CREATE UNIQUE INDEX CONCURRENTLY "orgs_slug_key" ON "public"."orgs" ("slug")"#,
            r#"CREATE INDEX CONCURRENTLY "users_email_idx_ss_new" ON "public"."users" ((lower(email)))"#,
            r#"DROP INDEX CONCURRENTLY IF EXISTS "public"."users_email_idx""#,
            r#"ALTER INDEX "public"."users_email_idx_ss_new" RENAME TO "users_email_idx""#,
            r#"ALTER TABLE "public"."orgs" ADD CONSTRAINT "orgs_slug_key" UNIQUE USING INDEX "orgs_slug_key""#,
            r#"ALTER TABLE "public"."users" ADD CONSTRAINT "users_org_slug_fkey" FOREIGN KEY ("org_slug") REFERENCES "public"."orgs" ("slug") NOT VALID"#,
            r#"ALTER TABLE "public"."users" VALIDATE CONSTRAINT "users_org_slug_fkey""#,
        ]
    );
    let live = pgi::introspect(&mut conn, &Default::default()).await.unwrap();
    assert!(schema_sync::core::diff::diff(&live, &target).is_empty());
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM users").await, ["5000"]);
    let again =
        apply::migrate(&mut conn, &target, &ApplyOptions { dry_run: true, ..Default::default() }).await.unwrap();
    assert!(again.plan.is_empty(), "{:?}", again.plan.steps);
}

/// `--backfill-batch`: a column added with a volatile default is added bare, gets the default
/// for new rows, and the existing rows are filled in batches, each committed on its own.
#[tokio::test]
async fn a_volatile_default_is_filled_in_batches() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    pg_exec(
        pg.url(),
        "CREATE TABLE t (id bigint PRIMARY KEY); INSERT INTO t SELECT g FROM generate_series(1, 2500) g;",
    )
    .await;
    let target =
        desired(&pg, "CREATE TABLE t (id bigint PRIMARY KEY, token uuid NOT NULL DEFAULT gen_random_uuid())").await;
    let mut conn = pg.connect().await;
    let mut opts = ApplyOptions::default();
    opts.plan.backfill_batch = Some(1000);
    let out = apply::migrate(&mut conn, &target, &opts).await.expect("applied");
    assert!(out
        .statements
        .iter()
        .any(|s| s.sql.starts_with("DO ") && s.sql.contains("LIMIT 1000") && !s.transactional));
    assert_eq!(pg_rows(pg.url(), "SELECT count(*), count(DISTINCT token) FROM t").await, ["2500|2500"]);
    let live = pgi::introspect(&mut conn, &Default::default()).await.unwrap();
    assert!(schema_sync::core::diff::diff(&live, &target).is_empty());
}

/// `migration new` writes the online form as the Supabase CLI runs files: the transaction in
/// one file, each step that must run on its own in a file after it — every file passing
/// `schema-sync lint` (checked for every file the suite writes) — and both `migrate` and a
/// runner that does what the Supabase CLI (≥ 2.109) does bring the database to the models.
#[tokio::test]
async fn migration_files_carry_the_online_form_split_the_way_the_supabase_cli_runs_them() {
    const BEFORE: &str = "CREATE TABLE orgs (id bigint PRIMARY KEY, slug text NOT NULL);
         CREATE TABLE users (id bigint PRIMARY KEY, org_id bigint, email text, age int);";
    const AFTER: &str =
        "CREATE TABLE orgs (id bigint PRIMARY KEY, slug text NOT NULL, CONSTRAINT orgs_slug_key UNIQUE (slug));
         CREATE TABLE users (id bigint PRIMARY KEY, org_id bigint REFERENCES orgs (id), email text NOT NULL,
                             age bigint, CONSTRAINT users_age_check CHECK (age >= 0));
         CREATE INDEX users_email_idx ON users (email);";
    let rows = "INSERT INTO orgs SELECT g, 'o' || g FROM generate_series(1, 50) g;
         INSERT INTO users SELECT g, g % 50 + 1, 'u' || g, g % 90 FROM generate_series(1, 3000) g;";
    for runner in ["schema-sync migrate", "as the Supabase CLI"] {
        let pg: TempPostgres = schema_sync::require_postgres!();
        pg_exec(pg.url(), &format!("{BEFORE}\n{rows}")).await;
        let dir = crate::ScratchDir::new("online-files");
        let target = desired(&pg, AFTER).await;
        schema_sync::core::snapshot::write(&dir.join("after.json"), &target).unwrap();
        let m = dir.s("m");
        let made =
            crate::cli(&["migration", "new", "tighten", "--from", pg.url(), "--to", &dir.s("after.json"), "--dir", &m])
                .expect(0);
        let files = schema_sync::core::supabase::read_dir(&dir.join("m")).unwrap();
        assert!(files.len() >= 5, "{made:?}");
        // The first file is the transaction: NOT VALID constraints, nothing concurrent.
        let first = &files[0].statements;
        assert!(first.iter().any(|s| s.contains("NOT VALID")), "{first:?}");
        assert!(!first.iter().any(|s| schema_sync::core::sql::runs_outside_transaction(s)));
        for f in &files {
            assert!(f.statements[0].starts_with("SET lock_timeout"), "{}", f.name);
            // A file with a statement that cannot run in a transaction block holds nothing
            // else but the lock timeout and the clean-up of an earlier failed build.
            if f.statements.iter().any(|s| schema_sync::core::sql::runs_outside_transaction(s)) {
                assert!(f.statements[1..].iter().all(|s| s.contains("CONCURRENTLY")), "{}: {:?}", f.name, f.statements);
            }
        }
        assert!(files.last().unwrap().checksum.is_some() && files[0].checksum.is_none() || files.len() == 1);
        match runner {
            "schema-sync migrate" => {
                crate::cli(&["migrate", "--db", pg.url(), "--dir", &m, "--yes"]).expect(0);
                assert_eq!(
                    pg_rows(pg.url(), "SELECT count(*) FROM supabase_migrations.schema_migrations").await,
                    [files.len().to_string()]
                );
            }
            _ => {
                // Each file as one batch (one implicit transaction); a CONCURRENTLY statement on
                // its own outside the batch, the way `supabase db push` runs them.
                let mut c = pgi::connect(pg.url()).await.unwrap();
                for f in &files {
                    let (alone, batch): (Vec<&String>, Vec<&String>) =
                        f.statements.iter().partition(|s| schema_sync::core::sql::runs_outside_transaction(s));
                    let batch: String = batch.iter().map(|s| format!("{s};\n")).collect();
                    sqlx::raw_sql(sqlx::AssertSqlSafe(batch)).execute(&mut c).await.unwrap();
                    for s in alone {
                        sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone())).execute(&mut c).await.unwrap();
                    }
                }
            }
        }
        let mut conn = pg.connect().await;
        let live = pgi::introspect(&mut conn, &Default::default()).await.unwrap();
        assert!(schema_sync::core::diff::diff(&live, &target).is_empty(), "{runner}");
        assert_eq!(pg_rows(pg.url(), "SELECT count(*), sum(age) FROM users").await, ["3000|132630"], "{runner}");
        // Plain: one file, its lock hazards acknowledged as written with --no-online.
        let plain = dir.s("plain");
        crate::cli(&[
            "migration",
            "new",
            "tighten",
            "--from",
            &dir.s("after.json"),
            "--to",
            &dir.s("after.json"),
            "--dir",
            &plain,
        ])
        .expect(1);
        if runner == "schema-sync migrate" {
            let before = dir.join("before.json");
            let b = desired(&pg, BEFORE).await;
            schema_sync::core::snapshot::write(&before, &b).unwrap();
            crate::cli(&[
                "migration",
                "new",
                "tighten",
                "--no-online",
                "--from",
                &dir.s("before.json"),
                "--to",
                &dir.s("after.json"),
                "--dir",
                &plain,
            ])
            .expect(0);
            let files = schema_sync::core::supabase::read_dir(&dir.join("plain")).unwrap();
            assert_eq!(files.len(), 1);
            let text = std::fs::read_to_string(&files[0].path).unwrap();
            assert!(text.contains("-- schema-sync-lint: allow") && text.contains("--no-online"), "{text}");
        }
    }
}

/// `migrate` runs each file under the lock budget: a file whose transaction cannot get its
/// lock is rolled back and retried, then given up on with nothing changed and nothing
/// recorded; once the blocker is gone it applies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_runs_each_file_under_the_lock_budget() {
    use sqlx::Connection;
    let pg: TempPostgres = schema_sync::require_postgres!();
    pg_exec(pg.url(), "CREATE TABLE accounts (id bigint PRIMARY KEY); INSERT INTO accounts VALUES (1), (2);").await;
    let dir = crate::ScratchDir::new("migrate-budget");
    std::fs::create_dir_all(dir.join("m")).unwrap();
    std::fs::write(dir.join("m/20250101000000_add_tier.sql"), "ALTER TABLE accounts ADD COLUMN tier text;\n").unwrap();
    let mut blocker = sqlx::PgConnection::connect(pg.url()).await.unwrap();
    sqlx::raw_sql("BEGIN; SELECT count(*) FROM accounts").execute(&mut blocker).await.unwrap();
    let (url, m) = (pg.url().to_string(), dir.s("m"));
    let started = Instant::now();
    let run = tokio::task::spawn_blocking(move || {
        crate::cli(&["migrate", "--db", &url, "--dir", &m, "--yes", "--lock-timeout", "200ms", "--lock-retries", "2"])
    })
    .await
    .unwrap()
    .expect(2);
    assert!(run.stderr.contains("lock timeout") || run.stderr.contains("55P03"), "{}", run.stderr);
    assert!(started.elapsed() >= Duration::from_millis(600), "three attempts of 200 ms with pauses between");
    assert_eq!(
        pg_rows(
            pg.url(),
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'tier'"
        )
        .await,
        ["0"]
    );
    assert_eq!(
        pg_rows(pg.url(), "SELECT to_regclass('supabase_migrations.schema_migrations') IS NULL").await,
        ["true"]
    );
    sqlx::raw_sql("COMMIT").execute(&mut blocker).await.unwrap();
    let (url, m) = (pg.url().to_string(), dir.s("m"));
    tokio::task::spawn_blocking(move || {
        crate::cli(&["migrate", "--db", &url, "--dir", &m, "--yes", "--lock-timeout", "200ms", "--lock-retries", "2"])
    })
    .await
    .unwrap()
    .expect(0);
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM supabase_migrations.schema_migrations").await, ["1"]);
}

/// `--backfill-batch` on a type change that rewrites: a shadow column kept in step by a
/// trigger, filled in committed batches, swapped in at the end — and a run killed while it
/// fills is taken over by the next one (the shadow reused, not dropped as drift).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_type_change_goes_through_a_shadow_column_in_batches_and_resumes() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    pg_exec(
        pg.url(),
        "CREATE TABLE t (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0, note text);
         INSERT INTO t SELECT g, g, 'x' FROM generate_series(1, 300000) g;",
    )
    .await;
    let target = desired(&pg, "CREATE TABLE t (id bigint PRIMARY KEY, n bigint NOT NULL DEFAULT 0, note text)").await;
    let mut opts = ApplyOptions::default();
    opts.plan.backfill_batch = Some(2000);
    let url = pg.url().to_string();
    let first = {
        let (target, opts) = (target.clone(), opts.clone());
        tokio::spawn(async move {
            let mut conn = pgi::connect(&url).await.unwrap();
            apply::migrate(&mut conn, &target, &opts).await
        })
    };
    // Once the first batches are committed (whatever the machine's load), kill the fill.
    let has_shadow =
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'n__ss_new'";
    for _ in 0..2000 {
        let filled = pg_rows(pg.url(), has_shadow).await == ["1"]
            && pg_rows(pg.url(), "SELECT count(*) FILTER (WHERE n__ss_new IS NOT NULL) > 0 FROM t").await == ["true"];
        if filled {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    kill_while_running(pg.url(), "DO %n__ss_new%LIMIT%", Duration::ZERO, None).await;
    first.await.unwrap().expect_err("the killed run fails");
    // Half-way: the shadow is there, partly filled; the old column still serves the app.
    let filled = pg_rows(pg.url(), "SELECT count(*) FILTER (WHERE n__ss_new IS NOT NULL) > 0 FROM t").await;
    assert_eq!(filled, ["true"]);
    pg_exec(pg.url(), "INSERT INTO t (id, n) VALUES (300001, 7); UPDATE t SET n = -1 WHERE id = 5;").await;
    // The next run takes the shadow over and finishes.
    let mut conn = pg.connect().await;
    let out = apply::migrate(&mut conn, &target, &opts).await.expect("the next run finishes");
    let kinds: Vec<String> =
        out.plan.steps.iter().map(|s| serde_json::to_value(s).unwrap()["step"].as_str().unwrap().into()).collect();
    assert!(
        kinds.contains(&"swap_shadow_column".to_string()) && !kinds.contains(&"drop_column".to_string()),
        "{kinds:?}"
    );
    assert!(out.plan.hazards.iter().all(|h| h.code != schema_sync::core::plan::HazardCode::DeletesData));
    let live = pgi::introspect(&mut conn, &Default::default()).await.unwrap();
    assert!(schema_sync::core::diff::diff(&live, &target).is_empty(), "{live:?}");
    assert_eq!(
        pg_rows(pg.url(), "SELECT count(*), sum(n), min(n), max(n) FROM t").await,
        [format!("300001|{}|-1|300000", 300000i64 * 300001 / 2 - 5 - 1 + 7)]
    );
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM pg_trigger WHERE tgrelid = 't'::regclass").await, ["0"]);
    assert_eq!(
        pg_rows(
            pg.url(),
            "SELECT data_type FROM information_schema.columns WHERE table_name = 't' AND column_name = 'n'"
        )
        .await,
        ["bigint"]
    );
}

/// The swap refuses a shadow column its fill did not finish (an interrupted fill run by hand,
/// a conversion that turned a value into NULL): it fails naming the columns, nothing is
/// swapped and every value of the old column is still there. A nullable column: for a NOT
/// NULL one the shadow's NOT NULL check, validated before the swap, stops it first.
#[tokio::test]
async fn a_shadow_the_fill_did_not_finish_is_never_swapped_in() {
    use schema_sync::core::plan::{self, Capabilities, PlanOptions, Step};
    let pg: TempPostgres = schema_sync::require_postgres!();
    pg_exec(
        pg.url(),
        "CREATE TABLE s (id bigint PRIMARY KEY, n int);
         INSERT INTO s SELECT g, g FROM generate_series(1, 1000) g;",
    )
    .await;
    let mut conn = pg.connect().await;
    let live = pgi::introspect(&mut conn, &Default::default()).await.unwrap();
    let target = desired(&pg, "CREATE TABLE s (id bigint PRIMARY KEY, n bigint)").await;
    let c = schema_sync::core::diff::compare(&live, &target, None, &Default::default()).unwrap();
    let opts = PlanOptions { online: true, backfill_batch: Some(100), ..Default::default() };
    let plan = plan::plan(&c, &Capabilities::postgres(150_000), &opts);
    let mut swapped = None;
    for st in schema_sync::core::render::postgres::render(&plan).unwrap() {
        let run = sqlx::raw_sql(sqlx::AssertSqlSafe(st.sql.clone())).execute(&mut conn);
        match &plan.steps[st.step] {
            // Only the first 100 rows are filled, as if the fill had been stopped there.
            Step::FillShadowColumn { .. } => {
                pg_exec(pg.url(), "UPDATE s SET n__ss_new = n WHERE id <= 100").await;
            }
            Step::SwapShadowColumn { .. } => swapped = Some(run.await),
            _ => {
                run.await.unwrap();
            }
        }
    }
    let err = swapped.expect("the plan swaps").expect_err("a short shadow is not swapped in").to_string();
    assert!(err.contains("n__ss_new is missing values of n"), "{err}");
    assert_eq!(pg_rows(pg.url(), "SELECT count(*), sum(n) FROM s").await, ["1000|500500"]);
    assert_eq!(
        pg_rows(
            pg.url(),
            "SELECT data_type FROM information_schema.columns WHERE table_name = 's' AND column_name = 'n'"
        )
        .await,
        ["integer"]
    );
}
