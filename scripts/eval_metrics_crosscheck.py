"""Reference values for the metric tests in src/eval/metrics.rs.

Writes tests/fixtures/eval/random_scores.json (a seeded random case with many ties) and
prints AUROC, average precision, the best-F1 threshold, Spearman and Kendall tau-b as
scikit-learn 1.9.1 / scipy 1.17.1 compute them; the printed values are the constants in
the Rust test. Also prints the floor AUROCs on dev.binary_fluency (word count and
repeated words) that the floor test checks.

    pip install scikit-learn scipy
    python3 scripts/eval_metrics_crosscheck.py
"""

import collections
import gzip
import json
import random
import re

from scipy.stats import kendalltau, spearmanr
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

rng = random.Random(20261121)
n = 500
labels = [rng.random() < 0.3 for _ in range(n)]
# Scores rounded to one decimal so that ties occur often, shifted up for broken items.
scores = [round(min(1.0, max(0.0, rng.gauss(0.6 if y else 0.4, 0.2))), 1) for y in labels]
severities = [round(rng.expovariate(0.5) * (2 if y else 1)) for y in labels]

with open("tests/fixtures/eval/random_scores.json", "w") as f:
    json.dump({"scores": scores, "labels": labels, "severities": severities}, f)

print("auroc", repr(roc_auc_score(labels, scores)))
print("average_precision", repr(average_precision_score(labels, scores)))
best = max(
    (f1_score(labels, [s >= t for s in scores]), t) for t in sorted(set(scores), reverse=True)
)
print("best_f1", repr(best[0]), "threshold", best[1])
print("spearman", repr(spearmanr(scores, severities).statistic))
print("kendall_tau_b", repr(kendalltau(scores, severities).statistic))

# Floors on the main gold file: word count (whitespace tokens with a letter or digit, as
# scoring::word_count) and repeated words (extra occurrences of lower-cased \w+ tokens
# of at least four characters).
rows = [json.loads(line) for line in gzip.open("tests/fixtures/eval/dev.binary_fluency.jsonl.gz", "rt")]
y = [r["label_fluency"] == "broken" for r in rows]


def word_count(text):
    return sum(1 for w in text.split() if any(c.isalnum() for c in w))


def repeated_words(text):
    counts = collections.Counter(w.lower() for w in re.findall(r"\w+", text) if len(w) >= 4)
    return sum(c - 1 for c in counts.values() if c > 1)


print("floor word_count", repr(roc_auc_score(y, [word_count(r["text"]) for r in rows])))
print("floor repeated_words", repr(roc_auc_score(y, [repeated_words(r["text"]) for r in rows])))
