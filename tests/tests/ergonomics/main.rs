//! Everyday ergonomics: the models snapshot kept fresh, project config.

mod snapshot;
