//! trybuild UI cases: `tests/ui/<what-is-wrong>.rs` must fail to compile with the reviewed
//! `.stderr` (pointing at the user's token), `tests/ui/pass/*.rs` must compile and run.
//! Regenerate with `TRYBUILD=overwrite`, then read every changed `.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
    t.pass("ui/pass/*.rs");
}
