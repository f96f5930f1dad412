//! Compile-time behaviour of `#[pure]` and the kernel-call macros:
//! `pass/` cases compile and run (each asserts its results), `fail/` cases
//! must fail with the snapshot in their `.stderr` (pinned toolchain, see
//! `rust-toolchain.toml`; refresh with `TRYBUILD=overwrite`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
