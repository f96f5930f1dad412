use para::pure;
type Out<'a> = &'a mut u32;

#[pure]
fn k(out: Out<'_>) -> u32 {
    let _ = out;
    1
}

fn main() {}
