use para::pure;
#[pure]
fn k(x: u8) -> usize {
    let v = vec![x; 4];
    let s: &'static mut [u8] = v.leak();
    s.len()
}

fn main() {}
