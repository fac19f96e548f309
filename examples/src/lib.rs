//! Runnable examples for schema-sync, and the few helpers they share (printing a schema the way
//! `schema-sync inspect` does, indenting SQL, step headings).
//!
//! | example | command | needs |
//! |---|---|---|
//! | `quickstart` | `cargo run -p schema-sync-examples --example quickstart` | nothing (embedded SQLite) |
//! | `supabase` | `cargo run -p schema-sync-examples --example supabase` | a Postgres: `DATABASE_URL`, `SCHEMA_SYNC_TEST_PG_URL` or local `initdb` |
//! | `offline_sync` | `cargo run -p schema-sync-examples --example offline_sync` | a Postgres, as above |
//! | `drift_test` | `cd examples/drift_test && cargo test` | a Postgres, as above |

use schema_sync::core::resolve::type_text;
use schema_sync::model::{KeyTarget, Schema};
use schema_sync::Dialect;
use std::fmt::Write;

/// A schema as an aligned listing, one block per table, like `schema-sync inspect`.
///
/// ```
/// use schema_sync::{schema, SyncTable};
/// #[derive(SyncTable)]
/// #[sync(table = "users")]
/// struct User { #[sync(primary_key)] id: i64, email: String }
/// let text = schema_sync_examples::schema_text(&schema![User]);
/// assert!(text.contains("table users") && text.contains("email"));
/// ```
pub fn schema_text(schema: &Schema) -> String {
    let d = schema.dialect.unwrap_or(Dialect::Postgres);
    let mut out = String::new();
    for (n, t) in schema.tables.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "table {}", t.display_name());
        let pk: Vec<&String> = t.primary_key.iter().flat_map(|p| &p.columns).collect();
        let types: Vec<String> = t.columns.iter().map(|c| type_text(&c.ty, d)).collect();
        let width = t.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
        let twidth = types.iter().map(String::len).max().unwrap_or(0);
        for (c, ty) in t.columns.iter().zip(&types) {
            let mut flags = Vec::new();
            if pk.contains(&&c.name) {
                flags.push("PK".to_string());
            }
            if !c.nullable {
                flags.push("NOT NULL".to_string());
            }
            if let Some(def) = &c.default {
                flags.push(format!("DEFAULT {def}"));
            }
            let line = format!("    {:width$}  {:twidth$}  {}", c.name, ty, flags.join("  "));
            let _ = writeln!(out, "{}", line.trim_end());
        }
        for u in &t.uniques {
            let _ = writeln!(out, "    unique ({})", u.columns.join(", "));
        }
        for i in &t.indexes {
            let keys: Vec<String> = i
                .keys
                .iter()
                .map(|k| match &k.target {
                    KeyTarget::Column(c) => c.clone(),
                    KeyTarget::Expression(e) => format!("({e})"),
                })
                .collect();
            let kind = if i.unique { "unique index" } else { "index" };
            let _ = writeln!(out, "    {kind} {} ({})", i.name, keys.join(", "));
        }
        for fk in &t.foreign_keys {
            let mut line = format!(
                "    foreign key ({}) → {}({})",
                fk.columns.join(", "),
                fk.ref_table,
                fk.ref_columns.join(", ")
            );
            if fk.on_delete != Default::default() {
                let _ = write!(line, " ON DELETE {}", fk.on_delete.sql());
            }
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

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
