//! Each step → its SQL, per dialect, as exact strings.

use super::{render, Statement};
use crate::capabilities::Capabilities;
use crate::model::{EnumType, Schema};
use crate::plan::{Plan, PlanOptions};
use crate::testkit::{col, fk, index, plan_latest, plan_with, schema, table};
use crate::types::Dialect::{Postgres as PG, Sqlite as LITE};

/// A Postgres plan of one step.
fn one(step: crate::plan::Step) -> Plan {
    Plan { dialect: PG, steps: vec![step], hazards: vec![], locks: vec![], online_from: 1 }
}

fn sql(plan: &Plan) -> Vec<String> {
    render(plan).expect("renders").into_iter().map(|s: Statement| s.sql).collect()
}

#[test]
fn postgres_steps() {
    let empty = schema(PG, vec![]);
    let mut users = table(PG, "users", &[("id", "bigint"), ("email", "text!")]);
    users.indexes.push(index("users_email", &["email"], true));
    let one = schema(PG, vec![users.clone()]);
    assert_eq!(
        sql(&plan_latest(&empty, &one)),
        [
            "CREATE TABLE \"public\".\"users\" (\n    \"id\" bigint NOT NULL,\n    \"email\" text NOT NULL,\n    PRIMARY KEY (\"id\")\n)",
            r#"CREATE UNIQUE INDEX "users_email" ON "public"."users" ("email")"#,
        ]
    );
    let mut two = one.clone();
    two.tables[0].columns.push(col(PG, "age", "integer"));
    two.tables[0].columns[1] = col(PG, "email", "varchar(200)!");
    let mut opts = PlanOptions::default();
    opts.using.insert("users.email".into(), "lower({col})".into());
    let caps = Capabilities::latest(PG);
    assert_eq!(
        sql(&plan_with(&one, &two, &caps, &opts)),
        [
            r#"ALTER TABLE "public"."users" ALTER COLUMN "email" TYPE character varying(200) USING lower("email")"#,
            r#"ALTER TABLE "public"."users" ADD COLUMN "age" integer"#,
        ]
    );
    // NOT NULL with a backfill: the UPDATE first, in the same transaction.
    let mut three = two.clone();
    three.tables[0].columns[2].nullable = false;
    let mut opts = PlanOptions::default();
    opts.backfill.insert("users.age".into(), "0".into());
    assert_eq!(
        sql(&plan_with(&two, &three, &caps, &opts)),
        [
            r#"UPDATE "public"."users" SET "age" = 0 WHERE "age" IS NULL"#,
            r#"ALTER TABLE "public"."users" ALTER COLUMN "age" SET NOT NULL"#,
        ]
    );
}

#[test]
fn postgres_online_forms_and_enums() {
    let users = table(PG, "users", &[("id", "bigint"), ("org_id", "bigint")]);
    let orgs = table(PG, "orgs", &[("id", "bigint")]);
    let from = schema(PG, vec![users.clone(), orgs.clone()]);
    let mut to = from.clone();
    let u = to.tables.iter_mut().find(|t| t.name == "users").unwrap();
    u.foreign_keys.push(fk("org_id", "orgs", "id"));
    u.indexes.push(index("users_org", &["org_id"], false));
    let opts = PlanOptions { online: true, ..Default::default() };
    let p = plan_with(&from, &to, &Capabilities::latest(PG), &opts);
    let statements = render(&p).unwrap();
    let text: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        text,
        [
            r#"ALTER TABLE "public"."users" ADD CONSTRAINT "org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "public"."orgs" ("id") NOT VALID"#,
            r#"CREATE INDEX CONCURRENTLY "users_org" ON "public"."users" ("org_id")"#,
            r#"ALTER TABLE "public"."users" VALIDATE CONSTRAINT "org_id_fkey""#,
        ]
    );
    // The NOT VALID add is the transaction; the build and the validation run after it.
    assert_eq!(statements.iter().map(|s| s.transactional).collect::<Vec<_>>(), [true, false, false]);
    assert_eq!(p.online_from, 1);
    let e = |v: &[&str]| Schema {
        enums: vec![EnumType {
            schema: Some("public".into()),
            name: "mood".into(),
            values: v.iter().map(|s| s.to_string()).collect(),
        }],
        ..schema(PG, vec![])
    };
    assert_eq!(
        sql(&plan_latest(&schema(PG, vec![]), &e(&["ok", "meh"]))),
        [r#"CREATE TYPE "public"."mood" AS ENUM ('ok', 'meh')"#]
    );
    assert_eq!(
        sql(&plan_latest(&e(&["ok", "meh"]), &e(&["ok", "meh", "it's"]))),
        [r#"ALTER TYPE "public"."mood" ADD VALUE 'it''s' AFTER 'meh'"#]
    );
}

#[test]
fn sqlite_steps_and_the_rebuild() {
    let empty = schema(LITE, vec![]);
    let users = table(LITE, "users", &[("id", "INTEGER"), ("email", "TEXT")]);
    let one = schema(LITE, vec![users]);
    assert_eq!(
        sql(&plan_latest(&empty, &one)),
        ["CREATE TABLE \"users\" (\n    \"id\" INTEGER NOT NULL,\n    \"email\" TEXT,\n    PRIMARY KEY (\"id\")\n)"]
    );
    let mut two = one.clone();
    two.tables[0].columns.push(col(LITE, "age", "INTEGER"));
    assert_eq!(sql(&plan_latest(&one, &two)), [r#"ALTER TABLE "users" ADD COLUMN "age" INTEGER"#]);
    // A type change rebuilds: new table, rows copied with explicit columns, old dropped,
    // new renamed, and the result checked.
    let mut three = two.clone();
    three.tables[0].columns[1].nullable = false;
    let mut opts = PlanOptions::default();
    opts.backfill.insert("users.email".into(), "''".into());
    let rebuilt = sql(&plan_with(&two, &three, &Capabilities::latest(LITE), &opts));
    assert_eq!(
        rebuilt,
        [
            "CREATE TABLE \"_ss_new_users\" (\n    \"id\" INTEGER NOT NULL,\n    \"email\" TEXT NOT NULL,\n    \"age\" INTEGER,\n    PRIMARY KEY (\"id\")\n)",
            r#"INSERT INTO "_ss_new_users" ("id", "email", "age") SELECT "id", COALESCE("email", ''), "age" FROM "users""#,
            r#"DROP TABLE "users""#,
            // Legacy rename: views and triggers that name `users` keep naming it, as SQLite's
            // own table-rebuild procedure requires.
            "PRAGMA legacy_alter_table = ON",
            r#"ALTER TABLE "_ss_new_users" RENAME TO "users""#,
            "PRAGMA legacy_alter_table = OFF",
        ]
    );
}

#[test]
fn what_a_dialect_cannot_do_is_a_typed_error_not_a_panic() {
    use crate::plan::Step;
    let p = Plan {
        dialect: LITE,
        steps: vec![Step::CreateSchema { name: "app".into() }],
        hazards: vec![],
        locks: vec![],
        online_from: 1,
    };
    assert!(matches!(render(&p), Err(crate::Error::Unsupported { dialect: LITE, .. })));
    let t = table(PG, "t", &[("id", "bigint")]);
    let p = Plan {
        dialect: PG,
        steps: vec![Step::RebuildTable { from: t.clone(), to: t, copy: vec![] }],
        hazards: vec![],
        locks: vec![],
        online_from: 1,
    };
    assert!(matches!(render(&p), Err(crate::Error::Unsupported { dialect: PG, .. })));
}

#[test]
fn texts_from_a_snapshot_cannot_close_a_statement_early_or_start_another() {
    use crate::model::{Function, ObjectKind, ObjectRef};
    use crate::plan::Step;
    let f = Function {
        schema: Some("public".into()),
        name: "f".into(),
        identity: "integer".into(),
        arguments: "x integer".into(),
        returns: "integer".into(),
        procedure: false,
        aggregate: false,
        definition: "CREATE OR REPLACE FUNCTION public.f(x integer) RETURNS integer LANGUAGE sql AS $$ SELECT x $$"
            .into(),
    };
    // The well-formed ones print.
    assert_eq!(
        sql(&one(Step::DropFunction { function: f.clone(), kept: false })),
        [r#"DROP FUNCTION "public"."f"(integer)"#]
    );
    assert_eq!(
        sql(&one(Step::CreateFunction { function: f.clone(), replace: false })),
        ["SET LOCAL check_function_bodies = off", f.definition.as_str()]
    );
    // An argument list that closes the parentheses, a definition that is another statement or
    // two, a policy expression that ends the statement: refused, naming the object.
    let bad_args = Function { identity: "integer) CASCADE".into(), ..f.clone() };
    let err = render(&one(Step::DropFunction { function: bad_args, kept: false })).unwrap_err();
    assert!(err.to_string().contains("function `public.f(integer) CASCADE)`: its argument list"), "{err}");
    let comment = ObjectRef {
        kind: ObjectKind::Function,
        schema: Some("public".into()),
        table: None,
        name: "f".into(),
        arguments: Some("int); DROP TABLE t; SELECT (1".into()),
    };
    assert!(render(&one(Step::SetComment { on: comment, text: Some("x".into()) })).is_err());
    for definition in
        ["DROP TABLE t", "CREATE FUNCTION public.f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql; DROP TABLE t"]
    {
        let g = Function { definition: definition.into(), ..f.clone() };
        let err = render(&one(Step::CreateFunction { function: g, replace: false })).unwrap_err();
        assert!(matches!(err, crate::Error::Input(_)), "{err}");
    }
    let policy = crate::model::Policy {
        schema: Some("public".into()),
        table: "t".into(),
        name: "p".into(),
        restrictive: false,
        command: Default::default(),
        roles: vec!["public".into()],
        using: Some("true); DROP TABLE t; SELECT (1".into()),
        with_check: None,
    };
    assert!(render(&one(Step::CreatePolicy { policy })).is_err());
}

#[test]
fn domains_and_privileges_from_a_snapshot_cannot_smuggle_statements() {
    use crate::model::{Domain, DomainCheck, Grant, ObjectKind, ObjectRef};
    use crate::plan::Step;
    let d = Domain {
        schema: Some("public".into()),
        name: "email".into(),
        base: "text".into(),
        collation: None,
        default: None,
        not_null: false,
        checks: vec![DomainCheck { name: "at".into(), expr: "VALUE LIKE '%@%'".into() }],
    };
    assert_eq!(
        sql(&one(Step::CreateDomain { domain: d.clone() })),
        [r#"CREATE DOMAIN "public"."email" AS text CONSTRAINT "at" CHECK (VALUE LIKE '%@%')"#]
    );
    let bad = Domain { default: Some("'x'; DROP TABLE t".into()), ..d.clone() };
    let err = render(&one(Step::CreateDomain { domain: bad })).unwrap_err();
    assert!(matches!(err, crate::Error::Input(_)) && err.to_string().contains("domain `public.email`"), "{err}");

    let on = ObjectRef {
        kind: ObjectKind::Table,
        schema: Some("public".into()),
        table: None,
        name: "notes".into(),
        arguments: None,
    };
    let grant = |privileges: &[&str]| Grant {
        on: on.clone(),
        role: "anon".into(),
        privileges: privileges.iter().map(|p| p.to_string()).collect(),
        grantable: Vec::new(),
        default: Vec::new(),
    };
    let step = |from: Option<Grant>, to: Grant| Step::SetPrivileges {
        on: on.clone(),
        role: "anon".into(),
        from,
        to,
        narrows: false,
    };
    assert_eq!(
        sql(&one(step(Some(grant(&["INSERT", "SELECT"])), grant(&["SELECT"])))),
        [r#"REVOKE INSERT ON TABLE "public"."notes" FROM "anon""#]
    );
    assert_eq!(
        sql(&one(step(None, grant(&["SELECT"])))),
        [r#"REVOKE ALL ON TABLE "public"."notes" FROM "anon""#, r#"GRANT SELECT ON TABLE "public"."notes" TO "anon""#]
    );
    let err = render(&one(step(None, grant(&["SELECT ON t TO x; DROP TABLE t; --"])))).unwrap_err();
    assert!(err.to_string().contains("is not a privilege"), "{err}");
}

#[test]
fn partition_keys_and_bounds_from_a_snapshot_cannot_smuggle_statements() {
    use crate::model::{PartitionOf, TableRef};
    use crate::plan::Step;
    let mut parent = table(PG, "events", &[("id", "bigint"), ("region", "text!")]);
    parent.partition_by = Some("LIST (region)".into());
    let mut part = table(PG, "events_eu", &[("id", "bigint"), ("region", "text!")]);
    let of = PartitionOf { schema: None, table: "events".into(), bound: "FOR VALUES IN ('eu')".into() };
    part.partition_of = Some(of.clone());
    assert_eq!(
        sql(&one(Step::CreateTable { table: part.clone() })),
        [r#"CREATE TABLE "public"."events_eu" PARTITION OF "public"."events" (
    "id" WITH OPTIONS NOT NULL,
    "region" WITH OPTIONS NOT NULL,
    PRIMARY KEY ("id")
) FOR VALUES IN ('eu')"#]
    );
    assert!(sql(&one(Step::CreateTable { table: parent.clone() }))[0].ends_with(") PARTITION BY LIST (region)"));
    let tref = TableRef::of(&part);
    let bad = PartitionOf { bound: "DEFAULT; DROP TABLE users".into(), ..of };
    for step in [
        Step::AttachPartition { table: tref, of: bad.clone() },
        Step::CreateTable { table: crate::model::Table { partition_of: Some(bad), ..part } },
        Step::CreateTable {
            table: crate::model::Table { partition_by: Some("LIST (region); DROP TABLE users".into()), ..parent },
        },
    ] {
        let err = render(&one(step)).unwrap_err();
        assert!(matches!(err, crate::Error::Input(_)) && err.to_string().contains("events"), "{err}");
    }
}
