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
    let out_dir = std::env::temp_dir().join(format!("para-example-{name}-{}", std::process::id()));
    let out = Command::new(example(name))
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
    run("quickstart", "pmap!");
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
