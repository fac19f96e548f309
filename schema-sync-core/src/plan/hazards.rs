//! Hazards: what each step risks (data deleted, a table rewritten or locked, rows that can make
//! it fail), one sentence each, so people see them before anything runs.

use super::locks::StepLock;
use super::steps::{Hazard, HazardCode, Step};
use crate::capabilities::Capabilities;
use crate::model::TableRef;
use std::collections::BTreeSet;

/// A privilege list for people: `SELECT, INSERT`, or `none`.
fn list(privileges: &[String]) -> String {
    if privileges.is_empty() {
        "none".to_string()
    } else {
        privileges.join(", ")
    }
}

pub(super) fn hazards(steps: &[Step], locks: &[StepLock], caps: &Capabilities, online_from: usize) -> Vec<Hazard> {
    let mut out = Vec::new();
    let mut add = |code, step, message: String| out.push(Hazard { code, step, message });
    for (i, s) in steps.iter().enumerate() {
        match s {
            Step::DropTable { table } => {
                add(HazardCode::DeletesData, i, format!("drops table `{}` and every row in it", table.display_name()))
            }
            Step::DropTableToRecreate { table } => add(
                HazardCode::DeletesData,
                i,
                format!(
                    "drops table `{}` to create it again partitioned differently (Postgres cannot change a \
                     partitioning in place); refused while it holds rows: move them out first",
                    table.display_name()
                ),
            ),
            Step::AttachPartition { table, of } => add(
                HazardCode::MayFail,
                i,
                format!(
                    "attaching `{}` as a partition of `{}` checks every row against `{}`: fails if one is outside",
                    table.display(),
                    of.parent().display(),
                    of.bound
                ),
            ),
            Step::Inherit { table, parent, add: true } => add(
                HazardCode::MayFail,
                i,
                format!(
                    "`{}` inherits `{}`: fails unless it has every column of it (same types) and its CHECKs",
                    table.display(),
                    parent.display()
                ),
            ),
            Step::DropColumn { table, column } => {
                add(HazardCode::DeletesData, i, format!("drops column `{}.{column}` and its values", table.name))
            }
            Step::AlterColumnType { table, column, from, to, using, check_values, .. } => {
                add(
                    HazardCode::RewritesTable,
                    i,
                    format!(
                        "changing `{t}.{column}` to {to} rewrites the table under ACCESS EXCLUSIVE (online alternative: \
                         a new column kept in step by a trigger, filled in batches, then swapped in — `--backfill-batch N` \
                         does that for a column no index, key or constraint uses)",
                        t = table.name
                    ),
                );
                if *check_values {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!(
                            "`{}.{column}` {from} → {to} is refused if a row does not convert or its value would change",
                            table.name
                        ),
                    );
                } else if crate::types::conversion::narrows(from, to) || using.is_some() {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!("`{}.{column}` {from} → {to} fails if a row does not convert", table.name),
                    );
                }
            }
            Step::SetNotNull { table, column, backfill } => {
                if backfill.is_none() {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!("SET NOT NULL on `{}.{column}` fails if a row holds NULL", table.name),
                    )
                }
            }
            Step::AddColumn { table, column } => {
                if super::step_locks::add_column_rewrites(column) {
                    let alternative = if column.identity.is_none() && column.generated.is_none() {
                        "online alternative: `--backfill-batch N` adds it without the default, sets the default \
                         for new rows and fills the existing ones in batches"
                    } else {
                        "no online form: run it when the table is quiet"
                    };
                    add(
                        HazardCode::RewritesTable,
                        i,
                        format!(
                            "adding `{}.{}` rewrites the table under ACCESS EXCLUSIVE ({alternative})",
                            table.name, column.name
                        ),
                    );
                }
                if !column.nullable
                    && column.default.is_none()
                    && column.generated.is_none()
                    && column.identity.is_none()
                {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!(
                            "NOT NULL column `{}.{}` without a default fails if the table has rows",
                            table.name, column.name
                        ),
                    )
                }
            }
            Step::CreateIndex { table, index, concurrently } => {
                if index.unique {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!("unique index `{}` fails if `{}` has duplicates", index.name, table.name),
                    );
                }
                if *concurrently {
                    add(
                        HazardCode::NonTransactional,
                        i,
                        format!(
                            "index `{}` is built CONCURRENTLY after the transaction; if the build fails it is left \
                             invalid, and the next run drops and rebuilds it",
                            index.name
                        ),
                    );
                }
            }
            Step::FillShadowColumn { change: super::steps::ShadowChange { table, column, from, to, .. }, batch } => add(
                HazardCode::NonTransactional,
                i,
                format!(
                    "`{}.{column}` {from} → {to} through a shadow column kept in step by a trigger, filled in batches \
                     of {batch} rows, swapped in at the end (the column moves to the end of the table)",
                    table.name
                ),
            ),
            Step::DropIndex { index, concurrently: true, .. } => add(
                HazardCode::NonTransactional,
                i,
                format!("index `{}` is dropped CONCURRENTLY after the transaction", index.name),
            ),
            Step::Backfill { table, column, batch: Some(n), .. } => add(
                HazardCode::NonTransactional,
                i,
                format!(
                    "`{}.{column}` is filled in batches of {n} rows, each committed on its own; rows added meanwhile get the default",
                    table.name
                ),
            ),
            Step::ValidateConstraint { table, name } if i >= online_from => add(
                HazardCode::MayFail,
                i,
                format!(
                    "validating `{name}` fails if a row of `{}` violates it; it then stays NOT VALID (checked for new \
                     rows only) and the next run validates it again",
                    table.name
                ),
            ),
            Step::AddUnique { table, unique } => add(
                HazardCode::MayFail,
                i,
                format!("UNIQUE ({}) fails if `{}` has duplicates", unique.columns.join(", "), table.name),
            ),
            Step::AddPrimaryKey { table, .. } => {
                add(HazardCode::MayFail, i, format!("primary key on `{}` fails on duplicates or NULLs", table.name))
            }
            Step::AddExclusion { table, exclusion } => add(
                HazardCode::MayFail,
                i,
                format!("EXCLUDE {} fails if two rows of `{}` conflict", exclusion.definition, table.name),
            ),
            Step::AddForeignKey { table, foreign_key, not_valid } => {
                if !not_valid {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!(
                            "foreign key ({}) on `{}` fails if a row has no parent",
                            foreign_key.columns.join(", "),
                            table.name
                        ),
                    )
                }
            }
            Step::AddCheck { table, check, not_valid } => {
                if !not_valid {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!("CHECK ({}) fails if a row of `{}` violates it", check.expr, table.name),
                    )
                }
            }
            Step::RecreateEnum { to, from, .. } => {
                let only_added = to.values.iter().filter(|v| from.values.contains(v)).eq(from.values.iter());
                let why = if only_added {
                    format!(
                        " (only labels are added, but the migration uses a new one: Postgres cannot use a label \
                         added in the same transaction, so the type is recreated to keep the migration one \
                         transaction; add {} in an earlier migration to avoid the rewrite)",
                        to.values.iter().filter(|v| !from.values.contains(v)).map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
                    )
                } else {
                    String::new()
                };
                add(
                    HazardCode::RewritesTable,
                    i,
                    format!("recreating enum `{}` rewrites every table that uses it{why}", to.name),
                );
                if from.values.iter().any(|v| !to.values.contains(v)) {
                    add(HazardCode::MayFail, i, format!("enum `{}` loses labels; fails if a row uses one", to.name));
                }
            }
            Step::RebuildTable { from, to, copy } => {
                add(
                    HazardCode::RewritesTable,
                    i,
                    format!("table `{}` is rebuilt (new table, rows copied, old dropped)", to.name),
                );
                let dropped: Vec<&str> = from
                    .columns
                    .iter()
                    .filter(|c| c.generated.is_none() && !copy.iter().any(|k| k.from == c.name))
                    .map(|c| c.name.as_str())
                    .collect();
                if !dropped.is_empty() {
                    add(
                        HazardCode::DeletesData,
                        i,
                        format!("rebuild of `{}` drops column(s) {}", to.name, dropped.join(", ")),
                    );
                }
                let risky = copy.iter().any(|k| {
                    let (Some(a), Some(b)) = (from.column(&k.from), to.column(&k.to)) else { return false };
                    (a.nullable && !b.nullable && k.backfill.is_none())
                        || crate::types::conversion::narrows(&a.ty, &b.ty)
                }) || to.columns.iter().any(|c| {
                    !c.nullable
                        && c.default.is_none()
                        && c.generated.is_none()
                        && !copy.iter().any(|k| k.to == c.name)
                        && !caps.is_rowid_alias(to, c)
                }) || to.checks.len() > from.checks.len()
                    || to.foreign_keys.len() > from.foreign_keys.len()
                    || to.uniques.len() > from.uniques.len();
                if risky {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!("rebuild of `{}` fails if existing rows violate the new definition", to.name),
                    );
                }
            }
            Step::DropView { view, kept: false } => add(
                HazardCode::DropsObject,
                i,
                format!(
                    "drops {} `{}`, which the target schema does not have",
                    view.kind().to_lowercase(),
                    view.relation().display()
                ),
            ),
            Step::DropTrigger { trigger, kept: false } => add(
                HazardCode::DropsObject,
                i,
                format!(
                    "drops trigger `{}` on `{}`, which the target schema does not have",
                    trigger.name,
                    trigger.relation().display()
                ),
            ),
            Step::DropFunction { function, kept: false } => add(
                HazardCode::DropsObject,
                i,
                format!(
                    "drops {} `{}`, which the target schema does not have",
                    function.kind().to_lowercase(),
                    function.display()
                ),
            ),
            Step::DropPolicy { policy, kept: false } => add(
                HazardCode::DropsObject,
                i,
                format!(
                    "drops policy `{}` on `{}`, which the target schema does not have (who may read or write which rows changes)",
                    policy.name,
                    policy.relation().display()
                ),
            ),
            Step::SetRowSecurity { table, from, to } if (from.enabled && !to.enabled) || (from.forced && !to.forced) => {
                add(
                    HazardCode::DropsObject,
                    i,
                    format!(
                        "turns row-level security {} on `{}`: {}",
                        if from.enabled && !to.enabled { "off" } else { "no longer forced" },
                        table.display(),
                        if from.enabled && !to.enabled {
                            "every role with privileges on the table reads and writes every row"
                        } else {
                            "the table's owner is no longer subject to its policies"
                        }
                    ),
                )
            }
            Step::DropExtension { extension } => add(
                HazardCode::DropsObject,
                i,
                format!(
                    "drops extension `{}`, which the target schema does not have, with the functions and types it made",
                    extension.name
                ),
            ),
            Step::DropDomain { domain, kept: false } => add(
                HazardCode::DropsObject,
                i,
                format!("drops domain `{}`, which the target schema does not have", domain.display()),
            ),
            Step::DropDomain { domain, kept: true } => add(
                HazardCode::MayFail,
                i,
                format!(
                    "domain `{}` gets a new base type or collation: it is dropped and created again, which the server \
                     refuses while a column uses it",
                    domain.display()
                ),
            ),
            Step::DropSchema { name } => add(
                HazardCode::DropsObject,
                i,
                format!("drops schema `{name}`, which the target does not have (refused while anything is left in it)"),
            ),
            Step::DropComposite { composite, kept: false } => add(
                HazardCode::DropsObject,
                i,
                format!("drops type `{}`, which the target schema does not have", composite.display()),
            ),
            Step::DropComposite { composite, kept: true } => add(
                HazardCode::MayFail,
                i,
                format!(
                    "type `{}` gets its attributes in a new order: it is dropped and created again, which the server \
                     refuses while a column, function or other type uses it",
                    composite.display()
                ),
            ),
            Step::AlterComposite { from, to } => {
                let dropped: Vec<&str> = from
                    .attributes
                    .iter()
                    .filter(|a| !to.attributes.iter().any(|b| b.name == a.name))
                    .map(|a| a.name.as_str())
                    .collect();
                if !dropped.is_empty() {
                    add(
                        HazardCode::DeletesData,
                        i,
                        format!(
                            "drops attribute(s) {} of type `{}`: values stored in columns of that type lose them",
                            dropped.join(", "),
                            to.display()
                        ),
                    );
                }
                let retyped = to.attributes.iter().any(|b| from.attributes.iter().any(|a| a.name == b.name && a != b));
                if retyped {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!(
                            "changes an attribute's type in `{}`: the server refuses while a column stores the type",
                            to.display()
                        ),
                    );
                }
            }
            Step::DropCollation { collation, kept: false } => add(
                HazardCode::DropsObject,
                i,
                format!("drops collation `{}`, which the target schema does not have", collation.display()),
            ),
            Step::DropCollation { collation, kept: true } => add(
                HazardCode::MayFail,
                i,
                format!(
                    "collation `{}` changes: it is dropped and created again, which the server refuses while a \
                     column, index or type uses it",
                    collation.display()
                ),
            ),
            Step::AlterDomain { from, to } => {
                let added = to.checks.iter().any(|c| !from.checks.contains(c)) || (to.not_null && !from.not_null);
                if added {
                    add(
                        HazardCode::MayFail,
                        i,
                        format!(
                            "a new CHECK or NOT NULL on domain `{}` reads every column of that type and fails if a \
                             stored value breaks it",
                            to.display()
                        ),
                    )
                }
            }
            Step::SetPrivileges { on, role, from, to, narrows: true } => add(
                HazardCode::DropsObject,
                i,
                format!(
                    "revokes privileges of `{role}` on {} `{}` ({} → {}): what the role may read or do changes",
                    on.kind.keyword().to_lowercase(),
                    on.display(),
                    from.as_ref().map_or_else(|| "the defaults".to_string(), |f| list(&f.privileges)),
                    list(&to.privileges)
                ),
            ),
            Step::RetypeSerialSequence { .. } | Step::SetPrivileges { narrows: false, .. }
            | Step::CreateExtension { .. }
            | Step::AlterExtension { .. }
            | Step::CreateDomain { .. }
            | Step::CreateComposite { .. }
            | Step::CreateCollation { .. } => {}
            Step::SetRowSecurity { .. }
            | Step::CreatePolicy { .. }
            | Step::DropPolicy { kept: true, .. }
            | Step::SetComment { .. } => {}
            Step::DropFunction { kept: true, .. } | Step::CreateFunction { .. } | Step::DropView { kept: true, .. }
            | Step::DropTrigger { kept: true, .. }
            | Step::CreateView { .. }
            | Step::CreateTrigger { .. }
            | Step::AlterIdentity { .. }
            | Step::SetIdentityOptions { .. }
            | Step::DropExpression { .. }
            | Step::CreateSchema { .. }
            | Step::SetSequenceOwner { .. }
            | Step::CreateEnum { .. }
            | Step::DropEnum { .. }
            | Step::AddEnumValue { .. }
            | Step::CreateSequence { .. }
            | Step::DropSequence { .. }
            | Step::AlterSequence { .. }
            | Step::CreateTable { .. }
            | Step::DetachPartition { .. }
            | Step::Inherit { add: false, .. }
            | Step::NamePartitionIndex { .. }
            | Step::RenameTable { .. }
            | Step::RenameColumn { .. }
            | Step::DropNotNull { .. }
            | Step::SetDefault { .. }
            | Step::DropDefault { .. }
            | Step::DropPrimaryKey { .. }
            | Step::DropIndex { .. }
            | Step::RenameIndex { .. }
            | Step::AddUniqueUsingIndex { .. }
            | Step::AddPrimaryKeyUsingIndex { .. }
            | Step::SetNotNullChecked { .. }
            | Step::Backfill { .. }
            | Step::AddShadowColumn { .. }
            | Step::SwapShadowColumn { .. }
            | Step::DropUnique { .. }
            | Step::DropForeignKey { .. }
            | Step::DropCheck { .. }
            | Step::DropExclusion { .. }
            | Step::ValidateConstraint { .. } => {}
        }
    }
    // What a step does under its lock, for tables that exist (a new one is empty and unused).
    for l in locks.iter().filter(|l| !l.new_table && !l.rewrites && l.scans) {
        let t = &l.table.name;
        let (code, message) = if l.mode.blocks_reads() {
            (HazardCode::LocksTable, format!("reads every row of `{t}` under ACCESS EXCLUSIVE: reads and writes wait"))
        } else if l.mode.blocks_writes() {
            (HazardCode::BlocksWrites, format!("reads every row of `{t}` under {}: writes wait", l.mode.sql()))
        } else {
            (HazardCode::ScansTable, format!("reads every row of `{t}`; reads and writes go on"))
        };
        add(code, l.step, format!("{}: {message}", step_words(&steps[l.step])));
    }
    out.sort_by_key(|h| h.step);
    // A table this plan creates is empty and unused: building its indexes and constraints
    // cannot fail on existing rows or block anyone.
    let created: BTreeSet<String> = steps
        .iter()
        .filter_map(|s| match s {
            Step::CreateTable { table } => Some(TableRef::of(table).display()),
            _ => None,
        })
        .collect();
    if !created.is_empty() {
        out.retain(|h| {
            let on = match &steps[h.step] {
                Step::CreateIndex { table, concurrently: false, .. }
                | Step::AddUnique { table, .. }
                | Step::AddForeignKey { table, .. }
                | Step::AddCheck { table, .. }
                | Step::AddExclusion { table, .. }
                | Step::AttachPartition { table, .. } => table,
                _ => return true,
            };
            !(matches!(h.code, HazardCode::MayFail) && created.contains(&on.display()))
        });
    }
    out
}

/// A few words naming a step, for lock hazards.
fn step_words(s: &Step) -> String {
    match s {
        Step::CreateIndex { index, concurrently: true, .. } => format!("CREATE INDEX CONCURRENTLY `{}`", index.name),
        Step::CreateIndex { index, .. } => format!("CREATE INDEX `{}`", index.name),
        Step::SetNotNull { table, column, .. } => format!("SET NOT NULL on `{}.{column}`", table.name),
        Step::AddPrimaryKey { .. } => "ADD PRIMARY KEY".to_string(),
        Step::AddUnique { unique, .. } => format!("ADD UNIQUE ({})", unique.columns.join(", ")),
        Step::AddForeignKey { foreign_key, .. } => format!("ADD FOREIGN KEY ({})", foreign_key.columns.join(", ")),
        Step::AddCheck { check, .. } => format!("ADD CHECK ({})", check.expr),
        Step::AddExclusion { exclusion, .. } => format!("ADD EXCLUDE {}", exclusion.definition),
        Step::ValidateConstraint { name, .. } => format!("VALIDATE CONSTRAINT `{name}`"),
        Step::AlterColumnType { table, column, to, .. } => {
            format!("checking `{}.{column}` before it becomes {to}", table.name)
        }
        other => format!("{other:?}").split([' ', '{']).next().unwrap_or("step").to_string(),
    }
}

#[cfg(test)]
mod tests {
    //! Each case: a change and the hazard codes its plan must carry (and only those).
    use crate::model::Schema;
    use crate::plan::HazardCode::{self, *};
    use crate::plan::PlanOptions;
    use crate::testkit::{col, index, plan_latest, plan_with, schema, table};
    use crate::types::Dialect::{self, Postgres as PG, Sqlite as LITE};

    fn base(d: Dialect) -> Schema {
        let cols: &[(&str, &str)] = if d == PG {
            &[("id", "bigint"), ("name", "varchar(20)"), ("n", "integer")]
        } else {
            &[("id", "INTEGER"), ("name", "TEXT"), ("n", "INTEGER")]
        };
        schema(d, vec![table(d, "t", cols)])
    }

    fn codes(from: &Schema, to: &Schema) -> Vec<HazardCode> {
        let mut c: Vec<HazardCode> = plan_latest(from, to).hazards.iter().map(|h| h.code).collect();
        c.dedup();
        c
    }

    #[test]
    fn each_step_carries_its_hazards() {
        type Edit = fn(&mut Schema);
        let cases: Vec<(&str, Dialect, Edit, Vec<HazardCode>)> = vec![
            // Dropping loses rows/values: needs explicit opt-in.
            ("drop table", PG, |s| s.tables.clear(), vec![DeletesData]),
            (
                "drop column",
                PG,
                |s| {
                    s.tables[0].columns.pop();
                },
                vec![DeletesData],
            ),
            // Narrowing rewrites the table and can fail (or worse) on values that do not fit.
            (
                "narrow varchar",
                PG,
                |s| s.tables[0].columns[1] = col(PG, "name", "varchar(5)"),
                vec![RewritesTable, MayFail],
            ),
            // Widening int → bigint rewrites but cannot fail.
            ("widen int", PG, |s| s.tables[0].columns[2] = col(PG, "n", "bigint"), vec![RewritesTable]),
            // NOT NULL over possible NULLs can fail, and the check reads every row while
            // everything waits.
            ("set not null", PG, |s| s.tables[0].columns[2].nullable = false, vec![MayFail, LocksTable]),
            // A plain index build blocks writes on Postgres; a unique one can also fail.
            ("index", PG, |s| s.tables[0].indexes.push(index("t_n", &["n"], false)), vec![BlocksWrites]),
            ("unique index", PG, |s| s.tables[0].indexes.push(index("t_n", &["n"], true)), vec![MayFail, BlocksWrites]),
            // A validated CHECK scans under ACCESS EXCLUSIVE.
            (
                "check",
                PG,
                |s| {
                    s.tables[0].checks.push(crate::model::Check {
                        name: Some("t_n_pos".into()),
                        expr: "n > 0".into(),
                        no_inherit: false,
                        not_valid: false,
                    })
                },
                vec![MayFail, LocksTable],
            ),
            // SQLite has no concurrent builds to offer: no lock hazard for an index there.
            ("sqlite index", LITE, |s| s.tables[0].indexes.push(index("t_n", &["n"], false)), vec![]),
            // A rebuild rewrites the table; one that drops a column also deletes data.
            ("sqlite retype", LITE, |s| s.tables[0].columns[2] = col(LITE, "n", "TEXT"), vec![RewritesTable]),
            (
                "sqlite rebuild drops",
                LITE,
                |s| {
                    s.tables[0].columns.pop();
                    s.tables[0].columns[1].nullable = false;
                },
                vec![RewritesTable, DeletesData, MayFail],
            ),
            // Adding a nullable column is safe everywhere.
            ("add nullable", PG, |s| s.tables[0].columns.push(col(PG, "extra", "text")), vec![]),
        ];
        for (name, d, edit, want) in cases {
            let from = base(d);
            let mut to = from.clone();
            edit(&mut to);
            assert_eq!(codes(&from, &to), want, "{name}");
        }
    }

    #[test]
    fn a_new_table_carries_no_lock_or_may_fail_hazards_for_its_own_indexes() {
        // An empty, unused table cannot hold duplicates or block anyone.
        let mut t = table(PG, "fresh", &[("id", "bigint"), ("email", "text")]);
        t.indexes.push(index("fresh_email", &["email"], true));
        let to = schema(PG, vec![t]);
        assert_eq!(codes(&schema(PG, vec![]), &to), Vec::<HazardCode>::new());
    }

    #[test]
    fn backfilled_not_null_and_concurrent_indexes_change_the_hazard() {
        let from = base(PG);
        let mut to = from.clone();
        to.tables[0].columns[2].nullable = false;
        let mut opts = PlanOptions::default();
        opts.backfill.insert("t.n".into(), "0".into());
        let caps = crate::capabilities::Capabilities::latest(PG);
        assert!(plan_with(&from, &to, &caps, &opts).hazards.is_empty(), "a backfill removes the NULLs first");
        let mut to = from.clone();
        to.tables[0].indexes.push(index("t_n", &["n"], false));
        let opts = PlanOptions { online: true, ..Default::default() };
        let codes: Vec<HazardCode> = plan_with(&from, &to, &caps, &opts).hazards.iter().map(|h| h.code).collect();
        assert_eq!(codes, [NonTransactional, ScansTable], "built outside the transaction, blocking nobody");
    }
}
