use para::pure;
#[pure]
fn k(x: u32) -> u32 {
    struct Acc(u32);
    impl Acc {
        fn add(&mut self, v: u32) {
            self.0 += v;
        }
    }
    trait Twice {
        fn twice(&self) -> u32;
    }
    impl Twice for u32 {
        fn twice(&self) -> u32 {
            self * 2
        }
    }
    let mut a = Acc(0);
    a.add(x);
    a.add(x.twice());
    a.0
}

fn main() {
    assert_eq!(k(5), 15);
}
