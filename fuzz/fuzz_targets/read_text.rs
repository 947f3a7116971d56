//! A plain-text article file, read as the product reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtaudit::input::{read, DEFAULT_MAX_ARTICLE_BYTES};
use mtaudit_fuzz::{check_article, scratch_input};

fuzz_target!(|data: &[u8]| {
    let input = scratch_input("article.txt", data);
    // The default limit, and limits around the file's own size (a BOM does not count).
    let n = data.len();
    for limit in [
        DEFAULT_MAX_ARTICLE_BYTES,
        n,
        n.saturating_sub(1),
        n.saturating_sub(3),
        n.saturating_sub(4),
    ] {
        let results = read(&input, limit);
        assert_eq!(results.len(), 1, "a plain file is one article");
        // What the reader must accept: UTF-8 (BOM removed) that is no UTF-16, has no NUL,
        // is not all whitespace and fits the limit.
        let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        let acceptable = !data.starts_with(b"\xFF\xFE")
            && !data.starts_with(b"\xFE\xFF")
            && body.len() <= limit
            && !body.contains(&0)
            && std::str::from_utf8(body).is_ok_and(|t| !t.trim().is_empty());
        match &results[0] {
            Ok(article) => {
                assert!(acceptable, "accepted what should be refused");
                check_article(article, limit);
                assert_eq!(article.text.as_bytes(), body, "text differs from the file");
            }
            Err(e) => assert!(!acceptable, "refused an acceptable article: {e}"),
        }
    }
});
