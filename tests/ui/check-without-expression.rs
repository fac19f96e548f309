use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(check(name = "price_positive"))]
struct Product {
    #[sync(primary_key)]
    id: i64,
    price: f64,
}

fn main() {}
