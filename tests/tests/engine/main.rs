//! The engine against real databases: convergence on third-party cases, data survival,
//! atomic failure.

mod cross_dialect;
mod partitions;
mod postgres_convergence;
mod postgres_data;
mod postgres_details;
mod postgres_types;
mod property;
mod schema_objects;
mod schema_sql;
mod sqlite_convergence;
mod sqlite_data;
mod value_preservation;
mod value_property;
