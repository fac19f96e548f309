//! Types carried across dialects: the column type one dialect gets for the other's (the seed's
//! two type maps, extended). [`super::compat`] decides whether two types are compatible; this
//! module decides what a type becomes.

use super::sqlite::{self, affinity, Affinity};
use super::SqlType;

/// The Postgres type a SQLite column becomes when Postgres is made to match SQLite
/// (`sqlite-wins`). `INTEGER` becomes `bigint`, not `integer`: SQLite integers are 64-bit and a
/// narrower target could refuse existing rows.
///
/// ```
/// use schema_sync_core::types::{translate::sqlite_to_postgres, sqlite, SqlType};
/// assert_eq!(sqlite_to_postgres(&sqlite::parse("INTEGER")), SqlType::BigInt);
/// assert_eq!(sqlite_to_postgres(&sqlite::parse("DATETIME")), SqlType::Timestamp { precision: None, tz: true });
/// ```
pub fn sqlite_to_postgres(ty: &SqlType) -> SqlType {
    let decl = sqlite::render(ty);
    let up = decl.to_ascii_uppercase();
    let (name, args) = match up.find('(') {
        Some(i) if up.ends_with(')') => (up[..i].trim().to_string(), Some(up[i + 1..up.len() - 1].to_string())),
        _ => (up.clone(), None),
    };
    let nums: Vec<u32> =
        args.as_deref().map(|a| a.split(',').filter_map(|n| n.trim().parse().ok()).collect()).unwrap_or_default();
    match name.as_str() {
        "BOOLEAN" | "BOOL" => return SqlType::Bool,
        "DATE" => return SqlType::Date,
        "TIME" => return SqlType::Time { precision: None, tz: false },
        "TIMESTAMP" | "DATETIME" | "TIMESTAMPTZ" => return SqlType::Timestamp { precision: None, tz: true },
        "UUID" => return SqlType::Uuid,
        "JSON" | "JSONB" => return SqlType::Jsonb,
        "VARCHAR" | "CHARACTER VARYING" | "NVARCHAR" | "VARYING CHARACTER" | "NATIVE CHARACTER" => {
            return SqlType::Varchar { length: nums.first().copied() }
        }
        "CHAR" | "CHARACTER" | "NCHAR" => return SqlType::Char { length: Some(nums.first().copied().unwrap_or(1)) },
        "NUMERIC" | "DECIMAL" => {
            return match nums.as_slice() {
                [p, s] => SqlType::Numeric { precision: Some(*p), scale: Some(*s) },
                [p] => SqlType::Numeric { precision: Some(*p), scale: Some(0) },
                _ => SqlType::Numeric { precision: None, scale: None },
            }
        }
        "FLOAT" | "REAL" | "DOUBLE" | "DOUBLE PRECISION" => return SqlType::Double,
        _ => {}
    }
    match affinity(&decl) {
        Affinity::Integer => SqlType::BigInt,
        Affinity::Text => SqlType::Text,
        Affinity::Blob if up.trim().is_empty() => SqlType::Text,
        Affinity::Blob => SqlType::Bytes,
        Affinity::Real => SqlType::Double,
        Affinity::Numeric => SqlType::Numeric { precision: None, scale: None },
    }
}

/// The SQLite type a Postgres column becomes when SQLite is made to match Postgres
/// (`postgres-wins`): the seed's `POSTGRES_TO_SQLITE_TYPE_MAP`, extended.
pub fn postgres_to_sqlite(ty: &SqlType) -> SqlType {
    sqlite::resolve(ty)
}
