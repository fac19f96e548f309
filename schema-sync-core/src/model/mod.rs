//! The dialect-free schema model every source is read into and every stage works on.
//!
//! A [`Schema`] is a plain value: `Serialize + Deserialize + Eq`, with a deterministic order
//! (tables by schema then name, columns in ordinal order, indexes/constraints by name then
//! definition), so two snapshots of the same database are byte-identical JSON.
//!
//! ```
//! use schema_sync_core::model::{Column, Schema, Table};
//! use schema_sync_core::types::SqlType;
//!
//! let mut users = Table::new("users");
//! users.columns.push(Column::new("id", SqlType::BigInt).not_null());
//! users.primary_key = Some(schema_sync_core::model::PrimaryKey::on(["id"]));
//! let mut schema = Schema::default();
//! schema.tables.push(users);
//! schema.normalize();
//! assert_eq!(schema.table(None, "users").unwrap().columns.len(), 1);
//! ```

use serde::{Deserialize, Serialize};

mod collation;
mod column;
mod comment;
mod composite;
mod constraints;
mod enum_type;
mod extension;
mod function;
mod grant;
mod object_ref;
mod policy;
mod sequence;
mod skip;
mod table;
mod view;

pub use crate::types::{Dialect, SqlType};
pub use collation::Collation;
pub use column::{Column, Generated, Identity, IdentityOptions, Overrides};
pub use comment::Comment;
pub use composite::{CompositeAttribute, CompositeType};
pub use constraints::{
    Check, Deferrable, Exclusion, FkAction, ForeignKey, Index, IndexKey, KeyTarget, PrimaryKey, Unique,
};
pub use enum_type::EnumType;
pub use extension::{Domain, DomainCheck, Extension};
pub use function::Function;
pub use grant::Grant;
pub use object_ref::{ObjectKind, ObjectRef};
pub use policy::{Policy, PolicyCommand};
pub use sequence::{Sequence, SequenceOwner};
pub use table::{Parent, PartitionOf, RowSecurity, Table, TableOptions, TableRef};
pub use view::{Trigger, TriggerFiring, View};

/// A whole database schema: tables, user-defined enum types, sequences, views, triggers,
/// functions, row-level security policies and comments.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// The dialect whose catalog (or DDL) this schema was read from; `None` for models,
    /// whose types are neutral and are resolved per dialect by [`crate::resolve`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<Dialect>,
    /// The Postgres schemas (namespaces) read that exist, sorted: a schema is managed even
    /// when it holds nothing. Empty for models and SQLite, which then create the schemas their
    /// objects need and drop none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// Tables, ordered by `(schema, name)`.
    #[serde(default)]
    pub tables: Vec<Table>,
    /// User-defined enum types (Postgres `CREATE TYPE … AS ENUM`), ordered by `(schema, name)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumType>,
    /// Standalone sequences that are not owned by a column (Postgres), ordered by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sequences: Vec<Sequence>,
    /// Views and materialized views, ordered by `(schema, name)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<View>,
    /// Triggers, ordered by `(schema, table, name)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// Functions and procedures (Postgres), ordered by `(schema, name, identity)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<Function>,
    /// Row-level security policies (Postgres), ordered by `(schema, table, name)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Policy>,
    /// Comments on objects (Postgres), ordered by what they are on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<Comment>,
    /// Extensions installed into the schemas in scope (Postgres), ordered by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    /// Domains (Postgres), ordered by `(schema, name)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<Domain>,
    /// Composite types (Postgres `CREATE TYPE … AS (…)`), ordered by `(schema, name)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub composites: Vec<CompositeType>,
    /// Collations (Postgres `CREATE COLLATION`), ordered by `(schema, name)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collations: Vec<Collation>,
    /// Privileges of the managed roles that differ from the database's default privileges
    /// (Postgres), ordered by object, then role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
}

impl Schema {
    /// An empty schema read from `dialect`.
    pub fn empty(dialect: Option<Dialect>) -> Self {
        Self { dialect, ..Self::default() }
    }

    /// Finds a table by (optional) schema and name.
    pub fn table(&self, schema: Option<&str>, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name && (schema.is_none() || t.schema.as_deref() == schema))
    }

    /// Mutable [`Schema::table`].
    pub fn table_mut(&mut self, schema: Option<&str>, name: &str) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| t.name == name && (schema.is_none() || t.schema.as_deref() == schema))
    }

    /// Finds an enum type.
    pub fn enum_type(&self, schema: Option<&str>, name: &str) -> Option<&EnumType> {
        self.enums.iter().find(|e| e.name == name && (schema.is_none() || e.schema.as_deref() == schema))
    }

    /// Puts everything into the canonical order so equal schemas compare and serialise equal.
    pub fn normalize(&mut self) {
        for t in &mut self.tables {
            t.normalize();
        }
        self.tables.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.namespaces.sort();
        self.namespaces.dedup();
        self.enums.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.sequences.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.views.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        for v in &mut self.views {
            v.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self.triggers.sort_by(|a, b| (&a.schema, &a.table, &a.name).cmp(&(&b.schema, &b.table, &b.name)));
        self.functions.sort_by(|a, b| (&a.schema, &a.name, &a.identity).cmp(&(&b.schema, &b.name, &b.identity)));
        for p in &mut self.policies {
            p.roles.sort();
            p.roles.dedup();
        }
        self.policies.sort_by(|a, b| (&a.schema, &a.table, &a.name).cmp(&(&b.schema, &b.table, &b.name)));
        self.comments.sort_by(|a, b| a.on.cmp(&b.on));
        self.extensions.sort_by(|a, b| a.name.cmp(&b.name));
        for d in &mut self.domains {
            d.checks.sort();
        }
        self.domains.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.composites.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.collations.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        for g in &mut self.grants {
            for v in [&mut g.privileges, &mut g.grantable, &mut g.default] {
                v.sort();
                v.dedup();
            }
        }
        self.grants.sort_by(|a, b| (&a.on, &a.role).cmp(&(&b.on, &b.role)));
    }

    /// Finds a view by (optional) schema and name.
    pub fn view(&self, schema: Option<&str>, name: &str) -> Option<&View> {
        self.views.iter().find(|v| v.name == name && (schema.is_none() || v.schema.as_deref() == schema))
    }

    /// Moves every object of Postgres schema `from` into schema `to`: the schema itself (in
    /// [`Schema::namespaces`]), tables, the foreign keys that point into it, enum types and the
    /// columns that use them, composite types (and attribute types qualified with `from`),
    /// collations, sequences, domains, extensions, views and triggers. What a template
    /// schema looks like as tenant `to` (fleets), or a tenant as the template. Expression texts
    /// (defaults, checks) are left as they are: Postgres stores them unqualified for objects on
    /// the search path; view and trigger bodies, which name their tables qualified when the
    /// schema is not on the search path, have the qualifier `from.` replaced by `to.`.
    ///
    /// ```
    /// use schema_sync_core::model::{Schema, Table};
    /// let mut t = Table::new("users");
    /// t.schema = Some("public".into());
    /// let mut s = Schema { tables: vec![t], ..Schema::default() };
    /// s.rehome("public", "tenant_7");
    /// assert_eq!(s.tables[0].schema.as_deref(), Some("tenant_7"));
    /// ```
    pub fn rehome(&mut self, from: &str, to: &str) {
        self.rehome_as(from, to, to);
    }

    /// [`Schema::rehome`], with the qualifier `from.` in texts and type names replaced by
    /// `qualifier.`, or dropped when `qualifier` is empty: how the catalog prints a schema on
    /// the search path (`public`, a fleet's usual template), whose names come unqualified.
    ///
    /// ```
    /// use schema_sync_core::model::{Schema, View};
    /// let mut v = View::new("happy", "SELECT id FROM t4.users");
    /// v.schema = Some("t4".into());
    /// let mut s = Schema { views: vec![v], ..Schema::default() };
    /// s.rehome_as("t4", "public", "");
    /// assert_eq!((s.views[0].schema.as_deref(), s.views[0].definition.as_str()), (Some("public"), "SELECT id FROM users"));
    /// ```
    pub fn rehome_as(&mut self, from: &str, to: &str, qualifier: &str) {
        if from == to {
            return;
        }
        let prefixed = |rest: &str| if qualifier.is_empty() { rest.to_string() } else { format!("{qualifier}.{rest}") };
        let moved = |s: &mut Option<String>| {
            if s.as_deref() == Some(from) {
                *s = Some(to.to_string());
            }
        };
        fn retype(ty: &mut SqlType, from: &str, to: &str, prefixed: &dyn Fn(&str) -> String) {
            match ty {
                SqlType::Enum { schema, .. } if schema.as_deref() == Some(from) => *schema = Some(to.to_string()),
                SqlType::Array { element } => retype(element, from, to, prefixed),
                // A domain (or another type of the schema) printed qualified.
                SqlType::Other { raw, .. } => {
                    if let Some(rest) = raw.strip_prefix(&format!("{from}.")) {
                        *raw = prefixed(rest);
                    }
                }
                _ => {}
            }
        }
        for n in &mut self.namespaces {
            if n == from {
                *n = to.to_string();
            }
        }
        for t in &mut self.tables {
            moved(&mut t.schema);
            for fk in &mut t.foreign_keys {
                moved(&mut fk.ref_schema);
            }
            for c in &mut t.columns {
                retype(&mut c.ty, from, to, &prefixed);
            }
        }
        for e in &mut self.enums {
            moved(&mut e.schema);
        }
        for d in &mut self.domains {
            moved(&mut d.schema);
        }
        for c in &mut self.composites {
            moved(&mut c.schema);
            for a in &mut c.attributes {
                if let Some(rest) = a.ty.strip_prefix(&format!("{from}.")) {
                    a.ty = prefixed(rest);
                }
            }
        }
        for c in &mut self.collations {
            moved(&mut c.schema);
        }
        for x in &mut self.extensions {
            moved(&mut x.schema);
        }
        for q in &mut self.sequences {
            moved(&mut q.schema);
        }
        for v in &mut self.views {
            moved(&mut v.schema);
            v.definition = crate::sql::requalify(&v.definition, from, qualifier);
        }
        for t in &mut self.triggers {
            moved(&mut t.schema);
            // `pg_get_triggerdef` always qualifies the table (`ON t4.users`); the function and
            // the rest follow the search path.
            let def = &t.definition;
            let (head, rest) = match def.find(" ON ") {
                Some(i) => {
                    let end = def[i + 4..].find(' ').map_or(def.len(), |j| i + 4 + j);
                    def.split_at(end)
                }
                None => ("", def.as_str()),
            };
            t.definition = crate::sql::requalify(head, from, to) + &crate::sql::requalify(rest, from, qualifier);
        }
        for p in &mut self.policies {
            moved(&mut p.schema);
            for e in [&mut p.using, &mut p.with_check].into_iter().flatten() {
                *e = crate::sql::requalify(e, from, qualifier);
            }
        }
        for on in self.comments.iter_mut().map(|c| &mut c.on).chain(self.grants.iter_mut().map(|g| &mut g.on)) {
            moved(&mut on.schema);
            if on.kind == ObjectKind::Schema && on.name == from {
                on.name = to.to_string();
            }
            if let Some(a) = &mut on.arguments {
                *a = crate::sql::requalify(a, from, qualifier);
            }
        }
        for f in &mut self.functions {
            moved(&mut f.schema);
            // `pg_get_functiondef` always qualifies the function's own name.
            f.definition = crate::sql::requalify(&f.definition, from, to);
            f.arguments = crate::sql::requalify(&f.arguments, from, qualifier);
            f.identity = crate::sql::requalify(&f.identity, from, qualifier);
            f.returns = crate::sql::requalify(&f.returns, from, qualifier);
        }
        self.normalize();
    }

    /// Counts of what the schema holds, for reports and tests.
    pub fn stats(&self) -> SchemaStats {
        let mut s = SchemaStats {
            tables: self.tables.len(),
            enums: self.enums.len(),
            views: self.views.len(),
            triggers: self.triggers.len(),
            functions: self.functions.len(),
            policies: self.policies.len(),
            ..Default::default()
        };
        for t in &self.tables {
            s.columns += t.columns.len();
            s.indexes += t.indexes.len();
            s.uniques += t.uniques.len();
            s.foreign_keys += t.foreign_keys.len();
            s.checks += t.checks.len();
            s.primary_keys += usize::from(t.primary_key.is_some());
        }
        s
    }
}

/// Object counts of a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SchemaStats {
    /// Tables.
    pub tables: usize,
    /// Columns over all tables.
    pub columns: usize,
    /// Primary keys.
    pub primary_keys: usize,
    /// Secondary indexes.
    pub indexes: usize,
    /// UNIQUE constraints.
    pub uniques: usize,
    /// Foreign keys.
    pub foreign_keys: usize,
    /// CHECK constraints.
    pub checks: usize,
    /// Enum types.
    pub enums: usize,
    /// Views and materialized views.
    #[serde(default)]
    pub views: usize,
    /// Triggers.
    #[serde(default)]
    pub triggers: usize,
    /// Functions and procedures.
    #[serde(default)]
    pub functions: usize,
    /// Row-level security policies.
    #[serde(default)]
    pub policies: usize,
}
