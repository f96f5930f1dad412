//! Cluster tests: each scenario of `examples/mpi_check.rs` runs in its own
//! `mpirun` (MPI initialises once per process), on 2 and 3 ranks, loopback
//! only, stdin closed, with a timeout so that nothing can hang CI.
#![cfg(feature = "mpi")]

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn example() -> PathBuf {
    let mut p = std::env::current_exe().expect("test binary path");
    p.pop();
    p.pop();
    p.push("examples");
    p.push("mpi_check");
    p
}

/// Runs the scenario on `np` ranks; returns (exit ok, stdout).
fn mpirun(np: usize, scenario: &str) -> (bool, String) {
    let out = Command::new("mpirun")
        .args([
            "-np",
            &np.to_string(),
            "--oversubscribe",
            "--bind-to",
            "none",
            "--timeout",
            "60",
        ])
        .args([
            "--mca",
            "btl_tcp_if_include",
            "lo",
            "--mca",
            "oob_tcp_if_include",
            "lo",
        ])
        .arg(example())
        .arg(scenario)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("PARA_CONCURRENCY", "1")
        .stdin(Stdio::null())
        .output()
        .expect("mpirun (Open MPI) must be installed for the `mpi` feature's tests");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    (out.status.success(), stdout)
}

fn each_rank_says(np: usize, stdout: &str, what: &str) {
    for r in 0..np {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("rank {r}: ")) && l.contains(what)),
            "rank {r} did not say {what:?}:\n{stdout}"
        );
    }
}

#[test]
fn cluster_results_equal_single_process_results_on_2_ranks() {
    let (ok, out) = mpirun(2, "equal");
    assert!(ok, "{out}");
    each_rank_says(2, &out, "OK equal");
}

#[test]
fn cluster_results_equal_single_process_results_on_3_ranks() {
    let (ok, out) = mpirun(3, "equal");
    assert!(ok, "{out}");
    each_rank_says(3, &out, "OK equal");
}

fn errors_everywhere(scenario: &str, message: &str) {
    for np in [2, 3] {
        let (ok, out) = mpirun(np, scenario);
        assert!(ok, "the ranks should report and go on:\n{out}");
        each_rank_says(np, &out, message);
        assert!(out.contains("rank 0: still usable"), "{out}");
    }
}

#[test]
fn kernel_mismatch_is_an_error_on_every_rank() {
    errors_everywhere(
        "mismatch-kernel",
        "rank 1 disagrees with the root on the kernel",
    );
}

#[test]
fn length_mismatch_is_an_error_on_every_rank() {
    errors_everywhere(
        "mismatch-length",
        "rank 1 disagrees with the root on the length",
    );
}

#[test]
fn input_kind_mismatch_is_an_error_on_every_rank() {
    errors_everywhere(
        "mismatch-kind",
        "rank 1 disagrees with the root on the input kind",
    );
}

#[test]
fn ragged_rows_on_the_root_are_an_error_on_every_rank() {
    errors_everywhere(
        "ragged",
        "the root's input is invalid: data length is not a multiple of the row width",
    );
}
