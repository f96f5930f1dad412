use para::pure;

#[pure]
fn k(x: i32) -> i32 {
    if x < 0 {
        std::process::exit(1);
    }
    x
}

fn main() {}
