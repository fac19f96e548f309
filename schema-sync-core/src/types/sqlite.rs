//! SQLite declared types.
//!
//! SQLite stores whatever type text a column was declared with and derives one of five affinities
//! from it. We keep the text (normalised: upper case, single spaces) and map only the canonical
//! spellings to neutral types, so that `render(parse(t)) == normalise(t)` for every `t`: a schema
//! read from SQLite and written back declares exactly the same types. This matters beyond
//! looks: `INTEGER PRIMARY KEY` is a rowid alias, `INT PRIMARY KEY` is not.

use super::{squash, Dialect, SqlType};
use serde::{Deserialize, Serialize};

/// The five SQLite column affinities (SQLite docs, "Datatypes In SQLite", 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Affinity {
    /// Declared type contains `INT`.
    Integer,
    /// Contains `CHAR`, `CLOB` or `TEXT`.
    Text,
    /// Contains `BLOB`, or no type was declared.
    Blob,
    /// Contains `REAL`, `FLOA` or `DOUB`.
    Real,
    /// Anything else.
    Numeric,
}

/// Normalises a declared type: upper case, single spaces, no spaces inside parentheses.
pub fn normalize(decl: &str) -> String {
    squash(decl).to_ascii_uppercase()
}

/// SQLite's five rules, applied in order to the declared type.
pub fn affinity(decl: &str) -> Affinity {
    let up = decl.to_ascii_uppercase();
    if up.contains("INT") {
        Affinity::Integer
    } else if up.contains("CHAR") || up.contains("CLOB") || up.contains("TEXT") {
        Affinity::Text
    } else if up.contains("BLOB") || up.trim().is_empty() {
        Affinity::Blob
    } else if up.contains("REAL") || up.contains("FLOA") || up.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

/// Affinity of a SQLite-resolved type.
pub fn affinity_of(ty: &SqlType) -> Affinity {
    affinity(&render(ty))
}

/// Reads a SQLite declared type. Canonical spellings become neutral types; every other spelling
/// is kept verbatim as [`SqlType::Other`] with [`Dialect::Sqlite`]. Never fails: SQLite accepts
/// any type text.
pub fn parse(decl: &str) -> SqlType {
    let norm = normalize(decl);
    let (name, args) = match norm.find('(') {
        Some(open) if norm.ends_with(')') => (&norm[..open], Some(&norm[open + 1..norm.len() - 1])),
        _ => (norm.as_str(), None),
    };
    let nums: Option<Vec<u32>> = args
        .map(|a| a.split(',').map(|n| n.trim().parse::<u32>().ok()).collect::<Option<Vec<_>>>())
        .unwrap_or(Some(vec![]));
    let ty = match (name, nums.as_deref()) {
        ("INTEGER", Some([])) => SqlType::BigInt,
        ("TEXT", Some([])) => SqlType::Text,
        ("REAL", Some([])) => SqlType::Double,
        ("BLOB", Some([])) => SqlType::Bytes,
        ("BOOLEAN", Some([])) => SqlType::Bool,
        ("DATE", Some([])) => SqlType::Date,
        ("TIME", Some([])) => SqlType::Time { precision: None, tz: false },
        ("TIMESTAMP", Some([])) => SqlType::Timestamp { precision: None, tz: false },
        ("NUMERIC", Some([])) => SqlType::Numeric { precision: None, scale: None },
        ("NUMERIC", Some([p, s])) => SqlType::Numeric { precision: Some(*p), scale: Some(*s) },
        ("VARCHAR", Some([n])) => SqlType::Varchar { length: Some(*n) },
        ("CHAR", Some([n])) => SqlType::Char { length: Some(*n) },
        _ => SqlType::Other { dialect: Dialect::Sqlite, raw: norm.clone() },
    };
    debug_assert_eq!(render(&ty), norm);
    ty
}

/// Renders the declared type SQLite gets for `ty`. For a type read by [`parse`] this is the
/// normalised original text; neutral types map as the seed's type tables say (uuid, json,
/// arrays, enums and intervals are TEXT; every integer is `INTEGER` so an `INTEGER PRIMARY KEY`
/// stays a rowid alias).
pub fn render(ty: &SqlType) -> String {
    match ty {
        SqlType::Bool => "BOOLEAN".into(),
        SqlType::SmallInt | SqlType::Int | SqlType::BigInt => "INTEGER".into(),
        SqlType::Real | SqlType::Double => "REAL".into(),
        SqlType::Numeric { precision: Some(p), scale } => format!("NUMERIC({p},{})", scale.unwrap_or(0)),
        SqlType::Numeric { precision: None, .. } => "NUMERIC".into(),
        SqlType::Text => "TEXT".into(),
        SqlType::Varchar { length: Some(n) } => format!("VARCHAR({n})"),
        SqlType::Char { length: Some(n) } => format!("CHAR({n})"),
        SqlType::Varchar { length: None } | SqlType::Char { length: None } => "TEXT".into(),
        SqlType::Bytes => "BLOB".into(),
        SqlType::Date => "DATE".into(),
        SqlType::Time { .. } => "TIME".into(),
        SqlType::Timestamp { .. } => "TIMESTAMP".into(),
        SqlType::Interval { .. } | SqlType::Uuid | SqlType::Json | SqlType::Jsonb => "TEXT".into(),
        SqlType::Array { .. } | SqlType::Enum { .. } => "TEXT".into(),
        SqlType::Other { dialect: Dialect::Sqlite, raw } => raw.clone(),
        SqlType::Other { dialect: Dialect::Postgres, raw } => postgres_other_to_sqlite(raw).into(),
    }
}

/// Declared SQLite type for a Postgres type with no neutral equivalent.
fn postgres_other_to_sqlite(raw: &str) -> &'static str {
    let base = raw.split('(').next().unwrap_or(raw).trim();
    match base {
        "oid" | "xid" | "cid" | "regclass" | "regtype" | "regproc" => "INTEGER",
        "money" => "NUMERIC",
        "bit" | "bit varying" => "TEXT",
        _ => "TEXT",
    }
}

/// `true` when a declared type makes a single-column primary key an alias of the rowid: only
/// the exact name `INTEGER` does (`INT PRIMARY KEY` and `BIGINT PRIMARY KEY` are ordinary
/// columns), per SQLite's "ROWIDs and the INTEGER PRIMARY KEY".
pub fn is_rowid_type(ty: &SqlType) -> bool {
    render(ty) == "INTEGER"
}

/// The SQLite-resolved form of any type: what the column will read back as after it is
/// created on SQLite.
pub fn resolve(ty: &SqlType) -> SqlType {
    parse(&render(ty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affinity_follows_the_five_rules() {
        use Affinity::*;
        for (decl, want) in [
            ("INT", Integer),
            ("INTEGER", Integer),
            ("TINYINT", Integer),
            ("BIGINT", Integer),
            ("UNSIGNED BIG INT", Integer),
            ("INT8", Integer),
            ("POINT", Integer), // contains INT: rule 1 wins, as SQLite documents
            ("CHARACTER(20)", Text),
            ("VARCHAR(255)", Text),
            ("NCHAR(55)", Text),
            ("TEXT", Text),
            ("CLOB", Text),
            ("BLOB", Blob),
            ("", Blob),
            ("REAL", Real),
            ("DOUBLE", Real),
            ("DOUBLE PRECISION", Real),
            ("FLOAT", Real),
            ("NUMERIC", Numeric),
            ("DECIMAL(10,5)", Numeric),
            ("BOOLEAN", Numeric),
            ("DATE", Numeric),
            ("DATETIME", Numeric),
            ("CHARINT", Integer), // INT before CHAR
        ] {
            assert_eq!(affinity(decl), want, "{decl}");
        }
    }

    #[test]
    fn parse_keeps_spelling_and_round_trips() {
        for decl in [
            "integer",
            "INT",
            "BIGINT",
            "text",
            "varchar(255)",
            "VARCHAR( 10 )",
            "nvarchar(40)",
            "DATETIME",
            "numeric(10,2)",
            "NUMERIC(10)",
            "",
            "DOUBLE PRECISION",
            "boolean",
            "UNSIGNED BIG INT",
            "CHAR(3)",
        ] {
            let ty = parse(decl);
            assert_eq!(render(&ty), normalize(decl), "{decl}");
            assert_eq!(parse(&render(&ty)), ty);
        }
    }

    #[test]
    fn canonical_spellings_map_to_neutral_types() {
        assert_eq!(parse("integer"), SqlType::BigInt);
        assert_eq!(parse("Text"), SqlType::Text);
        assert_eq!(parse("REAL"), SqlType::Double);
        assert_eq!(parse("blob"), SqlType::Bytes);
        assert_eq!(parse("VARCHAR(20)"), SqlType::Varchar { length: Some(20) });
        assert_eq!(parse("INT"), SqlType::Other { dialect: Dialect::Sqlite, raw: "INT".into() });
    }

    #[test]
    fn neutral_types_render_as_the_seed_maps_say() {
        for (ty, want) in [
            (SqlType::Int, "INTEGER"),
            (SqlType::SmallInt, "INTEGER"),
            (SqlType::Double, "REAL"),
            (SqlType::Real, "REAL"),
            (SqlType::Bool, "BOOLEAN"),
            (SqlType::Bytes, "BLOB"),
            (SqlType::Uuid, "TEXT"),
            (SqlType::Jsonb, "TEXT"),
            (SqlType::Timestamp { precision: Some(3), tz: true }, "TIMESTAMP"),
            (SqlType::Array { element: Box::new(SqlType::Int) }, "TEXT"),
            (SqlType::Numeric { precision: Some(10), scale: Some(2) }, "NUMERIC(10,2)"),
            (SqlType::Other { dialect: Dialect::Postgres, raw: "citext".into() }, "TEXT"),
        ] {
            assert_eq!(render(&ty), want, "{ty:?}");
        }
    }
}
