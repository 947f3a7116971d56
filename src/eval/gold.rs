//! Reading labelled gold data: JSON Lines, plain or gzipped (the format of the
//! `eval-gold` set).
//!
//! A file holds either sentence items (`id`, `text`, `lang`, a label field, optional
//! `severity_score`, `doc_id`, `seg_id`, `system`) or article records (`doc_key`,
//! `segments` in reading order, `doc_mqm_mean`); which one is decided by the first
//! record and every later record must be of the same kind.
//!
//! A sentence item may also carry token labels (`tokens` and `token_labels`, "c" correct
//! or "i" incorrect, as in MultiGED); each token is then located in the item's text.

use crate::data::Span;
use flate2::read::MultiGzDecoder;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The label field read when none is configured.
pub const DEFAULT_LABEL_FIELD: &str = "label";

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Why a gold file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GoldError {
    /// The file could not be opened or read (a broken gzip stream or invalid UTF-8
    /// included).
    #[error("{path}: cannot read: {cause}")]
    Io {
        /// The gold file.
        path: PathBuf,
        /// What the reader reported.
        cause: std::io::Error,
    },
    /// A non-blank line is not valid JSON.
    #[error("{path}:{line}: invalid JSON: {cause}")]
    Json {
        /// The gold file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What the JSON parser reported.
        cause: serde_json::Error,
    },
    /// A line is JSON but not a valid record: not an object, a field missing or of the
    /// wrong type, or a record of the other kind than the file's first.
    #[error("{path}:{line}: {problem}")]
    Record {
        /// The gold file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong with the record.
        problem: String,
    },
    /// The file holds no records (nothing but blank lines).
    #[error("{path}: no records")]
    Empty {
        /// The gold file.
        path: PathBuf,
    },
}

/// A gold label; `Mid` items have some errors but fewer than a broken one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum GoldLabel {
    Broken,
    Ok,
    Mid,
}

impl GoldLabel {
    fn parse(value: &str) -> Option<GoldLabel> {
        [GoldLabel::Broken, GoldLabel::Ok, GoldLabel::Mid]
            .into_iter()
            .find(|label| label.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GoldLabel::Broken => "broken",
            GoldLabel::Ok => "ok",
            GoldLabel::Mid => "mid",
        }
    }

    /// The binary class: `Some(true)` for broken, `Some(false)` for ok, `None` for mid
    /// (left out of binary metrics, kept for rank correlations).
    pub fn is_broken(self) -> Option<bool> {
        match self {
            GoldLabel::Broken => Some(true),
            GoldLabel::Ok => Some(false),
            GoldLabel::Mid => None,
        }
    }
}

/// One labelled sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentenceItem {
    pub(crate) id: String,
    pub(crate) text: String,
    /// Language code as the file gives it ("de").
    pub(crate) lang: String,
    pub(crate) label: GoldLabel,
    /// MQM points averaged over raters.
    pub(crate) severity_score: Option<f64>,
    pub(crate) doc_id: Option<String>,
    /// Position of the sentence in its article (1-based in the gold set).
    pub(crate) seg_id: Option<u64>,
    pub(crate) system: Option<String>,
    pub(crate) token_labels: TokenLabels,
}

/// One gold token: where it lies in its item's text and whether the annotators marked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct GoldToken {
    /// Byte span in the item's `text`.
    pub span: Span,
    /// Labelled incorrect (`i`).
    pub erroneous: bool,
}

/// An item's token labels, if it has any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TokenLabels {
    /// The record has no `tokens` and `token_labels`.
    Absent,
    /// The record's tokens could not all be found in its text, in order: its labels
    /// cannot be placed and are left out (counted, not an error).
    Unlocated,
    Located(Vec<GoldToken>),
}

/// One sentence of a gold article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct GoldSegment {
    pub id: String,
    pub text: String,
    /// `None` when the segment lacks the configured label field (the `eval-gold` article
    /// file carries only `label`, not `label_fluency`).
    pub label: Option<GoldLabel>,
    pub severity_score: Option<f64>,
}

/// One labelled article: its sentences in reading order and the article gold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleRecord {
    pub(crate) doc_key: String,
    /// The source document the article translates (shared by every system's article).
    pub(crate) doc_id: Option<String>,
    pub(crate) lang: Option<String>,
    pub(crate) segments: Vec<GoldSegment>,
    /// Mean MQM points per rated sentence.
    pub(crate) doc_mqm_mean: f64,
}

/// The contents of one gold file.
#[derive(Debug, Clone, PartialEq)]
pub enum GoldFile {
    /// Labelled sentences, in file order.
    Sentences(Vec<SentenceItem>),
    /// Labelled articles, in file order.
    Articles(Vec<ArticleRecord>),
}

/// Reads a gold file, gzipped or not (decided by its first bytes, not its name), taking
/// sentence labels from `label_field` (e.g. `label` or `label_fluency`).
pub fn read_gold(path: &Path, label_field: &str) -> Result<GoldFile, GoldError> {
    let io_error = |cause| GoldError::Io {
        path: path.to_path_buf(),
        cause,
    };
    let mut reader = BufReader::new(File::open(path).map_err(io_error)?);
    let gzipped = reader
        .fill_buf()
        .map_err(io_error)?
        .starts_with(&GZIP_MAGIC);
    let reader: Box<dyn BufRead> = if gzipped {
        Box::new(BufReader::new(MultiGzDecoder::new(reader)))
    } else {
        Box::new(reader)
    };
    parse_gold(reader, path, label_field)
}

/// Parses gold JSON Lines from `reader`; `path` only names the source in errors.
pub(crate) fn parse_gold(
    reader: impl Read,
    path: &Path,
    label_field: &str,
) -> Result<GoldFile, GoldError> {
    let mut file: Option<GoldFile> = None;
    for (index, line) in BufReader::new(reader).lines().enumerate() {
        let line_number = index + 1;
        let line = line.map_err(|cause| GoldError::Io {
            path: path.to_path_buf(),
            cause,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let record_error = |problem: String| GoldError::Record {
            path: path.to_path_buf(),
            line: line_number,
            problem,
        };
        let value: Value = serde_json::from_str(&line).map_err(|cause| GoldError::Json {
            path: path.to_path_buf(),
            line: line_number,
            cause,
        })?;
        let Value::Object(record) = value else {
            return Err(record_error("a record must be a JSON object".into()));
        };
        let is_article = record.contains_key("segments");
        match (&mut file, is_article) {
            (None, false) => file = Some(GoldFile::Sentences(Vec::new())),
            (None, true) => file = Some(GoldFile::Articles(Vec::new())),
            _ => {}
        }
        match (&mut file, is_article) {
            (Some(GoldFile::Sentences(items)), false) => {
                items.push(sentence_item(&record, label_field).map_err(record_error)?)
            }
            (Some(GoldFile::Articles(articles)), true) => {
                articles.push(article_record(&record, label_field).map_err(record_error)?)
            }
            (Some(GoldFile::Sentences(_)), true) => {
                return Err(record_error(
                    "an article record (with \"segments\") in a file of sentence items".into(),
                ))
            }
            _ => {
                return Err(record_error(
                    "a sentence item (without \"segments\") in a file of article records".into(),
                ))
            }
        }
    }
    file.ok_or_else(|| GoldError::Empty {
        path: path.to_path_buf(),
    })
}

fn required_str(record: &Map<String, Value>, field: &str) -> Result<String, String> {
    match record.get(field) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!("field {field:?} must be a string, not {other}")),
        None => Err(format!("missing field {field:?}")),
    }
}

/// A string field that may be absent or null.
fn optional_str(record: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match record.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("field {field:?} must be a string, not {other}")),
    }
}

fn optional_number(record: &Map<String, Value>, field: &str) -> Result<Option<f64>, String> {
    match record.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| format!("field {field:?} is out of range")),
        Some(other) => Err(format!("field {field:?} must be a number, not {other}")),
    }
}

fn label(record: &Map<String, Value>, field: &str) -> Result<Option<GoldLabel>, String> {
    optional_str(record, field)?
        .map(|value| {
            GoldLabel::parse(&value).ok_or_else(|| {
                format!("field {field:?} must be \"broken\", \"ok\" or \"mid\", not {value:?}")
            })
        })
        .transpose()
}

fn sentence_item(record: &Map<String, Value>, label_field: &str) -> Result<SentenceItem, String> {
    let seg_id = match record.get("seg_id") {
        None | Some(Value::Null) => None,
        Some(value) => Some(value.as_u64().ok_or_else(|| {
            format!("field \"seg_id\" must be a non-negative integer, not {value}")
        })?),
    };
    let text = required_str(record, "text")?;
    Ok(SentenceItem {
        id: required_str(record, "id")?,
        token_labels: token_labels(record, &text)?,
        text,
        lang: required_str(record, "lang")?,
        label: label(record, label_field)?
            .ok_or_else(|| format!("missing label field {label_field:?}"))?,
        severity_score: optional_number(record, "severity_score")?,
        doc_id: optional_str(record, "doc_id")?,
        seg_id,
        system: optional_str(record, "system")?,
    })
}

/// The `tokens` and `token_labels` of a sentence record, located in its `text`.
fn token_labels(record: &Map<String, Value>, text: &str) -> Result<TokenLabels, String> {
    let (tokens, labels) = match (record.get("tokens"), record.get("token_labels")) {
        (None | Some(Value::Null), None | Some(Value::Null)) => return Ok(TokenLabels::Absent),
        (Some(tokens), Some(labels)) => (string_array(tokens, "tokens")?, labels),
        _ => return Err("\"tokens\" and \"token_labels\" must come together".into()),
    };
    let erroneous = string_array(labels, "token_labels")?
        .into_iter()
        .map(|label| match label {
            "c" => Ok(false),
            "i" => Ok(true),
            other => Err(format!(
                "field \"token_labels\" must hold \"c\" or \"i\", not {other:?}"
            )),
        })
        .collect::<Result<Vec<bool>, String>>()?;
    if erroneous.len() != tokens.len() {
        return Err(format!(
            "{} tokens but {} token labels",
            tokens.len(),
            erroneous.len()
        ));
    }
    Ok(match locate_tokens(text, &tokens) {
        Some(spans) => TokenLabels::Located(
            spans
                .into_iter()
                .zip(erroneous)
                .map(|(span, erroneous)| GoldToken { span, erroneous })
                .collect(),
        ),
        None => TokenLabels::Unlocated,
    })
}

fn string_array<'a>(value: &'a Value, field: &str) -> Result<Vec<&'a str>, String> {
    let not_strings = || format!("field {field:?} must be an array of strings");
    let Value::Array(values) = value else {
        return Err(not_strings());
    };
    values
        .iter()
        .map(|v| v.as_str().ok_or_else(not_strings))
        .collect()
}

/// The byte span of each token in `text`, searched left to right. Detokenisation only
/// removed or added spaces (and joined Italian elisions, "l'" "amico" → "l'amico"), so
/// each token must follow the previous one after nothing but whitespace; a looser search
/// could silently place a label on a later word. `None` when a token is not there, or
/// text other than whitespace is left after the last token.
pub(crate) fn locate_tokens(text: &str, tokens: &[&str]) -> Option<Vec<Span>> {
    let mut position = 0;
    let mut spans = Vec::with_capacity(tokens.len());
    for token in tokens {
        let rest = &text[position..];
        let start = position + (rest.len() - rest.trim_start().len());
        if !text[start..].starts_with(token) {
            return None;
        }
        position = start + token.len();
        spans.push(Span::new(start, position));
    }
    text[position..].trim().is_empty().then_some(spans)
}

fn article_record(record: &Map<String, Value>, label_field: &str) -> Result<ArticleRecord, String> {
    let Some(Value::Array(raw_segments)) = record.get("segments") else {
        return Err("field \"segments\" must be an array".into());
    };
    let segments = raw_segments
        .iter()
        .enumerate()
        .map(|(index, segment)| {
            let in_segment = |problem: String| format!("segment {}: {problem}", index + 1);
            let Value::Object(segment) = segment else {
                return Err(in_segment("must be a JSON object".into()));
            };
            Ok(GoldSegment {
                id: required_str(segment, "id").map_err(in_segment)?,
                text: required_str(segment, "text").map_err(in_segment)?,
                label: label(segment, label_field).map_err(in_segment)?,
                severity_score: optional_number(segment, "severity_score").map_err(in_segment)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(ArticleRecord {
        doc_key: required_str(record, "doc_key")?,
        doc_id: optional_str(record, "doc_id")?,
        lang: optional_str(record, "lang")?,
        segments,
        doc_mqm_mean: optional_number(record, "doc_mqm_mean")?
            .ok_or("missing field \"doc_mqm_mean\"")?,
    })
}

/// Sentence items of one article (one `doc_id` translated by one `system`), in `seg_id`
/// order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SentenceGroup<'a> {
    pub doc_id: &'a str,
    pub system: Option<&'a str>,
    pub items: Vec<&'a SentenceItem>,
    /// Whether the `seg_id`s run on without gaps or repeats. In `eval-gold` a `seg_id`
    /// counts segments across the whole test set, not within the article, so this is the
    /// best the file tells: 1,220 of the 1,326 article groups in `dev.graded` run on (as
    /// many as `dev.docs` lists without missing segments); the binary files keep scattered
    /// subsets (393 of 964 groups in `dev.binary_fluency` run on).
    pub contiguous: bool,
}

/// Groups sentence items into their articles by `doc_id` and `system`, sorted by
/// `seg_id`; items without `doc_id` or `seg_id` are returned apart as they cannot be
/// placed. Groups come in order of first appearance.
pub(crate) fn group_into_articles(
    items: &[SentenceItem],
) -> (Vec<SentenceGroup<'_>>, Vec<&SentenceItem>) {
    let mut group_index: BTreeMap<(&str, Option<&str>), usize> = BTreeMap::new();
    let mut groups: Vec<SentenceGroup<'_>> = Vec::new();
    let mut unplaced = Vec::new();
    for item in items {
        let (Some(doc_id), Some(_)) = (item.doc_id.as_deref(), item.seg_id) else {
            unplaced.push(item);
            continue;
        };
        let key = (doc_id, item.system.as_deref());
        let index = *group_index.entry(key).or_insert_with(|| {
            groups.push(SentenceGroup {
                doc_id,
                system: item.system.as_deref(),
                items: Vec::new(),
                contiguous: false,
            });
            groups.len() - 1
        });
        groups[index].items.push(item);
    }
    for group in &mut groups {
        group.items.sort_by_key(|item| item.seg_id);
        group.contiguous = group.items.windows(2).all(
            |pair| matches!((pair[0].seg_id, pair[1].seg_id), (Some(a), Some(b)) if b == a + 1),
        );
    }
    (groups, unplaced)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/eval")
            .join(name)
    }

    fn sentences(file: GoldFile) -> Vec<SentenceItem> {
        match file {
            GoldFile::Sentences(items) => items,
            GoldFile::Articles(_) => panic!("expected sentence items"),
        }
    }

    fn parse(text: &str, label_field: &str) -> Result<GoldFile, GoldError> {
        parse_gold(text.as_bytes(), Path::new("gold.jsonl"), label_field)
    }

    #[test]
    fn reads_sentence_items_with_the_configured_label_field() {
        let items =
            sentences(read_gold(&fixture("sentences.jsonl"), "label_fluency").expect("reads"));
        assert_eq!(items.len(), 8);
        let labels: Vec<GoldLabel> = items.iter().map(|i| i.label).collect();
        use GoldLabel::{Broken, Mid, Ok};
        assert_eq!(labels, vec![Broken, Broken, Broken, Ok, Ok, Ok, Mid, Mid]);
        assert_eq!(items[0].severity_score, Some(6.0));
        assert_eq!(items[7].severity_score, None, "null severity is absent");
        assert_eq!(items[4].lang, "it");
        assert_eq!(items[1].seg_id, Some(3));
        // The same file read by `label` calls item g broken.
        let by_label =
            sentences(read_gold(&fixture("sentences.jsonl"), DEFAULT_LABEL_FIELD).expect("reads"));
        assert_eq!(by_label[6].label, Broken);
    }

    #[test]
    fn reads_gzip_by_content() {
        let plain = std::fs::read(fixture("sentences.jsonl")).expect("fixture");
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(&plain).expect("compress");
        // A gzipped file without a .gz name is still recognised.
        let file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(file.path(), encoder.finish().expect("compress")).expect("write");
        let gzipped = read_gold(file.path(), "label_fluency").expect("reads");
        assert_eq!(
            gzipped,
            read_gold(&fixture("sentences.jsonl"), "label_fluency").expect("reads")
        );
    }

    #[test]
    fn reads_article_records() {
        let GoldFile::Articles(articles) =
            read_gold(&fixture("docs.jsonl"), DEFAULT_LABEL_FIELD).expect("reads")
        else {
            panic!("expected articles");
        };
        assert_eq!(articles.len(), 2);
        assert_eq!(articles[0].doc_key, "t|sys1|doc1");
        assert_eq!(articles[0].doc_mqm_mean, 2.5);
        assert_eq!(articles[0].segments[1].label, Some(GoldLabel::Broken));
        assert_eq!(articles[0].segments[1].severity_score, Some(5.0));
        // Segments without the requested label field keep no label.
        let GoldFile::Articles(fluency) =
            read_gold(&fixture("docs.jsonl"), "label_fluency").expect("reads")
        else {
            panic!("expected articles");
        };
        assert_eq!(fluency[0].segments[0].label, None);
    }

    #[test]
    fn errors_name_file_and_line() {
        let ok = r#"{"id": "x", "text": "Ein Satz.", "lang": "de", "label": "ok"}"#;
        let message = |text: &str| parse(text, "label").expect_err("must fail").to_string();
        assert_eq!(
            message(&format!(
                "{ok}\n\n{{\"id\": \"y\", \"text\": \"T\", \"lang\": \"de\"}}"
            )),
            "gold.jsonl:3: missing label field \"label\""
        );
        assert_eq!(
            message(&format!("{ok}\n{}", ok.replace("\"ok\"", "\"bad\""))),
            "gold.jsonl:2: field \"label\" must be \"broken\", \"ok\" or \"mid\", not \"bad\""
        );
        assert!(message(&format!("{ok}\n{{oops")).starts_with("gold.jsonl:2: invalid JSON"));
        assert_eq!(
            message("[1]"),
            "gold.jsonl:1: a record must be a JSON object"
        );
        assert_eq!(
            message(&format!(
                "{ok}\n{{\"doc_key\": \"k\", \"segments\": [], \"doc_mqm_mean\": 1}}"
            )),
            "gold.jsonl:2: an article record (with \"segments\") in a file of sentence items"
        );
        assert_eq!(
            message(r#"{"doc_key": "k", "segments": [{"id": "s", "text": 3}], "doc_mqm_mean": 1}"#),
            "gold.jsonl:1: segment 1: field \"text\" must be a string, not 3"
        );
        assert_eq!(message("\n"), "gold.jsonl: no records");
        let missing = read_gold(&fixture("no-such-file.jsonl"), "label").expect_err("must fail");
        assert!(matches!(missing, GoldError::Io { .. }));
    }

    /// The located spans of `tokens` as the text they cover.
    fn located<'a>(text: &'a str, tokens: &[&str]) -> Option<Vec<&'a str>> {
        locate_tokens(text, tokens).map(|spans| spans.iter().map(|s| s.slice(text)).collect())
    }

    #[test]
    fn locates_tokens_across_removed_spaces_and_joined_elisions() {
        // German: no space before "," and "." and inside the brackets.
        let text = "Sie kam (wie immer) spät, aber froh.";
        let tokens = [
            "Sie", "kam", "(", "wie", "immer", ")", "spät", ",", "aber", "froh", ".",
        ];
        assert_eq!(located(text, &tokens), Some(tokens.to_vec()));
        assert_eq!(
            locate_tokens(text, &tokens).expect("located")[5],
            Span::new(18, 19)
        );
        // Italian: the elided article is joined to the next word.
        let text = "Ho visto l'amico di Marco.";
        let spans = locate_tokens(text, &["Ho", "visto", "l'", "amico", "di", "Marco", "."])
            .expect("located");
        assert_eq!((spans[2], spans[3]), (Span::new(9, 11), Span::new(11, 16)));
    }

    #[test]
    fn tokens_not_found_in_order_are_not_located() {
        let text = "Er kam gestern.";
        assert_eq!(located(text, &["Er", "ging", "gestern", "."]), None);
        // Out of order, or text left over after the last token: the search does not skip.
        assert_eq!(located(text, &["Er", "gestern", "kam", "."]), None);
        assert_eq!(located(text, &["Er", "kam", "gestern"]), None);
        assert_eq!(located(text, &["kam", "gestern", "."]), None);
        // A record whose tokens are not located is read, its labels set aside.
        let record = r#"{"id": "x", "text": "Er kam gestern.", "lang": "de", "label": "broken",
            "tokens": ["Er", "ging", "gestern", "."], "token_labels": ["c", "i", "c", "c"]}"#;
        let items = sentences(parse(&record.replace('\n', " "), "label").expect("reads"));
        assert_eq!(items[0].token_labels, TokenLabels::Unlocated);
    }

    #[test]
    fn reads_token_labels() {
        let record = r#"{"id": "x", "text": "Das Haus ist gross.", "lang": "de", "label": "broken",
            "tokens": ["Das", "Haus", "ist", "gross", "."], "token_labels": ["c", "c", "c", "i", "c"]}"#;
        let items = sentences(parse(&record.replace('\n', " "), "label").expect("reads"));
        let TokenLabels::Located(tokens) = &items[0].token_labels else {
            panic!("expected located tokens: {:?}", items[0].token_labels);
        };
        let erroneous: Vec<&str> = tokens
            .iter()
            .filter(|t| t.erroneous)
            .map(|t| t.span.slice(&items[0].text))
            .collect();
        assert_eq!((tokens.len(), erroneous), (5, vec!["gross"]));
        let plain =
            sentences(read_gold(&fixture("sentences.jsonl"), "label_fluency").expect("reads"));
        assert!(plain.iter().all(|i| i.token_labels == TokenLabels::Absent));
    }

    #[test]
    fn malformed_token_fields_name_file_and_line() {
        let ok = r#"{"id": "x", "text": "Ein Satz.", "lang": "de", "label": "ok"}"#;
        let with = |fields: &str| format!("{ok}\n{}", ok.replace('}', &format!(", {fields}}}")));
        let message = |text: &str| parse(text, "label").expect_err("must fail").to_string();
        assert_eq!(
            message(&with(
                r#""tokens": ["Ein", "Satz", "."], "token_labels": ["c", "c"]"#
            )),
            "gold.jsonl:2: 3 tokens but 2 token labels"
        );
        assert_eq!(
            message(&with(
                r#""tokens": ["Ein", "Satz", "."], "token_labels": ["c", "x", "c"]"#
            )),
            "gold.jsonl:2: field \"token_labels\" must hold \"c\" or \"i\", not \"x\""
        );
        assert_eq!(
            message(&with(r#""tokens": ["Ein", "Satz", "."]"#)),
            "gold.jsonl:2: \"tokens\" and \"token_labels\" must come together"
        );
        assert_eq!(
            message(&with(r#""tokens": "Ein Satz .", "token_labels": ["c"]"#)),
            "gold.jsonl:2: field \"tokens\" must be an array of strings"
        );
    }

    #[test]
    fn groups_sentences_into_articles_in_seg_order() {
        let items =
            sentences(read_gold(&fixture("sentences.jsonl"), "label_fluency").expect("reads"));
        let (groups, unplaced) = group_into_articles(&items);
        assert!(unplaced.is_empty());
        assert_eq!(groups.len(), 2);
        let ids: Vec<&str> = groups[0].items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "c", "b", "d", "e", "f", "g"]);
        assert_eq!((groups[0].doc_id, groups[0].system), ("doc1", Some("sys1")));
        // sys1 jumps from seg_id 6 to 9 (g); sys2 is one sentence.
        assert!(!groups[0].contiguous);
        assert!(groups[1].contiguous);
    }
}
