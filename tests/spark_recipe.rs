//! The Spark recipe (`scripts/spark_audit.py`) on a real local Spark: runs
//! `tests/spark/test_spark_audit.py` with a Python that has PySpark (and Java), handing it
//! this build's `mtaudit`. Without one the test skips with a message, unless
//! `MTAUDIT_REQUIRE_SPARK` is set (as `.ci/run` does, after installing both).

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `MTAUDIT_SPARK_PYTHON`, else the virtual environment `.ci/run` installs PySpark into.
fn spark_python() -> Option<PathBuf> {
    let python = std::env::var_os("MTAUDIT_SPARK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(ROOT).join("target/spark-venv/bin/python"));
    let has_pyspark = Command::new(&python)
        .args(["-c", "import pyspark"])
        .output()
        .is_ok_and(|o| o.status.success());
    let has_java = Command::new("java").arg("-version").output().is_ok();
    (has_pyspark && has_java).then_some(python)
}

#[test]
fn spark_audits_a_corpus_like_a_plain_run() {
    let Some(python) = spark_python() else {
        assert!(
            std::env::var_os("MTAUDIT_REQUIRE_SPARK").is_none(),
            "MTAUDIT_REQUIRE_SPARK is set but no Python with PySpark and Java was found"
        );
        eprintln!("skipped: no Python with PySpark (set MTAUDIT_SPARK_PYTHON) or no Java");
        return;
    };
    let output = Command::new(python)
        .arg(Path::new(ROOT).join("tests/spark/test_spark_audit.py"))
        .env("MTAUDIT_BIN", assert_cmd::cargo::cargo_bin("mtaudit"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the Spark test failed:\n{stderr}");
    eprintln!(
        "{}",
        stderr
            .lines()
            .filter(|l| l.contains(" ... "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
