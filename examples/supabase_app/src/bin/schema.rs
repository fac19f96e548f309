//! The schema-sync CLI with this app's models built in (`models` is a source like any other,
//! and carries the app's SQL files: no `--sql-dir` needed):
//!
//! ```text
//! cargo run --features cli --bin schema -- migration new init --from postgres://… --to models \
//!     --dev-url postgres://…
//! cargo run --features cli --bin schema -- apply --db sqlite:local.db --to models
//! ```

fn main() -> std::process::ExitCode {
    schema_sync::cli::run(supabase_app::models())
}
