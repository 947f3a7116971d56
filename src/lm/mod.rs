//! The local language model: Gemma 3 270M (quantised GGUF, run with candle) scoring every
//! token of an article in the context of everything before it.
//!
//! [`evidence::LmEvidence::score`] is the way in: it scores an article in its language
//! through the score cache. [`LanguageModel::score_tokens`] feeds BOS + the article in
//! chunks of [`ScoringOptions::batch_tokens`] tokens with a carried KV cache and turns the
//! output at every position into the surprisal of the next token ([`head`]);
//! [`surprisal`] maps token surprisal back to sentences through the tokens' byte spans.

pub mod evidence;
pub(crate) mod fastmath;
pub mod gemma3;
pub mod head;
pub mod provision;
pub mod qgemm;
pub mod score_cache;
pub mod surprisal;
pub mod tokenizer;
pub(crate) mod variants;

pub use surprisal::TokenSurprisal;

use crate::data::{Lang, SentenceLm};
use candle_core::Tensor;
use gemma3::{Gemma3, Precision};
use head::OutputHead;
use qgemm::Kernel;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use tokenizer::{GemmaTokenizer, TokenizerError};

/// Why the model could not be loaded or could not score a text.
#[derive(Debug, thiserror::Error)]
pub enum LmError {
    /// The model file could not be opened or read.
    #[error("cannot read model file {path}: {cause}")]
    Io {
        /// The model file.
        path: PathBuf,
        /// The operating system's error.
        cause: std::io::Error,
    },
    /// The model file is not a GGUF file of a model this build can run.
    #[error("model file {path}: {cause}")]
    Model {
        /// The model file.
        path: PathBuf,
        /// candle's error.
        cause: candle_core::Error,
    },
    /// A computation on the loaded model failed.
    #[error("language model: {0}")]
    Compute(candle_core::Error),
    /// The tokenizer could not be built from the model file, or could not encode a text.
    #[error("tokenizer: {0}")]
    Tokenizer(TokenizerError),
    /// The device cannot be used: no CUDA support in this build, or the GPU does not open.
    #[error("device {device}: {reason}")]
    Device {
        /// The device asked for.
        device: LmDevice,
        /// Why it cannot be used.
        reason: String,
    },
    /// A `--device` value that is not `cpu`, `cuda` or `cuda:N`.
    #[error("unknown device {0:?} (expected cpu, cuda or cuda:N)")]
    UnknownDevice(String),
}

// Plain conversions rather than `#[from]`, which would also chain the cause as `source`
// and print it twice after the message that already holds it.
impl From<candle_core::Error> for LmError {
    fn from(e: candle_core::Error) -> Self {
        LmError::Compute(e)
    }
}

impl From<TokenizerError> for LmError {
    fn from(e: TokenizerError) -> Self {
        LmError::Tokenizer(e)
    }
}

/// Where the model runs. CUDA needs the crate feature `cuda`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LmDevice {
    /// The CPU, with the integer kernels of [`qgemm`] unless scoring is exact.
    #[default]
    Cpu,
    /// The CUDA GPU of this ordinal.
    Cuda(usize),
}

impl fmt::Display for LmDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LmDevice::Cpu => f.write_str("cpu"),
            LmDevice::Cuda(ordinal) => write!(f, "cuda:{ordinal}"),
        }
    }
}

impl FromStr for LmDevice {
    type Err = LmError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "cpu" => Ok(LmDevice::Cpu),
            "cuda" | "gpu" => Ok(LmDevice::Cuda(0)),
            _ => lower
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(LmDevice::Cuda)
                .ok_or_else(|| LmError::UnknownDevice(s.to_string())),
        }
    }
}

impl LmDevice {
    /// The first CUDA GPU when this build has CUDA support and the GPU can be opened, else
    /// the CPU.
    pub fn detect() -> LmDevice {
        if cfg!(feature = "cuda") && candle_core::Device::new_cuda(0).is_ok() {
            LmDevice::Cuda(0)
        } else {
            LmDevice::Cpu
        }
    }

    fn to_candle(self) -> Result<candle_core::Device, LmError> {
        match self {
            LmDevice::Cpu => Ok(candle_core::Device::Cpu),
            LmDevice::Cuda(ordinal) => {
                if !cfg!(feature = "cuda") {
                    return Err(LmError::Device {
                        device: self,
                        reason: "this build has no CUDA support (rebuild with --features cuda)"
                            .into(),
                    });
                }
                candle_core::Device::new_cuda(ordinal).map_err(|e| LmError::Device {
                    device: self,
                    reason: e.to_string(),
                })
            }
        }
    }
}

/// Default tokens per forward chunk: ~128 was fastest and leanest in measurements (512
/// needs far more memory for attention scores and logits and was slower).
const DEFAULT_BATCH_TOKENS: usize = 128;

/// How the model scores: precision, device, chunk size and kernel.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringOptions {
    /// Score with the GGUF's weights as f32 and normalise over the full 262,144-entry
    /// vocabulary, instead of 8-bit × 16-bit integer products on the CPU ([`qgemm`]) and the
    /// per-language shortlist plus tail estimate ([`head`]); several times slower.
    pub exact: bool,
    /// Where the model runs.
    pub device: LmDevice,
    /// Tokens per forward chunk (the KV cache carries context across chunks).
    pub batch_tokens: usize,
    /// The integer kernel of default CPU scoring; one this CPU runs.
    pub kernel: Kernel,
}

impl ScoringOptions {
    /// Quantised products in default CPU scoring; f32 when exact or on an accelerator.
    pub(crate) fn precision(&self) -> Precision {
        if self.exact || self.device != LmDevice::Cpu {
            Precision::F32
        } else {
            Precision::Quantised(self.kernel)
        }
    }
}

impl Default for ScoringOptions {
    fn default() -> Self {
        ScoringOptions {
            exact: false,
            device: LmDevice::Cpu,
            batch_tokens: DEFAULT_BATCH_TOKENS,
            kernel: Kernel::best(),
        }
    }
}

/// Changes whenever the scores for the same model and text could change; part of the
/// score cache's key.
pub(crate) const SCORER_VERSION: &str = "gemma3-surprisal-3";

/// Token and sentence surprisal of one article.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ArticleSurprisal {
    /// Every token of the article in order (none for BOS).
    pub tokens: Vec<TokenSurprisal>,
    /// One entry per sentence passed in, same order.
    pub sentences: Vec<SentenceLm>,
}

/// The scoring pass's state after a chunk: the cache holds every position so far (within
/// the layers' windows), `hidden` the chunk's final hidden states (row i predicts target
/// `surprisal.len() - rows + i`), `surprisal` every target scored so far.
struct ScoredChunk<'a> {
    cache: &'a gemma3::KvCache,
    hidden: Tensor,
    surprisal: &'a [f32],
}

/// Which output head an article is scored with.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum HeadKey {
    Exact,
    Shortlist(Lang),
}

/// Gemma 3 with its tokenizer; load once and share across threads (`Send + Sync`).
pub struct LanguageModel {
    model: Gemma3,
    tokenizer: GemmaTokenizer,
    options: ScoringOptions,
    path: PathBuf,
    heads: Mutex<HashMap<HeadKey, Arc<OutputHead>>>,
    sha256: OnceLock<String>,
}

impl LanguageModel {
    /// Loads the GGUF model at `gguf_path` and its tokenizer onto `options.device`.
    pub fn load(gguf_path: &Path, options: ScoringOptions) -> Result<Self, LmError> {
        let device = options.device.to_candle()?;
        let io_error = |cause| LmError::Io {
            path: gguf_path.to_path_buf(),
            cause,
        };
        let model_error = |cause| LmError::Model {
            path: gguf_path.to_path_buf(),
            cause,
        };
        let mut reader = std::io::BufReader::new(std::fs::File::open(gguf_path).map_err(io_error)?);
        let content =
            candle_core::quantized::gguf_file::Content::read(&mut reader).map_err(model_error)?;
        let tokenizer = GemmaTokenizer::from_gguf(&content)?;
        let model = Gemma3::load(&content, &mut reader, &device, options.precision())
            .map_err(model_error)?;
        drop(content);
        release_free_heap();
        Ok(LanguageModel {
            model,
            tokenizer,
            options: ScoringOptions {
                batch_tokens: options.batch_tokens.max(1),
                ..options
            },
            path: gguf_path.to_path_buf(),
            heads: Mutex::new(HashMap::new()),
            sha256: OnceLock::new(),
        })
    }

    /// The options the model was loaded with.
    pub fn options(&self) -> &ScoringOptions {
        &self.options
    }

    /// The tokenizer read from the model file.
    pub fn tokenizer(&self) -> &GemmaTokenizer {
        &self.tokenizer
    }

    /// The model file's name, as reports name the model.
    pub fn file_name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// Hex SHA-256 of the model file, computed on first call (about a second).
    pub fn model_sha256(&self) -> Result<String, LmError> {
        if let Some(hash) = self.sha256.get() {
            return Ok(hash.clone());
        }
        let sha256 = crate::digest::file_sha256(&self.path).map_err(|cause| LmError::Io {
            path: self.path.clone(),
            cause,
        })?;
        Ok(self.sha256.get_or_init(|| sha256).clone())
    }

    /// The head for an article in `lang`: exact when asked for or when the language has
    /// no lexicon to build a shortlist from.
    fn head(&self, lang: Option<Lang>) -> Result<Arc<OutputHead>, LmError> {
        let key = match lang {
            Some(lang) if !self.options.exact && crate::lexicon::for_lang(lang).is_some() => {
                HeadKey::Shortlist(lang)
            }
            _ => HeadKey::Exact,
        };
        let mut heads = self
            .heads
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(head) = heads.get(&key) {
            return Ok(head.clone());
        }
        let output = self.model.output_matrix();
        let head = match key {
            HeadKey::Exact => OutputHead::exact(output, self.model.device())?,
            HeadKey::Shortlist(lang) => {
                let ids = shortlist_ids(&self.tokenizer, lang)?;
                OutputHead::shortlist(output, &ids, self.model.device(), self.options.precision())?
            }
        };
        let head = Arc::new(head);
        heads.insert(key, head.clone());
        release_free_heap();
        Ok(head)
    }

    /// Surprisal of every token of `text` after BOS and all preceding tokens.
    pub fn score_tokens(
        &self,
        text: &str,
        lang: Option<Lang>,
    ) -> Result<Vec<TokenSurprisal>, LmError> {
        let tokens = self.tokenizer.encode(text)?;
        let ids: Vec<u32> = tokens.iter().map(|t| t.id).collect();
        let surprisal = self.score_ids(&ids, lang)?;
        Ok(tokens
            .iter()
            .zip(surprisal)
            .map(|(t, s)| TokenSurprisal {
                span: t.span,
                surprisal: s,
            })
            .collect())
    }

    /// Surprisal (nats) of each of `ids` after BOS and the ids before it.
    pub fn score_ids(&self, ids: &[u32], lang: Option<Lang>) -> Result<Vec<f32>, LmError> {
        let head = self.head(lang)?;
        self.score_chunks(ids, &head, |_| Ok(()))
    }

    /// [`Self::score_ids`] with `head`, handing every chunk's state to `after_chunk` as soon
    /// as it is scored.
    ///
    /// Thread plan: the head and `after_chunk` of one chunk run beside the forward pass of
    /// the next (`rayon::join`), so one long article keeps every core busy where the
    /// matrix products alone left a core idle between them; with many articles at once
    /// rayon's work stealing fills the cores with whole articles instead. The results do
    /// not depend on the split: each part computes exactly what it computed in sequence.
    fn score_chunks(
        &self,
        ids: &[u32],
        head: &OutputHead,
        mut after_chunk: impl FnMut(ScoredChunk<'_>) -> Result<(), LmError> + Send,
    ) -> Result<Vec<f32>, LmError> {
        // Position i sees BOS + ids[..i] and predicts ids[i].
        let mut inputs = Vec::with_capacity(ids.len());
        inputs.push(self.tokenizer.bos_id());
        inputs.extend_from_slice(&ids[..ids.len().saturating_sub(1)]);
        let batch = self.options.batch_tokens;
        let mut chunks = inputs.chunks(batch).zip(ids.chunks(batch));
        let Some((first_inputs, mut targets)) = chunks.next() else {
            return Ok(Vec::new());
        };
        let mut cache = self.model.new_cache();
        let mut surprisal = Vec::with_capacity(ids.len());
        let mut hidden = self.model.forward(first_inputs, &mut cache)?;
        loop {
            // The cache as this chunk left it: the next forward pass moves it on (and drops
            // keys beyond the windows) while `after_chunk` may still branch off this one.
            let scored_cache = cache.clone();
            let next = chunks.next();
            let (scored, forwarded) = rayon::join(
                || {
                    let target_rows = self.model.embedding_rows(targets)?;
                    surprisal.extend(head.surprisal(&hidden, targets, &target_rows)?);
                    after_chunk(ScoredChunk {
                        cache: &scored_cache,
                        hidden,
                        surprisal: &surprisal,
                    })
                },
                || {
                    next.map(|(inputs, targets)| {
                        Ok::<_, LmError>((self.model.forward(inputs, &mut cache)?, targets))
                    })
                    .transpose()
                },
            );
            scored?;
            match forwarded? {
                Some((next_hidden, next_targets)) => {
                    hidden = next_hidden;
                    targets = next_targets;
                }
                None => return Ok(surprisal),
            }
        }
    }
}

/// Returns the heap memory freed so far to the operating system. Loading the model and
/// building a head free a few hundred thousand small allocations (the GGUF's metadata,
/// the lexicon's encodings) that glibc would otherwise keep: about 90 MB after loading.
fn release_free_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages; it is thread-safe in glibc.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Vocabulary ids the shortlist head of `lang` scores exactly: the tokens of the language's
/// lexicon words as they appear in running text (lower case and capitalised, word-initial
/// with "▁" and word-internal without), short Latin-script / punctuation / digit tokens,
/// and the byte-fallback tokens.
fn shortlist_ids(tokenizer: &GemmaTokenizer, lang: Lang) -> Result<Vec<u32>, LmError> {
    let mut ids: Vec<u32> = Vec::new();
    for lang in [lang, Lang::ENGLISH] {
        let Some(lexicon) = crate::lexicon::for_lang(lang) else {
            continue;
        };
        // One encode call: newline is a user-defined token, so lines are tokenised independently.
        let mut lines = String::new();
        for word in lexicon.words() {
            let mut chars = word.chars();
            let capitalised: String = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            for form in [word, capitalised.as_str()] {
                lines.push_str(form);
                lines.push('\n');
                lines.push(' ');
                lines.push_str(form);
                lines.push('\n');
            }
        }
        ids.extend(tokenizer.encode(&lines)?.iter().map(|t| t.id));
    }
    let vocab = tokenizer.as_tokenizers().get_vocab(true);
    for (piece, id) in vocab {
        let text = piece.replace('▁', " ");
        let short = text.trim().chars().count() <= 2;
        let latin = text
            .chars()
            .all(|c| (c as u32) < 0x250 || ('\u{2000}'..='\u{20CF}').contains(&c));
        let byte_token = piece.starts_with("<0x") && piece.ends_with('>');
        if (short && latin) || byte_token {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names_parse() {
        assert_eq!("cpu".parse::<LmDevice>().unwrap(), LmDevice::Cpu);
        assert_eq!("CUDA".parse::<LmDevice>().unwrap(), LmDevice::Cuda(0));
        assert_eq!("cuda:1".parse::<LmDevice>().unwrap(), LmDevice::Cuda(1));
        assert!("tpu".parse::<LmDevice>().is_err());
        assert_eq!(LmDevice::Cuda(2).to_string(), "cuda:2");
    }

    #[test]
    fn language_model_is_send_and_sync() {
        fn shareable<T: Send + Sync>() {}
        shareable::<LanguageModel>();
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn cuda_without_the_feature_is_a_clear_error() {
        let err = LmDevice::Cuda(0).to_candle().unwrap_err();
        assert!(err.to_string().contains("--features cuda"), "{err}");
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn a_build_without_cuda_detects_the_cpu() {
        assert_eq!(LmDevice::detect(), LmDevice::Cpu);
    }
}
