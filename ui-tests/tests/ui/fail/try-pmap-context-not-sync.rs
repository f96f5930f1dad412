use para::{pure, try_pmap};

#[pure]
fn check<T>(_limit: &T, x: &u32) -> Result<u32, String> {
    Ok(*x)
}

fn main() {
    let v = vec![1_u32, 2, 3];
    let _r = try_pmap!(check(&std::rc::Rc::new(1_u32), _), &v);
}
