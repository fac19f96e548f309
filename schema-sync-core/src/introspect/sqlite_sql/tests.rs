use super::*;
use crate::model::{Deferrable, FkAction, KeyTarget};

fn table(sql: &str) -> CreateTable {
    parse_create_table(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn col<'a>(t: &'a CreateTable, name: &str) -> &'a ColumnDef {
    t.columns.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no column {name} in {t:?}"))
}

fn pk(columns: &[&str]) -> ConstraintKind {
    ConstraintKind::PrimaryKey {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        collations: vec![None; columns.len()],
        desc_column_form: false,
    }
}

fn unique(columns: &[&str]) -> ConstraintKind {
    ConstraintKind::Unique {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        collations: vec![None; columns.len()],
    }
}

fn check(expr: &str) -> ConstraintKind {
    ConstraintKind::Check { expr: expr.to_string() }
}

fn named(name: Option<&str>, kind: ConstraintKind) -> Constraint {
    Constraint { name: name.map(str::to_string), kind }
}

#[test]
fn names_in_every_quoting_style() {
    for (sql, want_table, want_cols) in [
        ("CREATE TABLE t (a INT)", "t", vec!["a"]),
        (r#"CREATE TABLE "we""ird" ("a b" INT, "x""y")"#, "we\"ird", vec!["a b", "x\"y"]),
        ("CREATE TABLE [my table] ([select] TEXT, [a\"b] INT)", "my table", vec!["select", "a\"b"]),
        ("CREATE TABLE `t``1` (`from` INT, `a b`)", "t`1", vec!["from", "a b"]),
        ("CREATE TABLE 'lit' ('it''s' INT)", "lit", vec!["it's"]),
        ("CREATE TABLE main.\"Mixed Case\" (Id INT)", "Mixed Case", vec!["Id"]),
        ("CREATE TEMP TABLE IF NOT EXISTS t (a)", "t", vec!["a"]),
        (
            "create table ünïcødé (名前 TEXT, \"日本 語\" INT, emoji_😀 INT)",
            "ünïcødé",
            vec!["名前", "日本 語", "emoji_😀"],
        ),
        (
            "CREATE TABLE \"order\" (\"group\" INT, \"table\" TEXT, key INT, action INT)",
            "order",
            vec!["group", "table", "key", "action"],
        ),
    ] {
        let t = table(sql);
        assert_eq!(t.name, want_table, "{sql}");
        assert_eq!(t.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), want_cols, "{sql}");
    }
}

#[test]
fn comments_are_skipped_but_not_inside_strings() {
    let t = table(
        "CREATE TABLE t /* ( head */ ( -- a comment with ( and ,\n  a INT /* ) , */ NOT NULL,\n  \
         b TEXT DEFAULT '-- not /* a comment */' -- trailing\n) /* unterminated",
    );
    assert_eq!(t.columns.len(), 2);
    assert!(col(&t, "a").not_null);
    assert_eq!(col(&t, "a").type_text, "INT");
    assert_eq!(col(&t, "b").default.as_deref(), Some("'-- not /* a comment */'"));
}

#[test]
fn declared_types_are_verbatim() {
    let t = table(
        "CREATE TABLE t (a VARCHAR( 10 ), b DOUBLE PRECISION NOT NULL, c UNSIGNED BIG INT, \
         d NUMERIC(10, 2) DEFAULT 0, e, f PRIMARY KEY, g \"quoted type\", h timestamp with time zone, \
         i \"a\" \"b\")",
    );
    for (name, want) in [
        ("a", "VARCHAR( 10 )"),
        ("b", "DOUBLE PRECISION"),
        ("c", "UNSIGNED BIG INT"),
        ("d", "NUMERIC(10, 2)"),
        ("e", ""),
        ("f", ""),
        ("g", "quoted type"),
        ("h", "timestamp with time zone"),
        // As SQLite's dequoting does: only the first quoted part of a type that starts with one.
        ("i", "a"),
    ] {
        assert_eq!(col(&t, name).type_text, want, "{name}");
    }
}

#[test]
fn defaults_keep_their_text() {
    let t = table(
        "CREATE TABLE t (a INT DEFAULT -1, b TEXT DEFAULT (datetime('now', '+1 day')), c TEXT DEFAULT 'it''s', \
         d DEFAULT CURRENT_TIMESTAMP, e BLOB DEFAULT x'00ff', f REAL DEFAULT 1.5e+3, g DEFAULT NULL, h DEFAULT +2)",
    );
    for (name, want) in [
        ("a", "-1"),
        ("b", "datetime('now', '+1 day')"),
        ("c", "'it''s'"),
        ("d", "CURRENT_TIMESTAMP"),
        ("e", "x'00ff'"),
        ("f", "1.5e+3"),
        ("g", "NULL"),
        ("h", "+2"),
    ] {
        assert_eq!(col(&t, name).default.as_deref(), Some(want), "{name}");
    }
}

#[test]
fn generated_columns_and_collations() {
    let t = table(
        "CREATE TABLE t (a INT, b INT, x TEXT COLLATE NOCASE, y TEXT COLLATE \"rtrim\" NOT NULL, \
         g INT GENERATED ALWAYS AS (a * (b + 1)) STORED, h AS (lower(x)), i TEXT AS ( substr(x, 1, 2) ) VIRTUAL)",
    );
    assert_eq!(col(&t, "x").collation.as_deref(), Some("NOCASE"));
    assert_eq!(col(&t, "y").collation.as_deref(), Some("rtrim"));
    assert!(col(&t, "y").not_null);
    assert_eq!(col(&t, "a").collation, None);
    for (name, expr, stored) in [("g", "a * (b + 1)", true), ("h", "lower(x)", false), ("i", "substr(x, 1, 2)", false)]
    {
        assert_eq!(col(&t, name).generated, Some(GeneratedDef { expr: expr.into(), stored }), "{name}");
    }
    assert_eq!(col(&t, "g").type_text, "INT");
    assert_eq!(col(&t, "h").type_text, "");
}

#[test]
fn checks_with_names_nested_parens_and_strings() {
    let t = table(
        "CREATE TABLE t (a INT CONSTRAINT a_pos CHECK (a > 0) CHECK(a < (10 * (2))), \
         b TEXT CHECK (b IN ('a)', 'b''(')), CHECK ( a <> length(b) ), CONSTRAINT \"named one\" CHECK (b IS NOT NULL))",
    );
    assert_eq!(
        t.constraints,
        vec![
            named(Some("a_pos"), check("a > 0")),
            named(None, check("a < (10 * (2))")),
            named(None, check("b IN ('a)', 'b''(')")),
            named(None, check("a <> length(b)")),
            named(Some("named one"), check("b IS NOT NULL")),
        ]
    );
}

#[test]
fn primary_keys_and_autoincrement() {
    for (sql, want, autoinc) in [
        ("CREATE TABLE t (id INTEGER PRIMARY KEY)", named(None, pk(&["id"])), None),
        (
            "CREATE TABLE t (id INTEGER CONSTRAINT t_pk PRIMARY KEY AUTOINCREMENT)",
            named(Some("t_pk"), pk(&["id"])),
            Some("id"),
        ),
        (
            "CREATE TABLE t (id INTEGER PRIMARY KEY ASC ON CONFLICT REPLACE AUTOINCREMENT)",
            named(None, pk(&["id"])),
            Some("id"),
        ),
        (
            "CREATE TABLE t (a, b, CONSTRAINT \"p k\" PRIMARY KEY (a, b DESC))",
            named(Some("p k"), pk(&["a", "b"])),
            None,
        ),
        ("CREATE TABLE t (id INTEGER, PRIMARY KEY (id AUTOINCREMENT))", named(None, pk(&["id"])), Some("id")),
        (
            "CREATE TABLE t (a TEXT, PRIMARY KEY (\"a\" COLLATE NOCASE ASC)) WITHOUT ROWID",
            named(
                None,
                ConstraintKind::PrimaryKey {
                    columns: vec!["a".into()],
                    collations: vec![Some("NOCASE".into())],
                    desc_column_form: false,
                },
            ),
            None,
        ),
    ] {
        let t = table(sql);
        assert_eq!(t.constraints, vec![want], "{sql}");
        let auto: Vec<_> = t.columns.iter().filter(|c| c.autoincrement).map(|c| c.name.as_str()).collect();
        assert_eq!(auto, autoinc.into_iter().collect::<Vec<_>>(), "{sql}");
    }
}

fn fk(columns: &[&str], ref_table: &str, ref_columns: &[&str]) -> ForeignKeyDef {
    ForeignKeyDef {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        ref_table: ref_table.into(),
        ref_columns: ref_columns.iter().map(|c| c.to_string()).collect(),
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
        match_type: None,
        deferrable: Deferrable::No,
    }
}

#[test]
fn foreign_keys_with_actions_and_deferral() {
    let cases: Vec<(&str, Constraint)> = vec![
        ("CREATE TABLE c (p INT REFERENCES p)", named(None, ConstraintKind::ForeignKey(fk(&["p"], "p", &[])))),
        (
            "CREATE TABLE c (p INT CONSTRAINT c_p_fk REFERENCES \"P t\"(id) ON DELETE CASCADE ON UPDATE SET NULL \
             DEFERRABLE INITIALLY DEFERRED NOT NULL)",
            named(
                Some("c_p_fk"),
                ConstraintKind::ForeignKey(ForeignKeyDef {
                    on_delete: FkAction::Cascade,
                    on_update: FkAction::SetNull,
                    deferrable: Deferrable::InitiallyDeferred,
                    ..fk(&["p"], "P t", &["id"])
                }),
            ),
        ),
        (
            "CREATE TABLE c (a, b, CONSTRAINT two FOREIGN KEY (a, \"b\") REFERENCES main.p (x, y) MATCH SIMPLE \
             ON UPDATE RESTRICT ON DELETE SET DEFAULT DEFERRABLE)",
            named(
                Some("two"),
                ConstraintKind::ForeignKey(ForeignKeyDef {
                    on_delete: FkAction::SetDefault,
                    on_update: FkAction::Restrict,
                    match_type: Some("SIMPLE".into()),
                    deferrable: Deferrable::InitiallyImmediate,
                    ..fk(&["a", "b"], "p", &["x", "y"])
                }),
            ),
        ),
        (
            "CREATE TABLE c (a, FOREIGN KEY (a) REFERENCES p ON DELETE NO ACTION NOT DEFERRABLE INITIALLY DEFERRED)",
            named(None, ConstraintKind::ForeignKey(fk(&["a"], "p", &[]))),
        ),
        (
            "CREATE TABLE c (a, FOREIGN KEY (a) REFERENCES p(id) DEFERRABLE INITIALLY IMMEDIATE)",
            named(
                None,
                ConstraintKind::ForeignKey(ForeignKeyDef {
                    deferrable: Deferrable::InitiallyImmediate,
                    ..fk(&["a"], "p", &["id"])
                }),
            ),
        ),
    ];
    for (sql, want) in cases {
        let t = table(sql);
        assert_eq!(t.constraints, vec![want], "{sql}");
    }
    assert!(col(&table("CREATE TABLE c (p INT REFERENCES p(id) NOT NULL)"), "p").not_null);
}

#[test]
fn uniques_and_constraints_without_commas() {
    let t = table(
        "CREATE TABLE t (a TEXT UNIQUE, b TEXT CONSTRAINT b_uq UNIQUE ON CONFLICT IGNORE, c INT, \
         CONSTRAINT bc UNIQUE (b, c) PRIMARY KEY (a) CHECK (c > 0), UNIQUE (c COLLATE NOCASE))",
    );
    assert_eq!(
        t.constraints,
        vec![
            named(None, unique(&["a"])),
            named(Some("b_uq"), unique(&["b"])),
            named(Some("bc"), unique(&["b", "c"])),
            named(None, pk(&["a"])),
            named(None, check("c > 0")),
            named(None, ConstraintKind::Unique { columns: vec!["c".into()], collations: vec![Some("NOCASE".into())] }),
        ]
    );
}

#[test]
fn table_options() {
    for (sql, without_rowid, strict) in [
        ("CREATE TABLE t (a INT PRIMARY KEY)", false, false),
        ("CREATE TABLE t (a INT PRIMARY KEY) WITHOUT ROWID", true, false),
        ("CREATE TABLE t (a INT) STRICT;", false, true),
        ("CREATE TABLE t (a INT PRIMARY KEY) strict, without rowid", true, true),
        ("CREATE TABLE t (a INT PRIMARY KEY) WITHOUT ROWID , STRICT -- done", true, true),
    ] {
        let t = table(sql);
        assert_eq!((t.without_rowid, t.strict), (without_rowid, strict), "{sql}");
    }
}

fn key(target: KeyTarget, collation: Option<&str>, descending: bool) -> IndexKeyDef {
    IndexKeyDef { target, collation: collation.map(str::to_string), descending }
}

#[test]
fn indexes_keys_and_predicates() {
    use KeyTarget::{Column, Expression};
    for (sql, name, table_name, unique, keys, predicate) in [
        ("CREATE INDEX ix ON t (a)", "ix", "t", false, vec![key(Column("a".into()), None, false)], None),
        (
            "CREATE UNIQUE INDEX IF NOT EXISTS main.\"i x\" ON \"my t\" (\"a b\" DESC, [c] COLLATE NOCASE ASC)",
            "i x",
            "my t",
            true,
            vec![key(Column("a b".into()), None, true), key(Column("c".into()), Some("NOCASE"), false)],
            None,
        ),
        (
            "CREATE INDEX ix ON t (lower(email) COLLATE \"rtrim\" DESC, a + (b * 2), json_extract(d, '$.a,b')) \
             WHERE deleted_at IS NULL AND status IN ('a', 'b') -- trailing",
            "ix",
            "t",
            false,
            vec![
                key(Expression("lower(email)".into()), Some("rtrim"), true),
                key(Expression("a + (b * 2)".into()), None, false),
                key(Expression("json_extract(d, '$.a,b')".into()), None, false),
            ],
            Some("deleted_at IS NULL AND status IN ('a', 'b')"),
        ),
        (
            "create index /* c */ ix on t(a)\nwhere a > 0;",
            "ix",
            "t",
            false,
            vec![key(Column("a".into()), None, false)],
            Some("a > 0"),
        ),
    ] {
        let ix = parse_create_index(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(ix.name, name, "{sql}");
        assert_eq!(ix.table, table_name, "{sql}");
        assert_eq!(ix.unique, unique, "{sql}");
        assert_eq!(ix.keys, keys, "{sql}");
        assert_eq!(ix.predicate.as_deref(), predicate, "{sql}");
    }
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    for sql in [
        "",
        "CREATE",
        "CREATE VIEW v AS SELECT 1",
        "CREATE TABLE t",
        "CREATE TABLE t (",
        "CREATE TABLE t ()",
        "CREATE TABLE t (a INT",
        "CREATE TABLE t (a INT CHECK (a > 0)",
        "CREATE TABLE t (a INT CHECK ())",
        "CREATE TABLE \"t (a INT)",
        "CREATE TABLE t (a TEXT DEFAULT 'x)",
        "CREATE TABLE t ([a INT)",
        "CREATE TABLE t (a INT) WITHOUT",
        "CREATE TABLE t (a INT) BOGUS",
        "CREATE TABLE t (a INT REFERENCES p ON DELETE EXPLODE)",
        "CREATE TABLE t (a INT GENERATED AS (a))",
        "CREATE TABLE t (a INT DEFAULT)",
        "CREATE TABLE t AS SELECT 1 AS a",
        "CREATE TABLE t (a INT) ; CREATE TABLE u (b)",
        "CREATE INDEX ix ON t ()",
        "CREATE INDEX ix ON t (a) WHERE",
        "CREATE INDEX ix t (a)",
    ] {
        assert!(parse_create_table(sql).is_err() || sql.contains("INDEX"), "accepted as table: {sql}");
        assert!(parse_create_index(sql).is_err(), "accepted as index: {sql}");
    }
    let e = parse_create_table("CREATE TABLE t (a INT, b INT CHECK").unwrap_err();
    assert_eq!(e.to_string(), "expected `(`, found end of input at byte 34");
}

#[test]
fn every_prefix_of_a_rich_statement_parses_or_errors() {
    let sql = "CREATE TABLE \"ü t\" (id INTEGER CONSTRAINT pk PRIMARY KEY AUTOINCREMENT, [n] TEXT COLLATE NOCASE \
               DEFAULT 'x''y' CHECK (length(n) > 0), g AS (id * 2) STORED, p INT REFERENCES p(id) ON DELETE CASCADE \
               DEFERRABLE INITIALLY DEFERRED, /* c */ UNIQUE (n, g), FOREIGN KEY (g) REFERENCES q) STRICT -- end";
    assert!(parse_create_table(sql).is_ok());
    for (i, _) in sql.char_indices() {
        let _ = parse_create_table(&sql[..i]);
        let _ = parse_create_index(&sql[..i]);
    }
}
