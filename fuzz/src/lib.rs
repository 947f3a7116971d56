//! Shared helpers of the fuzz targets: a scratch file per process for the input readers,
//! one auditor per language setting, and the invariants every target asserts.

use mtaudit::audit::Auditor;
use mtaudit::config::Config;
use mtaudit::data::Article;
use mtaudit::data::ArticleAudit;
use mtaudit::data::Lang;
use mtaudit::data::Sentence;
use mtaudit::data::Span;
use mtaudit::input::{Input, InputError};
use std::path::PathBuf;
use std::sync::OnceLock;

/// A folder of this process's own (in RAM where `/dev/shm` exists), created once.
fn scratch_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = PathBuf::from("/dev/shm");
        let base = if shm.is_dir() {
            shm
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("mtaudit-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir
    })
}

/// Writes `data` to this process's scratch file `name` (reused on every run) and returns
/// the input the product would make of that file.
pub fn scratch_input(name: &str, data: &[u8]) -> Input {
    let path = scratch_dir().join(name);
    std::fs::write(&path, data).expect("write scratch file");
    Input::File {
        path,
        id: "fuzz".into(),
    }
}

/// What every article the reader hands out satisfies, JSON Lines or not. (A plain file
/// loses one leading byte-order mark, a JSON Lines record every one.)
pub fn check_article(article: &Article, limit: usize) {
    assert!(
        !article.text.trim().is_empty(),
        "empty article text accepted"
    );
    assert!(
        article.text.len() <= limit,
        "article of {} bytes over the limit {limit}",
        article.text.len()
    );
    assert!(!article.id.is_empty(), "empty article id");
}

/// The results of reading one JSON Lines file (plain or gzipped) with `limit`.
pub fn check_jsonl(results: &[Result<Article, InputError>], limit: usize) {
    assert!(
        !results.is_empty(),
        "a JSON Lines file gave no result at all"
    );
    let mut last_line = 0;
    for result in results {
        let source = match result {
            Ok(article) => {
                check_article(article, limit);
                assert!(
                    !article.text.starts_with('\u{feff}'),
                    "leading byte-order mark kept"
                );
                article.source.as_str()
            }
            Err(e) => e.source_name(),
        };
        // Every record names its line; a file-level error names the file.
        if let Some(line) = source
            .rsplit_once(':')
            .and_then(|(_, n)| n.parse::<usize>().ok())
        {
            assert!(line > last_line, "line numbers out of order in {source}");
            last_line = line;
        }
    }
}

/// The invariants of a segmentation of `text`.
pub fn check_sentences(text: &str, sentences: &[Sentence]) {
    let mut previous_end = 0;
    for s in sentences {
        check_span(text, s.span, "sentence");
        assert!(!s.span.is_empty(), "empty sentence at {:?}", s.span);
        assert!(
            s.span.start >= previous_end,
            "sentence {:?} overlaps or precedes the one ending at {previous_end}",
            s.span
        );
        previous_end = s.span.end;
        let slice = s.span.slice(text);
        assert_eq!(slice, slice.trim(), "untrimmed sentence {:?}", s.span);
        assert!(!slice.contains('\n'), "sentence {:?} spans a line", s.span);
    }
}

/// `span` lies inside `text`, on char boundaries.
pub fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} outside the text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} not on char boundaries"
    );
}

/// An auditor with the default settings and no language model: `choice` picks the
/// language (0: detected, then German, Italian, English).
pub fn auditor(choice: usize) -> &'static Auditor {
    static AUDITORS: OnceLock<Vec<Auditor>> = OnceLock::new();
    let auditors = AUDITORS.get_or_init(|| {
        [
            None,
            Some(Lang::GERMAN),
            Some(Lang::ITALIAN),
            Some(Lang::ENGLISH),
        ]
        .into_iter()
        .map(|lang| {
            let settings = Config::default()
                .resolve("mtaudit.toml".as_ref())
                .expect("default settings");
            Auditor::new(settings, lang)
        })
        .collect()
    });
    &auditors[choice % auditors.len()]
}

/// The article the product would make of `text`, or `None` where the reader refuses it
/// (an all-whitespace text). The first line doubles as title and id, both of which a
/// JSON Lines record sets freely.
pub fn article(text: &str) -> Option<Article> {
    if text.trim().is_empty() {
        return None;
    }
    let first = text.lines().next().unwrap_or_default();
    let first: String = first.chars().take(80).collect();
    Some(Article {
        id: if first.is_empty() {
            "fuzz".into()
        } else {
            first.clone()
        },
        source: "fuzz.jsonl:1".into(),
        title: Some(first),
        lang: None,
        text: text.to_string(),
    })
}

/// The invariants of an audit of `article`.
pub fn check_audit(article: &Article, audit: &ArticleAudit) {
    let text = audit.text.as_str();
    assert_eq!(text, article.text, "the audit's text is not the article's");
    let sentences: Vec<Sentence> = audit
        .sentences
        .iter()
        .map(|s| Sentence {
            span: s.span,
            kind: s.kind,
        })
        .collect();
    check_sentences(text, &sentences);
    for (index, s) in audit.sentences.iter().enumerate() {
        assert_eq!(s.index, index, "sentence index");
        assert!(
            (0.0..=1.0).contains(&s.probability_broken),
            "probability {} of sentence {index}",
            s.probability_broken
        );
        for &f in &s.findings {
            assert_eq!(
                audit.findings.get(f).and_then(|f| f.sentence),
                Some(index),
                "sentence {index} lists finding {f}, which is not its own"
            );
        }
    }
    for (i, f) in audit.findings.iter().enumerate() {
        let span = f.finding.span;
        check_span(text, span, f.finding.check.as_str());
        if let Some(s) = f.sentence {
            let sentence = audit
                .sentences
                .get(s)
                .unwrap_or_else(|| panic!("finding {i} assigned to missing sentence {s}"));
            assert!(
                sentence.findings.contains(&i),
                "finding {i} missing from sentence {s}'s list"
            );
            // The sentence a finding belongs to is the one its start lies in, or the gap
            // after it (the first sentence also takes the gap before it): findings of whole
            // lines, paragraphs or regions may run on into the following sentences.
            let next = audit.sentences.get(s + 1).map(|n| n.span.start);
            assert!(
                (s == 0 || sentence.span.start <= span.start)
                    && next.is_none_or(|n| span.start < n),
                "{} finding {span:?} assigned to sentence {s} {:?}, which its start is not in",
                f.finding.check,
                sentence.span
            );
        }
    }
    assert_eq!(audit.verdicts.total(), audit.sentences.len());
    assert_eq!(
        audit.findings_by_check.values().sum::<usize>(),
        audit.findings.len()
    );
    assert!(
        audit.score.is_finite() && (0.0..=100.0).contains(&audit.score),
        "score {}",
        audit.score
    );
    assert!(audit.penalty.is_finite() && audit.penalty >= 0.0);
    serde_json::to_string(audit).expect("the audit serialises as JSON");
}
