//! An oracle that is not the tool: what a database's catalog says, read with plain catalog
//! queries (Postgres: `pg_catalog` with the server's own `format_type`,
//! `pg_get_constraintdef`, `pg_get_indexdef`; SQLite: its pragmas), written independently of
//! schema-sync's introspection and diff. Two databases on the same schema have equal
//! fingerprints; the convergence, property and data tests compare the migrated database with
//! the desired one this way as well as with the tool's own diff, so an introspection bug cannot
//! hide an apply bug.
//!
//! A fingerprint is a sorted list of lines, one per fact (`column public.users.email text NOT
//! NULL default=…`). Column order is not part of a schema here (Postgres cannot reorder
//! columns in place; a column added later is last), and the few spellings Postgres itself
//! varies by history are normalised in one place, [`normalise_expr`].

use std::collections::BTreeSet;

/// A schema's facts, one line each, sorted.
pub type Fingerprint = BTreeSet<String>;

/// The lines only in `a` (`-`) and only in `b` (`+`); empty when they are equal.
pub fn difference(a: &Fingerprint, b: &Fingerprint) -> Vec<String> {
    let mut out: Vec<String> = a.difference(b).map(|l| format!("- {l}")).collect();
    out.extend(b.difference(a).map(|l| format!("+ {l}")));
    out
}

/// A default or constraint expression with the casts Postgres adds by history removed from
/// string literals: `'x'::character varying` and `'x'::text` are one default.
pub fn normalise_expr(e: &str) -> String {
    let mut out = String::with_capacity(e.len());
    let b = e.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\'' {
            // Copy the literal, then drop `::type` casts that follow it.
            let start = i;
            i += 1;
            while i < b.len() {
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            out.push_str(&e[start..i]);
            while e[i..].starts_with("::") {
                let rest = &e[i + 2..];
                let len = rest
                    .find(|c: char| {
                        !(c.is_ascii_alphanumeric() || c == ' ' || c == '_' || c == '(' || c == ')' || c == ',')
                    })
                    .unwrap_or(rest.len());
                // Stop a cast at a closing parenthesis that is not its own.
                let ty = &rest[..len];
                let ty_len = balanced_prefix(ty);
                i += 2 + ty_len;
            }
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// Length of the longest prefix of a type text whose parentheses balance.
fn balanced_prefix(ty: &str) -> usize {
    let mut depth = 0i32;
    let mut last_ok = 0;
    for (i, c) in ty.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return last_ok;
                }
            }
            _ => {}
        }
        if depth == 0 {
            last_ok = i + c.len_utf8();
        }
    }
    last_ok
}

/// The fingerprint of the tables, constraints, indexes, sequences and enum types of `schemas`
/// on the Postgres database behind `conn`, with the privileges of Supabase's API roles.
pub async fn postgres(conn: &mut sqlx::PgConnection, schemas: &[String]) -> Fingerprint {
    let roles: Vec<String> = ["anon", "authenticated", "service_role"].iter().map(|r| r.to_string()).collect();
    postgres_for(conn, schemas, &roles).await
}

/// [`postgres`] with the privileges `roles` hold (straight from the ACLs, one line per
/// privilege) on every table, view, column, sequence, function and schema in `schemas`.
pub async fn postgres_for(conn: &mut sqlx::PgConnection, schemas: &[String], roles: &[String]) -> Fingerprint {
    use sqlx::Row;
    let mut out = Fingerprint::new();
    for r in sqlx::query(
        "WITH acls AS ( \
           SELECT 'relation ' || n.nspname || '.' || c.relname AS what, c.relacl AS acl \
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1) \
           UNION ALL SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname, a.attacl \
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
           WHERE n.nspname = ANY($1) AND a.attnum > 0 \
           UNION ALL SELECT 'routine ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', \
                  p.proacl FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1) \
           UNION ALL SELECT 'schema ' || n.nspname, n.nspacl FROM pg_namespace n WHERE n.nspname = ANY($1)) \
         SELECT 'privilege ' || a.what || ' ' || r.rolname, x.privilege_type || CASE WHEN x.is_grantable THEN ' grantable' ELSE '' END \
         FROM acls a, aclexplode(a.acl) x JOIN pg_roles r ON r.oid = x.grantee WHERE r.rolname = ANY($2)",
    )
    .bind(schemas.to_vec())
    .bind(roles.to_vec())
    .persistent(false)
    .fetch_all(&mut *conn)
    .await
    .expect("oracle: privileges")
    {
        out.insert(format!("{} {}", r.get::<String, _>(0), r.get::<String, _>(1)));
    }
    let rows = |sql: &'static str| sqlx::query(sql).bind(schemas.to_vec()).persistent(false);
    for r in rows(
        "SELECT n.nspname::text || '.' || c.relname::text || '.' || a.attname::text, format_type(a.atttypid, a.atttypmod), \
                a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text, \
                CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         JOIN pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum \
         LEFT JOIN pg_collation co ON co.oid = a.attcollation \
         WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1)",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("oracle: columns")
    {
        let default: Option<String> = r.get(3);
        out.insert(format!(
            "column {} {}{} default={} identity={} generated={} collate={}",
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            if r.get::<bool, _>(2) { " NOT NULL" } else { "" },
            default.as_deref().map(normalise_expr).unwrap_or_default(),
            r.get::<String, _>(4),
            r.get::<String, _>(5),
            r.get::<Option<String>, _>(6).unwrap_or_default(),
        ));
    }
    for r in rows(
        "SELECT n.nspname::text || '.' || c.relname::text, con.conname::text, con.contype::text, pg_get_constraintdef(con.oid) \
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = ANY($1) AND con.contype IN ('p', 'u', 'f', 'c', 'x')",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("oracle: constraints")
    {
        out.insert(format!(
            "constraint {} {} {} {}",
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            r.get::<String, _>(2),
            normalise_expr(&r.get::<String, _>(3))
        ));
    }
    for r in rows(
        "SELECT i.schemaname::text, i.indexname::text, i.indexdef FROM pg_indexes i \
         WHERE i.schemaname = ANY($1) AND NOT EXISTS (SELECT 1 FROM pg_constraint con \
           JOIN pg_class ic ON ic.oid = con.conindid JOIN pg_namespace n ON n.oid = ic.relnamespace \
           WHERE ic.relname = i.indexname AND n.nspname = i.schemaname)",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("oracle: indexes")
    {
        out.insert(format!(
            "index {}.{} {}",
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            sorted_with(&normalise_expr(&r.get::<String, _>(2)))
        ));
    }
    for r in rows(
        "SELECT schemaname::text || '.' || sequencename::text, data_type::text, start_value, min_value, max_value, \
                increment_by, cycle, cache_size FROM pg_sequences WHERE schemaname = ANY($1)",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("oracle: sequences")
    {
        out.insert(format!(
            "sequence {} {} start={} min={} max={} inc={} cycle={} cache={}",
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            r.get::<i64, _>(2),
            r.get::<i64, _>(3),
            r.get::<i64, _>(4),
            r.get::<i64, _>(5),
            r.get::<bool, _>(6),
            r.get::<i64, _>(7),
        ));
    }
    for r in rows(
        "SELECT n.nspname::text || '.' || t.typname::text, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid \
         WHERE n.nspname = ANY($1) GROUP BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("oracle: enums")
    {
        out.insert(format!("enum {} {:?}", r.get::<String, _>(0), r.get::<Vec<String>, _>(1)));
    }
    for r in rows(
        "SELECT 'view ' || schemaname::text || '.' || viewname::text, definition FROM pg_views WHERE schemaname = ANY($1) \
         UNION ALL SELECT 'materialized view ' || schemaname::text || '.' || matviewname::text, definition \
         FROM pg_matviews WHERE schemaname = ANY($1) \
         UNION ALL SELECT 'view options ' || n.nspname::text || '.' || c.relname::text, array_to_string(c.reloptions, ',') \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('v', 'm') AND c.reloptions IS NOT NULL AND n.nspname = ANY($1) \
         UNION ALL SELECT 'trigger ' || n.nspname::text || '.' || c.relname::text || '.' || t.tgname::text, \
                pg_get_triggerdef(t.oid) \
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE NOT t.tgisinternal AND n.nspname = ANY($1) \
         UNION ALL SELECT 'function ' || n.nspname::text || '.' || p.proname::text || '(' \
                || pg_get_function_identity_arguments(p.oid) || ')', pg_get_functiondef(p.oid) \
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE p.prokind IN ('f', 'p') AND n.nspname = ANY($1) \
         UNION ALL SELECT 'extension ' || x.extname::text, n.nspname::text || ' ' || x.extversion \
         FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace WHERE n.nspname = ANY($1) \
         UNION ALL SELECT 'domain ' || n.nspname::text || '.' || t.typname::text, \
                format_type(t.typbasetype, t.typtypmod) || ' not null ' || t.typnotnull::text \
                || ' default ' || coalesce(t.typdefault, '') || ' collation ' || t.typcollation::regcollation::text \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'd' AND n.nspname = ANY($1) \
         UNION ALL SELECT 'domain constraint ' || n.nspname::text || '.' || t.typname::text || '.' || c.conname::text, \
                pg_get_constraintdef(c.oid) \
         FROM pg_constraint c JOIN pg_type t ON t.oid = c.contypid JOIN pg_namespace n ON n.oid = t.typnamespace \
         WHERE n.nspname = ANY($1) \
         UNION ALL SELECT 'partitioned ' || n.nspname::text || '.' || c.relname::text, pg_get_partkeydef(c.oid) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'p' AND n.nspname = ANY($1) \
         UNION ALL SELECT 'partition ' || n.nspname::text || '.' || c.relname::text, \
                i.inhparent::regclass::text || ' ' || pg_get_expr(c.relpartbound, c.oid) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_inherits i ON i.inhrelid = c.oid \
         WHERE c.relispartition AND c.relkind IN ('r', 'p') AND n.nspname = ANY($1) \
         UNION ALL SELECT 'row security ' || schemaname::text || '.' || tablename::text, rowsecurity::text \
         FROM pg_tables WHERE schemaname = ANY($1) AND rowsecurity \
         UNION ALL SELECT 'forced row security ' || n.nspname::text || '.' || c.relname::text, 'true' \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relforcerowsecurity AND n.nspname = ANY($1) \
         UNION ALL SELECT 'policy ' || schemaname::text || '.' || tablename::text || '.' || policyname::text, \
                permissive || ' ' || cmd || ' ' || array_to_string(ARRAY(SELECT unnest(roles) ORDER BY 1), ',') \
                || ' using ' || coalesce(qual, '') || ' check ' || coalesce(with_check, '') \
         FROM pg_policies WHERE schemaname = ANY($1) \
         UNION ALL SELECT 'comment ' || d.classoid::regclass::text || ' ' || \
                pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description \
         FROM pg_description d \
         WHERE (d.classoid = 'pg_class'::regclass AND d.objoid IN (SELECT c.oid FROM pg_class c \
                  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1))) \
            OR (d.classoid = 'pg_proc'::regclass AND d.objoid IN (SELECT p.oid FROM pg_proc p \
                  JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1))) \
            OR (d.classoid = 'pg_type'::regclass AND d.objoid IN (SELECT t.oid FROM pg_type t \
                  JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = ANY($1)))",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("oracle: views, triggers, functions, row security, policies")
    {
        out.insert(format!("{} {}", r.get::<String, _>(0), words(&r.get::<String, _>(1))));
    }
    out
}

/// An index definition with the storage parameters of its `WITH (…)` in name order: their
/// order is the order they were written in and means nothing.
fn sorted_with(def: &str) -> String {
    let Some(start) = def.find(" WITH (") else { return def.to_string() };
    let open = start + " WITH (".len();
    let Some(len) = def[open..].find(')') else { return def.to_string() };
    let mut items: Vec<&str> = def[open..open + len].split(", ").collect();
    items.sort();
    format!("{}{}{}", &def[..open], items.join(", "), &def[open + len..])
}

/// Whitespace runs made one space, a trailing `;` dropped.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").trim_end_matches(';').trim_end().to_string()
}

/// The fingerprint of every table of the SQLite database behind `conn`, from its pragmas
/// (`table_list`, `table_xinfo`, `index_list`, `index_xinfo`, `foreign_key_list`).
pub fn sqlite(conn: &rusqlite::Connection) -> Fingerprint {
    let mut out = Fingerprint::new();
    let tables: Vec<(String, bool, bool)> = conn
        .prepare(
            "SELECT name, wr, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'schema_version'",
        )
        .expect("oracle: table_list")
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? == 1, r.get::<_, i64>(2)? == 1)))
        .expect("oracle: table_list")
        .map(Result::unwrap)
        .collect();
    let lower = |s: String| s.to_lowercase();
    for (table, without_rowid, strict) in tables {
        let t = lower(table.clone());
        out.insert(format!("table {t} without_rowid={without_rowid} strict={strict}"));
        let mut st =
            conn.prepare("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1)").unwrap();
        for r in st
            .query_map([&table], |r| {
                Ok(format!(
                    "column {t}.{} {} notnull={} default={} pk={} hidden={}",
                    lower(r.get::<_, String>(0)?),
                    r.get::<_, String>(1)?.to_uppercase(),
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?
                ))
            })
            .unwrap()
        {
            out.insert(r.unwrap());
        }
        let mut st = conn.prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1)").unwrap();
        let indexes: Vec<(String, i64, String, i64)> = st
            .query_map([&table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (name, unique, origin, partial) in indexes {
            let mut st = conn
                .prepare("SELECT coalesce(name, '<expr>'), \"desc\", coll FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno")
                .unwrap();
            let keys: Vec<String> = st
                .query_map([&name], |r| {
                    Ok(format!(
                        "{} {} {}",
                        lower(r.get::<_, String>(0)?),
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?.to_uppercase()
                    ))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            // Automatic indexes (UNIQUE and PRIMARY KEY constraints) are named by SQLite: only
            // their definition is part of the schema.
            let shown = if origin == "c" { lower(name) } else { "<auto>".into() };
            out.insert(format!("index {t} {shown} unique={unique} origin={origin} partial={partial} keys={keys:?}"));
        }
        let mut st = conn
            .prepare("SELECT id, \"table\", \"from\", coalesce(\"to\", ''), on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq")
            .unwrap();
        let mut fks: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
        for r in st
            .query_map([&table], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    format!(
                        "{}.{}->{}.{} {} {}",
                        t,
                        lower(r.get::<_, String>(2)?),
                        lower(r.get::<_, String>(1)?),
                        lower(r.get::<_, String>(3)?),
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?
                    ),
                ))
            })
            .unwrap()
        {
            let (id, line) = r.unwrap();
            fks.entry(id).or_default().push(line);
        }
        for parts in fks.values() {
            out.insert(format!("foreign_key {}", parts.join(" + ")));
        }
    }
    // Views: their columns (as SQLite reports them) and the query after the first `AS`;
    // triggers: their statement. Spacing aside, as SQLite keeps the text.
    let objects: Vec<(String, String, String, String)> = conn
        .prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE type IN ('view', 'trigger')")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (kind, name, table, sql) in objects {
        let text = words(&sql);
        if kind == "view" {
            let columns: Vec<String> = conn
                .prepare("SELECT name FROM pragma_table_info(?1)")
                .unwrap()
                .query_map([&name], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let query = text.split_once(" AS ").or_else(|| text.split_once(" as ")).map(|(_, q)| q).unwrap_or(&text);
            out.insert(format!("view {} columns={columns:?} {query}", lower(name)));
        } else {
            out.insert(format!("trigger {}.{} {text}", lower(table), lower(name)));
        }
    }
    out
}
