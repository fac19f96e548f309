use schema_sync::SyncEnum;

#[derive(SyncEnum)]
enum Shape {
    Circle(f64),
    Square,
}

fn main() {}
