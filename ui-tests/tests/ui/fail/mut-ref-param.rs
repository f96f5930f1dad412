use para::pure;

#[pure]
fn k(out: &mut Vec<f32>, x: f32) {
    out.push(x);
}

fn main() {}
