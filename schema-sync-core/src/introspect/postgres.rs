//! Postgres introspection (sqlx). To be written.
