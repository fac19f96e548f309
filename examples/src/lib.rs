//! Runnable examples for schema-sync, and the few helpers they share (printing a schema the way
//! `schema-sync inspect` does, indenting SQL, step headings).
//!
//! | example | command | needs |
//! |---|---|---|
//! | `quickstart` | `cargo run -p schema-sync-examples --example quickstart` | nothing (embedded SQLite) |
//! | `supabase` | `cargo run -p schema-sync-examples --example supabase` | a Postgres: `DATABASE_URL`, `SCHEMA_SYNC_TEST_PG_URL` or local `initdb` |
//! | `offline_sync` | `cargo run -p schema-sync-examples --example offline_sync` | a Postgres, as above |
//! | `drift_test` | `cd examples/drift_test && cargo test` | a Postgres, as above |

/// A schema as an aligned listing, one block per table, as `schema-sync inspect` prints it.
///
/// ```
/// use schema_sync::{schema, SyncTable};
/// #[derive(SyncTable)]
/// #[sync(table = "users")]
/// struct User { #[sync(primary_key)] id: i64, email: String }
/// let text = schema_sync_examples::schema_text(&schema![User]);
/// assert!(text.contains("table users") && text.contains("email"));
/// ```
pub use schema_sync::core::describe::schema_text;

/// `text` with every line indented by four spaces.
///
/// ```
/// assert_eq!(schema_sync_examples::indent("a\n\nb\n"), "    a\n\n    b\n");
/// ```
pub fn indent(text: &str) -> String {
    text.lines().map(|l| if l.is_empty() { "\n".to_string() } else { format!("    {l}\n") }).collect()
}

/// Prints a numbered step heading.
pub fn step(n: u32, title: &str) {
    println!("\n── {n}. {title} {}", "─".repeat(60usize.saturating_sub(title.chars().count())));
}
