use para::pure;
type Flag = std::sync::atomic::AtomicBool;

#[pure]
fn k(flag: &Flag) -> bool {
    let _ = flag;
    true
}

fn main() {}
