//! Prints the generated schema as SQL: `gen_schema sqlite|postgres N [base|changed]`.
//!
//! `scripts/bench.sh` pipes it into `psql` to build the databases of the end-to-end `diff`.

use schema_sync_benches::{load_script, Dialect, Variant};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dialect = match args.first().map(String::as_str) {
        Some("sqlite") => Dialect::Sqlite,
        Some("postgres") => Dialect::Postgres,
        _ => return usage(),
    };
    let Some(n) = args.get(1).and_then(|n| n.parse::<usize>().ok()) else {
        return usage();
    };
    let variant = match args.get(2).map(String::as_str) {
        None | Some("base") => Variant::Base,
        Some("changed") => Variant::Changed,
        Some(_) => return usage(),
    };
    let sql = load_script(dialect, n, variant);
    if std::io::stdout().lock().write_all(sql.as_bytes()).is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: gen_schema sqlite|postgres N [base|changed]");
    ExitCode::from(2)
}
