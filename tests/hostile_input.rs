//! Inputs and runs that try to break mtaudit: memory bombs, colliding names, concurrent
//! runs, killed runs, absurd thread counts. Each test names the failure it guards against.

mod support;

use assert_cmd::Command;
use predicates::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use support::{mtaudit, CLEAN_GERMAN, SAMPLES};

/// `mtaudit` under a shell that first runs `setup` (a umask, a memory limit).
fn mtaudit_after(dir: &Path, setup: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.current_dir(dir).env("NO_COLOR", "1").args([
        "-c",
        &format!("{setup}; exec \"$0\" \"$@\""),
        assert_cmd::cargo::cargo_bin("mtaudit").to_str().unwrap(),
    ]);
    cmd
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Address space for a run that must not read a whole oversized input into memory: far
/// below the gigabyte such a read would take, well above what auditing needs.
const MEMORY_LIMIT: &str = "ulimit -v 786432";

#[test]
fn articles_named_summary_or_index_do_not_overwrite_the_run_files() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    write(&inputs, "summary.txt", CLEAN_GERMAN);
    write(&inputs, "index.md", CLEAN_GERMAN);
    write(&inputs, "Summary.txt", CLEAN_GERMAN);
    mtaudit(dir.path())
        .args(["audit", "--no-lm", "in", "--format", "json", "--html"])
        .args(["--out", "out", "-q"])
        .assert()
        .code(0);
    let out = dir.path().join("out");
    let summary = json(&out.join("summary.json"));
    let rows = summary["article_reports"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        let report = row["report"].as_str().unwrap();
        assert!(!["summary.json", "Summary.json", "index.json"].contains(&report));
        assert_eq!(json(&out.join(report))["id"], row["id"]);
    }
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("summary") && index.contains("index"));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 3 * 2 + 2 + 1); // + the lock
}

/// A gzip member of 1 MiB of `a`, repeated: a small file that inflates to `mib` MiB.
fn gzip_bomb(mib: usize) -> Vec<u8> {
    let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    member.write_all(&vec![b'a'; 1 << 20]).unwrap();
    let member = member.finish().unwrap();
    member.repeat(mib)
}

#[test]
fn an_oversized_json_lines_record_is_rejected_without_reading_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = gzip_bomb(1024);
    let mut tail = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let record = serde_json::json!({"id": "after", "text": CLEAN_GERMAN});
    write!(tail, "\n{record}\n").unwrap();
    bytes.extend(tail.finish().unwrap());
    std::fs::write(dir.path().join("bomb.jsonl.gz"), &bytes).unwrap();
    mtaudit_after(dir.path(), MEMORY_LIMIT)
        .args([
            "audit",
            "--no-lm",
            "bomb.jsonl.gz",
            "--format",
            "jsonl",
            "-j",
            "1",
        ])
        .args(["--max-article-bytes", "100000"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("\"id\":\"after\""))
        .stderr(predicate::str::contains(
            "bomb.jsonl.gz:1: article exceeds the limit of 100000 bytes",
        ));
}

#[test]
fn an_endless_file_is_read_only_up_to_the_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    mtaudit_after(dir.path(), MEMORY_LIMIT)
        .args([
            "audit",
            "--no-lm",
            "/dev/zero",
            "--format",
            "jsonl",
            "-j",
            "1",
        ])
        .args(["--max-article-bytes", "100000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/dev/zero: article exceeds the limit of 100000 bytes",
        ));
}

#[test]
fn model_verify_checks_the_file_given_with_model() {
    let dir = tempfile::tempdir().unwrap();
    let fake = write(dir.path(), "fake.gguf", "not a model");
    mtaudit(dir.path())
        .env("MTAUDIT_HOME", dir.path().join("home"))
        .env_remove("MTAUDIT_MODEL")
        .args(["model", "verify", "--model"])
        .arg(&fake)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("fake.gguf").and(predicate::str::contains("SHA-256")));
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}

#[cfg(unix)]
#[test]
fn reused_reports_are_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", CLEAN_GERMAN);
    let run = || {
        mtaudit(dir.path())
            .args(["audit", "--no-lm", "a.txt", "--format", "json", "--html"])
            .args(["--out", "out", "-q"])
            .assert()
            .code(0);
    };
    run();
    let (report, page) = (dir.path().join("out/a.json"), dir.path().join("out/a.html"));
    let before = (inode(&report), inode(&page));
    run();
    assert_eq!(json(&dir.path().join("out/summary.json"))["reused"], 1);
    assert_eq!((inode(&report), inode(&page)), before);
}

#[test]
fn absurd_thread_counts_are_capped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", CLEAN_GERMAN);
    mtaudit(dir.path())
        .args([
            "audit", "--no-lm", "a.txt", "--format", "jsonl", "-j", "100000",
        ])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("warning: -j 100000 capped to"));
}

#[test]
fn a_second_run_on_the_same_output_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", CLEAN_GERMAN);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // Held here as a running mtaudit would hold it.
    let lock = std::fs::File::create(out.join(".mtaudit.lock")).unwrap();
    lock.lock().unwrap();
    mtaudit(dir.path())
        .args([
            "audit", "--no-lm", "a.txt", "--format", "json", "--out", "out",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "another mtaudit run is writing to out",
        ));
    assert!(!out.join("summary.json").exists());
    drop(lock);
    mtaudit(dir.path())
        .args([
            "audit", "--no-lm", "a.txt", "--format", "json", "--out", "out",
        ])
        .assert()
        .code(0);
}

#[test]
fn temporary_files_of_a_killed_run_are_cleaned_up() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", CLEAN_GERMAN);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let leftover = write(&out, ".mtaudit-Xy12Ab.tmp", "{\"half\": ");
    mtaudit(dir.path())
        .args([
            "audit", "--no-lm", "a.txt", "--format", "json", "--out", "out",
        ])
        .assert()
        .code(0);
    assert!(!leftover.exists());
    assert!(out.join("a.json").exists());
}

#[cfg(unix)]
#[test]
fn reports_get_the_permissions_the_umask_allows() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", CLEAN_GERMAN);
    mtaudit_after(dir.path(), "umask 022")
        .args(["audit", "--no-lm", "a.txt", "--format", "json", "--html"])
        .args(["--out", "out", "-q"])
        .assert()
        .code(0);
    for name in ["a.json", "a.html", "summary.json", "index.html"] {
        let mode = std::fs::metadata(dir.path().join("out").join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{name}");
    }
}

#[test]
fn output_order_and_totals_do_not_depend_on_which_article_finishes_first() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    // The first article takes far longer than the others, so with two threads the small
    // ones finish first.
    let long: String = std::fs::read_dir(SAMPLES)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
        .repeat(8);
    write(&inputs, "a00.txt", &long);
    let mut expected = vec!["a00".to_string()];
    for i in 1..40 {
        let id = format!("a{i:02}");
        write(&inputs, &format!("{id}.txt"), CLEAN_GERMAN);
        expected.push(id);
    }
    let output = mtaudit(dir.path())
        .args([
            "audit", "--no-lm", "in", "--format", "jsonl", "--format", "json",
        ])
        .args(["--out", "out", "-j", "2"])
        .output()
        .unwrap();
    let reports: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = reports.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected);
    let sum = reports
        .iter()
        .map(|r| r["score"].as_f64().unwrap())
        .sum::<f64>();
    let summary = json(&dir.path().join("out/summary.json"));
    assert_eq!(summary["mean_score"].as_f64(), Some(sum / ids.len() as f64));
}

#[test]
fn operating_system_errors_are_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", CLEAN_GERMAN);
    std::fs::create_dir(dir.path().join("conf")).unwrap();
    let output = mtaudit(dir.path())
        .args(["audit", "--no-lm", "a.txt", "--config", "conf"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.matches("os error").count(), 1, "{stderr}");
}
