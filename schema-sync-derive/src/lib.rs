use proc_macro::TokenStream;
#[proc_macro_derive(SyncTable, attributes(sync))]
pub fn derive(_i: TokenStream) -> TokenStream {
    TokenStream::new()
}
