const _: () = {
    #[automatically_derived]
    impl ::schema_sync::__private::SyncEnum for Mood {
        const ENUM: ::schema_sync::__private::EnumDef = ::schema_sync::__private::EnumDef {
            schema: ::core::option::Option::None,
            name: "mood",
            values: &["happy", "meh"],
        };
        fn label(&self) -> &'static str {
            match *self {
                Mood::Happy => "happy",
                Mood::SoSo => "meh",
            }
        }
    }
    #[automatically_derived]
    impl ::schema_sync::__private::SqlColumnType for Mood {
        const COLUMN_TYPE: ::schema_sync::__private::ColumnType = ::schema_sync::__private::ColumnType::Enum(
            &<Self as ::schema_sync::__private::SyncEnum>::ENUM,
        );
    }
};
