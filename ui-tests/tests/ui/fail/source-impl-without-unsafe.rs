// `Source` is an unsafe trait: the pool writes outputs at the indices a
// source hands it, so a safe impl (which could skip or repeat indices, or
// lie about its length) must not compile.
use para::{Source, SourceItem};

struct Skips;

impl SourceItem<'_> for Skips {
    type Item = usize;
}

impl Source for Skips {
    type Value = usize;
    fn len(&self) -> usize {
        10
    }
    unsafe fn get_unchecked(&self, i: usize) -> usize {
        i
    }
    fn value(i: usize) -> usize {
        i
    }
    fn for_each_in<G: FnMut(usize, usize)>(&self, _: std::ops::Range<usize>, mut g: G) {
        g(0, 0); // skips every other index
    }
}

fn main() {}
