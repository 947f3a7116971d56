//! The Gemma 3 tokenizer built from GGUF metadata against llama.cpp's tokenizer.
//!
//! Reference ids come from `scripts/gen_tokenizer_fixture.py`. These tests need the model
//! file: set `MTAUDIT_MODEL` to the path of `gemma-3-270m-q4_k_m.gguf`; without it they
//! skip with a message.

use mtaudit::lm::tokenizer::{GemmaTokenizer, Token};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::OnceLock;

const FIXTURE: &str = include_str!("fixtures/tokenizer/ids.json");
/// Gemma's control tokens that text could spell out literally.
const CONTROL_IDS: [u32; 7] = [0, 1, 2, 3, 4, 105, 106]; // pad eos bos unk mask start/end_of_turn

#[derive(Deserialize)]
struct Case {
    name: String,
    text: String,
    ids: Vec<u32>,
}

fn tokenizer() -> Option<&'static GemmaTokenizer> {
    static TOKENIZER: OnceLock<Option<GemmaTokenizer>> = OnceLock::new();
    TOKENIZER
        .get_or_init(|| {
            let Some(path) = std::env::var_os("MTAUDIT_MODEL").map(PathBuf::from) else {
                eprintln!("skipping: set MTAUDIT_MODEL to the path of gemma-3-270m-q4_k_m.gguf to run this test");
                return None;
            };
            Some(GemmaTokenizer::from_gguf_file(&path).expect("tokenizer builds from the GGUF metadata"))
        })
        .as_ref()
}

fn cases() -> Vec<Case> {
    serde_json::from_str(FIXTURE).expect("fixture parses")
}

#[test]
fn ids_match_llama_cpp_on_every_fixture_case() {
    let Some(tokenizer) = tokenizer() else { return };
    let cases = cases();
    assert!(cases.len() >= 30, "fixture has only {} cases", cases.len());
    let mismatches: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let ids: Vec<u32> = tokenizer
                .encode(&case.text)
                .expect("encodes")
                .iter()
                .map(|t| t.id)
                .collect();
            (ids != case.ids).then(|| {
                format!(
                    "{}: {:?}\n  ours:      {ids:?}\n  llama.cpp: {:?}",
                    case.name, case.text, case.ids
                )
            })
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} cases differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}

#[test]
fn text_never_produces_control_tokens() {
    let Some(tokenizer) = tokenizer() else { return };
    for text in [
        "<bos>",
        "Ein <bos> im Text",
        "<start_of_turn>user\nHallo<end_of_turn>",
        "<eos><pad><unk><mask>",
    ] {
        let tokens = tokenizer.encode(text).expect("encodes");
        assert!(
            tokens.iter().all(|t| !CONTROL_IDS.contains(&t.id)),
            "{text:?} produced a control token: {tokens:?}"
        );
    }
}

/// Spans lie on char boundaries, are ordered, and together cover the text without gaps;
/// only the byte-fallback tokens of one character may share that character's span.
fn assert_spans_cover(text: &str, tokens: &[Token]) {
    let mut covered_to = 0;
    let mut previous: Option<Token> = None;
    for token in tokens {
        let span = token.span;
        assert!(span.start < span.end, "empty span {span:?} in {text:?}");
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "{span:?} splits a char"
        );
        match previous {
            Some(p) if p.span == span => {
                assert!(
                    span.slice(text).chars().count() == 1,
                    "tokens share a multi-char span {span:?} in {text:?}"
                )
            }
            _ => assert_eq!(
                span.start, covered_to,
                "gap or overlap before {span:?} in {text:?}"
            ),
        }
        covered_to = span.end;
        previous = Some(*token);
    }
    assert_eq!(
        covered_to,
        text.len(),
        "tokens do not reach the end of {text:?}"
    );
}

#[test]
fn spans_cover_the_text_on_char_boundaries() {
    let Some(tokenizer) = tokenizer() else { return };
    for case in cases() {
        let tokens = tokenizer.encode(&case.text).expect("encodes");
        assert_spans_cover(&case.text, &tokens);
    }
}

#[test]
fn spans_point_at_the_text_of_each_token() {
    let Some(tokenizer) = tokenizer() else { return };
    let text = "Die Straße  in Köln 🎉\n<b>ok</b> \u{F0000}!";
    let tokens = tokenizer.encode(text).expect("encodes");
    let vocab = tokenizer.as_tokenizers();
    for token in &tokens {
        let piece = vocab.id_to_token(token.id).expect("id in vocabulary");
        let source = token.span.slice(text);
        if piece.starts_with("<0x") {
            // A byte-fallback token: its span is the character the byte belongs to.
            let byte =
                u8::from_str_radix(piece.trim_start_matches("<0x").trim_end_matches('>'), 16)
                    .expect("hex");
            assert!(
                source.as_bytes().contains(&byte),
                "byte {piece} not in {source:?}"
            );
        } else {
            assert_eq!(
                piece.replace('\u{2581}', " "),
                source,
                "token {} maps to the wrong text",
                token.id
            );
        }
    }
}

#[test]
fn metadata_gives_bos_and_full_vocabulary() {
    let Some(tokenizer) = tokenizer() else { return };
    assert_eq!(tokenizer.bos_id(), 2);
    assert_eq!(tokenizer.vocab_size(), 262_144);
    assert_eq!(
        tokenizer
            .as_tokenizers()
            .id_to_token(tokenizer.bos_id())
            .as_deref(),
        Some("<bos>")
    );
}
