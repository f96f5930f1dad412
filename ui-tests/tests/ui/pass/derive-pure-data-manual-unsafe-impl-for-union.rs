#[derive(Clone, Copy)]
union Bits {
    f: f32,
    u: u32,
}

// SAFETY: both fields are plain 32-bit values; no cell, no pointer.
unsafe impl para::PureData for Bits {}

#[derive(para::PureData)]
struct Sample {
    bits: Bits,
}

fn is_pure<T: ?Sized + para::PureData>() {}

fn main() {
    is_pure::<Sample>();
    let s = Sample { bits: Bits { f: 1.0 } };
    // SAFETY: every bit pattern is a valid `u32`.
    assert_eq!(unsafe { s.bits.u }, 1.0f32.to_bits());
}
