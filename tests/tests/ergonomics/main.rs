//! Everyday ergonomics: project config and zero-argument commands, `init`, confirmation on a
//! terminal, a user's own binary with models built in, the models snapshot kept fresh.

mod bad_input;
mod project;
mod snapshot;
