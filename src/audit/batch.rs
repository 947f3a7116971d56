//! The batch runner: reads every input, audits the articles in parallel and hands the
//! audits to a [`Sink`] in input order, with the run's totals at the end.

use super::{Auditor, EarlierAudits, Sink};
use crate::data::{Article, ArticleAudit, InputFailure, RunSummary, VerdictCounts, SCHEMA_VERSION};
use crate::input::{self, Input, InputError, Shard};
use indicatif::ProgressBar;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// Options of a batch run.
pub struct BatchOptions<'a> {
    /// Largest article text accepted, in bytes (`--max-article-bytes`).
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
    let (articles, mut errors) = read_articles(inputs, discovery_errors, options);
    progress.set_length(articles.len() as u64);

    type Audited = Result<(ArticleAudit, bool), InputError>;
    let (sender, receiver) = std::sync::mpsc::channel::<(usize, Audited)>();
    let mut totals = RunTotals::default();
    let mut sink_error = None;
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
                totals.add(&audit, was_reused);
                if let Err(e) = sink.article(&audit) {
                    sink_error = Some(e);
                    return;
                }
            }
            let rate = totals.sentences as f64 / started.elapsed().as_secs_f64().max(1e-3);
            progress.set_message(format!("{rate:.0} sentences/s"));
        }
    });
    if let Some(e) = sink_error {
        return Err(e);
    }
    progress.finish_and_clear();
    let summary = totals.summary(&errors, auditor, started.elapsed().as_secs_f64());
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

/// The articles of `inputs` in this run's shard, with unique ids, and the input errors
/// (after `discovery_errors`) of the shard.
fn read_articles(
    inputs: &[Input],
    discovery_errors: Vec<InputError>,
    options: &BatchOptions<'_>,
) -> (Vec<Article>, Vec<InputError>) {
    let in_shard = |key: &str| Shard::admits(options.shard, key);
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
    (articles, errors)
}

/// What a run has handed on so far.
#[derive(Debug, Default)]
struct RunTotals {
    articles: usize,
    sentences: usize,
    verdicts: VerdictCounts,
    failed_gate: usize,
    /// Summed in input order, so that the mean is the same on every run.
    score_sum: f64,
    reused: usize,
}

impl RunTotals {
    fn add(&mut self, audit: &ArticleAudit, reused: bool) {
        self.articles += 1;
        self.reused += usize::from(reused);
        self.sentences += audit.sentences.len();
        self.verdicts += audit.verdicts;
        self.failed_gate += usize::from(!audit.gate.passed);
        self.score_sum += audit.score;
    }

    fn summary(&self, errors: &[InputError], auditor: &Auditor, elapsed: f64) -> RunSummary {
        RunSummary {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            articles: self.articles,
            sentences: self.sentences,
            verdicts: self.verdicts,
            failed_gate: self.failed_gate,
            input_errors: errors
                .iter()
                .map(|e| InputFailure {
                    source: e.source_name().to_string(),
                    error: e.to_string(),
                })
                .collect(),
            evidence: auditor.evidence(),
            gate_policy: auditor.gate_policy(),
            elapsed_seconds: elapsed,
            reused: self.reused,
            mean_score: (self.articles > 0).then(|| self.score_sum / self.articles as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
