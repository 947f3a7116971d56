//! The Gemma 3 tokenizer, rebuilt from the GGUF file's own metadata.
//!
//! The GGUF stores a SentencePiece vocabulary (`tokenizer.ggml.model = "llama"`): pieces,
//! scores and token types, but no BPE merges. We rebuild it as a `tokenizers` BPE model
//! whose merges are derived from the scores (every split of a normal piece into two
//! normal pieces, ranked by the merged piece's score, as Hugging Face's SentencePiece
//! converter does), with byte fallback, a normaliser mapping " " to "▁", no
//! pre-tokenizer, and the user-defined pieces (newlines, runs of spaces and tabs, HTML
//! tags) as added tokens matched on the raw text. Control tokens (`<bos>`,
//! `<start_of_turn>`, ...) are deliberately not registered as added tokens, so article
//! text can never produce them: like llama.cpp without special-token parsing, a literal
//! "`<bos>`" in the text is tokenized as plain text. `tests/tokenizer.rs` checks the result
//! id for id against llama.cpp.

use crate::data::Span;
use candle_core::quantized::gguf_file::{Content, Value};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use tokenizers::models::bpe::{Merges, Vocab, BPE};
use tokenizers::normalizers::Replace;
use tokenizers::{AddedToken, Tokenizer};

const KEY_MODEL: &str = "tokenizer.ggml.model";
const KEY_TOKENS: &str = "tokenizer.ggml.tokens";
const KEY_SCORES: &str = "tokenizer.ggml.scores";
const KEY_TOKEN_TYPES: &str = "tokenizer.ggml.token_type";
const KEY_BOS_ID: &str = "tokenizer.ggml.bos_token_id";
const KEY_UNKNOWN_ID: &str = "tokenizer.ggml.unknown_token_id";
const KEY_ADD_SPACE_PREFIX: &str = "tokenizer.ggml.add_space_prefix";

/// SentencePiece's word-boundary marker, which replaces every space.
const SPACE_MARKER: &str = "\u{2581}";

/// Token types as llama.cpp writes them into `tokenizer.ggml.token_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenType {
    Normal,
    Unknown,
    Control,
    UserDefined,
    Unused,
    Byte,
}

impl TokenType {
    fn from_gguf(code: i32) -> Option<Self> {
        match code {
            1 => Some(TokenType::Normal),
            2 => Some(TokenType::Unknown),
            3 => Some(TokenType::Control),
            4 => Some(TokenType::UserDefined),
            5 => Some(TokenType::Unused),
            6 => Some(TokenType::Byte),
            _ => None,
        }
    }
}

/// Why the tokenizer could not be built from a model file, or could not encode a text.
#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
    /// The model file could not be opened.
    #[error("cannot open model file {path}: {cause}")]
    Open {
        /// The model file.
        path: PathBuf,
        /// The operating system's error.
        cause: std::io::Error,
    },
    /// The model file's GGUF header could not be read.
    #[error("cannot read the GGUF metadata of {path}: {cause}")]
    ReadGguf {
        /// The model file.
        path: PathBuf,
        /// candle's error.
        cause: candle_core::Error,
    },
    /// A metadata key the tokenizer needs is absent; the key is given.
    #[error("GGUF metadata lacks `{0}`")]
    MissingMetadata(&'static str),
    /// A metadata value has the wrong type, length or range.
    #[error("GGUF metadata `{key}` is malformed: {reason}")]
    BadMetadata {
        /// The metadata key.
        key: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
    /// The vocabulary is not SentencePiece without a space prefix.
    #[error("unsupported tokenizer in GGUF: {0}")]
    Unsupported(String),
    /// The `tokenizers` crate refused the vocabulary or the normaliser.
    #[error("cannot build the tokenizer: {0}")]
    Build(tokenizers::Error),
    /// The `tokenizers` crate failed to encode a text.
    #[error("cannot tokenize text: {0}")]
    Encode(tokenizers::Error),
}

/// One token of a text, with the byte range of the text it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// The token's id in the vocabulary.
    pub id: u32,
    /// Byte span into the encoded text, on `char` boundaries. The byte-fallback tokens of
    /// one multi-byte character all carry that character's span.
    pub span: Span,
}

/// The Gemma 3 tokenizer of a GGUF model file.
pub struct GemmaTokenizer {
    tokenizer: Tokenizer,
    bos_id: u32,
    vocab_size: usize,
}

impl GemmaTokenizer {
    /// Builds the tokenizer from the GGUF's own metadata (`tokenizer.ggml.*`); no other file.
    pub fn from_gguf(content: &Content) -> Result<Self, TokenizerError> {
        let metadata = &content.metadata;
        check_supported(metadata)?;
        let vocabulary = Vocabulary::from_metadata(metadata)?;
        let vocab_size = vocabulary.pieces.len();
        let bos_id = token_id_value(metadata, KEY_BOS_ID, vocab_size)?;
        let unknown_id = token_id_value(metadata, KEY_UNKNOWN_ID, vocab_size)?;
        let bpe = vocabulary.bpe(unknown_id)?;
        let mut tokenizer = Tokenizer::new(bpe);
        let normalizer = Replace::new(" ", SPACE_MARKER).map_err(TokenizerError::Build)?;
        tokenizer
            .with_normalizer(Some(normalizer))
            .map_err(TokenizerError::Build)?;
        tokenizer
            .add_tokens(vocabulary.user_defined_tokens())
            .map_err(TokenizerError::Build)?;
        Ok(GemmaTokenizer {
            tokenizer,
            bos_id,
            vocab_size,
        })
    }

    /// Convenience: reads only the GGUF header/metadata of `path`.
    pub fn from_gguf_file(path: &Path) -> Result<Self, TokenizerError> {
        let file = File::open(path).map_err(|cause| TokenizerError::Open {
            path: path.to_path_buf(),
            cause,
        })?;
        let content =
            Content::read(&mut BufReader::new(file)).map_err(|cause| TokenizerError::ReadGguf {
                path: path.to_path_buf(),
                cause,
            })?;
        Self::from_gguf(&content)
    }

    /// Tokens of `text` (no BOS), each with its byte span in `text`. Article text never
    /// produces control tokens (a literal "`<bos>`" in text stays plain text).
    pub fn encode(&self, text: &str) -> Result<Vec<Token>, TokenizerError> {
        let encoding = self
            .tokenizer
            .encode(text, false)
            .map_err(TokenizerError::Encode)?;
        Ok(encoding
            .get_ids()
            .iter()
            .zip(encoding.get_offsets())
            .map(|(&id, &(start, end))| Token {
                id,
                span: char_aligned_span(text, start, end),
            })
            .collect())
    }

    /// The id of the beginning-of-sequence token that precedes every scored text.
    pub fn bos_id(&self) -> u32 {
        self.bos_id
    }

    /// Number of token ids, i.e. the width of the model's logits.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// The underlying `tokenizers` tokenizer (its vocabulary, for shortlists and tests).
    pub fn as_tokenizers(&self) -> &Tokenizer {
        &self.tokenizer
    }
}

/// Refuses vocabularies other than SentencePiece without a space prefix.
fn check_supported(metadata: &HashMap<String, Value>) -> Result<(), TokenizerError> {
    let model = string_value(metadata, KEY_MODEL)?;
    if model != "llama" {
        return Err(TokenizerError::Unsupported(format!(
            "{KEY_MODEL} is {model:?}, only SentencePiece (\"llama\") vocabularies are supported"
        )));
    }
    if let Some(value) = metadata.get(KEY_ADD_SPACE_PREFIX) {
        let add_space_prefix = value.to_bool().map_err(|e| bad(KEY_ADD_SPACE_PREFIX, e))?;
        if add_space_prefix {
            return Err(TokenizerError::Unsupported(format!(
                "{KEY_ADD_SPACE_PREFIX} is true"
            )));
        }
    }
    Ok(())
}

/// The SentencePiece vocabulary of the GGUF: each token's piece, score and type.
struct Vocabulary<'a> {
    pieces: Vec<&'a str>,
    scores: Vec<f32>,
    types: Vec<TokenType>,
}

impl<'a> Vocabulary<'a> {
    fn from_metadata(metadata: &'a HashMap<String, Value>) -> Result<Self, TokenizerError> {
        let pieces = array_value(metadata, KEY_TOKENS)?
            .iter()
            .map(|v| v.to_string().map(String::as_str))
            .collect::<Result<Vec<&str>, _>>()
            .map_err(|e| bad(KEY_TOKENS, e))?;
        let scores = array_value(metadata, KEY_SCORES)?
            .iter()
            .map(Value::to_f32)
            .collect::<Result<Vec<f32>, _>>()
            .map_err(|e| bad(KEY_SCORES, e))?;
        let types = array_value(metadata, KEY_TOKEN_TYPES)?
            .iter()
            .map(|v| {
                let code = v.to_i32().map_err(|e| e.to_string())?;
                TokenType::from_gguf(code).ok_or_else(|| format!("unknown token type {code}"))
            })
            .collect::<Result<Vec<TokenType>, _>>()
            .map_err(|reason| TokenizerError::BadMetadata {
                key: KEY_TOKEN_TYPES,
                reason,
            })?;
        if scores.len() != pieces.len() || types.len() != pieces.len() {
            return Err(TokenizerError::BadMetadata {
                key: KEY_TOKENS,
                reason: format!(
                    "{} tokens but {} scores and {} token types",
                    pieces.len(),
                    scores.len(),
                    types.len()
                ),
            });
        }
        Ok(Vocabulary {
            pieces,
            scores,
            types,
        })
    }

    /// The BPE model: the pieces with merges derived from the scores, byte fallback.
    fn bpe(&self, unknown_id: u32) -> Result<BPE, TokenizerError> {
        let vocab: Vocab = self
            .pieces
            .iter()
            .enumerate()
            .map(|(id, piece)| (piece.to_string(), id as u32))
            .collect();
        if vocab.len() != self.pieces.len() {
            return Err(TokenizerError::BadMetadata {
                key: KEY_TOKENS,
                reason: "duplicate pieces".to_string(),
            });
        }
        let merges = derive_merges(&self.pieces, &self.scores, &self.types, &vocab);
        BPE::builder()
            .vocab_and_merges(vocab, merges)
            .unk_token(self.pieces[unknown_id as usize].to_string())
            .byte_fallback(true)
            .build()
            .map_err(TokenizerError::Build)
    }

    /// The user-defined pieces as added tokens. Matched on the raw text before
    /// normalisation, so "  " stays the two-space piece.
    fn user_defined_tokens(&self) -> Vec<AddedToken> {
        self.pieces
            .iter()
            .zip(&self.types)
            .filter(|(_, &kind)| kind == TokenType::UserDefined)
            .map(|(piece, _)| AddedToken::from(piece.to_string(), false).normalized(false))
            .collect()
    }
}

/// BPE merges equivalent to SentencePiece's score-driven merging: for each normal piece,
/// best score first, every split into two normal pieces, ties ordered by the pieces' ids.
/// Only normal pieces take part: the others are either matched before BPE runs
/// (user-defined), produced by byte fallback, or must never be produced (control).
/// `vocab` maps every piece to its id. Runs at every start, hence the parallel loop (about
/// half a million merges from 2.5 million split look-ups).
fn derive_merges(pieces: &[&str], scores: &[f32], types: &[TokenType], vocab: &Vocab) -> Merges {
    let normal_id = |piece: &str| {
        vocab
            .get(piece)
            .copied()
            .filter(|&id| types[id as usize] == TokenType::Normal)
    };
    let mut merged_by_score: Vec<usize> = (0..pieces.len())
        .filter(|&id| types[id] == TokenType::Normal && pieces[id].chars().nth(1).is_some())
        .collect();
    // Stable, so equal scores keep id order.
    merged_by_score.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));

    merged_by_score
        .par_iter()
        .flat_map_iter(|&id| {
            let piece = pieces[id];
            let mut splits: Vec<(u32, u32, usize)> = piece
                .char_indices()
                .skip(1)
                .filter_map(|(split, _)| {
                    let (left, right) = piece.split_at(split);
                    Some((normal_id(left)?, normal_id(right)?, split))
                })
                .collect();
            splits.sort_unstable();
            splits.into_iter().map(move |(_, _, split)| {
                let (left, right) = piece.split_at(split);
                (left.to_string(), right.to_string())
            })
        })
        .collect()
}

/// Widens a byte range to the enclosing `char` boundaries (byte-fallback tokens cover
/// single bytes of a multi-byte character).
fn char_aligned_span(text: &str, start: usize, end: usize) -> Span {
    let mut start = start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Span::new(start, end)
}

fn bad(key: &'static str, error: candle_core::Error) -> TokenizerError {
    TokenizerError::BadMetadata {
        key,
        reason: error.to_string(),
    }
}

fn value<'a>(
    metadata: &'a HashMap<String, Value>,
    key: &'static str,
) -> Result<&'a Value, TokenizerError> {
    metadata
        .get(key)
        .ok_or(TokenizerError::MissingMetadata(key))
}

fn string_value<'a>(
    metadata: &'a HashMap<String, Value>,
    key: &'static str,
) -> Result<&'a str, TokenizerError> {
    value(metadata, key)?
        .to_string()
        .map(String::as_str)
        .map_err(|e| bad(key, e))
}

fn array_value<'a>(
    metadata: &'a HashMap<String, Value>,
    key: &'static str,
) -> Result<&'a [Value], TokenizerError> {
    value(metadata, key)?
        .to_vec()
        .map(Vec::as_slice)
        .map_err(|e| bad(key, e))
}

fn token_id_value(
    metadata: &HashMap<String, Value>,
    key: &'static str,
    vocab_size: usize,
) -> Result<u32, TokenizerError> {
    let id = value(metadata, key)?.to_u32().map_err(|e| bad(key, e))?;
    if id as usize >= vocab_size {
        return Err(TokenizerError::BadMetadata {
            key,
            reason: format!("id {id} outside a vocabulary of {vocab_size}"),
        });
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_aligned_span_widens_to_the_whole_character() {
        let text = "aßb"; // ß is bytes 1..3
        assert_eq!(char_aligned_span(text, 1, 2), Span::new(1, 3));
        assert_eq!(char_aligned_span(text, 2, 3), Span::new(1, 3));
        assert_eq!(char_aligned_span(text, 0, 1), Span::new(0, 1));
        assert_eq!(char_aligned_span(text, 3, 4), Span::new(3, 4));
    }

    #[test]
    fn merges_follow_scores_and_use_only_normal_pieces() {
        let pieces = ["<bos>", "a", "b", "c", "ab", "abc", "bc", "\n"];
        let scores = [0.0, -1.0, -2.0, -3.0, -5.0, -6.0, -4.0, 0.0];
        use TokenType::*;
        let types = [
            Control,
            Normal,
            Normal,
            Normal,
            Normal,
            Normal,
            Normal,
            UserDefined,
        ];
        let vocab: Vocab = pieces
            .iter()
            .enumerate()
            .map(|(id, piece)| (piece.to_string(), id as u32))
            .collect();
        let merges = derive_merges(&pieces, &scores, &types, &vocab);
        let pairs: Vec<(&str, &str)> = merges
            .iter()
            .map(|(l, r)| (l.as_str(), r.as_str()))
            .collect();
        // "bc" (-4) ranks before "ab" (-5) before "abc" (-6); "abc" splits as a+bc and ab+c,
        // ordered by the ids of the left pieces.
        assert_eq!(pairs, [("b", "c"), ("a", "b"), ("a", "bc"), ("ab", "c")]);
    }
}
