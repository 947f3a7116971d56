//! Fitting the evidence combination: L2-regularised logistic regression (Newton's
//! method on standardised features), document-grouped cross-validation, and thresholds
//! from precision targets.

use super::metrics::cuts;
use crate::scoring::logistic::{sigmoid, standardised_logistic};
use sha2::{Digest, Sha256};

/// L2 penalty on the standardised weights (not the bias): mild, the models are small.
pub const L2: f64 = 1.0;
/// Folds of the document-grouped cross-validation.
pub const FOLDS: usize = 5;

/// A fitted logistic regression on standardised features.
#[derive(Debug, Clone, PartialEq)]
pub struct Logistic {
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    pub weights: Vec<f64>,
    pub bias: f64,
}

impl Logistic {
    pub fn probability(&self, x: &[f64]) -> f64 {
        standardised_logistic(
            x.iter().copied(),
            &self.mean,
            &self.scale,
            &self.weights,
            self.bias,
        )
    }
}

/// Fits `P(y) = σ(w·standardised(x) + b)` by Newton's method with an L2 penalty `l2` on `w`.
pub fn fit_logistic(xs: &[Vec<f64>], ys: &[bool], l2: f64) -> Logistic {
    let d = xs.first().map_or(0, Vec::len);
    let n = xs.len().max(1) as f64;
    let mean: Vec<f64> = (0..d)
        .map(|j| xs.iter().map(|x| x[j]).sum::<f64>() / n)
        .collect();
    let scale: Vec<f64> = (0..d)
        .map(|j| {
            let var = xs.iter().map(|x| (x[j] - mean[j]).powi(2)).sum::<f64>() / n;
            if var > 1e-12 {
                var.sqrt()
            } else {
                1.0
            }
        })
        .collect();
    // Design rows with a leading 1 for the bias.
    let rows: Vec<Vec<f64>> = xs
        .iter()
        .map(|x| {
            std::iter::once(1.0)
                .chain((0..d).map(|j| (x[j] - mean[j]) / scale[j]))
                .collect()
        })
        .collect();
    let mut w = vec![0.0; d + 1];
    for _ in 0..50 {
        let mut gradient = vec![0.0; d + 1];
        let mut hessian = vec![vec![0.0; d + 1]; d + 1];
        for (row, &y) in rows.iter().zip(ys) {
            let p = sigmoid(row.iter().zip(&w).map(|(a, b)| a * b).sum());
            let residual = p - f64::from(u8::from(y));
            let weight = (p * (1.0 - p)).max(1e-9);
            for a in 0..=d {
                gradient[a] += residual * row[a];
                for b in 0..=d {
                    hessian[a][b] += weight * row[a] * row[b];
                }
            }
        }
        for a in 1..=d {
            gradient[a] += l2 * w[a];
            hessian[a][a] += l2;
        }
        let step = solve(hessian, gradient);
        let size = step.iter().map(|s| s.abs()).fold(0.0, f64::max);
        for (wi, si) in w.iter_mut().zip(&step) {
            *wi -= si;
        }
        if size < 1e-10 {
            break;
        }
    }
    Logistic {
        mean,
        scale,
        weights: w[1..].to_vec(),
        bias: w[0],
    }
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting (a is small and
/// positive definite here).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let diag = a[col][col];
        if diag.abs() < 1e-300 {
            continue;
        }
        let pivot_row = a[col].clone();
        for row in col + 1..n {
            let factor = a[row][col] / diag;
            for (value, pivot_value) in a[row].iter_mut().zip(&pivot_row).skip(col) {
                *value -= factor * pivot_value;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let rest: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = if a[row][row].abs() < 1e-300 {
            0.0
        } else {
            (b[row] - rest) / a[row][row]
        };
    }
    x
}

/// The fold of a group (a document): stable across runs and machines.
pub fn fold_of(group: &str, folds: usize) -> usize {
    let digest = Sha256::digest(group.as_bytes());
    (u64::from_le_bytes(digest[..8].try_into().expect("8 bytes")) % folds as u64) as usize
}

/// Out-of-fold probabilities for every item: each is predicted by a model fitted on the
/// labelled items (`Some` label) of the folds that do not hold its group, so no document
/// is in its own training data.
pub fn cross_validated(
    xs: &[Vec<f64>],
    labels: &[Option<bool>],
    groups: &[&str],
    folds: usize,
    l2: f64,
) -> Vec<f64> {
    let fold: Vec<usize> = groups.iter().map(|g| fold_of(g, folds)).collect();
    let mut out = vec![f64::NAN; xs.len()];
    for k in 0..folds {
        let (train_x, train_y): (Vec<Vec<f64>>, Vec<bool>) = (0..xs.len())
            .filter(|&i| fold[i] != k)
            .filter_map(|i| labels[i].map(|y| (xs[i].clone(), y)))
            .unzip();
        if train_x.is_empty() {
            continue;
        }
        let model = fit_logistic(&train_x, &train_y, l2);
        for i in (0..xs.len()).filter(|&i| fold[i] == k) {
            out[i] = model.probability(&xs[i]);
        }
    }
    out
}

/// The lowest threshold `t` at which flagging every score ≥ `t` has precision ≥ `target`
/// (ties flagged together); `None` when no threshold reaches it.
pub fn threshold_for_precision(scores: &[f64], labels: &[bool], target: f64) -> Option<f64> {
    cuts(scores, labels)
        .into_iter()
        .rev()
        .find(|cut| cut.hits as f64 >= target * cut.flagged as f64)
        .map(|cut| cut.threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_logistic_relation() {
        // y = 1 exactly when 2·x0 − x1 > 0.5, with both classes overlapping through noise-free
        // boundary items: the fitted direction must match (weights of opposite sign, ≈2:1).
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for i in 0..40 {
            for j in 0..40 {
                let (a, b) = (i as f64 / 10.0, j as f64 / 10.0);
                let z = 2.0 * a - b - 0.5;
                xs.push(vec![a, b]);
                // Deterministic "noise": label by the sign of z plus a small periodic term.
                ys.push(z + 0.8 * ((i * 7 + j * 3) as f64).sin() > 0.0);
            }
        }
        let model = fit_logistic(&xs, &ys, 0.0);
        let (wa, wb) = (
            model.weights[0] / model.scale[0],
            model.weights[1] / model.scale[1],
        );
        assert!(wa > 0.0 && wb < 0.0, "{model:?}");
        assert!((wa / -wb - 2.0).abs() < 0.3, "ratio {}", wa / -wb);
    }

    #[test]
    fn folds_are_stable_and_keep_groups_together() {
        assert_eq!(fold_of("doc-a", 5), fold_of("doc-a", 5));
        let groups = ["a", "a", "b", "b", "c", "d", "e", "f", "g", "h"];
        let xs: Vec<Vec<f64>> = (0..10).map(|i| vec![i as f64]).collect();
        let labels: Vec<Option<bool>> = (0..10).map(|i| (i != 4).then_some(i >= 5)).collect();
        let cv = cross_validated(&xs, &labels, &groups, 3, 1.0);
        assert!(cv.iter().all(|p| (0.0..=1.0).contains(p)), "{cv:?}");
    }

    #[test]
    fn threshold_for_precision_by_hand() {
        let scores = [0.9, 0.8, 0.7, 0.6, 0.5];
        let labels = [true, false, true, true, false];
        // Flag ≥0.9: 1/1; ≥0.8: 1/2; ≥0.7: 2/3; ≥0.6: 3/4; ≥0.5: 3/5.
        assert_eq!(threshold_for_precision(&scores, &labels, 0.75), Some(0.6));
        assert_eq!(threshold_for_precision(&scores, &labels, 0.6), Some(0.5));
        assert_eq!(threshold_for_precision(&scores, &labels, 1.0), Some(0.9));
        assert_eq!(threshold_for_precision(&[0.1], &[false], 0.5), None);
    }
}
