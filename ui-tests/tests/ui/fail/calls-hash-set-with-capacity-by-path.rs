use para::pure;
#[pure]
fn k(xs: &[u32]) -> usize {
    let mut s = std::collections::HashSet::with_capacity(xs.len());
    s.extend(xs.iter().copied());
    s.len()
}

fn main() {}
