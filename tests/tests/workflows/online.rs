//! Live Postgres under load: a client doing single-row reads and writes in a loop measures its
//! worst latency while a long transaction holds a lock on its table and `apply` needs
//! `ACCESS EXCLUSIVE` there. With a lock budget the client never waits longer than the budget
//! (the change retries and lands once the blocker is gone, or gives up naming it); without
//! one, the queued `ALTER` stalls the client for as long as the blocker lives.

use crate::{pg_exec, pg_rows};
use schema_sync::core::apply::{self, ApplyOptions, LockBudget};
use schema_sync::testing::TempPostgres;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ROWS: i64 = 2_000;

async fn setup(pg: &TempPostgres) {
    pg_exec(
        pg.url(),
        &format!(
            "CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL);
             INSERT INTO accounts SELECT g, 0 FROM generate_series(1, {ROWS}) g;"
        ),
    )
    .await;
}

/// The desired schema: `accounts` plus a column with a constant default (a brief
/// `ACCESS EXCLUSIVE` lock; no rewrite).
async fn desired(pg: &TempPostgres) -> schema_sync::Schema {
    schema_sync::core::source::load_postgres_ddl(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL, tier text NOT NULL DEFAULT 'basic')",
        "desired",
        pg.url(),
        &Default::default(),
    )
    .await
    .unwrap()
}

fn client(url: String, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<(Duration, u64)> {
    row_client(url, stop, "accounts", "balance", ROWS)
}

/// A client on its own thread and connection: read one row of `table` (ids `1..=rows`),
/// add 1 to its `column`, next row, until stopped. Returns the worst single operation
/// latency and the number of operations.
pub(crate) fn row_client(
    url: String,
    stop: Arc<AtomicBool>,
    table: &'static str,
    column: &'static str,
    rows: i64,
) -> std::thread::JoinHandle<(Duration, u64)> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            let read = format!("SELECT {column} FROM {table} WHERE id = $1");
            let write = format!("UPDATE {table} SET {column} = {column} + 1 WHERE id = $1");
            let (mut worst, mut ops, mut id) = (Duration::ZERO, 0u64, 0i64);
            while !stop.load(Ordering::SeqCst) {
                id = (id + 7919) % rows + 1;
                let t = Instant::now();
                sqlx::query(sqlx::AssertSqlSafe(read.as_str())).bind(id).fetch_one(&mut conn).await.unwrap();
                worst = worst.max(t.elapsed());
                let t = Instant::now();
                sqlx::query(sqlx::AssertSqlSafe(write.as_str())).bind(id).execute(&mut conn).await.unwrap();
                worst = worst.max(t.elapsed());
                ops += 2;
            }
            (worst, ops)
        })
    })
}

/// A long transaction that read the table and stays open (`idle in transaction`) for `hold`:
/// it holds `ACCESS SHARE`, which blocks nobody but an `ALTER TABLE`. Returns its pid.
async fn blocker(url: &str, hold: Duration) -> (i32, tokio::task::JoinHandle<()>) {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let pid: i32 = sqlx::query("SELECT pg_backend_pid()").fetch_one(&mut conn).await.unwrap().get(0);
    sqlx::raw_sql("BEGIN; SELECT count(*) FROM accounts").execute(&mut conn).await.unwrap();
    let task = tokio::spawn(async move {
        tokio::time::sleep(hold).await;
        sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
    });
    (pid, task)
}

/// Runs `apply` of [`desired`] under `budget` while a blocker holds the table for `hold` and
/// the client runs; returns the outcome, how long `apply` took and the client's worst latency.
async fn apply_under_load(
    pg: &TempPostgres,
    budget: LockBudget,
    hold: Duration,
) -> (schema_sync::Result<apply::Outcome>, Duration, Duration, i32) {
    let target = desired(pg).await;
    let stop = Arc::new(AtomicBool::new(false));
    let load = client(pg.url().to_string(), stop.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (pid, held) = blocker(pg.url(), hold).await;
    let mut conn = pg.connect().await;
    let started = Instant::now();
    let outcome = apply::migrate(&mut conn, &target, &ApplyOptions { budget, ..Default::default() }).await;
    let took = started.elapsed();
    held.await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    let (worst, ops) = load.join().unwrap();
    assert!(ops > 100, "the client kept working ({ops} operations)");
    eprintln!("budget run: apply {took:?}, client worst latency {worst:?} over {ops} operations");
    (outcome, took, worst, pid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_budget_keeps_a_busy_table_responsive_and_lands_once_the_blocker_ends() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    setup(&pg).await;
    let budget = LockBudget {
        lock_timeout: Some(Duration::from_millis(500)),
        retries: 8,
        backoff: Duration::from_millis(500),
        ..LockBudget::default()
    };
    let hold = Duration::from_secs(20);
    let (outcome, took, worst, _) = apply_under_load(&pg, budget, hold).await;
    let outcome = outcome.expect("the change lands once the blocker is gone");
    assert!(outcome.applied);
    assert!(took >= hold - Duration::from_millis(500), "it waited for the blocker ({took:?})");
    // Each attempt queues the ALTER for at most the 500 ms budget, and the client behind it.
    assert!(worst < Duration::from_millis(1_500), "client stalled {worst:?} with a 500 ms lock budget");
    assert_eq!(
        pg_rows(pg.url(), "SELECT count(*), count(*) FILTER (WHERE tier = 'basic') FROM accounts").await,
        [format!("{ROWS}|{ROWS}")]
    );
    assert_eq!(pg_rows(pg.url(), "SELECT count(*) FROM schema_version").await, ["1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spent_lock_budget_changes_nothing_and_names_the_blocker() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    setup(&pg).await;
    let budget = LockBudget {
        lock_timeout: Some(Duration::from_millis(300)),
        retries: 2,
        backoff: Duration::from_millis(200),
        ..LockBudget::default()
    };
    let (outcome, took, worst, pid) = apply_under_load(&pg, budget, Duration::from_secs(5)).await;
    let err = outcome.expect_err("the blocker outlives the budget");
    match &err {
        schema_sync::Error::LockTimeout { attempts, blockers, .. } => {
            assert_eq!(*attempts, 3);
            let b = blockers.iter().find(|b| b.pid == pid).unwrap_or_else(|| panic!("blocker {pid} named: {err}"));
            assert_eq!(b.table, "accounts");
            assert_eq!(b.state, "idle in transaction");
            assert!(b.query.contains("SELECT count(*) FROM accounts"), "{b:?}");
        }
        other => panic!("expected LockTimeout, got {other}"),
    }
    let text = err.to_string();
    assert!(text.contains("nothing was changed") && text.contains(&format!("pid {pid}")), "{text}");
    assert!(took < Duration::from_secs(4), "gave up within the budget ({took:?})");
    assert!(worst < Duration::from_millis(1_200), "client stalled {worst:?}");
    // Nothing changed: no column, no schema_version.
    assert_eq!(
        pg_rows(pg.url(), "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts'").await,
        ["2"]
    );
    assert_eq!(pg_rows(pg.url(), "SELECT to_regclass('schema_version') IS NULL").await, ["true"]);
}

/// The outage the budget prevents, measured: without one the `ALTER` waits in the lock queue
/// for the whole life of the blocker, and every query on the table waits behind it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_budget_the_queued_alter_stalls_the_client_for_the_blockers_lifetime() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    setup(&pg).await;
    let hold = Duration::from_secs(4);
    let (outcome, _, worst, _) = apply_under_load(&pg, LockBudget::unlimited(), hold).await;
    assert!(outcome.unwrap().applied);
    assert!(worst >= hold - Duration::from_secs(1), "client stalled only {worst:?}: the outage did not happen");
}

/// The CLI contract: a spent budget is exit 2 with one line naming the blocker; a duration
/// that does not read is exit 2 before anything is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_reports_a_spent_budget_in_one_line_with_exit_2() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    setup(&pg).await;
    let dir = crate::ScratchDir::new("online-cli");
    // The binary is built (when stale) before the blocker starts its clock.
    crate::cli(&["--version"]).expect(0);
    schema_sync::core::snapshot::write(&dir.join("desired.json"), &desired(&pg).await).unwrap();
    let (pid, held) = blocker(pg.url(), Duration::from_secs(8)).await;
    let (url, to) = (pg.url().to_string(), dir.s("desired.json"));
    let run = tokio::task::spawn_blocking(move || {
        crate::cli(&["apply", "--db", &url, "--to", &to, "--yes", "--lock-timeout", "200ms", "--lock-retries", "1"])
    })
    .await
    .unwrap()
    .expect(2);
    // The same budget from schema-sync.toml (flags would win over it).
    std::fs::write(
        dir.join("schema-sync.toml"),
        format!("[postgres]\nurl = \"{}\"\nlock_timeout = \"250ms\"\nlock_retries = 0\n", pg.url()),
    )
    .unwrap();
    let (url, to, cwd) = (pg.url().to_string(), dir.s("desired.json"), dir.path().to_path_buf());
    let configured = tokio::task::spawn_blocking(move || {
        crate::cli_in(Some(&cwd), &["apply", "--db", &url, "--to", &to, "--yes"], &[])
    })
    .await
    .unwrap()
    .expect(2);
    assert!(
        configured.stderr.contains("gave up after 1 attempt(s)") && configured.stderr.contains("(250 ms)"),
        "{}",
        configured.stderr
    );
    held.await.unwrap();
    let err = run.stderr.trim();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("gave up after 2 attempt(s)") && err.contains(&format!("pid {pid}")), "{err}");
    assert!(err.contains("--lock-timeout"), "says what to change: {err}");
    assert_eq!(
        pg_rows(pg.url(), "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts'").await,
        ["2"]
    );

    let bad =
        crate::cli(&["apply", "--db", pg.url(), "--to", &dir.s("desired.json"), "--lock-timeout", "soon"]).expect(2);
    assert!(bad.stderr.contains("--lock-timeout soon: expected a duration"), "{}", bad.stderr);
}

/// `apply --dry-run --format json`: each step with its statements, the lock it takes on which
/// table (with the live size) and its hazards.
#[tokio::test]
async fn the_json_plan_shows_each_steps_locks_with_live_sizes() {
    let pg: TempPostgres = schema_sync::require_postgres!();
    setup(&pg).await;
    pg_exec(pg.url(), "ANALYZE accounts").await;
    let dir = crate::ScratchDir::new("online-json");
    // The column of `desired`, and an index: a step that reads every row while writes wait.
    let target = schema_sync::core::source::load_postgres_ddl(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL, tier text NOT NULL DEFAULT 'basic');
         CREATE INDEX accounts_balance_idx ON accounts (balance);",
        "desired",
        pg.url(),
        &Default::default(),
    )
    .await
    .unwrap();
    schema_sync::core::snapshot::write(&dir.join("desired.json"), &target).unwrap();
    let (url, to) = (pg.url().to_string(), dir.s("desired.json"));
    let run = tokio::task::spawn_blocking(move || {
        crate::cli(&["apply", "--db", &url, "--to", &to, "--dry-run", "--format", "json"])
    })
    .await
    .unwrap()
    .expect(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    assert_eq!(v["applied"], false);
    let steps = v["steps"].as_array().unwrap();
    let by_kind = |k: &str| steps.iter().find(|s| s["kind"] == k).unwrap_or_else(|| panic!("{k} in {steps:#?}"));
    let add = by_kind("add_column");
    assert_eq!(add["locks"][0]["mode"], "ACCESS_EXCLUSIVE");
    assert_eq!(add["locks"][0]["rewrites"], false, "a constant default is stored once");
    assert_eq!(add["online"], false, "the ADD COLUMN is the transaction");
    // The online form (the default): the index is built concurrently after the transaction.
    let index = by_kind("create_index");
    assert_eq!(index["online"], true);
    let lock = &index["locks"][0];
    assert_eq!((lock["mode"].as_str(), lock["scans"].as_bool()), (Some("SHARE_UPDATE_EXCLUSIVE"), Some(true)));
    assert_eq!(lock["size"]["rows"].as_i64(), Some(ROWS), "reltuples after ANALYZE");
    assert!(lock["size"]["bytes"].as_i64().unwrap() > 8192);
    let codes: Vec<&str> = index["hazards"].as_array().unwrap().iter().map(|h| h["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["NON_TRANSACTIONAL", "SCANS_TABLE"]);
    assert!(index["statements"][0]["sql"].as_str().unwrap().starts_with("CREATE INDEX CONCURRENTLY"));
    assert_eq!(index["statements"][0]["transactional"], false);
    // `--no-online`: the plain form, in the one transaction, blocking writes while it builds.
    let (url, to) = (pg.url().to_string(), dir.s("desired.json"));
    let run = tokio::task::spawn_blocking(move || {
        crate::cli(&["apply", "--db", &url, "--to", &to, "--dry-run", "--format", "json", "--no-online"])
    })
    .await
    .unwrap()
    .expect(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let steps = v["steps"].as_array().unwrap();
    let index = steps.iter().find(|s| s["kind"] == "create_index").unwrap();
    assert_eq!((index["online"].as_bool(), index["locks"][0]["mode"].as_str()), (Some(false), Some("SHARE")));
    assert_eq!(index["hazards"][0]["code"], "BLOCKS_WRITES");
    // Nothing ran.
    assert_eq!(
        pg_rows(pg.url(), "SELECT count(*) FROM pg_indexes WHERE indexname = 'accounts_balance_idx'").await,
        ["0"]
    );
}
