//! The `schema-sync` command. See `schema_sync::cli`.

fn main() -> std::process::ExitCode {
    schema_sync::cli::run_plain()
}
