//! Value preservation, as a property: random tables of random rows (edge values: empty and long
//! strings, text that looks like numbers, NaN and infinities, integer extremes, high-precision
//! decimals, timestamps in a DST gap, unicode) and random type changes, on both dialects.
//! Either every row survives with an equal value — judged by an oracle written here, not by the
//! tool — or the change is refused and nothing changed at all. Never a silent change.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use schema_sync_core::apply::{self, ApplyOptions};
use schema_sync_core::introspect::IntrospectOptions;

fn runner(cases: u32) -> TestRunner {
    let rng_seed = match std::env::var("PROPTEST_RNG_SEED").ok().and_then(|v| v.parse().ok()) {
        Some(s) => RngSeed::Fixed(s),
        None if schema_sync::testing::running_in_ci() => RngSeed::Fixed(0x0DA7_A5AF),
        None => RngSeed::Random,
    };
    let cases = std::env::var("VALUE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(cases);
    TestRunner::new(Config { cases, failure_persistence: None, rng_seed, ..Config::default() })
}

/// A number as (negative, significant digits, exponent of the last digit): `1.50` and `1.5`
/// and `15e-1` are one number; `NaN`, `Infinity` are kept as words.
fn number(s: &str) -> Option<(bool, String, i64)> {
    let t = s.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if matches!(t, "NaN" | "Infinity" | "inf") {
        return Some((neg, t.to_string(), 0));
    }
    let (mant, exp) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().ok()?),
        None => (t, 0),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    if int.is_empty() && frac.is_empty() || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{int}{frac}");
    let mut exp = exp - frac.len() as i64;
    let trimmed = digits.trim_start_matches('0');
    let mut sig = trimmed.to_string();
    while sig.ends_with('0') {
        sig.pop();
        exp += 1;
    }
    if sig.is_empty() {
        return Some((false, "0".into(), 0));
    }
    Some((neg, sig, exp))
}

/// `YYYY-MM-DD HH:MM:SS[.f]` without a zone, or a date as its midnight.
fn wall_clock(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if b.len() == 10 {
        return Some(format!("{s} 00:00:00"));
    }
    let t = s.get(..19)?;
    let rest = &s[19..];
    let frac: String =
        rest.strip_prefix('.').map(|r| r.chars().take_while(char::is_ascii_digit).collect()).unwrap_or_default();
    let frac = frac.trim_end_matches('0');
    Some(if frac.is_empty() { t.to_string() } else { format!("{t}.{frac}") })
}

/// The oracle: does the new text form hold the old value, judged in the old type's terms —
/// numbers exactly (an old `real` to float4 precision, an old `double` to float8), times by
/// their wall clock, `char(n)` without its padding, everything else by its exact text.
fn same_value(old_ty: &str, new_ty: &str, old: Option<&str>, new: Option<&str>, char_padded: bool) -> bool {
    let (Some(a), Some(b)) = (old, new) else { return old.is_none() && new.is_none() };
    let float = |s: &str| s.trim().parse::<f64>().ok();
    // An exact number kept in a float column: Postgres prints the shortest text that reads back
    // as the same float (`-2.1474836e+09` for -2^31 as real), so compare the float's exact value.
    let exact = |a: &str| {
        number(a).is_some()
            && (number(a) == number(b) || exact_float(new_ty, b).is_some_and(|e| number(&e) == number(a)))
    };
    a == b
        || (char_padded && a.trim_end() == b.trim_end())
        || match old_ty {
            "smallint" | "integer" | "bigint" => exact(a),
            t if t.starts_with("numeric") => exact(a),
            "real" => {
                matches!((float(a), float(b)), (Some(x), Some(y)) if (x as f32 == y as f32) || (x.is_nan() && y.is_nan()))
            }
            "double precision" => {
                matches!((float(a), float(b)), (Some(x), Some(y)) if x == y || (x.is_nan() && y.is_nan()))
            }
            "date" | "timestamp" | "timestamptz" => wall_clock(a).is_some() && wall_clock(a) == wall_clock(b),
            // The documented boolean ↔ integer conversion: false is 0, true is 1.
            "boolean" => matches!((a, b), ("false", "0") | ("true", "1")),
            _ => false,
        }
}

/// The exact decimal value of a `real` or `double precision` column's text, when finite.
fn exact_float(ty: &str, s: &str) -> Option<String> {
    let v = match ty {
        "real" => s.trim().parse::<f32>().ok()? as f64,
        "double precision" => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    // Every finite double is a finite decimal of at most 1,074 fractional digits.
    v.is_finite().then(|| format!("{v:.1074}"))
}

const PG_TYPES: &[&str] = &[
    "smallint",
    "integer",
    "bigint",
    "numeric(10,2)",
    "numeric(20,10)",
    "real",
    "double precision",
    "text",
    "varchar(5)",
    "varchar(40)",
    "char(3)",
    "boolean",
    "date",
    "timestamp",
    "timestamptz",
];

fn pg_values(ty: &str) -> Vec<&'static str> {
    match ty {
        "smallint" => vec!["0", "-32768", "32767", "42", "-1"],
        "integer" => vec!["0", "-2147483648", "2147483647", "100000", "42"],
        "bigint" => vec!["0", "-9223372036854775808", "9223372036854775807", "9007199254740993", "42"],
        "numeric(10,2)" => vec!["0", "1.50", "-0.01", "99999999.99", "42"],
        "numeric(20,10)" => vec!["1.0000000001", "1234567890.1234567891", "-0.0000000001", "0.1"],
        "real" => vec!["0.1", "'NaN'", "'Infinity'", "'-Infinity'", "3.4e38", "1"],
        "double precision" => vec!["0.30000000000000004", "'NaN'", "1e20", "-0.5", "42", "9007199254740993"],
        "boolean" => vec!["true", "false"],
        "date" => vec!["'2024-03-10'", "'0001-01-01'", "'9999-12-31'"],
        "timestamp" => {
            vec!["'2024-03-10 02:30:00'", "'2024-11-03 01:30:00'", "'2024-06-01 12:34:56.789'", "'2024-01-01 00:00:00'"]
        }
        "timestamptz" => vec!["'2024-03-10 07:30:00+00'", "'2024-06-01 12:00:00+02'", "'2024-01-01 05:00:00+00'"],
        "char(3)" => vec!["'ab'", "'abc'", "''"],
        "varchar(5)" => vec!["''", "'abc'", "'042'", "'1.5'", "'true'"],
        _ => vec![
            "''",
            "'abc'",
            "'042'",
            "'42'",
            "'a very long string indeed'",
            "'ünïcødé 🚀'",
            "'  spaced  '",
            "'true'",
            "'1.5'",
            "'2024-03-10 02:30:00'",
            "'2024-03-10'",
        ],
    }
}

/// One case: the column types of A, their types in B, and per row a value index per column
/// (`None` = NULL).
type Case = (Vec<usize>, Vec<usize>, Vec<Vec<Option<usize>>>);

fn case(types: usize) -> impl Strategy<Value = Case> {
    (1..4usize).prop_flat_map(move |n| {
        (
            prop::collection::vec(0..types, n),
            prop::collection::vec(0..types, n),
            prop::collection::vec(prop::collection::vec(prop::option::weighted(0.85, 0..16usize), n), 1..8),
        )
    })
}

async fn pg_rows(conn: &mut sqlx::PgConnection, n: usize) -> Vec<Vec<Option<String>>> {
    use sqlx::Row;
    let cols: Vec<String> = (0..n).map(|i| format!("c{i}::text")).collect();
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT id::text, {} FROM t ORDER BY id", cols.join(", "))))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|r| (0..=n).map(|i| r.get::<Option<String>, _>(i)).collect())
        .collect()
}

#[tokio::test]
async fn postgres_type_changes_keep_every_value_or_are_refused() {
    let db = schema_sync::require_postgres!();
    let mut conn = db.connect().await;
    // Where timestamp ↔ timestamptz conversions meet a DST gap.
    sqlx::raw_sql("SET TIME ZONE 'America/New_York'").execute(&mut conn).await.unwrap();
    let mut runner = runner(40);
    let cases: Vec<Case> =
        (0..runner.config().cases).map(|_| case(PG_TYPES.len()).new_tree(&mut runner).unwrap().current()).collect();
    let (mut applied, mut refused) = (0, 0);
    for (k, (a, b, rows)) in cases.iter().enumerate() {
        sqlx::raw_sql("DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS schema_version").execute(&mut conn).await.unwrap();
        let cols: Vec<String> = a.iter().enumerate().map(|(i, t)| format!("c{i} {}", PG_TYPES[*t])).collect();
        let create = format!("CREATE TABLE t (id bigint PRIMARY KEY, {})", cols.join(", "));
        sqlx::raw_sql(sqlx::AssertSqlSafe(create.clone())).execute(&mut conn).await.unwrap();
        for (id, row) in rows.iter().enumerate() {
            let vals: Vec<String> = row
                .iter()
                .zip(a)
                .map(|(v, t)| {
                    let pool = pg_values(PG_TYPES[*t]);
                    v.map(|i| format!("({})::{}", pool[i % pool.len()], PG_TYPES[*t])).unwrap_or("NULL".into())
                })
                .collect();
            let insert = format!("INSERT INTO t VALUES ({id}, {})", vals.join(", "));
            sqlx::raw_sql(sqlx::AssertSqlSafe(insert)).execute(&mut conn).await.unwrap();
        }
        let before = pg_rows(&mut conn, a.len()).await;
        let cols: Vec<String> = b.iter().enumerate().map(|(i, t)| format!("c{i} {}", PG_TYPES[*t])).collect();
        let desired_ddl = format!("CREATE TABLE t (id bigint PRIMARY KEY, {})", cols.join(", "));
        let desired =
            schema_sync_core::source::load_postgres_ddl(&desired_ddl, "b", db.url(), &IntrospectOptions::default())
                .await
                .unwrap();
        match apply::migrate(&mut conn, &desired, &ApplyOptions::default()).await {
            Ok(_) => {
                applied += 1;
                let after = pg_rows(&mut conn, b.len()).await;
                assert_eq!(after.len(), before.len(), "case {k}: rows lost\n{create}\n→ {desired_ddl}");
                for (r0, r1) in before.iter().zip(&after) {
                    for i in 1..r0.len() {
                        let padded = PG_TYPES[a[i - 1]].starts_with("char") || PG_TYPES[b[i - 1]].starts_with("char");
                        assert!(
                            same_value(
                                PG_TYPES[a[i - 1]],
                                PG_TYPES[b[i - 1]],
                                r0[i].as_deref(),
                                r1[i].as_deref(),
                                padded
                            ),
                            "case {k}: c{} changed silently: {:?} → {:?}\n{create}\n→ {desired_ddl}",
                            i - 1,
                            r0[i],
                            r1[i]
                        );
                    }
                }
            }
            Err(e) => {
                refused += 1;
                assert_eq!(pg_rows(&mut conn, a.len()).await, before, "case {k}: refused ({e}) but rows changed");
                let live = schema_sync_core::introspect::postgres::introspect(&mut conn, &IntrospectOptions::default())
                    .await
                    .unwrap();
                let created =
                    schema_sync_core::source::load_postgres_ddl(&create, "a", db.url(), &IntrospectOptions::default())
                        .await
                        .unwrap();
                assert!(
                    schema_sync_core::diff::diff(&live, &created).is_empty(),
                    "case {k}: refused ({e}) but the schema changed"
                );
            }
        }
    }
    eprintln!("postgres value property: {applied} applied (every value kept), {refused} refused (nothing changed)");
    assert!(applied > 0 && refused > 0, "both outcomes are exercised");
}

const LITE_TYPES: &[&str] = &["INTEGER", "REAL", "TEXT", "NUMERIC", "VARCHAR(5)", "BLOB", ""];

fn lite_value(i: usize) -> rusqlite::types::Value {
    use rusqlite::types::Value::*;
    let pool = [
        Integer(0),
        Integer(i64::MIN),
        Integer(i64::MAX),
        Integer(9_007_199_254_740_993),
        Real(0.1),
        Real(0.300_000_000_000_000_04),
        Real(1e20),
        Real(4.0),
        Text("042".into()),
        Text("42".into()),
        Text(" 7 ".into()),
        Text("12.50".into()),
        Text("abc".into()),
        Text(String::new()),
        Text("ünïcødé 🚀".into()),
        Blob(vec![0, 255, 1]),
    ];
    pool[i % pool.len()].clone()
}

/// A stored value as (storage class, full-precision text, SQLite's own text form).
type LiteValue = (String, Option<String>, Option<String>);

/// Every value of `t`, as SQLite itself spells it.
fn lite_rows(conn: &rusqlite::Connection, n: usize) -> Vec<Vec<LiteValue>> {
    let cols: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "typeof(c{i}), CASE typeof(c{i}) WHEN 'real' THEN printf('%!.17g', c{i}) \
                 WHEN 'blob' THEN hex(c{i}) ELSE CAST(c{i} AS TEXT) END, \
                 CASE typeof(c{i}) WHEN 'blob' THEN hex(c{i}) ELSE CAST(c{i} AS TEXT) END"
            )
        })
        .collect();
    let mut st = conn.prepare(&format!("SELECT {} FROM t ORDER BY id", cols.join(", "))).unwrap();
    st.query_map([], |r| {
        (0..n).map(|i| Ok((r.get::<_, String>(3 * i)?, r.get(3 * i + 1)?, r.get(3 * i + 2)?))).collect()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The oracle for SQLite: the same storage class and text; two numbers that are equal
/// exactly; an integer and the text that spells it; a text and the real SQLite spells exactly
/// so (`'0.1'` ↔ `0.1`, not `'12.50'`, `'1e3'` or 17 digits it cannot keep).
fn lite_same(old: &LiteValue, new: &LiteValue) -> bool {
    let text = |v: &LiteValue| v.1.clone().unwrap_or_default();
    let real = |v: &LiteValue| v.1.as_deref().and_then(|t| t.parse::<f64>().ok());
    old == new
        || match (old.0.as_str(), new.0.as_str()) {
            ("real", "real") => real(old).is_some() && real(old) == real(new),
            // Exactly: 9007199254740993 is not 9007199254740992.0, -2^63 is -2^63.
            ("integer", "real") | ("real", "integer") => {
                let (i, r) = if old.0 == "integer" { (text(old), real(new)) } else { (text(new), real(old)) };
                matches!((i.parse::<i128>(), r), (Ok(i), Some(r)) if r.is_finite() && r.fract() == 0.0 && r as i128 == i)
            }
            ("text", "integer") | ("integer", "text") => text(old) == text(new),
            // The text is what SQLite itself prints for that real (15 digits): nothing was lost.
            ("text", "real") => new.2.is_some() && new.2 == old.1,
            ("real", "text") => real(old).is_some() && real(old) == real(new),
            _ => false,
        }
}

#[test]
fn sqlite_type_changes_keep_every_value_or_are_refused() {
    let mut runner = runner(200);
    let (applied, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    runner
        .run(&case(LITE_TYPES.len()), |(a, b, rows)| {
            let mut conn = rusqlite::Connection::open_in_memory().unwrap();
            let cols: Vec<String> = a.iter().enumerate().map(|(i, t)| format!("c{i} {}", LITE_TYPES[*t])).collect();
            let create = format!("CREATE TABLE t (id INTEGER PRIMARY KEY, {})", cols.join(", "));
            conn.execute_batch(&create).unwrap();
            for (id, row) in rows.iter().enumerate() {
                let mut vals: Vec<rusqlite::types::Value> = vec![rusqlite::types::Value::Integer(id as i64)];
                vals.extend(row.iter().map(|v| v.map(lite_value).unwrap_or(rusqlite::types::Value::Null)));
                let marks: Vec<String> = (1..=vals.len()).map(|i| format!("?{i}")).collect();
                conn.execute(&format!("INSERT INTO t VALUES ({})", marks.join(", ")), rusqlite::params_from_iter(vals))
                    .unwrap();
            }
            let before = lite_rows(&conn, a.len());
            let cols: Vec<String> = b.iter().enumerate().map(|(i, t)| format!("c{i} {}", LITE_TYPES[*t])).collect();
            let desired_ddl = format!("CREATE TABLE t (id INTEGER PRIMARY KEY, {})", cols.join(", "));
            let desired =
                schema_sync_core::source::load_sqlite_ddl(&desired_ddl, "b", &IntrospectOptions::default()).unwrap();
            match apply::migrate_blocking(&mut conn, &desired, &ApplyOptions::default()) {
                Ok(_) => {
                    applied.set(applied.get() + 1);
                    let after = lite_rows(&conn, b.len());
                    prop_assert_eq!(after.len(), before.len());
                    for (r0, r1) in before.iter().zip(&after) {
                        for (i, (o, n)) in r0.iter().zip(r1).enumerate() {
                            prop_assert!(
                                lite_same(o, n),
                                "c{i} changed silently: {o:?} → {n:?}\n{create}\n→ {desired_ddl}"
                            );
                        }
                    }
                }
                Err(e) => {
                    refused.set(refused.get() + 1);
                    prop_assert_eq!(lite_rows(&conn, a.len()), before, "refused ({}) but rows changed", e);
                }
            }
            Ok(())
        })
        .unwrap();
    let (applied, refused) = (applied.get(), refused.get());
    eprintln!("sqlite value property: {applied} applied (every value kept), {refused} refused (nothing changed)");
    assert!(applied > 0 && refused > 0, "both outcomes are exercised");
}

/// The oracle itself: exact numbers in float columns are judged by the float's exact value,
/// so a kept value passes and a rounded one does not.
#[test]
fn the_value_oracle_tells_kept_numbers_from_rounded_ones() {
    assert!(same_value("integer", "real", Some("-2147483648"), Some("-2.1474836e+09"), false));
    assert!(!same_value("integer", "real", Some("16777217"), Some("1.6777216e+07"), false));
    assert!(same_value("integer", "real", Some("16777216"), Some("1.6777216e+07"), false));
    assert!(!same_value("bigint", "double precision", Some("9007199254740993"), Some("9.007199254740992e+15"), false));
    assert!(same_value("numeric(10,2)", "double precision", Some("0.50"), Some("0.5"), false));
    assert!(!same_value("integer", "text", Some("5"), Some("6"), false));
}
