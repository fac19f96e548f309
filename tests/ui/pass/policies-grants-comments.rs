//! Row-level security, policies, grants and comments declared on a struct reach the schema.
use schema_sync::{schema, SyncTable};

#[derive(SyncTable)]
#[allow(dead_code)]
#[sync(table = "profiles", comment = "one row per user", rls(enable, force))]
#[sync(policy(name = "read own", command = select, roles = ["authenticated"], using = "auth.uid() = id"))]
#[sync(policy(name = "add own", command = insert, roles = ["authenticated"], with_check = "auth.uid() = id"))]
#[sync(policy(name = "no banned", restrictive, using = "NOT banned"))]
#[sync(grant(role = "authenticated", privileges = [select, insert, update]), grant(role = "service_role", privileges = [all]))]
struct Profile {
    #[sync(primary_key, sql_type = "uuid")]
    id: String,
    #[sync(comment = "shown to other users")]
    display_name: String,
    banned: bool,
}

fn main() {
    let t = Profile::table();
    assert!(t.row_security.enabled && t.row_security.forced);
    let s = schema![Profile];
    let names: Vec<&str> = s.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["add own", "no banned", "read own"]);
    let restrictive = s.policies.iter().find(|p| p.name == "no banned").unwrap();
    assert!(restrictive.restrictive && restrictive.roles == ["public"]);
    let service = s.grants.iter().find(|g| g.role == "service_role").unwrap();
    assert_eq!(service.privileges.len(), 7);
    assert_eq!(s.comments.len(), 2);
}
