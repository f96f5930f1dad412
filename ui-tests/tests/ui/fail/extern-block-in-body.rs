use para::pure;

#[pure]
fn k(x: i32) -> i32 {
    extern "C" {
        fn abs(v: i32) -> i32;
    }
    x
}

fn main() {}
