use para::pure;
#[pure]
fn k(x: u32) -> u32 {
    struct Noisy;
    impl Drop for Noisy {
        fn drop(&mut self) {
            eprintln!("dropped");
        }
    }
    let _n = Noisy;
    x
}

fn main() {}
