use schema_sync::SyncEnum;

#[derive(SyncEnum)]
#[sync(type_name = "mood")]
enum Mood {
    Happy,
    #[sync(label = "meh")]
    SoSo,
}

fn main() {}
