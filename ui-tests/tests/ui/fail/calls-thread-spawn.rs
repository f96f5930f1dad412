use para::pure;

#[pure]
fn k(x: u32) -> u32 {
    let h = std::thread::spawn(move || x * 2);
    h.join().unwrap()
}

fn main() {}
