//! SQLite ↔ Postgres type compatibility.
//!
//! A pair is *compatible* when the SQLite column stores every value of the Postgres column and
//! the application reads it back the same way. The base is the seed's two maps
//! (`SQLITE_TO_POSTGRES_TYPE_MAP`, `POSTGRES_TO_SQLITE_TYPE_MAP`), extended for boolean, uuid,
//! json/jsonb, arrays, varchar(n)/char(n) and numeric(p,s). Every answer names its rule so
//! `diff --explain` can say why a pair is (not) drift.

use super::sqlite::{affinity, Affinity};
use super::{postgres, sqlite, Dialect, SqlType};
use serde::Serialize;

/// The verdict on one SQLite/Postgres type pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compat {
    /// Whether the pair is compatible.
    pub compatible: bool,
    /// Stable rule identifier (`integer`, `text`, `temporal-as-text`, …).
    pub rule: &'static str,
    /// One sentence for people.
    pub explain: String,
}

/// Decides whether a SQLite declared type (`sqlite_ty`, as read by [`sqlite::parse`]) is
/// compatible with a Postgres type.
///
/// ```
/// use schema_sync_core::types::{compat::compatible, postgres, sqlite};
/// let c = compatible(&sqlite::parse("INTEGER"), &postgres::parse("bigint").unwrap());
/// assert!(c.compatible);
/// assert_eq!(c.rule, "integer");
/// let c = compatible(&sqlite::parse("TEXT"), &postgres::parse("integer").unwrap());
/// assert!(!c.compatible);
/// ```
pub fn compatible(sqlite_ty: &SqlType, pg: &SqlType) -> Compat {
    let decl = sqlite::render(sqlite_ty);
    let aff = affinity(&decl);
    let up = decl.to_ascii_uppercase();
    let pg_text = postgres::render(pg);
    let ok = |rule: &'static str, why: &str| Compat {
        compatible: true,
        rule,
        explain: format!("SQLite `{decl}` ↔ Postgres `{pg_text}`: {why}"),
    };
    let bad = |rule: &'static str, why: &str| Compat {
        compatible: false,
        rule,
        explain: format!("SQLite `{decl}` ↔ Postgres `{pg_text}`: {why}"),
    };

    if up.trim().is_empty() {
        return ok("untyped", "an untyped SQLite column stores any value as given");
    }
    let is_bool_name = up.starts_with("BOOL");
    let is_temporal_name =
        ["DATE", "TIME", "TIMESTAMP", "DATETIME"].iter().any(|t| up == *t || up.starts_with(&format!("{t}(")))
            || up.starts_with("TIMESTAMP");
    let pg_base = match pg {
        SqlType::Enum { .. } => "enum",
        _ => "",
    };
    match pg {
        SqlType::SmallInt | SqlType::Int | SqlType::BigInt => match aff {
            Affinity::Integer => ok("integer", "INTEGER affinity holds every 64-bit integer"),
            Affinity::Numeric if !is_bool_name && !is_temporal_name => {
                ok("integer-as-numeric", "NUMERIC affinity stores integers as INTEGER")
            }
            _ => bad("integer", "an integer column needs INTEGER (or NUMERIC) affinity"),
        },
        SqlType::Bool => match aff {
            _ if is_bool_name => ok("boolean", "BOOLEAN holds 0/1"),
            Affinity::Integer => ok("boolean-as-integer", "SQLite stores booleans as INTEGER 0/1 (seed map)"),
            _ => bad("boolean", "a boolean needs BOOLEAN or INTEGER in SQLite"),
        },
        SqlType::Real | SqlType::Double => match aff {
            Affinity::Real => ok("float", "REAL affinity is an 8-byte IEEE float"),
            Affinity::Numeric if !is_bool_name && !is_temporal_name => {
                ok("float-as-numeric", "NUMERIC affinity keeps floats as REAL")
            }
            _ => bad("float", "a floating-point column needs REAL affinity"),
        },
        SqlType::Numeric { .. } => match aff {
            Affinity::Numeric if !is_bool_name && !is_temporal_name => ok("numeric", "NUMERIC ↔ numeric"),
            Affinity::Real => {
                ok("numeric-as-real", "the seed maps numeric/decimal to REAL (values beyond 15 digits are rounded)")
            }
            Affinity::Integer if matches!(pg, SqlType::Numeric { scale: Some(0), .. }) => {
                ok("numeric-as-integer", "a scale-0 numeric fits INTEGER when it has at most 18 digits")
            }
            _ => bad("numeric", "numeric needs NUMERIC or REAL affinity"),
        },
        SqlType::Text | SqlType::Varchar { .. } | SqlType::Char { .. } => match aff {
            Affinity::Text => ok("text", "TEXT affinity ↔ text/varchar/char (SQLite ignores lengths)"),
            _ => bad("text", "a character column needs TEXT affinity"),
        },
        SqlType::Bytes => match aff {
            Affinity::Blob => ok("blob", "BLOB ↔ bytea"),
            _ => bad("blob", "bytea needs BLOB in SQLite"),
        },
        SqlType::Date | SqlType::Time { .. } | SqlType::Timestamp { .. } => {
            if is_temporal_name {
                ok("temporal", "SQLite date/time declared types hold ISO-8601 text")
            } else if aff == Affinity::Text {
                ok("temporal-as-text", "date/time values are stored as ISO-8601 TEXT (seed map)")
            } else {
                bad("temporal", "a date/time column needs TEXT or a DATE/TIME/TIMESTAMP declared type")
            }
        }
        SqlType::Uuid
        | SqlType::Json
        | SqlType::Jsonb
        | SqlType::Interval { .. }
        | SqlType::Enum { .. }
        | SqlType::Array { .. } => {
            let rule = match pg {
                SqlType::Uuid => "uuid-as-text",
                SqlType::Json | SqlType::Jsonb => "json-as-text",
                SqlType::Array { .. } => "array-as-json-text",
                SqlType::Interval { .. } => "interval-as-text",
                _ => "enum-as-text",
            };
            let named = match pg {
                SqlType::Uuid => up == "UUID",
                SqlType::Json | SqlType::Jsonb => up == "JSON" || up == "JSONB",
                _ => false,
            };
            if aff == Affinity::Text || named {
                ok(rule, "stored as TEXT in SQLite")
            } else {
                let _ = pg_base;
                bad(rule, "needs TEXT affinity in SQLite")
            }
        }
        SqlType::Other { dialect: Dialect::Postgres, raw } => {
            let expected = sqlite::render(pg);
            if affinity(&expected) == aff {
                ok("other-by-affinity", &format!("`{raw}` maps to SQLite {expected}, same affinity"))
            } else {
                bad("other-by-affinity", &format!("`{raw}` maps to SQLite {expected}"))
            }
        }
        SqlType::Other { dialect: Dialect::Sqlite, .. } => {
            if affinity(&sqlite::render(pg)) == aff {
                ok("same-affinity", "both sides have the same SQLite affinity")
            } else {
                bad("same-affinity", "different SQLite affinities")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::translate::{postgres_to_sqlite, sqlite_to_postgres};

    fn pg(t: &str) -> SqlType {
        postgres::parse(t).unwrap()
    }

    #[test]
    fn seed_sqlite_to_postgres_map_is_compatible() {
        // SQLITE_TO_POSTGRES_TYPE_MAP from the seed, both directions.
        for (lite, pgt) in [
            ("TEXT", "text"),
            ("INTEGER", "integer"),
            ("REAL", "double precision"),
            ("BLOB", "bytea"),
            ("NUMERIC", "numeric"),
            ("TIMESTAMP", "timestamp with time zone"),
            ("DATE", "date"),
            ("TIME", "time without time zone"),
        ] {
            let c = compatible(&sqlite::parse(lite), &pg(pgt));
            assert!(c.compatible, "{lite} vs {pgt}: {}", c.explain);
        }
    }

    #[test]
    fn seed_postgres_to_sqlite_map_is_compatible() {
        for (pgt, lite) in [
            ("text", "TEXT"),
            ("varchar(20)", "TEXT"),
            ("char(2)", "TEXT"),
            ("integer", "INTEGER"),
            ("bigint", "INTEGER"),
            ("smallint", "INTEGER"),
            ("double precision", "REAL"),
            ("real", "REAL"),
            ("numeric(10,2)", "REAL"),
            ("decimal", "REAL"),
            ("bytea", "BLOB"),
            ("timestamptz", "TEXT"),
            ("timestamp", "TEXT"),
            ("date", "TEXT"),
            ("time", "TEXT"),
            ("boolean", "INTEGER"),
        ] {
            let c = compatible(&sqlite::parse(lite), &pg(pgt));
            assert!(c.compatible, "{pgt} vs {lite}: {}", c.explain);
        }
    }

    #[test]
    fn extensions_and_rules_named() {
        let cases: &[(&str, &str, bool, &str)] = &[
            ("BOOLEAN", "boolean", true, "boolean"),
            ("INTEGER", "boolean", true, "boolean-as-integer"),
            ("TEXT", "boolean", false, "boolean"),
            ("TEXT", "uuid", true, "uuid-as-text"),
            ("UUID", "uuid", true, "uuid-as-text"),
            ("TEXT", "jsonb", true, "json-as-text"),
            ("JSON", "json", true, "json-as-text"),
            ("TEXT", "text[]", true, "array-as-json-text"),
            ("VARCHAR(10)", "character varying(255)", true, "text"),
            ("NVARCHAR(40)", "text", true, "text"),
            ("NUMERIC(10,2)", "numeric(10,2)", true, "numeric"),
            ("DECIMAL(10,2)", "numeric(12,2)", true, "numeric"),
            ("DATETIME", "timestamp without time zone", true, "temporal"),
            ("TEXT", "integer", false, "integer"),
            ("INTEGER", "text", false, "text"),
            ("REAL", "integer", false, "integer"),
            ("BLOB", "text", false, "text"),
            ("TEXT", "bytea", false, "blob"),
            ("INTEGER", "timestamp with time zone", false, "temporal"),
            ("", "integer", true, "untyped"),
            ("TEXT", "citext", true, "other-by-affinity"),
            ("INTEGER", "citext", false, "other-by-affinity"),
        ];
        for (lite, pgt, want, rule) in cases {
            let c = compatible(&sqlite::parse(lite), &pg(pgt));
            assert_eq!(c.compatible, *want, "{lite} vs {pgt}: {}", c.explain);
            assert_eq!(c.rule, *rule, "{lite} vs {pgt}");
        }
    }

    #[test]
    fn translations_round_trip_as_compatible() {
        for lite in [
            "INTEGER",
            "TEXT",
            "REAL",
            "BLOB",
            "NUMERIC",
            "NUMERIC(10,2)",
            "VARCHAR(30)",
            "DATETIME",
            "BOOLEAN",
            "DATE",
            "JSON",
            "UUID",
            "",
            "INT",
        ] {
            let l = sqlite::parse(lite);
            let p = sqlite_to_postgres(&l);
            assert!(compatible(&l, &p).compatible, "{lite} -> {p:?}");
        }
        for pgt in [
            "integer",
            "bigint",
            "text",
            "varchar(3)",
            "boolean",
            "uuid",
            "jsonb",
            "timestamptz",
            "date",
            "numeric(9,3)",
            "bytea",
            "text[]",
            "real",
            "interval",
            "citext",
        ] {
            let p = pg(pgt);
            let l = postgres_to_sqlite(&p);
            assert!(compatible(&l, &p).compatible, "{pgt} -> {l:?}");
        }
    }
}
