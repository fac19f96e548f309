use schema_sync::SyncTable;

#[derive(SyncTable)]
#[sync(table = "notification_preferences", index(columns = ["account_identifier", "delivery_channel_name"]))]
struct Prefs {
    #[sync(primary_key)]
    id: i64,
    account_identifier: String,
    delivery_channel_name: String,
}

fn main() {}
