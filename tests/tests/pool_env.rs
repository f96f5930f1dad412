//! `PARA_CONCURRENCY` (its own test binary: the environment is
//! process-wide).

use para::{BuildError, Pool};

#[test]
fn para_concurrency_overrides_the_default_and_bad_values_are_typed_errors() {
    let cores = std::thread::available_parallelism().unwrap().get();
    std::env::set_var("PARA_CONCURRENCY", "1");
    assert_eq!(Pool::new().unwrap().concurrency(), 1);
    std::env::set_var("PARA_CONCURRENCY", "100000");
    assert_eq!(
        Pool::new().unwrap().concurrency(),
        cores,
        "capped at the cores"
    );
    for bad in ["0", "-3", "lots", ""] {
        std::env::set_var("PARA_CONCURRENCY", bad);
        match Pool::new() {
            Err(e @ BuildError::InvalidEnv { .. }) => {
                assert!(e.to_string().contains("PARA_CONCURRENCY"), "{e}")
            }
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    // An explicit concurrency does not read the variable.
    assert_eq!(
        Pool::builder()
            .concurrency(1)
            .build()
            .unwrap()
            .concurrency(),
        1
    );
    std::env::remove_var("PARA_CONCURRENCY");
    assert_eq!(
        Pool::new().unwrap().concurrency(),
        cores.saturating_sub(1).max(1)
    );
}
