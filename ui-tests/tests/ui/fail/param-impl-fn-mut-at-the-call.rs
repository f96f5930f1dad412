use para::pure;
#[pure]
fn k(mut f: impl FnMut(u8) -> u8) -> u8 {
    f(1)
}

fn main() {
    let mut calls = 0;
    let _ = k(|x| {
        calls += 1;
        x
    });
}
