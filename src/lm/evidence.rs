//! The language model as an audit asks it, and the one way in for tests and benches too:
//! an article's text in its language, scored through the score cache, with the variant
//! evidence when asked for.

use super::score_cache::{ScoreCache, ScoreKey};
use super::variants::VARIANTS_VERSION;
use super::SCORER_VERSION;
use super::{surprisal, ArticleSurprisal, LanguageModel, LmDevice, LmError, TokenSurprisal};
use crate::data::{Lang, ModelInfo, Sentence, VariantComparison};
use std::sync::Arc;

/// Language-model evidence: a loaded model and, optionally, a persistent score cache.
pub struct LmEvidence {
    /// The loaded model, shared by the threads that audit.
    pub model: Arc<LanguageModel>,
    /// What the reports say about the model (name, SHA-256, options, device).
    pub info: ModelInfo,
    /// Where token surprisal is kept between runs; `None` scores every article afresh.
    pub cache: Option<ScoreCache<Vec<TokenSurprisal>>>,
}

impl LmEvidence {
    /// `model` without a score cache, described by its file (tests and benches).
    pub fn uncached(model: LanguageModel) -> Result<Self, LmError> {
        let options = model.options();
        let info = ModelInfo {
            name: model.file_name(),
            sha256: model.model_sha256()?,
            exact: options.exact,
            device: options.device.to_string(),
        };
        Ok(LmEvidence {
            model: Arc::new(model),
            info,
            cache: None,
        })
    }

    /// Scores `text` as an article in `lang`, with the variant evidence
    /// (`crate::lm::variants`) when `variants`. Token surprisal and the variant evidence
    /// are the expensive parts and are cached by model, scorer version, options, language
    /// (it picks the head) and the whole text, which is all they depend on; sentence
    /// features are derived afresh.
    pub fn score(
        &self,
        text: &str,
        sentences: &[Sentence],
        lang: Lang,
        variants: bool,
    ) -> Result<ArticleSurprisal, LmError> {
        // Accelerators multiply in f32 where the CPU default uses integer products
        // (within 0.05 nats of each other), so their scores are kept apart.
        let device = match self.model.options().device {
            LmDevice::Cpu => String::new(),
            accelerator => format!(" device={accelerator}"),
        };
        let options = format!("exact={} lang={}{device}", self.info.exact, lang.code());
        let key = ScoreKey::new(&self.info.sha256, SCORER_VERSION, options, text);
        // The variant evidence has its own entry: the same key under its own version.
        let variants_key = ScoreKey {
            scorer_version: format!("{SCORER_VERSION} {VARIANTS_VERSION}"),
            ..key.clone()
        };
        let variants_cache = self
            .cache
            .as_ref()
            .map(|c| ScoreCache::<Vec<Vec<VariantComparison>>>::new(c.dir()));
        let cached_tokens = self.cache.as_ref().and_then(|c| c.get(&key));
        let cached_variants = variants_cache
            .as_ref()
            .and_then(|c| c.get(&variants_key))
            .filter(|v| v.len() == sentences.len());
        // A cache that cannot be written only costs speed on the next run.
        let (tokens, compared) = match (cached_tokens, cached_variants, variants) {
            (Some(tokens), _, false) => (tokens, None),
            (Some(tokens), Some(compared), true) => (tokens, Some(compared)),
            (_, _, false) => {
                let tokens = self.model.score_tokens(text, Some(lang))?;
                if let Some(cache) = &self.cache {
                    let _ = cache.put(&key, &tokens);
                }
                (tokens, None)
            }
            (_, _, true) => {
                let scored = self.model.score_with_variants(text, sentences, lang)?;
                if let (Some(cache), Some(variants_cache)) = (&self.cache, &variants_cache) {
                    let _ = cache.put(&key, &scored.tokens);
                    let _ = variants_cache.put(&variants_key, &scored.variants);
                }
                (scored.tokens, Some(scored.variants))
            }
        };
        let lexicon = crate::lexicon::for_lang(lang);
        let mut features = surprisal::sentence_features(text, &tokens, sentences, lexicon);
        for (sentence, variants) in features.iter_mut().zip(compared.unwrap_or_default()) {
            sentence.variants = variants;
        }
        Ok(ArticleSurprisal {
            sentences: features,
            tokens,
        })
    }
}
