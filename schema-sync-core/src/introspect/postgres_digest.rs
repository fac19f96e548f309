//! A digest of each tenant schema's tables, computed by the server in two queries, so that a
//! fleet of tenants built alike is read once per distinct kind instead of once per tenant
//! (see [`super::postgres::introspect_tenants`]).
//!
//! The digest covers the *table families*: tables, columns, defaults, constraints, indexes of
//! tables, and sequences — the families whose rows grow with every table and that
//! [`super::postgres_queries::read`] reads for representatives only. For each of them it
//! hashes, per row, every value that query reads, written relative to the tenant:
//!
//! * an oid that names a table or type of the tenant's own schema is replaced by that object's
//!   name (a foreign key's target, a parent table, a column of the tenant's own enum), and one
//!   in another schema by that schema's oid (or name) and the object's name;
//! * oids that only identify the row itself (`pg_constraint.oid`, …) are left out;
//! * everything else — node trees, key arrays, options, texts — is hashed as the catalog holds
//!   it. A node tree that holds a tenant-local oid (a `serial` default's sequence, a CHECK
//!   calling the tenant's own function) or an expression's offset in its statement
//!   (`:location`) that differs therefore makes its tenant a kind of its own, which costs
//!   speed, never correctness;
//! * a row whose text mentions the tenant's own name anywhere (an index expression calling
//!   `tenant_7.f()`) also hashes that name, so that tenant is a kind of its own too: two
//!   tenants are grouped only when their rows are equal without any renaming of text.
//!
//! Each value is hashed on its own with a seed of its own (`hashtextextended(v, seed)`, …; a
//! NULL text as a byte no catalog text is), so no separator can be forged; a row's hash is the
//! XOR of its values' hashes, and a tenant's digest is the number of its rows and the sum of
//! their hashes (order-independent), per query. Two tenants with different table families get
//! the same digest by accident with a probability of about 2⁻⁶⁴.

use std::collections::HashMap;

use sqlx::PgConnection;

use super::postgres_queries::{each, get, Bind};
use crate::Result;

/// The hash of the text `$x`, with the name of the tenant `n` appended when the text mentions
/// it (or when the name holds a quote or a backslash, which a text would show escaped). `$x`
/// must be a column of a lateral subquery, not an expression, so it is computed once.
macro_rules! named_text_hash {
    ($x:literal, $seed:literal) => {
        concat!(
            "hashtextextended(coalesce(",
            $x,
            ", E'\\x01') || CASE WHEN strpos(",
            $x,
            ", n.nspname) > 0 OR n.nspname ~ '[''\"\\\\]' THEN E'\\x02' || n.nspname ELSE '' END, ",
            $seed,
            ")"
        )
    };
}

/// The columns of the tables of the tenant schemas in `$1`, one row each: the tenant and the
/// row's hash. A column of a type of the tenant's own schema hashes the type's name, kind,
/// collation and element type instead of its oid; any other type its oid and `atttypmod`,
/// which is all `format_type` reads. Built-in types (oid < 16384) are never a tenant's.
macro_rules! column_rows {
    () => {
        concat!(
            "SELECT n.nspname::text, hashtextextended(a.attname::text, hashtextextended(c.relname::text, \
                hashint8extended((a.attnum::int8 << 48) | ((a.atttypmod::int8 & 4294967295) << 16) \
                  | (a.attnotnull::int * 2 + a.attislocal::int), \
                hashint8extended((a.attcollation::int8 << 16) \
                  | (ascii(a.attidentity::text) * 256 + ascii(a.attgenerated::text)), \
                CASE WHEN a.atttypid < 16384 THEN a.atttypid::int8 ELSE (SELECT \
                  CASE WHEN t.typnamespace = c.relnamespace \
                    THEN hashtextextended(t.typname::text, 2004) # hashint8extended(ascii(t.typtype::text), 2005) \
                       # hashoidextended(t.typcollation, 2006) \
                       # coalesce((SELECT hashtextextended(e.typname::text, 2007) \
                           # hashint8extended(ascii(e.typtype::text), 2008) \
                           # hashint8extended((e.typnamespace = c.relnamespace)::int, 2009) \
                         FROM pg_catalog.pg_type e WHERE e.oid = t.typelem), 2010) \
                    ELSE hashoidextended(t.oid, 2011) END \
                  FROM pg_catalog.pg_type t WHERE t.oid = a.atttypid) END)))) \
             FROM pg_catalog.pg_attribute a \
             JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE a.attnum > 0 AND NOT a.attisdropped AND ",
            table_filter!()
        )
    };
}

/// The tables, defaults, constraints, indexes of tables and sequences of the tenant schemas in
/// `$1`, one row each: the tenant and the row's hash. `$nnd_con` / `$nnd_idx` read `NULLS NOT
/// DISTINCT` (PG 15+).
macro_rules! other_rows {
    ($nnd_con:literal, $nnd_idx:literal) => {
        concat!(
            "SELECT n.nspname::text, hashtextextended(c.relname::text, 1001) \
                # hashint8extended(ascii(c.relkind::text), 1002) # hashint8extended(c.relnatts, 1003) \
                # hashint8extended(c.relrowsecurity::int * 2 + c.relforcerowsecurity::int, 1004) # ",
            named_text_hash!("tx.x", "1005"),
            " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             CROSS JOIN LATERAL (SELECT concat_ws(',', \
                quote_nullable(CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END), \
                quote_nullable(CASE WHEN c.relispartition THEN (SELECT concat_ws(',', \
                       quote_nullable(NULLIF(pn.nspname, n.nspname)::text), quote_literal(pc.relname::text), \
                       quote_nullable(pg_catalog.pg_get_expr(c.relpartbound, c.oid))) \
                     FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent \
                     JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid) END), \
                quote_nullable(CASE WHEN NOT c.relispartition THEN ARRAY(SELECT concat_ws(',', \
                       quote_nullable(NULLIF(pn.nspname, n.nspname)::text), quote_literal(pc.relname::text)) \
                     FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent \
                     JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace \
                     WHERE i.inhrelid = c.oid ORDER BY i.inhseqno)::text END)) AS x) tx \
             WHERE ",
            table_filter!(),
            " UNION ALL \
             SELECT n.nspname::text, hashtextextended(c.relname::text, 3001) # hashint8extended(ad.adnum, 3002) \
                # hashtextextended(ad.adbin::text, 3003) \
             FROM pg_catalog.pg_attrdef ad \
             JOIN pg_catalog.pg_class c ON c.oid = ad.adrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ",
            table_filter!(),
            " UNION ALL \
             SELECT n.nspname::text, hashtextextended(c.relname::text, 4001) \
                # hashtextextended(con.conname::text, 4002) # hashint8extended(ascii(con.contype::text), 4003) \
                # hashtextextended(coalesce(con.conkey::text, E'\\x01'), 4004) \
                # CASE WHEN con.confrelid <> 0 THEN (SELECT \
                    hashoidextended(coalesce(NULLIF(fc.relnamespace, c.relnamespace), 0), 4005) \
                    # hashtextextended(fc.relname::text, 4006) \
                  FROM pg_catalog.pg_class fc WHERE fc.oid = con.confrelid) ELSE 4007 END \
                # hashtextextended(coalesce(con.confkey::text, E'\\x01'), 4008) \
                # hashint8extended(ascii(con.confupdtype::text) * 65536 + ascii(con.confdeltype::text) * 256 \
                    + ascii(con.confmatchtype::text), 4009) \
                # hashint8extended(con.condeferrable::int * 8 + con.condeferred::int * 4 \
                    + con.connoinherit::int * 2 + con.convalidated::int, 4010) \
                # CASE con.contype WHEN 'c' THEN hashtextextended(con.conbin::text, 4011) \
                    WHEN 'x' THEN (SELECT ",
            named_text_hash!("cx.x", "4012"),
            " FROM (SELECT pg_catalog.pg_get_constraintdef(con.oid) AS x) cx) ELSE 4013 END \
                # hashint8extended(coalesce((CASE WHEN con.contype = 'u' THEN ",
            $nnd_con,
            " END)::int, 2), 4014) \
             FROM pg_catalog.pg_constraint con \
             JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') AND con.conparentid = 0 \
               AND (con.contype <> 'c' OR con.conislocal) AND ",
            table_filter!(),
            " UNION ALL \
             SELECT n.nspname::text, hashtextextended(c.relname::text, 5001) \
                # hashtextextended(ic.relname::text, 5002) \
                # hashint8extended(i.indisunique::int * 4 + i.indisvalid::int * 2 + (",
            $nnd_idx,
            ")::int, 5003) \
                # hashtextextended(coalesce(i.indpred::text, E'\\x01'), 5004) \
                # hashtextextended(am.amname::text, 5005) # hashint8extended(i.indnkeyatts, 5006) \
                # hashtextextended(i.indkey::text, 5007) # hashtextextended(i.indoption::text, 5008) \
                # hashtextextended(i.indcollation::text, 5009) # hashtextextended(i.indclass::text, 5010) \
                # CASE WHEN i.indexprs IS NOT NULL THEN (SELECT ",
            named_text_hash!("kx.x", "5011"),
            " FROM (SELECT ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true) \
                     FROM generate_series(1, i.indnatts::int4) AS k ORDER BY k)::text AS x) kx) ELSE 5012 END \
                # hashtextextended(coalesce(ic.reloptions, '{}')::text, 5013) \
                # coalesce(CASE WHEN ic.relispartition THEN (SELECT hashtextextended(pc.relname::text, 5014) \
                    FROM pg_catalog.pg_inherits ih JOIN pg_catalog.pg_class pc ON pc.oid = ih.inhparent \
                    WHERE ih.inhrelid = ic.oid) END, 5015) \
             FROM pg_catalog.pg_index i \
             JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_catalog.pg_am am ON am.oid = ic.relam \
             JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE ",
            table_filter!(),
            " UNION ALL \
             SELECT n.nspname::text, hashtextextended(c.relname::text, 6001) # hashoidextended(s.seqtypid, 6002) \
                # hashint8extended(s.seqstart, 6003) # hashint8extended(s.seqincrement, 6004) \
                # hashint8extended(s.seqmin, 6005) # hashint8extended(s.seqmax, 6006) \
                # hashint8extended(s.seqcache, 6007) # hashint8extended(s.seqcycle::int, 6008) \
                # hashint8extended(coalesce(ascii(od.deptype::text), -1), 6009) \
                # CASE WHEN od.refobjid IS NULL THEN 6010 WHEN ",
            sequence_in_model!(),
            " THEN (SELECT hashoidextended(coalesce(NULLIF(ot.relnamespace, c.relnamespace), 0), 6011) \
                    # hashtextextended(ot.relname::text, 6012) # hashint8extended(od.refobjsubid, 6013) \
                    # hashtextextended(coalesce(oa.attname::text, E'\\x01'), 6014) \
                  FROM pg_catalog.pg_class ot \
                  LEFT JOIN pg_catalog.pg_attribute oa ON oa.attrelid = ot.oid AND oa.attnum = od.refobjsubid \
                  WHERE ot.oid = od.refobjid) ELSE 6015 END \
             FROM pg_catalog.pg_sequence s \
             JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_catalog.pg_depend od ON od.classid = 'pg_catalog.pg_class'::regclass AND od.objid = c.oid \
                  AND od.refclassid = 'pg_catalog.pg_class'::regclass AND od.deptype IN ('a', 'i') \
             WHERE n.nspname = ANY($1) AND c.oid NOT IN ",
            extension_tables!()
        )
    };
}

/// Per tenant: the number of rows of `$rows` and the sum of their hashes.
macro_rules! digests_of {
    ($rows:expr) => {
        concat!("SELECT nsp, count(*)::int8, sum(h)::text FROM (", $rows, ") u(nsp, h) GROUP BY nsp")
    };
}

const COLUMN_DIGESTS: &str = digests_of!(column_rows!());
const OTHER_DIGESTS_PG15: &str = digests_of!(other_rows!(
    "(SELECT ci.indnullsnotdistinct FROM pg_catalog.pg_index ci WHERE ci.indexrelid = con.conindid)",
    "i.indnullsnotdistinct"
));
const OTHER_DIGESTS_OLD: &str = digests_of!(other_rows!("false", "false"));

/// A tenant's digest: the count and hash sums of its columns, then of its other table-family
/// rows. Equal digests, equal table families (see the module docs).
pub(crate) type Digest = [(i64, String); 2];

/// The digest of each schema of `schemas` that has tables or sequences (two queries: the
/// columns on `conn`, the rest on `helper` at the same time when there is one); a schema
/// without any is absent. `version` is the server's `server_version_num`.
pub(crate) async fn digests(
    conn: &mut PgConnection,
    helper: Option<&mut PgConnection>,
    schemas: &[String],
    version: u32,
    queries: &mut usize,
) -> Result<HashMap<String, Digest>> {
    let others = if version >= 150_000 { OTHER_DIGESTS_PG15 } else { OTHER_DIGESTS_OLD };
    let (mut q1, mut q2) = (0, 0);
    let (columns, rest) = match helper {
        Some(h) => {
            let (a, b) = tokio::join!(read(conn, COLUMN_DIGESTS, schemas, &mut q1), read(h, others, schemas, &mut q2));
            (a?, b?)
        }
        None => {
            (read(&mut *conn, COLUMN_DIGESTS, schemas, &mut q1).await?, read(conn, others, schemas, &mut q2).await?)
        }
    };
    *queries += q1 + q2;
    let none = || (0, String::new());
    let mut out: HashMap<String, Digest> = HashMap::new();
    for (nsp, d) in columns {
        out.entry(nsp).or_insert_with(|| [none(), none()])[0] = d;
    }
    for (nsp, d) in rest {
        out.entry(nsp).or_insert_with(|| [none(), none()])[1] = d;
    }
    Ok(out)
}

/// One digest query's rows: tenant, count, sum. Planned without sorts: the planner would sort
/// every row by tenant (spilling ~65 MB to disk for 386,000 columns, a third of the query's
/// time) where hashing 1,000 groups of two numbers takes kilobytes. Runs inside the caller's
/// transaction; the setting is restored after it.
async fn read(
    conn: &mut PgConnection,
    sql: &'static str,
    schemas: &[String],
    queries: &mut usize,
) -> Result<Vec<(String, (i64, String))>> {
    let setting = |sql: &'static str| sqlx::raw_sql(sql);
    let context = |e| crate::Error::postgres("planning the table digests", e);
    setting("SET LOCAL enable_sort = off").execute(&mut *conn).await.map_err(context)?;
    let mut out = Vec::new();
    each(conn, "table digests", sql, Bind::Schemas(schemas), queries, |r| {
        out.push((get(&r, 0)?, (get(&r, 1)?, get(&r, 2)?)));
        Ok(())
    })
    .await?;
    setting("RESET enable_sort").execute(&mut *conn).await.map_err(context)?;
    Ok(out)
}
