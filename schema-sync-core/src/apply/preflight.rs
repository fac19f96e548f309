//! Checks run before anything changes: for each step that would fail on existing rows, a
//! read-only query that counts the offending rows, so the refusal can name the table, the
//! column and the number ([`crate::error::Finding`]).

pub use crate::error::{Finding, Problem};
use crate::model::{Column, KeyTarget, Table, TableRef};
use crate::plan::{CopyColumn, Plan, Step};
use crate::sql::{qualified, quote_ident};
use crate::types::{postgres, sqlite, SqlType};
use serde::Serialize;

/// A counting query and what a non-zero count means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probe {
    /// `SELECT count(*) …`, in the plan's dialect.
    pub sql: String,
    /// The table queried (schema, name) and the columns it names, as they are *now*: a probe
    /// runs only when all of them exist in the live schema.
    #[serde(skip)]
    pub reads: (Option<String>, String, Vec<String>),
    /// What a non-zero count is reported as (its `rows` is filled in by the count).
    pub finding: Finding,
    /// Statements run before the count (SQLite: a temporary table the values are copied into,
    /// so SQLite applies the new column's affinity exactly as the rebuild will).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub setup: Vec<String>,
    /// Statements run after the count, whatever it returned (dropping the temporary table).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub teardown: Vec<String>,
    /// The expression the count evaluates (a CHECK): the probe runs only when it names no
    /// column this same plan adds.
    #[serde(skip)]
    pub expression: Option<String>,
    /// A second table the probe reads (a foreign key's parent), which must exist now.
    #[serde(skip)]
    pub also_reads: Option<(Option<String>, String, Vec<String>)>,
}

impl Probe {
    /// The finding for `rows` offending rows.
    pub fn found(&self, rows: i64) -> Finding {
        Finding { rows, ..self.finding.clone() }
    }
}

fn finding(table: &str, columns: &[String], problem: Problem) -> Finding {
    Finding { table: table.to_string(), columns: columns.to_vec(), problem, rows: 0 }
}

fn nulls(table: &str, schema: Option<&str>, col: &str) -> Probe {
    Probe {
        reads: (schema.map(str::to_string), table.to_string(), vec![col.to_string()]),
        sql: format!("SELECT count(*) FROM {} WHERE {} IS NULL", qualified(schema, table), quote_ident(col)),
        finding: finding(table, &[col.to_string()], Problem::Nulls),
        setup: Vec::new(),
        teardown: Vec::new(),
        expression: None,
        also_reads: None,
    }
}

fn duplicates(table: &str, schema: Option<&str>, cols: &[String], what: &str) -> Probe {
    let list = cols.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
    let not_null = cols.iter().map(|c| format!("{} IS NOT NULL", quote_ident(c))).collect::<Vec<_>>().join(" AND ");
    Probe {
        reads: (schema.map(str::to_string), table.to_string(), cols.to_vec()),
        sql: format!(
            "SELECT count(*) FROM (SELECT 1 FROM {} WHERE {not_null} GROUP BY {list} HAVING count(*) > 1) AS dups",
            qualified(schema, table)
        ),
        finding: finding(table, cols, Problem::Duplicates { what: what.to_string() }),
        setup: Vec::new(),
        teardown: Vec::new(),
        expression: None,
        also_reads: None,
    }
}

fn rows_for_new_not_null(t: &Table, c: &Column) -> Probe {
    Probe {
        reads: (t.schema.clone(), t.name.clone(), vec![]),
        sql: format!("SELECT count(*) FROM {}", qualified(t.schema.as_deref(), &t.name)),
        finding: finding(&t.name, std::slice::from_ref(&c.name), Problem::RowsForNewNotNull),
        setup: Vec::new(),
        teardown: Vec::new(),
        expression: None,
        also_reads: None,
    }
}

/// A type change on Postgres: rows whose value would not survive the cast unchanged.
fn changed_values(table: &TableRef, column: &str, from: &SqlType, to: &SqlType) -> Probe {
    let problem = Problem::ChangedValues { from: postgres::render(from), to: postgres::render(to) };
    Probe {
        reads: (table.schema.clone(), table.name.clone(), vec![column.to_string()]),
        sql: crate::render::postgres::changed_values_count(table, column, from, to),
        finding: finding(&table.name, &[column.to_string()], problem),
        setup: Vec::new(),
        teardown: Vec::new(),
        expression: None,
        also_reads: None,
    }
}

/// A SQLite rebuild's copy into a column of another affinity: rows whose value would be stored
/// differently.
fn changed_copies(from: &Table, to: &Table, copy: &CopyColumn) -> Option<Probe> {
    let (setup, sql, teardown) = crate::render::sqlite::changed_values_probe(from, to, copy)?;
    let ty = |t: &Table, c: &str| t.column(c).map(|c| sqlite::render(&c.ty)).unwrap_or_default();
    let problem = Problem::ChangedValues { from: ty(from, &copy.from), to: ty(to, &copy.to) };
    Some(Probe {
        reads: (None, from.name.clone(), vec![copy.from.clone()]),
        sql,
        finding: finding(&to.name, std::slice::from_ref(&copy.to), problem),
        setup,
        teardown,
        expression: None,
        also_reads: None,
    })
}

/// The probes for every data-dependent step of `plan` that can run against the live schema
/// `live` (a probe over a table or column this same plan creates or renames is left out: there
/// are no rows to count under that name yet, and the transaction still guards the step).
pub fn probes(plan: &Plan, live: &crate::model::Schema) -> Vec<Probe> {
    let exists = |p: &Probe| {
        let (schema, table, cols) = &p.reads;
        let here = |t: &Table, name: &str| t.name == name && (schema.is_none() || t.schema == *schema);
        live.tables.iter().any(|t| here(t, table) && cols.iter().all(|c| t.column(c).is_some()))
            && p.also_reads.as_ref().is_none_or(|(s, name, cols)| {
                live.tables.iter().any(|t| {
                    t.name == *name && (s.is_none() || t.schema == *s) && cols.iter().all(|c| t.column(c).is_some())
                })
            })
    };
    // An expression naming a column this plan adds, renames or retypes cannot be checked
    // beforehand (the transaction still guards it).
    let new_names: Vec<(String, String)> = plan
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::AddColumn { table, column } => Some((table.name.clone(), column.name.clone())),
            Step::RenameColumn { table, to, .. } => Some((table.name.clone(), to.clone())),
            Step::AlterColumnType { table, column, .. } => Some((table.name.clone(), column.clone())),
            _ => None,
        })
        .collect();
    // Nor one naming an enum label the plan adds (it does not exist yet).
    let new_labels: Vec<String> = plan
        .steps
        .iter()
        .flat_map(|s| match s {
            Step::AddEnumValue { value, .. } => vec![value.clone()],
            Step::RecreateEnum { from, to, .. } => {
                to.values.iter().filter(|v| !from.values.contains(v)).cloned().collect()
            }
            _ => Vec::new(),
        })
        .map(|v| crate::sql::quote_literal(&v))
        .collect();
    let checkable = |p: &Probe| {
        p.expression.as_deref().is_none_or(|e| {
            !new_names.iter().any(|(t, c)| *t == p.reads.1 && crate::expr::mentions(e, c))
                && !new_labels.iter().any(|l| e.contains(l.as_str()))
        })
    };
    all_probes(plan).into_iter().filter(|p| exists(p) && checkable(p)).collect()
}

/// Rows of `table` a new CHECK would reject (NULL passes a CHECK, as in the database).
fn violates_check(table: &str, schema: Option<&str>, check: &crate::model::Check) -> Probe {
    Probe {
        reads: (schema.map(str::to_string), table.to_string(), vec![]),
        sql: format!("SELECT count(*) FROM {} WHERE NOT ({})", qualified(schema, table), check.expr),
        finding: finding(table, &[], Problem::Violates { what: format!("CHECK ({})", check.expr) }),
        setup: Vec::new(),
        teardown: Vec::new(),
        expression: Some(check.expr.clone()),
        also_reads: None,
    }
}

/// Rows of `table` with a full key (no NULL in it) and no parent row: a new foreign key would
/// reject them.
fn orphans(table: &str, schema: Option<&str>, fk: &crate::model::ForeignKey) -> Option<Probe> {
    if fk.ref_columns.len() != fk.columns.len() {
        return None;
    }
    let ref_schema = fk.ref_schema.as_deref().or(schema);
    let all_set =
        fk.columns.iter().map(|c| format!("c.{} IS NOT NULL", quote_ident(c))).collect::<Vec<_>>().join(" AND ");
    let join = fk
        .columns
        .iter()
        .zip(&fk.ref_columns)
        .map(|(c, r)| format!("p.{} = c.{}", quote_ident(r), quote_ident(c)))
        .collect::<Vec<_>>()
        .join(" AND ");
    let what = format!("the foreign key to {}({})", fk.ref_table, fk.ref_columns.join(", "));
    Some(Probe {
        reads: (schema.map(str::to_string), table.to_string(), fk.columns.clone()),
        sql: format!(
            "SELECT count(*) FROM {} AS c WHERE {all_set} AND NOT EXISTS (SELECT 1 FROM {} AS p WHERE {join})",
            qualified(schema, table),
            qualified(ref_schema, &fk.ref_table)
        ),
        finding: finding(table, &fk.columns, Problem::Violates { what }),
        setup: Vec::new(),
        teardown: Vec::new(),
        expression: None,
        also_reads: Some((ref_schema.map(str::to_string), fk.ref_table.clone(), fk.ref_columns.clone())),
    })
}

fn all_probes(plan: &Plan) -> Vec<Probe> {
    let mut out = Vec::new();
    // Tables created by this plan hold no rows yet: nothing to count (and nothing to query).
    let created_names: Vec<(Option<String>, String)> = plan
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::CreateTable { table } => Some((table.schema.clone(), table.name.clone())),
            _ => None,
        })
        .collect();
    let is_new = |t: &crate::model::TableRef| created_names.iter().any(|(s, n)| s == &t.schema && n == &t.name);
    // The online form: constraints added NOT VALID and validated later count like validated
    // ones; the helper checks of `SET NOT NULL` are counted as the NULLs they stand for.
    let mut validated = std::collections::HashSet::new();
    let mut helpers = std::collections::HashSet::new();
    let mut backfilled = std::collections::HashSet::new();
    for s in &plan.steps {
        match s {
            Step::ValidateConstraint { name, .. } => {
                validated.insert(name.as_str());
            }
            Step::SetNotNullChecked { check, .. } | Step::SwapShadowColumn { not_null: Some(check), .. } => {
                helpers.insert(check.as_str());
            }
            Step::Backfill { table, column, .. } => {
                backfilled.insert((table.display(), column.as_str()));
            }
            _ => {}
        }
    }
    let checked = |name: &Option<String>, not_valid: bool| {
        let name = name.as_deref().unwrap_or_default();
        !not_valid || (validated.contains(name) && !helpers.contains(name))
    };
    for step in &plan.steps {
        let table_of = match step {
            Step::SetNotNullChecked { table, .. }
            | Step::SetNotNull { table, .. }
            | Step::CreateIndex { table, .. }
            | Step::AddUnique { table, .. }
            | Step::AddPrimaryKey { table, .. }
            | Step::AddCheck { table, .. }
            | Step::AddForeignKey { table, .. }
            | Step::AddColumn { table, .. } => Some(table),
            _ => None,
        };
        if table_of.is_some_and(is_new) {
            continue;
        }
        match step {
            Step::SetNotNull { table, column, backfill: None } => {
                out.push(nulls(&table.name, table.schema.as_deref(), column))
            }
            Step::SetNotNullChecked { table, column, .. }
                if !backfilled.contains(&(table.display(), column.as_str())) =>
            {
                out.push(nulls(&table.name, table.schema.as_deref(), column))
            }
            Step::CreateIndex { table, index, .. } if index.unique => {
                let cols: Option<Vec<String>> = index
                    .keys
                    .iter()
                    .map(|k| match &k.target {
                        KeyTarget::Column(c) => Some(c.clone()),
                        KeyTarget::Expression(_) => None,
                    })
                    .collect();
                if let (Some(cols), None) = (cols, &index.predicate) {
                    out.push(duplicates(
                        &table.name,
                        table.schema.as_deref(),
                        &cols,
                        &format!("unique index `{}`", index.name),
                    ));
                }
            }
            Step::DropTableToRecreate { table } => out.push(Probe {
                reads: (table.schema.clone(), table.name.clone(), Vec::new()),
                sql: format!("SELECT count(*) FROM {}", qualified(table.schema.as_deref(), &table.name)),
                finding: finding(&table.name, &[], Problem::RowsInRecreatedTable),
                setup: Vec::new(),
                teardown: Vec::new(),
                expression: None,
                also_reads: None,
            }),
            Step::AddUnique { table, unique } => {
                out.push(duplicates(&table.name, table.schema.as_deref(), &unique.columns, "UNIQUE"))
            }
            Step::AddPrimaryKey { table, primary_key } => {
                out.push(duplicates(&table.name, table.schema.as_deref(), &primary_key.columns, "the primary key"))
            }
            Step::AddColumn { table, column }
                if !column.nullable
                    && column.default.is_none()
                    && column.generated.is_none()
                    && column.identity.is_none() =>
            {
                let mut t = Table::new(table.name.clone());
                t.schema = table.schema.clone();
                out.push(rows_for_new_not_null(&t, column));
            }
            Step::AlterColumnType { table, column, from, to, check_values: true, .. } => {
                out.push(changed_values(table, column, from, to))
            }
            Step::AddCheck { table, check, not_valid } if checked(&check.name, *not_valid) => {
                out.push(violates_check(&table.name, table.schema.as_deref(), check))
            }
            Step::AddForeignKey { table, foreign_key, not_valid } if checked(&foreign_key.name, *not_valid) => {
                out.extend(orphans(&table.name, table.schema.as_deref(), foreign_key))
            }
            Step::RebuildTable { from, to, copy } => {
                out.extend(copy.iter().filter(|k| k.check).filter_map(|k| changed_copies(from, to, k)));
                // New CHECKs and foreign keys, evaluated against the old table where every
                // column they name keeps its name.
                let kept = |e: &str| {
                    from.columns.iter().chain(&to.columns).all(|c| {
                        !crate::expr::mentions(e, &c.name)
                            || (from.column(&c.name).is_some() && to.column(&c.name).is_some())
                    })
                };
                for c in to.checks.iter().filter(|c| !from.checks.iter().any(|f| f.expr == c.expr) && kept(&c.expr)) {
                    let mut p = violates_check(&from.name, None, c);
                    p.finding.table = to.name.clone();
                    out.push(p);
                }
                for fk in to.foreign_keys.iter().filter(|f| !from.foreign_keys.contains(f)) {
                    if fk.columns.iter().all(|c| from.column(c).is_some()) {
                        out.extend(orphans(&from.name, None, fk));
                    }
                }
                for k in copy {
                    let (Some(a), Some(b)) = (from.column(&k.from), to.column(&k.to)) else { continue };
                    if a.nullable && !b.nullable && k.backfill.is_none() {
                        let mut p = nulls(&from.name, None, &k.from);
                        p.finding.table = to.name.clone();
                        p.finding.columns = vec![k.to.clone()];
                        out.push(p);
                    }
                }
                for c in &to.columns {
                    let copied = copy.iter().any(|k| k.to == c.name);
                    let rowid = to.primary_key.as_ref().is_some_and(|pk| pk.columns == [c.name.clone()]);
                    if !copied && !c.nullable && c.default.is_none() && c.generated.is_none() && !rowid {
                        out.push(rows_for_new_not_null(from, c));
                    }
                }
                for u in to.uniques.iter().filter(|u| !from.uniques.iter().any(|f| f.columns == u.columns)) {
                    let cols: Vec<String> = u.columns.iter().map(|c| source_col(copy, c)).collect();
                    out.push(duplicates(&from.name, None, &cols, "UNIQUE"));
                }
                for i in to.indexes.iter().filter(|i| i.unique && i.predicate.is_none()) {
                    let cols: Option<Vec<String>> =
                        i.keys.iter().map(|k| k.column_name().map(|c| source_col(copy, c))).collect();
                    let existed = from.indexes.iter().any(|f| f.unique && f.keys == i.keys);
                    if let (Some(cols), false) = (cols, existed) {
                        out.push(duplicates(&from.name, None, &cols, &format!("unique index `{}`", i.name)));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn source_col(copy: &[crate::plan::CopyColumn], to: &str) -> String {
    copy.iter().find(|k| k.to == to).map(|k| k.from.clone()).unwrap_or_else(|| to.to_string())
}
