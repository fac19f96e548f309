//! Postgres type spellings: parse any built-in alias, render the canonical `format_type` text.
//!
//! `render(parse(format_type(t)))` is the identity for every built-in type, which is what makes
//! a snapshot of a live database equal to one of the same DDL loaded elsewhere.

use super::{squash, Dialect, SqlType, TypeError};

/// Parses a Postgres type as written in DDL or printed by `format_type` (`int4`, `integer`,
/// `character varying(20)`, `timestamp(3) with time zone`, `numeric(10,2)`, `text[]`, `_text`,
/// `double precision`, `"My Type"`, `public.mood`). Unknown names become [`SqlType::Other`];
/// enum resolution happens later, against the schema's enum list.
pub fn parse(text: &str) -> Result<SqlType, TypeError> {
    let squashed = squash(text);
    if squashed.is_empty() {
        return Err(TypeError::new(text, "empty type"));
    }
    // Array suffixes: `text[]`, `integer[3][]`, `text ARRAY`, `text ARRAY[4]`.
    let (base, dims) = strip_array(&squashed);
    if dims > 0 {
        let element = parse_scalar(base, text)?;
        if matches!(element, SqlType::Array { .. }) {
            return Err(TypeError::new(text, "nested array"));
        }
        return Ok(SqlType::Array { element: Box::new(element) });
    }
    parse_scalar(&squashed, text)
}

fn strip_array(s: &str) -> (&str, usize) {
    let mut rest = s.trim_end();
    let mut dims = 0;
    loop {
        if rest.ends_with(']') {
            if let Some(open) = rest.rfind('[') {
                let inside = rest[open + 1..rest.len() - 1].trim();
                if inside.chars().all(|c| c.is_ascii_digit()) {
                    rest = rest[..open].trim_end();
                    dims += 1;
                    continue;
                }
            }
        }
        let lower = rest.to_ascii_lowercase();
        if lower.ends_with(" array") {
            rest = rest[..rest.len() - 6].trim_end();
            dims += 1;
            continue;
        }
        break;
    }
    (rest, dims)
}

fn parse_scalar(s: &str, original: &str) -> Result<SqlType, TypeError> {
    // Quoted identifiers keep their case and are never built-ins.
    if s.contains('"') {
        return Ok(SqlType::Other { dialect: Dialect::Postgres, raw: s.to_string() });
    }
    let lower = s.to_ascii_lowercase();
    // Drop a `pg_catalog.` qualification.
    let lower = lower.strip_prefix("pg_catalog.").unwrap_or(&lower).to_string();
    let (name, args) = split_args(&lower).map_err(|r| TypeError::new(original, r))?;
    let nums = || -> Result<Vec<u32>, TypeError> {
        args.iter()
            .map(|a| a.trim().parse::<u32>().map_err(|_| TypeError::new(original, format!("`{a}` is not a number"))))
            .collect()
    };
    let one = |kind: &str| -> Result<Option<u32>, TypeError> {
        let n = nums()?;
        match n.len() {
            0 => Ok(None),
            1 => Ok(Some(n[0])),
            _ => Err(TypeError::new(original, format!("{kind} takes one modifier"))),
        }
    };
    let none = |t: SqlType| -> Result<SqlType, TypeError> {
        if args.is_empty() {
            Ok(t)
        } else {
            Err(TypeError::new(original, "type takes no modifier"))
        }
    };
    // `_text` is the array type of `text`.
    if let Some(elem) = name.strip_prefix('_') {
        if args.is_empty() {
            if let Ok(inner) = parse_scalar(elem, original) {
                if !matches!(inner, SqlType::Other { .. }) {
                    return Ok(SqlType::Array { element: Box::new(inner) });
                }
            }
        }
    }
    let name = name.as_str();
    Ok(match name {
        "bool" | "boolean" => none(SqlType::Bool)?,
        "int2" | "smallint" => none(SqlType::SmallInt)?,
        "int" | "int4" | "integer" => none(SqlType::Int)?,
        "int8" | "bigint" => none(SqlType::BigInt)?,
        "float4" | "real" => none(SqlType::Real)?,
        "float8" | "double precision" => none(SqlType::Double)?,
        "float" => match one("float")? {
            Some(p) if (1..=24).contains(&p) => SqlType::Real,
            Some(p) if (25..=53).contains(&p) => SqlType::Double,
            Some(p) => return Err(TypeError::new(original, format!("float precision {p} out of range 1..53"))),
            None => SqlType::Double,
        },
        "numeric" | "decimal" => {
            let n = nums()?;
            match n.as_slice() {
                [] => SqlType::Numeric { precision: None, scale: None },
                [p] => SqlType::Numeric { precision: Some(*p), scale: Some(0) },
                [p, s] => SqlType::Numeric { precision: Some(*p), scale: Some(*s) },
                _ => return Err(TypeError::new(original, "numeric takes at most two modifiers")),
            }
        }
        "text" => none(SqlType::Text)?,
        "varchar" | "character varying" | "char varying" => SqlType::Varchar { length: one("varchar")? },
        "char" | "character" | "bpchar" => {
            let length = one("char")?;
            // A bare `char`/`character` is char(1); a bare `bpchar` is unlimited.
            SqlType::Char { length: if name == "bpchar" { length } else { Some(length.unwrap_or(1)) } }
        }
        "bytea" => none(SqlType::Bytes)?,
        "date" => none(SqlType::Date)?,
        "time" | "time without time zone" => SqlType::Time { precision: one("time")?, tz: false },
        "timetz" | "time with time zone" => SqlType::Time { precision: one("time")?, tz: true },
        "timestamp" | "timestamp without time zone" => SqlType::Timestamp { precision: one("timestamp")?, tz: false },
        "timestamptz" | "timestamp with time zone" => SqlType::Timestamp { precision: one("timestamp")?, tz: true },
        "uuid" => none(SqlType::Uuid)?,
        "json" => none(SqlType::Json)?,
        "jsonb" => none(SqlType::Jsonb)?,
        "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2" => {
            return Err(TypeError::new(original, "serial is not a type; use an integer type with `identity`"))
        }
        _ if name == "interval" || name.starts_with("interval ") => {
            let fields = name.strip_prefix("interval").map(str::trim).filter(|f| !f.is_empty());
            if let Some(f) = fields {
                if !INTERVAL_FIELDS.contains(&f) {
                    return Err(TypeError::new(original, format!("unknown interval fields `{f}`")));
                }
            }
            SqlType::Interval { fields: fields.map(str::to_string), precision: one("interval")? }
        }
        _ => {
            if !valid_other(name) {
                return Err(TypeError::new(original, "not a type name"));
            }
            SqlType::Other { dialect: Dialect::Postgres, raw: canonical_other(&lower) }
        }
    })
}

const INTERVAL_FIELDS: &[&str] = &[
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "year to month",
    "day to hour",
    "day to minute",
    "day to second",
    "hour to minute",
    "hour to second",
    "minute to second",
];

/// `bit varying(5)` and friends as `format_type` prints them.
fn canonical_other(lower: &str) -> String {
    let s = lower.replace("varbit", "bit varying");
    match s.as_str() {
        "bit" => "bit(1)".to_string(),
        "timestamptz" => "timestamp with time zone".to_string(),
        _ => s,
    }
}

fn valid_other(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | ' ' | '$'))
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// Splits `name(args)` into the name (with inner `with time zone` tails kept) and the argument
/// list: `timestamp(3) with time zone` → (`timestamp with time zone`, [3]).
fn split_args(s: &str) -> Result<(String, Vec<String>), String> {
    let Some(open) = s.find('(') else {
        return Ok((s.trim().to_string(), Vec::new()));
    };
    let close = s[open..].find(')').map(|c| c + open).ok_or("unbalanced parenthesis")?;
    let name = format!("{} {}", s[..open].trim(), s[close + 1..].trim()).trim().to_string();
    let args = s[open + 1..close].split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
    Ok((name, args))
}

/// Renders the canonical Postgres spelling (`format_type` output for built-ins).
pub fn render(ty: &SqlType) -> String {
    match ty {
        SqlType::Bool => "boolean".into(),
        SqlType::SmallInt => "smallint".into(),
        SqlType::Int => "integer".into(),
        SqlType::BigInt => "bigint".into(),
        SqlType::Real => "real".into(),
        SqlType::Double => "double precision".into(),
        SqlType::Numeric { precision: None, .. } => "numeric".into(),
        SqlType::Numeric { precision: Some(p), scale } => format!("numeric({p},{})", scale.unwrap_or(0)),
        SqlType::Text => "text".into(),
        SqlType::Varchar { length: None } => "character varying".into(),
        SqlType::Varchar { length: Some(n) } => format!("character varying({n})"),
        SqlType::Char { length: None } => "bpchar".into(),
        SqlType::Char { length: Some(n) } => format!("character({n})"),
        SqlType::Bytes => "bytea".into(),
        SqlType::Date => "date".into(),
        SqlType::Time { precision, tz } => with_tz("time", *precision, *tz),
        SqlType::Timestamp { precision, tz } => with_tz("timestamp", *precision, *tz),
        SqlType::Interval { fields, precision } => {
            let mut s = String::from("interval");
            if let Some(f) = fields {
                s.push(' ');
                s.push_str(f);
            }
            if let Some(p) = precision {
                s.push_str(&format!("({p})"));
            }
            s
        }
        SqlType::Uuid => "uuid".into(),
        SqlType::Json => "json".into(),
        SqlType::Jsonb => "jsonb".into(),
        SqlType::Array { element } => format!("{}[]", render(element)),
        SqlType::Enum { schema, name } => match schema {
            Some(s) => format!("{}.{}", crate::sql::quote_ident(s), crate::sql::quote_ident(name)),
            None => crate::sql::quote_ident(name),
        },
        SqlType::Other { dialect: Dialect::Postgres, raw } => raw.clone(),
        SqlType::Other { dialect: Dialect::Sqlite, .. } => render(&super::translate::sqlite_to_postgres(ty)),
    }
}

fn with_tz(base: &str, precision: Option<u32>, tz: bool) -> String {
    let p = precision.map(|p| format!("({p})")).unwrap_or_default();
    let zone = if tz { "with time zone" } else { "without time zone" };
    format!("{base}{p} {zone}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_builtin_spelling() {
        use SqlType::*;
        let cases: &[(&str, SqlType)] = &[
            ("bool", Bool),
            ("boolean", Bool),
            ("int2", SmallInt),
            ("smallint", SmallInt),
            ("int", Int),
            ("int4", Int),
            ("INTEGER", Int),
            ("int8", BigInt),
            ("bigint", BigInt),
            ("float4", Real),
            ("real", Real),
            ("float8", Double),
            ("double precision", Double),
            ("double   precision", Double),
            ("float(10)", Real),
            ("float(40)", Double),
            ("float", Double),
            ("numeric", Numeric { precision: None, scale: None }),
            ("numeric(10,2)", Numeric { precision: Some(10), scale: Some(2) }),
            ("decimal(10)", Numeric { precision: Some(10), scale: Some(0) }),
            ("numeric( 12 , 4 )", Numeric { precision: Some(12), scale: Some(4) }),
            ("text", Text),
            ("varchar", Varchar { length: None }),
            ("varchar(255)", Varchar { length: Some(255) }),
            ("character varying", Varchar { length: None }),
            ("character varying(20)", Varchar { length: Some(20) }),
            ("char", Char { length: Some(1) }),
            ("character(3)", Char { length: Some(3) }),
            ("bpchar", Char { length: None }),
            ("bytea", Bytes),
            ("date", Date),
            ("time", Time { precision: None, tz: false }),
            ("time without time zone", Time { precision: None, tz: false }),
            ("time(3) with time zone", Time { precision: Some(3), tz: true }),
            ("timetz", Time { precision: None, tz: true }),
            ("timestamp", Timestamp { precision: None, tz: false }),
            ("timestamp(3) with time zone", Timestamp { precision: Some(3), tz: true }),
            ("timestamp(6) without time zone", Timestamp { precision: Some(6), tz: false }),
            ("timestamptz", Timestamp { precision: None, tz: true }),
            ("timestamptz(0)", Timestamp { precision: Some(0), tz: true }),
            ("interval", Interval { fields: None, precision: None }),
            ("interval year to month", Interval { fields: Some("year to month".into()), precision: None }),
            ("interval(3)", Interval { fields: None, precision: Some(3) }),
            ("uuid", Uuid),
            ("json", Json),
            ("jsonb", Jsonb),
            ("text[]", Array { element: Box::new(Text) }),
            ("_text", Array { element: Box::new(Text) }),
            ("_int4", Array { element: Box::new(Int) }),
            ("integer[3][]", Array { element: Box::new(Int) }),
            ("int ARRAY", Array { element: Box::new(Int) }),
            ("character varying(10)[]", Array { element: Box::new(Varchar { length: Some(10) }) }),
            ("pg_catalog.int4", Int),
            ("bit varying(5)", Other { dialect: Dialect::Postgres, raw: "bit varying(5)".into() }),
            ("varbit(5)", Other { dialect: Dialect::Postgres, raw: "bit varying(5)".into() }),
            ("bit", Other { dialect: Dialect::Postgres, raw: "bit(1)".into() }),
            ("citext", Other { dialect: Dialect::Postgres, raw: "citext".into() }),
            ("tsvector", Other { dialect: Dialect::Postgres, raw: "tsvector".into() }),
            ("public.mood", Other { dialect: Dialect::Postgres, raw: "public.mood".into() }),
            ("\"My Type\"", Other { dialect: Dialect::Postgres, raw: "\"My Type\"".into() }),
        ];
        for (text, want) in cases {
            assert_eq!(&parse(text).unwrap(), want, "parsing `{text}`");
        }
    }

    #[test]
    fn render_is_format_type_and_round_trips() {
        for text in [
            "boolean",
            "smallint",
            "integer",
            "bigint",
            "real",
            "double precision",
            "numeric",
            "numeric(10,2)",
            "text",
            "character varying",
            "character varying(20)",
            "character(1)",
            "bytea",
            "date",
            "time without time zone",
            "time(3) with time zone",
            "timestamp without time zone",
            "timestamp(3) with time zone",
            "interval",
            "interval year to month",
            "interval(3)",
            "uuid",
            "json",
            "jsonb",
            "text[]",
            "integer[]",
            "bit varying(5)",
            "citext",
        ] {
            let ty = parse(text).unwrap();
            assert_eq!(render(&ty), text);
            assert_eq!(parse(&render(&ty)).unwrap(), ty);
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in
            ["", "numeric(a,b)", "varchar(1,2)", "text; drop table x", "serial", "float(99)", "interval fortnight"]
        {
            assert!(parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
