#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn k(x: u32) -> u32 {
    #[para::pure]
    fn helper(v: u32) -> u32 {
        v * 3
    }
    let inner = {
        #[para::pure]
        fn deeper(v: u32) -> u32 {
            v + 1
        }
        deeper(x)
    };
    helper(inner)
}

fn main() {
    assert_eq!(k(1), 6);
}
