//! The Postgres catalog queries behind [`super::postgres::introspect`] and the plain rows they
//! return.
//!
//! One query per catalog family (tables, columns, constraints, indexes, enums, sequences), each
//! filtered by `nspname = ANY($1)`, so the number of round trips does not depend on how many
//! tables there are. Every query runs as an unnamed statement (`persistent(false)`) so it works
//! through a transaction-mode pooler (Supabase on port 6543), and every value is cast to
//! `text`/`int`/`bool` so sqlx never has to look up a type OID with an extra query.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::{Error, Result};

/// The filter shared by every per-table query: ordinary and partitioned tables that are not
/// partitions, in the requested schemas, not members of an extension (PostGIS'
/// `spatial_ref_sys` is the extension's, not the user's). `c` is the table's `pg_class` row and
/// `n` its namespace.
macro_rules! table_filter {
    () => {
        "c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1) \
         AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e \
             WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')"
    };
}

const TABLES: &str = concat!(
    "SELECT c.oid::int8 AS oid, n.nspname::text AS schema_name, c.relname::text AS table_name \
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ",
    table_filter!(),
    " ORDER BY 2, 3"
);

/// Columns. Two choices keep this query near the cost of a bare `pg_attribute` scan on
/// thousands of tables: the sequences each column owns are aggregated once and hash-joined,
/// not looked up by a correlated subquery per column; and defaults are deparsed without a
/// relation context (`pg_get_expr(…, 0)`), which would open every table (a relcache build per
/// table on a fresh connection) although a default cannot reference a column. Generated
/// columns, whose expression does, keep theirs.
const COLUMNS: &str = concat!(
    "SELECT a.attrelid::int8 AS table_oid, a.attname::text AS name, \
        pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_text, \
        CASE WHEN t.typtype = 'e' THEN tn.nspname::text WHEN et.typtype = 'e' THEN etn.nspname::text END AS enum_schema, \
        CASE WHEN t.typtype = 'e' THEN t.typname::text WHEN et.typtype = 'e' THEN et.typname::text END AS enum_name, \
        COALESCE(et.typtype = 'e', false) AS enum_array, \
        (t.typtype = 'd') AS is_domain, \
        a.attnotnull AS not_null, \
        pg_catalog.pg_get_expr(ad.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE ad.adrelid END) AS default_expr, \
        a.attidentity::text AS identity, \
        a.attgenerated::text AS generated, \
        CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END AS collation, \
        COALESCE(os.seqs, ARRAY[]::text[]) AS owned_sequences \
     FROM pg_catalog.pg_attribute a \
     JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
     JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace \
     LEFT JOIN pg_catalog.pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem \
     LEFT JOIN pg_catalog.pg_namespace etn ON etn.oid = et.typnamespace \
     LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
     LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
     LEFT JOIN (SELECT d.refobjid, d.refobjsubid, \
                       array_agg(d.objid::regclass::text ORDER BY d.objid::regclass::text) AS seqs \
                FROM pg_catalog.pg_depend d \
                JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S' \
                WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass \
                  AND d.deptype = 'a' \
                GROUP BY 1, 2) os ON os.refobjid = a.attrelid AND os.refobjsubid = a.attnum \
     WHERE a.attnum > 0 AND NOT a.attisdropped AND ",
    table_filter!(),
    " ORDER BY a.attrelid, a.attnum"
);

/// `pg_constraint` rows; `$nnd` is the `NULLS NOT DISTINCT` expression (PG 15+ only).
macro_rules! constraints_query {
    ($nnd:literal) => {
        concat!(
            "SELECT con.conrelid::int8 AS table_oid, con.conname::text AS name, con.contype::text AS kind, \
                ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(num, ord) \
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num \
                      ORDER BY k.ord) AS columns, \
                rn.nspname::text AS ref_schema, COALESCE(rn.oid = n.oid, true) AS ref_same_schema, \
                rc.relname::text AS ref_table, \
                ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(num, ord) \
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num \
                      ORDER BY k.ord) AS ref_columns, \
                con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete, \
                con.confmatchtype::text AS match_type, \
                con.condeferrable AS deferrable, con.condeferred AS deferred, con.connoinherit AS no_inherit, \
                CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_constraintdef(con.oid, true) END AS definition, ",
            $nnd,
            " AS nulls_not_distinct \
             FROM pg_catalog.pg_constraint con \
             JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid \
             LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
             LEFT JOIN pg_catalog.pg_index ci ON con.contype = 'u' AND ci.indexrelid = con.conindid \
             WHERE con.contype IN ('p', 'u', 'f', 'c') AND ",
            table_filter!(),
            " ORDER BY 1, 2"
        )
    };
}

const CONSTRAINTS_PG15: &str = constraints_query!("COALESCE(ci.indnullsnotdistinct, false)");
const CONSTRAINTS_OLD: &str = constraints_query!("false");

/// `pg_index` rows not backing a constraint, with one array element per key (all arrays have
/// `indnatts` elements; key options only matter for the first `indnkeyatts`).
macro_rules! indexes_query {
    ($nnd:literal) => {
        concat!(
            "SELECT i.indrelid::int8 AS table_oid, ic.relname::text AS name, i.indisunique AS is_unique, \
                pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate, am.amname::text AS method, \
                i.indnkeyatts::int4 AS key_count, ",
            $nnd,
            " AS nulls_not_distinct, \
                keys.targets, keys.is_expr, keys.options, keys.collations, keys.opclasses \
             FROM pg_catalog.pg_index i \
             JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_catalog.pg_am am ON am.oid = ic.relam \
             JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             CROSS JOIN LATERAL ( \
                SELECT array_agg(x.target ORDER BY x.k) AS targets, array_agg(x.is_expr ORDER BY x.k) AS is_expr, \
                       array_agg(x.opt ORDER BY x.k) AS options, array_agg(x.coll ORDER BY x.k) AS collations, \
                       array_agg(x.opc ORDER BY x.k) AS opclasses \
                FROM (SELECT k, \
                        CASE WHEN i.indkey[k] = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, k + 1, true) \
                             ELSE a.attname::text END AS target, \
                        (i.indkey[k] = 0) AS is_expr, \
                        COALESCE(i.indoption[k]::int4, 0) AS opt, \
                        CASE WHEN k >= i.indnkeyatts OR COALESCE(i.indcollation[k], 0) = 0 THEN NULL \
                             WHEN i.indkey[k] = 0 AND i.indcollation[k] <> 100 THEN co.collname::text \
                             WHEN i.indkey[k] <> 0 AND i.indcollation[k] <> a.attcollation THEN co.collname::text \
                        END AS coll, \
                        CASE WHEN k < i.indnkeyatts AND NOT oc.opcdefault THEN oc.opcname::text END AS opc \
                      FROM generate_series(0, i.indnatts - 1) AS k \
                      LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k] \
                      LEFT JOIN pg_catalog.pg_collation co ON co.oid = i.indcollation[k] \
                      LEFT JOIN pg_catalog.pg_opclass oc ON oc.oid = i.indclass[k]) x \
             ) keys \
             WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint pc \
                               WHERE pc.conindid = i.indexrelid AND pc.contype IN ('p', 'u', 'x')) AND ",
            table_filter!(),
            " ORDER BY 1, 2"
        )
    };
}

const INDEXES_PG15: &str = indexes_query!("i.indnullsnotdistinct");
const INDEXES_OLD: &str = indexes_query!("false");

const ENUMS: &str = "SELECT n.nspname::text AS schema_name, t.typname::text AS type_name, \
        ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid \
              ORDER BY e.enumsortorder) AS labels \
     FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     WHERE t.typtype = 'e' AND n.nspname = ANY($1) \
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e \
           WHERE e.classid = 'pg_catalog.pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e') \
     ORDER BY 1, 2";

const SEQUENCES: &str = "SELECT n.nspname::text AS schema_name, c.relname::text AS seq_name, \
        c.oid::regclass::text AS reg_name, \
        pg_catalog.format_type(s.seqtypid, NULL) AS type_text, s.seqstart AS start_value, \
        s.seqincrement AS increment, s.seqmin AS min_value, s.seqmax AS max_value, s.seqcache AS cache, \
        s.seqcycle AS cycle, ot.relname::text AS owner_table, oa.attname::text AS owner_column \
     FROM pg_catalog.pg_sequence s \
     JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_catalog.pg_depend od ON od.classid = 'pg_catalog.pg_class'::regclass AND od.objid = c.oid \
          AND od.refclassid = 'pg_catalog.pg_class'::regclass AND od.deptype = 'a' \
     LEFT JOIN pg_catalog.pg_class ot ON ot.oid = od.refobjid \
     LEFT JOIN pg_catalog.pg_attribute oa ON oa.attrelid = od.refobjid AND oa.attnum = od.refobjsubid \
     WHERE n.nspname = ANY($1) \
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
           WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid \
             AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'i') \
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e \
           WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e') \
     ORDER BY 1, 2";

/// A table (`pg_class`).
#[derive(Debug, Clone)]
pub(crate) struct TableRow {
    pub oid: i64,
    pub schema: String,
    pub name: String,
}

/// A column (`pg_attribute` and friends).
#[derive(Debug, Clone)]
pub(crate) struct ColumnRow {
    pub table_oid: i64,
    pub name: String,
    pub type_text: String,
    pub enum_schema: Option<String>,
    pub enum_name: Option<String>,
    pub enum_array: bool,
    pub is_domain: bool,
    pub not_null: bool,
    pub default: Option<String>,
    pub identity: String,
    pub generated: String,
    pub collation: Option<String>,
    pub owned_sequences: Vec<String>,
}

/// A `pg_constraint` row.
#[derive(Debug, Clone)]
pub(crate) struct ConstraintRow {
    pub table_oid: i64,
    pub name: String,
    pub kind: String,
    pub columns: Vec<String>,
    pub ref_schema: Option<String>,
    pub ref_same_schema: bool,
    pub ref_table: Option<String>,
    pub ref_columns: Vec<String>,
    pub on_update: String,
    pub on_delete: String,
    pub match_type: String,
    pub deferrable: bool,
    pub deferred: bool,
    pub no_inherit: bool,
    pub definition: Option<String>,
    pub nulls_not_distinct: bool,
}

/// A `pg_index` row with its keys as parallel arrays.
#[derive(Debug, Clone)]
pub(crate) struct IndexRow {
    pub table_oid: i64,
    pub name: String,
    pub unique: bool,
    pub predicate: Option<String>,
    pub method: String,
    pub key_count: i32,
    pub nulls_not_distinct: bool,
    pub targets: Vec<Option<String>>,
    pub is_expr: Vec<bool>,
    pub options: Vec<i32>,
    pub collations: Vec<Option<String>>,
    pub opclasses: Vec<Option<String>>,
}

/// An enum type with its labels.
#[derive(Debug, Clone)]
pub(crate) struct EnumRow {
    pub schema: String,
    pub name: String,
    pub labels: Vec<String>,
}

/// A standalone sequence.
#[derive(Debug, Clone)]
pub(crate) struct SequenceRow {
    pub schema: String,
    pub name: String,
    /// `regclass::text`: the spelling a `nextval()` default uses for it.
    pub reg_name: String,
    pub owner_table: Option<String>,
    pub owner_column: Option<String>,
    pub type_text: String,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
}

/// Everything the catalog queries returned.
#[derive(Debug, Clone, Default)]
pub(crate) struct CatalogRows {
    pub tables: Vec<TableRow>,
    pub columns: Vec<ColumnRow>,
    pub constraints: Vec<ConstraintRow>,
    pub indexes: Vec<IndexRow>,
    pub enums: Vec<EnumRow>,
    pub sequences: Vec<SequenceRow>,
}

/// Runs one catalog query as an unnamed statement, counting it, and hands each row to `f` as
/// it arrives: rows are streamed, never all held at once (a 5,000-table catalog is ~100k rows).
async fn each(
    conn: &mut PgConnection,
    what: &str,
    sql: &'static str,
    schemas: &[String],
    queries: &mut usize,
    mut f: impl FnMut(&PgRow) -> Result<()>,
) -> Result<()> {
    use futures_util::TryStreamExt;
    *queries += 1;
    let mut stream = sqlx::query(sql).persistent(false).bind(schemas).fetch(&mut *conn);
    while let Some(row) =
        stream.try_next().await.map_err(|e| Error::postgres(format!("reading {what} from the Postgres catalog"), e))?
    {
        f(&row)?;
    }
    Ok(())
}

fn get<'r, T>(row: &'r PgRow, what: &str, column: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(column).map_err(|e| Error::postgres(format!("decoding {what} column `{column}`"), e))
}

/// Fetches every catalog family, one query each. `server_version` picks the query variants
/// (`indnullsnotdistinct` exists from Postgres 15). Adds the number of queries run to `queries`.
pub(crate) async fn fetch_all(
    conn: &mut PgConnection,
    schemas: &[String],
    server_version: u32,
    queries: &mut usize,
) -> Result<CatalogRows> {
    let pg15 = server_version >= 150_000;
    let mut rows = CatalogRows::default();

    each(conn, "tables", TABLES, schemas, queries, |r| {
        let w = "table";
        rows.tables.push(TableRow {
            oid: get(r, w, "oid")?,
            schema: get(r, w, "schema_name")?,
            name: get(r, w, "table_name")?,
        });
        Ok(())
    })
    .await?;

    each(conn, "columns", COLUMNS, schemas, queries, |r| {
        let w = "column";
        rows.columns.push(ColumnRow {
            table_oid: get(r, w, "table_oid")?,
            name: get(r, w, "name")?,
            type_text: get(r, w, "type_text")?,
            enum_schema: get(r, w, "enum_schema")?,
            enum_name: get(r, w, "enum_name")?,
            enum_array: get(r, w, "enum_array")?,
            is_domain: get(r, w, "is_domain")?,
            not_null: get(r, w, "not_null")?,
            default: get(r, w, "default_expr")?,
            identity: get(r, w, "identity")?,
            generated: get(r, w, "generated")?,
            collation: get(r, w, "collation")?,
            owned_sequences: get(r, w, "owned_sequences")?,
        });
        Ok(())
    })
    .await?;

    let sql = if pg15 { CONSTRAINTS_PG15 } else { CONSTRAINTS_OLD };
    each(conn, "constraints", sql, schemas, queries, |r| {
        let w = "constraint";
        rows.constraints.push(ConstraintRow {
            table_oid: get(r, w, "table_oid")?,
            name: get(r, w, "name")?,
            kind: get(r, w, "kind")?,
            columns: get(r, w, "columns")?,
            ref_schema: get(r, w, "ref_schema")?,
            ref_same_schema: get(r, w, "ref_same_schema")?,
            ref_table: get(r, w, "ref_table")?,
            ref_columns: get(r, w, "ref_columns")?,
            on_update: get(r, w, "on_update")?,
            on_delete: get(r, w, "on_delete")?,
            match_type: get(r, w, "match_type")?,
            deferrable: get(r, w, "deferrable")?,
            deferred: get(r, w, "deferred")?,
            no_inherit: get(r, w, "no_inherit")?,
            definition: get(r, w, "definition")?,
            nulls_not_distinct: get(r, w, "nulls_not_distinct")?,
        });
        Ok(())
    })
    .await?;

    let sql = if pg15 { INDEXES_PG15 } else { INDEXES_OLD };
    each(conn, "indexes", sql, schemas, queries, |r| {
        let w = "index";
        rows.indexes.push(IndexRow {
            table_oid: get(r, w, "table_oid")?,
            name: get(r, w, "name")?,
            unique: get(r, w, "is_unique")?,
            predicate: get(r, w, "predicate")?,
            method: get(r, w, "method")?,
            key_count: get(r, w, "key_count")?,
            nulls_not_distinct: get(r, w, "nulls_not_distinct")?,
            targets: get::<Option<Vec<Option<String>>>>(r, w, "targets")?.unwrap_or_default(),
            is_expr: get::<Option<Vec<bool>>>(r, w, "is_expr")?.unwrap_or_default(),
            options: get::<Option<Vec<i32>>>(r, w, "options")?.unwrap_or_default(),
            collations: get::<Option<Vec<Option<String>>>>(r, w, "collations")?.unwrap_or_default(),
            opclasses: get::<Option<Vec<Option<String>>>>(r, w, "opclasses")?.unwrap_or_default(),
        });
        Ok(())
    })
    .await?;

    each(conn, "enum types", ENUMS, schemas, queries, |r| {
        let w = "enum";
        rows.enums.push(EnumRow {
            schema: get(r, w, "schema_name")?,
            name: get(r, w, "type_name")?,
            labels: get(r, w, "labels")?,
        });
        Ok(())
    })
    .await?;

    each(conn, "sequences", SEQUENCES, schemas, queries, |r| {
        let w = "sequence";
        rows.sequences.push(SequenceRow {
            schema: get(r, w, "schema_name")?,
            name: get(r, w, "seq_name")?,
            reg_name: get(r, w, "reg_name")?,
            owner_table: get(r, w, "owner_table")?,
            owner_column: get(r, w, "owner_column")?,
            type_text: get(r, w, "type_text")?,
            start: get(r, w, "start_value")?,
            increment: get(r, w, "increment")?,
            min: get(r, w, "min_value")?,
            max: get(r, w, "max_value")?,
            cache: get(r, w, "cache")?,
            cycle: get(r, w, "cycle")?,
        });
        Ok(())
    })
    .await?;

    Ok(rows)
}
