//! Postgres introspection against a real server (the `schema_sync::testing` harness: one
//! throwaway cluster for the whole test binary unless `SCHEMA_SYNC_TEST_PG_URL` is set).

mod conformance;

use schema_sync::testing::TempPostgres;
use schema_sync_core::introspect::{postgres as pg, IntrospectOptions};
use schema_sync_core::model::{
    Check, Deferrable, FkAction, ForeignKey, Generated, Identity, IndexKey, KeyTarget, Schema, Unique,
};
use schema_sync_core::{Error, SqlType};
use sqlx::{AssertSqlSafe, PgConnection};

/// Runs a multi-statement script with the simple-query protocol.
pub(crate) async fn load(conn: &mut PgConnection, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(conn).await.map(|_| ())
}

fn opts(schemas: &[&str]) -> IntrospectOptions {
    IntrospectOptions { schemas: schemas.iter().map(|s| s.to_string()).collect(), ..Default::default() }
}

const RICH_SQL: &str = include_str!("postgres/rich.sql");
const RICH_EXPECTED: &str = include_str!("postgres/rich.expected.json");

/// Whether one of Supabase's API roles exists on the server (roles are cluster-wide; other
/// tests may create them): introspection reads privileges, one query more, only then.
async fn managed_roles_exist(db: &TempPostgres) -> bool {
    let mut conn = db.connect().await;
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role'))",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

async fn rich_schema(db: &TempPostgres) -> (Schema, pg::IntrospectStats) {
    let mut conn = db.connect().await;
    load(&mut conn, RICH_SQL).await.expect("rich schema loads");
    pg::introspect_with_stats(&mut conn, &opts(&["public", "other"])).await.expect("introspects")
}

#[tokio::test]
async fn rich_schema_reads_every_feature() {
    let db = schema_sync::require_postgres!();
    let (schema, stats) = rich_schema(&db).await;
    let privileges = usize::from(managed_roles_exist(&db).await);
    assert_eq!(
        stats.queries,
        15 + privileges,
        "14 families (+ privileges when a managed role exists) and the expressions' text"
    );

    // The whole model, reviewed field by field (see rich.sql for the DDL).
    let want: serde_json::Value = serde_json::from_str(RICH_EXPECTED).unwrap();
    let got = serde_json::to_value(&schema).unwrap();
    assert_eq!(got, want, "got:\n{}", serde_json::to_string_pretty(&got).unwrap());

    // The same facts as typed asserts, so a failure reads well.
    assert_eq!(schema.dialect, Some(schema_sync_core::Dialect::Postgres));
    let names: Vec<_> = schema.tables.iter().map(|t| t.display_name()).collect();
    // The partition (events_2024) is a table of its own; no bookkeeping table (schema_version).
    assert_eq!(
        names,
        [
            "other.orgs",
            "public.Users",
            "public.empty_table",
            "public.events",
            "public.events_2024",
            "public.order",
            "public.rooms"
        ]
    );
    let events = schema.table(Some("public"), "events").unwrap();
    assert_eq!(events.partition_by.as_deref(), Some("RANGE (at)"));
    let part = schema.table(Some("public"), "events_2024").unwrap().partition_of.clone().unwrap();
    assert_eq!(
        (part.table.as_str(), part.bound.as_str()),
        ("events", "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')")
    );
    let users = schema.table(Some("public"), "Users").unwrap();
    let col = |n: &str| users.column(n).unwrap_or_else(|| panic!("column {n}"));
    assert_eq!((col("id").identity, col("id").default.as_deref()), (Some(Identity::Serial), None));
    assert_eq!(col("big_id").identity, Some(Identity::Always));
    assert_eq!(col("small_id").identity, Some(Identity::ByDefault));
    assert_eq!(col("small_id").ty, SqlType::SmallInt);
    assert_eq!(col("Email Address").ty, SqlType::Varchar { length: Some(255) });
    assert!(!col("Email Address").nullable);
    assert_eq!(col("name").collation.as_deref(), Some("C"));
    assert_eq!(col("current_mood").ty, SqlType::Enum { schema: Some("public".into()), name: "mood".into() });
    assert_eq!(col("current_mood").default.as_deref(), Some("'ok'::mood"));
    assert_eq!(
        col("moods").ty,
        SqlType::Array { element: Box::new(SqlType::Enum { schema: Some("public".into()), name: "mood".into() }) }
    );
    assert_eq!(col("status").ty, SqlType::Enum { schema: Some("other".into()), name: "Status".into() });
    assert_eq!(
        col("lower_email").generated,
        Some(Generated { expr: "lower((\"Email Address\")::text)".into(), stored: true })
    );
    assert_eq!(col("lower_email").default, None);
    assert_eq!(col("age").ty, SqlType::Other { dialect: schema_sync_core::Dialect::Postgres, raw: "posint".into() });
    // A nextval() of a sequence nobody owns is a plain default, and the sequence is standalone.
    assert_eq!(col("ticket").default.as_deref(), Some("nextval('ticket_seq'::regclass)"));
    assert_eq!(col("ticket").identity, None);
    assert!(
        users.column("we\"ird").is_some()
            && users.column("naïve ünïcödé").is_some()
            && users.column("select").is_some()
    );
    assert_eq!(schema.sequences.len(), 1);
    assert_eq!((schema.sequences[0].start, schema.sequences[0].increment, schema.sequences[0].cycle), (100, 5, true));
    assert_eq!(schema.enums.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["Status", "mood"]);

    assert_eq!(
        users.foreign_keys.iter().find(|f| f.name.as_deref() == Some("users_org_fk")),
        Some(&ForeignKey {
            name: Some("users_org_fk".into()),
            columns: vec!["org_id".into()],
            ref_schema: Some("other".into()),
            ref_table: "orgs".into(),
            ref_columns: vec!["id".into()],
            on_delete: FkAction::SetNull,
            on_update: FkAction::Cascade,
            deferrable: Deferrable::InitiallyDeferred,
            match_full: false,
            not_valid: false,
        })
    );
    assert!(users.foreign_keys.iter().any(|f| f.match_full && f.columns == ["org_id", "org_code"]));
    assert_eq!(
        users.checks,
        [Check {
            name: Some("price_positive".into()),
            expr: "price >= 0::numeric".into(),
            no_inherit: true,
            not_valid: false
        }]
    );
    assert!(users.uniques.contains(&Unique {
        name: Some("Email Unique".into()),
        columns: vec!["Email Address".into(), "org_id".into()],
        nulls_not_distinct: true,
        deferrable: Deferrable::No,
    }));
    assert!(users.uniques.iter().any(|u| u.deferrable == Deferrable::InitiallyImmediate));

    let index = |n: &str| users.indexes.iter().find(|i| i.name == n).unwrap_or_else(|| panic!("index {n}"));
    let active = index("users_active_idx");
    assert_eq!(active.predicate.as_deref(), Some("(\"select\" IS NOT NULL)"));
    assert_eq!(active.include, ["name"]);
    assert_eq!((active.keys[0].descending, active.keys[0].nulls_first), (true, Some(false)));
    let lower = index("users_lower_idx");
    assert_eq!(lower.keys[0].target, KeyTarget::Expression("lower(\"Email Address\"::text)".into()));
    assert_eq!(lower.keys[1], IndexKey { nulls_first: Some(true), ..IndexKey::column("name") });
    assert_eq!(index("users_tags_gin").method.as_deref(), Some("gin"));
    assert_eq!(index("users_name_pattern").keys[0].opclass.as_deref(), Some("text_pattern_ops"));
    assert_eq!(index("users_email_c").keys[0].collation.as_deref(), Some("C"));
    assert!(index("users_org_nnd").unique && index("users_org_nnd").nulls_not_distinct);
    // Indexes behind constraints are not secondary indexes.
    assert!(users.indexes.iter().all(|i| !i.name.ends_with("_pkey") && i.name != "Email Unique"));

    let order = schema.table(Some("public"), "order").unwrap();
    assert_eq!(order.foreign_keys[0].ref_schema, None, "same-schema reference has no ref_schema");
    assert_eq!(order.checks[0].expr, "\"Id\" > 0 AND \"Id\" < 1000000");
    // The exclusion constraint is one: its index is not a secondary index.
    let rooms = schema.table(Some("public"), "rooms").unwrap();
    assert!(rooms.indexes.is_empty() && rooms.uniques.is_empty() && rooms.checks.is_empty());
    assert_eq!(rooms.exclusions.len(), 1);
    assert_eq!(rooms.exclusions[0].definition, "USING gist (during WITH &&)");
    assert_eq!(schema.namespaces, ["other", "public"]);
}

#[tokio::test]
async fn introspection_is_deterministic_and_leaves_no_prepared_statements() {
    let db = schema_sync::require_postgres!();
    let (first, _) = rich_schema(&db).await;
    let mut other = db.connect().await;
    let second = pg::introspect(&mut other, &opts(&["public", "other"])).await.unwrap();
    let (a, b) = (serde_json::to_string(&first).unwrap(), serde_json::to_string(&second).unwrap());
    assert_eq!(a, b, "two introspections differ");
    let back: Schema = serde_json::from_str(&a).unwrap();
    assert_eq!(back, first, "snapshot JSON round trip");
    // Unnamed statements only: nothing that a transaction-mode pooler would lose.
    let named: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_prepared_statements")
        .persistent(false)
        .fetch_one(&mut other)
        .await
        .unwrap();
    assert_eq!(named, 0);
}

#[tokio::test]
async fn schema_filter_and_exclusions_apply() {
    let db = schema_sync::require_postgres!();
    let (_, _) = rich_schema(&db).await;
    let mut conn = db.connect().await;
    let only_other = pg::introspect(&mut conn, &opts(&["other"])).await.unwrap();
    assert_eq!(only_other.tables.len(), 1);
    assert_eq!(only_other.enums.len(), 1);
    assert!(only_other.sequences.is_empty());
    let mut o = opts(&["public"]);
    o.exclude_tables = vec!["Users".into(), "rooms".into()];
    let public = pg::introspect(&mut conn, &o).await.unwrap();
    let names: Vec<_> = public.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["empty_table", "events", "events_2024", "order"], "a partition is a table too");
    let none = pg::introspect(&mut conn, &opts(&["no_such_schema"])).await.unwrap();
    assert!(none.tables.is_empty() && none.enums.is_empty());
}

/// `n` tables of 8–30 columns, each with a PK, an FK to the previous table, a CHECK, a unique
/// constraint and two indexes.
fn generated_schema(n: usize) -> String {
    let mut sql = String::new();
    for i in 0..n {
        let cols = 8 + (i * 7) % 23;
        sql.push_str(&format!("CREATE TABLE t{i} (id bigint PRIMARY KEY, parent_id bigint"));
        for c in 2..cols {
            let ty = match c {
                2 => "text",
                3 => "integer",
                _ => ["text", "integer", "numeric(12,2)", "timestamptz", "boolean", "jsonb"][c % 6],
            };
            sql.push_str(&format!(", c{c} {ty}"));
        }
        if i > 0 {
            sql.push_str(&format!(", CONSTRAINT t{i}_parent_fk FOREIGN KEY (parent_id) REFERENCES t{} (id)", i - 1));
        }
        sql.push_str(&format!(", CONSTRAINT t{i}_check CHECK (c3 > 0), CONSTRAINT t{i}_uq UNIQUE (c2, c3));\n"));
        sql.push_str(&format!(
            "CREATE INDEX t{i}_c2 ON t{i} (c2);\nCREATE INDEX t{i}_expr ON t{i} (lower(c2)) WHERE c4 IS NOT NULL;\n"
        ));
    }
    sql
}

#[tokio::test]
async fn query_count_does_not_depend_on_table_count() {
    let small = schema_sync::require_postgres!();
    let large = TempPostgres::new().await;
    let mut counts = Vec::new();
    for (db, n) in [(&small, 10usize), (&large, 500)] {
        let mut conn = db.connect().await;
        load(&mut conn, &generated_schema(n)).await.unwrap();
        let started = std::time::Instant::now();
        let (schema, stats) = pg::introspect_with_stats(&mut conn, &IntrospectOptions::default()).await.unwrap();
        eprintln!("{n} tables: {} catalog queries, {:?}", stats.queries, started.elapsed());
        let s = schema.stats();
        assert_eq!(s.tables, n);
        assert_eq!(s.primary_keys, n);
        assert_eq!(s.foreign_keys, n - 1);
        assert_eq!((s.indexes, s.uniques, s.checks), (2 * n, n, n));
        let want_columns: usize = (0..n).map(|i| 8 + (i * 7) % 23).sum();
        assert_eq!(s.columns, want_columns);
        counts.push(stats.queries);
    }
    assert_eq!(counts[0], counts[1], "catalog queries for 10 vs 500 tables");
    assert!(
        counts[0] <= 17,
        "15 families (privileges only when a managed role exists), the expressions' text, foreign-key targets"
    );
}

fn assert_one_line_without(err: &Error, secret: &str) -> String {
    let msg = err.to_string();
    assert!(!msg.contains(secret), "error leaks the password: {msg}");
    assert!(!msg.contains('\n'), "error is not one line: {msg}");
    msg
}

#[tokio::test]
async fn malformed_urls_are_input_errors() {
    for url in [
        "postgres://me:hunter2@[::1/db",
        "postgres://me:hunter2@host:notaport/db",
        "mysql://me:hunter2@host/db",
        "postgres//me:hunter2@host/db",
        "me:hunter2@host",
    ] {
        let err = pg::connect(url).await.expect_err(url);
        assert!(matches!(err, Error::Input(_)), "{url}: {err:?}");
        let msg = assert_one_line_without(&err, "hunter2");
        assert!(msg.contains("invalid Postgres URL"), "{msg}");
    }
}

#[tokio::test]
async fn refused_connection_fails_fast_with_one_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgres://me:s3cr3t-pw@127.0.0.1:{port}/app");
    let started = std::time::Instant::now();
    let err = pg::connect(&url).await.expect_err("nothing listens there");
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "took {:?}", started.elapsed());
    let msg = assert_one_line_without(&err, "s3cr3t-pw");
    assert!(msg.contains(&format!("connecting to postgres://me:***@127.0.0.1:{port}/app")), "{msg}");
}

#[tokio::test]
async fn wrong_password_is_a_clear_error_without_the_password() {
    let db = schema_sync::require_postgres!();
    let mut admin = db.connect().await;
    let role = format!("ss_pw_{}", std::process::id());
    let good = "c0rrect-horse-battery";
    let bad = "Wr0ng-p4ssw0rd-xyz";
    let group = db.password_auth_group();
    let group_sql = match group {
        Some(g) => format!(
            "DO $$ BEGIN CREATE ROLE {g} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$; \
             DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN PASSWORD '{good}' IN ROLE {g};"
        ),
        None => format!("DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN PASSWORD '{good}';"),
    };
    load(&mut admin, &group_sql).await.unwrap();
    let base = db.url().split_once("://").unwrap().1.split_once('@').map(|(_, host)| host.to_string()).unwrap();

    let wrong = format!("postgres://{role}:{bad}@{base}");
    let result = pg::connect(&wrong).await;
    match (&result, group) {
        (Err(err), _) => {
            let msg = assert_one_line_without(err, bad);
            assert!(msg.contains("***"), "{msg}");
            if group.is_some() {
                assert!(msg.contains("password authentication failed"), "{msg}");
            }
        }
        (Ok(_), Some(_)) => panic!("the harness cluster accepted a wrong password"),
        (Ok(_), None) => eprintln!("note: this server trusts {role}; only the message checks ran"),
    }
    drop(result);
    if group.is_some() {
        let right = format!("postgres://{role}:{good}@{base}");
        let conn = pg::connect(&right).await.expect("the right password works");
        drop(conn);
    }
    let _ = load(&mut admin, &format!("DROP ROLE IF EXISTS {role}")).await;
}

#[test]
fn blocking_harness_creates_and_drops_databases() {
    let db = schema_sync::require_postgres!(blocking);
    let probe = TempPostgres::new_blocking();
    let name = db.database().to_string();
    assert!(db.url().ends_with(&format!("/{name}")), "{}", db.url());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let exists = |name: &str| {
        rt.block_on(async {
            let mut conn = probe.connect().await;
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = $1")
                .persistent(false)
                .bind(name)
                .fetch_one(&mut conn)
                .await
                .unwrap();
            n
        })
    };
    assert_eq!(exists(&name), 1);
    // Dropped even while a connection to it is open.
    let open = rt.block_on(db.connect());
    drop(db);
    assert_eq!(exists(&name), 0);
    drop(open);
}

/// Two connections sharing one snapshot read exactly what one connection reads, and neither is
/// left in a transaction.
#[tokio::test]
async fn two_connections_read_what_one_reads() {
    let db = schema_sync::require_postgres!();
    let (one, _) = rich_schema(&db).await;
    let mut conn = db.connect().await;
    let mut helper = db.connect().await;
    let two = pg::introspect_parallel(&mut conn, &mut helper, &opts(&["public", "other"])).await.unwrap();
    assert_eq!(two, one);
    let mut pids = Vec::new();
    for c in [&mut conn, &mut helper] {
        pids.push(sqlx::query_scalar::<_, i32>("SELECT pg_backend_pid()").fetch_one(&mut *c).await.unwrap());
    }
    let mut watcher = db.connect().await;
    let states: Vec<String> =
        sqlx::query_scalar("SELECT state FROM pg_stat_activity WHERE pid = ANY($1) AND state IS NOT NULL")
            .bind(&pids)
            .fetch_all(&mut watcher)
            .await
            .unwrap();
    assert_eq!(states, ["idle", "idle"], "neither connection is left in a transaction");
}

/// Expressions are deparsed once per group of alike ones: the same node tree on tables whose
/// columns are named differently, or whose table names differ (a whole-row reference), must
/// still read back as each table's own text.
#[tokio::test]
async fn alike_expressions_keep_each_tables_names() {
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    let mut sql = String::new();
    for (schema, col, table) in [("a", "x", "t"), ("b", "y", "t"), ("c", "x", "u"), ("d", "x", "t")] {
        sql.push_str(&format!(
            "CREATE SCHEMA {schema};
             CREATE TABLE {schema}.{table} ({col} int CHECK ({col} > 0) DEFAULT 1,
                 twice int GENERATED ALWAYS AS ({col} * 2) STORED,
                 CONSTRAINT whole CHECK ({table} IS NOT NULL));
             CREATE INDEX ON {schema}.{table} (twice) WHERE {col} > 10;"
        ));
    }
    load(&mut conn, &sql).await.unwrap();
    let (schema, stats) = pg::introspect_with_stats(&mut conn, &opts(&["a", "b", "c", "d"])).await.unwrap();
    assert_eq!(stats.queries, 15 + usize::from(managed_roles_exist(&db).await));
    for (s, col, table) in [("a", "x", "t"), ("b", "y", "t"), ("c", "x", "u"), ("d", "x", "t")] {
        let t = schema.table(Some(s), table).unwrap();
        let mut checks: Vec<&str> = t.checks.iter().map(|c| c.expr.as_str()).collect();
        checks.sort();
        let mut want = vec![format!("{col} > 0"), format!("{table}.* IS NOT NULL")];
        want.sort();
        assert_eq!(checks, want, "{s}");
        assert_eq!(t.columns[0].default.as_deref(), Some("1"), "{s}");
        assert_eq!(t.columns[1].generated.as_ref().map(|g| g.expr.as_str()), Some(&*format!("({col} * 2)")), "{s}");
        assert_eq!(t.indexes[0].predicate.as_deref(), Some(&*format!("({col} > 10)")), "{s}");
    }
}

/// Supabase's shape: `public.profiles` references `auth.users`, and only `public` is read. The
/// referenced table's names come from one extra query, run only when such a key exists.
#[tokio::test]
async fn foreign_keys_to_unread_schemas_keep_their_target() {
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    load(
        &mut conn,
        "CREATE SCHEMA auth;
         CREATE TABLE auth.users (pad int, \"Id\" uuid PRIMARY KEY, email text);
         ALTER TABLE auth.users DROP COLUMN pad;
         CREATE TABLE public.profiles (id uuid PRIMARY KEY REFERENCES auth.users (\"Id\") ON DELETE CASCADE, name text);",
    )
    .await
    .unwrap();
    let (public, stats) = pg::introspect_with_stats(&mut conn, &opts(&["public"])).await.unwrap();
    let fk = &public.table(Some("public"), "profiles").unwrap().foreign_keys[0];
    assert_eq!(
        (fk.ref_schema.as_deref(), fk.ref_table.as_str(), fk.ref_columns.clone(), fk.on_delete),
        (Some("auth"), "users", vec!["Id".to_string()], FkAction::Cascade)
    );
    let privileges = usize::from(managed_roles_exist(&db).await);
    assert_eq!(stats.queries, 15 + privileges, "the extra query for the referenced table");
    let (both, stats) = pg::introspect_with_stats(&mut conn, &opts(&["public", "auth"])).await.unwrap();
    assert_eq!(both.table(Some("public"), "profiles").unwrap().foreign_keys[0], *fk);
    assert_eq!(stats.queries, 14 + privileges, "no extra query when the referenced table was read");
}
