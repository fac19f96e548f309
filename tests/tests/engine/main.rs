//! The engine against real databases: convergence on third-party cases, data survival,
//! atomic failure.

mod postgres_convergence;
mod sqlite_convergence;
mod sqlite_data;
