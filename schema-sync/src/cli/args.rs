//! Command-line arguments (clap). The contract is in `docs/cli.md`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Keep SQLite and Postgres on one schema.
#[derive(Debug, Parser)]
#[command(name = "schema-sync", version, about, long_about = None)]
pub struct Cli {
    /// Print only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Say more (which config value won, each statement as it runs).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Project configuration file (default: `schema-sync.toml` here or in a parent directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// Stable JSON (see docs/json.md).
    Json,
    /// SQL.
    Sql,
}

/// A dialect flag value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    /// SQLite.
    Sqlite,
    /// Postgres.
    Postgres,
}

impl From<DialectArg> for schema_sync_core::Dialect {
    fn from(d: DialectArg) -> Self {
        match d {
            DialectArg::Sqlite => schema_sync_core::Dialect::Sqlite,
            DialectArg::Postgres => schema_sync_core::Dialect::Postgres,
        }
    }
}

/// Options shared by every command that reads sources.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// Postgres schema to read (repeatable; default `public`).
    #[arg(long = "schema", value_name = "NAME")]
    pub schemas: Vec<String>,
    /// Postgres database where Postgres `.sql` files are loaded (into a scratch database).
    #[arg(long, value_name = "URL", env = "SCHEMA_SYNC_DEV_URL")]
    pub dev_url: Option<String>,
    /// Declarative SQL files (`*.sql`, in name order) merged with the `models` source: read in
    /// a scratch database on --dev-url (default: the config's `[models] sql_dir`).
    #[arg(long, value_name = "DIR", env = "SCHEMA_SYNC_SQL_DIR")]
    pub sql_dir: Option<std::path::PathBuf>,
    /// SQL for what the platform provides (Supabase's `auth` schema and API roles), run first in
    /// the scratch database so the files load; what it makes outside the schemas read is never
    /// taken into the models (default: the
    /// config's `[models] platform_sql`).
    #[arg(long, value_name = "FILE", env = "SCHEMA_SYNC_PLATFORM_SQL")]
    pub platform_sql: Option<std::path::PathBuf>,
    /// Declarative SQLite SQL files (`*.sql`, in name order) merged with the `models` source for
    /// the SQLite side — its triggers and views — read in memory (default: the config's
    /// `[models] sqlite_sql_dir`).
    #[arg(long, value_name = "DIR", env = "SCHEMA_SYNC_SQLITE_SQL_DIR")]
    pub sqlite_sql_dir: Option<std::path::PathBuf>,
}

/// Options that shape a migration.
#[derive(Debug, Clone, Args)]
pub struct ChangeArgs {
    /// Rename hint: `old=new` for a table, `table.old=new` for a column (repeatable).
    #[arg(long = "rename", value_name = "OLD=NEW")]
    pub renames: Vec<String>,
    /// Conversion for a type change: `table.column=EXPR` where `{col}` is the old column.
    #[arg(long = "using", value_name = "T.C=EXPR")]
    pub using: Vec<String>,
    /// Value for rows holding NULL when a column becomes NOT NULL: `table.column=EXPR`.
    #[arg(long = "backfill", value_name = "T.C=EXPR")]
    pub backfill: Vec<String>,
    /// Accept type changes that change stored values (truncation, rounding, normalisation)
    /// without checking the rows. Prefer `--using` for the columns concerned.
    #[arg(long)]
    pub allow_lossy: bool,
    /// Match names across dialects ignoring case and `_` (`AlbumId` ↔ `album_id`).
    #[arg(long)]
    pub fold_names: bool,
    /// Leave a table out (repeatable).
    #[arg(long = "ignore-table", value_name = "NAME")]
    pub ignore_tables: Vec<String>,
}

/// The online form of a live Postgres change (see docs/online.md).
#[derive(Debug, Clone, Default, Args)]
pub struct OnlineArgs {
    /// The plain transactional form: everything in one transaction, no CONCURRENTLY, no
    /// NOT VALID + VALIDATE (default: the online form on a live Postgres).
    #[arg(long)]
    pub no_online: bool,
    /// Fill a column added with a volatile default (`gen_random_uuid()`, `random()`, …) in
    /// batches of N rows, each committed on its own, instead of rewriting the table.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub backfill_batch: Option<u64>,
}

/// Lock budget of a live Postgres change (see docs/online.md).
#[derive(Debug, Clone, Default, Args)]
pub struct BudgetArgs {
    /// Longest wait for a table lock per statement before the attempt is rolled back and
    /// retried (`3s`, `500ms`; `0` waits forever) [default: 3s].
    #[arg(long, value_name = "DURATION")]
    pub lock_timeout: Option<String>,
    /// Longest run of one statement (`10m`; `0` none) [default: derived from the table sizes].
    #[arg(long, value_name = "DURATION")]
    pub statement_timeout: Option<String>,
    /// Attempts after the first when a lock is not available [default: 5].
    #[arg(long, value_name = "N")]
    pub lock_retries: Option<u32>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a schema: its tables, columns, keys and indexes.
    Inspect {
        /// The source (sqlite:PATH, postgres://…, FILE.json, FILE.sql).
        src: String,
        /// Output format (`sql` = CREATE statements that rebuild it).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Dialect for `--format sql` (default: the source's own).
        #[arg(long, value_enum)]
        dialect: Option<DialectArg>,
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Compare two schemas. Exit 0 when equal, 1 when they differ. Without --from/--to:
    /// the configured SQLite database against the configured Postgres.
    Diff {
        /// Schema the database is at (default: the configured SQLite database).
        #[arg(long)]
        from: Option<String>,
        /// Schema it should be at (default: the configured Postgres).
        #[arg(long)]
        to: Option<String>,
        /// Output format (`sql` = statements that turn FROM into TO).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Dialect to compare and print SQL in when FROM is not a live database.
        #[arg(long, value_enum)]
        dialect: Option<DialectArg>,
        /// Also say which type-compatibility rule matched for each cross-dialect column.
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        source: SourceArgs,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Migrate a live database to a schema, in one transaction.
    Apply {
        /// The database to change (sqlite:PATH or postgres://…).
        #[arg(long)]
        db: String,
        /// The schema it should have.
        #[arg(long)]
        to: String,
        /// Print the plan and SQL; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Allow steps that delete data (dropped tables or columns).
        #[arg(long)]
        allow_destructive: bool,
        /// Back the database up to PATH first (SQLite: a consistent copy; Postgres: a dump).
        #[arg(long, value_name = "PATH")]
        backup: Option<PathBuf>,
        /// Do not ask for confirmation on a terminal.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Rehearse the plan first where nothing live changes (SQLite: an in-memory copy;
        /// Postgres: a rolled-back transaction). Default on for Postgres.
        #[arg(long, overrides_with = "no_validate")]
        validate: bool,
        /// Skip the rehearsal.
        #[arg(long)]
        no_validate: bool,
        #[command(flatten)]
        source: SourceArgs,
        #[command(flatten)]
        change: ChangeArgs,
        #[command(flatten)]
        budget: BudgetArgs,
        #[command(flatten)]
        online: OnlineArgs,
        /// Output format (`json`: the plan step by step with its locks and hazards, and what
        /// happened).
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Write a commented `schema-sync.toml` and an empty `supabase/migrations/` here.
    Init,
    /// Supabase migration files (`supabase/migrations/<YYYYMMDDHHMMSS>_<name>.sql`).
    Migration {
        /// What to do.
        #[command(subcommand)]
        command: MigrationCommand,
    },
    /// Apply pending Supabase migration files to a Postgres database, each in its own
    /// transaction, recording them in `supabase_migrations.schema_migrations`.
    Migrate {
        #[command(flatten)]
        args: MigrateArgs,
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Bring a SQLite and a Postgres database to one schema. Dry run unless `--apply`;
    /// exit 1 when a dry run finds drift or a merge conflict stops the sync.
    Sync {
        #[command(flatten)]
        args: SyncArgs,
        #[command(flatten)]
        source: SourceArgs,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Pre-deploy check: SQLite vs Postgres, the migrations folder vs Postgres, the models,
    /// schema_version. Exit 0 clean, 1 drift, 2 error.
    Audit {
        /// The SQLite database (sqlite:PATH); default from schema-sync.toml.
        #[arg(long)]
        sqlite: Option<String>,
        /// The Postgres database (postgres://…); default from schema-sync.toml.
        #[arg(long)]
        postgres: Option<String>,
        /// A Supabase migrations folder to check against Postgres.
        #[arg(long, value_name = "DIR")]
        migrations: Option<PathBuf>,
        /// A models snapshot (.json) both databases must match.
        #[arg(long, value_name = "SNAPSHOT")]
        models: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        #[command(flatten)]
        source: SourceArgs,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Many databases against one schema: SQLite files by path, glob or list, Postgres tenant
    /// schemas by pattern, Postgres databases by URL. Exit 0 in sync, 1 drift, 2 a target
    /// could not be read or migrated.
    Fleet {
        /// What to do.
        #[command(subcommand)]
        command: FleetCommand,
    },
    /// Write Rust models from an existing database: `DIR/mod.rs` with `#[derive(SyncTable)]`
    /// structs, `SyncEnum`s and `SyncView`s and `pub fn models()`, plus `DIR/schema.sql` for
    /// what the derives do not express. `schema_sync::cli::run(pulled::models())` is then this
    /// CLI with them as `models`.
    Pull {
        /// The database (sqlite:PATH, postgres://…).
        #[arg(long)]
        from: String,
        /// The module's directory (created; `mod.rs` and `schema.sql` are overwritten).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Check Postgres migration SQL for lock hazards (any author's). Exit 0 clean, 1 findings,
    /// 2 a file could not be read. Silence one statement with `-- schema-sync-lint: allow ID`.
    Lint {
        /// Migration files, or directories of `*.sql` files (read in name order).
        #[arg(required = true, value_name = "FILE|DIR")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
}

/// `schema-sync fleet …`.
#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// Compare every target with the desired schema; drift grouped by kind.
    Audit {
        #[command(flatten)]
        fleet: FleetArgs,
        /// Accepted drift (written by `fleet baseline`): only drift not in it fails the run.
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Output format (`json`: one document, a record per target).
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Record the fleet's current drift as accepted, in FILE (for git).
    Baseline {
        #[command(flatten)]
        fleet: FleetArgs,
        /// The baseline file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Migrate every target to the desired schema, each in one transaction, resumably.
    Apply {
        #[command(flatten)]
        fleet: FleetArgs,
        /// Migrate N targets first and stop if any of them fails.
        #[arg(long, value_name = "N", default_value_t = 0)]
        canary: usize,
        #[command(flatten)]
        budget: BudgetArgs,
        #[command(flatten)]
        online: OnlineArgs,
        /// Allow steps that delete data (dropped tables or columns).
        #[arg(long)]
        allow_destructive: bool,
        /// The ledger of finished targets (default `.schema-sync/fleet-<checksum>.jsonl`); a
        /// rerun skips what it lists.
        #[arg(long, value_name = "FILE")]
        ledger: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// Do not ask for confirmation on a terminal.
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// What every `fleet` command takes.
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// The desired schema (models, a snapshot, a DDL file or a reference database).
    #[arg(long)]
    pub to: String,
    /// SQLite paths or quoted globs (`'shards/*.db'`), `@FILE` (one target a line), or
    /// Postgres URLs.
    #[arg(value_name = "TARGET", required = true)]
    pub targets: Vec<String>,
    /// Tenant schemas of the Postgres targets: names or patterns (`'tenant_*'`), repeatable.
    #[arg(long = "schema", value_name = "PATTERN")]
    pub schemas: Vec<String>,
    /// Targets worked on at once (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// The schema of `--to` that each tenant schema is compared with (a reference database's).
    #[arg(long, value_name = "NAME", default_value = "public")]
    pub template_schema: String,
    /// How long to wait for a SQLite file another process has locked, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub busy_timeout: u64,
    /// Postgres database where a Postgres `.sql` `--to` is loaded (into a scratch database).
    #[arg(long, value_name = "URL", env = "SCHEMA_SYNC_DEV_URL")]
    pub dev_url: Option<String>,
    #[command(flatten)]
    pub change: ChangeArgs,
}

/// `schema-sync migration …`.
#[derive(Debug, Subcommand)]
pub enum MigrationCommand {
    /// Write `<YYYYMMDDHHMMSS>_<name>.sql` with the Postgres SQL that turns FROM into TO.
    /// Exit 1 ("no changes") when there is nothing to write.
    New {
        /// Name of the migration (made snake_case).
        name: String,
        /// Schema the database is at (usually the Postgres URL or the previous snapshot).
        #[arg(long)]
        from: String,
        /// Schema it should be at (models snapshot, DDL, another database).
        #[arg(long)]
        to: String,
        /// The migrations folder (created when missing).
        #[arg(long, default_value = "supabase/migrations")]
        dir: PathBuf,
        /// One file in the plain transactional form (default: the online form, split into a
        /// file per step that must run on its own; see docs/online.md).
        #[arg(long)]
        no_online: bool,
        #[command(flatten)]
        source: SourceArgs,
        #[command(flatten)]
        change: ChangeArgs,
    },
}

/// Output format of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// For people.
    Text,
    /// Stable JSON.
    Json,
}

/// `--strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// Make Postgres match SQLite.
    SqliteWins,
    /// Make SQLite match Postgres.
    PostgresWins,
    /// Add to each side what only the other has.
    Merge,
}

/// `--on-conflict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SideArg {
    /// SQLite's definition wins.
    Sqlite,
    /// Postgres' definition wins.
    Postgres,
}

impl From<StrategyArg> for schema_sync_core::sync::Strategy {
    fn from(s: StrategyArg) -> Self {
        match s {
            StrategyArg::SqliteWins => Self::SqliteWins,
            StrategyArg::PostgresWins => Self::PostgresWins,
            StrategyArg::Merge => Self::Merge,
        }
    }
}

impl From<SideArg> for schema_sync_core::sync::Side {
    fn from(s: SideArg) -> Self {
        match s {
            SideArg::Sqlite => Self::Sqlite,
            SideArg::Postgres => Self::Postgres,
        }
    }
}

/// Arguments of `sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The SQLite database (sqlite:PATH); default from schema-sync.toml.
    #[arg(long)]
    pub sqlite: Option<String>,
    /// The Postgres database (postgres://…); default from schema-sync.toml.
    #[arg(long)]
    pub postgres: Option<String>,
    /// Which side wins; default from schema-sync.toml.
    #[arg(long, value_enum)]
    pub strategy: Option<StrategyArg>,
    /// Which side wins a merge conflict (default: stop and report it).
    #[arg(long, value_enum)]
    pub on_conflict: Option<SideArg>,
    /// Run the plans (default: print them).
    #[arg(long)]
    pub apply: bool,
    /// Allow steps that delete data.
    #[arg(long)]
    pub allow_destructive: bool,
    /// Back up each database that will change into the directory DIR first
    /// (`sqlite.db` via the backup API, `postgres.sql` as a dump).
    #[arg(long, value_name = "DIR")]
    pub backup: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    /// Do not ask for confirmation on a terminal.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Lock budget of the Postgres side.
    #[command(flatten)]
    pub budget: BudgetArgs,
    /// Online form of the Postgres side.
    #[command(flatten)]
    pub online: OnlineArgs,
}

/// Arguments of `migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The Postgres database (postgres://…).
    #[arg(long)]
    pub db: String,
    /// The migrations folder.
    #[arg(long, default_value = "supabase/migrations")]
    pub dir: PathBuf,
    /// List the pending files; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also apply pending files dated before the newest applied one (like the Supabase
    /// CLI's `--include-all`); without it they are refused.
    #[arg(long)]
    pub include_all: bool,
    /// Dump the database to PATH first (pg_dump, else schema-sync's own dump).
    #[arg(long, value_name = "PATH")]
    pub backup: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    /// Do not ask for confirmation on a terminal.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Lock budget of each file (a file whose transaction runs out of it is rolled back and
    /// retried).
    #[command(flatten)]
    pub budget: BudgetArgs,
}
