//! Postgres SQL for every [`Step`]. Every identifier is quoted; literals go through
//! [`quote_literal`]; expressions come from catalogs or the user's models verbatim.

use super::{constraint_name, deferrable, Statement};
use crate::model::TableRef;
use crate::model::{
    Check, Collation, Column, CompositeAttribute, CompositeType, Domain, Exclusion, ForeignKey, Grant, Identity, Index,
    ObjectKind, ObjectRef, Policy, PrimaryKey, RowSecurity, Sequence, Table, Unique,
};
use crate::plan::{Plan, ShadowChange, Step};
use crate::sql::{ident_list, qualified, quote_ident, quote_literal};
use crate::types::{postgres::render as ty, Dialect, SqlType};

/// The statements that turn row-level security `from` into `to` on `table`.
fn row_security(table: &TableRef, from: RowSecurity, to: RowSecurity) -> Vec<String> {
    let t = table.quoted();
    let mut out = Vec::new();
    if from.enabled != to.enabled {
        out.push(format!("ALTER TABLE {t} {} ROW LEVEL SECURITY", if to.enabled { "ENABLE" } else { "DISABLE" }));
    }
    if from.forced != to.forced {
        out.push(format!("ALTER TABLE {t} {}FORCE ROW LEVEL SECURITY", if to.forced { "" } else { "NO " }));
    }
    out
}

/// `CREATE POLICY name ON table AS … FOR … TO … USING (…) WITH CHECK (…)`.
fn create_policy(p: &Policy) -> String {
    let roles: Vec<String> =
        p.roles.iter().map(|r| if r == "public" { "PUBLIC".to_string() } else { quote_ident(r) }).collect();
    let mut sql = format!(
        "CREATE POLICY {} ON {} AS {} FOR {} TO {}",
        quote_ident(&p.name),
        qualified(p.schema.as_deref(), &p.table),
        if p.restrictive { "RESTRICTIVE" } else { "PERMISSIVE" },
        p.command.sql(),
        if roles.is_empty() { "PUBLIC".to_string() } else { roles.join(", ") }
    );
    if let Some(u) = &p.using {
        sql.push_str(&format!(" USING ({u})"));
    }
    if let Some(c) = &p.with_check {
        sql.push_str(&format!(" WITH CHECK ({c})"));
    }
    sql
}

/// `TABLE "s"."t"`, `COLUMN "s"."t"."c"`, `FUNCTION "s"."f"(int)`, `TRIGGER "n" ON "s"."t"`, …
fn comment_target(on: &ObjectRef) -> String {
    let q = |name: &str| qualified(on.schema.as_deref(), name);
    let table = on.table.as_deref().unwrap_or_default();
    let what = on.kind.keyword();
    match on.kind {
        ObjectKind::Column => format!("{what} {}.{}", q(table), quote_ident(&on.name)),
        ObjectKind::Function | ObjectKind::Procedure => {
            format!("{what} {}({})", q(&on.name), on.arguments.as_deref().unwrap_or_default())
        }
        ObjectKind::Trigger | ObjectKind::Policy | ObjectKind::Constraint => {
            format!("{what} {} ON {}", quote_ident(&on.name), q(table))
        }
        ObjectKind::Table
        | ObjectKind::View
        | ObjectKind::MaterializedView
        | ObjectKind::Index
        | ObjectKind::Sequence
        | ObjectKind::Type
        | ObjectKind::Domain => format!("{what} {}", q(&on.name)),
        ObjectKind::Schema => format!("{what} {}", quote_ident(&on.name)),
    }
}

/// Privilege keywords a `GRANT`/`REVOKE` may name (a snapshot cannot smuggle anything else).
const PRIVILEGES: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
    "USAGE",
    "EXECUTE",
    "CREATE",
    "TEMPORARY",
    "CONNECT",
    "MAINTAIN",
];

/// The statements that make `role` hold exactly `to` on `on`, from `from` (`None`: unknown or
/// the defaults: everything is revoked first).
fn set_privileges(on: &ObjectRef, role: &str, from: Option<&Grant>, to: &Grant) -> crate::Result<Vec<String>> {
    let what = || format!("privileges of `{role}` on `{}`", on.display());
    for p in to.privileges.iter().chain(&to.grantable).chain(from.iter().flat_map(|f| f.privileges.iter())) {
        if !PRIVILEGES.contains(&p.as_str()) {
            return Err(crate::Error::Input(format!("{}: `{p}` is not a privilege", what())));
        }
    }
    let q = |name: &str| qualified(on.schema.as_deref(), name);
    // `ON …` and, for a column, the `(column)` every privilege is followed by.
    let (target, column) = match on.kind {
        ObjectKind::Table | ObjectKind::View | ObjectKind::MaterializedView => (format!("TABLE {}", q(&on.name)), ""),
        ObjectKind::Column => (format!("TABLE {}", q(on.table.as_deref().unwrap_or_default())), "column"),
        ObjectKind::Sequence | ObjectKind::Domain | ObjectKind::Type => {
            (format!("{} {}", on.kind.keyword(), q(&on.name)), "")
        }
        ObjectKind::Function | ObjectKind::Procedure => {
            let args = arguments(&what(), on.arguments.as_deref().unwrap_or_default())?;
            (format!("{} {}({args})", on.kind.keyword(), q(&on.name)), "")
        }
        ObjectKind::Schema => (format!("SCHEMA {}", quote_ident(&on.name)), ""),
        ObjectKind::Index | ObjectKind::Trigger | ObjectKind::Policy | ObjectKind::Constraint => {
            return Err(crate::Error::Input(format!("{}: this kind of object has no privileges", what())))
        }
    };
    let col = if column.is_empty() { String::new() } else { format!(" ({})", quote_ident(&on.name)) };
    let listed = |ps: &[&String]| ps.iter().map(|p| format!("{p}{col}")).collect::<Vec<_>>().join(", ");
    let r = quote_ident(role);
    let mut out = Vec::new();
    let (had, had_option): (Vec<&String>, Vec<&String>) = match from {
        Some(f) => (f.privileges.iter().collect(), f.grantable.iter().collect()),
        None => {
            out.push(format!("REVOKE ALL{col} ON {target} FROM {r}"));
            (Vec::new(), Vec::new())
        }
    };
    let gone: Vec<&String> = had.iter().copied().filter(|p| !to.privileges.contains(p)).collect();
    if !gone.is_empty() {
        out.push(format!("REVOKE {} ON {target} FROM {r}", listed(&gone)));
    }
    let option_gone: Vec<&String> =
        had_option.iter().copied().filter(|p| to.privileges.contains(p) && !to.grantable.contains(p)).collect();
    if !option_gone.is_empty() {
        out.push(format!("REVOKE GRANT OPTION FOR {} ON {target} FROM {r}", listed(&option_gone)));
    }
    let plain: Vec<&String> = to.privileges.iter().filter(|p| !had.contains(p) && !to.grantable.contains(p)).collect();
    if !plain.is_empty() {
        out.push(format!("GRANT {} ON {target} TO {r}", listed(&plain)));
    }
    let with_option: Vec<&String> = to.grantable.iter().filter(|p| !had_option.contains(p)).collect();
    if !with_option.is_empty() {
        out.push(format!("GRANT {} ON {target} TO {r} WITH GRANT OPTION", listed(&with_option)));
    }
    Ok(out)
}

/// `CREATE DOMAIN …` with everything the domain has.
fn create_domain(d: &Domain) -> String {
    let mut sql = format!("CREATE DOMAIN {} AS {}", qualified(d.schema.as_deref(), &d.name), d.base);
    if let Some(c) = &d.collation {
        sql.push_str(&format!(" COLLATE {}", quote_ident(c)));
    }
    if let Some(x) = &d.default {
        sql.push_str(&format!(" DEFAULT {x}"));
    }
    if d.not_null {
        sql.push_str(" NOT NULL");
    }
    for c in &d.checks {
        sql.push_str(&format!(" CONSTRAINT {} CHECK ({})", quote_ident(&c.name), c.expr));
    }
    sql
}

/// The `ALTER DOMAIN` statements that turn `from` into `to` (same base type and collation).
fn alter_domain(from: &Domain, to: &Domain) -> Vec<String> {
    let name = qualified(to.schema.as_deref(), &to.name);
    let mut out = Vec::new();
    if !crate::expr::same_opt(from.default.as_deref(), to.default.as_deref()) {
        out.push(match &to.default {
            Some(x) => format!("ALTER DOMAIN {name} SET DEFAULT {x}"),
            None => format!("ALTER DOMAIN {name} DROP DEFAULT"),
        });
    }
    if from.not_null != to.not_null {
        out.push(format!("ALTER DOMAIN {name} {} NOT NULL", if to.not_null { "SET" } else { "DROP" }));
    }
    let same = |a: &crate::model::DomainCheck, b: &crate::model::DomainCheck| {
        a.name == b.name && crate::expr::same(&a.expr, &b.expr)
    };
    for c in from.checks.iter().filter(|c| !to.checks.iter().any(|t| same(c, t))) {
        out.push(format!("ALTER DOMAIN {name} DROP CONSTRAINT {}", quote_ident(&c.name)));
    }
    for c in to.checks.iter().filter(|c| !from.checks.iter().any(|f| same(c, f))) {
        out.push(format!("ALTER DOMAIN {name} ADD CONSTRAINT {} CHECK ({})", quote_ident(&c.name), c.expr));
    }
    out
}

/// `name type [COLLATE …]`: an attribute of a composite type.
fn attribute_def(a: &CompositeAttribute) -> String {
    let collate = a.collation.as_ref().map(|c| format!(" COLLATE {}", quote_ident(c))).unwrap_or_default();
    format!("{} {}{collate}", quote_ident(&a.name), a.ty)
}

/// The `ALTER TYPE` statements that turn composite `from` into `to` (see
/// [`CompositeType::alterable_to`]): attributes dropped, retyped, then added at the end.
fn alter_composite(from: &CompositeType, to: &CompositeType) -> Vec<String> {
    let name = qualified(to.schema.as_deref(), &to.name);
    let mut out = Vec::new();
    for a in from.attributes.iter().filter(|a| !to.attributes.iter().any(|b| b.name == a.name)) {
        out.push(format!("ALTER TYPE {name} DROP ATTRIBUTE {}", quote_ident(&a.name)));
    }
    for b in &to.attributes {
        match from.attributes.iter().find(|a| a.name == b.name) {
            Some(a) if a != b => {
                let collate = b.collation.as_ref().map(|c| format!(" COLLATE {}", quote_ident(c))).unwrap_or_default();
                out.push(format!("ALTER TYPE {name} ALTER ATTRIBUTE {} TYPE {}{collate}", quote_ident(&b.name), b.ty));
            }
            Some(_) => {}
            None => out.push(format!("ALTER TYPE {name} ADD ATTRIBUTE {}", attribute_def(b))),
        }
    }
    out
}

/// `CREATE COLLATION … (provider = …, …)`: every value a quoted literal, the provider one of
/// the words Postgres knows.
fn create_collation(c: &Collation) -> crate::Result<String> {
    let provider = match c.provider.as_str() {
        p @ ("icu" | "libc" | "builtin") => p,
        other => {
            return Err(crate::Error::Unsupported {
                dialect: Dialect::Postgres,
                what: format!("collation `{}` with provider {other:?} (icu, libc or builtin)", c.display()),
            })
        }
    };
    let mut opts = vec![format!("provider = {provider}")];
    let mut opt = |key: &str, v: &Option<String>| {
        if let Some(v) = v {
            opts.push(format!("{key} = {}", quote_literal(v)));
        }
    };
    opt("locale", &c.locale);
    opt("lc_collate", &c.lc_collate);
    opt("lc_ctype", &c.lc_ctype);
    if !c.deterministic {
        opts.push("deterministic = false".into());
    }
    Ok(format!("CREATE COLLATION {} ({})", qualified(c.schema.as_deref(), &c.name), opts.join(", ")))
}

/// `sql`, built from catalog or snapshot texts, checked to be exactly one statement.
fn one_statement(what: &str, sql: String) -> crate::Result<String> {
    let n = crate::sql::split(&sql).len();
    Ok(super::body(Dialect::Postgres, what, None, &sql, n, &[])?.to_string())
}

/// An argument list (from a catalog or a snapshot) checked before it is printed between the
/// parentheses of `DROP FUNCTION f(…)` or `COMMENT ON FUNCTION f(…)`: a snapshot cannot close
/// them early (`int) CASCADE`) or start another statement.
fn arguments<'a>(what: &str, list: &'a str) -> crate::Result<&'a str> {
    if crate::sql::parenthesizable(list) {
        Ok(list)
    } else {
        Err(crate::Error::Input(format!("{what}: its argument list is not a list of argument types")))
    }
}

/// How a function's statement may start.
const FUNCTION_HEADS: &[&str] = &[
    "CREATE OR REPLACE FUNCTION ",
    "CREATE OR REPLACE PROCEDURE ",
    "CREATE OR REPLACE AGGREGATE ",
    "CREATE FUNCTION ",
    "CREATE PROCEDURE ",
    "CREATE AGGREGATE ",
];

/// Renders every step of `plan` as Postgres statements.
pub fn render(plan: &Plan) -> crate::Result<Vec<Statement>> {
    let mut out = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        // The online part runs after the transaction, each statement on its own.
        let transactional = !plan.is_online(i);
        let mut push = |sql: String| out.push(Statement { sql, step: i, transactional });
        match step {
            Step::CreateSchema { name } => push(format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(name))),
            Step::DropSchema { name } => push(format!("DROP SCHEMA {}", quote_ident(name))),
            Step::CreateView { view } => {
                let name = qualified(view.schema.as_deref(), &view.name);
                let what = format!("view `{}`", view.relation().display());
                let n = crate::sql::split(&view.definition).len();
                let query = super::body(Dialect::Postgres, &what, view.written_for, &view.definition, n, &[])?;
                let columns =
                    if view.columns.is_empty() { String::new() } else { format!(" ({})", ident_list(&view.columns)) };
                push(format!(
                    "CREATE {} {name}{columns}{} AS {query}",
                    view.kind(),
                    super::storage_options(&view.options)
                ));
                for index in &view.indexes {
                    push(create_index(&view.relation(), index, false));
                }
            }
            Step::DropView { view, .. } => {
                push(format!("DROP {} {}", view.kind(), qualified(view.schema.as_deref(), &view.name)))
            }
            Step::CreateTrigger { trigger } => {
                let what = format!("trigger `{}` on `{}`", trigger.name, trigger.relation().display());
                let text = &trigger.definition;
                let n = crate::sql::split(text).len();
                push(
                    super::body(Dialect::Postgres, &what, trigger.written_for, text, n, super::TRIGGER_HEADS)?
                        .to_string(),
                );
                if !trigger.fires.is_origin() {
                    let (on, name) = (trigger.relation().quoted(), quote_ident(&trigger.name));
                    push(format!("ALTER TABLE {on} {} {name}", trigger.fires.sql()));
                }
            }
            Step::CreateFunction { function, .. } => {
                let what = format!("{} `{}`", function.kind().to_lowercase(), function.display());
                let text = &function.definition;
                let n = crate::sql::split(text).len();
                let text = super::body(Dialect::Postgres, &what, None, text, n, FUNCTION_HEADS)?;
                push("SET LOCAL check_function_bodies = off".to_string());
                push(text.to_string())
            }
            Step::SetRowSecurity { table, from, to } => {
                for sql in row_security(table, *from, *to) {
                    push(sql);
                }
            }
            Step::CreatePolicy { policy } => {
                let what = format!("policy `{}` on `{}`", policy.name, policy.relation().display());
                push(one_statement(&what, create_policy(policy))?)
            }
            Step::CreateExtension { extension: x } => {
                let mut sql = format!("CREATE EXTENSION {}", quote_ident(&x.name));
                if let Some(s) = &x.schema {
                    sql.push_str(&format!(" WITH SCHEMA {}", quote_ident(s)));
                }
                if let Some(v) = &x.version {
                    sql.push_str(&format!(" VERSION {}", quote_literal(v)));
                }
                push(sql)
            }
            Step::DropExtension { extension } => push(format!("DROP EXTENSION {}", quote_ident(&extension.name))),
            Step::AlterExtension { from, to } => {
                let name = quote_ident(&to.name);
                if let (Some(s), true) = (&to.schema, from.schema != to.schema) {
                    push(format!("ALTER EXTENSION {name} SET SCHEMA {}", quote_ident(s)));
                }
                if let (Some(v), true) = (&to.version, from.version.is_some() && from.version != to.version) {
                    push(format!("ALTER EXTENSION {name} UPDATE TO {}", quote_literal(v)));
                }
            }
            Step::RetypeSerialSequence { table, column, ty: to } => {
                let seq_of =
                    format!("pg_get_serial_sequence({}, {})", quote_literal(&table.quoted()), quote_literal(column));
                push(format!(
                    "DO $ss$ DECLARE seq text := {seq_of}; BEGIN IF seq IS NOT NULL THEN \
                     EXECUTE format('ALTER SEQUENCE %s AS {}', seq); END IF; END $ss$",
                    ty(to)
                ))
            }
            Step::SetPrivileges { on, role, from, to, .. } => {
                for sql in set_privileges(on, role, from.as_ref(), to)? {
                    push(sql);
                }
            }
            Step::CreateDomain { domain } => {
                push(one_statement(&format!("domain `{}`", domain.display()), create_domain(domain))?)
            }
            Step::CreateComposite { composite: c } => {
                let attrs: Vec<String> = c.attributes.iter().map(attribute_def).collect();
                let sql = format!("CREATE TYPE {} AS ({})", qualified(c.schema.as_deref(), &c.name), attrs.join(", "));
                push(one_statement(&format!("type `{}`", c.display()), sql)?)
            }
            Step::DropComposite { composite: c, .. } => {
                push(format!("DROP TYPE {}", qualified(c.schema.as_deref(), &c.name)))
            }
            Step::AlterComposite { from, to } => {
                for sql in alter_composite(from, to) {
                    push(one_statement(&format!("type `{}`", to.display()), sql)?);
                }
            }
            Step::CreateCollation { collation } => push(create_collation(collation)?),
            Step::DropCollation { collation: c, .. } => {
                push(format!("DROP COLLATION {}", qualified(c.schema.as_deref(), &c.name)))
            }
            Step::DropDomain { domain, .. } => {
                push(format!("DROP DOMAIN {}", qualified(domain.schema.as_deref(), &domain.name)))
            }
            Step::AlterDomain { from, to } => {
                for sql in alter_domain(from, to) {
                    push(one_statement(&format!("domain `{}`", to.display()), sql)?);
                }
            }
            Step::SetComment { on, text } => {
                if let Some(a) = &on.arguments {
                    arguments(&format!("comment on `{}`", on.display()), a)?;
                }
                push(format!(
                    "COMMENT ON {} IS {}",
                    comment_target(on),
                    text.as_deref().map_or_else(|| "NULL".to_string(), quote_literal)
                ))
            }
            Step::DropPolicy { policy, .. } => push(format!(
                "DROP POLICY {} ON {}",
                quote_ident(&policy.name),
                qualified(policy.schema.as_deref(), &policy.table)
            )),
            Step::DropFunction { function, .. } => {
                arguments(
                    &format!("{} `{}`", function.kind().to_lowercase(), function.display()),
                    function.arguments_list(),
                )?;
                push(format!("DROP {} {}", function.kind(), function.signature()))
            }
            Step::DropTrigger { trigger, .. } => push(format!(
                "DROP TRIGGER {} ON {}",
                quote_ident(&trigger.name),
                qualified(trigger.schema.as_deref(), &trigger.table)
            )),
            Step::CreateEnum { r#enum } => push(format!(
                "CREATE TYPE {} AS ENUM ({})",
                qualified(r#enum.schema.as_deref(), &r#enum.name),
                crate::sql::literal_list(&r#enum.values)
            )),
            Step::DropEnum { r#enum } => {
                push(format!("DROP TYPE {}", qualified(r#enum.schema.as_deref(), &r#enum.name)))
            }
            Step::AddEnumValue { r#enum, value, before, after } => {
                let pos = match (before, after) {
                    (_, Some(a)) => format!(" AFTER {}", quote_literal(a)),
                    (Some(b), None) => format!(" BEFORE {}", quote_literal(b)),
                    (None, None) => String::new(),
                };
                push(format!(
                    "ALTER TYPE {} ADD VALUE {}{pos}",
                    qualified(r#enum.schema.as_deref(), &r#enum.name),
                    quote_literal(value)
                ))
            }
            Step::RecreateEnum { from, to, uses } => {
                let old_name = format!("{}__ss_old", from.name);
                let name = qualified(to.schema.as_deref(), &to.name);
                push(format!(
                    "ALTER TYPE {} RENAME TO {}",
                    qualified(from.schema.as_deref(), &from.name),
                    quote_ident(&old_name)
                ));
                push(format!("CREATE TYPE {name} AS ENUM ({})", crate::sql::literal_list(&to.values)));
                for u in uses {
                    let t = u.table.quoted();
                    let c = quote_ident(&u.column);
                    if u.default.is_some() {
                        push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"));
                    }
                    let (text, target) = if u.array { ("text[]", format!("{name}[]")) } else { ("text", name.clone()) };
                    push(format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {target} USING {c}::{text}::{target}"));
                    if let Some(d) = &u.default {
                        // The default names the type as before: the new type took the old name.
                        push(format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {d}"));
                    }
                }
                push(format!("DROP TYPE {}", qualified(from.schema.as_deref(), &old_name)));
            }
            Step::CreateSequence { sequence } => push(create_sequence(sequence)),
            Step::DropSequence { sequence } => {
                push(format!("DROP SEQUENCE {}", qualified(sequence.schema.as_deref(), &sequence.name)))
            }
            Step::AlterSequence { sequence: s } => push(format!(
                "ALTER SEQUENCE {} {} {}CYCLE",
                qualified(s.schema.as_deref(), &s.name),
                sequence_options(s),
                if s.cycle { "" } else { "NO " }
            )),
            Step::SetSequenceOwner { sequence, owner } => push(format!(
                "ALTER SEQUENCE {} OWNED BY {}",
                qualified(sequence.schema.as_deref(), &sequence.name),
                match owner {
                    Some((t, c)) => format!("{}.{}", t.quoted(), quote_ident(c)),
                    None => "NONE".to_string(),
                }
            )),
            Step::CreateTable { table } => {
                // Postgres silently merges a UNIQUE constraint that repeats the primary key
                // inside CREATE TABLE; added afterwards it is kept, as the source had it.
                let pk = table.primary_key.as_ref().map(|p| p.columns.clone());
                let (dup, rest): (Vec<Unique>, Vec<Unique>) =
                    table.uniques.iter().cloned().partition(|u| Some(&u.columns) == pk.as_ref());
                let mut t = table.clone();
                t.uniques = rest;
                if t.partition_by.is_some() || t.partition_of.is_some() || !t.exclusions.is_empty() {
                    // The key, the bound and exclusions are SQL text: one statement, or the plan
                    // is refused.
                    push(one_statement(&format!("table `{}`", t.display_name()), create_table(&t))?);
                } else {
                    push(create_table(&t));
                }
                for u in dup {
                    push(format!("ALTER TABLE {} ADD {}", qualified(t.schema.as_deref(), &t.name), unique_def(&u)));
                }
                for sql in row_security(&TableRef::of(&t), RowSecurity::default(), t.row_security) {
                    push(sql);
                }
            }
            Step::DropTable { table } | Step::DropTableToRecreate { table } => {
                push(format!("DROP TABLE {}", qualified(table.schema.as_deref(), &table.name)))
            }
            Step::AttachPartition { table, of } => push(one_statement(
                &format!("partition `{}`", table.display()),
                format!(
                    "ALTER TABLE {} ATTACH PARTITION {} {}",
                    of.parent().with_default_schema(table.schema.as_deref()).quoted(),
                    table.quoted(),
                    of.bound
                ),
            )?),
            Step::DetachPartition { table, parent } => push(detach_partition(table, parent)),
            Step::Inherit { table, parent, add } => push(format!(
                "ALTER TABLE {} {}INHERIT {}",
                table.quoted(),
                if *add { "" } else { "NO " },
                parent.quoted()
            )),
            Step::NamePartitionIndex { table, parent_index, name } => {
                let body = format!(
                    " DECLARE x text; BEGIN SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) INTO x \
                     FROM pg_catalog.pg_inherits ih JOIN pg_catalog.pg_class c ON c.oid = ih.inhrelid \
                     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                     JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid \
                     WHERE ih.inhparent = {}::regclass AND i.indrelid = {}::regclass AND c.relname <> {name}; \
                     IF x IS NOT NULL THEN EXECUTE 'ALTER INDEX ' || x || ' RENAME TO ' || quote_ident({name}); END IF; END ",
                    quote_literal(&parent_index.quoted()),
                    quote_literal(&table.quoted()),
                    name = quote_literal(name),
                );
                push(format!("DO {}", crate::sql::dollar_quote(&body)))
            }
            Step::SetIdentityOptions { table, column, options } => {
                // A sequence that never gave a value and whose position the new bounds leave
                // out starts again at the new start; one that did fails (values were issued).
                let alter = format!(
                    "ALTER TABLE {} ALTER COLUMN {} SET {}",
                    table.quoted(),
                    quote_ident(column),
                    options.clauses().join(" SET ")
                );
                let body = format!(
                    " DECLARE last bigint; called boolean; BEGIN \
                     EXECUTE format('SELECT last_value, is_called FROM %s', pg_get_serial_sequence({}, {})) \
                       INTO last, called; \
                     IF NOT called AND (last < {} OR last > {}) THEN {alter} RESTART WITH {}; \
                     ELSE {alter}; END IF; END ",
                    quote_literal(&table.quoted()),
                    quote_literal(column),
                    options.min,
                    options.max,
                    options.start,
                );
                push(format!("DO {}", crate::sql::dollar_quote(&body)))
            }
            Step::RenameTable { table, to } => {
                push(format!("ALTER TABLE {} RENAME TO {}", table.quoted(), quote_ident(to)))
            }
            Step::AddColumn { table, column } => {
                push(format!("ALTER TABLE {} ADD COLUMN {}", table.quoted(), column_def(column)))
            }
            Step::DropColumn { table, column } => {
                push(format!("ALTER TABLE {} DROP COLUMN {}", table.quoted(), quote_ident(column)))
            }
            Step::RenameColumn { table, from, to } => push(format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                table.quoted(),
                quote_ident(from),
                quote_ident(to)
            )),
            Step::AlterColumnType { table, column, from, to, collation, using, check_values } => {
                let c = quote_ident(column);
                let collate = collation.as_ref().map(|x| format!(" COLLATE {}", quote_ident(x))).unwrap_or_default();
                let using = match using {
                    Some(u) => u.replace("{col}", &c),
                    None => conversion(&c, from, to),
                };
                if *check_values {
                    push(value_guard(table, column, from, to));
                }
                push(format!("ALTER TABLE {} ALTER COLUMN {c} TYPE {}{collate} USING {using}", table.quoted(), ty(to)))
            }
            Step::DropExpression { table, column } => {
                push(format!("ALTER TABLE {} ALTER COLUMN {} DROP EXPRESSION", table.quoted(), quote_ident(column)))
            }
            Step::SetNotNull { table, column, backfill } => {
                let c = quote_ident(column);
                if let Some(b) = backfill {
                    push(format!("UPDATE {} SET {c} = {b} WHERE {c} IS NULL", table.quoted()));
                }
                push(format!("ALTER TABLE {} ALTER COLUMN {c} SET NOT NULL", table.quoted()))
            }
            Step::DropNotNull { table, column } => {
                push(format!("ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL", table.quoted(), quote_ident(column)))
            }
            Step::SetDefault { table, column, expr } => {
                push(format!("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {expr}", table.quoted(), quote_ident(column)))
            }
            Step::DropDefault { table, column } => {
                push(format!("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT", table.quoted(), quote_ident(column)))
            }
            Step::AlterIdentity { table, column, ty: col_ty, from, to } => {
                for sql in alter_identity(table, column, col_ty, *from, *to) {
                    push(sql);
                }
            }
            Step::AddPrimaryKey { table, primary_key } => {
                push(format!("ALTER TABLE {} ADD {}", table.quoted(), primary_key_def(primary_key)))
            }
            Step::DropPrimaryKey { table, primary_key } => {
                let name = primary_key.name.clone().unwrap_or_else(|| format!("{}_pkey", table.name));
                push(format!("ALTER TABLE {} DROP CONSTRAINT {}", table.quoted(), quote_ident(&name)))
            }
            Step::CreateIndex { table, index, concurrently } => {
                let sql = create_index(table, index, *concurrently);
                out.push(Statement { sql, step: i, transactional: transactional && !concurrently });
            }
            Step::DropIndex { table, index, concurrently: false } => {
                push(format!("DROP INDEX {}", qualified(table.schema.as_deref(), &index.name)))
            }
            Step::DropIndex { table, index, concurrently: true } => {
                let sql =
                    format!("DROP INDEX CONCURRENTLY IF EXISTS {}", qualified(table.schema.as_deref(), &index.name));
                out.push(Statement { sql, step: i, transactional: false });
            }
            Step::RenameIndex { table, from, to } => {
                push(format!("ALTER INDEX {} RENAME TO {}", qualified(table.schema.as_deref(), from), quote_ident(to)))
            }
            Step::AddUniqueUsingIndex { table, unique, index } => push(format!(
                "ALTER TABLE {} ADD {}UNIQUE USING INDEX {}{}",
                table.quoted(),
                constraint_name(&unique.name),
                quote_ident(index),
                deferrable(unique.deferrable)
            )),
            Step::AddPrimaryKeyUsingIndex { table, primary_key, index } => push(format!(
                "ALTER TABLE {} ADD {}PRIMARY KEY USING INDEX {}{}",
                table.quoted(),
                constraint_name(&primary_key.name),
                quote_ident(index),
                deferrable(primary_key.deferrable)
            )),
            Step::SetNotNullChecked { table, column, check } => {
                push(format!("ALTER TABLE {} ALTER COLUMN {} SET NOT NULL", table.quoted(), quote_ident(column)));
                push(format!("ALTER TABLE {} DROP CONSTRAINT {}", table.quoted(), quote_ident(check)));
            }
            Step::Backfill { table, column, expr, batch: None } => {
                let c = quote_ident(column);
                push(format!("UPDATE {} SET {c} = {expr} WHERE {c} IS NULL", table.quoted()))
            }
            Step::AddShadowColumn { change, exists } => {
                let ShadowChange { table, column, shadow, from, to, using } = change;
                if !exists {
                    push(format!("ALTER TABLE {} ADD COLUMN {} {}", table.quoted(), quote_ident(shadow), ty(to)));
                }
                let (function, trigger) = shadow_trigger(table, column);
                let value = shadow_value(&format!("NEW.{}", quote_ident(column)), from, to, using);
                let body = format!(" BEGIN NEW.{} := {value}; RETURN NEW; END ", quote_ident(shadow));
                push(format!(
                    "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS {}",
                    crate::sql::dollar_quote(&body)
                ));
                push(format!("DROP TRIGGER IF EXISTS {trigger} ON {}", table.quoted()));
                push(format!(
                    "CREATE TRIGGER {trigger} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {function}()",
                    table.quoted()
                ));
            }
            Step::FillShadowColumn { change, batch } => {
                let ShadowChange { table, column, shadow, from, to, using } = change;
                let value = shadow_value(&quote_ident(column), from, to, using);
                let sql = batched_update(table, shadow, &value, Some(column), *batch);
                out.push(Statement { sql, step: i, transactional: false })
            }
            Step::SwapShadowColumn { table, column, shadow, not_null, default } => {
                let t = table.quoted();
                let c = quote_ident(column);
                let (function, trigger) = shadow_trigger(table, column);
                let s = quote_ident(shadow);
                // The fill must have reached every row before the old column goes: checked before
                // the lock (the trigger keeps rows written since in step), so a shadow left short
                // (an interrupted fill, a value the conversion turned into NULL) stops the swap
                // instead of losing values.
                let short = crate::sql::quote_literal(&format!(
                    "schema-sync: {shadow} is missing values of {column}; nothing was swapped"
                ));
                let mut body = format!(
                    " BEGIN IF EXISTS (SELECT 1 FROM {t} WHERE {s} IS NULL AND {c} IS NOT NULL) THEN \
                     RAISE EXCEPTION '%', {short}; END IF; \
                     LOCK TABLE {t} IN ACCESS EXCLUSIVE MODE; DROP TRIGGER {trigger} ON {t}; DROP FUNCTION {function}(); \
                     ALTER TABLE {t} DROP COLUMN {c}; ALTER TABLE {t} RENAME COLUMN {s} TO {c}; "
                );
                if let Some(check) = not_null {
                    body.push_str(&format!(
                        "ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL; ALTER TABLE {t} DROP CONSTRAINT {}; ",
                        quote_ident(check)
                    ));
                }
                if let Some(d) = default {
                    body.push_str(&format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {d}; "));
                }
                body.push_str("END ");
                push(format!("DO {}", crate::sql::dollar_quote(&body)))
            }
            Step::Backfill { table, column, expr, batch: Some(n) } => out.push(Statement {
                sql: batched_update(table, column, expr, None, *n),
                step: i,
                transactional: false,
            }),
            Step::AddUnique { table, unique } => {
                push(format!("ALTER TABLE {} ADD {}", table.quoted(), unique_def(unique)))
            }
            Step::DropUnique { table, unique } => {
                let name = unique
                    .name
                    .clone()
                    .unwrap_or_else(|| crate::sql::pg_object_name(&table.name, Some(&unique.columns.join("_")), "key"));
                push(format!("ALTER TABLE {} DROP CONSTRAINT {}", table.quoted(), quote_ident(&name)))
            }
            Step::AddForeignKey { table, foreign_key, not_valid } => push(format!(
                "ALTER TABLE {} ADD {}{}",
                table.quoted(),
                fk_def(foreign_key, table.schema.as_deref()),
                if *not_valid { " NOT VALID" } else { "" }
            )),
            Step::DropForeignKey { table, foreign_key } => {
                let name = foreign_key
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("{}_{}_fkey", table.name, foreign_key.columns.join("_")));
                push(format!("ALTER TABLE {} DROP CONSTRAINT {}", table.quoted(), quote_ident(&name)))
            }
            Step::AddCheck { table, check, not_valid } => push(format!(
                "ALTER TABLE {} ADD {}{}",
                table.quoted(),
                check_def(check),
                if *not_valid { " NOT VALID" } else { "" }
            )),
            Step::DropCheck { table, check } => {
                let name = check.name.clone().ok_or_else(|| crate::Error::Unsupported {
                    dialect: Dialect::Postgres,
                    what: format!("dropping an unnamed CHECK ({}) on `{}`", check.expr, table.name),
                })?;
                push(format!("ALTER TABLE {} DROP CONSTRAINT {}", table.quoted(), quote_ident(&name)))
            }
            Step::AddExclusion { table, exclusion } => push(one_statement(
                &format!("exclusion constraint on `{}`", table.display()),
                format!("ALTER TABLE {} ADD {}", table.quoted(), exclusion_def(exclusion)),
            )?),
            Step::DropExclusion { table, exclusion } => {
                let name = exclusion.name.clone().ok_or_else(|| crate::Error::Unsupported {
                    dialect: Dialect::Postgres,
                    what: format!("dropping an unnamed EXCLUDE {} on `{}`", exclusion.definition, table.name),
                })?;
                push(format!("ALTER TABLE {} DROP CONSTRAINT {}", table.quoted(), quote_ident(&name)))
            }
            Step::ValidateConstraint { table, name } => {
                push(format!("ALTER TABLE {} VALIDATE CONSTRAINT {}", table.quoted(), quote_ident(name)))
            }
            Step::RebuildTable { to, .. } => {
                return Err(crate::Error::Unsupported {
                    dialect: Dialect::Postgres,
                    what: format!(
                        "table rebuild of `{}` on Postgres (the planner alters Postgres tables in place)",
                        to.name
                    ),
                })
            }
        }
    }
    Ok(out)
}

/// A `DO` block that fills `table.column` where it is NULL (and `source` is not), `n` rows at a
/// time, committing after each batch (so it must run outside a transaction block). It stops
/// after as many rows as were to fill when it started, so an expression that yields NULL cannot
/// loop forever.
fn batched_update(table: &TableRef, column: &str, expr: &str, source: Option<&str>, n: u64) -> String {
    // A batch of no rows would fill nothing and report success.
    let n = n.max(1);
    let t = table.quoted();
    let c = quote_ident(column);
    let todo = match source {
        Some(s) => format!("{c} IS NULL AND {} IS NOT NULL", quote_ident(s)),
        None => format!("{c} IS NULL"),
    };
    let body = format!(
        " DECLARE ss_done bigint := 0; ss_total bigint; ss_rows bigint; BEGIN \
         SELECT count(*) INTO ss_total FROM {t} WHERE {todo}; \
         LOOP EXIT WHEN ss_done >= ss_total; \
         UPDATE {t} SET {c} = {expr} WHERE ctid = ANY (ARRAY(SELECT ctid FROM {t} WHERE {todo} LIMIT {n})); \
         GET DIAGNOSTICS ss_rows = ROW_COUNT; EXIT WHEN ss_rows = 0; ss_done := ss_done + ss_rows; COMMIT; END LOOP; END "
    );
    format!("DO {}", crate::sql::dollar_quote(&body))
}

/// The converted value of `c` (a quoted column or `NEW."col"`) for a shadow column.
fn shadow_value(c: &str, from: &SqlType, to: &SqlType, using: &Option<String>) -> String {
    match using {
        Some(u) => u.replace("{col}", c),
        None => conversion(c, from, to),
    }
}

/// The trigger function and trigger (qualified, quoted) keeping the shadow of `table.column`
/// in step.
fn shadow_trigger(table: &TableRef, column: &str) -> (String, String) {
    let name = crate::sql::fit_name(&format!("{}_{}_ss_sync", table.name, column));
    (qualified(table.schema.as_deref(), &name), quote_ident(&name))
}

/// `true` when Postgres has a direct cast `from::to`; otherwise the conversion goes through
/// text, which every type can be read from and written to (and fails, atomically, on values
/// that do not parse).
/// The `USING` expression that converts the quoted column `c` from `from` to `to` when no
/// conversion was given: a cast, through `text` where no direct cast exists (enums).
pub fn conversion(c: &str, from: &SqlType, to: &SqlType) -> String {
    if is_enumish(from) || is_enumish(to) || !direct_cast(from, to) {
        let text = if matches!(to, SqlType::Array { .. }) { "text[]" } else { "text" };
        format!("{c}::{text}::{}", ty(to))
    } else {
        format!("{c}::{}", ty(to))
    }
}

/// The rows of `table.column` whose value would not survive the conversion to `to`
/// unchanged: cast back to `from`, the text form differs (`'a very'` → `varchar(5)` → `'a ve'`;
/// `123.4567` → `numeric(10,1)` → `123.5`). A value the cast rejects raises an error instead,
/// which fails the change atomically.
pub fn changed_values_count(table: &TableRef, column: &str, from: &SqlType, to: &SqlType) -> String {
    format!("SELECT count(*) FROM {} WHERE {}", table.quoted(), changed_predicate(column, from, to))
}

fn changed_predicate(column: &str, from: &SqlType, to: &SqlType) -> String {
    let c = quote_ident(column);
    if matches!(to, SqlType::Text | SqlType::Varchar { .. } | SqlType::Char { .. }) {
        // Into text the stored text *is* the value: it must read exactly as the old value did.
        // (A round trip can be fooled: `false` → `char(3)` is `'fal'`, which reads back as
        // `false`.)
        return format!("{c} IS NOT NULL AND ({})::text IS DISTINCT FROM {c}::text", conversion(&c, from, to));
    }
    // Back the same way there: a direct cast where one exists, else through text.
    let back = conversion(&format!("({})", conversion(&c, from, to)), to, from);
    format!("{c} IS NOT NULL AND ({back})::text IS DISTINCT FROM {c}::text")
}

/// A statement that fails (SQLSTATE 22000, nothing changed) when a row's value would change
/// in the conversion — so a migration file refuses a lossy cast exactly as `apply` does. It
/// takes the lock the `ALTER` needs anyway first, so no row can slip in between.
fn value_guard(table: &TableRef, column: &str, from: &SqlType, to: &SqlType) -> String {
    let t = table.quoted();
    let message = quote_literal(&format!(
        " row(s) of {}.{column} would change value converting {} to {}; nothing was changed (convert them explicitly with a using expression)",
        table.name,
        ty(from),
        ty(to)
    ));
    let body = format!(
        " DECLARE n bigint; BEGIN LOCK TABLE {t} IN ACCESS EXCLUSIVE MODE; SELECT count(*) INTO n FROM {t} WHERE {}; \
         IF n > 0 THEN RAISE EXCEPTION USING ERRCODE = '22000', MESSAGE = 'schema-sync: ' || n || {message}; END IF; END ",
        changed_predicate(column, from, to)
    );
    format!("DO {}", crate::sql::dollar_quote(&body))
}

fn direct_cast(from: &SqlType, to: &SqlType) -> bool {
    use SqlType::*;
    let numeric = |t: &SqlType| matches!(t, SmallInt | Int | BigInt | Real | Double | Numeric { .. });
    let textual = |t: &SqlType| matches!(t, Text | Varchar { .. } | Char { .. });
    let temporal = |t: &SqlType| matches!(t, Date | Timestamp { .. });
    let clock = |t: &SqlType| matches!(t, Time { .. } | Interval { .. });
    (numeric(from) && numeric(to))
        || textual(from)
        || textual(to)
        || (temporal(from) && temporal(to))
        || (clock(from) && clock(to))
        || matches!((from, to), (Json | Jsonb, Json | Jsonb) | (Int, Bool) | (Bool, Int))
        || matches!((from, to), (Other { .. }, _) | (_, Other { .. }))
        || from == to
}

fn is_enumish(t: &SqlType) -> bool {
    match t {
        SqlType::Enum { .. } => true,
        SqlType::Array { element } => is_enumish(element),
        _ => false,
    }
}

/// A default naming the old enum type keeps working once the new type has its name.
fn create_sequence(s: &Sequence) -> String {
    format!(
        "CREATE SEQUENCE {} {}{}",
        qualified(s.schema.as_deref(), &s.name),
        sequence_options(s),
        if s.cycle { " CYCLE" } else { "" }
    )
}

/// `AS type INCREMENT BY … CACHE n`, shared by CREATE and ALTER SEQUENCE.
fn sequence_options(s: &Sequence) -> String {
    format!(
        "AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {}",
        ty(&s.data_type),
        s.increment,
        s.min,
        s.max,
        s.start,
        s.cache
    )
}

fn serial_type(t: &SqlType) -> &'static str {
    match t {
        SqlType::SmallInt => "smallserial",
        SqlType::BigInt => "bigserial",
        _ => "serial",
    }
}

/// `"name" type [COLLATE …] [GENERATED …] [NOT NULL] [DEFAULT …]`.
pub fn column_def(c: &Column) -> String {
    let mut s = quote_ident(&c.name);
    s.push(' ');
    if c.identity == Some(Identity::Serial) {
        s.push_str(serial_type(&c.ty));
    } else {
        s.push_str(&ty(&c.ty));
    }
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {}", quote_ident(coll)));
    }
    let options = c.identity_options.map(|o| format!(" ({})", o.sql())).unwrap_or_default();
    match c.identity {
        Some(Identity::Always) => s.push_str(&format!(" GENERATED ALWAYS AS IDENTITY{options}")),
        Some(Identity::ByDefault) | Some(Identity::Autoincrement) => {
            s.push_str(&format!(" GENERATED BY DEFAULT AS IDENTITY{options}"))
        }
        Some(Identity::Serial) | None => {}
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", g.expr));
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let (Some(d), None, None) = (&c.default, &c.generated, c.identity) {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    s
}

fn primary_key_def(pk: &PrimaryKey) -> String {
    format!("{}PRIMARY KEY ({}){}", constraint_name(&pk.name), ident_list(&pk.columns), deferrable(pk.deferrable))
}

fn unique_def(u: &Unique) -> String {
    format!(
        "{}UNIQUE{} ({}){}",
        constraint_name(&u.name),
        if u.nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" },
        ident_list(&u.columns),
        deferrable(u.deferrable)
    )
}

fn fk_def(fk: &ForeignKey, table_schema: Option<&str>) -> String {
    let target = qualified(fk.ref_schema.as_deref().or(table_schema), &fk.ref_table);
    let refs = if fk.ref_columns.is_empty() { String::new() } else { format!(" ({})", ident_list(&fk.ref_columns)) };
    let mut s =
        format!("{}FOREIGN KEY ({}) REFERENCES {target}{refs}", constraint_name(&fk.name), ident_list(&fk.columns));
    if fk.match_full {
        s.push_str(" MATCH FULL");
    }
    if fk.on_update != Default::default() {
        s.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
    }
    if fk.on_delete != Default::default() {
        s.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
    }
    s.push_str(deferrable(fk.deferrable));
    s
}

fn check_def(c: &Check) -> String {
    format!("{}CHECK ({}){}", constraint_name(&c.name), c.expr, if c.no_inherit { " NO INHERIT" } else { "" })
}

fn exclusion_def(x: &Exclusion) -> String {
    format!("{}EXCLUDE {}", constraint_name(&x.name), x.definition)
}

/// `CREATE TABLE` with columns and inline constraints.
pub fn create_table(t: &Table) -> String {
    let mut parts: Vec<String> = match &t.partition_of {
        // A partition has its parent's columns; what it adds is its own NOT NULLs and defaults
        // (repeating the parent's is harmless).
        Some(_) => t
            .columns
            .iter()
            .filter(|c| c.generated.is_none() && c.identity.is_none())
            .filter(|c| !c.nullable || c.default.is_some())
            .map(|c| {
                let mut s = format!("{} WITH OPTIONS", quote_ident(&c.name));
                if !c.nullable {
                    s.push_str(" NOT NULL");
                }
                if let Some(d) = &c.default {
                    s.push_str(&format!(" DEFAULT {d}"));
                }
                s
            })
            .collect(),
        // A column only inherited comes from the parents.
        None => t.columns.iter().filter(|c| !c.inherited).map(column_def).collect(),
    };
    if let Some(pk) = &t.primary_key {
        parts.push(primary_key_def(pk));
    }
    parts.extend(t.uniques.iter().map(unique_def));
    parts.extend(t.checks.iter().map(check_def));
    parts.extend(t.exclusions.iter().map(exclusion_def));
    parts.extend(t.foreign_keys.iter().map(|f| fk_def(f, t.schema.as_deref())));
    let name = qualified(t.schema.as_deref(), &t.name);
    let body = match (parts.is_empty(), &t.partition_of) {
        (true, Some(_)) => String::new(),
        (true, None) => " ()".to_string(),
        (false, _) => format!(" (\n    {}\n)", parts.join(",\n    ")),
    };
    match (&t.partition_of, &t.partition_by) {
        (Some(p), by) => format!(
            "CREATE TABLE {name} PARTITION OF {}{body} {}{}",
            p.parent().with_default_schema(t.schema.as_deref()).quoted(),
            p.bound,
            by.as_ref().map(|k| format!(" PARTITION BY {k}")).unwrap_or_default()
        ),
        (None, Some(k)) => format!("CREATE TABLE {name}{body} PARTITION BY {k}"),
        (None, None) if !t.inherits.is_empty() => {
            let parents: Vec<String> = t.inherits.iter().map(|p| p.table_ref(t.schema.as_deref()).quoted()).collect();
            format!("CREATE TABLE {name}{body} INHERITS ({})", parents.join(", "))
        }
        (None, None) => format!("CREATE TABLE {name}{body}"),
    }
}

/// `ALTER TABLE parent DETACH PARTITION table`, dropping what the partition had from its
/// parent (keys, indexes, foreign keys, CHECKs, triggers), which Postgres keeps as the
/// table's own: the plan adds what the table is to have. Their names are found before the
/// detach, in the same statement.
fn detach_partition(table: &TableRef, parent: &TableRef) -> String {
    let t = table.quoted();
    let oid = format!("{}::regclass", quote_literal(&t));
    let body = format!(
        " DECLARE cons text[]; idx text[]; trg text[]; x text; BEGIN \
         SELECT coalesce(array_agg(conname::text), '{{}}') INTO cons FROM pg_catalog.pg_constraint \
           WHERE conrelid = {oid} AND (conparentid <> 0 OR (contype = 'c' AND NOT conislocal)); \
         SELECT coalesce(array_agg(quote_ident(n.nspname) || '.' || quote_ident(c.relname)), '{{}}') INTO idx \
           FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           WHERE i.indrelid = {oid} AND c.relispartition \
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid); \
         SELECT coalesce(array_agg(t.tgname::text), '{{}}') INTO trg FROM pg_catalog.pg_trigger t \
           WHERE t.tgrelid = {oid} AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
             WHERE d.classid = 'pg_catalog.pg_trigger'::regclass AND d.objid = t.oid AND d.deptype = 'P'); \
         ALTER TABLE {} DETACH PARTITION {t}; \
         FOREACH x IN ARRAY trg LOOP EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', x, {lit}); END LOOP; \
         FOREACH x IN ARRAY cons LOOP EXECUTE format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', {lit}, x); END LOOP; \
         FOREACH x IN ARRAY idx LOOP EXECUTE 'DROP INDEX IF EXISTS ' || x; END LOOP; END ",
        parent.quoted(),
        lit = quote_literal(&t),
    );
    format!("DO {}", crate::sql::dollar_quote(&body))
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] … ON …`.
pub fn create_index(t: &TableRef, i: &Index, concurrently: bool) -> String {
    let keys: Vec<String> = i
        .keys
        .iter()
        .map(|k| {
            let mut s = super::index_key_head(k);
            if let Some(o) = &k.opclass {
                s.push(' ');
                s.push_str(o);
            }
            if k.descending {
                s.push_str(" DESC");
            }
            match k.nulls_first {
                Some(true) => s.push_str(" NULLS FIRST"),
                Some(false) => s.push_str(" NULLS LAST"),
                None => {}
            }
            s
        })
        .collect();
    let mut s = format!(
        "CREATE {}INDEX {}{} ON {}",
        if i.unique { "UNIQUE " } else { "" },
        if concurrently { "CONCURRENTLY " } else { "" },
        quote_ident(&i.name),
        t.quoted()
    );
    if let Some(m) = i.method.as_ref().filter(|m| !m.eq_ignore_ascii_case("btree")) {
        s.push_str(&format!(" USING {}", quote_ident(m)));
    }
    s.push_str(&format!(" ({})", keys.join(", ")));
    if !i.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", ident_list(&i.include)));
    }
    if i.nulls_not_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    s.push_str(&super::storage_options(&i.with));
    if let Some(p) = &i.predicate {
        s.push_str(&format!(" WHERE {p}"));
    }
    s
}

fn alter_identity(
    t: &TableRef,
    column: &str,
    col_ty: &SqlType,
    from: Option<Identity>,
    to: Option<Identity>,
) -> Vec<String> {
    let table = t.quoted();
    let c = quote_ident(column);
    // pg_get_serial_sequence takes the table as (quoted) SQL text and the column as a plain name.
    let seq_of = format!("pg_get_serial_sequence({}, {})", quote_literal(&table), quote_literal(column));
    let norm = |i: Option<Identity>| match i {
        Some(Identity::Autoincrement) => Some(Identity::ByDefault),
        other => other,
    };
    let generated = |i: Identity| if i == Identity::Always { "ALWAYS" } else { "BY DEFAULT" };
    let sync_to_max =
        format!("SELECT setval({seq_of}, GREATEST(COALESCE(MAX({c}), 0), 1), MAX({c}) IS NOT NULL) FROM {table}");
    match (norm(from), norm(to)) {
        (None, None) => vec![],
        (a, b) if a == b => vec![],
        (None, Some(Identity::Serial)) => {
            let seq = qualified(t.schema.as_deref(), &format!("{}_{}_seq", t.name, column));
            vec![
                format!("CREATE SEQUENCE {seq} AS {} OWNED BY {table}.{c}", ty(col_ty)),
                format!("ALTER TABLE {table} ALTER COLUMN {c} SET DEFAULT nextval({})", quote_literal(&seq)),
                sync_to_max,
            ]
        }
        (None, Some(i)) => vec![
            format!("ALTER TABLE {table} ALTER COLUMN {c} ADD GENERATED {} AS IDENTITY", generated(i)),
            sync_to_max,
        ],
        (Some(Identity::Serial), None) => vec![format!(
            "DO $ss$ DECLARE seq text := {seq_of}; BEGIN ALTER TABLE {table} ALTER COLUMN {c} DROP DEFAULT; \
             IF seq IS NOT NULL THEN EXECUTE format('DROP SEQUENCE %s', seq); END IF; END $ss$"
        )],
        (Some(_), None) => vec![format!("ALTER TABLE {table} ALTER COLUMN {c} DROP IDENTITY")],
        (Some(Identity::Serial), Some(i)) => vec![format!(
            "DO $ss$ DECLARE seq text := {seq_of}; last bigint; called boolean; BEGIN \
             EXECUTE format('SELECT last_value, is_called FROM %s', seq) INTO last, called; \
             ALTER TABLE {table} ALTER COLUMN {c} DROP DEFAULT; EXECUTE format('DROP SEQUENCE %s', seq); \
             ALTER TABLE {table} ALTER COLUMN {c} ADD GENERATED {} AS IDENTITY; \
             PERFORM setval({seq_of}, last, called); END $ss$",
            generated(i)
        )],
        (Some(_), Some(Identity::Serial)) => {
            let seq = qualified(t.schema.as_deref(), &format!("{}_{}_seq", t.name, column));
            vec![format!(
                "DO $ss$ DECLARE last bigint; called boolean; BEGIN \
                 EXECUTE format('SELECT last_value, is_called FROM %s', {seq_of}) INTO last, called; \
                 ALTER TABLE {table} ALTER COLUMN {c} DROP IDENTITY; \
                 CREATE SEQUENCE {seq} AS {} OWNED BY {table}.{c}; \
                 ALTER TABLE {table} ALTER COLUMN {c} SET DEFAULT nextval({}); \
                 PERFORM setval({}, last, called); END $ss$",
                ty(col_ty),
                quote_literal(&seq),
                quote_literal(&seq)
            )]
        }
        (Some(_), Some(i)) => vec![format!("ALTER TABLE {table} ALTER COLUMN {c} SET GENERATED {}", generated(i))],
    }
}
