//! Declarative SQL files merged with the models into one desired schema.
//!
//! What `#[derive(SyncTable)]` does not express — functions, triggers (also on a managed table
//! such as Supabase's `auth.users`), views, extensions, domains, composite types, more policies,
//! grants, comments, indexes with expressions — is written as SQL in a directory (like the
//! Supabase CLI's `supabase/schemas/`). The files are *read*, never run against a live
//! database: they run after the models' own DDL in a scratch database (Postgres, on a
//! `--dev-url` server, rolled back and dropped) or an in-memory SQLite, and what they made is
//! added to the models.
//!
//! ```no_run
//! # async fn demo(models: schema_sync_core::Schema) -> schema_sync_core::Result<()> {
//! use schema_sync_core::{declarative, Dialect};
//! let files = declarative::read_dir("supabase/schemas".as_ref())?;
//! let dev = Some("postgres://localhost/dev");
//! let desired = declarative::merge(&models, &files, Dialect::Postgres, dev, &Default::default()).await?;
//! # let _ = desired; Ok(()) }
//! ```

use crate::introspect::IntrospectOptions;
use crate::model::{Schema, Table, View};
use crate::types::Dialect;
use crate::{Error, Result};
use std::path::Path;

/// One declarative SQL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFile {
    /// Where it came from, for errors.
    pub origin: String,
    /// Its text.
    pub text: String,
    /// Runs before the models' DDL rather than after: what the hosting platform provides
    /// (Supabase's `auth` schema with `auth.users` and `auth.uid()`, its API roles — outside the
    /// schemas read, so never taken into the desired schema) or what the models' own tables
    /// need to exist first (a sequence or domain a column uses, a function a default calls).
    pub first: bool,
}

impl SqlFile {
    /// A file of the application's own declarations.
    pub fn new(origin: impl Into<String>, text: impl Into<String>) -> Self {
        SqlFile { origin: origin.into(), text: text.into(), first: false }
    }

    /// A file that runs before the models (see [`SqlFile::first`]).
    pub fn first(origin: impl Into<String>, text: impl Into<String>) -> Self {
        SqlFile { first: true, ..SqlFile::new(origin, text) }
    }

    /// Reads one file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        Ok(SqlFile::new(path.display().to_string(), text))
    }
}

/// The `.sql` files of `dir`, in file-name order (the order the Supabase CLI reads
/// `supabase/schemas`); not its subdirectories.
pub fn read_dir(dir: &Path) -> Result<Vec<SqlFile>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("sql")))
        .collect();
    paths.sort();
    paths.iter().map(|p| SqlFile::read(p)).collect()
}

/// `models` with what the `files` (written in `dialect`'s SQL) declare on top of them, and the
/// models' own views as `dialect`'s catalog prints them.
///
/// The files run after the models' own DDL; every object they made is added to the models: a
/// table the models do not have, functions, views, triggers, policies, extensions, domains,
/// composite types, collations, enums, sequences, comments and grants; on a table of the
/// models, the indexes and exclusion constraints the files added and row-level security
/// switched on.
/// What the models declare is kept as they declare it (their neutral types stay neutral),
/// except their views for `dialect`: those are *settled* — replaced by what the scratch
/// database prints for them (Postgres rewrites a query's spacing, qualification and casts), so
/// they compare equal to a live database built from them. Settling is also the rehearsal
/// that `cargo test` relies on: a view whose query names a column the models lack, or whose
/// columns are not the ones its `#[derive(SyncView)]` struct declares, fails here with an
/// [`Error::Ddl`] naming the view, before anything reaches a real database.
/// Postgres needs `dev_url`; a file that does not load is an [`Error::Ddl`] naming the files.
/// With no files and no views for `dialect`, the models come back unchanged without loading.
pub async fn merge(
    models: &Schema,
    files: &[SqlFile],
    dialect: Dialect,
    dev_url: Option<&str>,
    iopts: &IntrospectOptions,
) -> Result<Schema> {
    match dialect {
        #[cfg(feature = "sqlite")]
        Dialect::Sqlite => merge_sqlite(models, files, iopts),
        #[cfg(feature = "postgres")]
        Dialect::Postgres => {
            let Some((text, origin, _)) = script(models, files, dialect)? else { return Ok(models.clone()) };
            let url = dev_url.ok_or_else(|| {
                Error::input(format!(
                    "declarative SQL ({origin}) is read in a scratch Postgres database: give --dev-url"
                ))
            })?;
            let loaded = crate::source::load_postgres_ddl(&text, &origin, url, iopts).await?;
            let home = loaded.tables.first().and_then(|t| t.schema.clone());
            Ok(add_declared(models.clone(), loaded, dialect, home.as_deref()))
        }
        #[allow(unreachable_patterns)]
        _ => {
            let _ = (models, files, dev_url, iopts);
            Err(Error::input(format!("{} support is not compiled in", dialect.name())))
        }
    }
}

/// [`merge`] for SQLite, which needs no server and nothing async: the files and the models'
/// views run in a sealed in-memory SQLite.
#[cfg(feature = "sqlite")]
pub fn merge_sqlite(models: &Schema, files: &[SqlFile], iopts: &IntrospectOptions) -> Result<Schema> {
    let Some((text, origin, views)) = script(models, files, Dialect::Sqlite)? else { return Ok(models.clone()) };
    let conn = crate::source::sqlite_scratch(&text, &origin)?;
    sqlite_column_checks(&conn, &views, &origin)?;
    let loaded = crate::introspect::sqlite::introspect(&conn, iopts)?;
    Ok(add_declared(models.clone(), loaded, Dialect::Sqlite, None))
}

/// The script a scratch database runs (the models' DDL, the column checks, the files), what
/// to call it in errors, and the models' views it settles; `None` when there is nothing to do.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
fn script<'m>(
    models: &'m Schema,
    files: &[SqlFile],
    dialect: Dialect,
) -> Result<Option<(String, String, Vec<&'m View>)>> {
    let views = views_for(models, dialect);
    if files.iter().all(|f| f.first) && !needs_settling(models, dialect) {
        return Ok(None);
    }
    let file = |f: &SqlFile| format!("\n-- {}\n{}\n", f.origin.replace('\n', " "), f.text);
    let mut text: String = files.iter().filter(|f| f.first).map(file).collect();
    text.push_str(&crate::render::script(&crate::render::schema_sql(models, dialect)?));
    if dialect == Dialect::Postgres {
        text.push_str(&postgres_column_checks(&views, &text));
    }
    text.extend(files.iter().filter(|f| !f.first).map(file));
    let mut origins: Vec<&str> = Vec::new();
    if needs_settling(models, dialect) {
        origins.push("the models");
    }
    origins.extend(files.iter().map(|f| f.origin.as_str()));
    Ok(Some((text, origins.join(", "), views)))
}

/// `true` when `merge` has something to do for `dialect` beyond the files: the models declare
/// views for it, or (Postgres) policies, whose text is settled through a scratch database.
pub fn needs_settling(models: &Schema, dialect: Dialect) -> bool {
    !views_for(models, dialect).is_empty() || (dialect == Dialect::Postgres && !models.policies.is_empty())
}

/// The models' views that exist in `dialect`: written for it or for both, materialized ones
/// only on Postgres.
fn views_for(models: &Schema, dialect: Dialect) -> Vec<&View> {
    models
        .views
        .iter()
        .filter(|v| v.written_for.is_none_or(|d| d == dialect))
        .filter(|v| !v.materialized || dialect == Dialect::Postgres)
        .collect()
}

/// One `DO` block per view with declared columns that fails unless the view's columns are
/// those, in order. Runs in the scratch database right after the models' DDL.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
fn postgres_column_checks(views: &[&View], script: &str) -> String {
    let mut tag = "$schema_sync_check$".to_string();
    while script.contains(&tag) || views.iter().any(|v| v.name.contains(&tag)) {
        tag.insert(tag.len() - 1, '_');
    }
    let mut out = String::new();
    for v in views.iter().filter(|v| !v.declared_columns.is_empty()) {
        let relation = crate::sql::qualified(v.schema.as_deref(), &v.name);
        let want = v.declared_columns.join(", ");
        // RAISE formats with `%`: the names' own ones are doubled, one placeholder left.
        let message = format!(
            "{} `{}`: its query yields the columns (%), but its struct declares ({})",
            v.kind().to_ascii_lowercase(),
            v.name.replace('%', "%%"),
            want.replace('%', "%%")
        );
        out.push_str(&format!(
            "\nDO {tag} DECLARE got text; BEGIN\n  SELECT string_agg(attname, ', ' ORDER BY attnum) INTO got FROM pg_attribute \
             WHERE attrelid = {}::regclass AND attnum > 0 AND NOT attisdropped;\n  IF got IS DISTINCT FROM {} THEN \
             RAISE EXCEPTION {}, got; END IF;\nEND {tag};\n",
            crate::sql::quote_literal(&relation),
            crate::sql::quote_literal(&want),
            crate::sql::quote_literal(&message),
        ));
    }
    out
}

/// SQLite checks a view's query only when the view is used: reads every view's columns (which
/// compiles its query) and compares them with the declared ones.
#[cfg(feature = "sqlite")]
fn sqlite_column_checks(conn: &rusqlite::Connection, views: &[&View], origin: &str) -> Result<()> {
    let fail = |reason: String| Error::Ddl { origin: origin.to_string(), reason, loaded_as: Dialect::Sqlite };
    for v in views {
        let got: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
            .and_then(|mut st| st.query_map([&v.name], |r| r.get(0))?.collect())
            .map_err(|e| fail(format!("view `{}`: {e}", v.name)))?;
        if !v.declared_columns.is_empty() && got != v.declared_columns {
            return Err(fail(format!(
                "view `{}`: its query yields the columns ({}), but its struct declares ({})",
                v.name,
                got.join(", "),
                v.declared_columns.join(", ")
            )));
        }
    }
    Ok(())
}

/// Adds to `models` what `loaded` (the models' DDL plus the files, read back) has beyond them.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
fn add_declared(mut models: Schema, loaded: Schema, dialect: Dialect, home: Option<&str>) -> Schema {
    let same_table = |m: &Table, l: &Table| {
        m.name == l.name && (m.schema == l.schema || (m.schema.is_none() && l.schema.as_deref() == home))
    };
    let written = |d: &mut Option<Dialect>| *d = Some(dialect);
    for l in loaded.tables {
        match models.tables.iter_mut().find(|m| same_table(m, &l)) {
            Some(m) => {
                // The models' own keys, constraints and CHECKs came back under the server's
                // names; only what the models cannot declare is taken.
                let new: Vec<_> =
                    l.indexes.into_iter().filter(|i| !m.indexes.iter().any(|x| x.name == i.name)).collect();
                m.indexes.extend(new);
                m.exclusions.extend(l.exclusions);
                m.row_security.enabled |= l.row_security.enabled;
                m.row_security.forced |= l.row_security.forced;
            }
            None => models.tables.push(l),
        }
    }
    let missing = |have: &[String], name: &String| !have.contains(name);
    let enums: Vec<String> = models.enums.iter().map(|e| e.name.clone()).collect();
    models.enums.extend(loaded.enums.into_iter().filter(|e| missing(&enums, &e.name)));
    models.sequences.extend(loaded.sequences);
    // The models' views for `dialect` come back as the catalog prints them; one written for
    // both dialects keeps its text for the other one.
    let other = match dialect {
        Dialect::Postgres => Dialect::Sqlite,
        Dialect::Sqlite => Dialect::Postgres,
    };
    let mut loaded_views = loaded.views;
    let mut views = Vec::with_capacity(models.views.len() + loaded_views.len());
    for v in std::mem::take(&mut models.views) {
        let for_here = v.written_for.is_none_or(|d| d == dialect) && (!v.materialized || dialect == Dialect::Postgres);
        let same = |l: &View| {
            l.name == v.name && (l.schema == v.schema || (v.schema.is_none() && l.schema.as_deref() == home))
        };
        match loaded_views.iter().position(same).filter(|_| for_here) {
            Some(i) => {
                let mut settled = loaded_views.swap_remove(i);
                written(&mut settled.written_for);
                settled.schema = v.schema.clone();
                if v.written_for.is_none() {
                    views.push(View { written_for: Some(other), ..v });
                }
                views.push(settled);
            }
            None => views.push(v),
        }
    }
    views.extend(loaded_views.into_iter().map(|mut v| {
        written(&mut v.written_for);
        v
    }));
    models.views = views;
    models.triggers.extend(loaded.triggers.into_iter().map(|mut t| {
        written(&mut t.written_for);
        t
    }));
    let functions: Vec<(String, String)> =
        models.functions.iter().map(|f| (f.name.clone(), f.identity.clone())).collect();
    models
        .functions
        .extend(loaded.functions.into_iter().filter(|f| !functions.contains(&(f.name.clone(), f.identity.clone()))));
    // The models' policies take their expressions as the catalog prints them
    // (`(select auth.uid())` comes back `( SELECT auth.uid() AS uid)`); the files' are added.
    let mut loaded_policies = loaded.policies;
    for p in &mut models.policies {
        if let Some(i) = loaded_policies.iter().position(|l| l.table == p.table && l.name == p.name) {
            let l = loaded_policies.swap_remove(i);
            (p.using, p.with_check) = (l.using, l.with_check);
        }
    }
    models.policies.extend(loaded_policies);
    let extensions: Vec<String> = models.extensions.iter().map(|x| x.name.clone()).collect();
    models.extensions.extend(loaded.extensions.into_iter().filter(|x| missing(&extensions, &x.name)));
    let domains: Vec<String> = models.domains.iter().map(|d| d.name.clone()).collect();
    models.domains.extend(loaded.domains.into_iter().filter(|d| missing(&domains, &d.name)));
    models.composites.extend(loaded.composites);
    models.collations.extend(loaded.collations);
    let on = |r: &crate::model::ObjectRef| (r.kind, r.table.clone(), r.name.clone(), r.arguments.clone());
    let commented: Vec<_> = models.comments.iter().map(|c| on(&c.on)).collect();
    models.comments.extend(loaded.comments.into_iter().filter(|c| !commented.contains(&on(&c.on))));
    let granted: Vec<_> = models.grants.iter().map(|g| (on(&g.on), g.role.clone())).collect();
    models.grants.extend(loaded.grants.into_iter().filter(|g| !granted.contains(&(on(&g.on), g.role.clone()))));
    models.normalize();
    models
}
