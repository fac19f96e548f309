//! A schema as text for people: the listing `schema-sync inspect` prints and the examples show.
//!
//! ```
//! use schema_sync_core::model::{Column, PrimaryKey, Schema, Table};
//! use schema_sync_core::{Dialect, SqlType};
//!
//! let mut t = Table::new("users");
//! t.columns.push(Column { nullable: false, ..Column::new("id", SqlType::BigInt) });
//! t.primary_key = Some(PrimaryKey::on(["id"]));
//! let mut s = Schema::empty(Some(Dialect::Postgres));
//! s.tables.push(t);
//! assert_eq!(schema_sync_core::describe::schema_text(&s), "table users\n    id  bigint  NOT NULL  PK\n");
//! ```

use std::fmt::Write;

use crate::model::{KeyTarget, Schema, Table};
use crate::resolve::type_text;
use crate::Dialect;

/// Every enum, table, view, function and trigger of `schema`, one block each, blocks separated by a blank line; column
/// names and types aligned, types spelled in the schema's dialect (Postgres for models).
pub fn schema_text(schema: &Schema) -> String {
    let d = schema.dialect.unwrap_or(Dialect::Postgres);
    let mut blocks: Vec<String> =
        schema.enums.iter().map(|e| format!("enum {} ({})\n", e.name, e.values.join(", "))).collect();
    blocks.extend(schema.tables.iter().map(|t| table_text(t, d)));
    blocks.extend(
        schema
            .views
            .iter()
            .map(|v| format!("{} {}\n    AS {}\n", v.kind().to_lowercase(), v.relation().display(), v.definition)),
    );
    blocks.extend(
        schema
            .triggers
            .iter()
            .map(|t| format!("trigger {} on {}\n    {}\n", t.name, t.relation().display(), t.definition)),
    );
    blocks.join("\n")
}

fn table_text(t: &Table, d: Dialect) -> String {
    let mut out = String::new();
    let rls = match (t.row_security.enabled, t.row_security.forced) {
        (true, true) => "  (row-level security, forced)",
        (true, false) => "  (row-level security)",
        (false, true) => "  (row-level security forced, not enabled)",
        (false, false) => "",
    };
    let _ = writeln!(out, "table {}{rls}", t.display_name());
    let pk: Vec<&String> = t.primary_key.iter().flat_map(|p| &p.columns).collect();
    let width = t.columns.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
    let types: Vec<String> = t.columns.iter().map(|c| type_text(&c.ty, d)).collect();
    let twidth = types.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    for (c, ty) in t.columns.iter().zip(&types) {
        let mut flags = Vec::new();
        if !c.nullable {
            flags.push("NOT NULL".to_string());
        }
        if pk.contains(&&c.name) {
            flags.push("PK".to_string());
        }
        if let Some(i) = c.identity {
            flags.push(i.name().to_string());
        }
        if let Some(def) = &c.default {
            flags.push(format!("DEFAULT {def}"));
        }
        if let Some(g) = &c.generated {
            flags.push(format!("GENERATED ({})", g.expr));
        }
        if let Some(coll) = &c.collation {
            flags.push(format!("COLLATE {coll}"));
        }
        let line = format!("    {:width$}  {:twidth$}  {}", c.name, ty, flags.join("  "));
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if pk.len() > 1 {
        let _ = writeln!(
            out,
            "    primary key ({})",
            t.primary_key.as_ref().map(|p| p.columns.join(", ")).unwrap_or_default()
        );
    }
    for u in &t.uniques {
        let _ = writeln!(out, "    unique ({})", u.columns.join(", "));
    }
    for i in &t.indexes {
        let keys: Vec<String> = i
            .keys
            .iter()
            .map(|k| match &k.target {
                KeyTarget::Column(c) => format!("{c}{}", if k.descending { " DESC" } else { "" }),
                KeyTarget::Expression(e) => format!("({e})"),
            })
            .collect();
        let _ = writeln!(
            out,
            "    {}index {} ({}){}",
            if i.unique { "unique " } else { "" },
            i.name,
            keys.join(", "),
            i.predicate.as_ref().map(|p| format!(" WHERE {p}")).unwrap_or_default()
        );
    }
    for fk in &t.foreign_keys {
        let on_delete = if fk.on_delete != Default::default() {
            format!(" ON DELETE {}", fk.on_delete.sql())
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "    foreign key ({}) → {}({}){on_delete}",
            fk.columns.join(", "),
            fk.ref_table,
            fk.ref_columns.join(", ")
        );
    }
    for c in &t.checks {
        let _ = writeln!(out, "    check ({})", c.expr);
    }
    for x in &t.exclusions {
        let _ = writeln!(out, "    exclude {}", x.definition);
    }
    out
}
