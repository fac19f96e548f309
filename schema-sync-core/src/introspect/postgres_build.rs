//! Turns Postgres catalog rows into the model, one row at a time as they stream in from
//! the catalog queries (`postgres_queries.rs`). Pure: no connection, no clock.
//!
//! The model is filled so that two databases built from the same DDL compare equal field by
//! field: types go through [`crate::types::postgres::parse`] of `format_type`, enum columns
//! become [`SqlType::Enum`], a `nextval()` default of a sequence the column owns becomes
//! [`Identity::Serial`], and expressions are kept exactly as the catalog prints them. Column
//! numbers in keys are turned into names from the columns read before them.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use super::postgres_rows::{
    ColumnRow, ConstraintRow, DefaultRow, EnumRow, ForeignTargetRow, IndexRow, LookupRow, SequenceRow, TableRow,
    TriggerRow, ViewRow,
};
use super::IntrospectOptions;
use crate::model::{
    Check, Collation, Column, Comment, CompositeAttribute, CompositeType, Deferrable, Domain, EnumType, Exclusion,
    Extension, FkAction, ForeignKey, Function, Generated, Grant, Identity, IdentityOptions, Index, IndexKey, KeyTarget,
    Parent, Policy, PrimaryKey, Schema, Sequence, SequenceOwner, Table, Trigger, TriggerFiring, Unique, View,
};
use crate::types::{Dialect, SqlType};

/// `pg_collation` oid of the database default collation (`"default"`).
const DEFAULT_COLLATION: i64 = 100;

/// A type a column may need more than its `format_type` text for.
struct TypeInfo {
    /// `typtype`: `e` enum, `d` domain, `b` base (a collatable one, or an array of an enum).
    kind: u8,
    name: String,
    schema: String,
    /// `typcollation`: a column whose collation differs from it has its own.
    collation: i64,
    /// `typelem` (arrays).
    elem: i64,
}

/// A table being filled.
struct TableBuild {
    table: Table,
    /// `attnum` of each column, parallel to `table.columns`, sorted once all columns are in.
    nums: Vec<i16>,
    /// `attcollation` of each column, parallel to `table.columns`.
    collations: Vec<i64>,
}

impl TableBuild {
    fn position(&self, num: i16) -> Option<usize> {
        self.nums.binary_search(&num).ok()
    }

    fn column_name(&self, num: i16) -> String {
        self.position(num).map(|i| self.table.columns[i].name.clone()).unwrap_or_default()
    }
}

/// A table outside the requested schemas that a foreign key references.
#[derive(Default)]
struct OutsideTable {
    schema: String,
    name: String,
    columns: HashMap<i16, String>,
}

/// A foreign key whose referenced table was not among the tables read.
struct PendingForeignKey {
    table: usize,
    foreign_key: ForeignKey,
    ref_oid: i64,
    ref_nums: Vec<i16>,
}

/// Collects catalog rows into a [`Schema`]. Feed it in query order (lookups, tables, columns,
/// then the rest), then call [`Builder::finish`].
#[derive(Default)]
pub(crate) struct Builder {
    version: u32,
    collations: FastMap<i64, String>,
    opclasses: HashMap<i64, (String, bool)>,
    types: FastMap<i64, TypeInfo>,
    /// `format_type` text → parsed type: a schema has few distinct spellings and many columns.
    parsed: FastMap<String, SqlType>,
    tables: Vec<TableBuild>,
    by_oid: FastMap<i64, usize>,
    enums: Vec<EnumType>,
    sequences: Vec<SequenceRow>,
    views: Vec<View>,
    /// View oid → position in `views`.
    view_oids: FastMap<i64, usize>,
    /// Materialized views' indexes by view oid (the views arrive after the indexes).
    view_indexes: Vec<(i64, Index)>,
    triggers: Vec<Trigger>,
    functions: Vec<Function>,
    policies: Vec<Policy>,
    comments: Vec<Comment>,
    domains: Vec<Domain>,
    composites: Vec<CompositeType>,
    /// Collations defined in the requested schemas (`collations` names every collation).
    user_collations: Vec<Collation>,
    extensions: Vec<Extension>,
    grants: Vec<Grant>,
    /// A managed role exists on the server (its privileges are read only then).
    roles: bool,
    pending: Vec<PendingForeignKey>,
    /// Tables with parents under inheritance: (table, parent oids).
    parents: Vec<(usize, Vec<i64>)>,
    outside: HashMap<i64, OutsideTable>,
    /// Requested schemas that exist.
    namespaces: HashSet<String>,
    /// CHECKs and index predicates waiting for their text.
    deparse: Deparse,
}

/// What an expression read as a node tree belongs to (see [`Deparse`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExprOf {
    /// A CHECK constraint (`pg_constraint.conbin`, deparsed by `pg_get_constraintdef`).
    Check,
    /// A partial index's `WHERE` (`pg_index.indpred`, deparsed by `pg_get_expr`).
    IndexPredicate,
    /// A column default or generation expression (`pg_attrdef.adbin`, deparsed by
    /// `pg_get_expr`).
    Default,
}

/// Expressions on a table, grouped by what their deparsed text depends on: the node tree
/// (which holds type and function oids, not names), the table's name (a whole-row reference
/// prints it) and the names of the columns the tree reads (its `:varattno`s). Equal keys
/// deparse to equal text, so each group is deparsed once: 1,000 tenants with the same 20
/// CHECKs and 5 partial indexes cost 25 deparse calls, not 25,000 (each call opens its table's
/// catalog entries, which on a fresh connection cost more than the rest of the query).
#[derive(Default)]
struct Deparse {
    /// Per [`ExprOf`]: node tree → (table name, column names) → group.
    by_key: [TreeGroups; 3],
    /// Per [`ExprOf`]: the object whose text stands for a group → the group.
    by_oid: [FastMap<i64, usize>; 3],
    /// Per group: the object whose text stands for it, and every (table, check or index) in it.
    groups: Vec<DeparseGroup>,
}

/// Node tree → (table name, column names) → group.
type TreeGroups = FastMap<String, FastMap<(String, Vec<String>), usize>>;

/// The builder's maps: one lookup or more per catalog row (400,000 rows for 1,000 tenants),
/// where SipHash was a tenth of the client's time. Keys are oids and texts the server sends,
/// so the hash needs speed, not resistance to chosen keys.
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// A multiply-rotate hash (the one rustc uses for its own tables), a word at a time.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_i64(&mut self, n: i64) {
        self.add(n as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

/// What a group is, the object whose text stands for it, and where each member goes (table,
/// then the check, index or column).
type DeparseGroup = (ExprOf, i64, Vec<(usize, usize)>);

impl Deparse {
    /// Adds the expression `tree` of object `oid`, at `at` (table, position), to its group.
    fn add(&mut self, of: ExprOf, tree: &str, table: &TableBuild, oid: i64, at: (usize, usize)) {
        let columns = tree_columns(tree).into_iter().map(|n| table.column_name(n)).collect();
        // Without a column reference (`{VAR`, a whole-row one too) the text is the table's
        // business no more: `DEFAULT now()` of every table is one group.
        let table_name = if tree.contains("{VAR ") { table.table.name.clone() } else { String::new() };
        let by_tree = match self.by_key[of as usize].get_mut(tree) {
            Some(m) => m,
            None => self.by_key[of as usize].entry(tree.to_string()).or_default(),
        };
        let group = *by_tree.entry((table_name, columns)).or_insert_with(|| {
            self.by_oid[of as usize].insert(oid, self.groups.len());
            self.groups.push((of, oid, Vec::new()));
            self.groups.len() - 1
        });
        self.groups[group].2.push(at);
    }

    /// The objects to deparse, per [`ExprOf`].
    fn wanted(&self, of: ExprOf) -> Vec<i64> {
        self.groups.iter().filter(|g| g.0 == of).map(|g| g.1).collect()
    }
}

/// The column numbers a node tree reads (`:varattno N`, in order of appearance, once each).
fn tree_columns(tree: &str) -> Vec<i16> {
    let mut nums = Vec::new();
    for part in tree.split(":varattno ").skip(1) {
        let digits = part.bytes().take_while(|b| b.is_ascii_digit() || *b == b'-').count();
        if let Ok(n) = part[..digits].parse::<i16>() {
            if !nums.contains(&n) {
                nums.push(n);
            }
        }
    }
    nums
}

impl Builder {
    /// The schemas of `wanted` that do not exist on the server.
    pub(crate) fn missing_schemas<'a>(&self, wanted: &'a [String]) -> Vec<&'a str> {
        wanted.iter().filter(|s| !self.namespaces.contains(s.as_str())).map(String::as_str).collect()
    }

    /// `true` when a managed role exists on the server (known once the lookups are read).
    pub(crate) fn managed_roles_exist(&self) -> bool {
        self.roles
    }

    /// The server's `server_version_num` (0 until the lookups are read).
    pub(crate) fn server_version(&self) -> u32 {
        self.version
    }

    pub(crate) fn lookup(&mut self, row: LookupRow<'_>) {
        match row {
            LookupRow::Version(v) => self.version = v,
            LookupRow::Collation { oid, name, schema, deterministic, details } => {
                self.collations.insert(oid, name.to_string());
                if let (Some(schema), Some(details)) = (schema, details) {
                    let d: Vec<Option<String>> = serde_json::from_str(details).unwrap_or_default();
                    let at = |i: usize| d.get(i).cloned().flatten();
                    let provider = match at(0).as_deref() {
                        Some("i") => "icu",
                        Some("b") => "builtin",
                        Some("d") => "default",
                        _ => "libc",
                    };
                    let libc = provider == "libc";
                    self.user_collations.push(Collation {
                        schema: Some(schema.to_string()),
                        name: name.to_string(),
                        provider: provider.to_string(),
                        locale: at(1).filter(|_| !libc),
                        lc_collate: at(2).filter(|_| libc),
                        lc_ctype: at(3).filter(|_| libc),
                        deterministic,
                    });
                }
            }
            LookupRow::Composite { name, schema, attributes } => {
                let attrs: Vec<(String, String, Option<String>)> =
                    attributes.and_then(|a| serde_json::from_str(a).ok()).unwrap_or_default();
                self.composites.push(CompositeType {
                    schema: Some(schema.to_string()),
                    name: name.to_string(),
                    attributes: attrs
                        .into_iter()
                        .map(|(name, ty, collation)| CompositeAttribute { name, ty, collation })
                        .collect(),
                });
            }
            LookupRow::Opclass { oid, name, is_default } => {
                self.opclasses.insert(oid, (name.to_string(), is_default));
            }
            LookupRow::Namespace { name } => {
                self.namespaces.insert(name.to_string());
            }
            LookupRow::Role => self.roles = true,
            LookupRow::Extension { name, schema, version } => self.extensions.push(Extension {
                name: name.to_string(),
                schema: Some(schema.to_string()),
                version: Some(version.to_string()),
            }),
            LookupRow::Type { oid, name, schema, kind, collation, elem } => {
                let kind = kind.bytes().next().unwrap_or(b'b');
                self.types.insert(
                    oid,
                    TypeInfo { kind, name: name.to_string(), schema: schema.to_string(), collation, elem },
                );
            }
        }
    }

    pub(crate) fn table(&mut self, row: TableRow) {
        let mut table = Table::new(row.name);
        table.schema = Some(row.schema);
        table.row_security = row.row_security;
        table.partition_by = row.partition_by;
        table.partition_of = row.partition_of;
        table.columns.reserve_exact(row.columns);
        if !row.parents.is_empty() {
            self.parents.push((self.tables.len(), row.parents));
        }
        self.by_oid.insert(row.oid, self.tables.len());
        self.tables.push(TableBuild {
            table,
            nums: Vec::with_capacity(row.columns),
            collations: Vec::with_capacity(row.columns),
        });
    }

    pub(crate) fn column(&mut self, row: ColumnRow<'_>) {
        let Some(&t) = self.by_oid.get(&row.table_oid) else { return };
        let ty = self.column_type(row.type_oid, row.type_text);
        let mut col = Column::new(row.name, ty);
        col.nullable = !row.not_null;
        // A partition's columns are all its parent's: listed as its own (see `PartitionOf`).
        col.inherited = !row.local && self.tables[t].table.partition_of.is_none();
        let type_collation = self.types.get(&row.type_oid).map_or(0, |t| t.collation);
        if row.collation != type_collation {
            col.collation = self.collations.get(&row.collation).cloned();
        }
        if let "s" | "v" = row.generated {
            // The expression arrives with the defaults: Postgres keeps it in pg_attrdef.
            col.generated = Some(Generated { expr: String::new(), stored: row.generated == "s" });
        }
        col.identity = match row.identity {
            "a" => Some(Identity::Always),
            "d" => Some(Identity::ByDefault),
            _ => None,
        };
        let t = &mut self.tables[t];
        t.table.columns.push(col);
        t.nums.push(row.num);
        t.collations.push(row.collation);
    }

    /// Orders every table's columns by number: the query does not sort (a sort of every
    /// column of every table costs more than the scan).
    pub(crate) fn columns_done(&mut self) {
        for t in &mut self.tables {
            if t.nums.is_sorted() {
                continue;
            }
            let mut order: Vec<usize> = (0..t.nums.len()).collect();
            order.sort_by_key(|&i| t.nums[i]);
            let mut columns: Vec<Option<Column>> = t.table.columns.drain(..).map(Some).collect();
            t.table.columns = order.iter().filter_map(|&i| columns[i].take()).collect();
            t.nums = order.iter().map(|&i| t.nums[i]).collect();
            t.collations = order.iter().map(|&i| t.collations[i]).collect();
        }
    }

    fn column_type(&mut self, oid: i64, text: &str) -> SqlType {
        let enum_of = |t: &TypeInfo| SqlType::Enum { schema: Some(t.schema.clone()), name: t.name.clone() };
        match self.types.get(&oid) {
            Some(t) if t.kind == b'e' => return enum_of(t),
            // A domain keeps its own name; its base type is the domain's business.
            Some(t) if t.kind == b'd' => return SqlType::Other { dialect: Dialect::Postgres, raw: text.to_string() },
            Some(t) => {
                if let Some(e) = self.types.get(&t.elem).filter(|e| e.kind == b'e') {
                    return SqlType::Array { element: Box::new(enum_of(e)) };
                }
            }
            None => {}
        }
        if let Some(ty) = self.parsed.get(text) {
            return ty.clone();
        }
        let ty = parse_type(text);
        self.parsed.insert(text.to_string(), ty.clone());
        ty
    }

    pub(crate) fn column_default(&mut self, row: DefaultRow) {
        let Some(&ti) = self.by_oid.get(&row.table_oid) else { return };
        let Some(i) = self.tables[ti].position(row.num) else { return };
        self.deparse.add(ExprOf::Default, &row.tree, &self.tables[ti], row.oid, (ti, i));
    }

    pub(crate) fn constraint(&mut self, row: ConstraintRow) {
        let Some(&ti) = self.by_oid.get(&row.table_oid) else { return };
        let t = &self.tables[ti];
        let columns: Vec<String> = row.columns.iter().map(|&n| t.column_name(n)).collect();
        let name = Some(row.name);
        let deferrable = deferrable(row.deferrable, row.deferred);
        let table = &mut self.tables[ti].table;
        match row.kind.as_str() {
            "p" => table.primary_key = Some(PrimaryKey { name, columns, deferrable }),
            "u" => table.uniques.push(Unique { name, columns, nulls_not_distinct: row.nulls_not_distinct, deferrable }),
            "f" => {
                let foreign_key = ForeignKey {
                    name,
                    columns,
                    ref_schema: None,
                    ref_table: String::new(),
                    ref_columns: Vec::new(),
                    on_delete: fk_action(&row.on_delete),
                    on_update: fk_action(&row.on_update),
                    deferrable,
                    match_full: row.match_type == "f",
                    not_valid: !row.validated,
                };
                self.pending.push(PendingForeignKey {
                    table: ti,
                    foreign_key,
                    ref_oid: row.ref_oid,
                    ref_nums: row.ref_columns,
                });
            }
            "c" => {
                let at = (ti, table.checks.len());
                self.deparse.add(ExprOf::Check, row.body.as_deref().unwrap_or_default(), &self.tables[ti], row.oid, at);
                let table = &mut self.tables[ti].table;
                table.checks.push(Check {
                    name,
                    expr: String::new(),
                    no_inherit: row.no_inherit,
                    not_valid: !row.validated,
                });
            }
            "x" => {
                let def = row.body.unwrap_or_default();
                let definition = def.strip_prefix("EXCLUDE ").unwrap_or(&def).to_string();
                table.exclusions.push(Exclusion { name, definition });
            }
            // NOT NULL (PG 18 'n') and trigger ('t') constraints are filtered by the query;
            // nothing else exists.
            _ => {}
        }
    }

    /// An index of a materialized view: its columns are named from the key texts (the view's
    /// columns are not read).
    fn view_index(&mut self, row: IndexRow) {
        let texts = row.key_texts.clone().unwrap_or_default();
        let text = |k: usize| texts.get(k).cloned().unwrap_or_default();
        let keys = self.index_keys(&row, |k, num| {
            let target = if num == 0 {
                KeyTarget::Expression(text(k))
            } else {
                KeyTarget::Column(crate::sql::unquote_ident(&text(k)))
            };
            (target, None)
        });
        let key_count = keys.len();
        let include = (key_count..row.columns.len()).map(|k| crate::sql::unquote_ident(&text(k))).collect();
        let index = Index {
            name: row.name,
            keys,
            unique: row.unique,
            predicate: row.predicate_text,
            method: if row.method == "btree" { None } else { Some(row.method) },
            include,
            nulls_not_distinct: row.nulls_not_distinct,
            with: storage_options(&row.with),
            invalid: !row.valid,
        };
        self.view_indexes.push((row.table_oid, index));
    }

    /// The keys of an index: `target` gives key `k` (column number `num`) its target and, for
    /// a column, the column's collation (a key with it names none).
    fn index_keys(&self, row: &IndexRow, target: impl Fn(usize, i16) -> (KeyTarget, Option<i64>)) -> Vec<IndexKey> {
        let key_count = row.key_count.min(row.columns.len());
        let mut keys = Vec::with_capacity(key_count);
        for (k, &num) in row.columns[..key_count].iter().enumerate() {
            let (target, column_collation) = target(k, num);
            let opt = row.options.get(k).copied().unwrap_or(0);
            let descending = opt & 1 != 0;
            // Only when it differs from the direction's default (ASC → NULLS LAST, DESC → NULLS FIRST).
            let nulls_first = match (descending, opt & 2 != 0) {
                (false, true) => Some(true),
                (true, false) => Some(false),
                _ => None,
            };
            let collation = match row.collations.get(k).copied().unwrap_or(0) {
                0 => None,
                c if column_collation.is_none() && c == DEFAULT_COLLATION => None,
                c if column_collation == Some(c) => None,
                c => self.collations.get(&c).cloned(),
            };
            let opclass = row
                .opclasses
                .get(k)
                .and_then(|oid| self.opclasses.get(oid))
                .filter(|(_, is_default)| !is_default)
                .map(|(name, _)| name.clone());
            keys.push(IndexKey { target, descending, nulls_first, collation, opclass });
        }
        keys
    }

    pub(crate) fn index(&mut self, row: IndexRow) {
        if row.materialized_view {
            return self.view_index(row);
        }
        let Some(&ti) = self.by_oid.get(&row.table_oid) else { return };
        if let Some(parent) = row.attached_to {
            self.tables[ti].table.partition_indexes.insert(parent, row.name);
            return;
        }
        let t = &self.tables[ti];
        let key_count = row.key_count.min(row.columns.len());
        let keys = self.index_keys(&row, |k, num| {
            if num == 0 {
                let text = row.key_texts.as_ref().and_then(|texts| texts.get(k)).cloned().unwrap_or_default();
                (KeyTarget::Expression(text), None)
            } else {
                (KeyTarget::Column(t.column_name(num)), t.position(num).map(|i| t.collations[i]))
            }
        });
        let include = row.columns[key_count..].iter().map(|&n| t.column_name(n)).collect();
        if let Some(tree) = &row.predicate {
            let at = (ti, self.tables[ti].table.indexes.len());
            self.deparse.add(ExprOf::IndexPredicate, tree, &self.tables[ti], row.oid, at);
        }
        let index = Index {
            name: row.name,
            keys,
            unique: row.unique,
            predicate: row.predicate.map(|_| String::new()),
            method: if row.method == "btree" { None } else { Some(row.method) },
            include,
            nulls_not_distinct: row.nulls_not_distinct,
            with: storage_options(&row.with),
            invalid: !row.valid,
        };
        self.tables[ti].table.indexes.push(index);
    }

    pub(crate) fn enum_type(&mut self, row: EnumRow) {
        self.enums.push(EnumType { schema: Some(row.schema), name: row.name, values: row.labels });
    }

    pub(crate) fn sequence(&mut self, row: SequenceRow) {
        self.sequences.push(row);
    }

    pub(crate) fn view(&mut self, row: ViewRow) {
        let mut view = View::new(row.name, crate::sql::collapse(&row.definition));
        view.schema = Some(row.schema);
        view.materialized = row.materialized;
        view.options = storage_options(&row.options);
        self.view_oids.insert(row.oid, self.views.len());
        self.views.push(view);
    }

    pub(crate) fn comment(&mut self, c: Comment) {
        self.comments.push(c);
    }

    /// A role's privileges on an object: kept only where they differ from the defaults.
    pub(crate) fn grant(&mut self, g: Grant) {
        let mut g = g;
        for v in [&mut g.privileges, &mut g.grantable, &mut g.default] {
            v.sort();
            v.dedup();
        }
        if !g.is_default() {
            self.grants.push(g);
        }
    }

    pub(crate) fn domain(&mut self, d: Domain) {
        self.domains.push(d);
    }

    pub(crate) fn policy(&mut self, p: Policy) {
        self.policies.push(p);
    }

    pub(crate) fn function(&mut self, f: Function) {
        self.functions.push(f);
    }

    pub(crate) fn trigger(&mut self, row: TriggerRow) {
        self.triggers.push(Trigger {
            schema: Some(row.schema),
            table: row.table,
            name: row.name,
            definition: crate::sql::collapse(&row.definition),
            written_for: None,
            fires: TriggerFiring::from_catalog(&row.enabled),
        });
    }

    /// The objects whose text is needed, one per group of expressions that deparse alike:
    /// CHECKs (constraint oids), partial indexes (index oids), defaults (`pg_attrdef` oids).
    pub(crate) fn to_deparse(&self) -> [Vec<i64>; 3] {
        [ExprOf::Check, ExprOf::IndexPredicate, ExprOf::Default].map(|of| self.deparse.wanted(of))
    }

    /// The deparsed text of `oid`'s expression (`pg_get_constraintdef` of a CHECK, `pg_get_expr`
    /// of an index predicate), given to every expression of its group.
    pub(crate) fn deparsed(&mut self, of: ExprOf, oid: i64, text: &str) {
        let Some(&g) = self.deparse.by_oid[of as usize].get(&oid) else { return };
        let text = match of {
            ExprOf::Check => check_body(text),
            ExprOf::IndexPredicate | ExprOf::Default => text.to_string(),
        };
        for &(ti, i) in &self.deparse.groups[g].2 {
            let table = &mut self.tables[ti].table;
            match of {
                ExprOf::Check => table.checks[i].expr = text.clone(),
                ExprOf::IndexPredicate => table.indexes[i].predicate = Some(text.clone()),
                ExprOf::Default => match &mut table.columns[i].generated {
                    Some(g) => g.expr = text.clone(),
                    None => table.columns[i].default = Some(text.clone()),
                },
            }
        }
    }

    /// Oids of referenced tables that were not read (outside the requested schemas).
    pub(crate) fn foreign_targets_needed(&self) -> Vec<i64> {
        let mut oids: Vec<i64> =
            self.pending.iter().map(|p| p.ref_oid).filter(|oid| !self.by_oid.contains_key(oid)).collect();
        oids.sort_unstable();
        oids.dedup();
        oids
    }

    pub(crate) fn foreign_target(&mut self, row: ForeignTargetRow) {
        let t = self.outside.entry(row.oid).or_default();
        t.schema = row.schema;
        t.name = row.name;
        t.columns.insert(row.num, row.column);
    }

    /// The schema: foreign keys resolved, serial columns recognised, excluded tables left out,
    /// everything in [`Schema::normalize`] order.
    pub(crate) fn finish(mut self, opts: &IntrospectOptions) -> Schema {
        // Foreign keys: referenced table and column names.
        for p in std::mem::take(&mut self.pending) {
            let mut fk = p.foreign_key;
            let (ref_schema, ref_table, ref_columns) = match self.by_oid.get(&p.ref_oid) {
                Some(&r) => {
                    let r = &self.tables[r];
                    let names = p.ref_nums.iter().map(|&n| r.column_name(n)).collect();
                    (r.table.schema.clone().unwrap_or_default(), r.table.name.clone(), names)
                }
                None => {
                    let r = self.outside.get(&p.ref_oid);
                    let names =
                        p.ref_nums.iter().map(|n| r.and_then(|r| r.columns.get(n)).cloned().unwrap_or_default());
                    (
                        r.map(|r| r.schema.clone()).unwrap_or_default(),
                        r.map(|r| r.name.clone()).unwrap_or_default(),
                        names.collect(),
                    )
                }
            };
            let table = &mut self.tables[p.table].table;
            fk.ref_schema = (table.schema.as_deref() != Some(ref_schema.as_str())).then_some(ref_schema);
            fk.ref_table = ref_table;
            fk.ref_columns = ref_columns;
            table.foreign_keys.push(fk);
        }

        // Parents under inheritance (those outside the schemas read are left out).
        for (ti, oids) in std::mem::take(&mut self.parents) {
            let parents: Vec<Parent> = oids
                .iter()
                .filter_map(|o| self.by_oid.get(o))
                .map(|&p| {
                    let (child, parent) = (&self.tables[ti].table, &self.tables[p].table);
                    Parent {
                        schema: (parent.schema != child.schema).then(|| parent.schema.clone()).flatten(),
                        table: parent.name.clone(),
                    }
                })
                .collect();
            self.tables[ti].table.inherits = parents;
        }

        // Sequences that serial and identity columns draw from are part of those columns, not
        // standalone.
        let mut serial: HashSet<usize> = HashSet::new();
        for (si, s) in self.sequences.iter().enumerate() {
            let Some((oid, num, _, _)) = &s.owner else { continue };
            let Some(t) = self.by_oid.get(oid).map(|&t| &mut self.tables[t]) else { continue };
            let Some(i) = t.position(*num) else { continue };
            let col = &mut t.table.columns[i];
            if s.identity {
                let options = IdentityOptions {
                    start: s.start,
                    increment: s.increment,
                    min: s.min,
                    max: s.max,
                    cache: s.cache,
                    cycle: s.cycle,
                };
                col.identity_options = IdentityOptions::unless_default(options, &col.ty);
                serial.insert(si);
                continue;
            }
            // `regclass::text` and `pg_get_expr` quote and qualify the sequence name the same
            // way (both follow search_path), so an exact compare is right.
            let draws = col.default.as_deref().is_some_and(|d| {
                d.strip_prefix("nextval(")
                    .and_then(|d| d.strip_suffix("::regclass)"))
                    .is_some_and(|name| name == crate::sql::quote_literal(&s.reg_name))
            });
            if col.identity.is_none() && col.generated.is_none() && draws {
                col.identity = Some(Identity::Serial);
                col.default = None;
                serial.insert(si);
            }
        }

        let mut schema = Schema::empty(Some(Dialect::Postgres));
        schema.tables =
            self.tables.into_iter().map(|t| t.table).filter(|t| !super::is_excluded(&t.name, opts)).collect();
        schema.enums = self.enums;
        for (oid, index) in std::mem::take(&mut self.view_indexes) {
            if let Some(&v) = self.view_oids.get(&oid) {
                self.views[v].indexes.push(index);
            }
        }
        schema.views = self.views.into_iter().filter(|v| !super::is_excluded(&v.name, opts)).collect();
        schema.functions = self.functions;
        schema.domains = self.domains;
        schema.composites = self.composites;
        schema.namespaces = self.namespaces.iter().cloned().collect();
        schema.collations = self.user_collations;
        schema.extensions = self.extensions;
        schema.grants = self
            .grants
            .into_iter()
            .filter(|g| !super::is_excluded(g.on.table.as_deref().unwrap_or(&g.on.name), opts))
            .collect();
        schema.comments = self
            .comments
            .into_iter()
            .filter(|c| {
                let table = c.on.table.as_deref().unwrap_or(&c.on.name);
                !super::is_excluded(table, opts)
            })
            .collect();
        schema.policies = self.policies.into_iter().filter(|p| !super::is_excluded(&p.table, opts)).collect();
        schema.triggers = self.triggers.into_iter().filter(|t| !super::is_excluded(&t.table, opts)).collect();
        schema.sequences = self
            .sequences
            .into_iter()
            .enumerate()
            .filter(|(i, s)| !serial.contains(i) && !s.identity)
            .map(|(_, s)| s)
            .filter(|s| !s.owner.as_ref().is_some_and(|(_, _, table, _)| super::is_excluded(table, opts)))
            .map(|s| Sequence {
                owned_by: s.owner.map(|(_, _, table, column)| SequenceOwner { table, column }),
                schema: Some(s.schema),
                name: s.name,
                data_type: parse_type(&s.type_text),
                start: s.start,
                increment: s.increment,
                min: s.min,
                max: s.max,
                cache: s.cache,
                cycle: s.cycle,
            })
            .collect();
        schema.normalize();
        schema
    }
}

/// `format_type` text → [`SqlType`]; a spelling the parser does not know stays verbatim.
fn parse_type(text: &str) -> SqlType {
    crate::types::postgres::parse(text)
        .unwrap_or_else(|_| SqlType::Other { dialect: Dialect::Postgres, raw: text.to_string() })
}

fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

fn deferrable(deferrable: bool, deferred: bool) -> Deferrable {
    match (deferrable, deferred) {
        (false, _) => Deferrable::No,
        (true, false) => Deferrable::InitiallyImmediate,
        (true, true) => Deferrable::InitiallyDeferred,
    }
}

/// `reloptions` (`name=value` texts) by name.
fn storage_options(list: &[String]) -> std::collections::BTreeMap<String, String> {
    list.iter()
        .map(|o| match o.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (o.clone(), String::new()),
        })
        .collect()
}

/// The expression of a `pg_get_constraintdef` text `CHECK (…) [NO INHERIT] [NOT VALID]`, with
/// one outer pair of parentheses removed when it wraps the whole expression.
pub(crate) fn check_body(def: &str) -> String {
    let def = def.trim();
    let Some(open) = def.find('(') else {
        return def.to_string();
    };
    let inner = match matching_paren(def, open) {
        Some(close) => &def[open + 1..close],
        None => &def[open + 1..],
    };
    strip_outer_parens(inner.trim()).to_string()
}

fn strip_outer_parens(s: &str) -> &str {
    if s.starts_with('(') && matching_paren(s, 0) == Some(s.len() - 1) {
        s[1..s.len() - 1].trim()
    } else {
        s
    }
}

/// Byte index of the `)` that closes the `(` at `open`, skipping string literals and quoted
/// identifiers.
fn matching_paren(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, ch) in s.char_indices().skip_while(|(i, _)| *i < open) {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None => match ch {
                '\'' | '"' => quote = Some(ch),
                '(' => depth += 1,
                ')' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_body_strips_check_and_one_outer_pair() {
        for (def, want) in [
            ("CHECK (a > 0)", "a > 0"),
            ("CHECK ((a > 0))", "a > 0"),
            ("CHECK (((a > 0)))", "(a > 0)"),
            ("CHECK ((a > 0) AND (b > 0))", "(a > 0) AND (b > 0)"),
            ("CHECK (a > 0) NO INHERIT", "a > 0"),
            ("CHECK (a > 0) NOT VALID", "a > 0"),
            ("CHECK (name <> ')'::text)", "name <> ')'::text"),
            ("CHECK (\"we)ird\" > 0)", "\"we)ird\" > 0"),
            ("CHECK ((x)::text <> ''::text)", "(x)::text <> ''::text"),
        ] {
            assert_eq!(check_body(def), want, "{def}");
        }
    }

    /// A builder holding table 1 `t (a int, b text)`, columns fed out of order.
    fn builder() -> Builder {
        let mut b = Builder::default();
        b.lookup(LookupRow::Collation { oid: 100, name: "default", schema: None, deterministic: true, details: None });
        b.lookup(LookupRow::Collation { oid: 950, name: "C", schema: None, deterministic: true, details: None });
        b.lookup(LookupRow::Opclass { oid: 1, name: "int4_ops", is_default: true });
        b.lookup(LookupRow::Opclass { oid: 2, name: "text_pattern_ops", is_default: false });
        b.lookup(LookupRow::Type { oid: 25, name: "text", schema: "pg_catalog", kind: "b", collation: 100, elem: 0 });
        b.table(TableRow {
            oid: 1,
            schema: "public".into(),
            name: "t".into(),
            columns: 2,
            row_security: Default::default(),
            partition_by: None,
            partition_of: None,
            parents: Vec::new(),
        });
        let col = |num, name: &str, type_text, type_oid, collation| ColumnRow {
            table_oid: 1,
            num,
            name: name.into(),
            type_text,
            type_oid,
            not_null: false,
            identity: "",
            generated: "",
            collation,
            local: true,
        };
        b.column(col(2, "b", "text", 25, 950));
        b.column(col(1, "a", "integer", 23, 0));
        b.columns_done();
        b
    }

    fn index_row(options: Vec<i16>) -> IndexRow {
        IndexRow {
            table_oid: 1,
            name: "i".into(),
            unique: false,
            predicate: None,
            method: "btree".into(),
            key_count: 2,
            nulls_not_distinct: false,
            columns: vec![1, 0, 2],
            options,
            collations: vec![0, 950],
            opclasses: vec![1, 2],
            valid: true,
            key_texts: Some(vec!["a".into(), "lower(b)".into()]),
            oid: 10,
            with: vec!["fillfactor=70".into()],
            attached_to: None,
            materialized_view: false,
            predicate_text: None,
        }
    }

    #[test]
    fn tree_columns_reads_each_varattno_once() {
        let tree = "{OPEXPR :opno 521 :args ({VAR :varno 1 :varattno 2 :vartype 23 :varattnosyn 2} \
                    {VAR :varno 1 :varattno 10 :vartype 23} {VAR :varno 1 :varattno 2 :vartype 23})}";
        assert_eq!(tree_columns(tree), [2, 10]);
        assert_eq!(tree_columns("{CONST :consttype 16}"), Vec::<i16>::new());
    }

    #[test]
    fn alike_expressions_are_deparsed_once_and_differently_named_ones_apart() {
        let mut b = builder();
        b.table(TableRow {
            oid: 2,
            schema: "other".into(),
            name: "t".into(),
            columns: 2,
            row_security: Default::default(),
            partition_by: None,
            partition_of: None,
            parents: Vec::new(),
        });
        // Table 2 names its column 1 `z`: the same tree prints differently there.
        for (num, name) in [(1, "z"), (2, "b")] {
            b.column(ColumnRow {
                table_oid: 2,
                num,
                name: name.into(),
                type_text: "integer",
                type_oid: 23,
                not_null: false,
                identity: "",
                generated: "",
                collation: 0,
                local: true,
            });
        }
        b.columns_done();
        let check = |table_oid, oid, tree| ConstraintRow {
            table_oid,
            name: format!("c{oid}"),
            kind: "c".into(),
            columns: vec![1],
            ref_oid: 0,
            ref_columns: vec![],
            on_update: "a".into(),
            on_delete: "a".into(),
            match_type: "s".into(),
            deferrable: false,
            deferred: false,
            no_inherit: false,
            oid,
            body: Some(String::from(tree)),
            nulls_not_distinct: false,
            validated: true,
        };
        let a_pos = "{OPEXPR {VAR :varno 1 :varattno 1} {CONST 0}}";
        b.constraint(check(1, 100, a_pos));
        b.constraint(check(1, 101, a_pos));
        b.constraint(check(2, 102, a_pos));
        b.constraint(check(1, 103, "{OPEXPR {VAR :varno 1 :varattno 2} {CONST 0}}"));
        let [checks, predicates, defaults] = b.to_deparse();
        assert_eq!(checks, [100, 102, 103]);
        assert!(predicates.is_empty() && defaults.is_empty());
        b.deparsed(ExprOf::Check, 100, "CHECK (a > 0)");
        b.deparsed(ExprOf::Check, 102, "CHECK (z > 0)");
        b.deparsed(ExprOf::Check, 103, "CHECK (b > 0) NOT VALID");
        let s = b.finish(&IntrospectOptions::default());
        let exprs = |schema: &str| -> Vec<String> {
            let t = s.tables.iter().find(|t| t.schema.as_deref() == Some(schema)).unwrap();
            t.checks.iter().map(|c| c.expr.clone()).collect()
        };
        assert_eq!(exprs("public"), ["a > 0", "a > 0", "b > 0"]);
        assert_eq!(exprs("other"), ["z > 0"]);
    }

    #[test]
    fn columns_are_ordered_by_number_and_collations_kept_when_not_the_types() {
        let t = builder().finish(&IntrospectOptions::default()).tables.remove(0);
        let names: Vec<_> = t.columns.iter().map(|c| (c.name.as_str(), c.collation.as_deref())).collect();
        assert_eq!(names, [("a", None), ("b", Some("C"))]);
    }

    #[test]
    fn index_keys_resolve_names_expressions_options_and_include() {
        let mut b = builder();
        b.index(index_row(vec![0, 3]));
        let ix = b.finish(&IntrospectOptions::default()).tables.remove(0).indexes.remove(0);
        assert_eq!(ix.keys[0].target, KeyTarget::Column("a".into()));
        assert_eq!(ix.keys[1].target, KeyTarget::Expression("lower(b)".into()));
        assert_eq!((ix.keys[1].descending, ix.keys[1].nulls_first), (true, None));
        assert_eq!(ix.keys[1].collation.as_deref(), Some("C"));
        assert_eq!((ix.keys[0].opclass.as_deref(), ix.keys[1].opclass.as_deref()), (None, Some("text_pattern_ops")));
        assert_eq!(ix.include, ["b"]);
        assert_eq!(ix.with.get("fillfactor").map(String::as_str), Some("70"), "storage parameters by name");
    }

    #[test]
    fn nulls_first_only_when_not_the_default() {
        let k = |opt: i16| {
            let mut b = builder();
            b.index(index_row(vec![opt, 0]));
            b.finish(&IntrospectOptions::default()).tables.remove(0).indexes.remove(0).keys[0].clone()
        };
        assert_eq!((k(0).descending, k(0).nulls_first), (false, None));
        assert_eq!((k(2).descending, k(2).nulls_first), (false, Some(true)));
        assert_eq!((k(3).descending, k(3).nulls_first), (true, None));
        assert_eq!((k(1).descending, k(1).nulls_first), (true, Some(false)));
    }

    #[test]
    fn serial_needs_the_owned_sequence_and_its_exact_nextval() {
        let mut b = builder();
        b.column_default(DefaultRow { table_oid: 1, num: 1, oid: 7, tree: "{FUNCEXPR :funcid 1574}".into() });
        b.deparsed(ExprOf::Default, 7, "nextval('t_a_seq'::regclass)");
        let seq = |name: &str| SequenceRow {
            schema: "public".into(),
            name: name.into(),
            reg_name: name.into(),
            type_text: "integer".into(),
            start: 1,
            increment: 1,
            min: 1,
            max: i32::MAX.into(),
            cache: 1,
            cycle: false,
            owner: Some((1, 1, "t".into(), "a".into())),
            identity: false,
        };
        b.sequence(seq("t_a_seq"));
        b.sequence(seq("other_seq"));
        let s = b.finish(&IntrospectOptions::default());
        assert_eq!(s.tables[0].columns[0].identity, Some(Identity::Serial));
        assert_eq!(s.tables[0].columns[0].default, None);
        let standalone: Vec<_> = s.sequences.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(standalone, ["other_seq"]);
    }
}
