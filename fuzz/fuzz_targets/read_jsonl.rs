//! A JSON Lines file of articles, read as the product reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtaudit::input::{read, DEFAULT_MAX_ARTICLE_BYTES};
use mtaudit_fuzz::{check_jsonl, scratch_input};

fuzz_target!(|data: &[u8]| {
    let input = scratch_input("batch.jsonl", data);
    for limit in [DEFAULT_MAX_ARTICLE_BYTES, 64] {
        check_jsonl(&read(&input, limit), limit);
    }
});
