//! `inspect --format text`: a schema for people.

use schema_sync_core::apply::VersionRow;
use schema_sync_core::model::Schema;
use std::fmt::Write;

/// A summary line, then [`schema_sync_core::describe::schema_text`], then the latest
/// `schema_version` row when there is one.
pub fn schema_text(schema: &Schema, origin: &str, versions: &[VersionRow]) -> String {
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
    let body = schema_sync_core::describe::schema_text(schema);
    if !body.is_empty() {
        let _ = write!(out, "\n{body}");
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
