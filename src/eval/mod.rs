//! Measuring detection quality against labelled gold data (`mtaudit eval`).
//!
//! [`gold`] reads labelled sentences and articles, [`metrics`] holds the tie-aware metric
//! definitions, and [`report`] gathers them for a set of scored items, overall, per check
//! and per language. Scoring the items is the audit's job; nothing here runs a model.

pub mod gold;
pub mod metrics;
pub mod report;

#[cfg(test)]
mod floor_tests {
    //! The floors quoted by the eval-gold README, measured with this module's reader
    //! and AUROC on a copy of `dev.binary_fluency.jsonl.gz`. The expected values come
    //! from scikit-learn (scripts/eval_metrics_crosscheck.py) with the same features.

    use super::gold::{read_gold, GoldFile};
    use super::metrics::auroc;
    use crate::scoring::word_count;
    use regex::Regex;
    use std::collections::HashMap;
    use std::path::Path;

    /// Extra occurrences of lower-cased words of at least four characters.
    fn repeated_words(text: &str, word: &Regex) -> usize {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for m in word
            .find_iter(text)
            .filter(|m| m.as_str().chars().count() >= 4)
        {
            *counts.entry(m.as_str().to_lowercase()).or_default() += 1;
        }
        counts.values().map(|c| c - 1).sum()
    }

    #[test]
    fn length_and_repetition_floors_on_dev_binary_fluency() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/eval/dev.binary_fluency.jsonl.gz");
        let GoldFile::Sentences(items) = read_gold(&path, "label_fluency").expect("reads") else {
            panic!("expected sentence items");
        };
        assert_eq!(items.len(), 5725);
        let labels: Vec<bool> = items
            .iter()
            .map(|i| i.label.is_broken().expect("binary file"))
            .collect();
        assert_eq!(labels.iter().filter(|&&b| b).count(), 936);

        let lengths: Vec<f64> = items.iter().map(|i| word_count(&i.text) as f64).collect();
        let length_auroc = auroc(&lengths, &labels).expect("defined");
        // The README quotes ≈ 0.60; word count gives 0.618 (character length gives 0.603).
        assert!(
            (length_auroc - 0.6182718409174872).abs() < 1e-9,
            "{length_auroc}"
        );

        let word = Regex::new(r"\w+").expect("valid regex");
        let repeats: Vec<f64> = items
            .iter()
            .map(|i| repeated_words(&i.text, &word) as f64)
            .collect();
        let repeat_auroc = auroc(&repeats, &labels).expect("defined");
        // The README quotes ≈ 0.57.
        assert!(
            (repeat_auroc - 0.5700650796965269).abs() < 1e-9,
            "{repeat_auroc}"
        );
    }
}
