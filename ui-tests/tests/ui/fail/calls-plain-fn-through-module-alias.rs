use para::pure;
mod helpers {
    pub fn loud(x: u8) -> u8 {
        println!("{x}");
        x
    }
}

#[pure]
fn k(x: u8) -> u8 {
    use helpers as h;
    h::loud(x)
}

fn main() {}
