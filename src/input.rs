//! Reading articles: files, directories, standard input and JSON Lines.
//!
//! Every input is decoded strictly: UTF-8 with or without a byte-order mark; CRLF line
//! ends are kept as they are (offsets stay true to the file). Binary data, invalid UTF-8,
//! UTF-16, empty and oversized articles are errors that name the source and the problem;
//! they never stop the other inputs from being read.

use crate::data::{Article, Lang};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Default upper bound for one article's text.
pub const DEFAULT_MAX_ARTICLE_BYTES: usize = 5 * 1024 * 1024;

/// Extensions read as articles when a directory is searched.
const ARTICLE_EXTENSIONS: &[&str] = &["txt", "text", "md", "markdown"];
const JSONL_SUFFIXES: &[&str] = &[".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"];

/// Why an input, or one article in it, could not be read; the other inputs are read all
/// the same.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// A path does not exist: given on the command line, or gone before it was read.
    #[error("{input}: no such file or directory")]
    NotFound {
        /// The input, as messages name it: a path, `-` for standard input, or
        /// `source:line` for a JSON Lines record.
        input: String,
    },
    /// A file, folder or stream could not be read (permissions, an I/O error, a gzip
    /// stream that does not decompress).
    #[error("{input}: cannot read: {message}")]
    Unreadable {
        /// The input, as messages name it: a path, `-` for standard input, or
        /// `source:line` for a JSON Lines record.
        input: String,
        /// The operating system's or decoder's error.
        message: String,
    },
    /// The text holds a NUL byte, so it is binary data.
    #[error("{input}: binary data (NUL byte at offset {offset}), not a text article")]
    Binary {
        /// The input, as messages name it: a path, `-` for standard input, or
        /// `source:line` for a JSON Lines record.
        input: String,
        /// Byte offset of the first NUL.
        offset: usize,
    },
    /// The text starts with a UTF-16 byte-order mark.
    #[error("{input}: encoded as UTF-16; convert it to UTF-8")]
    Utf16 {
        /// The input, as messages name it: a path, `-` for standard input, or
        /// `source:line` for a JSON Lines record.
        input: String,
    },
    /// The text is not valid UTF-8.
    #[error("{input}: invalid UTF-8 at byte {offset}; convert the file to UTF-8")]
    InvalidUtf8 {
        /// The input, as messages name it: a path, `-` for standard input, or
        /// `source:line` for a JSON Lines record.
        input: String,
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// The article's text is empty or only white space, or a JSON Lines file holds no
    /// records.
    #[error("{input}: empty article (no text)")]
    Empty {
        /// The input, as messages name it: a path, `-` for standard input, or
        /// `source:line` for a JSON Lines record.
        input: String,
    },
    /// The article's text, or the JSON Lines record holding it, is over the limit.
    #[error("{input}: article exceeds the limit of {limit} bytes (--max-article-bytes)")]
    TooLarge {
        /// The input, as messages name it: a path, `-` for standard input, or
        /// `source:line` for a JSON Lines record.
        input: String,
        /// The limit in bytes (`--max-article-bytes`).
        limit: usize,
    },
    /// A JSON Lines record is not JSON of an article's shape (an unknown field, an `id`
    /// that is neither a string nor a number, an unknown `lang`).
    #[error("{input}: malformed JSON Lines record: {message}")]
    MalformedRecord {
        /// The input, as messages name it: a path, `-` for standard input, or
        /// `source:line` for a JSON Lines record.
        input: String,
        /// What is wrong with it.
        message: String,
    },
    /// The audit itself failed: a bug, confined to this article (the others go on).
    #[error("{input}: internal error while auditing this article ({message}); please report it")]
    AuditFailed {
        /// The input, as messages name it: a path, `-` for standard input, or
        /// `source:line` for a JSON Lines record.
        input: String,
        /// The panic's message.
        message: String,
    },
}

impl InputError {
    /// The input this error is about.
    pub fn source_name(&self) -> &str {
        match self {
            InputError::NotFound { input }
            | InputError::Unreadable { input, .. }
            | InputError::Binary { input, .. }
            | InputError::Utf16 { input }
            | InputError::InvalidUtf8 { input, .. }
            | InputError::Empty { input }
            | InputError::TooLarge { input, .. }
            | InputError::MalformedRecord { input, .. }
            | InputError::AuditFailed { input, .. } => input,
        }
    }
}

/// Part `index` (from 1) of `count` of the articles, chosen by a hash of each article's
/// id, so that N workers given the same inputs split them without coordination: every id
/// belongs to exactly one shard, on every machine and every run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

/// A `--shard` value that is not `K/N` with 1 <= K <= N.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid shard `{given}`: expected K/N with 1 <= K <= N, such as 1/4")]
pub struct ShardError {
    given: String,
}

impl std::str::FromStr for Shard {
    type Err = ShardError;

    fn from_str(given: &str) -> Result<Self, Self::Err> {
        let invalid = || ShardError {
            given: given.to_string(),
        };
        let (index, count) = given.split_once('/').ok_or_else(invalid)?;
        let index: u64 = index.trim().parse().map_err(|_| invalid())?;
        let count: u64 = count.trim().parse().map_err(|_| invalid())?;
        if index == 0 || index > count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether the article (or input error) named `key` belongs to this shard. SHA-256
    /// rather than a std hasher: the split must not change between builds or machines.
    pub fn contains(&self, key: &str) -> bool {
        let digest = Sha256::digest(key.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % self.count == self.index - 1
    }

    /// Whether `key` is in `shard`, every key being in the whole run (`None`).
    pub(crate) fn admits(shard: Option<Shard>, key: &str) -> bool {
        shard.is_none_or(|shard| shard.contains(key))
    }
}

/// One thing to read: a file (plain article or JSON Lines) or standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A file: JSON Lines if its name ends in `.jsonl` or `.ndjson` (gzipped or not), else
    /// one plain article.
    File {
        /// The file's path.
        path: PathBuf,
        /// Article id for a plain file: its path below the searched root, without extension.
        id: String,
    },
}

impl Input {
    /// The id a plain file's article will have, known before it is read (JSON Lines
    /// records and standard input carry theirs inside).
    pub(crate) fn plain_file_id(&self) -> Option<&str> {
        match self {
            Input::File { id, .. } if !self.is_jsonl() => Some(id),
            _ => None,
        }
    }

    fn is_jsonl(&self) -> bool {
        match self {
            Input::Stdin => false,
            Input::File { path, .. } => {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                JSONL_SUFFIXES.iter().any(|s| name.ends_with(s))
            }
        }
    }
}

/// Expands command-line paths into inputs: files as given, directories searched
/// recursively for articles and JSON Lines files (hidden entries skipped, sorted by path),
/// and `-` for standard input. Paths that do not exist become errors.
pub fn discover(paths: &[PathBuf]) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            let walker = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() && is_article_file(e.path()) => {
                        let relative = e.path().strip_prefix(path).unwrap_or(e.path());
                        inputs.push(Input::File {
                            path: e.path().to_path_buf(),
                            id: id_for(relative),
                        });
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(InputError::Unreadable {
                        input: e.path().unwrap_or(path).display().to_string(),
                        message: e.to_string(),
                    }),
                }
            }
        } else if path.exists() {
            let name = path
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| path.clone());
            inputs.push(Input::File {
                path: path.clone(),
                id: id_for(&name),
            });
        } else {
            errors.push(InputError::NotFound {
                input: path.display().to_string(),
            });
        }
    }
    (inputs, errors)
}

fn is_article_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    JSONL_SUFFIXES.iter().any(|s| name.ends_with(s))
        || path
            .extension()
            .map(|e| ARTICLE_EXTENSIONS.contains(&e.to_string_lossy().to_lowercase().as_str()))
            .unwrap_or(false)
}

/// `sub/dir/article.txt` → `sub/dir/article`.
fn id_for(relative: &Path) -> String {
    let stem = relative.with_extension("");
    let parts: Vec<String> = stem
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Reads one input into its articles (one for a plain file, one per line of JSON Lines).
/// No input is read past what its size limit allows, whatever the file claims to be (a
/// device, a pipe, a gzip bomb).
pub fn read(input: &Input, max_article_bytes: usize) -> Vec<Result<Article, InputError>> {
    match input {
        Input::Stdin => vec![read_article(
            std::io::stdin().lock(),
            "-",
            "stdin",
            max_article_bytes,
        )],
        Input::File { path, .. } if input.is_jsonl() => read_jsonl(path, max_article_bytes),
        Input::File { path, id } => {
            let source = path.display().to_string();
            match std::fs::File::open(path) {
                Ok(file) => vec![read_article(file, &source, id, max_article_bytes)],
                Err(e) => vec![Err(unreadable(&source, &e))],
            }
        }
    }
}

/// Reads a plain-text article from `reader`, stopping just past the largest size allowed
/// (a byte-order mark does not count towards it).
fn read_article(
    reader: impl Read,
    source: &str,
    id: &str,
    max: usize,
) -> Result<Article, InputError> {
    const BOM_AND_ONE_BYTE_MORE: u64 = 4;
    let mut bytes = Vec::new();
    reader
        .take(max as u64 + BOM_AND_ONE_BYTE_MORE)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(source, &e))?;
    decode_article(&bytes, source, id, max)
}

fn unreadable(source: &str, e: &std::io::Error) -> InputError {
    if e.kind() == std::io::ErrorKind::NotFound {
        InputError::NotFound {
            input: source.to_string(),
        }
    } else {
        InputError::Unreadable {
            input: source.to_string(),
            message: e.to_string(),
        }
    }
}

/// Decodes a plain-text article.
fn decode_article(bytes: &[u8], source: &str, id: &str, max: usize) -> Result<Article, InputError> {
    let text = decode_text(bytes, source, max)?;
    Ok(Article {
        id: id.to_string(),
        source: source.to_string(),
        title: None,
        lang: None,
        text,
    })
}

/// Strict UTF-8 decoding with the checks every article gets.
fn decode_text(bytes: &[u8], source: &str, max: usize) -> Result<String, InputError> {
    let source = source.to_string();
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(InputError::Utf16 {
            input: source.clone(),
        });
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if body.len() > max {
        return Err(InputError::TooLarge {
            input: source.clone(),
            limit: max,
        });
    }
    if let Some(offset) = body.iter().position(|&b| b == 0) {
        return Err(InputError::Binary {
            input: source.clone(),
            offset,
        });
    }
    let text = String::from_utf8(body.to_vec()).map_err(|e| InputError::InvalidUtf8 {
        input: source.clone(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    check_text(text, source, max)
}

fn check_text(text: String, source: String, max: usize) -> Result<String, InputError> {
    if text.trim().is_empty() {
        return Err(InputError::Empty {
            input: source.clone(),
        });
    }
    if text.len() > max {
        return Err(InputError::TooLarge {
            input: source.clone(),
            limit: max,
        });
    }
    Ok(text)
}

/// One JSON Lines record, or one article of a `mtaudit serve` request.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Record {
    id: Option<serde_json::Value>,
    text: String,
    title: Option<String>,
    lang: Option<String>,
}

fn read_jsonl(path: &Path, max: usize) -> Vec<Result<Article, InputError>> {
    let source = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return vec![Err(unreadable(&source, &e))],
    };
    let reader: Box<dyn BufRead> = if source.to_lowercase().ends_with(".gz") {
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    let mut out: Vec<_> = JsonLinesRecords::new(reader, &source, max)
        .map(|record| record.article)
        .collect();
    if out.is_empty() {
        out.push(Err(InputError::Empty { input: source }));
    }
    out
}

/// One non-blank line of a JSON Lines stream, read as an article.
#[derive(Debug)]
pub(crate) struct JsonLinesRecord {
    /// The article, or why the line is not one.
    pub article: Result<Article, InputError>,
}

/// Reads a JSON Lines stream one record at a time, so a stream of any length is read in
/// the memory of its longest allowed line. Blank lines are skipped; a bad line becomes an
/// error for that line (named `source:line`) and reading goes on; a read error ends the
/// stream after it is reported.
pub(crate) struct JsonLinesRecords<R> {
    lines: BoundedLines<R>,
    source: String,
    max: usize,
    line_no: usize,
    failed: bool,
}

impl<R: BufRead> JsonLinesRecords<R> {
    /// `source` names the stream in ids, sources and errors (a path, or `-`); `max` is the
    /// largest article text accepted, in bytes.
    pub fn new(reader: R, source: &str, max: usize) -> Self {
        JsonLinesRecords {
            lines: BoundedLines::new(reader, max_record_bytes(max)),
            source: source.to_string(),
            max,
            line_no: 0,
            failed: false,
        }
    }
}

impl<R: BufRead> Iterator for JsonLinesRecords<R> {
    type Item = JsonLinesRecord;

    fn next(&mut self) -> Option<JsonLinesRecord> {
        while !self.failed {
            self.line_no += 1;
            let line_no = self.line_no;
            let at = format!("{}:{line_no}", self.source);
            let record = |article| Some(JsonLinesRecord { article });
            let line = match self.lines.next_line() {
                Ok(Some(Line::Complete(line))) => line,
                Ok(Some(Line::TooLong)) => {
                    let limit = self.max;
                    return record(Err(InputError::TooLarge { input: at, limit }));
                }
                Ok(None) => return None,
                Err(e) => {
                    self.failed = true;
                    let message = e.to_string();
                    return record(Err(InputError::Unreadable { input: at, message }));
                }
            };
            match std::str::from_utf8(line) {
                Ok(l) if l.trim().is_empty() => continue,
                Ok(l) => {
                    let l = l.trim_start_matches('\u{feff}');
                    return record(parse_record(l, at, line_no, self.max));
                }
                Err(e) => {
                    let offset = e.valid_up_to();
                    return record(Err(InputError::InvalidUtf8 { input: at, offset }));
                }
            }
        }
        None
    }
}

/// The longest JSON Lines record read for an article of at most `max` bytes: JSON escapes
/// can triple a text (`\u00e4` for the two bytes of "ä"), and the other fields are short.
fn max_record_bytes(max: usize) -> usize {
    max.saturating_mul(3).saturating_add(64 * 1024)
}

/// One line of a [`BoundedLines`] reader.
enum Line<'a> {
    /// The line's bytes, without its `\n`.
    Complete(&'a [u8]),
    /// The line was longer than the limit; it was skipped without being held in memory.
    TooLong,
}

/// Splits a stream into lines holding at most `limit` bytes of one line in memory.
struct BoundedLines<R> {
    reader: R,
    limit: usize,
    buffer: Vec<u8>,
}

impl<R: BufRead> BoundedLines<R> {
    fn new(reader: R, limit: usize) -> Self {
        BoundedLines {
            reader,
            limit,
            buffer: Vec::new(),
        }
    }

    fn next_line(&mut self) -> std::io::Result<Option<Line<'_>>> {
        self.buffer.clear();
        let read = (&mut self.reader)
            .take(self.limit as u64 + 1)
            .read_until(b'\n', &mut self.buffer)?;
        if read == 0 {
            return Ok(None);
        }
        if self.buffer.last() == Some(&b'\n') {
            self.buffer.pop();
            return Ok(Some(Line::Complete(&self.buffer)));
        }
        if self.buffer.len() <= self.limit {
            return Ok(Some(Line::Complete(&self.buffer))); // the last line, without `\n`
        }
        self.skip_rest_of_line()?;
        Ok(Some(Line::TooLong))
    }

    fn skip_rest_of_line(&mut self) -> std::io::Result<()> {
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                return Ok(());
            }
            match available.iter().position(|&b| b == b'\n') {
                Some(end) => {
                    self.reader.consume(end + 1);
                    return Ok(());
                }
                None => {
                    let n = available.len();
                    self.reader.consume(n);
                }
            }
        }
    }
}

fn parse_record(
    line: &str,
    source: String,
    line_no: usize,
    max: usize,
) -> Result<Article, InputError> {
    let record: Record = serde_json::from_str(line).map_err(|e| InputError::MalformedRecord {
        input: source.clone(),
        message: e.to_string(),
    })?;
    record_to_article(record, source, || format!("line-{line_no}"), max)
}

/// The article a record holds; `default_id` names one without an id.
pub(crate) fn record_to_article(
    record: Record,
    source: String,
    default_id: impl FnOnce() -> String,
    max: usize,
) -> Result<Article, InputError> {
    let malformed = |message: String| InputError::MalformedRecord {
        input: source.clone(),
        message,
    };
    let id = match record.id {
        None | Some(serde_json::Value::Null) => default_id(),
        Some(serde_json::Value::String(s)) if !s.is_empty() => s,
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(other) => {
            return Err(malformed(format!(
                "`id` must be a string or a number, not {other}"
            )))
        }
    };
    let lang = match record.lang.as_deref().map(str::parse::<Lang>) {
        None => None,
        Some(Ok(l)) => Some(l),
        Some(Err(e)) => return Err(malformed(format!("`lang`: {e}"))),
    };
    let text = check_text(
        record.text.trim_start_matches('\u{feff}').to_string(),
        source.clone(),
        max,
    )?;
    Ok(Article {
        id,
        source,
        title: record.title,
        lang,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = DEFAULT_MAX_ARTICLE_BYTES;

    #[test]
    fn bom_is_removed_and_crlf_kept() {
        let text = decode_text(b"\xEF\xBB\xBFZeile eins.\r\nZeile zwei.", "a.txt", MAX).unwrap();
        assert_eq!(text, "Zeile eins.\r\nZeile zwei.");
    }

    #[test]
    fn bad_encodings_are_named_errors() {
        assert_eq!(
            decode_text(b"gut \xC3\x28 schlecht", "x.txt", MAX),
            Err(InputError::InvalidUtf8 {
                input: "x.txt".into(),
                offset: 4
            })
        );
        assert!(matches!(
            decode_text(b"\xFF\xFEa\0b\0", "x", MAX),
            Err(InputError::Utf16 { .. })
        ));
        assert!(matches!(
            decode_text(b"PK\x03\x04\0\0", "x", MAX),
            Err(InputError::Binary { offset: 4, .. })
        ));
        assert!(matches!(
            decode_text(b" \n\t ", "x", MAX),
            Err(InputError::Empty { .. })
        ));
        assert!(matches!(
            decode_text(b"abcdef", "x", 3),
            Err(InputError::TooLarge { limit: 3, .. })
        ));
    }

    #[test]
    fn error_messages_name_the_file() {
        let e = decode_text(b"\xC3\x28", "/data/a.txt", MAX).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/data/a.txt: invalid UTF-8 at byte 0; convert the file to UTF-8"
        );
    }

    #[test]
    fn jsonl_records_and_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("batch.jsonl");
        std::fs::write(
            &path,
            "{\"id\": \"a\", \"text\": \"Hallo Welt.\", \"lang\": \"de\", \"title\": \"T\"}\n\n{\"text\": \"Ciao.\"}\nnot json\n{\"id\": 7, \"text\": \"\"}\n{\"id\": 8, \"text\": \"x\", \"extra\": 1}\n",
        )
        .unwrap();
        let input = Input::File {
            path: path.clone(),
            id: "batch".into(),
        };
        let read = read(&input, MAX);
        assert_eq!(read.len(), 5);
        let a = read[0].as_ref().unwrap();
        assert_eq!(
            (a.id.as_str(), a.lang, a.title.as_deref()),
            ("a", Some(Lang::GERMAN), Some("T"))
        );
        assert!(a.source.ends_with("batch.jsonl:1"));
        assert_eq!(read[1].as_ref().unwrap().id, "line-3");
        assert!(
            matches!(&read[2], Err(InputError::MalformedRecord { input, .. }) if input.ends_with(":4"))
        );
        assert!(matches!(&read[3], Err(InputError::Empty { .. })));
        assert!(
            matches!(&read[4], Err(InputError::MalformedRecord { message, .. }) if message.contains("extra"))
        );
    }

    #[test]
    fn shards_partition_the_ids_evenly() {
        let shards: Vec<Shard> = (1..=4).map(|k| format!("{k}/4").parse().unwrap()).collect();
        let mut sizes = [0usize; 4];
        for n in 0..4000 {
            let id = format!("article-{n}");
            let owners: Vec<usize> = (0..4).filter(|&k| shards[k].contains(&id)).collect();
            assert_eq!(owners.len(), 1, "{id} belongs to {owners:?}");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&n| (900..1100).contains(&n)), "{sizes:?}");
        assert!("1/1".parse::<Shard>().unwrap().contains("anything"));
    }

    #[test]
    fn shard_specs_are_checked() {
        for bad in ["0/4", "5/4", "1/0", "4", "a/b", "-1/4", ""] {
            let e = bad.parse::<Shard>().unwrap_err().to_string();
            assert!(e.contains(&format!("`{bad}`")) && e.contains("K/N"), "{e}");
        }
        assert_eq!(" 2 / 3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
    }

    #[test]
    fn directories_are_searched_recursively_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        for name in [
            "b.txt",
            "a.md",
            "sub/c.txt",
            "skip.png",
            ".git/x.txt",
            "d.jsonl",
        ] {
            std::fs::write(dir.path().join(name), "Text.").unwrap();
        }
        let (inputs, errors) =
            discover(&[dir.path().to_path_buf(), PathBuf::from("/no/such/file.txt")]);
        let ids: Vec<_> = inputs
            .iter()
            .map(|i| match i {
                Input::File { id, .. } => id.clone(),
                Input::Stdin => "-".into(),
            })
            .collect();
        assert_eq!(ids, ["a", "b", "d", "sub/c"]);
        assert_eq!(
            errors,
            [InputError::NotFound {
                input: "/no/such/file.txt".into()
            }]
        );
    }
}
