//! Introspection against real SQLite files and a real Postgres server.

mod postgres;
mod sqlite;
