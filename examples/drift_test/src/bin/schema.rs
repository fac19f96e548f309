//! The schema-sync CLI with this app's models built in, so `models` is a source like any other:
//!
//! ```text
//! cargo run --features cli --bin schema -- diff --from postgres://… --to models --format sql
//! ```

fn main() -> std::process::ExitCode {
    schema_sync::cli::run(drift_test::models())
}
