//! Small hand-built schemas for the unit tests beside the pure stages (diff, plan, render).

use crate::capabilities::Capabilities;
use crate::diff::{self, Comparison, DiffOptions};
use crate::model::{Column, ForeignKey, Index, IndexKey, PrimaryKey, Schema, Table};
use crate::plan::{self, Plan, PlanOptions};
use crate::types::{postgres, sqlite, Dialect, SqlType};

/// A column of `ty` written in `dialect`'s spelling (`"integer"`, `"TEXT"`); `!` at the end
/// makes it NOT NULL.
pub fn col(dialect: Dialect, name: &str, ty: &str) -> Column {
    let (ty, not_null) = match ty.strip_suffix('!') {
        Some(t) => (t, true),
        None => (ty, false),
    };
    let ty: SqlType = match dialect {
        Dialect::Postgres => postgres::parse(ty).expect("a Postgres type"),
        Dialect::Sqlite => sqlite::parse(ty),
    };
    let c = Column::new(name, ty);
    if not_null {
        c.not_null()
    } else {
        c
    }
}

/// A table with these `(name, type)` columns and the first one as its primary key.
pub fn table(dialect: Dialect, name: &str, cols: &[(&str, &str)]) -> Table {
    let mut t = Table::new(name);
    if dialect == Dialect::Postgres {
        t.schema = Some("public".into());
    }
    for (n, ty) in cols {
        t.columns.push(col(dialect, n, ty));
    }
    if let Some((first, _)) = cols.first() {
        t.primary_key = Some(PrimaryKey::on([*first]));
        if let Some(c) = t.column_mut(first) {
            c.nullable = false;
        }
    }
    t
}

/// `table.column REFERENCES ref_table (ref_column)`.
pub fn fk(column: &str, ref_table: &str, ref_column: &str) -> ForeignKey {
    ForeignKey {
        name: Some(format!("{column}_fkey")),
        columns: vec![column.into()],
        ref_schema: None,
        ref_table: ref_table.into(),
        ref_columns: vec![ref_column.into()],
        on_delete: Default::default(),
        on_update: Default::default(),
        deferrable: Default::default(),
        match_full: false,
        not_valid: false,
    }
}

/// A plain index on columns.
pub fn index(name: &str, cols: &[&str], unique: bool) -> Index {
    Index {
        name: name.into(),
        keys: cols.iter().map(|c| IndexKey::column(*c)).collect(),
        unique,
        predicate: None,
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        with: Default::default(),
        invalid: false,
    }
}

/// A schema of `dialect` holding `tables`.
pub fn schema(dialect: Dialect, tables: Vec<Table>) -> Schema {
    let mut s = Schema { tables, ..Schema::empty(Some(dialect)) };
    s.normalize();
    s
}

/// The comparison of two same-dialect schemas.
pub fn compare(from: &Schema, to: &Schema) -> Comparison {
    diff::compare(from, to, None, &DiffOptions::default()).expect("comparable")
}

/// The plan from `from` to `to` for `caps` with `opts`.
pub fn plan_with(from: &Schema, to: &Schema, caps: &Capabilities, opts: &PlanOptions) -> Plan {
    plan::plan(&compare(from, to), caps, opts)
}

/// The plan from `from` to `to` for the newest server of their dialect.
pub fn plan_latest(from: &Schema, to: &Schema) -> Plan {
    let caps = Capabilities::latest(from.dialect.expect("a dialect"));
    plan_with(from, to, &caps, &PlanOptions::default())
}

/// The `step` tag of every step (`create_table`, `rebuild_table`, …), for short assertions.
pub fn kinds(plan: &Plan) -> Vec<String> {
    plan.steps.iter().map(|s| tag(&serde_json::to_value(s).expect("serialisable"), "step")).collect()
}

/// The serde tag of a value serialised as `{ "<key>": "…", … }`.
pub fn tag(v: &serde_json::Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}
