mod a {
    pub mod b {
        #[para::pure]
        pub fn inc(x: u8) -> u8 {
            x + 1
        }
    }
}

#[para::pure]
fn k(x: u8) -> u8 {
    a::b::inc(x) + crate::a::b::inc(x)
}

fn main() {
    assert_eq!(k(1), 4);
}
