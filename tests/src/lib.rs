//! Integration tests of para live in `tests/`.
