//! Builds benchmark fleets and measures their floors, for `scripts/fleet-bench.sh`:
//!
//! * `fleet_bench sqlite DIR N TABLES` — N SQLite files of TABLES generated tables (copies of
//!   one template), with planted drift: every 10th file (offset 3) lacks `t00004_parent_idx`,
//!   every 25th (offset 7) has an extra column on `t00001`, every 500th (offset 250) is not a
//!   database. Also writes `DIR/../desired.db` (the template). Prints the planted counts. With
//!   `distinct` after TABLES every file also gets a column of its own (`t00002.c_<i>`), so no
//!   two files share a schema (the worst case for the audit's per-schema cache).
//! * `fleet_bench sqlite-floor DIR THREADS [LIMIT]` — reads `sqlite_schema` of every file in DIR
//!   (the first LIMIT by name; open, one query, every row decoded) on THREADS threads; prints
//!   the files read and milliseconds.
//! * `fleet_bench postgres N TABLES` — prints SQL creating schemas `tenant_00000` … of TABLES
//!   tables each (drift planted as for SQLite, minus the unreadable ones) and the template in
//!   `public`, for `psql`.
//! * `fleet_bench postgres-floor URL [REGEX]` — one catalog query returning every column of every
//!   table of the schemas matching REGEX (default `^tenant_`); prints the rows and milliseconds.

use schema_sync_benches::{schema_sql, table_name, Dialect, Variant};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let num = |i: usize| arg(i).parse::<usize>().ok();
    let result = match (arg(0).as_str(), num(2), num(3)) {
        ("sqlite", Some(n), Some(tables)) => make_sqlite(Path::new(&arg(1)), n, tables, arg(4) == "distinct"),
        ("sqlite-floor", Some(threads), _) => sqlite_floor(Path::new(&arg(1)), threads, num(3)),
        ("postgres", _, _) => match (num(1), num(2)) {
            (Some(n), Some(tables)) => {
                print!("{}", postgres_sql(n, tables));
                Ok(())
            }
            _ => return usage(),
        },
        ("postgres-floor", _, _) => postgres_floor(&arg(1), args.get(2).map_or("^tenant_", |s| s.as_str())),
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fleet_bench: {e}");
            ExitCode::from(2)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: fleet_bench sqlite DIR N TABLES [distinct] | sqlite-floor DIR THREADS [LIMIT] | postgres N TABLES | postgres-floor URL [REGEX]"
    );
    ExitCode::from(2)
}

type Res = Result<(), Box<dyn std::error::Error>>;

/// The drift planted in member `i` of a fleet.
fn drift(i: usize) -> (bool, bool) {
    (i % 10 == 3, i % 25 == 7)
}

fn make_sqlite(dir: &Path, n: usize, tables: usize, distinct: bool) -> Res {
    std::fs::create_dir_all(dir)?;
    let template = dir.parent().unwrap_or(Path::new(".")).join("desired.db");
    let _ = std::fs::remove_file(&template);
    let conn = rusqlite::Connection::open(&template)?;
    conn.execute_batch(&format!("BEGIN;\n{}COMMIT;", schema_sql(Dialect::Sqlite, tables, Variant::Base)))?;
    drop(conn);
    let (mut index, mut column, mut garbage) = (0, 0, 0);
    for i in 0..n {
        let path = dir.join(format!("shard-{i:05}.db"));
        if i % 500 == 250 {
            std::fs::write(&path, b"not a database, just bytes\n")?;
            garbage += 1;
            continue;
        }
        std::fs::copy(&template, &path)?;
        let (no_index, extra) = drift(i);
        if no_index || extra || distinct {
            let c = rusqlite::Connection::open(&path)?;
            if distinct {
                c.execute_batch(&format!("ALTER TABLE {} ADD COLUMN c_{i} TEXT", table_name(2)))?;
            }
            if no_index {
                c.execute_batch(&format!("DROP INDEX {}_parent_idx", table_name(4)))?;
                index += 1;
            }
            if extra {
                c.execute_batch(&format!("ALTER TABLE {} ADD COLUMN note TEXT", table_name(1)))?;
                column += 1;
            }
        }
    }
    println!("files {n} missing_index {index} extra_column {column} unreadable {garbage}");
    Ok(())
}

fn sqlite_floor(dir: &Path, threads: usize, limit: Option<usize>) -> Res {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    files.sort();
    files.truncate(limit.unwrap_or(usize::MAX));
    let next = AtomicUsize::new(0);
    let read = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(path) = files.get(i) else { break };
                let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let Ok(conn) = rusqlite::Connection::open_with_flags(path, flags) else { continue };
                let rows = conn.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema").and_then(|mut st| {
                    st.query_map([], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, Option<String>>(3)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()
                });
                if rows.is_ok_and(|r| !r.is_empty()) {
                    read.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });
    println!("read {} ms {:.1}", read.load(Ordering::SeqCst), start.elapsed().as_secs_f64() * 1e3);
    Ok(())
}

fn postgres_sql(n: usize, tables: usize) -> String {
    let schema = schema_sql(Dialect::Postgres, tables, Variant::Base);
    let mut sql = String::from("SET client_min_messages = warning;\nBEGIN;\n");
    sql.push_str(&schema);
    sql.push_str("COMMIT;\n");
    for i in 0..n {
        let s = format!("tenant_{i:05}");
        sql.push_str(&format!("BEGIN;\nCREATE SCHEMA {s};\nSET LOCAL search_path = {s};\n{schema}"));
        let (no_index, extra) = drift(i);
        if no_index {
            sql.push_str(&format!("DROP INDEX {}_parent_idx;\n", table_name(4)));
        }
        if extra {
            sql.push_str(&format!("ALTER TABLE {} ADD COLUMN note text;\n", table_name(1)));
        }
        sql.push_str("COMMIT;\n");
    }
    sql
}

fn postgres_floor(url: &str, regex: &str) -> Res {
    use sqlx::Connection;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let start = Instant::now();
        let rows = sqlx::query_as::<_, (String, String, String, String, bool)>(
            "SELECT n.nspname::text, c.relname::text, a.attname::text, \
                    pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull \
             FROM pg_catalog.pg_attribute a \
             JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname ~ $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped",
        )
        .bind(regex)
        .persistent(false)
        .fetch_all(&mut conn)
        .await?;
        println!("rows {} ms {:.1}", rows.len(), start.elapsed().as_secs_f64() * 1e3);
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
