//! Helpers the integration tests share: the sample articles, a clean article, the command
//! under test, and every heuristic check run over a text.

#![allow(dead_code)] // Each test crate uses a different part of these helpers.

use mtaudit::checks::{self, CheckSettings, Document};
use mtaudit::data::{Finding, Lang};
use mtaudit::segment::segment;
use std::path::{Path, PathBuf};

/// The five real garbled articles (four German, one Italian).
pub const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/samples");

/// Two clean German sentences: nothing to flag.
pub const CLEAN_GERMAN: &str = "Die Bundesregierung hat am Mittwoch einen neuen Haushalt \
    beschlossen. Der Finanzminister sprach von einem soliden Plan für die kommenden Jahre.\n";

/// The path of the sample article named `name` ("003_….txt").
pub fn sample_path(name: &str) -> PathBuf {
    Path::new(SAMPLES).join(name)
}

/// The text of the sample article whose file name starts with `prefix` ("003").
pub fn sample_text(prefix: &str) -> String {
    let path = std::fs::read_dir(SAMPLES)
        .expect("samples folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no sample starting with {prefix:?}"));
    std::fs::read_to_string(path).expect("readable sample")
}

/// `mtaudit` in `dir`, without colours.
pub fn mtaudit(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("mtaudit").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// The findings of every heuristic check on `text`, an article in `lang`, with the
/// default settings, in check order.
pub fn heuristic_findings(text: &str, lang: Lang) -> Vec<Finding> {
    let sentences = segment(text);
    let settings = CheckSettings::default();
    let doc = Document::new(text, lang, &sentences, &settings);
    let mut findings = Vec::new();
    for check in checks::all() {
        check.run(&doc, &mut findings);
    }
    findings
}
