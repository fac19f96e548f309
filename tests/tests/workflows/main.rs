//! The day-to-day workflows end to end, on real SQLite files and a real Postgres: Supabase
//! migration files and their ledger, `sync` in every strategy, `audit`, `--backup` and restore,
//! and bad input. CLI tests run the real `schema-sync` binary.

mod adversarial;
mod backup;
mod fleet;
mod lint;
mod migrations;
mod online;
mod online_rewrites;
mod supabase_schema;
mod sync;

use schema_sync::model::{Column, ForeignKey, PrimaryKey, Schema, Table};
use schema_sync::SqlType;
use std::path::Path;

pub use schema_sync_tests::ScratchDir;
pub use schema_sync_tests::{cli, cli_in, Run};

/// The app's models: `users` and `posts` (FK to users), as a models snapshot would hold them.
pub fn models() -> Schema {
    let mut users = Table::new("users");
    users.columns.push(Column::new("id", SqlType::BigInt).not_null());
    users.columns.push(Column::new("email", SqlType::Text).not_null());
    users.columns.push(Column::new("name", SqlType::Text));
    users.primary_key = Some(PrimaryKey::on(["id"]));
    let mut posts = Table::new("posts");
    posts.columns.push(Column::new("id", SqlType::BigInt).not_null());
    posts.columns.push(Column::new("user_id", SqlType::BigInt).not_null());
    posts.columns.push(Column::new("title", SqlType::Text).not_null());
    posts.primary_key = Some(PrimaryKey::on(["id"]));
    posts.foreign_keys.push(ForeignKey {
        name: None,
        columns: vec!["user_id".into()],
        ref_table: "users".into(),
        ref_schema: None,
        ref_columns: vec!["id".into()],
        on_delete: Default::default(),
        on_update: Default::default(),
        deferrable: Default::default(),
        match_full: false,
        not_valid: false,
    });
    let mut s = Schema { tables: vec![users, posts], ..Default::default() };
    s.normalize();
    s
}

/// Writes the models snapshot to `path`.
pub fn write_models(path: &Path) {
    schema_sync::core::snapshot::write(path, &models()).unwrap();
}

/// Runs SQL on a Postgres database.
pub async fn pg_exec(url: &str, sql: &str) {
    let mut c = schema_sync::core::introspect::postgres::connect(url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut c).await.unwrap();
}

/// Rows of a query, each row's columns as text joined by `|`.
pub async fn pg_rows(url: &str, sql: &str) -> Vec<String> {
    use sqlx::Row;
    let mut c = schema_sync::core::introspect::postgres::connect(url).await.unwrap();
    let wrapped = format!("SELECT concat_ws('|', VARIADIC ARRAY(SELECT coalesce(x::text, 'NULL') FROM json_each_text(row_to_json(q)) AS j(k, x))) FROM ({sql}) q");
    sqlx::query(sqlx::AssertSqlSafe(wrapped))
        .fetch_all(&mut c)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect()
}

/// Rows of a SQLite query, each row's columns as text joined by `|`.
pub fn lite_rows(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut st = conn.prepare(sql).unwrap();
    let n = st.column_count();
    st.query_map([], |r| {
        Ok((0..n)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => "NULL".to_string(),
                rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                rusqlite::types::ValueRef::Real(v) => v.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                rusqlite::types::ValueRef::Blob(b) => format!("{b:?}"),
            })
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}
