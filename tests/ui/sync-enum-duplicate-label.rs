use schema_sync::SyncEnum;

#[derive(SyncEnum)]
enum Status {
    Draft,
    #[sync(rename = "draft")]
    Unpublished,
}

fn main() {}
