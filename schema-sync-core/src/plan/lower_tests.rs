//! Each case: a small `from` → `to`, a target, and the steps the planner must choose. The
//! comment on each says why that lowering is the right one.
use crate::capabilities::Capabilities;
use crate::model::EnumType;
use crate::plan::PlanOptions;
use crate::testkit::{col, fk, index, kinds, plan_latest, plan_with, schema, table};
use crate::types::Dialect::{Postgres as PG, Sqlite as LITE};

fn users(d: crate::types::Dialect) -> crate::model::Table {
    let ty = if d == PG { [("id", "bigint"), ("email", "text")] } else { [("id", "INTEGER"), ("email", "TEXT")] };
    table(d, "users", &ty)
}

#[test]
fn columns_are_altered_in_place_where_the_target_can_and_rebuilt_where_it_cannot() {
    let base_pg = schema(PG, vec![users(PG)]);
    let base_lite = schema(LITE, vec![users(LITE)]);
    type Edit = Box<dyn Fn(&mut crate::model::Table)>;
    let cases: Vec<(&str, crate::model::Schema, Edit, Vec<&str>)> = vec![
        // A nullable column is an in-place ADD COLUMN on both.
        (
            "pg add nullable",
            base_pg.clone(),
            Box::new(|t| t.columns.push(col(PG, "age", "integer"))),
            vec!["add_column"],
        ),
        (
            "sqlite add nullable",
            base_lite.clone(),
            Box::new(|t| t.columns.push(col(LITE, "age", "INTEGER"))),
            vec!["add_column"],
        ),
        // SQLite refuses ADD COLUMN … NOT NULL without a default: the table is rebuilt.
        (
            "sqlite add not null",
            base_lite.clone(),
            Box::new(|t| t.columns.push(col(LITE, "age", "INTEGER!"))),
            vec!["rebuild_table"],
        ),
        // Postgres changes a type in place (with USING); SQLite cannot.
        (
            "pg retype",
            base_pg.clone(),
            Box::new(|t| t.columns[1] = col(PG, "email", "varchar(200)")),
            vec!["alter_column_type"],
        ),
        (
            "sqlite retype",
            base_lite.clone(),
            Box::new(|t| t.columns[1] = col(LITE, "email", "VARCHAR(200)")),
            vec!["rebuild_table"],
        ),
        // NOT NULL is a constraint SQLite keeps in the CREATE text.
        ("pg set not null", base_pg.clone(), Box::new(|t| t.columns[1].nullable = false), vec!["set_not_null"]),
        ("sqlite set not null", base_lite.clone(), Box::new(|t| t.columns[1].nullable = false), vec!["rebuild_table"]),
        // A default change: in place on Postgres.
        (
            "pg default",
            base_pg.clone(),
            Box::new(|t| t.columns[1].default = Some("'x'::text".into())),
            vec!["set_default"],
        ),
        // A plain column nothing else names is dropped in place on SQLite ≥ 3.35.
        (
            "sqlite drop column",
            schema(
                LITE,
                vec![{
                    let mut t = users(LITE);
                    t.columns.push(col(LITE, "age", "INTEGER"));
                    t
                }],
            ),
            Box::new(|t| {
                t.columns.pop();
            }),
            vec!["drop_column"],
        ),
    ];
    for (name, from, change, want) in cases {
        let mut to = from.clone();
        change(&mut to.tables[0]);
        assert_eq!(kinds(&plan_latest(&from, &to)), want, "{name}");
    }
}

#[test]
fn sqlite_without_drop_or_rename_column_rebuilds() {
    let mut with_age = users(LITE);
    with_age.columns.push(col(LITE, "age", "INTEGER"));
    let from = schema(LITE, vec![with_age]);
    let to = schema(LITE, vec![users(LITE)]);
    // DROP COLUMN arrived in SQLite 3.35.0.
    let old = Capabilities::sqlite((3, 34, 0));
    assert_eq!(kinds(&plan_with(&from, &to, &old, &PlanOptions::default())), ["rebuild_table"]);
    // A column an index names cannot be dropped in place even on a new SQLite.
    let mut indexed = from.clone();
    indexed.tables[0].indexes.push(index("users_age", &["age"], false));
    assert_eq!(kinds(&plan_latest(&indexed, &to)), ["rebuild_table"]);
}

#[test]
fn new_tables_get_their_foreign_keys_once_every_table_exists() {
    let mut posts = table(PG, "posts", &[("id", "bigint"), ("user_id", "bigint")]);
    posts.foreign_keys.push(fk("user_id", "users", "id"));
    let from = schema(PG, vec![]);
    let to = schema(PG, vec![posts, users(PG)]);
    // Postgres: the referenced table first, the foreign key after both exist.
    assert_eq!(kinds(&plan_latest(&from, &to)), ["create_table", "create_table", "add_foreign_key"]);
    // SQLite: foreign keys live in the CREATE text.
    let mut lposts = table(LITE, "posts", &[("id", "INTEGER"), ("user_id", "INTEGER")]);
    lposts.foreign_keys.push(fk("user_id", "users", "id"));
    let p = plan_latest(&schema(LITE, vec![]), &schema(LITE, vec![lposts, users(LITE)]));
    assert_eq!(kinds(&p), ["create_table", "create_table"]);
}

#[test]
fn a_foreign_key_over_a_dropped_key_is_dropped_first_and_restored_after() {
    let mut posts = table(PG, "posts", &[("id", "bigint"), ("user_id", "bigint")]);
    posts.foreign_keys.push(fk("user_id", "users", "id"));
    let mut from = schema(PG, vec![posts.clone(), users(PG)]);
    from.tables.iter_mut().find(|t| t.name == "users").unwrap().primary_key.as_mut().unwrap().name =
        Some("users_pkey".into());
    let mut to = from.clone();
    // The users key is renamed: dropped and re-added, so the foreign key that depends on it
    // must go first and come back after (Postgres refuses to drop a key a foreign key uses).
    to.tables.iter_mut().find(|t| t.name == "users").unwrap().primary_key.as_mut().unwrap().name =
        Some("users_pk".into());
    let k = kinds(&plan_latest(&from, &to));
    assert_eq!(k, ["drop_foreign_key", "drop_primary_key", "add_primary_key", "add_foreign_key"]);
}

#[test]
fn enum_labels_are_added_in_place_and_removed_by_recreating_the_type() {
    let e = |values: &[&str]| EnumType {
        schema: Some("public".into()),
        name: "mood".into(),
        values: values.iter().map(|v| v.to_string()).collect(),
    };
    let with = |values: &[&str]| crate::model::Schema { enums: vec![e(values)], ..schema(PG, vec![]) };
    // Appending a label: ALTER TYPE … ADD VALUE, which keeps every stored value.
    assert_eq!(kinds(&plan_latest(&with(&["a", "b"]), &with(&["a", "b", "c"]))), ["add_enum_value"]);
    // Removing or reordering labels cannot be done in place.
    assert_eq!(kinds(&plan_latest(&with(&["a", "b"]), &with(&["b", "a"]))), ["recreate_enum"]);
    // SQLite has no enum types: nothing to do for the type itself.
    let lite = |values: &[&str]| crate::model::Schema { enums: vec![e(values)], ..schema(LITE, vec![]) };
    assert!(plan_latest(&lite(&["a"]), &lite(&["a", "b"])).steps.is_empty());
}

#[test]
fn the_online_form_applies_to_existing_tables_only() {
    let from = schema(PG, vec![users(PG)]);
    let mut to = from.clone();
    to.tables[0].indexes.push(index("users_email", &["email"], false));
    let opts = PlanOptions { online: true, ..Default::default() };
    let caps = Capabilities::latest(PG);
    let p = plan_with(&from, &to, &caps, &opts);
    assert!(matches!(&p.steps[..], [crate::plan::Step::CreateIndex { concurrently: true, .. }]), "{:?}", p.steps);
    // An index on a table this plan creates is built plainly: nobody uses the table yet.
    let mut posts = table(PG, "posts", &[("id", "bigint"), ("user_id", "bigint")]);
    posts.indexes.push(index("posts_user", &["user_id"], false));
    posts.foreign_keys.push(fk("user_id", "users", "id"));
    let mut to2 = from.clone();
    to2.tables.push(posts);
    to2.normalize();
    let p = plan_with(&from, &to2, &caps, &opts);
    assert!(p.steps.iter().all(|s| !matches!(s, crate::plan::Step::CreateIndex { concurrently: true, .. })));
    // A foreign key on an existing table: NOT VALID, then VALIDATE.
    let mut to3 = schema(PG, vec![users(PG), table(PG, "posts", &[("id", "bigint"), ("user_id", "bigint")])]);
    let from3 = to3.clone();
    to3.tables.iter_mut().find(|t| t.name == "posts").unwrap().foreign_keys.push(fk("user_id", "users", "id"));
    assert_eq!(kinds(&plan_with(&from3, &to3, &caps, &opts)), ["add_foreign_key", "validate_constraint"]);
}

#[test]
fn schemas_are_created_only_where_the_target_has_them() {
    let mut t = users(PG);
    t.schema = Some("app".into());
    assert_eq!(kinds(&plan_latest(&schema(PG, vec![]), &schema(PG, vec![t]))), ["create_schema", "create_table"]);
}
