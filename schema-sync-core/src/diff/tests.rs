//! The change kinds, one case each: a small `from` → `to` and the changes `diff` must report.
//! Equal-after-normalisation cases are here too: they must report nothing.

use super::{compare, diff, Change, DiffOptions};
use crate::model::{Check, Schema};
use crate::testkit::{col, fk, index, schema, table, tag};
use crate::types::Dialect::{self, Postgres as PG, Sqlite as LITE};

fn base(d: Dialect) -> Schema {
    let cols: &[(&str, &str)] = if d == PG {
        &[("id", "bigint"), ("email", "text"), ("org_id", "bigint")]
    } else {
        &[("id", "INTEGER"), ("email", "TEXT"), ("org_id", "INTEGER")]
    };
    let orgs = table(d, "orgs", &[("id", if d == PG { "bigint" } else { "INTEGER" })]);
    schema(d, vec![table(d, "users", cols), orgs])
}

fn change_kinds(changes: &[Change]) -> Vec<String> {
    changes.iter().map(|c| tag(&serde_json::to_value(c).expect("serialisable"), "change")).collect()
}

fn users(s: &mut Schema) -> &mut crate::model::Table {
    s.tables.iter_mut().find(|t| t.name == "users").expect("users")
}

#[test]
fn every_kind_of_change_is_reported() {
    type Edit = fn(&mut Schema);
    let cases: Vec<(&str, Dialect, Edit, Vec<&str>)> = vec![
        ("nothing", PG, |_| {}, vec![]),
        ("create table", PG, |s| s.tables.push(table(PG, "tags", &[("id", "bigint")])), vec!["create_table"]),
        ("drop table", PG, |s| s.tables.retain(|t| t.name != "orgs"), vec!["drop_table"]),
        ("add column", PG, |s| users(s).columns.push(col(PG, "age", "integer")), vec!["add_column"]),
        (
            "drop column",
            PG,
            |s| {
                users(s).columns.pop();
            },
            vec!["drop_column"],
        ),
        ("alter column type", PG, |s| users(s).columns[1] = col(PG, "email", "varchar(100)"), vec!["alter_column"]),
        ("alter nullability", PG, |s| users(s).columns[1].nullable = false, vec!["alter_column"]),
        ("alter default", PG, |s| users(s).columns[1].default = Some("''::text".into()), vec!["alter_column"]),
        ("primary key", PG, |s| users(s).primary_key = None, vec!["alter_primary_key"]),
        ("add index", PG, |s| users(s).indexes.push(index("users_email", &["email"], false)), vec!["add_index"]),
        (
            "add unique",
            PG,
            |s| {
                users(s).uniques.push(crate::model::Unique {
                    name: Some("users_email_key".into()),
                    columns: vec!["email".into()],
                    nulls_not_distinct: false,
                    deferrable: Default::default(),
                })
            },
            vec!["add_unique"],
        ),
        ("add foreign key", PG, |s| users(s).foreign_keys.push(fk("org_id", "orgs", "id")), vec!["add_foreign_key"]),
        (
            "add check",
            PG,
            |s| {
                users(s).checks.push(Check {
                    name: Some("email_ok".into()),
                    expr: "email <> ''".into(),
                    no_inherit: false,
                    not_valid: false,
                })
            },
            vec!["add_check"],
        ),
        ("sqlite table options", LITE, |s| users(s).options.strict = true, vec!["alter_table_options"]),
        // Renames come only from hints, and then are one change, not a drop and an add.
        (
            "rename column by hint",
            PG,
            |s| {
                let c = &mut users(s).columns[1];
                c.name = "mail".into();
                c.renamed_from = Some("email".into());
            },
            vec!["rename_column"],
        ),
        (
            "rename table by hint",
            PG,
            |s| {
                let t = users(s);
                t.name = "people".into();
                t.renamed_from = Some("users".into());
            },
            vec!["rename_table"],
        ),
        // Without a hint, a new name is a drop and an add: never guessed.
        ("rename without hint", PG, |s| users(s).columns[1].name = "mail".into(), vec!["add_column", "drop_column"]),
    ];
    for (name, d, edit, want) in cases {
        let from = base(d);
        let mut to = from.clone();
        edit(&mut to);
        to.normalize();
        assert_eq!(change_kinds(&diff(&from, &to)), want, "{name}");
    }
}

#[test]
fn spellings_of_the_same_thing_are_not_changes() {
    // `'x'::text` and `'x'` are one default.
    let mut a = base(PG);
    let mut b = a.clone();
    users(&mut a).columns[1].default = Some("'x'::text".into());
    users(&mut b).columns[1].default = Some("'x'".into());
    assert!(diff(&a, &b).is_empty());
    // A real difference in the same place is one.
    users(&mut b).columns[1].default = Some("'y'".into());
    assert_eq!(change_kinds(&diff(&a, &b)), ["alter_column"]);
    // SQLite names are case-insensitive: `USERS` is `users`.
    let lite = base(LITE);
    let mut upper = lite.clone();
    users(&mut upper).name = "USERS".into();
    upper.normalize();
    assert!(diff(&lite, &upper).is_empty());
}

#[test]
fn ignored_tables_are_left_out_of_both_sides() {
    let from = base(PG);
    let mut to = from.clone();
    to.tables.retain(|t| t.name != "orgs");
    let opts = DiffOptions { ignore_tables: vec!["or*".into()], ..Default::default() };
    let c = compare(&from, &to, None, &opts).unwrap();
    assert!(c.is_empty(), "{:?}", c.changes);
    assert!(c.from.tables.iter().all(|t| t.name != "orgs"));
}
