use para::pure;
#[pure]
fn total(it: impl Iterator<Item = u32> + Clone) -> u32 {
    it.clone().sum::<u32>() + it.count() as u32
}

fn main() {
    assert_eq!(total(0..4u32), 10);
}
