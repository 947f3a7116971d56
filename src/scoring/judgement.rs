//! The decision rules: what a sentence's evidence amounts to (its calibrated probability,
//! and the findings the language model's evidence earns) and what an article's does (its
//! score, estimate and the sentences' verdicts). The audit gathers the evidence and hands
//! it here.

use super::article::{article_features, SentenceEvidence};
use super::combination::Combination;
use super::sentence::{self, SentenceModel};
use super::{
    article_score, grammar, implausible_wording, penalty, unlikely_word, verdict, word_count,
};
use super::{is_reported, UNLIKELY_WORD_EXCESS};
use crate::data::{CheckId, Finding, Sentence, SentenceKind, SentenceLm, Severity, Verdict};

/// Which of the language model's findings the configuration leaves on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LmFindings {
    /// `implausible-wording`, the finding of the calibrated evidence (and of one unlikely
    /// word).
    pub implausible_wording: bool,
    /// `grammar`, a word the model would rather see in another form.
    pub grammar: bool,
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

/// Judges one sentence of `text`: its probability of being broken under `combination`
/// (with the LM's model when `lm` is given) from its length, kind and own findings
/// (`own`, severities as configured), and the language model's findings on it, which are
/// appended to `out`. Returns the probability with the features it came from.
pub fn judge_sentence(
    combination: &Combination,
    text: &str,
    sentence: &Sentence,
    own: &[(CheckId, Severity)],
    lm: Option<&SentenceLm>,
    enabled: LmFindings,
    out: &mut Vec<Finding>,
) -> SentenceEvidence {
    let model = combination.model(lm.is_some());
    let x = sentence::features(
        word_count(sentence.span.slice(text)),
        sentence.kind,
        own.iter().copied(),
        lm,
    );
    let probability = model.probability(&x);
    if let Some(lm) = lm {
        if enabled.implausible_wording {
            out.extend(wording_finding(
                combination,
                text,
                sentence,
                own,
                lm,
                &x,
                probability,
            ));
        }
        if enabled.grammar {
            out.extend(
                lm.variants
                    .iter()
                    .filter(|v| is_reported(v))
                    .map(|v| grammar(v, text)),
            );
        }
    }
    (probability, x)
}

/// The language model's finding on a sentence, if its evidence earns one.
fn wording_finding(
    combination: &Combination,
    text: &str,
    sentence: &Sentence,
    own: &[(CheckId, Severity)],
    lm: &SentenceLm,
    x: &sentence::FeatureVector,
    probability: f64,
) -> Option<Finding> {
    // The finding is the language model's: it is only raised where the LM evidence itself
    // lifts the verdict, above both the heuristic findings' points and the LM-free model's
    // verdict on the same sentence (length and findings alone).
    let calibrated = calibrated_verdict(probability, &combination.with_lm);
    let heuristic = verdict(own.iter().map(|(_, severity)| severity.penalty()).sum());
    let without_lm = &combination.without_lm;
    let lm_free = calibrated_verdict(without_lm.probability(x), without_lm);
    if calibrated > heuristic.max(lm_free) {
        return Some(implausible_wording(lm, sentence, calibrated, probability));
    }
    // A common word far less likely in context than its frequency predicts is reported on
    // its own where the calibrated evidence raised nothing: the combination, fitted on
    // subtle errors, gives a single broken word little weight. Not in headings, whose
    // telegraphic style ("Mann schuldig, …") surprises the LM.
    lm.unlikely_word
        .filter(|w| w.excess >= UNLIKELY_WORD_EXCESS)
        .filter(|_| sentence.kind != SentenceKind::Heading)
        .map(|word| unlikely_word(&word, text))
}

/// What an article's evidence amounts to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArticleJudgement {
    pub words: usize,
    /// MQM-Core penalty points of all findings.
    pub penalty: f64,
    pub score: f64,
    /// Probability that the article needs an editor.
    pub needs_editor: f64,
}

/// Judges an article of `text` from its sentences' evidence and all its findings.
pub fn judge_article(
    combination: &Combination,
    with_lm: bool,
    text: &str,
    sentences: &[SentenceEvidence],
    findings: &[&Finding],
) -> ArticleJudgement {
    let words = word_count(text);
    let penalty = penalty(findings.iter().copied());
    let needs_editor = combination
        .article_model(with_lm)
        .probability(&article_features(
            sentences,
            findings.iter().map(|f| (f.check, f.severity)),
        ));
    ArticleJudgement {
        words,
        penalty,
        score: article_score(penalty, words),
        needs_editor,
    }
}

/// The verdict of a sentence's own findings' penalty points.
pub fn sentence_verdict<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Verdict {
    verdict(penalty(findings))
}
