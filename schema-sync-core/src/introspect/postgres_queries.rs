//! The Postgres catalog queries behind [`super::postgres::introspect`]: what each asks, and the
//! plain row each of its rows becomes.
//!
//! One query per catalog family (lookups, tables, columns, defaults, constraints, indexes,
//! enums, domains, sequences, views, triggers, functions, policies, comments; extensions come with
//! the lookups), each filtered by `nspname = ANY($1)`, so the number of round trips does
//! not depend on how many tables there are. Every query runs as an unnamed statement
//! (`persistent(false)`) so it works through a transaction-mode pooler (Supabase on port 6543),
//! and every value is cast to `text`/`int`/`bool` so sqlx never has to look up a type OID with
//! an extra query.
//!
//! The queries are shaped to cost about what a bare `pg_attribute` scan costs, which is what
//! made introspection of 5,000 tables go from 0.7 s to ~0.2 s:
//!
//! * **No per-row sub-plans.** Column numbers (`conkey`, `confkey`, `indkey`) come back as raw
//!   arrays and are turned into names from the columns already read; collation, operator class
//!   and type facts come from one small lookup query, not a join per row.
//! * **Deparse each distinct expression once.** Defaults, CHECKs and partial-index predicates
//!   come back as node trees (`adbin`, `conbin`, `indpred` as text); the builder groups them by
//!   tree, table name and the names of the columns the tree reads, and one more query deparses
//!   one member per group (`pg_get_expr`, `pg_get_constraintdef`). Each deparse opens its
//!   table's catalog entries; 1,000 tenants with the same 20 CHECKs cost 20 of them, not
//!   20,000. A default without a column reference is deparsed without a relation
//!   (`pg_get_expr(…, 0)`); only one that references a column (a generated column: its tree
//!   holds a `{VAR …}`) gets one. Expression index keys are deparsed where they are read.
//! * **No `ORDER BY`.** Rows arrive in whatever order the scan produces them; the builder
//!   orders columns by number and [`crate::model::Schema::normalize`] orders the rest.
//! * **Extension members are found from the extension's side** (`pg_depend` by
//!   `refclassid`, an index scan over a handful of rows, hashed once) rather than by an
//!   anti-join per table.
//!
//! Rows are streamed into [`super::postgres_build::Builder`] as they arrive. On two
//! connections (a fleet of tenants, see [`read`]) the second one's rows wait, decoded, until
//! the columns are in.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use super::postgres_build::{Builder, ExprOf};
use super::postgres_rows::*;
use crate::model::{
    Comment, Domain, DomainCheck, Function, Grant, ObjectKind, ObjectRef, PartitionOf, Policy, PolicyCommand,
    RowSecurity,
};
use crate::{Error, Result};

/// `pg_class` rows (by oid) that belong to an extension: PostGIS' `spatial_ref_sys` is the
/// extension's, not the user's.
macro_rules! extension_tables {
    () => {
        "(SELECT e.objid FROM pg_catalog.pg_depend e WHERE e.refclassid = 'pg_catalog.pg_extension'::regclass \
           AND e.deptype = 'e' AND e.classid = 'pg_catalog.pg_class'::regclass)"
    };
}

/// The filter shared by every per-table query: ordinary and partitioned tables, and their
/// partitions, in the requested schemas, not members of an extension. `c` is the table's
/// `pg_class` row and `n` its namespace.
macro_rules! table_filter {
    () => {
        concat!("c.relkind IN ('r', 'p') AND n.nspname = ANY($1) AND c.oid NOT IN ", extension_tables!())
    };
}

/// The server version, collations (with the definition of those in the requested schemas),
/// operator classes, the requested schemas that exist, the extensions installed into them,
/// their composite types (attributes as JSON), and the
/// types a column's type can need
/// more than `format_type` for (enums, arrays of enums, domains, collatable types). A few
/// hundred rows however large the schema: none of them is per table.
const LOOKUPS: &str = "\
    SELECT 'v'::text AS kind, current_setting('server_version_num')::int8 AS oid, NULL::text AS name, \
           NULL::text AS schema_name, false AS flag, NULL::text AS type_kind, 0::int8 AS collation, 0::int8 AS elem \
    UNION ALL SELECT 'c', co.oid::int8, co.collname::text, cs.schema_name, co.collisdeterministic, \
           CASE WHEN cs.schema_name IS NOT NULL THEN json_build_array(co.collprovider, \
             coalesce(to_jsonb(co) ->> 'colllocale', to_jsonb(co) ->> 'colliculocale'), \
             to_jsonb(co) ->> 'collcollate', to_jsonb(co) ->> 'collctype')::text END, 0, 0 \
        FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
        CROSS JOIN LATERAL (SELECT CASE WHEN cn.oid IN (SELECT ns.oid FROM pg_catalog.pg_namespace ns \
             WHERE ns.nspname = ANY($1)) AND NOT EXISTS (SELECT 1 \
             FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_collation'::regclass \
               AND e.objid = co.oid AND e.deptype = 'e') THEN cn.nspname::text END AS schema_name) cs \
    UNION ALL SELECT 'k', t.oid::int8, t.typname::text, tn.nspname::text, false, \
           (SELECT json_agg(json_build_array(a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), \
                CASE WHEN a.attcollation <> at.typcollation THEN (SELECT ac.collname FROM pg_catalog.pg_collation ac \
                  WHERE ac.oid = a.attcollation) END) ORDER BY a.attnum) \
              FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid = a.atttypid \
              WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)::text, 0, 0 \
        FROM pg_catalog.pg_class tc JOIN pg_catalog.pg_type t ON t.oid = tc.reltype \
        JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace \
        WHERE tc.relkind = 'c' AND tn.nspname = ANY($1) \
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e \
            WHERE e.classid = 'pg_catalog.pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e') \
    UNION ALL SELECT 'o', oc.oid::int8, oc.opcname::text, NULL, oc.opcdefault, NULL, 0, 0 \
        FROM pg_catalog.pg_opclass oc \
    UNION ALL SELECT 't', t.oid::int8, t.typname::text, tn.nspname::text, false, t.typtype::text, \
           t.typcollation::int8, t.typelem::int8 \
        FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace \
        WHERE t.typtype IN ('e', 'd') OR t.typcollation <> 0 \
           OR (t.typcategory = 'A' AND t.typelem IN (SELECT oid FROM pg_catalog.pg_type WHERE typtype = 'e')) \
    UNION ALL SELECT 's', ns.oid::int8, ns.nspname::text, NULL, false, NULL, 0, 0 \
        FROM pg_catalog.pg_namespace ns WHERE ns.nspname = ANY($1) \
    UNION ALL SELECT 'x', x.oid::int8, x.extname::text, xn.nspname::text, false, x.extversion::text, 0, 0 \
        FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace xn ON xn.oid = x.extnamespace \
        WHERE xn.nspname = ANY($1) \
    UNION ALL SELECT 'r', r.oid::int8, r.rolname::text, NULL, false, NULL, 0, 0 \
        FROM pg_catalog.pg_roles r WHERE r.rolname = ANY($2)";

/// Tables with their row-security switches, partition key (a partitioned table) and parent
/// and bound (a partition).
const TABLES: &str = concat!(
    "SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relnatts::int4, c.relrowsecurity, \
        c.relforcerowsecurity, CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, \
        CASE WHEN c.relispartition THEN (SELECT ARRAY[pn.nspname::text, pc.relname::text, \
               pg_catalog.pg_get_expr(c.relpartbound, c.oid)] \
             FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent \
             JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid) END, \
        CASE WHEN NOT c.relispartition THEN NULLIF(ARRAY(SELECT i.inhparent::int8 FROM pg_catalog.pg_inherits i \
               WHERE i.inhrelid = c.oid ORDER BY i.inhseqno), '{}') END \
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ",
    table_filter!()
);

const COLUMNS: &str = concat!(
    "SELECT a.attrelid::int8, a.attnum::int4, a.attname::text, \
        pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid::int8, a.attnotnull, \
        a.attidentity::text, a.attgenerated::text, a.attcollation::int8, a.attislocal \
     FROM pg_catalog.pg_attribute a \
     JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE a.attnum > 0 AND NOT a.attisdropped AND ",
    table_filter!()
);

/// Column defaults and generation expressions (both live in `pg_attrdef`).
const DEFAULTS: &str = concat!(
    "SELECT ad.adrelid::int8, ad.adnum::int4, ad.oid::int8, ad.adbin::text \
     FROM pg_catalog.pg_attrdef ad \
     JOIN pg_catalog.pg_class c ON c.oid = ad.adrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ",
    table_filter!()
);

/// `pg_constraint` rows; `$nnd` is the `NULLS NOT DISTINCT` expression (PG 15+ only).
macro_rules! constraints_query {
    ($nnd:literal) => {
        concat!(
            "SELECT con.conrelid::int8, con.conname::text, con.contype::text, con.conkey, \
                con.confrelid::int8, con.confkey, con.confupdtype::text, con.confdeltype::text, \
                con.confmatchtype::text, con.condeferrable, con.condeferred, con.connoinherit, \
                con.oid::int8, CASE WHEN con.contype = 'c' THEN con.conbin::text \
                  WHEN con.contype = 'x' THEN pg_catalog.pg_get_constraintdef(con.oid) END, \
                CASE WHEN con.contype = 'u' THEN ",
            $nnd,
            " END, con.convalidated \
             FROM pg_catalog.pg_constraint con \
             JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') AND con.conparentid = 0 \
               AND (con.contype <> 'c' OR con.conislocal) AND ",
            table_filter!()
        )
    };
}

const CONSTRAINTS_PG15: &str = constraints_query!(
    "(SELECT ci.indnullsnotdistinct FROM pg_catalog.pg_index ci WHERE ci.indexrelid = con.conindid)"
);
const CONSTRAINTS_OLD: &str = constraints_query!("false");

/// The text of the CHECKs (`$1`), index predicates (`$2`) and defaults (`$3`) that stand for a group of alike
/// ones (see [`Builder::to_deparse`]).
const EXPRESSION_TEXTS: &str = "\
    SELECT 'c'::text, con.oid::int8, pg_catalog.pg_get_constraintdef(con.oid, true) \
        FROM pg_catalog.pg_constraint con WHERE con.oid = ANY($1::int8[]::oid[]) \
    UNION ALL SELECT 'i', i.indexrelid::int8, pg_catalog.pg_get_expr(i.indpred, i.indrelid) \
        FROM pg_catalog.pg_index i WHERE i.indexrelid = ANY($2::int8[]::oid[]) \
    UNION ALL SELECT 'd', ad.oid::int8, pg_catalog.pg_get_expr(ad.adbin, \
            CASE WHEN position('{VAR ' IN ad.adbin::text) > 0 THEN ad.adrelid ELSE 0 END) \
        FROM pg_catalog.pg_attrdef ad WHERE ad.oid = ANY($3::int8[]::oid[])";

/// `pg_index` rows of tables and materialized views not backing a constraint, keys as raw
/// arrays; the text of expression keys only for indexes that have one, and of every key and
/// the predicate for a materialized view's (whose columns are not read).
macro_rules! indexes_query {
    ($nnd:literal) => {
        concat!(
            "SELECT i.indrelid::int8, ic.relname::text, i.indisunique, \
                i.indpred::text, \
                am.amname::text, i.indnkeyatts::int4, ",
            $nnd,
            ", i.indkey::text, i.indoption::text, i.indcollation::text, i.indclass::text, i.indisvalid, \
                CASE WHEN i.indexprs IS NOT NULL OR c.relkind = 'm' \
                     THEN ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true) \
                     FROM generate_series(1, i.indnatts::int4) AS k ORDER BY k) END, i.indexrelid::int8, \
                coalesce(ic.reloptions, '{}')::text[], \
                CASE WHEN ic.relispartition THEN (SELECT pc.relname::text FROM pg_catalog.pg_inherits ih \
                  JOIN pg_catalog.pg_class pc ON pc.oid = ih.inhparent WHERE ih.inhrelid = ic.oid) END, \
                c.relkind = 'm', CASE WHEN c.relkind = 'm' THEN pg_catalog.pg_get_expr(i.indpred, i.indrelid) END \
             FROM pg_catalog.pg_index i \
             JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_catalog.pg_am am ON am.oid = ic.relam \
             JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE (ic.relispartition OR i.indexrelid NOT IN (SELECT pc.conindid FROM pg_catalog.pg_constraint pc \
                                        WHERE pc.contype IN ('p', 'u', 'x'))) \
               AND ((c.relkind IN ('r', 'p') AND n.nspname = ANY($1)) OR (c.relkind = 'm' AND n.nspname = ANY($2))) \
               AND c.oid NOT IN ",
            extension_tables!()
        )
    };
}

const INDEXES_PG15: &str = indexes_query!("i.indnullsnotdistinct");
const INDEXES_OLD: &str = indexes_query!("false");

const ENUMS: &str = "SELECT n.nspname::text, t.typname::text, \
        ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid \
              ORDER BY e.enumsortorder) \
     FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
     WHERE t.typtype = 'e' AND n.nspname = ANY($1) \
       AND t.oid NOT IN (SELECT e.objid FROM pg_catalog.pg_depend e \
           WHERE e.refclassid = 'pg_catalog.pg_extension'::regclass AND e.deptype = 'e' \
             AND e.classid = 'pg_catalog.pg_type'::regclass)";

/// Domains (not extension members) with their base type, collation when it is not the base
/// type's, default, `NOT NULL` and CHECKs (names and `pg_get_constraintdef` texts, by name).
const DOMAINS: &str = "\
    SELECT n.nspname::text, t.typname::text, pg_catalog.format_type(t.typbasetype, t.typtypmod), \
        CASE WHEN t.typcollation <> b.typcollation THEN co.collname::text END, \
        pg_catalog.pg_get_expr(t.typdefaultbin, 0), t.typnotnull, \
        ARRAY(SELECT c.conname::text FROM pg_catalog.pg_constraint c \
              WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname), \
        ARRAY(SELECT pg_catalog.pg_get_constraintdef(c.oid) FROM pg_catalog.pg_constraint c \
              WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname) \
    FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
    JOIN pg_catalog.pg_type b ON b.oid = t.typbasetype \
    LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation \
    WHERE t.typtype = 'd' AND n.nspname = ANY($1) \
      AND t.oid NOT IN (SELECT e.objid FROM pg_catalog.pg_depend e \
        WHERE e.refclassid = 'pg_catalog.pg_extension'::regclass AND e.deptype = 'e' \
          AND e.classid = 'pg_catalog.pg_type'::regclass)";

/// Whether the sequence `s` (`pg_sequence`), owned as `od` (`pg_depend`, `deptype` `a` or
/// `i`, or NULL), is in the model: any sequence but an identity column's whose options are
/// those Postgres gives one by default (the rule of [`crate::model::IdentityOptions::defaults`]).
macro_rules! sequence_in_model {
    () => {
        "(od.deptype IS DISTINCT FROM 'i' OR s.seqstart <> 1 OR s.seqincrement <> 1 OR s.seqmin <> 1 \
            OR s.seqcache <> 1 OR s.seqcycle OR s.seqmax <> CASE s.seqtypid \
              WHEN 'pg_catalog.int2'::pg_catalog.regtype THEN 32767 \
              WHEN 'pg_catalog.int4'::pg_catalog.regtype THEN 2147483647 ELSE 9223372036854775807 END)"
    };
}

/// Sequences, with the column that owns them (`deptype 'a'`: `serial`, or `OWNED BY`;
/// `deptype 'i'`: an identity column's, whose options are the column's). An identity column's
/// sequence comes back only when its options are not those Postgres gives one by default (the
/// rule of [`crate::model::IdentityOptions::defaults`]): a schema of 5,000 identity columns
/// otherwise cost 5,000 more rows, each printing its `regclass`, for nothing.
const SEQUENCES: &str = concat!(
    "SELECT n.nspname::text, c.relname::text, c.oid::regclass::text, \
        pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, \
        s.seqcycle, od.refobjid::int8, od.refobjsubid::int4, ot.relname::text, oa.attname::text, \
        coalesce(od.deptype = 'i', false) \
     FROM pg_catalog.pg_sequence s \
     JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_catalog.pg_depend od ON od.classid = 'pg_catalog.pg_class'::regclass AND od.objid = c.oid \
          AND od.refclassid = 'pg_catalog.pg_class'::regclass AND od.deptype IN ('a', 'i') \
     LEFT JOIN pg_catalog.pg_class ot ON ot.oid = od.refobjid \
     LEFT JOIN pg_catalog.pg_attribute oa ON oa.attrelid = od.refobjid AND oa.attnum = od.refobjsubid \
     WHERE n.nspname = ANY($1) \
       AND ",
    sequence_in_model!(),
    " AND c.oid NOT IN ",
    extension_tables!()
);

/// Tables outside the requested schemas that a foreign key references (`auth.users` from
/// `public.profiles` on Supabase): their names and column numbers. Run only when there are any.
/// Views and materialized views (not extension members), each deparsed by `pg_get_viewdef`,
/// which names what it reads relative to the search path, as defaults are.
const VIEWS: &str = concat!(
    "SELECT n.nspname::text, c.relname::text, c.relkind = 'm', pg_catalog.pg_get_viewdef(c.oid), \
        coalesce(c.reloptions, '{}')::text[], c.oid::int8 \
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY($1) AND c.oid NOT IN ",
    extension_tables!()
);

/// Triggers users wrote (not the internal ones behind foreign keys, not those of extension
/// tables, not the shadow-column trigger of an unfinished online type change, which shares
/// its name with its function and copies into a `__ss_new` column), as `pg_get_triggerdef`
/// prints them (the table always qualified): those on tables in scope, and those on tables
/// outside it that call a function in scope — the application's own trigger on a managed
/// table (Supabase's `on_auth_user_created` on `auth.users` calling `public.handle_new_user()`).
const TRIGGERS: &str = concat!(
    "SELECT n.nspname::text, c.relname::text, t.tgname::text, pg_catalog.pg_get_triggerdef(t.oid), \
        t.tgenabled::text \
     FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid \
     JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace \
     WHERE NOT t.tgisinternal AND (n.nspname = ANY($1) OR pn.nspname = ANY($1)) \
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend pd \
         WHERE pd.classid = 'pg_catalog.pg_trigger'::regclass AND pd.objid = t.oid AND pd.deptype = 'P') \
       AND NOT (p.proname = t.tgname AND p.prosrc LIKE '%\\_\\_ss\\_new%') AND c.oid NOT IN ",
    extension_tables!()
);

/// `schema.name` of the function whose oid is in column `$col` of `pg_aggregate a`, always
/// qualified (what `regproc` prints depends on the search path).
macro_rules! aggregate_support {
    ($col:literal) => {
        concat!(
            "(SELECT quote_ident(sn.nspname) || '.' || quote_ident(sp.proname) FROM pg_catalog.pg_proc sp \
              JOIN pg_catalog.pg_namespace sn ON sn.oid = sp.pronamespace WHERE sp.oid = a.",
            $col,
            ")"
        )
    };
}

/// Functions and procedures (not window functions, not extension members, not the trigger
/// function of an unfinished online type change), each printed whole by `pg_get_functiondef`;
/// then aggregates, whose statement is built here the way `pg_dump` builds it (the options that
/// differ from the defaults, support functions qualified).
const FUNCTIONS: &str = concat!(
    "SELECT n.nspname::text, p.proname::text, pg_catalog.pg_get_function_identity_arguments(p.oid), \
        pg_catalog.pg_get_function_arguments(p.oid), coalesce(pg_catalog.pg_get_function_result(p.oid), ''), \
        p.prokind = 'p', false, pg_catalog.pg_get_functiondef(p.oid) \
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
    WHERE p.prokind IN ('f', 'p') AND n.nspname = ANY($1) \
      AND NOT (p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype AND p.prosrc LIKE '%\\_\\_ss\\_new%') \
      AND p.oid NOT IN (SELECT e.objid FROM pg_catalog.pg_depend e \
        WHERE e.refclassid = 'pg_catalog.pg_extension'::regclass AND e.deptype = 'e' \
          AND e.classid = 'pg_catalog.pg_proc'::regclass) \
    UNION ALL \
    SELECT n.nspname::text, p.proname::text, pg_catalog.pg_get_function_identity_arguments(p.oid), \
        pg_catalog.pg_get_function_arguments(p.oid), coalesce(pg_catalog.pg_get_function_result(p.oid), ''), \
        false, true, \
        'CREATE OR REPLACE AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || \
        CASE WHEN p.pronargs = 0 THEN '*' ELSE pg_catalog.pg_get_function_arguments(p.oid) END || ') (' || \
        concat_ws(', ', 'SFUNC = ' || ",
    aggregate_support!("aggtransfn"),
    ", 'STYPE = ' || pg_catalog.format_type(a.aggtranstype, NULL), \
          CASE WHEN a.aggtransspace <> 0 THEN 'SSPACE = ' || a.aggtransspace END, \
          CASE WHEN a.aggfinalfn <> 0 THEN 'FINALFUNC = ' || ",
    aggregate_support!("aggfinalfn"),
    " END, \
          CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END, \
          CASE WHEN a.aggfinalmodify <> CASE a.aggkind WHEN 'n' THEN 'r' ELSE 'w' END \
            THEN 'FINALFUNC_MODIFY = ' || CASE a.aggfinalmodify WHEN 'r' THEN 'READ_ONLY' \
              WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END, \
          CASE WHEN a.aggcombinefn <> 0 THEN 'COMBINEFUNC = ' || ",
    aggregate_support!("aggcombinefn"),
    " END, \
          CASE WHEN a.aggserialfn <> 0 THEN 'SERIALFUNC = ' || ",
    aggregate_support!("aggserialfn"),
    " END, \
          CASE WHEN a.aggdeserialfn <> 0 THEN 'DESERIALFUNC = ' || ",
    aggregate_support!("aggdeserialfn"),
    " END, \
          CASE WHEN a.agginitval IS NOT NULL THEN 'INITCOND = ' || quote_literal(a.agginitval) END, \
          CASE WHEN a.aggmtransfn <> 0 THEN 'MSFUNC = ' || ",
    aggregate_support!("aggmtransfn"),
    " || ', MINVFUNC = ' || ",
    aggregate_support!("aggminvtransfn"),
    " || ', MSTYPE = ' || pg_catalog.format_type(a.aggmtranstype, NULL) END, \
          CASE WHEN a.aggmtransspace <> 0 THEN 'MSSPACE = ' || a.aggmtransspace END, \
          CASE WHEN a.aggmfinalfn <> 0 THEN 'MFINALFUNC = ' || ",
    aggregate_support!("aggmfinalfn"),
    " END, \
          CASE WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END, \
          CASE WHEN a.aggmtransfn <> 0 AND a.aggmfinalmodify <> CASE a.aggkind WHEN 'n' THEN 'r' ELSE 'w' END \
            THEN 'MFINALFUNC_MODIFY = ' || CASE a.aggmfinalmodify WHEN 'r' THEN 'READ_ONLY' \
              WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END, \
          CASE WHEN a.aggminitval IS NOT NULL THEN 'MINITCOND = ' || quote_literal(a.aggminitval) END, \
          CASE WHEN a.aggsortop <> 0 THEN (SELECT 'SORTOP = OPERATOR(' || quote_ident(on_.nspname) || '.' \
            || o.oprname || ')' FROM pg_catalog.pg_operator o \
            JOIN pg_catalog.pg_namespace on_ ON on_.oid = o.oprnamespace WHERE o.oid = a.aggsortop) END, \
          CASE WHEN a.aggkind = 'h' THEN 'HYPOTHETICAL' END, \
          CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = RESTRICTED' END) || ')' \
    FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid \
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
    WHERE n.nspname = ANY($1) \
      AND p.oid NOT IN (SELECT e.objid FROM pg_catalog.pg_depend e \
        WHERE e.refclassid = 'pg_catalog.pg_extension'::regclass AND e.deptype = 'e' \
          AND e.classid = 'pg_catalog.pg_proc'::regclass)"
);

/// Row-level security policies, with their roles by name (`public` for `PUBLIC`) and their
/// expressions deparsed.
const POLICIES: &str = concat!(
    "SELECT n.nspname::text, c.relname::text, p.polname::text, p.polcmd::text, p.polpermissive, \
        ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r)::text END \
              FROM unnest(p.polroles) r)::text[], \
        pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) \
     FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = ANY($1) AND c.oid NOT IN ",
    extension_tables!()
);

/// What the managed roles (`$2`) hold on the tables, views, materialized views, columns,
/// sequences, functions, procedures and schemas in scope, and what the database's default
/// privileges (`pg_default_acl`, global and per schema, for the object's owner) would give them
/// on such an object. Driven from the roles' side so it reads no more than it must: the
/// objects whose ACL names a managed role (`pg_shdepend`, indexed by role), plus the objects
/// whose owner and schema have default privileges for one (none on a plain server). Run only
/// when a managed role exists.
const GRANTS: &str = "\
    WITH roles AS (SELECT r.oid, r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname = ANY($2)), \
    dflt AS ( \
      SELECT d.defaclrole AS owner, d.defaclnamespace AS nsp, d.defaclobjtype::text AS dtype, x.grantee, \
             x.privilege_type::text AS privilege \
      FROM pg_catalog.pg_default_acl d, pg_catalog.aclexplode(d.defaclacl) x \
      WHERE x.grantee IN (SELECT oid FROM roles) \
    ), marked AS ( \
      SELECT s.classid, s.objid, s.objsubid FROM pg_catalog.pg_shdepend s \
      WHERE s.dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) \
        AND s.refclassid = 'pg_catalog.pg_authid'::regclass AND s.refobjid IN (SELECT oid FROM roles) \
        AND s.deptype = 'a' \
    ), rels AS ( \
      SELECT m.objid AS oid, m.objsubid AS sub FROM marked m WHERE m.classid = 'pg_catalog.pg_class'::regclass \
      UNION SELECT c.oid, 0 FROM (SELECT DISTINCT owner, nsp FROM dflt WHERE dtype IN ('r', 'S')) d \
        JOIN pg_catalog.pg_class c ON c.relowner = d.owner AND (d.nsp = 0 OR c.relnamespace = d.nsp) \
    ), procs AS ( \
      SELECT m.objid AS oid FROM marked m WHERE m.classid = 'pg_catalog.pg_proc'::regclass \
      UNION SELECT p.oid FROM (SELECT DISTINCT owner, nsp FROM dflt WHERE dtype = 'f') d \
        JOIN pg_catalog.pg_proc p ON p.proowner = d.owner AND (d.nsp = 0 OR p.pronamespace = d.nsp) \
    ), objs AS ( \
      SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized_view' \
               ELSE 'table' END AS kind, \
             n.nspname::text AS schema_name, NULL::text AS table_name, c.relname::text AS name, \
             NULL::text AS arguments, c.relacl AS acl, c.relowner AS owner, c.relnamespace AS nsp, \
             CASE c.relkind WHEN 'S' THEN 'S' ELSE 'r' END AS dtype \
      FROM rels JOIN pg_catalog.pg_class c ON c.oid = rels.oid \
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
      WHERE rels.sub = 0 AND c.relkind IN ('r', 'p', 'v', 'm', 'S') \
        AND n.nspname = ANY($1) \
      UNION ALL \
      SELECT 'column', n.nspname::text, c.relname::text, a.attname::text, NULL, a.attacl, c.relowner, \
             c.relnamespace, NULL \
      FROM rels JOIN pg_catalog.pg_attribute a ON a.attrelid = rels.oid AND a.attnum = rels.sub \
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
      WHERE rels.sub > 0 AND NOT a.attisdropped AND n.nspname = ANY($1) \
      UNION ALL \
      SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname::text, NULL, p.proname::text, \
             pg_catalog.pg_get_function_identity_arguments(p.oid), p.proacl, p.proowner, p.pronamespace, 'f' \
      FROM procs JOIN pg_catalog.pg_proc p ON p.oid = procs.oid \
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
      WHERE p.prokind IN ('f', 'p', 'a') AND n.nspname = ANY($1) \
      UNION ALL \
      SELECT 'schema', n.nspname::text, NULL, n.nspname::text, NULL, n.nspacl, n.nspowner, 0::oid, 'n' \
      FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY($1) \
    ) \
    SELECT o.kind, o.schema_name, o.table_name, o.name, o.arguments, r.rolname::text, \
      ARRAY(SELECT x.privilege_type::text FROM pg_catalog.aclexplode(o.acl) x WHERE x.grantee = r.oid), \
      ARRAY(SELECT x.privilege_type::text FROM pg_catalog.aclexplode(o.acl) x \
            WHERE x.grantee = r.oid AND x.is_grantable), \
      ARRAY(SELECT f.privilege FROM dflt f \
            WHERE f.owner = o.owner AND f.nsp IN (0, o.nsp) AND f.dtype = o.dtype AND f.grantee = r.oid) \
    FROM objs o CROSS JOIN roles r \
    WHERE o.acl IS NOT NULL OR EXISTS (SELECT 1 FROM dflt f \
      WHERE f.owner = o.owner AND f.nsp IN (0, o.nsp) AND f.dtype = o.dtype AND f.grantee = r.oid)";

/// One branch of [`COMMENTS`]: a comment on an object of a table (trigger, policy,
/// constraint) in catalog `$catalog`, whose table is `$rel` and name `$name`.
macro_rules! table_object_comment {
    ($kind:literal, $catalog:literal, $rel:literal, $name:literal) => {
        concat!(
            "SELECT '",
            $kind,
            "', n.nspname::text, c.relname::text, o.",
            $name,
            "::text, NULL \
             FROM pg_catalog.",
            $catalog,
            " o JOIN pg_catalog.pg_class c ON c.oid = o.",
            $rel,
            " \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE d.classoid = 'pg_catalog.",
            $catalog,
            "'::regclass AND o.oid = d.objoid"
        )
    };
}

/// Comments (`pg_description`) on the objects the model has, each named the way the model
/// names it; comments on extension members are left out with them. Only objects users made
/// (oid ≥ 16384, `FirstNormalObjectId`) are looked up: the thousands of comments on the
/// system's own objects made this query cost 130–220 ms instead of ~10.
const COMMENTS: &str = concat!(
    "SELECT x.kind, x.schema_name, x.table_name, x.name, x.arguments, d.description \
    FROM pg_catalog.pg_description d \
    JOIN LATERAL ( \
      SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized_view' WHEN 'S' THEN 'sequence' \
               WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' ELSE 'table' END AS kind, \
             n.nspname::text AS schema_name, NULL::text AS table_name, c.relname::text AS name, NULL::text AS arguments \
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
      WHERE d.classoid = 'pg_catalog.pg_class'::regclass AND c.oid = d.objoid AND d.objsubid = 0 \
        AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'I') \
      UNION ALL \
      SELECT 'column', n.nspname::text, c.relname::text, a.attname::text, NULL \
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid \
      WHERE d.classoid = 'pg_catalog.pg_class'::regclass AND c.oid = d.objoid AND d.objsubid > 0 \
      UNION ALL \
      SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, n.nspname::text, NULL, p.proname::text, \
             pg_catalog.pg_get_function_identity_arguments(p.oid) \
      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
      WHERE d.classoid = 'pg_catalog.pg_proc'::regclass AND p.oid = d.objoid AND p.prokind IN ('f', 'p', 'a') \
      UNION ALL ",
    table_object_comment!("trigger", "pg_trigger", "tgrelid", "tgname"),
    " UNION ALL ",
    table_object_comment!("policy", "pg_policy", "polrelid", "polname"),
    " UNION ALL ",
    table_object_comment!("constraint", "pg_constraint", "conrelid", "conname"),
    " UNION ALL \
      SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, n.nspname::text, NULL, t.typname::text, NULL \
      FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
      WHERE d.classoid = 'pg_catalog.pg_type'::regclass AND t.oid = d.objoid AND t.typtype IN ('e', 'd', 'c') \
    ) x ON true \
    WHERE d.objoid >= 16384 AND x.schema_name = ANY($1) \
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e \
        WHERE e.classid = d.classoid AND e.objid = d.objoid AND e.deptype = 'e')"
);

const FOREIGN_TARGETS: &str = "SELECT c.oid::int8, n.nspname::text, c.relname::text, a.attnum::int4, a.attname::text \
     FROM pg_catalog.pg_class c \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
     WHERE c.oid = ANY($1::int8[]::oid[])";

/// The schemas [`read`] reads: every family of `schemas`, but the table families (tables,
/// columns, defaults, constraints, indexes of tables, sequences) only of `tables` — all of
/// `schemas` but when a fleet of tenants is read once per kind
/// ([`super::postgres::introspect_tenants`]).
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub schemas: &'a [String],
    pub tables: &'a [String],
}

/// What a catalog query binds as `$1`.
pub(super) enum Bind<'a> {
    Schemas(&'a [String]),
    /// The tenant schemas whose tables are read (`$1`) and all the schemas (`$2`).
    TwoSchemas(&'a [String], &'a [String]),
    SchemasAndRoles(&'a [String], &'a [String]),
    Oids(&'a [i64]),
    ThreeOids(&'a [Vec<i64>; 3]),
}

/// Runs one catalog query as an unnamed statement, counting it, and hands each row to `f` as
/// it arrives: rows are streamed, never all held at once (a 5,000-table catalog is ~100k rows).
pub(super) async fn each(
    conn: &mut PgConnection,
    what: &str,
    sql: &'static str,
    bind: Bind<'_>,
    queries: &mut usize,
    mut f: impl FnMut(PgRow) -> sqlx::Result<()>,
) -> Result<()> {
    use futures_util::TryStreamExt;
    *queries += 1;
    let query = sqlx::query(sql).persistent(false);
    let query = match bind {
        Bind::Schemas(s) => query.bind(s),
        Bind::TwoSchemas(a, b) => query.bind(a).bind(b),
        Bind::SchemasAndRoles(s, r) => query.bind(s).bind(r),
        Bind::Oids(o) => query.bind(o),
        Bind::ThreeOids([a, b, c]) => query.bind(a).bind(b).bind(c),
    };
    let mut stream = query.fetch(&mut *conn);
    let context = || format!("reading {what} from the Postgres catalog");
    while let Some(row) = stream.try_next().await.map_err(|e| Error::postgres(context(), e))? {
        f(row).map_err(|e| Error::postgres(context(), e))?;
    }
    Ok(())
}

/// Column `i` of `row`. Decoded without the driver's per-value type check (a fifth of the
/// client's time on a 400,000-column catalog): every query casts each value to the exact type
/// its reader decodes, and a `NULL` still fails to decode into a non-`Option`.
pub(super) fn get<'r, T>(row: &'r PgRow, i: usize) -> sqlx::Result<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get_unchecked(i)
}

/// The numbers of an `int2vector`/`oidvector` text (`"1 0 3"`). Sent as text because their
/// array casts start at index 0, which the driver's array decoding refuses.
fn vector<T: std::str::FromStr>(text: Option<&str>) -> sqlx::Result<Vec<T>> {
    text.unwrap_or_default()
        .split_ascii_whitespace()
        .map(|n| n.parse().map_err(|_| sqlx::Error::Decode(format!("not a number vector: {text:?}").into())))
        .collect()
}

fn num(v: i32) -> i16 {
    i16::try_from(v).unwrap_or(i16::MAX)
}

/// Turns a row of a family read after the columns into a [`Later`].
type Decoder = fn(&PgRow) -> sqlx::Result<Later>;

/// A row of a family read after the columns, decoded: what the helper connection keeps until
/// the columns are in.
enum Later {
    Default(DefaultRow),
    Constraint(ConstraintRow),
    Index(IndexRow),
    Enum(EnumRow),
    Sequence(SequenceRow),
    View(ViewRow),
    Trigger(TriggerRow),
    Function(Function),
    Policy(Policy),
    Comment(Comment),
    Domain(Domain),
    Grant(Grant),
}

impl Later {
    fn apply(self, b: &mut Builder) {
        match self {
            Later::Default(r) => b.column_default(r),
            Later::Constraint(r) => b.constraint(r),
            Later::Index(r) => b.index(r),
            Later::Enum(r) => b.enum_type(r),
            Later::Sequence(r) => b.sequence(r),
            Later::View(r) => b.view(r),
            Later::Trigger(r) => b.trigger(r),
            Later::Function(f) => b.function(f),
            Later::Policy(p) => b.policy(p),
            Later::Comment(c) => b.comment(c),
            Later::Domain(d) => b.domain(d),
            Later::Grant(g) => b.grant(g),
        }
    }
}

/// Reads every catalog family of `schemas` into `b`, one query each, plus one for the text of
/// CHECKs, index predicates and defaults (one per distinct expression) and one for foreign-key targets
/// outside `schemas`, each only when there are any. Adds the number of queries to `queries`.
///
/// With a `helper` connection (which must see the same snapshot as `conn`: see
/// [`super::postgres::introspect_parallel`]), the families read after the columns (defaults,
/// constraints and indexes name columns by number) are fetched and decoded on it while `conn`
/// reads the tables and columns, and handed to `b` once the columns are in: two server
/// backends instead of one, for catalogs large enough to be worth it (a fleet of tenants).
pub(crate) async fn read(
    conn: &mut PgConnection,
    helper: Option<&mut PgConnection>,
    scope: Scope<'_>,
    roles: &[String],
    b: &mut Builder,
    queries: &mut usize,
) -> Result<()> {
    let Scope { schemas, tables } = scope;
    let s = || Bind::Schemas(schemas);
    let t = || Bind::Schemas(tables);
    // The table families read the tables of `tables` (the indexes also the materialized views
    // of `schemas`); the privileges query also binds the managed roles.
    let bind = |sql: &str| match sql {
        GRANTS => Bind::SchemasAndRoles(schemas, roles),
        DEFAULTS | CONSTRAINTS_PG15 | CONSTRAINTS_OLD | SEQUENCES => t(),
        INDEXES_PG15 | INDEXES_OLD => Bind::TwoSchemas(tables, schemas),
        _ => s(),
    };
    each(conn, "lookups", LOOKUPS, Bind::SchemasAndRoles(schemas, roles), queries, |r| on_lookup(b, &r)).await?;
    let pg15 = b.server_version() >= 150_000;
    let later: [(&str, &'static str, Decoder); 12] = [
        ("column defaults", DEFAULTS, |r| Ok(Later::Default(default_row(r)?))),
        ("constraints", if pg15 { CONSTRAINTS_PG15 } else { CONSTRAINTS_OLD }, |r| {
            Ok(Later::Constraint(constraint_row(r)?))
        }),
        ("indexes", if pg15 { INDEXES_PG15 } else { INDEXES_OLD }, |r| Ok(Later::Index(index_row(r)?))),
        ("enum types", ENUMS, |r| {
            Ok(Later::Enum(EnumRow { schema: get(r, 0)?, name: get(r, 1)?, labels: get(r, 2)? }))
        }),
        ("sequences", SEQUENCES, |r| Ok(Later::Sequence(sequence_row(r)?))),
        ("domains", DOMAINS, |r| {
            let names: Vec<String> = get(r, 6)?;
            let texts: Vec<String> = get(r, 7)?;
            Ok(Later::Domain(Domain {
                schema: Some(get(r, 0)?),
                name: get(r, 1)?,
                base: get(r, 2)?,
                collation: get(r, 3)?,
                default: get(r, 4)?,
                not_null: get(r, 5)?,
                checks: names
                    .into_iter()
                    .zip(texts)
                    .map(|(name, text)| DomainCheck { name, expr: super::postgres_build::check_body(&text) })
                    .collect(),
            }))
        }),
        ("views", VIEWS, |r| {
            Ok(Later::View(ViewRow {
                schema: get(r, 0)?,
                name: get(r, 1)?,
                materialized: get(r, 2)?,
                definition: get(r, 3)?,
                options: get(r, 4)?,
                oid: get(r, 5)?,
            }))
        }),
        ("triggers", TRIGGERS, |r| {
            Ok(Later::Trigger(TriggerRow {
                schema: get(r, 0)?,
                table: get(r, 1)?,
                name: get(r, 2)?,
                definition: get(r, 3)?,
                enabled: get(r, 4)?,
            }))
        }),
        ("functions", FUNCTIONS, |r| {
            Ok(Later::Function(Function {
                schema: Some(get(r, 0)?),
                name: get(r, 1)?,
                identity: get(r, 2)?,
                arguments: get(r, 3)?,
                returns: get(r, 4)?,
                procedure: get(r, 5)?,
                aggregate: get(r, 6)?,
                definition: crate::sql::collapse(get::<&str>(r, 7)?),
            }))
        }),
        ("policies", POLICIES, |r| {
            Ok(Later::Policy(Policy {
                schema: Some(get(r, 0)?),
                table: get(r, 1)?,
                name: get(r, 2)?,
                command: match get::<&str>(r, 3)? {
                    "r" => PolicyCommand::Select,
                    "a" => PolicyCommand::Insert,
                    "w" => PolicyCommand::Update,
                    "d" => PolicyCommand::Delete,
                    _ => PolicyCommand::All,
                },
                restrictive: !get::<bool>(r, 4)?,
                roles: get(r, 5)?,
                using: get(r, 6)?,
                with_check: get(r, 7)?,
            }))
        }),
        ("privileges", GRANTS, |r| {
            Ok(Later::Grant(Grant {
                on: object_ref(r)?,
                role: get(r, 5)?,
                privileges: get(r, 6)?,
                grantable: get(r, 7)?,
                default: get(r, 8)?,
            }))
        }),
        ("comments", COMMENTS, |r| Ok(Later::Comment(Comment { on: object_ref(r)?, text: get(r, 5)? }))),
    ];

    // Privileges only when a managed role exists here (none does on a plain server).
    let roles_exist = b.managed_roles_exist();
    let later: Vec<_> = later.into_iter().filter(|(_, sql, _)| roles_exist || *sql != GRANTS).collect();
    match helper {
        None => {
            each(conn, "tables", TABLES, t(), queries, |r| on_table(b, &r)).await?;
            each(conn, "columns", COLUMNS, t(), queries, |r| on_column(b, &r)).await?;
            b.columns_done();
            for (what, sql, decode) in later {
                each(conn, what, sql, bind(sql), queries, |r| {
                    decode(&r)?.apply(b);
                    Ok(())
                })
                .await?;
            }
        }
        Some(helper) => {
            // When only some schemas' tables are read (a fleet of tenants read once per kind),
            // `conn` has little to read: it takes the families that name no column by number
            // (views onwards) once its columns are in, the helper the rest.
            let split = match tables.len() < schemas.len() {
                true => later.iter().position(|(_, sql, _)| *sql == VIEWS).unwrap_or(later.len()),
                false => later.len(),
            };
            let (theirs, mine) = later.split_at(split);
            // Decoded rows go through a channel: those that arrive while the columns are read
            // wait in it, the rest are applied as they arrive.
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let mut helper_queries = 0;
            let fetched = async {
                for (what, sql, decode) in theirs {
                    // The receiver lives until this future is done.
                    each(helper, what, sql, bind(sql), &mut helper_queries, |r| Ok(_ = tx.send(decode(&r)?))).await?;
                }
                drop(tx);
                Ok::<_, Error>(())
            };
            let columns = async {
                each(conn, "tables", TABLES, t(), queries, |r| on_table(b, &r)).await?;
                each(conn, "columns", COLUMNS, t(), queries, |r| on_column(b, &r)).await?;
                b.columns_done();
                for (what, sql, decode) in mine {
                    each(conn, what, sql, bind(sql), queries, |r| {
                        decode(&r)?.apply(b);
                        Ok(())
                    })
                    .await?;
                }
                while let Some(row) = rx.recv().await {
                    row.apply(b);
                }
                Ok::<_, Error>(())
            };
            let (fetched, columns) = tokio::join!(fetched, columns);
            fetched?;
            columns?;
            *queries += helper_queries;
        }
    }

    let wanted = b.to_deparse();
    if wanted.iter().any(|oids| !oids.is_empty()) {
        each(conn, "expressions", EXPRESSION_TEXTS, Bind::ThreeOids(&wanted), queries, |r| {
            let of = match get::<&str>(&r, 0)? {
                "c" => ExprOf::Check,
                "i" => ExprOf::IndexPredicate,
                _ => ExprOf::Default,
            };
            b.deparsed(of, get(&r, 1)?, get(&r, 2)?);
            Ok(())
        })
        .await?;
    }

    let outside = b.foreign_targets_needed();
    if !outside.is_empty() {
        each(conn, "foreign-key targets", FOREIGN_TARGETS, Bind::Oids(&outside), queries, |r| {
            b.foreign_target(ForeignTargetRow {
                oid: get(&r, 0)?,
                schema: get(&r, 1)?,
                name: get(&r, 2)?,
                num: num(get(&r, 3)?),
                column: get(&r, 4)?,
            });
            Ok(())
        })
        .await?;
    }
    Ok(())
}

/// The object a row of the comments or privileges query is on: kind, schema, table, name and
/// argument types in its first five columns.
fn object_ref(r: &PgRow) -> sqlx::Result<ObjectRef> {
    Ok(ObjectRef {
        kind: object_kind(get(r, 0)?),
        schema: Some(get(r, 1)?),
        table: get(r, 2)?,
        name: get(r, 3)?,
        arguments: get(r, 4)?,
    })
}

/// The object kind a catalog query names in its first column.
fn object_kind(kind: &str) -> ObjectKind {
    match kind {
        "view" => ObjectKind::View,
        "materialized_view" => ObjectKind::MaterializedView,
        "sequence" => ObjectKind::Sequence,
        "index" => ObjectKind::Index,
        "column" => ObjectKind::Column,
        "function" => ObjectKind::Function,
        "procedure" => ObjectKind::Procedure,
        "trigger" => ObjectKind::Trigger,
        "policy" => ObjectKind::Policy,
        "constraint" => ObjectKind::Constraint,
        "type" => ObjectKind::Type,
        "domain" => ObjectKind::Domain,
        "schema" => ObjectKind::Schema,
        _ => ObjectKind::Table,
    }
}

fn on_lookup(b: &mut Builder, r: &PgRow) -> sqlx::Result<()> {
    let kind: &str = get(r, 0)?;
    let oid: i64 = get(r, 1)?;
    b.lookup(match kind {
        "v" => LookupRow::Version(u32::try_from(oid).unwrap_or(0)),
        "c" => LookupRow::Collation {
            oid,
            name: get(r, 2)?,
            schema: get(r, 3)?,
            deterministic: get(r, 4)?,
            details: get(r, 5)?,
        },
        "k" => LookupRow::Composite { name: get(r, 2)?, schema: get(r, 3)?, attributes: get(r, 5)? },
        "o" => LookupRow::Opclass { oid, name: get(r, 2)?, is_default: get(r, 4)? },
        "s" => LookupRow::Namespace { name: get(r, 2)? },
        "r" => LookupRow::Role,
        "x" => LookupRow::Extension { name: get(r, 2)?, schema: get(r, 3)?, version: get(r, 5)? },
        _ => LookupRow::Type {
            oid,
            name: get(r, 2)?,
            schema: get(r, 3)?,
            kind: get(r, 5)?,
            collation: get(r, 6)?,
            elem: get(r, 7)?,
        },
    });
    Ok(())
}

fn on_table(b: &mut Builder, r: &PgRow) -> sqlx::Result<()> {
    b.table(TableRow {
        oid: get(r, 0)?,
        schema: get(r, 1)?,
        name: get(r, 2)?,
        columns: usize::try_from(get::<i32>(r, 3)?).unwrap_or(0),
        row_security: RowSecurity { enabled: get(r, 4)?, forced: get(r, 5)? },
        partition_by: get(r, 6)?,
        partition_of: get::<Option<Vec<String>>>(r, 7)?.and_then(|p| match <[String; 3]>::try_from(p) {
            Ok([schema, table, bound]) => Some(PartitionOf { schema: Some(schema), table, bound }),
            Err(_) => None,
        }),
        parents: get::<Option<Vec<i64>>>(r, 8)?.unwrap_or_default(),
    });
    Ok(())
}

fn on_column(b: &mut Builder, r: &PgRow) -> sqlx::Result<()> {
    b.column(ColumnRow {
        table_oid: get(r, 0)?,
        num: num(get(r, 1)?),
        name: get(r, 2)?,
        type_text: get(r, 3)?,
        type_oid: get(r, 4)?,
        not_null: get(r, 5)?,
        identity: get(r, 6)?,
        generated: get(r, 7)?,
        collation: get(r, 8)?,
        local: get(r, 9)?,
    });
    Ok(())
}

fn default_row(r: &PgRow) -> sqlx::Result<DefaultRow> {
    Ok(DefaultRow { table_oid: get(r, 0)?, num: num(get(r, 1)?), oid: get(r, 2)?, tree: get(r, 3)? })
}

fn constraint_row(r: &PgRow) -> sqlx::Result<ConstraintRow> {
    Ok(ConstraintRow {
        table_oid: get(r, 0)?,
        name: get(r, 1)?,
        kind: get(r, 2)?,
        columns: get::<Option<Vec<i16>>>(r, 3)?.unwrap_or_default(),
        ref_oid: get(r, 4)?,
        ref_columns: get::<Option<Vec<i16>>>(r, 5)?.unwrap_or_default(),
        on_update: get(r, 6)?,
        on_delete: get(r, 7)?,
        match_type: get(r, 8)?,
        deferrable: get(r, 9)?,
        deferred: get(r, 10)?,
        no_inherit: get(r, 11)?,
        oid: get(r, 12)?,
        body: get(r, 13)?,
        nulls_not_distinct: get::<Option<bool>>(r, 14)?.unwrap_or(false),
        validated: get(r, 15)?,
    })
}

fn index_row(r: &PgRow) -> sqlx::Result<IndexRow> {
    Ok(IndexRow {
        table_oid: get(r, 0)?,
        name: get(r, 1)?,
        unique: get(r, 2)?,
        predicate: get(r, 3)?,
        method: get(r, 4)?,
        key_count: usize::try_from(get::<i32>(r, 5)?).unwrap_or(0),
        nulls_not_distinct: get(r, 6)?,
        columns: vector(get(r, 7)?)?,
        options: vector(get(r, 8)?)?,
        collations: vector(get(r, 9)?)?,
        opclasses: vector(get(r, 10)?)?,
        valid: get(r, 11)?,
        key_texts: get(r, 12)?,
        oid: get(r, 13)?,
        with: get(r, 14)?,
        attached_to: get(r, 15)?,
        materialized_view: get(r, 16)?,
        predicate_text: get(r, 17)?,
    })
}

fn sequence_row(r: &PgRow) -> sqlx::Result<SequenceRow> {
    let owner_oid: Option<i64> = get(r, 10)?;
    let owner_num: Option<i32> = get(r, 11)?;
    let owner_table: Option<String> = get(r, 12)?;
    let owner_column: Option<String> = get(r, 13)?;
    Ok(SequenceRow {
        schema: get(r, 0)?,
        name: get(r, 1)?,
        reg_name: get(r, 2)?,
        type_text: get(r, 3)?,
        start: get(r, 4)?,
        increment: get(r, 5)?,
        min: get(r, 6)?,
        max: get(r, 7)?,
        cache: get(r, 8)?,
        cycle: get(r, 9)?,
        owner: match (owner_oid, owner_num, owner_table, owner_column) {
            (Some(o), Some(n), Some(t), Some(c)) => Some((o, num(n), t, c)),
            _ => None,
        },
        identity: get(r, 14)?,
    })
}
