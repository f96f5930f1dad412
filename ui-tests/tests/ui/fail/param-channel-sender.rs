use para::pure;
use std::sync::mpsc::Sender;

#[pure]
fn k(tx: &Sender<u64>) -> u8 {
    let _ = tx;
    0
}

fn main() {}
