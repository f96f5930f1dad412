use para::pure;
use std::path::PathBuf;

#[pure]
fn k(p: &PathBuf) -> usize {
    p.as_os_str().len()
}

fn main() {}
