#[allow(unused_imports)]
use para::{pmap, pmap_reduce, preduce, pure, Rows};

#[pure]
fn concat(a: String, b: String) -> String {
    a + &b
}

fn main() {
    let words: Vec<String> = (0..3000).map(|i| format!("{i},")).collect();
    let joined = preduce!(concat, String::new(), &words);
    assert_eq!(joined, words.concat());
    let joined2 = preduce!(|a: String, b: String| a + &b, String::new(), &words, chunk_size = 7);
    assert_eq!(joined2, words.concat());
}
