//! A realistic model set (orgs, users, posts, tags, an audit log, two enums, JSON, timestamps)
//! turned into a `Schema` with `schema![…]`, asserted field by field.

// The model structs are only read through their derived metadata.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use schema_sync::model::{
    Check, Column, EnumType, FkAction, ForeignKey, Identity, Index, IndexKey, Overrides, PrimaryKey, Table, Unique,
};
use schema_sync::{schema, ColumnType, SqlColumnType, SqlType, SyncEnum, SyncTable};

#[derive(SyncTable)]
#[sync(table = "orgs")]
pub struct Org {
    #[sync(primary_key, identity)]
    pub id: i64,
    #[sync(unique)]
    pub slug: String,
    pub name: String,
    #[sync(default(postgres = "now()", sqlite = "CURRENT_TIMESTAMP"))]
    pub created_at: DateTime<Utc>,
}

#[derive(SyncEnum, Debug, Clone, Copy, PartialEq)]
#[sync(name = "user_role")]
pub enum Role {
    Owner,
    Admin,
    #[sync(rename = "regular")]
    Member,
}

#[derive(SyncEnum)]
pub enum PostStatus {
    Draft,
    InReview,
    Published,
}

#[derive(SyncTable)]
#[sync(
    table = "users",
    index(columns = ["org_id", "email"], unique),
    check(name = "users_email_has_at", expr = "email LIKE '%@%'")
)]
pub struct User {
    #[sync(primary_key, identity)]
    pub id: i64,
    #[sync(references = Org, on_delete = "cascade", index)]
    pub org_id: i64,
    #[sync(unique, sql_type(postgres = "citext", sqlite = "TEXT"))]
    pub email: String,
    pub role: Role,
    pub display_name: Option<String>,
    #[sync(default(postgres = "now()", sqlite = "CURRENT_TIMESTAMP"))]
    pub created_at: DateTime<Utc>,
    pub birthday: Option<NaiveDate>,
    #[sync(skip)]
    pub session_cache: Vec<u8>,
}

#[derive(SyncTable)]
#[sync(
    table = "posts",
    index(columns = ["author_id", "published_at"], name = "posts_by_author", where = "published_at IS NOT NULL")
)]
pub struct Post {
    #[sync(primary_key, identity)]
    pub id: i64,
    #[sync(references = User, on_delete = "set_null")]
    pub author_id: Option<i64>,
    #[sync(rename = "org_slug", references = Org(slug), on_update = "cascade")]
    pub org: String,
    #[sync(sql_type = "varchar(200)", check = "length(title) > 0")]
    pub title: String,
    pub body: String,
    pub status: PostStatus,
    pub tags: Vec<String>,
    pub metadata: serde_json::Value,
    #[sync(default = "0", using = "CAST({col} AS integer)")]
    pub views: i32,
    pub score: f64,
    pub published_at: Option<DateTime<Utc>>,
    #[sync(references = Self, renamed_from = "reply_to")]
    pub parent_id: Option<i64>,
}

#[derive(SyncTable)]
#[sync(table = "post_tags", primary_key(post_id, tag), renamed_from = "tags_of_posts")]
pub struct PostTag {
    #[sync(references = Post, on_delete = "cascade")]
    pub post_id: i64,
    pub tag: String,
}

#[derive(SyncTable)]
#[sync(schema = "audit", rename_all = "camelCase", unique(actor_id, happened_at))]
pub struct AuditEvent {
    #[sync(primary_key, autoincrement)]
    pub event_id: i64,
    pub actor_id: Option<i64>,
    #[sync(not_null, sql_type = "timestamp")]
    pub happened_at: Option<String>,
    pub payload: Vec<u8>,
    #[sync(nullable)]
    pub flags: Vec<Role>,
}

fn col(name: &str, ty: SqlType, nullable: bool) -> Column {
    let mut c = Column::new(name, ty);
    c.nullable = nullable;
    c
}

fn now_default(mut c: Column) -> Column {
    let o = c.overrides.get_or_insert_default();
    o.postgres_default = Some("now()".into());
    o.sqlite_default = Some("CURRENT_TIMESTAMP".into());
    c
}

fn identity(mut c: Column, id: Identity) -> Column {
    c.identity = Some(id);
    c
}

fn fk(column: &str, table: &str, ref_column: &str, on_delete: FkAction, on_update: FkAction) -> ForeignKey {
    ForeignKey {
        name: None,
        columns: vec![column.into()],
        ref_schema: None,
        ref_table: table.into(),
        ref_columns: vec![ref_column.into()],
        on_delete,
        on_update,
        deferrable: Default::default(),
        match_full: false,
        not_valid: false,
    }
}

fn index(name: &str, columns: &[&str], unique: bool, predicate: Option<&str>) -> Index {
    Index {
        name: name.into(),
        keys: columns.iter().map(|c| IndexKey::column(*c)).collect(),
        unique,
        predicate: predicate.map(Into::into),
        method: None,
        include: vec![],
        nulls_not_distinct: false,
        with: Default::default(),
        invalid: false,
    }
}

fn unique(columns: &[&str]) -> Unique {
    Unique {
        name: None,
        columns: columns.iter().map(|c| c.to_string()).collect(),
        nulls_not_distinct: false,
        deferrable: Default::default(),
    }
}

fn check(name: Option<&str>, expr: &str) -> Check {
    Check { name: name.map(Into::into), expr: expr.into(), no_inherit: false, not_valid: false }
}

fn timestamptz() -> SqlType {
    SqlType::Timestamp { precision: None, tz: true }
}

fn enum_ty(name: &str) -> SqlType {
    SqlType::Enum { schema: None, name: name.into() }
}

fn expected_orgs() -> Table {
    let mut t = Table::new("orgs");
    t.columns = vec![
        identity(col("id", SqlType::BigInt, false), Identity::ByDefault),
        col("slug", SqlType::Text, false),
        col("name", SqlType::Text, false),
        now_default(col("created_at", timestamptz(), false)),
    ];
    t.primary_key = Some(PrimaryKey::on(["id"]));
    t.uniques = vec![unique(&["slug"])];
    t
}

fn expected_users() -> Table {
    let mut t = Table::new("users");
    let mut email = col("email", SqlType::Text, false);
    email.overrides = Some(Box::new(Overrides {
        postgres_type: Some("citext".into()),
        sqlite_type: Some("TEXT".into()),
        ..Default::default()
    }));
    t.columns = vec![
        identity(col("id", SqlType::BigInt, false), Identity::ByDefault),
        col("org_id", SqlType::BigInt, false),
        email,
        col("role", enum_ty("user_role"), false),
        col("display_name", SqlType::Text, true),
        now_default(col("created_at", timestamptz(), false)),
        col("birthday", SqlType::Date, true),
    ];
    t.primary_key = Some(PrimaryKey::on(["id"]));
    // Sorted by name: `users_org_id_email_idx` < `users_org_id_idx`.
    t.indexes = vec![
        index("users_org_id_email_idx", &["org_id", "email"], true, None),
        index("users_org_id_idx", &["org_id"], false, None),
    ];
    t.uniques = vec![unique(&["email"])];
    t.foreign_keys = vec![fk("org_id", "orgs", "id", FkAction::Cascade, FkAction::NoAction)];
    t.checks = vec![check(Some("users_email_has_at"), "email LIKE '%@%'")];
    t
}

fn expected_posts() -> Table {
    let mut t = Table::new("posts");
    let mut views = col("views", SqlType::Int, false).default_expr("0");
    views.using = Some("CAST({col} AS integer)".into());
    let mut parent = col("parent_id", SqlType::BigInt, true);
    parent.renamed_from = Some("reply_to".into());
    t.columns = vec![
        identity(col("id", SqlType::BigInt, false), Identity::ByDefault),
        col("author_id", SqlType::BigInt, true),
        col("org_slug", SqlType::Text, false),
        col("title", SqlType::Varchar { length: Some(200) }, false),
        col("body", SqlType::Text, false),
        col("status", enum_ty("post_status"), false),
        col("tags", SqlType::Array { element: Box::new(SqlType::Text) }, false),
        col("metadata", SqlType::Jsonb, false),
        views,
        col("score", SqlType::Double, false),
        col("published_at", timestamptz(), true),
        parent,
    ];
    t.primary_key = Some(PrimaryKey::on(["id"]));
    t.indexes = vec![index("posts_by_author", &["author_id", "published_at"], false, Some("published_at IS NOT NULL"))];
    // Sorted by columns: author_id < org_slug < parent_id.
    t.foreign_keys = vec![
        fk("author_id", "users", "id", FkAction::SetNull, FkAction::NoAction),
        fk("org_slug", "orgs", "slug", FkAction::NoAction, FkAction::Cascade),
        fk("parent_id", "posts", "id", FkAction::NoAction, FkAction::NoAction),
    ];
    t.checks = vec![check(None, "length(title) > 0")];
    t
}

fn expected_post_tags() -> Table {
    let mut t = Table::new("post_tags");
    t.renamed_from = Some("tags_of_posts".into());
    t.columns = vec![col("post_id", SqlType::BigInt, false), col("tag", SqlType::Text, false)];
    t.primary_key = Some(PrimaryKey::on(["post_id", "tag"]));
    t.foreign_keys = vec![fk("post_id", "posts", "id", FkAction::Cascade, FkAction::NoAction)];
    t
}

fn expected_audit_event() -> Table {
    let mut t = Table::new("audit_event");
    t.schema = Some("audit".into());
    t.columns = vec![
        identity(col("eventId", SqlType::BigInt, false), Identity::Autoincrement),
        col("actorId", SqlType::BigInt, true),
        col("happenedAt", SqlType::Timestamp { precision: None, tz: false }, false),
        col("payload", SqlType::Bytes, false),
        col("flags", SqlType::Array { element: Box::new(enum_ty("user_role")) }, true),
    ];
    t.primary_key = Some(PrimaryKey::on(["eventId"]));
    t.uniques = vec![unique(&["actorId", "happenedAt"])];
    t
}

#[test]
fn schema_collects_every_table_and_enum() {
    let s = schema![User, Org, Post, PostTag, AuditEvent, Org];
    assert_eq!(s.dialect, None);
    let names: Vec<String> = s.tables.iter().map(Table::display_name).collect();
    assert_eq!(names, ["orgs", "post_tags", "posts", "users", "audit.audit_event"]);
    assert_eq!(
        s.enums,
        [
            EnumType {
                schema: None,
                name: "post_status".into(),
                values: vec!["draft".into(), "in_review".into(), "published".into()]
            },
            EnumType {
                schema: None,
                name: "user_role".into(),
                values: vec!["owner".into(), "admin".into(), "regular".into()]
            },
        ]
    );
    assert!(s.sequences.is_empty());
}

#[test]
fn each_table_matches_its_model_exactly() {
    let s = schema![Org, User, Post, PostTag, AuditEvent];
    for expected in [expected_orgs(), expected_users(), expected_posts(), expected_post_tags(), expected_audit_event()]
    {
        let actual = s.table(expected.schema.as_deref(), &expected.name).expect("table present");
        // Column by column first, for a readable failure.
        for (a, e) in actual.columns.iter().zip(&expected.columns) {
            assert_eq!(a, e, "column {}.{}", expected.name, e.name);
        }
        assert_eq!(actual, &expected, "table {}", expected.name);
    }
}

#[test]
fn table_fn_equals_the_schema_entry() {
    let s = schema![Post];
    assert_eq!(s.tables, [Post::table()]);
    // Enums used by a table come along even when only that table is listed.
    assert_eq!(s.enums.len(), 1);
    assert_eq!(s.enums[0].name, "post_status");
}

#[test]
fn schema_serialises_as_a_snapshot_and_round_trips() {
    let s = schema![Org, User, Post, PostTag, AuditEvent];
    let json = serde_json::to_string_pretty(&s).unwrap();
    let back: schema_sync::Schema = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
}

// Const metadata: evaluated by the compiler, usable where only constants are allowed.
const USER_COLUMNS: usize = User::TABLE.columns.len();
const POST_FKS: usize = Post::TABLE.foreign_keys.len();
const ORG_TABLE: &str = <Org as SyncTable>::NAME;
const EMAIL_NULLABLE: bool = match User::TABLE.column("email") {
    Some(c) => c.nullable,
    None => true,
};
const _: () = assert!(USER_COLUMNS == 7 && POST_FKS == 3 && !EMAIL_NULLABLE);
const _: () = assert!(matches!(Post::TABLE.columns[6].ty, ColumnType::Array(ColumnType::Text)));
static USER_COLUMN_NAMES: [&str; USER_COLUMNS] = {
    let mut out = [""; USER_COLUMNS];
    let mut i = 0;
    while i < USER_COLUMNS {
        out[i] = User::TABLE.columns[i].name;
        i += 1;
    }
    out
};

#[test]
fn const_metadata_is_usable_in_const_contexts() {
    assert_eq!(USER_COLUMNS, 7);
    assert_eq!(POST_FKS, 3);
    assert_eq!(ORG_TABLE, "orgs");
    assert_eq!(USER_COLUMN_NAMES, ["id", "org_id", "email", "role", "display_name", "created_at", "birthday"]);
    assert_eq!(PostTag::PRIMARY_KEY, ["post_id", "tag"]);
    assert_eq!(Post::TABLE.foreign_keys[2].ref_table, "posts");
    assert_eq!(Post::TABLE.foreign_keys[1].ref_columns, ["slug"]);
    assert_eq!(Post::TABLE.indexes[0].predicate, Some("published_at IS NOT NULL"));
    assert_eq!(<Role as SyncEnum>::ENUM.values, ["owner", "admin", "regular"]);
    assert_eq!(Role::Member.label(), "regular");
    assert_eq!(<Vec<Role> as SqlColumnType>::COLUMN_TYPE, ColumnType::Array(&ColumnType::Enum(&Role::ENUM)));
}

#[test]
fn primary_key_types_are_the_field_types() {
    fn same<A: 'static, B: 'static>() -> bool {
        std::any::TypeId::of::<A>() == std::any::TypeId::of::<B>()
    }
    assert!(same::<<Org as SyncTable>::PrimaryKey, i64>());
    assert!(same::<<PostTag as SyncTable>::PrimaryKey, (i64, String)>());
}

#[test]
fn builtin_type_mappings() {
    let cases: [(ColumnType, SqlType); 12] = [
        (<bool as SqlColumnType>::COLUMN_TYPE, SqlType::Bool),
        (<i16 as SqlColumnType>::COLUMN_TYPE, SqlType::SmallInt),
        (<i32 as SqlColumnType>::COLUMN_TYPE, SqlType::Int),
        (<i64 as SqlColumnType>::COLUMN_TYPE, SqlType::BigInt),
        (<f32 as SqlColumnType>::COLUMN_TYPE, SqlType::Real),
        (<f64 as SqlColumnType>::COLUMN_TYPE, SqlType::Double),
        (<String as SqlColumnType>::COLUMN_TYPE, SqlType::Text),
        (<Vec<u8> as SqlColumnType>::COLUMN_TYPE, SqlType::Bytes),
        (<Option<Vec<u8>> as SqlColumnType>::COLUMN_TYPE, SqlType::Bytes),
        (<chrono::NaiveDateTime as SqlColumnType>::COLUMN_TYPE, SqlType::Timestamp { precision: None, tz: false }),
        (<chrono::NaiveTime as SqlColumnType>::COLUMN_TYPE, SqlType::Time { precision: None, tz: false }),
        (<Vec<Vec<u8>> as SqlColumnType>::COLUMN_TYPE, SqlType::Array { element: Box::new(SqlType::Bytes) }),
    ];
    for (ct, want) in &cases {
        assert_eq!(&ct.to_sql_type().unwrap(), want);
    }
    const { assert!(<Option<i64> as SqlColumnType>::NULLABLE) };
    const { assert!(!<i64 as SqlColumnType>::NULLABLE) };
}
