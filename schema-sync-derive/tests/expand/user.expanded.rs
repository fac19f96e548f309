const _: () = {
    #[automatically_derived]
    impl ::schema_sync::__private::SyncTable for User {
        const NAME: &'static str = "users";
        const SCHEMA: ::core::option::Option<&'static str> = ::core::option::Option::None;
        const PRIMARY_KEY: &'static [&'static str] = &["id"];
        type PrimaryKey = i64;
        const TABLE: ::schema_sync::__private::TableDef = ::schema_sync::__private::TableDef {
            schema: ::core::option::Option::None,
            name: "users",
            renamed_from: ::core::option::Option::None,
            columns: &[
                ::schema_sync::__private::ColumnDef {
                    name: "id",
                    field: "id",
                    ty: <i64 as ::schema_sync::__private::SqlColumnType>::COLUMN_TYPE,
                    nullable: false,
                    default: ::core::option::Option::None,
                    identity: ::core::option::Option::Some(
                        ::schema_sync::__private::Identity::ByDefault,
                    ),
                    overrides: ::schema_sync::__private::OverridesDef {
                        postgres_type: ::core::option::Option::None,
                        sqlite_type: ::core::option::Option::None,
                        postgres_default: ::core::option::Option::None,
                        sqlite_default: ::core::option::Option::None,
                    },
                    renamed_from: ::core::option::Option::None,
                    using: ::core::option::Option::None,
                    comment: ::core::option::Option::None,
                },
                ::schema_sync::__private::ColumnDef {
                    name: "email",
                    field: "email",
                    ty: <String as ::schema_sync::__private::SqlColumnType>::COLUMN_TYPE,
                    nullable: <String as ::schema_sync::__private::SqlColumnType>::NULLABLE,
                    default: ::core::option::Option::None,
                    identity: ::core::option::Option::None,
                    overrides: ::schema_sync::__private::OverridesDef {
                        postgres_type: ::core::option::Option::Some("citext"),
                        sqlite_type: ::core::option::Option::Some("TEXT"),
                        postgres_default: ::core::option::Option::None,
                        sqlite_default: ::core::option::Option::None,
                    },
                    renamed_from: ::core::option::Option::None,
                    using: ::core::option::Option::None,
                    comment: ::core::option::Option::None,
                },
                ::schema_sync::__private::ColumnDef {
                    name: "org_id",
                    field: "org_id",
                    ty: <i64 as ::schema_sync::__private::SqlColumnType>::COLUMN_TYPE,
                    nullable: <i64 as ::schema_sync::__private::SqlColumnType>::NULLABLE,
                    default: ::core::option::Option::None,
                    identity: ::core::option::Option::None,
                    overrides: ::schema_sync::__private::OverridesDef {
                        postgres_type: ::core::option::Option::None,
                        sqlite_type: ::core::option::Option::None,
                        postgres_default: ::core::option::Option::None,
                        sqlite_default: ::core::option::Option::None,
                    },
                    renamed_from: ::core::option::Option::None,
                    using: ::core::option::Option::None,
                    comment: ::core::option::Option::None,
                },
                ::schema_sync::__private::ColumnDef {
                    name: "created_at",
                    field: "created_at",
                    ty: ::schema_sync::__private::ColumnType::Sql("timestamptz"),
                    nullable: false,
                    default: ::core::option::Option::None,
                    identity: ::core::option::Option::None,
                    overrides: ::schema_sync::__private::OverridesDef {
                        postgres_type: ::core::option::Option::None,
                        sqlite_type: ::core::option::Option::None,
                        postgres_default: ::core::option::Option::Some("now()"),
                        sqlite_default: ::core::option::Option::Some("CURRENT_TIMESTAMP"),
                    },
                    renamed_from: ::core::option::Option::None,
                    using: ::core::option::Option::None,
                    comment: ::core::option::Option::None,
                },
                ::schema_sync::__private::ColumnDef {
                    name: "nickname",
                    field: "nickname",
                    ty: <Option<
                        String,
                    > as ::schema_sync::__private::SqlColumnType>::COLUMN_TYPE,
                    nullable: <Option<
                        String,
                    > as ::schema_sync::__private::SqlColumnType>::NULLABLE,
                    default: ::core::option::Option::None,
                    identity: ::core::option::Option::None,
                    overrides: ::schema_sync::__private::OverridesDef {
                        postgres_type: ::core::option::Option::None,
                        sqlite_type: ::core::option::Option::None,
                        postgres_default: ::core::option::Option::None,
                        sqlite_default: ::core::option::Option::None,
                    },
                    renamed_from: ::core::option::Option::None,
                    using: ::core::option::Option::None,
                    comment: ::core::option::Option::None,
                },
            ],
            primary_key: <Self as ::schema_sync::__private::SyncTable>::PRIMARY_KEY,
            indexes: &[
                ::schema_sync::__private::IndexDef {
                    name: "users_org_id_email_idx",
                    columns: &["org_id", "email"],
                    unique: true,
                    predicate: ::core::option::Option::None,
                },
            ],
            uniques: &[
                ::schema_sync::__private::UniqueDef {
                    columns: &["email"],
                },
            ],
            foreign_keys: &[
                ::schema_sync::__private::ForeignKeyDef {
                    columns: &["org_id"],
                    ref_schema: ::schema_sync::__private::ref_schema(
                        ::core::option::Option::None,
                        <Org as ::schema_sync::__private::SyncTable>::SCHEMA,
                    ),
                    ref_table: <Org as ::schema_sync::__private::SyncTable>::NAME,
                    ref_columns: <Org as ::schema_sync::__private::SyncTable>::PRIMARY_KEY,
                    on_delete: ::schema_sync::__private::FkAction::Cascade,
                    on_update: ::schema_sync::__private::FkAction::NoAction,
                },
            ],
            checks: &[
                ::schema_sync::__private::CheckDef {
                    name: ::core::option::Option::Some("email_has_at"),
                    expr: "email LIKE '%@%'",
                },
            ],
            row_security: ::schema_sync::__private::RowSecurityDef {
                enabled: false,
                forced: false,
            },
            policies: &[],
            grants: &[],
            comment: ::core::option::Option::None,
        };
    }
    #[automatically_derived]
    impl ::schema_sync::__private::SchemaPart for User {
        const PART: ::schema_sync::__private::SchemaEntry = ::schema_sync::__private::SchemaEntry::Table(
            <Self as ::schema_sync::__private::SyncTable>::TABLE,
            <Self as ::schema_sync::__private::SyncTable>::table,
        );
    }
    #[automatically_derived]
    impl ::schema_sync::__private::HasColumn<
        { ::schema_sync::__private::column_key("id") },
    > for User {
        type Type = i64;
    }
    #[automatically_derived]
    impl ::schema_sync::__private::HasColumn<
        { ::schema_sync::__private::column_key("email") },
    > for User {
        type Type = String;
    }
    #[automatically_derived]
    impl ::schema_sync::__private::HasColumn<
        { ::schema_sync::__private::column_key("org_id") },
    > for User {
        type Type = i64;
    }
    #[automatically_derived]
    impl ::schema_sync::__private::HasColumn<
        { ::schema_sync::__private::column_key("created_at") },
    > for User {
        type Type = String;
    }
    #[automatically_derived]
    impl ::schema_sync::__private::HasColumn<
        { ::schema_sync::__private::column_key("nickname") },
    > for User {
        type Type = Option<String>;
    }
    const _: () = ::schema_sync::__private::assert_identity::<i64>();
    const _: () = ::core::assert!(
        ! < i64 as ::schema_sync::__private::SqlColumnType > ::NULLABLE,
        "primary-key column `id` cannot be nullable"
    );
    const _: () = ::schema_sync::__private::assert_key_type::<
        i64,
        <Org as ::schema_sync::__private::SyncTable>::PrimaryKey,
    >();
};
