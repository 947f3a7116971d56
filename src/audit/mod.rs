//! The audit pipeline: article in, [`ArticleAudit`] out; and the batch runner that reads
//! inputs, audits articles in parallel and hands the audits to a [`Sink`].

mod sink;
pub mod stream;

pub use sink::{EarlierAudits, Sink};

use crate::checks::{self, Check, Document};
use crate::config::Resolved;
use crate::data::{
    Article, ArticleAudit, CheckId, Evidence, Finding, FindingAudit, InputFailure, Lang,
    LangSource, ModelInfo, RunSummary, Sentence, SentenceAudit, SentenceKind, Severity, Span,
    TokenScore, VariantComparison, Verdict, VerdictCounts, SCHEMA_VERSION,
};
use crate::gate::{self, GateInput};
use crate::input::{self, Input, InputError, Shard};
use crate::lm::score_cache::{ScoreCache, ScoreKey};
use crate::lm::variants::VARIANTS_VERSION;
use crate::lm::{
    surprisal, ArticleSurprisal, LanguageModel, LmDevice, LmError, TokenSurprisal, SCORER_VERSION,
};
use crate::scoring::article::article_features;
use crate::scoring::combination::Combination;
use crate::scoring::sentence::{self, SentenceModel};
use crate::scoring::{self, word_count};
use crate::{langid, segment};
use indicatif::ProgressBar;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

/// Language-model evidence: a loaded model and, optionally, a persistent score cache.
pub struct LmEvidence {
    pub model: Arc<LanguageModel>,
    pub info: ModelInfo,
    pub cache: Option<ScoreCache<Vec<TokenSurprisal>>>,
}

impl LmEvidence {
    /// Scores `text` as an article in `lang`, with the variant evidence
    /// ([`crate::lm::variants`]) when `variants`. Token surprisal and the variant evidence
    /// are the expensive parts and are cached by model, scorer version, options, language
    /// (it picks the head) and the whole text, which is all they depend on; sentence
    /// features are derived afresh.
    fn score(
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

/// Audits single articles with a fixed set of checks and settings.
pub struct Auditor {
    checks: Vec<Box<dyn Check>>,
    lm: Option<LmEvidence>,
    settings: Resolved,
    lang_override: Option<Lang>,
    /// Hash of the tool version and every setting that changes an audit.
    settings_fingerprint: String,
    combination: Combination,
}

impl Auditor {
    pub fn new(settings: Resolved, lang_override: Option<Lang>) -> Self {
        let checks = checks::all()
            .into_iter()
            .filter(|c| !settings.disabled.contains(&c.id()))
            .collect();
        let s = &settings;
        let patterns: Vec<&str> = s
            .check_settings
            .extra_boilerplate
            .iter()
            .map(|r| r.as_str())
            .collect();
        let combination = Combination::shipped();
        let description = format!(
            "{} schema {SCHEMA_VERSION} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            env!("CARGO_PKG_VERSION"),
            combination,
            s.gate_policy,
            s.disabled,
            s.severity_overrides,
            s.check_settings.allowed_names,
            s.check_settings.allowed_terms,
            patterns,
            lang_override,
        );
        let settings_fingerprint = sha256_hex(description.as_bytes());
        Auditor {
            checks,
            lm: None,
            settings,
            lang_override,
            settings_fingerprint,
            combination,
        }
    }

    /// Adds the language model as a source of evidence.
    pub fn with_language_model(mut self, lm: LmEvidence) -> Self {
        let info = &lm.info;
        let model = format!(
            "{} {} {} {}",
            info.name, info.sha256, info.exact, info.device
        );
        let description = format!("{} {model}", self.settings_fingerprint);
        self.settings_fingerprint = sha256_hex(description.as_bytes());
        self.lm = Some(lm);
        self
    }

    /// The fingerprint an audit of `article` with these settings has.
    pub fn fingerprint(&self, article: &Article) -> String {
        let mut hasher = crate::digest::length_prefixed(&[
            &self.settings_fingerprint,
            &article.id,
            &article.source,
            &article.text,
        ]);
        hasher.update(format!("{:?} {:?}", article.title, article.lang).as_bytes());
        hex::encode(hasher.finalize())
    }

    /// Uses `combination` for the sentence probabilities instead of the shipped one.
    pub fn with_combination(mut self, combination: Combination) -> Self {
        let description = format!("{} {combination:?}", self.settings_fingerprint);
        self.settings_fingerprint = sha256_hex(description.as_bytes());
        self.combination = combination;
        self
    }

    /// The evidence combination behind the sentence probabilities.
    pub fn combination(&self) -> &Combination {
        &self.combination
    }

    pub fn gate_policy(&self) -> crate::data::GatePolicy {
        self.settings.gate_policy
    }

    pub fn evidence(&self) -> Evidence {
        Evidence {
            heuristics: true,
            language_model: self.lm.as_ref().map(|lm| lm.info.clone()),
        }
    }

    /// [`Auditor::audit`], with a panic (a bug in a check or the model) turned into an
    /// error for this article alone, so that a batch, a stream or a server goes on.
    pub fn audit_isolated(&self, article: &Article) -> Result<ArticleAudit, InputError> {
        isolated(&article.source, || self.audit(article))
    }

    pub fn audit(&self, article: &Article) -> ArticleAudit {
        let text = article.text.as_str();
        let (lang, lang_source) = self.article_lang(article);
        let sentences = segment::segment(text);
        let doc = Document::new(text, lang, &sentences, &self.settings.check_settings);

        let mut findings = Vec::new();
        for check in &self.checks {
            check.run(&doc, &mut findings);
        }
        let mut evidence = self.evidence();
        // The variant evidence costs model time; without its finding it is not asked for.
        let grammar_enabled = !self.settings.disabled.contains(&CheckId::Grammar);
        let (lm_scores, lm_error) = match &self.lm {
            Some(lm) => match lm.score(text, &sentences, lang, grammar_enabled) {
                Ok(scores) => (Some(scores), None),
                Err(e) => {
                    evidence.language_model = None;
                    (None, Some(e.to_string()))
                }
            },
            None => (None, None),
        };
        // The calibrated probability per sentence, and the language model's finding where
        // its evidence raises the verdict.
        let model = self.combination.model(lm_scores.is_some());
        let lm_finding_enabled = !self
            .settings
            .disabled
            .contains(&CheckId::ImplausibleWording);
        let mut owned: Vec<Vec<usize>> = vec![Vec::new(); sentences.len()];
        for (i, finding) in findings.iter().enumerate() {
            if let Some(owner) = sentence_of(&sentences, finding.span) {
                owned[owner].push(i);
            }
        }
        let mut evidence_per_sentence = Vec::with_capacity(sentences.len());
        let mut lm_findings = Vec::new();
        for (index, sentence) in sentences.iter().enumerate() {
            let own: Vec<&Finding> = owned[index].iter().map(|&i| &findings[i]).collect();
            let lm = lm_scores.as_ref().map(|s| &s.sentences[index]);
            let x = sentence::features(
                word_count(sentence.span.slice(text)),
                sentence.kind,
                own.iter().map(|f| (f.check, self.severity_of(f))),
                lm,
            );
            let probability = model.probability(&x);
            evidence_per_sentence.push((probability, x));
            // The finding is the language model's: it is only raised where the LM evidence
            // itself lifts the verdict, above both the heuristic findings' points and the
            // LM-free model's verdict on the same sentence (length and findings alone).
            let calibrated = calibrated_verdict(probability, model);
            let heuristic =
                scoring::verdict(own.iter().map(|f| self.severity_of(f).penalty()).sum());
            let without_lm = &self.combination.without_lm;
            let lm_free = calibrated_verdict(without_lm.probability(&x), without_lm);
            let lifted = calibrated > heuristic.max(lm_free);
            // A common word far less likely in context than its frequency predicts is
            // reported on its own where the calibrated evidence raised nothing: the
            // combination, fitted on subtle errors, gives a single broken word little weight.
            // Not in headings, whose telegraphic style ("Mann schuldig, …") surprises the LM.
            let unlikely = lm
                .and_then(|lm| lm.unlikely_word)
                .filter(|w| w.excess >= scoring::UNLIKELY_WORD_EXCESS)
                .filter(|_| sentence.kind != SentenceKind::Heading);
            if let Some(lm) = lm.filter(|_| lm_finding_enabled) {
                if lifted {
                    lm_findings.push(scoring::implausible_wording(
                        lm,
                        sentence,
                        calibrated,
                        probability,
                    ));
                } else if let Some(word) = unlikely {
                    lm_findings.push(scoring::unlikely_word(&word, text));
                }
            }
            let variants = lm
                .filter(|_| grammar_enabled)
                .map_or(&[][..], |lm| &lm.variants);
            lm_findings.extend(
                variants
                    .iter()
                    .filter(|v| v.llr >= scoring::GRAMMAR_LLR_NATS)
                    .map(|v| scoring::grammar(v, text)),
            );
        }
        findings.extend(lm_findings);
        for f in &mut findings {
            f.severity = self.severity_of(f);
        }
        findings.sort_by_key(|f| (f.span.start, f.span.end, f.check));
        findings.dedup_by(|a, b| a.check == b.check && a.span == b.span);

        let findings: Vec<FindingAudit> = findings
            .into_iter()
            .map(|finding| FindingAudit {
                sentence: sentence_of(&sentences, finding.span),
                finding,
            })
            .collect();
        let mut sentences = sentence_audits(&doc, &findings);
        for (index, audit) in sentences.iter_mut().enumerate() {
            audit.probability_broken = evidence_per_sentence[index].0;
            audit.lm = lm_scores.as_ref().map(|s| s.sentences[index].clone());
        }

        let mut verdicts = VerdictCounts::default();
        sentences.iter().for_each(|s| verdicts.add(s.verdict));
        let mut findings_by_severity = BTreeMap::new();
        let mut findings_by_check = BTreeMap::new();
        for f in &findings {
            *findings_by_severity.entry(f.finding.severity).or_insert(0) += 1;
            *findings_by_check.entry(f.finding.check).or_insert(0) += 1;
        }
        let words = scoring::word_count(text);
        let penalty = scoring::penalty(findings.iter().map(|f| &f.finding));
        let score = scoring::article_score(penalty, words);
        let needs_editor = self
            .combination
            .article_model(lm_scores.is_some())
            .probability(&article_features(
                &evidence_per_sentence,
                findings
                    .iter()
                    .map(|f| (f.finding.check, f.finding.severity)),
            ));
        let gate = gate::evaluate(
            &self.settings.gate_policy,
            &GateInput {
                score,
                verdicts,
                needs_editor,
                critical: critical_findings(text, &findings),
            },
        );
        ArticleAudit {
            schema_version: SCHEMA_VERSION,
            id: article.id.clone(),
            source: article.source.clone(),
            title: article.title.clone(),
            fingerprint: self.fingerprint(article),
            lang,
            lang_source,
            evidence,
            words,
            penalty,
            score,
            needs_editor,
            verdicts,
            findings_by_severity,
            findings_by_check,
            gate,
            text: article.text.clone(),
            sentences,
            findings,
            tokens: lm_scores.map(|scores| {
                scores
                    .tokens
                    .iter()
                    .map(|t| TokenScore {
                        start: t.span.start,
                        end: t.span.end,
                        surprisal: t.surprisal,
                    })
                    .collect()
            }),
            lm_error,
        }
    }

    /// A finding's severity after the configuration's overrides.
    fn severity_of(&self, finding: &Finding) -> Severity {
        self.settings
            .severity_overrides
            .get(&finding.check)
            .copied()
            .unwrap_or(finding.severity)
    }

    fn article_lang(&self, article: &Article) -> (Lang, LangSource) {
        if let Some(lang) = self.lang_override {
            return (lang, LangSource::Override);
        }
        if let Some(lang) = article.lang {
            return (lang, LangSource::Input);
        }
        // Undetectable text (digits, symbols) is judged as German, the main use case.
        let lang = langid::detect(&article.text)
            .map(|d| d.lang)
            .unwrap_or(Lang::GERMAN);
        (lang, LangSource::Detected)
    }
}

/// Each sentence of `doc` with its language, its findings (indices into `findings`) and
/// the verdict of their penalty points.
fn sentence_audits(doc: &Document<'_>, findings: &[FindingAudit]) -> Vec<SentenceAudit> {
    let mut by_sentence: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if let Some(s) = f.sentence {
            by_sentence.entry(s).or_default().push(i);
        }
    }
    doc.sentences
        .iter()
        .zip(doc.sentence_languages())
        .enumerate()
        .map(|(index, (sentence, &lang))| {
            let own = by_sentence.remove(&index).unwrap_or_default();
            let points = scoring::penalty(own.iter().map(|&i| &findings[i].finding));
            SentenceAudit {
                index,
                span: sentence.span,
                kind: sentence.kind,
                lang,
                verdict: scoring::verdict(points),
                findings: own,
                probability_broken: 0.0,
                lm: None,
            }
        })
        .collect()
}

/// Longest excerpt of a critical finding's text that the gate's reasons quote.
const CRITICAL_EXCERPT_CHARS: usize = 60;

/// The critical findings as the gate names them: check and quoted text.
fn critical_findings(text: &str, findings: &[FindingAudit]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.finding.severity == Severity::Critical)
        .map(|f| {
            let quoted: String = f
                .finding
                .span
                .slice(text)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let mut excerpt: String = quoted.chars().take(CRITICAL_EXCERPT_CHARS).collect();
            if excerpt.len() < quoted.len() {
                excerpt.push('…');
            }
            format!("{} “{excerpt}”", f.finding.check.as_str())
        })
        .collect()
}

/// The verdict a calibrated probability of "broken" gives under `model`'s thresholds.
pub fn calibrated_verdict(probability: f64, model: &SentenceModel) -> Verdict {
    if probability >= model.broken {
        Verdict::Broken
    } else if probability >= model.suspect {
        Verdict::Suspect
    } else {
        Verdict::Ok
    }
}

/// The sentence a finding belongs to: the last one starting at or before the finding,
/// or `None` when the finding covers every sentence (a document-level statistic).
fn sentence_of(sentences: &[Sentence], span: Span) -> Option<usize> {
    let (first, last) = (sentences.first()?, sentences.last()?);
    if sentences.len() > 1 && span.start <= first.span.start && span.end >= last.span.end {
        return None;
    }
    Some(
        sentences
            .partition_point(|s| s.span.start <= span.start)
            .saturating_sub(1),
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Runs `work`, turning a panic into [`InputError::AuditFailed`] for `source`.
fn isolated<T>(source: &str, work: impl FnOnce() -> T) -> Result<T, InputError> {
    // The auditor holds no state a panic could leave half-updated (it is shared
    // read-only), so going on with the next article is sound.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string());
        InputError::AuditFailed {
            input: source.to_string(),
            message,
        }
    })
}

/// Options of a batch run.
pub struct BatchOptions<'a> {
    pub max_article_bytes: usize,
    /// An earlier run's audits: an article whose audit there has the same fingerprint is
    /// taken from it instead of being audited again.
    pub earlier: Option<&'a dyn EarlierAudits>,
    /// Audit only the articles (and report only the input errors) of this shard.
    pub shard: Option<Shard>,
}

impl Default for BatchOptions<'_> {
    fn default() -> Self {
        BatchOptions {
            max_article_bytes: input::DEFAULT_MAX_ARTICLE_BYTES,
            earlier: None,
            shard: None,
        }
    }
}

/// The earlier audit of `article`, if it is still valid for `auditor`.
fn reusable(
    earlier: &dyn EarlierAudits,
    article: &Article,
    auditor: &Auditor,
) -> Option<ArticleAudit> {
    let audit = earlier.audit_of(&article.id)?;
    (audit.schema_version == SCHEMA_VERSION && audit.fingerprint == auditor.fingerprint(article))
        .then_some(audit)
}

/// Reads every input, audits the articles in parallel and hands each finished audit to
/// `sink` in input order. Input errors are collected in the summary, never fatal; a sink
/// error is.
pub fn run_batch<S: Sink>(
    inputs: &[Input],
    discovery_errors: Vec<InputError>,
    auditor: &Auditor,
    options: &BatchOptions<'_>,
    sink: &mut S,
    progress: &ProgressBar,
) -> Result<RunSummary, S::Error> {
    let started = Instant::now();
    let in_shard = |key: &str| options.shard.is_none_or(|shard| shard.contains(key));
    // A plain file's id is known before reading: other shards' files are not even opened.
    let read: Vec<Result<Article, InputError>> = inputs
        .par_iter()
        .filter(|i| i.plain_file_id().is_none_or(in_shard))
        .flat_map_iter(|i| input::read(i, options.max_article_bytes))
        .collect();
    let mut errors = discovery_errors;
    let mut articles = Vec::new();
    for r in read {
        match r {
            Ok(a) if in_shard(&a.id) => articles.push(a),
            Err(e) if in_shard(e.source_name()) => errors.push(e),
            _ => {}
        }
    }
    // Copies of one id share a shard, so their suffixes are the same as in a whole run.
    make_ids_unique(&mut articles);
    progress.set_length(articles.len() as u64);

    type Audited = Result<(ArticleAudit, bool), InputError>;
    let (sender, receiver) = std::sync::mpsc::channel::<(usize, Audited)>();
    let mut handed_on = 0usize;
    let mut sentences = 0usize;
    let mut verdicts = VerdictCounts::default();
    let mut failed_gate = 0;
    let mut score_sum = 0.0;
    let mut sink_error = None;
    let mut reused = 0;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            articles
                .par_iter()
                .enumerate()
                .for_each_with(sender, |tx, (index, article)| {
                    let earlier = options
                        .earlier
                        .and_then(|earlier| reusable(earlier, article, auditor));
                    let audited = match earlier {
                        Some(audit) => Ok((audit, true)),
                        None => auditor.audit_isolated(article).map(|audit| (audit, false)),
                    };
                    // The receiver only goes away after a sink error; the rest is moot then.
                    let _ = tx.send((index, audited));
                });
        });
        // Audits finish in any order; the sink gets them in input order (streams and sums
        // come out the same on every run), held back only until the ones before are done.
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        for (index, audited) in receiver {
            progress.inc(1);
            waiting.insert(index, audited);
            while let Some(audited) = waiting.remove(&next) {
                next += 1;
                let (audit, was_reused) = match audited {
                    Ok(audited) => audited,
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                };
                reused += usize::from(was_reused);
                sentences += audit.sentences.len();
                verdicts += audit.verdicts;
                failed_gate += usize::from(!audit.gate.passed);
                score_sum += audit.score;
                handed_on += 1;
                if let Err(e) = sink.article(&audit) {
                    sink_error = Some(e);
                    return;
                }
            }
            let rate = sentences as f64 / started.elapsed().as_secs_f64().max(1e-3);
            progress.set_message(format!("{rate:.0} sentences/s"));
        }
    });
    if let Some(e) = sink_error {
        return Err(e);
    }
    progress.finish_and_clear();
    let summary = RunSummary {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        articles: handed_on,
        sentences,
        verdicts,
        failed_gate,
        input_errors: errors
            .iter()
            .map(|e| InputFailure {
                source: e.source_name().to_string(),
                error: e.to_string(),
            })
            .collect(),
        evidence: auditor.evidence(),
        gate_policy: auditor.gate_policy(),
        elapsed_seconds: started.elapsed().as_secs_f64(),
        reused,
        mean_score: (handed_on > 0).then(|| score_sum / handed_on as f64),
    };
    sink.finish(&summary)?;
    Ok(summary)
}

/// Reports are named after ids, so two articles must never share one: later duplicates
/// get a `~2`, `~3` suffix.
fn make_ids_unique(articles: &mut [Article]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for article in articles.iter_mut() {
        let n = seen.entry(article.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            article.id = format!("{}~{}", article.id, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SentenceKind;

    fn sentence(start: usize, end: usize) -> Sentence {
        Sentence {
            span: Span::new(start, end),
            kind: SentenceKind::Sentence,
        }
    }

    #[test]
    fn findings_belong_to_the_sentence_they_start_in() {
        let s = [sentence(0, 10), sentence(11, 20), sentence(21, 30)];
        assert_eq!(sentence_of(&s, Span::new(0, 3)), Some(0));
        assert_eq!(sentence_of(&s, Span::new(12, 25)), Some(1));
        assert_eq!(sentence_of(&s, Span::new(10, 11)), Some(0));
        assert_eq!(sentence_of(&s, Span::new(29, 30)), Some(2));
        assert_eq!(sentence_of(&s, Span::new(0, 30)), None);
        assert_eq!(sentence_of(&[], Span::new(0, 1)), None);
        assert_eq!(sentence_of(&s[..1], Span::new(0, 10)), Some(0));
    }

    #[test]
    fn a_panicking_audit_becomes_an_error_for_its_article() {
        let failed = isolated("feed.jsonl:7", || -> usize { panic!("index out of range") });
        assert_eq!(
            failed,
            Err(InputError::AuditFailed {
                input: "feed.jsonl:7".into(),
                message: "index out of range".into()
            })
        );
        let formatted = isolated("a.txt", || -> usize { panic!("{} of {}", 3, 2) });
        assert!(failed_message(&formatted).contains("3 of 2"));
        assert!(failed_message(&formatted).starts_with("a.txt: internal error"));
        assert_eq!(isolated("a.txt", || 42), Ok(42));
    }

    fn failed_message(result: &Result<usize, InputError>) -> String {
        result.as_ref().unwrap_err().to_string()
    }

    #[test]
    fn duplicate_ids_get_suffixes() {
        let article = |id: &str| Article {
            id: id.into(),
            source: id.into(),
            title: None,
            lang: None,
            text: "x".into(),
        };
        let mut a = vec![article("a"), article("b"), article("a"), article("a")];
        make_ids_unique(&mut a);
        let ids: Vec<_> = a.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "a~2", "a~3"]);
    }
}
