//! Test helpers: throwaway SQLite and Postgres databases, drift assertions. To be written.
