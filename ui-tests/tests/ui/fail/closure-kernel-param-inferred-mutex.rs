use std::sync::Mutex;

fn main() {
    let v: Vec<Mutex<u32>> = (0..4).map(Mutex::new).collect();
    let _ = para::pmap!(|m| std::mem::size_of_val(m), &v);
}
