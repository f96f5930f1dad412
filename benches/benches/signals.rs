//! The cost of live signals: map_cheap at N = 1e6 with no watcher, with an
//! active effect, and with a subscriber, in one group.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;

fn signals_cost(c: &mut Criterion) {
    let pool = para::Pool::new().unwrap();
    let data: Vec<f32> = (0..1_000_000).map(|i| i as f32).collect();
    let mut g = c.benchmark_group("map_cheap_1e6_signals");
    g.measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(300));
    g.bench_function("no_watcher", |b| {
        b.iter(|| pool.map(|x: &f32| x * 2.0 + 1.0, black_box(&data)))
    });
    let s = pool.signals();
    let fx = para::effect(move || {
        black_box(s.completed.get());
    });
    g.bench_function("active_effect", |b| {
        b.iter(|| pool.map(|x: &f32| x * 2.0 + 1.0, black_box(&data)))
    });
    drop(fx);
    let sub = pool.signals().completed.subscribe(|v| {
        black_box(v);
    });
    g.bench_function("subscriber", |b| {
        b.iter(|| pool.map(|x: &f32| x * 2.0 + 1.0, black_box(&data)))
    });
    drop(sub);
    g.finish();
}

criterion_group!(benches, signals_cost);
criterion_main!(benches);
