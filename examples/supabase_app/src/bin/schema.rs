//! The schema-sync CLI with this app's models built in (`models` is a source like any other):
//!
//! ```text
//! cargo run --features cli --bin schema -- migration new init --from postgres://… --to models \
//!     --sql-dir supabase/schemas --platform-sql supabase/platform.sql --dev-url postgres://…
//! cargo run --features cli --bin schema -- apply --db sqlite:local.db --to models \
//!     --sqlite-sql-dir sqlite/schemas
//! ```

fn main() -> std::process::ExitCode {
    schema_sync::cli::run(supabase_app::models())
}
