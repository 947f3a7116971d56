//! The audit pipeline: article in, [`ArticleAudit`] out; and the batch runner that reads
//! inputs, audits articles in parallel and hands the audits to a [`Sink`].

pub mod batch;
mod sink;
pub mod stream;

pub use sink::{EarlierAudits, Sink};

use crate::checks::{self, Check, Document};
use crate::config::Resolved;
use crate::data::{
    Article, ArticleAudit, CheckId, Evidence, Finding, FindingAudit, GatePolicy, Lang, LangSource,
    Sentence, SentenceAudit, Severity, Span, TokenScore, VerdictCounts, SCHEMA_VERSION,
};
use crate::digest::sha256_hex;
use crate::gate::{self, GateInput};
use crate::input::InputError;
use crate::lm::evidence::LmEvidence;
use crate::lm::{ArticleSurprisal, LmError};
use crate::scoring::article::SentenceEvidence;
use crate::scoring::combination::Combination;
use crate::scoring::judgement::{
    judge_article, judge_sentence, sentence_verdict, ArticleJudgement, LmFindings,
};
use crate::{langid, segment};
use serde::Serialize;
use sha2::Digest;
use std::collections::{BTreeMap, HashMap};

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
    /// An auditor with the string heuristics the settings leave on and the shipped
    /// combination; `lang_override` (`--lang`) replaces every article's language.
    pub fn new(settings: Resolved, lang_override: Option<Lang>) -> Self {
        let checks = checks::all()
            .into_iter()
            .filter(|c| !settings.disabled.contains(&c.id()))
            .collect();
        let combination = Combination::shipped();
        let settings_fingerprint = settings_fingerprint(&settings, &combination, lang_override);
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
    pub(crate) fn fingerprint(&self, article: &Article) -> String {
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
        let combination_json = serde_json::to_string(&combination)
            .expect("the combination serialises (it was read from JSON)");
        let description = format!("{} {combination_json}", self.settings_fingerprint);
        self.settings_fingerprint = sha256_hex(description.as_bytes());
        self.combination = combination;
        self
    }

    /// The evidence combination behind the sentence probabilities.
    pub fn combination(&self) -> &Combination {
        &self.combination
    }

    /// The gate's thresholds from the settings.
    pub fn gate_policy(&self) -> crate::data::GatePolicy {
        self.settings.gate_policy
    }

    /// Which sources of evidence the audits use, as the reports record it.
    pub fn evidence(&self) -> Evidence {
        Evidence {
            heuristics: true,
            language_model: self.lm.as_ref().map(|lm| lm.info.clone()),
        }
    }

    /// [`Auditor::audit`], with a panic (a bug in a check or the model) turned into an
    /// error for this article alone, so that a batch, a stream or a server goes on.
    pub(crate) fn audit_isolated(&self, article: &Article) -> Result<ArticleAudit, InputError> {
        isolated(&article.source, || self.audit(article))
    }

    /// Audits one article: its language, sentences, findings, verdicts, scores and gate.
    pub fn audit(&self, article: &Article) -> ArticleAudit {
        let evidence = self.gather(article);
        self.judge(article, evidence)
    }

    /// Gathers the evidence on `article`: its language, its sentences and each one's
    /// language, the heuristics' findings and the language model's scores.
    pub fn gather(&self, article: &Article) -> ArticleEvidence {
        let text = article.text.as_str();
        let (lang, lang_source) = self.article_lang(article);
        let sentences = segment::segment(text);
        let doc = Document::new(text, lang, &sentences, &self.settings.check_settings);
        let mut findings = Vec::new();
        for check in &self.checks {
            check.run(&doc, &mut findings);
        }
        let sentence_languages = doc.sentence_languages().to_vec();
        let lm = self.score_with_lm(text, &sentences, lang);
        ArticleEvidence {
            lang,
            lang_source,
            sentences,
            sentence_languages,
            findings,
            lm,
        }
    }

    /// Builds the audit of `article` from its evidence: the one way from evidence to a
    /// report, which the pipeline takes and test fixtures take with planted findings.
    /// Judges every sentence, then the article, then applies the gate.
    pub fn judge(&self, article: &Article, mut evidence: ArticleEvidence) -> ArticleAudit {
        let mut sources = self.evidence();
        let (lm_scores, lm_error) = match evidence.lm.take() {
            Some(Ok(scores)) => (Some(scores), None),
            Some(Err(e)) => {
                sources.language_model = None;
                (None, Some(e.to_string()))
            }
            None => (None, None),
        };
        let heuristic = std::mem::take(&mut evidence.findings);
        let (findings, sentence_evidence) = self.judge_sentences(
            &article.text,
            &evidence.sentences,
            heuristic,
            lm_scores.as_ref(),
        );
        let judged = Judged {
            findings,
            sentence_evidence,
            lm: lm_scores,
            lm_error,
            evidence: sources,
        };
        self.assemble(article, &evidence, judged)
    }

    /// The language model's evidence on the article, if it is used.
    fn score_with_lm(
        &self,
        text: &str,
        sentences: &[Sentence],
        lang: Lang,
    ) -> Option<Result<ArticleSurprisal, LmError>> {
        // The variant evidence costs model time; without its finding it is not asked for.
        let variants = !self.settings.disabled.contains(&CheckId::Grammar);
        let lm = self.lm.as_ref()?;
        Some(lm.score(text, sentences, lang, variants))
    }

    /// Judges every sentence ([`judge_sentence`]) and returns the article's findings, the
    /// language model's included, with their configured severities, in reading order;
    /// and each sentence's probability with its features.
    fn judge_sentences(
        &self,
        text: &str,
        sentences: &[Sentence],
        mut findings: Vec<Finding>,
        lm: Option<&ArticleSurprisal>,
    ) -> (Vec<Finding>, Vec<SentenceEvidence>) {
        let disabled = &self.settings.disabled;
        let enabled = LmFindings {
            implausible_wording: !disabled.contains(&CheckId::ImplausibleWording),
            grammar: !disabled.contains(&CheckId::Grammar),
        };
        let mut owned: Vec<Vec<(CheckId, Severity)>> = vec![Vec::new(); sentences.len()];
        for finding in &findings {
            if let Some(owner) = sentence_of(sentences, finding.span) {
                owned[owner].push((finding.check, self.severity_of(finding)));
            }
        }
        let mut lm_findings = Vec::new();
        let sentence_evidence = sentences
            .iter()
            .zip(&owned)
            .enumerate()
            .map(|(index, (sentence, own))| {
                let lm = lm.map(|s| &s.sentences[index]);
                let combination = &self.combination;
                judge_sentence(
                    combination,
                    text,
                    sentence,
                    own,
                    lm,
                    enabled,
                    &mut lm_findings,
                )
            })
            .collect();
        findings.extend(lm_findings);
        for f in &mut findings {
            f.severity = self.severity_of(f);
        }
        findings.sort_by_key(|f| (f.span.start, f.span.end, f.check));
        findings.dedup_by(|a, b| a.check == b.check && a.span == b.span);
        (findings, sentence_evidence)
    }

    /// The audit of `article` from its judged evidence: sentences with their verdicts,
    /// findings with their sentences, counts, the article's judgement and the gate.
    fn assemble(
        &self,
        article: &Article,
        gathered: &ArticleEvidence,
        judged: Judged,
    ) -> ArticleAudit {
        let text = article.text.as_str();
        let findings: Vec<FindingAudit> = judged
            .findings
            .into_iter()
            .map(|finding| FindingAudit {
                sentence: sentence_of(&gathered.sentences, finding.span),
                finding,
            })
            .collect();
        let mut sentences =
            sentence_audits(&gathered.sentences, &gathered.sentence_languages, &findings);
        for (index, audit) in sentences.iter_mut().enumerate() {
            audit.probability_broken = judged.sentence_evidence[index].0;
            audit.lm = judged.lm.as_ref().map(|s| s.sentences[index].clone());
        }
        let mut verdicts = VerdictCounts::default();
        sentences.iter().for_each(|s| verdicts.add(s.verdict));
        let all: Vec<&Finding> = findings.iter().map(|f| &f.finding).collect();
        let with_lm = judged.lm.is_some();
        let article_judgement = judge_article(
            &self.combination,
            with_lm,
            text,
            &judged.sentence_evidence,
            &all,
        );
        let gate = gate::evaluate(
            &self.settings.gate_policy,
            &GateInput {
                score: article_judgement.score,
                verdicts,
                needs_editor: article_judgement.needs_editor,
                critical: critical_findings(text, &findings),
            },
        );
        let (findings_by_severity, findings_by_check) = finding_counts(&findings);
        let ArticleJudgement {
            words,
            penalty,
            score,
            needs_editor,
        } = article_judgement;
        ArticleAudit {
            schema_version: SCHEMA_VERSION,
            id: article.id.clone(),
            source: article.source.clone(),
            title: article.title.clone(),
            fingerprint: self.fingerprint(article),
            lang: gathered.lang,
            lang_source: gathered.lang_source,
            evidence: judged.evidence,
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
            tokens: judged.lm.map(|scores| token_scores(&scores)),
            lm_error: judged.lm_error,
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

/// Each sentence with its language, its findings (indices into `findings`) and the
/// verdict of their penalty points.
fn sentence_audits(
    sentences: &[Sentence],
    languages: &[Lang],
    findings: &[FindingAudit],
) -> Vec<SentenceAudit> {
    let mut by_sentence: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if let Some(s) = f.sentence {
            by_sentence.entry(s).or_default().push(i);
        }
    }
    sentences
        .iter()
        .zip(languages)
        .enumerate()
        .map(|(index, (sentence, &lang))| {
            let own = by_sentence.remove(&index).unwrap_or_default();
            SentenceAudit {
                index,
                span: sentence.span,
                kind: sentence.kind,
                lang,
                verdict: sentence_verdict(own.iter().map(|&i| &findings[i].finding)),
                findings: own,
                probability_broken: 0.0,
                lm: None,
            }
        })
        .collect()
}

/// What an article's audit rests on before judgement.
#[derive(Debug)]
pub struct ArticleEvidence {
    /// The article's language.
    pub lang: Lang,
    /// Where `lang` came from.
    pub lang_source: LangSource,
    /// The article's sentences in reading order.
    pub sentences: Vec<Sentence>,
    /// Each sentence's language, same order.
    pub sentence_languages: Vec<Lang>,
    /// The string heuristics' findings, with the checks' own severities.
    pub findings: Vec<Finding>,
    /// The language model's scores, or why it failed; `None` without the model.
    pub lm: Option<Result<ArticleSurprisal, LmError>>,
}

/// What the judgement of an article's sentences produced.
struct Judged {
    findings: Vec<Finding>,
    sentence_evidence: Vec<SentenceEvidence>,
    lm: Option<ArticleSurprisal>,
    /// Why the language model could not score the article, if it failed.
    lm_error: Option<String>,
    /// The evidence the verdicts rest on.
    evidence: Evidence,
}

/// How many findings there are of each severity and of each check.
fn finding_counts(
    findings: &[FindingAudit],
) -> (BTreeMap<Severity, usize>, BTreeMap<CheckId, usize>) {
    let mut by_severity = BTreeMap::new();
    let mut by_check = BTreeMap::new();
    for f in findings {
        *by_severity.entry(f.finding.severity).or_insert(0) += 1;
        *by_check.entry(f.finding.check).or_insert(0) += 1;
    }
    (by_severity, by_check)
}

/// Per-token surprisal as the report carries it.
fn token_scores(scores: &ArticleSurprisal) -> Vec<TokenScore> {
    scores
        .tokens
        .iter()
        .map(|t| TokenScore {
            start: t.span.start,
            end: t.span.end,
            surprisal: t.surprisal,
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

/// Everything in the settings that changes an audit, as the fingerprint hashes it:
/// serialised, so that renaming a type inside the tool does not change it.
#[derive(Serialize)]
struct SettingsDescription<'a> {
    tool_version: &'static str,
    schema_version: u32,
    combination: &'a Combination,
    gate_policy: &'a GatePolicy,
    disabled: &'a [CheckId],
    severity_overrides: &'a BTreeMap<CheckId, Severity>,
    allowed_names: &'a [String],
    allowed_terms: &'a [String],
    extra_boilerplate: Vec<&'a str>,
    lang_override: Option<Lang>,
}

/// Hash of the tool version and every setting that changes an audit.
fn settings_fingerprint(
    settings: &Resolved,
    combination: &Combination,
    lang_override: Option<Lang>,
) -> String {
    let checks = &settings.check_settings;
    let description = SettingsDescription {
        tool_version: env!("CARGO_PKG_VERSION"),
        schema_version: SCHEMA_VERSION,
        combination,
        gate_policy: &settings.gate_policy,
        disabled: &settings.disabled,
        severity_overrides: &settings.severity_overrides,
        allowed_names: &checks.allowed_names,
        allowed_terms: &checks.allowed_terms,
        extra_boilerplate: checks
            .extra_boilerplate
            .iter()
            .map(|r| r.as_str())
            .collect(),
        lang_override,
    };
    let json = serde_json::to_vec(&description).expect("the settings serialise");
    sha256_hex(&json)
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
}
