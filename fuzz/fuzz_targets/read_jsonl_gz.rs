//! A gzipped JSON Lines file, read as the product reads it: the bytes are the `.gz` file
//! itself, so the decoder sees truncated, corrupt and multi-member streams.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtaudit::input::{read, DEFAULT_MAX_ARTICLE_BYTES};
use mtaudit_fuzz::{check_jsonl, scratch_input};

fuzz_target!(|data: &[u8]| {
    let input = scratch_input("batch.jsonl.gz", data);
    check_jsonl(
        &read(&input, DEFAULT_MAX_ARTICLE_BYTES),
        DEFAULT_MAX_ARTICLE_BYTES,
    );
});
