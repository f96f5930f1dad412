use para::pure;
#[pure]
fn k(x: u64) -> u64 {
    trait Stamp {
        fn stamp(&self) -> u64 {
            let _ = std::time::SystemTime::now();
            0
        }
    }
    impl Stamp for u64 {}
    x.stamp()
}

fn main() {}
