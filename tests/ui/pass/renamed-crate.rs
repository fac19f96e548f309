//! `#[sync(crate = "...")]`: generated code goes through the given path.
extern crate schema_sync as renamed_facade;

mod reexport {
    pub use renamed_facade::*;
}

#[derive(renamed_facade::SyncTable)]
#[sync(crate = "crate::reexport")]
struct Tag {
    #[sync(primary_key)]
    id: i32,
}

#[derive(renamed_facade::SyncEnum)]
#[sync(crate = "renamed_facade")]
enum Colour {
    Red,
}

fn main() {
    use renamed_facade::{SyncEnum, SyncTable};
    assert_eq!(Tag::NAME, "tag");
    assert_eq!(Colour::ENUM.values, ["red"]);
}
