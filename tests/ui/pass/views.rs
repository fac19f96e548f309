use schema_sync::{schema, SyncTable, SyncView};

#[derive(SyncTable)]
#[sync(table = "users")]
struct User {
    #[sync(primary_key)]
    id: i64,
    email: String,
    active: bool,
}

#[derive(SyncView)]
#[sync(view = "active_users", security_invoker, security_barrier, comment = "Users who can sign in",
       query = "SELECT id, email FROM users WHERE active")]
struct ActiveUser {
    id: i64,
    #[sync(comment = "Where we write")]
    email: String,
}

#[derive(SyncView)]
#[sync(schema = "reporting", rename_all = "camelCase", materialized,
       index(columns = ["userCount"], name = "counts_idx"), index(columns = ["active"], unique),
       query(postgres = "SELECT active, count(*) AS \"userCount\" FROM users GROUP BY active;"))]
struct UserCount {
    active: bool,
    user_count: i64,
}

fn main() {
    const COLUMNS: usize = ActiveUser::VIEW.columns.len();
    assert_eq!(COLUMNS, 2);
    assert_eq!(UserCount::VIEW.columns[1].name, "userCount");
    assert_eq!(UserCount::VIEW.indexes[0].name, "counts_idx");
    assert_eq!(UserCount::VIEW.indexes[1].name, "user_count_active_idx");
    let s = schema![User, ActiveUser, UserCount];
    assert_eq!(s.views.len(), 3);
    let counts = s.views.iter().find(|v| v.name == "user_count").unwrap();
    assert!(counts.materialized && !counts.definition.ends_with(';'));
    assert_eq!(s.comments.len(), 2);
}
