//! Runs every example (built by `cargo test`) in quick mode and checks that
//! it exits 0 and prints what it shows.

use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> PathBuf {
    // target/<profile>/deps/examples-<hash> -> target/<profile>/examples/<name>
    let mut p = std::env::current_exe().expect("test binary path");
    p.pop();
    p.pop();
    p.push("examples");
    p.push(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    p
}

fn run(name: &str, expect: &str) {
    run_with(name, &[], expect);
}

fn run_with(name: &str, args: &[&std::ffi::OsStr], expect: &str) {
    let out_dir = std::env::temp_dir().join(format!("para-example-{name}-{}", std::process::id()));
    let out = Command::new(example(name))
        .args(args)
        .env("PARA_EXAMPLE_QUICK", "1")
        .env("PARA_CHART_OUT", &out_dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run example {name}: {e} (built by `cargo test`?)"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(expect), "{name} printed:\n{stdout}");
}

#[test]
fn quickstart() {
    run("quickstart", "pmap_into!");
}

#[test]
fn progress() {
    run("progress", "mapped 20000 items");
}

#[test]
fn service() {
    run("service", "served 200 requests");
}

#[test]
fn sync() {
    run("sync", "blocking:");
}

#[test]
fn chart() {
    run("chart", "wrote");
}

#[test]
fn matmul() {
    run("matmul", "all three results are the same bits");
}

#[test]
fn blur() {
    let pgm = std::env::temp_dir().join(format!("para-example-blur-{}.pgm", std::process::id()));
    run_with("blur", &[pgm.as_os_str()], "same bits as the loop");
    let bytes = std::fs::read(&pgm).expect("blur wrote its image");
    let _ = std::fs::remove_file(&pgm);
    assert!(bytes.starts_with(b"P5\n64 48\n255\n"), "not a 64x48 PGM");
    assert_eq!(bytes.len(), b"P5\n64 48\n255\n".len() + 64 * 48);
}

#[test]
fn csv() {
    run("csv", "records and totals equal the sequential ones");
}

#[test]
fn kmeans() {
    run("kmeans", "every step's centroids are the same bits");
}
