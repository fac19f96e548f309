//! Tables that reference themselves and each other: no const-evaluation cycle.
use schema_sync::{schema, SyncTable};

#[derive(SyncTable)]
struct Category {
    #[sync(primary_key)]
    id: i64,
    #[sync(references = Self)]
    parent_id: Option<i64>,
}

#[derive(SyncTable)]
#[sync(table = "users")]
struct User {
    #[sync(primary_key)]
    id: i64,
    #[sync(references = Team, on_delete = "set_null")]
    team_id: Option<i64>,
}

#[derive(SyncTable)]
#[sync(table = "teams")]
struct Team {
    #[sync(primary_key)]
    id: i64,
    #[sync(references = User)]
    owner_id: i64,
}

const CATEGORY_FK_TARGET: &str = Category::TABLE.foreign_keys[0].ref_table;

fn main() {
    assert_eq!(CATEGORY_FK_TARGET, "category");
    let s = schema![Category, User, Team];
    assert_eq!(s.table(None, "teams").unwrap().foreign_keys[0].ref_table, "users");
    assert_eq!(s.table(None, "users").unwrap().foreign_keys[0].ref_table, "teams");
}
