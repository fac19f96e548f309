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
use crate::model::{Schema, Table};
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
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(|e| Error::io(format!("reading {}", p.display()), e))?;
            Ok(SqlFile { origin: p.display().to_string(), text })
        })
        .collect()
}

/// `models` with what the `files` (written in `dialect`'s SQL) declare on top of them.
///
/// The files run after the models' own DDL; every object they made is added to the models: a
/// table the models do not have, functions, views, triggers, policies, extensions, domains,
/// composite types, collations, enums, sequences, comments and grants; on a table of the
/// models, the indexes and exclusion constraints the files added and row-level security
/// switched on.
/// What the models declare is kept as they declare it (their neutral types stay neutral).
/// Postgres needs `dev_url`; a file that does not load is an [`Error::Ddl`] naming the files.
pub async fn merge(
    models: &Schema,
    files: &[SqlFile],
    dialect: Dialect,
    dev_url: Option<&str>,
    iopts: &IntrospectOptions,
) -> Result<Schema> {
    if files.is_empty() {
        return Ok(models.clone());
    }
    let mut text = crate::render::script(&crate::render::schema_sql(models, dialect)?);
    for f in files {
        text.push_str(&format!("\n-- {}\n{}\n", f.origin.replace('\n', " "), f.text));
    }
    let origin = files.iter().map(|f| f.origin.as_str()).collect::<Vec<_>>().join(", ");
    let loaded = load(&text, &origin, dialect, dev_url, iopts).await?;
    let home = loaded.tables.first().and_then(|t| t.schema.clone());
    Ok(add_declared(models.clone(), loaded, dialect, home.as_deref()))
}

/// Loads the models' DDL and the files where `dialect` reads DDL.
async fn load(
    text: &str,
    origin: &str,
    dialect: Dialect,
    dev_url: Option<&str>,
    iopts: &IntrospectOptions,
) -> Result<Schema> {
    match dialect {
        #[cfg(feature = "postgres")]
        Dialect::Postgres => {
            let url = dev_url.ok_or_else(|| {
                Error::input(format!("declarative SQL files ({origin}) are read in a scratch database: give --dev-url"))
            })?;
            crate::source::load_postgres_ddl(text, origin, url, iopts).await
        }
        #[cfg(feature = "sqlite")]
        Dialect::Sqlite => crate::source::load_sqlite_ddl(text, origin, iopts),
        #[allow(unreachable_patterns)]
        _ => {
            let _ = (text, origin, dev_url, iopts);
            Err(Error::input(format!("{} support is not compiled in", dialect.name())))
        }
    }
}

/// Adds to `models` what `loaded` (the models' DDL plus the files, read back) has beyond them.
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
    models.views.extend(loaded.views.into_iter().map(|mut v| {
        written(&mut v.written_for);
        v
    }));
    models.triggers.extend(loaded.triggers.into_iter().map(|mut t| {
        written(&mut t.written_for);
        t
    }));
    let functions: Vec<(String, String)> =
        models.functions.iter().map(|f| (f.name.clone(), f.identity.clone())).collect();
    models
        .functions
        .extend(loaded.functions.into_iter().filter(|f| !functions.contains(&(f.name.clone(), f.identity.clone()))));
    let policies: Vec<(String, String)> = models.policies.iter().map(|p| (p.table.clone(), p.name.clone())).collect();
    models
        .policies
        .extend(loaded.policies.into_iter().filter(|p| !policies.contains(&(p.table.clone(), p.name.clone()))));
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
