//! Sentence segmentation of any UTF-8 text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtaudit_fuzz::check_sentences;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        check_sentences(text, &mtaudit::segment::segment(text));
    }
});
