//! Introspection against real SQLite files and a real Postgres server.

mod fuzz;
mod postgres;
mod sqlite;
mod sqlite_pragmas;
