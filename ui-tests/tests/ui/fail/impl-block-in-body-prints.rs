use para::pure;
#[pure]
fn k(x: u32) -> u32 {
    struct Loud(u32);
    impl Loud {
        fn get(&self) -> u32 {
            println!("read");
            self.0
        }
    }
    Loud(x).get()
}

fn main() {}
