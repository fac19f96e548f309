const _: () = {
    #[automatically_derived]
    impl ::schema_sync::__private::SyncView for ActiveUser {
        const VIEW: ::schema_sync::__private::ViewDef = ::schema_sync::__private::ViewDef {
            schema: ::core::option::Option::None,
            name: "active_users",
            columns: &[
                ::schema_sync::__private::ViewColumnDef {
                    name: "id",
                    field: "id",
                    comment: ::core::option::Option::None,
                },
                ::schema_sync::__private::ViewColumnDef {
                    name: "mail",
                    field: "email",
                    comment: ::core::option::Option::Some("where we write"),
                },
            ],
            postgres: ::core::option::Option::Some(
                "SELECT id, email FROM users WHERE active",
            ),
            sqlite: ::core::option::Option::Some(
                "SELECT id, email FROM users WHERE active = 1",
            ),
            materialized: false,
            security_invoker: true,
            security_barrier: false,
            indexes: &[],
            comment: ::core::option::Option::Some("who can sign in"),
        };
    }
    #[automatically_derived]
    impl ::schema_sync::__private::SchemaPart for ActiveUser {
        const PART: ::schema_sync::__private::SchemaEntry = ::schema_sync::__private::SchemaEntry::View(
            <Self as ::schema_sync::__private::SyncView>::VIEW,
        );
    }
};
