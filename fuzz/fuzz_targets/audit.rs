//! The whole audit without a language model: segmentation, language identification and
//! every check of `checks::all()`, with spans and per-sentence assignment checked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtaudit_fuzz::{article, auditor, check_audit};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(article) = article(text) else {
        return;
    };
    // The length picks the language (detected, German, Italian, English), so that
    // mutations move an input between them.
    let audit = auditor(data.len()).audit(&article);
    check_audit(&article, &audit);
});
