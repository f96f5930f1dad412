//! `para::PureData`: every impl the API lists, the derive on each shape,
//! and the types that must not be plain data.

#![allow(dead_code, reason = "derived types are only checked, never built")]

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell, UnsafeCell};
use std::cmp::{Ordering, Reverse};
use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::{BuildHasherDefault, DefaultHasher};
use std::marker::PhantomData;
use std::num::{
    NonZeroI128, NonZeroI16, NonZeroI32, NonZeroI64, NonZeroI8, NonZeroIsize, NonZeroU128,
    NonZeroU16, NonZeroU32, NonZeroU64, NonZeroU8, NonZeroUsize, Saturating, Wrapping,
};
use std::ops::{Bound, Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant, SystemTime};

use para::{OwnedRows, PureData, Rows};

fn is_pure<T: ?Sized + PureData>() {}

fn is_pure_val<T: ?Sized + PureData>(_: &T) {}

type Fixed = BuildHasherDefault<DefaultHasher>;

#[test]
fn scalars() {
    is_pure::<bool>();
    is_pure::<char>();
    is_pure::<()>();
    is_pure::<u8>();
    is_pure::<u16>();
    is_pure::<u32>();
    is_pure::<u64>();
    is_pure::<u128>();
    is_pure::<usize>();
    is_pure::<i8>();
    is_pure::<i16>();
    is_pure::<i32>();
    is_pure::<i64>();
    is_pure::<i128>();
    is_pure::<isize>();
    is_pure::<f32>();
    is_pure::<f64>();
    is_pure::<Duration>();
    is_pure::<Ordering>();
}

#[test]
fn non_zero_and_arithmetic_wrappers() {
    is_pure::<NonZeroU8>();
    is_pure::<NonZeroU16>();
    is_pure::<NonZeroU32>();
    is_pure::<NonZeroU64>();
    is_pure::<NonZeroU128>();
    is_pure::<NonZeroUsize>();
    is_pure::<NonZeroI8>();
    is_pure::<NonZeroI16>();
    is_pure::<NonZeroI32>();
    is_pure::<NonZeroI64>();
    is_pure::<NonZeroI128>();
    is_pure::<NonZeroIsize>();
    is_pure::<std::num::NonZero<u32>>();
    is_pure::<Wrapping<u32>>();
    is_pure::<Saturating<i16>>();
    is_pure::<Reverse<f64>>();
}

#[test]
fn strings_slices_arrays_tuples() {
    is_pure::<str>();
    is_pure::<String>();
    is_pure::<[u8]>();
    is_pure::<[f32; 0]>();
    is_pure::<[f32; 4]>();
    is_pure::<[[u8; 3]; 2]>();
    is_pure::<(u8,)>();
    is_pure::<(u8, f32)>();
    is_pure::<(u8, f32, String)>();
    is_pure::<(u8, u8, u8, u8)>();
    is_pure::<(u8, u8, u8, u8, u8)>();
    is_pure::<(u8, u8, u8, u8, u8, u8)>();
    is_pure::<(u8, u8, u8, u8, u8, u8, u8)>();
    is_pure::<(u8, u8, u8, u8, u8, u8, u8, u8)>();
    is_pure::<(u8, u8, u8, u8, u8, u8, u8, u8, u8)>();
    is_pure::<(u8, u8, u8, u8, u8, u8, u8, u8, u8, u8)>();
    is_pure::<(u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8)>();
    is_pure::<(u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, String)>();
}

#[test]
fn owning_containers() {
    is_pure::<Vec<f32>>();
    is_pure::<VecDeque<u8>>();
    is_pure::<Box<u8>>();
    is_pure::<Box<str>>();
    is_pure::<Box<[f32]>>();
    is_pure::<Arc<u8>>();
    is_pure::<Arc<str>>();
    is_pure::<Arc<[f32]>>();
    is_pure::<Option<String>>();
    is_pure::<Result<u8, String>>();
    is_pure::<Vec<Option<Box<[Arc<str>]>>>>();
}

#[test]
fn maps_and_sets() {
    is_pure::<BTreeMap<String, Vec<u8>>>();
    is_pure::<BTreeSet<u64>>();
    is_pure::<HashMap<u32, String, Fixed>>();
    is_pure::<HashSet<u32, Fixed>>();
    is_pure::<Fixed>();
    is_pure::<DefaultHasher>();
    // Any hasher `H`: the builder stores none and makes `H::default()` afresh.
    is_pure::<BuildHasherDefault<RandomHasherStandIn>>();
}

/// A hasher type that is not itself `PureData`: the builder is anyway.
#[derive(Default)]
struct RandomHasherStandIn(Cell<u64>);

#[test]
fn ranges() {
    is_pure::<Range<usize>>();
    is_pure::<RangeInclusive<i32>>();
    is_pure::<RangeFrom<u8>>();
    is_pure::<RangeTo<u8>>();
    is_pure::<RangeToInclusive<u8>>();
    is_pure::<RangeFull>();
    is_pure::<Bound<u8>>();
    is_pure_val(&(0..10));
    is_pure_val(&(0..=10));
    is_pure_val(&..);
}

#[test]
fn references_phantoms_and_cows() {
    is_pure::<&u8>();
    is_pure::<&str>();
    is_pure::<&[f32]>();
    is_pure::<&&Vec<u8>>();
    // `PhantomData` holds nothing, whatever it names.
    is_pure::<PhantomData<u8>>();
    is_pure::<PhantomData<Cell<u8>>>();
    is_pure::<PhantomData<str>>();
    is_pure::<Cow<'static, str>>();
    is_pure::<Cow<'static, [u8]>>();
    is_pure::<Cow<'static, Vec<u8>>>();
}

#[test]
fn para_inputs() {
    is_pure::<Rows<'static, f32>>();
    is_pure::<OwnedRows<f32>>();
    let data = [1.0_f32, 2.0, 3.0, 4.0];
    let rows = Rows::new(&data, 2).unwrap();
    is_pure_val(&rows);
}

#[derive(PureData)]
struct Named {
    xs: Vec<f32>,
    name: String,
    table: HashMap<u32, (u8, char), Fixed>,
}

#[derive(PureData, Clone)]
struct Tuple(u8, Box<str>, Option<Arc<[f64]>>);

#[derive(PureData, Clone)]
struct Unit;

#[derive(PureData)]
struct Empty {}

#[derive(PureData)]
struct Generic<T, U: Clone> {
    t: T,
    us: Vec<U>,
}

#[derive(PureData)]
struct WithWhere<T>
where
    T: Copy,
{
    t: T,
}

#[derive(PureData)]
struct Borrowing<'a, T: ?Sized> {
    row: &'a T,
    cow: Cow<'a, str>,
}

#[derive(PureData)]
struct ConstGeneric<const N: usize> {
    xs: [f32; N],
}

#[derive(PureData)]
struct Defaulted<T = u8> {
    t: T,
}

#[derive(PureData)]
struct Phantom<T> {
    marker: PhantomData<T>,
}

#[derive(PureData)]
struct Recursive {
    value: u32,
    kids: Vec<Recursive>,
    next: Option<Box<Self>>,
}

#[derive(PureData)]
enum Shape {
    Empty,
    Circle(f32),
    Rect { w: f32, h: f32 },
    Many(Vec<Shape>),
}

#[derive(PureData)]
enum GenericEnum<T, E> {
    Ok(T),
    Err { error: E },
}

#[derive(PureData)]
enum Never {}

#[derive(PureData)]
struct Nested {
    shape: Shape,
    pair: Generic<Named, Tuple>,
}

#[test]
fn derive_on_each_shape() {
    is_pure::<Named>();
    is_pure::<Tuple>();
    is_pure::<Unit>();
    is_pure::<Empty>();
    is_pure::<Generic<u8, String>>();
    is_pure::<Generic<Vec<u8>, Unit>>();
    is_pure::<WithWhere<f32>>();
    is_pure::<Borrowing<'static, [u8]>>();
    is_pure::<ConstGeneric<3>>();
    is_pure::<Defaulted>();
    is_pure::<Phantom<u8>>();
    is_pure::<Recursive>();
    is_pure::<Shape>();
    is_pure::<GenericEnum<u8, String>>();
    is_pure::<Never>();
    is_pure::<Nested>();
    is_pure::<Vec<Shape>>();
    is_pure_val(&Unit);
    is_pure_val(&Shape::Circle(1.0));
}

/// `pure!(T)` is `true` exactly when `T: PureData`: an inherent method,
/// which exists only under the bound, is preferred over the trait's
/// fallback (method resolution on a concrete type).
macro_rules! pure {
    ($t:ty) => {{
        #[allow(unused_imports)]
        use Fallback as _;
        Probe::<$t>(PhantomData).is_pure()
    }};
}

struct Probe<T: ?Sized>(PhantomData<T>);

trait Fallback {
    fn is_pure(&self) -> bool {
        false
    }
}

impl<T: ?Sized> Fallback for Probe<T> {}

impl<T: ?Sized + PureData> Probe<T> {
    fn is_pure(&self) -> bool {
        true
    }
}

#[derive(PureData)]
struct NotPlainUse<T>(T);

#[test]
fn not_plain_data() {
    assert!(pure!(Vec<u8>), "the probe itself");
    // Interior mutability, at any depth.
    assert!(!pure!(Cell<u8>));
    assert!(!pure!(RefCell<u8>));
    assert!(!pure!(UnsafeCell<u8>));
    assert!(!pure!(OnceCell<u8>));
    assert!(!pure!(AtomicBool));
    assert!(!pure!(AtomicU64));
    assert!(!pure!(AtomicUsize));
    assert!(!pure!(Mutex<u8>));
    assert!(!pure!(RwLock<u8>));
    assert!(!pure!(OnceLock<u8>));
    assert!(!pure!(LazyLock<u8>));
    assert!(!pure!(Rc<u8>));
    assert!(!pure!(Vec<Cell<u8>>));
    assert!(!pure!(Option<&RefCell<u8>>));
    assert!(!pure!(Arc<AtomicBool>));
    assert!(!pure!((u8, Cell<u8>)));
    assert!(!pure!(NotPlainUse<Cell<u8>>));
    // `&mut`, pointers, callables.
    assert!(!pure!(&mut u8));
    assert!(!pure!(&mut [f32]));
    assert!(!pure!(*const u8));
    assert!(!pure!(*mut u8));
    assert!(!pure!(fn(u8) -> u8));
    assert!(!pure!(dyn Fn()));
    assert!(!pure!(Box<dyn Fn(u8) -> u8>));
    // Handles to the world and random state.
    assert!(!pure!(std::fs::File));
    assert!(!pure!(std::net::TcpStream));
    assert!(!pure!(std::io::Stdout));
    assert!(!pure!(Instant));
    assert!(!pure!(SystemTime));
    assert!(!pure!(std::path::Path));
    assert!(!pure!(std::path::PathBuf));
    assert!(!pure!(std::thread::JoinHandle<()>));
    assert!(!pure!(std::thread::Thread));
    assert!(!pure!(std::sync::mpsc::Sender<u8>));
    assert!(!pure!(std::sync::mpsc::Receiver<u8>));
    assert!(!pure!(std::process::Child));
    assert!(!pure!(RandomState));
    assert!(!pure!(HashMap<u8, u8>));
    assert!(!pure!(HashSet<u8>));
    assert!(!pure!(para::Pool));
    assert!(!pure!(para::Signal));
    assert!(!pure!(para::Signals));
    assert!(!pure!(para::Mutex<u8>));
}
