//! Snapshots: a [`Schema`] as JSON with a `format_version`, byte-identical for equal schemas.
//!
//! ```
//! use schema_sync_core::{snapshot, Schema, Dialect};
//! let s = Schema::empty(Some(Dialect::Sqlite));
//! let json = snapshot::to_json(&s);
//! assert!(json.starts_with("{\n  \"format_version\": 1"));
//! assert_eq!(snapshot::from_json(&json, "test").unwrap(), s);
//! assert!(snapshot::from_json("{\"format_version\": 99}", "x").is_err());
//! ```

use crate::model::Schema;
use crate::{Error, Result};

/// Current snapshot format version. Readers refuse any other.
pub const FORMAT_VERSION: u64 = 1;

/// Serialises `schema` (normalised first) as pretty JSON with `format_version` first and a
/// trailing newline.
pub fn to_json(schema: &Schema) -> String {
    let mut s = schema.clone();
    s.normalize();
    let body = serde_json::to_value(&s).expect("schema serialises");
    let mut map = serde_json::Map::new();
    map.insert("format_version".into(), FORMAT_VERSION.into());
    if let serde_json::Value::Object(fields) = body {
        for (k, v) in fields {
            map.insert(k, v);
        }
    }
    let mut out = serde_json::to_string_pretty(&serde_json::Value::Object(map)).expect("json");
    out.push('\n');
    out
}

/// Reads a snapshot; `origin` names it in errors (a path, usually).
pub fn from_json(text: &str, origin: &str) -> Result<Schema> {
    let err = |reason: String| Error::Snapshot { origin: origin.to_string(), reason };
    let mut value: serde_json::Value = serde_json::from_str(text).map_err(|e| err(format!("not JSON ({e})")))?;
    let obj = value.as_object_mut().ok_or_else(|| err("expected a JSON object".into()))?;
    match obj.remove("format_version") {
        Some(v) if v.as_u64() == Some(FORMAT_VERSION) => {}
        Some(v) => {
            return Err(err(format!("unsupported format_version {v} (this schema-sync reads {FORMAT_VERSION})")))
        }
        None => return Err(err("missing `format_version`".into())),
    }
    let mut schema: Schema = serde_json::from_value(value).map_err(|e| err(e.to_string()))?;
    schema.normalize();
    Ok(schema)
}

/// Writes a snapshot file.
pub fn write(path: &std::path::Path, schema: &Schema) -> Result<()> {
    std::fs::write(path, to_json(schema)).map_err(|e| Error::io(format!("writing snapshot {}", path.display()), e))
}

/// Reads a snapshot file.
pub fn read(path: &std::path::Path) -> Result<Schema> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Error::io(format!("reading snapshot {}", path.display()), e))?;
    from_json(&text, &path.display().to_string())
}

/// FNV-1a 64-bit checksum of a schema's snapshot JSON, as 16 hex digits. Recorded in
/// `schema_version.checksum` so `audit` can tell whether two databases got the same schema.
pub fn checksum(schema: &Schema) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in to_json(schema).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}
