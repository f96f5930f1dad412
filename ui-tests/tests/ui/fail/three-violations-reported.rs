use para::pure;

#[pure]
fn k(x: f32) -> f32 {
    println!("start");
    let t = std::time::Instant::now();
    let y = unsafe { std::mem::transmute::<f32, u32>(x) };
    let _ = t;
    y as f32
}

fn main() {}
