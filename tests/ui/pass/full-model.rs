//! Every attribute at once, and the model it produces.
use schema_sync::model::{FkAction, Identity};
use schema_sync::{schema, SqlType, SyncEnum, SyncTable};

#[derive(SyncTable)]
#[sync(table = "orgs", schema = "app", renamed_from = "organisations")]
struct Org {
    #[sync(primary_key, identity)]
    id: i64,
    #[sync(unique, check = "slug <> ''")]
    slug: String,
}

#[derive(SyncEnum)]
#[sync(name = "role", schema = "app", rename_all = "UPPERCASE")]
enum Role {
    Owner,
    #[sync(rename = "MEMBER")]
    Regular,
}

#[derive(SyncTable)]
#[sync(
    schema = "app",
    rename_all = "camelCase",
    primary_key(org_id, user_name),
    unique(org_id, email),
    index(columns = ["email"], unique, name = "member_email_key", where = "email IS NOT NULL"),
    index(columns = [org_id, role]),
    check(name = "member_name_len", expr = "length(userName) < 100"),
    check = "email LIKE '%@%'"
)]
struct Member {
    #[sync(references = Org, on_delete = "cascade", on_update = "restrict")]
    org_id: i64,
    user_name: String,
    #[sync(nullable, sql_type(postgres = "citext", sqlite = "TEXT COLLATE NOCASE"))]
    email: String,
    role: Role,
    #[sync(not_null, default = "0")]
    r#type: Option<i16>,
    #[sync(index, rename = "ref_slug", references = Org(slug), on_delete = "set_default", default = "'none'")]
    org_slug: String,
    #[sync(sql_type = "numeric(10,2)", renamed_from = "amount", using = "CAST({col} AS numeric(10,2))")]
    balance: String,
    #[sync(default(postgres = "now()", sqlite = "CURRENT_TIMESTAMP"), sql_type = "timestamptz")]
    joined: String,
    ratio: f32,
    flags: Vec<bool>,
    #[sync(skip)]
    _cache: std::collections::HashMap<String, String>,
}

fn main() {
    let s = schema![Member, Org];
    assert_eq!(s.enums[0].values, ["OWNER", "MEMBER"]);
    let m = s.table(Some("app"), "member").unwrap();
    let names: Vec<&str> = m.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["orgId", "userName", "email", "role", "type", "ref_slug", "balance", "joined", "ratio", "flags"]
    );
    assert_eq!(m.primary_key.as_ref().unwrap().columns, ["orgId", "userName"]);
    assert!(m.column("email").unwrap().nullable);
    assert!(!m.column("type").unwrap().nullable);
    assert_eq!(m.column("role").unwrap().ty, SqlType::Enum { schema: Some("app".into()), name: "role".into() });
    assert_eq!(m.column("balance").unwrap().ty, SqlType::Numeric { precision: Some(10), scale: Some(2) });
    assert_eq!(
        m.indexes.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        ["member_email_key", "member_orgId_role_idx", "member_ref_slug_idx"]
    );
    assert_eq!(m.foreign_keys[0].ref_schema, None);
    assert_eq!(m.foreign_keys[0].on_update, FkAction::Restrict);
    assert_eq!(m.foreign_keys[1].ref_columns, ["slug"]);
    assert_eq!(m.checks.len(), 2);
    let o = s.table(Some("app"), "orgs").unwrap();
    assert_eq!(o.renamed_from.as_deref(), Some("organisations"));
    assert_eq!(o.columns[0].identity, Some(Identity::ByDefault));
}
