//! Expansion snapshots: the generated code of fixed inputs is checked in under `tests/expand/`,
//! so a change to it shows up as a reviewed diff. `SCHEMA_SYNC_BLESS=1` rewrites the files.

use proc_macro2::TokenStream;
use std::path::PathBuf;

/// The expansion formatted like rustfmt would (prettyplease), so snapshot diffs read as code.
fn pretty(tokens: TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).expect("expansion parses as items");
    prettyplease::unparse(&file)
}

fn check_snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/expand").join(name);
    if std::env::var_os("SCHEMA_SYNC_BLESS").is_some() || !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        if std::env::var_os("SCHEMA_SYNC_BLESS").is_none() {
            panic!("snapshot {name} was missing; it has been written, review and commit it");
        }
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    if expected != actual {
        let first = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "expansion of {name} changed (first differing line {}):\n  expected: {:?}\n  actual:   {:?}\nrun with SCHEMA_SYNC_BLESS=1 to accept",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

#[test]
fn sync_table_expansion_snapshot() {
    let input: syn::DeriveInput = syn::parse_quote! {
        #[sync(table = "users", index(columns = ["org_id", "email"], unique), check(name = "email_has_at", expr = "email LIKE '%@%'"))]
        struct User {
            #[sync(primary_key, identity)]
            id: i64,
            #[sync(unique, sql_type(postgres = "citext", sqlite = "TEXT"))]
            email: String,
            #[sync(references = Org, on_delete = "cascade")]
            org_id: i64,
            #[sync(sql_type = "timestamptz", default(postgres = "now()", sqlite = "CURRENT_TIMESTAMP"))]
            created_at: String,
            nickname: Option<String>,
            #[sync(skip)]
            cache: Vec<u8>,
        }
    };
    check_snapshot("user.expanded.rs", &pretty(crate::expand::sync_table(&input)));
}

#[test]
fn sync_enum_expansion_snapshot() {
    let input: syn::DeriveInput = syn::parse_quote! {
        #[sync(name = "mood")]
        enum Mood { Happy, #[sync(rename = "meh")] SoSo }
    };
    check_snapshot("mood.expanded.rs", &pretty(crate::expand::sync_enum(&input)));
}

#[test]
fn sync_view_expansion_snapshot() {
    let input: syn::DeriveInput = syn::parse_quote! {
        #[sync(view = "active_users", security_invoker, comment = "who can sign in",
               query(postgres = "SELECT id, email FROM users WHERE active", sqlite = "SELECT id, email FROM users WHERE active = 1"))]
        struct ActiveUser {
            id: i64,
            #[sync(rename = "mail", comment = "where we write")]
            email: String,
        }
    };
    check_snapshot("active_user.expanded.rs", &pretty(crate::expand::sync_view(&input)));
}

#[test]
fn invalid_view_expands_to_errors_and_a_stub() {
    let input: syn::DeriveInput = syn::parse_quote! {
        #[sync(view = "v")]
        struct V { id: i64 }
    };
    let out = crate::expand::sync_view(&input).to_string();
    assert!(out.contains("compile_error") && out.contains("needs the view's query"), "{out}");
    assert!(out.contains("impl :: schema_sync :: __private :: SyncView for V"), "{out}");
    assert!(out.contains("impl :: schema_sync :: __private :: SchemaPart for V"), "{out}");
}

#[test]
fn invalid_input_expands_to_errors_and_a_stub() {
    let input: syn::DeriveInput = syn::parse_quote! {
        struct Broken {
            #[sync(primay_key)]
            id: i64,
        }
    };
    let out = crate::expand::sync_table(&input).to_string();
    assert!(out.contains("compile_error"), "{out}");
    assert!(out.contains("unknown `sync` attribute `primay_key` on a field, expected one of `primary_key`"), "{out}");
    assert!(out.contains("impl :: schema_sync :: __private :: SyncTable for Broken"), "{out}");
}
