//! `mtaudit audit --stdin-jsonl`: one line out per record in, in input order, a bad line
//! answered in place, and memory that does not grow with the stream's length.

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const MALFORMED: &str = "{\"id\": \"broken\", \"text\": ";

/// `count` small German records with ids `r0`, `r1`, …; the record at `malformed_at`
/// (if any) is replaced by a line that is not JSON.
fn write_records(path: &Path, count: usize, malformed_at: Option<usize>) {
    let mut file = std::io::BufWriter::new(File::create(path).unwrap());
    for i in 0..count {
        if Some(i) == malformed_at {
            writeln!(file, "{MALFORMED}").unwrap();
            continue;
        }
        let record = serde_json::json!({
            "id": format!("r{i}"),
            "lang": "de",
            "text": format!(
                "Der Rat hat am Montag {i} neue Regeln beschlossen. Die Regierung will sie \
                 bis zum Sommer prüfen und dann dem Parlament vorlegen."
            ),
        });
        writeln!(file, "{record}").unwrap();
    }
}

struct StreamRun {
    lines: Vec<Value>,
    exit_code: i32,
    peak_rss_kib: i64,
}

/// Runs the stream on `input` and measures the child's peak resident set size with
/// `wait4` (the kernel's own account, so the test harness's memory does not count).
fn run_stream(input: &Path, extra: &[&str]) -> StreamRun {
    let dir = input.parent().unwrap();
    let output = dir.join("stream-out.jsonl");
    // Reaped with wait4 below rather than `Child::wait`, for its resource usage.
    #[allow(clippy::zombie_processes)]
    let child = Command::cargo_bin("mtaudit")
        .unwrap()
        .args(["audit", "--stdin-jsonl", "--no-lm", "-q"])
        .args(extra)
        .stdin(Stdio::from(File::open(input).unwrap()))
        .stdout(Stdio::from(File::create(&output).unwrap()))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: `rusage` is plain old data, valid when zeroed.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 fills in `status` and `usage`; the pid is our own child, reaped here
    // and never waited for again through `child`.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    assert!(libc::WIFEXITED(status), "mtaudit did not exit normally");
    let lines = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("every output line is JSON"))
        .collect();
    StreamRun {
        lines,
        exit_code: libc::WEXITSTATUS(status),
        peak_rss_kib: usage.ru_maxrss,
    }
}

#[test]
fn ten_thousand_records_stream_in_order_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.jsonl");
    let large = dir.path().join("large.jsonl");
    write_records(&small, 1_000, None);
    write_records(&large, 10_000, Some(5_000));

    let baseline = run_stream(&small, &[]);
    let run = run_stream(&large, &[]);
    eprintln!(
        "peak RSS: {} KiB for 1,000 records, {} KiB for 10,000",
        baseline.peak_rss_kib, run.peak_rss_kib
    );

    assert_eq!(baseline.exit_code, 0);
    assert_eq!(run.exit_code, 2, "a malformed line is an input error");
    assert_eq!(run.lines.len(), 10_000, "one line out per record in");
    for (i, line) in run.lines.iter().enumerate() {
        if i == 5_000 {
            assert_eq!(line["source"], "-:5001");
            let error = line["error"].as_str().unwrap();
            assert!(error.contains("malformed JSON Lines record"), "{error}");
        } else {
            assert_eq!(line["id"], format!("r{i}"), "line {i} out of order");
            assert_eq!(line["source"], format!("-:{}", i + 1));
        }
    }
    // Ten times the records must not cost ten times the memory: the stream holds a
    // window of records, not the input (a batch run over the same file holds it all).
    assert!(
        run.peak_rss_kib < baseline.peak_rss_kib + 16 * 1024,
        "peak RSS grew from {} KiB to {} KiB with the stream's length",
        baseline.peak_rss_kib,
        run.peak_rss_kib
    );
}

#[test]
fn stream_reports_equal_the_batch_reports_of_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("records.jsonl");
    write_records(&input, 40, None);
    let stream = run_stream(&input, &[]);
    let batch = Command::cargo_bin("mtaudit")
        .unwrap()
        .args(["audit", "--no-lm", "-q", "--format", "jsonl"])
        .arg(&input)
        .output()
        .unwrap();
    let batch: Vec<Value> = String::from_utf8(batch.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(stream.lines.len(), batch.len());
    for (mut from_stream, mut from_batch) in stream.lines.into_iter().zip(batch) {
        // The source names the stream (`-:N`) or the file (`records.jsonl:N`), and the
        // fingerprint covers the source.
        for field in ["source", "fingerprint"] {
            from_stream[field] = Value::Null;
            from_batch[field] = Value::Null;
        }
        assert_eq!(from_stream, from_batch);
    }
}

#[test]
fn bad_records_are_answered_in_place_and_shards_split_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("records.jsonl");
    write_records(&input, 30, Some(7));
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .unwrap();
    writeln!(file, "\n{{\"id\": \"empty\", \"text\": \"  \"}}").unwrap();

    let whole = run_stream(&input, &[]);
    assert_eq!(
        whole.lines.len(),
        31,
        "the blank line has no answer, the rest one each"
    );
    assert_eq!(whole.lines[7]["source"], "-:8");
    assert_eq!(whole.lines[30]["source"], "-:32");
    assert!(whole.lines[30]["error"].as_str().unwrap().contains("empty"));

    let shards: Vec<StreamRun> = ["1/3", "2/3", "3/3"]
        .iter()
        .map(|shard| run_stream(&input, &["--shard", shard]))
        .collect();
    let mut union: Vec<&Value> = shards.iter().flat_map(|s| &s.lines).collect();
    assert_eq!(
        union.len(),
        whole.lines.len(),
        "every line in exactly one shard"
    );
    for shard in &shards {
        assert!(
            !shard.lines.is_empty(),
            "30 ids split three ways leave none empty"
        );
        let sources: Vec<&str> = shard
            .lines
            .iter()
            .map(|l| l["source"].as_str().unwrap())
            .collect();
        let mut sorted = sources.clone();
        sorted.sort_by_key(|s| s[2..].parse::<usize>().unwrap());
        assert_eq!(sources, sorted, "each shard keeps input order");
    }
    union.sort_by_key(|l| l["source"].as_str().unwrap()[2..].parse::<usize>().unwrap());
    assert_eq!(union, whole.lines.iter().collect::<Vec<_>>());
}

#[test]
fn the_stream_writes_json_lines_only() {
    let output = Command::cargo_bin("mtaudit")
        .unwrap()
        .args(["audit", "--stdin-jsonl", "--no-lm", "--format", "json"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--stdin-jsonl writes JSON Lines only"),
        "{stderr}"
    );
}
