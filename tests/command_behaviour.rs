//! The command's documented behaviours, one table row each: arguments and input files in,
//! exit code, standard output and standard error out, kept as insta snapshots
//! (`tests/snapshots/command_behaviour__*.snap`). Every row runs without the language
//! model, so the table needs no model file.

use assert_cmd::Command;

/// One invocation of `mtaudit` in an empty folder holding `files`.
struct Case {
    name: &'static str,
    args: &'static [&'static str],
    files: &'static [(&'static str, &'static [u8])],
    stdin: &'static str,
    code: i32,
}

const CLEAN: &[u8] = "Die Bundesregierung hat am Mittwoch einen neuen Haushalt beschlossen. \
    Der Finanzminister sprach von einem soliden Plan für die kommenden Jahre.\n"
    .as_bytes();
const DEBRIS: &[u8] = "Der Kreml hat am Sonntag eine Erklärung veröffentlicht.\n\
    bersaglio = \"_ vuoto\" https: /2025/03/kreml-erklaerung.html\n\
    Die Gespräche sollen in der kommenden Woche weitergehen.\n"
    .as_bytes();

const CASES: &[Case] = &[
    Case {
        name: "clean_article_passes_with_exit_0",
        args: &["audit", "--no-lm", "clean.txt", "--format", "human"],
        files: &[("clean.txt", CLEAN)],
        stdin: "",
        code: 0,
    },
    Case {
        name: "markup_debris_fails_the_gate_with_exit_1",
        args: &["audit", "--no-lm", "debris.txt", "--format", "human"],
        files: &[("debris.txt", DEBRIS)],
        stdin: "",
        code: 1,
    },
    Case {
        name: "exit_zero_reports_gate_failures_but_exits_0",
        args: &["audit", "--no-lm", "debris.txt", "--format", "human", "--exit-zero"],
        files: &[("debris.txt", DEBRIS)],
        stdin: "",
        code: 0,
    },
    Case {
        name: "critical_findings_can_be_allowed_through",
        args: &["audit", "--no-lm", "debris.txt", "--format", "human", "--fail-on-critical", "false"],
        files: &[("debris.txt", DEBRIS)],
        stdin: "",
        code: 0,
    },
    Case {
        name: "broken_ratio_threshold_fails_with_exit_1",
        args: &["audit", "--no-lm", "debris.txt", "--format", "human", "--fail-on-critical", "false", "--max-broken-ratio", "0"],
        files: &[("debris.txt", DEBRIS)],
        stdin: "",
        code: 1,
    },
    Case {
        name: "standard_input_is_an_article",
        args: &["audit", "--no-lm", "-", "--format", "human"],
        files: &[],
        stdin: "Die Regierung hat den Haushalt beschlossen. Der Minister sprach von einem soliden Plan.\n",
        code: 0,
    },
    Case {
        name: "missing_input_is_named_with_exit_2",
        args: &["audit", "--no-lm", "nope.txt", "--format", "human"],
        files: &[],
        stdin: "",
        code: 2,
    },
    Case {
        name: "one_bad_input_keeps_the_other_articles",
        args: &["audit", "--no-lm", "clean.txt", "empty.txt", "binary.txt", "latin1.txt", "--format", "human"],
        files: &[
            ("clean.txt", CLEAN),
            ("empty.txt", b""),
            ("binary.txt", b"PK\x03\x04\x00\x00"),
            ("latin1.txt", b"Stra\xdfe und Gr\xf6\xdfe\n"),
        ],
        stdin: "",
        code: 2,
    },
    Case {
        name: "malformed_config_is_named_with_exit_2",
        args: &["audit", "--no-lm", "clean.txt"],
        files: &[("clean.txt", CLEAN), ("mtaudit.toml", b"[gate\nmax_needs_editor = ")],
        stdin: "",
        code: 2,
    },
    Case {
        name: "gate_threshold_out_of_range_is_refused",
        args: &["audit", "--no-lm", "clean.txt", "--max-needs-editor", "1.5"],
        files: &[("clean.txt", CLEAN)],
        stdin: "",
        code: 2,
    },
    Case {
        name: "unknown_language_is_refused",
        args: &["audit", "--no-lm", "clean.txt", "--lang", "xx"],
        files: &[("clean.txt", CLEAN)],
        stdin: "",
        code: 2,
    },
    Case {
        name: "invalid_shard_is_refused",
        args: &["audit", "--no-lm", "clean.txt", "--shard", "0/3"],
        files: &[("clean.txt", CLEAN)],
        stdin: "",
        code: 2,
    },
    Case {
        name: "stream_refuses_other_formats_before_loading_the_model",
        args: &["audit", "--stdin-jsonl", "--format", "html", "--offline"],
        files: &[],
        stdin: "",
        code: 2,
    },
    Case {
        name: "stream_answers_each_record_in_order",
        args: &["audit", "--no-lm", "--stdin-jsonl", "--quiet"],
        files: &[],
        stdin: "{\"id\": \"a\", \"text\": \"\"}\nnot json\n",
        code: 2,
    },
];

/// What a run shows, with what changes between runs (the temporary folder, timings)
/// replaced.
fn transcript(case: &Case) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in case.files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let output = Command::cargo_bin("mtaudit")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("MTAUDIT_HOME", dir.path().join("home"))
        .env_remove("MTAUDIT_MODEL")
        .args(case.args)
        .write_stdin(case.stdin)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(case.code),
        "{}: {}",
        case.name,
        String::from_utf8_lossy(&output.stderr)
    );
    let timing = regex::Regex::new(r"\(\d+\.\d s\)").unwrap();
    let text = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).replace(&*dir.path().to_string_lossy(), "[dir]");
        timing.replace_all(&text, "([time] s)").into_owned()
    };
    format!(
        "$ mtaudit {}\nexit {}\n--- stdout\n{}--- stderr\n{}",
        case.args.join(" "),
        case.code,
        text(&output.stdout),
        text(&output.stderr)
    )
}

#[test]
fn documented_behaviours() {
    for case in CASES {
        insta::assert_snapshot!(case.name, transcript(case));
    }
}
