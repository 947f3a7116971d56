//! `mtaudit merge`: the JSON outputs of several shards (`--shard K/N`, each with its own
//! `--out`) combined into one set of reports, as if one run had audited everything.

use super::json::SUMMARY_FILE;
use super::{Printers, ReportError};
use crate::audit::Sink;
use crate::data::{ArticleAudit, RunSummary, SCHEMA_VERSION};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Why shards could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A shard's summary or article report could not be read.
    #[error("cannot read {path}: {cause}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        cause: std::io::Error,
    },
    /// A shard's summary or article report is not the JSON report's shape.
    #[error("{path} is not an mtaudit JSON report: {cause}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        cause: serde_json::Error,
    },
    /// A shard was written by an mtaudit with another report schema.
    #[error("{path} was written with report schema {found}; this mtaudit reads {SCHEMA_VERSION} (re-run that shard)")]
    Schema {
        /// The shard's summary file.
        path: PathBuf,
        /// The schema version it declares.
        found: u32,
    },
    /// A shard's evidence settings or gate policy differ from the first shard's.
    #[error("{path} was audited with other settings than {first} (evidence or gate policy differ); merge only shards of one run")]
    Settings {
        /// The differing shard's summary file.
        path: PathBuf,
        /// The first shard's summary file.
        first: PathBuf,
    },
    /// Two shards hold the same article.
    #[error("article `{id}` is in both {first} and {second}; shards must not overlap")]
    Overlap {
        /// The article's id.
        id: String,
        /// The shard folder that had it first.
        first: PathBuf,
        /// The shard folder that has it again.
        second: PathBuf,
    },
    /// No shard folders were given.
    #[error("no shard folders to merge")]
    NothingToMerge,
    /// A printer failed to write the merged reports.
    #[error(transparent)]
    Report(#[from] ReportError),
}

/// `summary.json` as the JSON report writes it: the totals, and where each article's
/// report is.
#[derive(Deserialize)]
struct ShardSummary {
    #[serde(flatten)]
    summary: RunSummary,
    article_reports: Vec<ReportRef>,
}

#[derive(Deserialize)]
struct ReportRef {
    id: String,
    report: String,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, MergeError> {
    let bytes = std::fs::read(path).map_err(|cause| MergeError::Read {
        path: path.to_path_buf(),
        cause,
    })?;
    serde_json::from_slice(&bytes).map_err(|cause| MergeError::Malformed {
        path: path.to_path_buf(),
        cause,
    })
}

/// Reads every shard folder in `dirs`, hands each article's report to `printers` (folder
/// by folder, in each folder's order) and finishes them with the combined totals, which it
/// returns. Shards must come from one run's settings and must not share an article.
pub fn merge(dirs: &[PathBuf], printers: &mut Printers) -> Result<RunSummary, MergeError> {
    let mut total: Option<RunSummary> = None;
    let mut scores = Vec::new();
    let mut owner = HashMap::new();
    for dir in dirs {
        let summary_path = dir.join(SUMMARY_FILE);
        let shard: ShardSummary = read_json(&summary_path)?;
        let part = shard.summary;
        if part.schema_version != SCHEMA_VERSION {
            return Err(MergeError::Schema {
                path: summary_path,
                found: part.schema_version,
            });
        }
        for entry in &shard.article_reports {
            if let Some(first) = owner.insert(entry.id.clone(), dir.clone()) {
                return Err(MergeError::Overlap {
                    id: entry.id.clone(),
                    first,
                    second: dir.clone(),
                });
            }
            let audit: ArticleAudit = read_json(&dir.join(&entry.report))?;
            scores.push((audit.id.clone(), audit.score));
            printers.article(&audit)?;
        }
        let Some(total) = total.as_mut() else {
            total = Some(part);
            continue;
        };
        if total.evidence != part.evidence || total.gate_policy != part.gate_policy {
            return Err(MergeError::Settings {
                path: summary_path,
                first: dirs[0].join(SUMMARY_FILE),
            });
        }
        total.articles += part.articles;
        total.sentences += part.sentences;
        total.verdicts += part.verdicts;
        total.failed_gate += part.failed_gate;
        total.input_errors.extend(part.input_errors);
        total.reused += part.reused;
        // Shards run side by side: the run took as long as the slowest.
        total.elapsed_seconds = total.elapsed_seconds.max(part.elapsed_seconds);
    }
    let mut summary = total.ok_or(MergeError::NothingToMerge)?;
    // Errors about the command line itself (a missing path) are reported by every shard.
    let mut seen = HashSet::new();
    summary
        .input_errors
        .retain(|e| seen.insert((e.source.clone(), e.error.clone())));
    // Summed in id order, as the rows of a whole run's table are.
    scores.sort_by(|a, b| a.0.cmp(&b.0));
    summary.mean_score = (!scores.is_empty())
        .then(|| scores.iter().map(|(_, s)| s).sum::<f64>() / scores.len() as f64);
    printers.finish(&summary)?;
    Ok(summary)
}
