//! A newtype with its own `SqlColumnType`, and one with `sql_type` only.
use schema_sync::{ColumnType, SqlColumnType, SqlType, SyncTable};

struct Email(#[allow(dead_code)] String);
impl SqlColumnType for Email {
    const COLUMN_TYPE: ColumnType = ColumnType::Sql("citext");
}

struct Money;

#[derive(SyncTable)]
#[allow(dead_code)]
struct Account {
    #[sync(primary_key)]
    id: i64,
    email: Option<Email>,
    #[sync(sql_type = "numeric(12,2)")]
    balance: Option<Money>,
}

fn main() {
    let t = Account::table();
    assert_eq!(t.columns[1].ty, SqlType::Other { dialect: schema_sync::Dialect::Postgres, raw: "citext".into() });
    assert!(t.columns[1].nullable);
    assert!(t.columns[2].nullable);
    assert_eq!(t.columns[2].ty, SqlType::Numeric { precision: Some(12), scale: Some(2) });
}
