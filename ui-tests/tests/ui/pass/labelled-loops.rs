#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn k(n: u32) -> u32 {
    let mut count = 0;
    'outer: for i in 0..n {
        let mut j = 0;
        while j < n {
            if i * j > 20 {
                break 'outer;
            }
            j += 1;
            count += 1;
        }
    }
    let mut m = 0;
    loop {
        m += 1;
        if m == 3 {
            break count + m;
        }
    }
}

fn main() {
    assert_eq!(k(10), 40);
}
