//! `inspect --format text`: a schema for people.

use schema_sync_core::model::{KeyTarget, Schema};
use schema_sync_core::resolve::type_text;
use schema_sync_core::version::VersionRow;
use schema_sync_core::Dialect;
use std::fmt::Write;

/// Renders `schema` as an aligned listing, one block per table.
pub fn schema_text(schema: &Schema, origin: &str, versions: &[VersionRow]) -> String {
    let d = schema.dialect.unwrap_or(Dialect::Postgres);
    let st = schema.stats();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{origin} ({}): {} tables, {} columns, {} indexes, {} foreign keys",
        schema.dialect.map(|d| d.name()).unwrap_or("models"),
        st.tables,
        st.columns,
        st.indexes + st.uniques,
        st.foreign_keys
    );
    for e in &schema.enums {
        let _ = writeln!(out, "\nenum {} ({})", e.name, e.values.join(", "));
    }
    for t in &schema.tables {
        let _ = writeln!(out, "\ntable {}", t.display_name());
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
                flags.push(format!("{i:?}").to_lowercase());
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
            let _ = writeln!(out, "    {:width$}  {:twidth$}  {}", c.name, ty, flags.join("  "));
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
            let _ = writeln!(
                out,
                "    foreign key ({}) → {}({}){}",
                fk.columns.join(", "),
                fk.ref_table,
                fk.ref_columns.join(", "),
                if fk.on_delete != Default::default() {
                    format!(" ON DELETE {}", fk.on_delete.sql())
                } else {
                    String::new()
                }
            );
        }
        for c in &t.checks {
            let _ = writeln!(out, "    check ({})", c.expr);
        }
    }
    if let Some(last) = versions.last() {
        let _ = writeln!(
            out,
            "\nschema_version: {} row(s), latest v{} at {} (checksum {}){}",
            versions.len(),
            last.version,
            last.applied_at,
            last.checksum,
            last.description.as_ref().map(|d| format!(": {d}")).unwrap_or_default()
        );
    }
    out
}
