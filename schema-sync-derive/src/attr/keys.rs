//! Attribute keys, one constant each (no string literals scattered around), and the lists of
//! legal keys per place that the "expected one of" hints print.

pub const SYNC: &str = "sync";
pub const TABLE: &str = "table";
pub const SCHEMA: &str = "schema";
pub const PRIMARY_KEY: &str = "primary_key";
pub const INDEX: &str = "index";
pub const UNIQUE: &str = "unique";
pub const CHECK: &str = "check";
pub const RENAME_ALL: &str = "rename_all";
pub const RENAMED_FROM: &str = "renamed_from";
pub const CRATE: &str = "crate";
pub const IDENTITY: &str = "identity";
pub const AUTOINCREMENT: &str = "autoincrement";
pub const DEFAULT: &str = "default";
pub const SQL_TYPE: &str = "sql_type";
pub const REFERENCES: &str = "references";
pub const ON_DELETE: &str = "on_delete";
pub const ON_UPDATE: &str = "on_update";
pub const RENAME: &str = "rename";
pub const USING: &str = "using";
pub const SKIP: &str = "skip";
pub const NULLABLE: &str = "nullable";
pub const NOT_NULL: &str = "not_null";
pub const COLUMNS: &str = "columns";
pub const NAME: &str = "name";
pub const WHERE: &str = "where";
pub const EXPR: &str = "expr";
pub const RLS: &str = "rls";
pub const ENABLE: &str = "enable";
pub const FORCE: &str = "force";
pub const POLICY: &str = "policy";
pub const COMMAND: &str = "command";
pub const RESTRICTIVE: &str = "restrictive";
pub const ROLES: &str = "roles";
pub const WITH_CHECK: &str = "with_check";
pub const GRANT: &str = "grant";
pub const ROLE: &str = "role";
pub const PRIVILEGES: &str = "privileges";
pub const COMMENT: &str = "comment";
pub const POSTGRES: &str = "postgres";
pub const SQLITE: &str = "sqlite";
pub const VIEW: &str = "view";
pub const QUERY: &str = "query";
pub const MATERIALIZED: &str = "materialized";
pub const SECURITY_INVOKER: &str = "security_invoker";
pub const SECURITY_BARRIER: &str = "security_barrier";

/// Keys of `#[sync(...)]` on a `SyncTable` struct.
pub const CONTAINER: &[&str] =
    &[TABLE, SCHEMA, PRIMARY_KEY, INDEX, UNIQUE, CHECK, RLS, POLICY, GRANT, COMMENT, RENAME_ALL, RENAMED_FROM, CRATE];
/// Keys of `#[sync(...)]` on a `SyncTable` field.
pub const FIELD: &[&str] = &[
    PRIMARY_KEY,
    IDENTITY,
    AUTOINCREMENT,
    UNIQUE,
    INDEX,
    DEFAULT,
    SQL_TYPE,
    REFERENCES,
    ON_DELETE,
    ON_UPDATE,
    CHECK,
    RENAME,
    RENAMED_FROM,
    USING,
    SKIP,
    NULLABLE,
    NOT_NULL,
    COMMENT,
];
/// Keys inside `index(...)`.
pub const INDEX_ARGS: &[&str] = &[COLUMNS, UNIQUE, NAME, WHERE];
/// Keys inside `check(...)`.
pub const CHECK_ARGS: &[&str] = &[NAME, EXPR];
/// Keys inside `rls(...)`.
pub const RLS_ARGS: &[&str] = &[ENABLE, FORCE];
/// Keys inside `policy(...)`.
pub const POLICY_ARGS: &[&str] = &[NAME, COMMAND, RESTRICTIVE, ROLES, USING, WITH_CHECK];
/// Values of a policy's `command`.
pub const POLICY_COMMANDS: &[&str] = &["all", "select", "insert", "update", "delete"];
/// Keys inside `grant(...)`.
pub const GRANT_ARGS: &[&str] = &[ROLE, PRIVILEGES];
/// Privileges a `grant(...)` may give on a table.
pub const TABLE_PRIVILEGES: &[&str] =
    &["select", "insert", "update", "delete", "truncate", "references", "trigger", "all"];
/// Keys inside `sql_type(...)` and `default(...)`.
pub const DIALECTS: &[&str] = &[POSTGRES, SQLITE];
/// Keys of `#[sync(...)]` on a `SyncView` struct.
pub const VIEW_CONTAINER: &[&str] =
    &[VIEW, SCHEMA, QUERY, MATERIALIZED, SECURITY_INVOKER, SECURITY_BARRIER, INDEX, COMMENT, RENAME_ALL, CRATE];
/// Keys of `#[sync(...)]` on a `SyncView` field.
pub const VIEW_FIELD: &[&str] = &[RENAME, COMMENT];
/// Keys of `#[sync(...)]` on a `SyncEnum` enum.
pub const ENUM: &[&str] = &[NAME, SCHEMA, RENAME_ALL, CRATE];
/// Keys of `#[sync(...)]` on a `SyncEnum` variant.
pub const VARIANT: &[&str] = &[RENAME];
/// Values of `on_delete` / `on_update`.
pub const FK_ACTIONS: &[&str] = &["cascade", "restrict", "set_null", "set_default", "no_action"];

/// `` `a`, `b`, `c` `` for messages.
pub(crate) fn one_of(list: &[&str]) -> String {
    list.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}
