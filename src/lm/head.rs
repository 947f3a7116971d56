//! The output head: per-token surprisal (−log p, nats) of the observed next token.
//!
//! The head multiplies the final hidden states by rows of the tied embedding, in
//! *blocks* of rows, each as dense f32 with candle's GEMM (the quantised matmul works one
//! token at a time and is several times slower), and combines the blocks' log-sum-exps.
//!
//! Exact mode covers all 262,144 rows. As f32 they would take 671 MB, so on the CPU the
//! rows stay Q8_0 and each block of [`BLOCK_ROWS`] rows is dequantised when used. With
//! [`Precision::Quantised`] (default scoring on the CPU) the shortlist's rows are kept as
//! 8-bit tiles instead (exactly the Q8_0 values) and multiplied with 16-bit hidden states
//! ([`super::qgemm`]).
//!
//! Over the full vocabulary the head would be most of the scoring cost, so the default
//! scores a per-language *shortlist* (the tokens of the language's most frequent words in
//! their usual spellings, plus short Latin-script and punctuation tokens and the byte
//! tokens) exactly, and a fixed stride *sample* of the remaining vocabulary, and estimates
//!
//! ```text
//! logsumexp(all) ≈ log( Σ_shortlist e^l  +  (tail size / sample size) · Σ_sample e^l  [+ e^l_observed] )
//! ```
//!
//! where the observed token's logit is computed directly (and added when it is not
//! shortlisted). Without the sample term this is a strict lower bound of the exact
//! log-normaliser (every omitted term is positive); the sample makes the estimate unbiased
//! for the tail mass. `tests/lm_model.rs` checks the mean absolute difference from exact
//! mode on the sample articles (≤ 0.02 nats per token). With the shortlist the head is
//! about 30% of default scoring time (its log-sum-exps 6%), the layers the other 70%
//! (single-thread profile of sample 001, 7 December 2026).

use super::fastmath;
use super::gemma3::Precision;
use super::qgemm::{Kernel, PackedMatrix, QuantisedActivations};
use candle_core::quantized::{QStorage, QTensor};
use candle_core::{Device, Storage, Tensor, D};
use rayon::prelude::*;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

/// Approximate number of tail rows sampled for the tail estimate.
pub const TAIL_SAMPLE_ROWS: usize = 2048;

/// Rows per block the CPU dequantises at a time: 42 MB as f32, which keeps peak memory low
/// while the dequantisation stays a few percent of the block's matmul.
pub const BLOCK_ROWS: usize = 16_384;

/// Where a block's f32 rows come from.
enum Rows {
    /// Dequantised once and kept (on accelerators).
    Dense(Tensor),
    /// Rows `range` of a quantised matrix, dequantised on every use (on the CPU).
    Quantised {
        matrix: Arc<QTensor>,
        range: Range<usize>,
    },
    /// 8-bit tiles multiplied with 16-bit hidden states (on the CPU).
    Packed(PackedMatrix),
}

/// Consecutive logits columns `first_column..first_column + len`, with the weight of each
/// term in the normaliser (e^ln_weight: 1 for scored rows, tail size / sample size for
/// the sample).
struct Block {
    rows: Rows,
    first_column: usize,
    len: usize,
    ln_weight: f32,
}

/// Rows `range` of the quantised `matrix` as f32, on the CPU.
fn dequantised(matrix: &QTensor, range: &Range<usize>) -> candle_core::Result<Tensor> {
    let data = matrix.data()?;
    let row_bytes = data.len() / matrix.shape().dims2()?.0;
    let bytes = &data[range.start * row_bytes..range.end * row_bytes];
    quantised_rows(Cow::Borrowed(bytes), range.len(), matrix)?.dequantize(&Device::Cpu)
}

/// `rows` whole rows of `like`'s type and width from raw block bytes, on the CPU.
fn quantised_rows(
    bytes: Cow<'_, [u8]>,
    rows: usize,
    like: &QTensor,
) -> candle_core::Result<QTensor> {
    let width = like.shape().dims2()?.1;
    let storage = QStorage::from_data(bytes, &Device::Cpu, like.dtype())?;
    QTensor::new(storage, (rows, width))
}

/// Which rows of the output matrix a head multiplies by, and how to read them back.
pub struct OutputHead {
    blocks: Vec<Block>,
    /// Columns `0..candidates` are vocabulary entries scored exactly; the rest are tail samples.
    candidates: usize,
    /// `column[id]` = the logits column of vocabulary entry `id` (shortlisted or sampled),
    /// `NOT_SCORED` when it has none. `None`: the identity (exact head).
    column: Option<Vec<u32>>,
}

const NOT_SCORED: u32 = u32::MAX;

impl OutputHead {
    /// The full head: every vocabulary entry, exactly.
    pub fn exact(output: &Arc<QTensor>, device: &Device) -> candle_core::Result<OutputHead> {
        let rows = output.shape().dims2()?.0;
        Ok(OutputHead {
            blocks: blocks(output.clone(), 0, 0.0, device, BLOCK_ROWS)?,
            candidates: rows,
            column: None,
        })
    }

    /// A head over `shortlist` (vocabulary ids, any order, duplicates ignored) plus a
    /// stride sample of the other entries for the tail estimate.
    pub fn shortlist(
        output: &Arc<QTensor>,
        shortlist: &[u32],
        device: &Device,
        precision: Precision,
    ) -> candle_core::Result<OutputHead> {
        let vocab = output.shape().dims2()?.0;
        let mut in_shortlist = vec![false; vocab];
        for &id in shortlist {
            if let Some(slot) = in_shortlist.get_mut(id as usize) {
                *slot = true;
            }
        }
        let candidates: Vec<u32> = (0..vocab as u32)
            .filter(|&id| in_shortlist[id as usize])
            .collect();
        let tail = vocab - candidates.len();
        let stride = tail.div_ceil(TAIL_SAMPLE_ROWS).max(1);
        let sample: Vec<u32> = (0..vocab as u32)
            .filter(|&id| !in_shortlist[id as usize])
            .step_by(stride)
            .collect();

        let mut column = vec![NOT_SCORED; vocab];
        for (col, &id) in candidates.iter().chain(&sample).enumerate() {
            column[id as usize] = col as u32;
        }
        let ln_weight = (tail as f32 / sample.len().max(1) as f32).ln();
        // Quantised precision implies the CPU (see `Gemma3::load`).
        let blocks = if let Precision::Quantised(kernel) = precision {
            let mut blocks = packed_blocks(output, &candidates, 0, 0.0, kernel)?;
            blocks.extend(packed_blocks(
                output,
                &sample,
                candidates.len(),
                ln_weight,
                kernel,
            )?);
            blocks
        } else {
            let mut blocks = self::blocks(
                Arc::new(gather(output, &candidates)?),
                0,
                0.0,
                device,
                BLOCK_ROWS,
            )?;
            if !sample.is_empty() {
                let sample = Arc::new(gather(output, &sample)?);
                blocks.extend(self::blocks(
                    sample,
                    candidates.len(),
                    ln_weight,
                    device,
                    BLOCK_ROWS,
                )?);
            }
            blocks
        };
        Ok(OutputHead {
            blocks,
            candidates: candidates.len(),
            column: Some(column),
        })
    }

    /// Vocabulary entries scored exactly.
    pub fn candidates(&self) -> usize {
        self.candidates
    }

    fn column_of(&self, id: u32) -> Option<usize> {
        match &self.column {
            None => Some(id as usize),
            Some(columns) => columns
                .get(id as usize)
                .filter(|&&c| c != NOT_SCORED)
                .map(|&c| c as usize),
        }
    }

    /// Surprisal of `targets[i]` after hidden state `hidden[i]` (`[n, width]`, final-normed);
    /// `target_rows` are the targets' own (dequantised) output rows `[n, width]`, used for
    /// targets outside the shortlist.
    pub fn surprisal(
        &self,
        hidden: &Tensor,
        targets: &[u32],
        target_rows: &Tensor,
    ) -> candle_core::Result<Vec<f32>> {
        let n = targets.len();
        let columns: Vec<Option<usize>> = targets.iter().map(|&t| self.column_of(t)).collect();
        // Terms of the normaliser per row: one log-sum-exp per block, plus the direct logit
        // of a target without a column.
        let mut terms: Vec<Vec<f32>> = vec![Vec::with_capacity(self.blocks.len() + 1); n];
        let mut target_logit = vec![f32::NEG_INFINITY; n];
        let mut quantised_hidden = None;
        for block in &self.blocks {
            let in_block = |i: usize| {
                columns[i]
                    .filter(|c| (block.first_column..block.first_column + block.len).contains(c))
                    .map(|c| c - block.first_column)
            };
            let (lse, picked) = match &block.rows {
                Rows::Dense(rows) => {
                    block_lse_and_targets(&hidden.matmul(&rows.t()?)?, n, &in_block)?
                }
                Rows::Quantised { matrix, range } => {
                    let rows = dequantised(matrix, range)?;
                    block_lse_and_targets(&hidden.matmul(&rows.t()?)?, n, &in_block)?
                }
                Rows::Packed(rows) => {
                    let x = match &quantised_hidden {
                        Some(x) => x,
                        None => quantised_hidden.insert(QuantisedActivations::of_tensor(hidden)?),
                    };
                    rows_lse_and_targets(&rows.matmul(x), block.len, &in_block)
                }
            };
            for i in 0..n {
                terms[i].push(lse[i] + block.ln_weight);
                if let Some(logit) = picked[i] {
                    target_logit[i] = logit;
                }
            }
        }
        if columns.iter().any(Option::is_none) {
            let direct: Vec<f32> = (hidden * target_rows)?
                .sum(1)?
                .to_device(&Device::Cpu)?
                .to_vec1()?;
            for i in (0..n).filter(|&i| columns[i].is_none()) {
                target_logit[i] = direct[i];
                terms[i].push(direct[i]);
            }
        }
        Ok((0..n)
            .map(|i| log_sum_exp(&terms[i]) - target_logit[i])
            .collect())
    }
}

/// Rows `ids` of `output` as a new quantised matrix on the CPU. Gathers whole quantised
/// rows: the block layout of a row does not depend on its index.
fn gather(output: &QTensor, ids: &[u32]) -> candle_core::Result<QTensor> {
    let data = output.data()?;
    let row_bytes = data.len() / output.shape().dims2()?.0;
    let mut gathered = Vec::with_capacity(ids.len() * row_bytes);
    for &id in ids {
        let start = id as usize * row_bytes;
        gathered.extend_from_slice(&data[start..start + row_bytes]);
    }
    quantised_rows(Cow::Owned(gathered), ids.len(), output)
}

/// Blocks covering all rows of `matrix`, as logits columns from `first_column` on. On the
/// CPU the rows stay quantised and each block of `block_rows` is dequantised when used
/// (f32 copies of a shortlist would take 230 MB per language); accelerators have the
/// memory and get one dense block.
fn blocks(
    matrix: Arc<QTensor>,
    first_column: usize,
    ln_weight: f32,
    device: &Device,
    block_rows: usize,
) -> candle_core::Result<Vec<Block>> {
    let rows = matrix.shape().dims2()?.0;
    if !device.is_cpu() {
        return Ok(vec![Block {
            rows: Rows::Dense(matrix.dequantize(device)?),
            first_column,
            len: rows,
            ln_weight,
        }]);
    }
    Ok((0..rows)
        .step_by(block_rows.max(1))
        .map(|first| {
            let range = first..(first + block_rows).min(rows);
            Block {
                first_column: first_column + first,
                len: range.len(),
                rows: Rows::Quantised {
                    matrix: matrix.clone(),
                    range,
                },
                ln_weight,
            }
        })
        .collect())
}

/// Rows per 8-bit block: its logits for a 128-token chunk take 2 MB (packed blocks are
/// not dequantised on use, so small blocks cost nothing but keep the buffers small).
const PACKED_BLOCK_ROWS: usize = 4096;

/// Rows packed at a time while building 8-bit blocks (a multiple of 16): 2.6 MB as f32.
const PACK_ROWS: usize = 1024;

/// Rows `ids` of `output` as blocks of [`PACKED_BLOCK_ROWS`] 8-bit tiles, logits columns from
/// `first_column` on. Packed a few rows at a time, so building a head never holds an f32
/// copy of it.
fn packed_blocks(
    output: &QTensor,
    ids: &[u32],
    first_column: usize,
    ln_weight: f32,
    kernel: Kernel,
) -> candle_core::Result<Vec<Block>> {
    let width = output.shape().dims2()?.1;
    ids.chunks(PACKED_BLOCK_ROWS)
        .enumerate()
        .map(|(index, block_ids)| {
            let mut packed = PackedMatrix::empty(width).with_kernel(kernel);
            for chunk in block_ids.chunks(PACK_ROWS) {
                let values: Vec<f32> = gather(output, chunk)?
                    .dequantize(&Device::Cpu)?
                    .flatten_all()?
                    .to_vec1()?;
                let rows = PackedMatrix::pack(&values, chunk.len(), width)
                    .map_err(candle_core::Error::wrap)?;
                packed.append(rows);
            }
            Ok(Block {
                rows: Rows::Packed(packed),
                first_column: first_column + index * PACKED_BLOCK_ROWS,
                len: block_ids.len(),
                ln_weight,
            })
        })
        .collect()
}

/// Per row of `logits` (`[n, columns]`): its log-sum-exp, and the logit at column
/// `in_block(i)` when there is one.
fn block_lse_and_targets(
    logits: &Tensor,
    n: usize,
    in_block: &(dyn Fn(usize) -> Option<usize> + Sync),
) -> candle_core::Result<(Vec<f32>, Vec<Option<f32>>)> {
    if logits.device().is_cpu() {
        // Read the logits in place: copying them out costs more than the maths.
        let width = logits.dim(1)?;
        let (storage, layout) = logits.storage_and_layout();
        let Storage::Cpu(cpu) = &*storage else {
            candle_core::bail!("CPU tensor without CPU storage")
        };
        if !layout.is_contiguous() {
            candle_core::bail!("logits are not contiguous");
        }
        let all = &cpu.as_slice::<f32>()?[layout.start_offset()..];
        Ok(rows_lse_and_targets(&all[..n * width], width, in_block))
    } else {
        let lse: Vec<f32> = logits
            .log_sum_exp(D::Minus1)?
            .to_device(&Device::Cpu)?
            .to_vec1()?;
        let columns: Vec<u32> = (0..n).map(|i| in_block(i).unwrap_or(0) as u32).collect();
        let columns = Tensor::from_vec(columns, (n, 1), logits.device())?;
        let gathered: Vec<f32> = logits
            .gather(&columns, 1)?
            .squeeze(1)?
            .to_device(&Device::Cpu)?
            .to_vec1()?;
        let picked = (0..n).map(|i| in_block(i).map(|_| gathered[i])).collect();
        Ok((lse, picked))
    }
}

/// [`block_lse_and_targets`] over row-major logits `[n, width]` in memory.
fn rows_lse_and_targets(
    logits: &[f32],
    width: usize,
    in_block: &(dyn Fn(usize) -> Option<usize> + Sync),
) -> (Vec<f32>, Vec<Option<f32>>) {
    // Rows in parallel: one article's chunk would otherwise normalise its logits on one
    // core while the others wait.
    logits
        .par_chunks_exact(width)
        .enumerate()
        .with_min_len(LSE_ROWS_PER_TASK)
        .map(|(i, row)| (row_lse(row), in_block(i).map(|c| row[c])))
        .unzip()
}

/// Fewest logits rows per parallel task.
const LSE_ROWS_PER_TASK: usize = 8;

/// log Σ e^v over a few terms.
fn log_sum_exp(terms: &[f32]) -> f32 {
    let max = terms.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if max == f32::NEG_INFINITY {
        return max;
    }
    max + terms.iter().map(|t| (t - max).exp()).sum::<f32>().ln()
}

/// log Σ e^v over a logits row, in one max pass and one vectorised exp pass.
pub fn row_lse(values: &[f32]) -> f32 {
    let max = max_of(values);
    if max == f32::NEG_INFINITY {
        return max;
    }
    max + sum_exp_shifted(values, max).ln()
}

fn max_of(values: &[f32]) -> f32 {
    // Eight independent lanes so the loop vectorises.
    let mut lanes = [f32::NEG_INFINITY; 8];
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane = lane.max(v);
        }
    }
    rest.iter()
        .chain(lanes.iter())
        .copied()
        .fold(f32::NEG_INFINITY, f32::max)
}

/// Σ e^(v − shift), with a polynomial exp that the compiler vectorises (libm's `expf`
/// does not vectorise and would dominate the head's cost).
fn sum_exp_shifted(values: &[f32], shift: f32) -> f32 {
    let mut lanes = [0f32; 8];
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += fastmath::exp(v - shift);
        }
    }
    let tail: f32 = rest.iter().map(|&v| fastmath::exp(v - shift)).sum();
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_lse(values: &[f32]) -> f64 {
        let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        max + values
            .iter()
            .map(|&v| (v as f64 - max).exp())
            .sum::<f64>()
            .ln()
    }

    #[test]
    fn row_lse_matches_f64_reference() {
        let values: Vec<f32> = (0..1001)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 3.0)
            .collect();
        let got = row_lse(&values) as f64;
        assert!((got - reference_lse(&values)).abs() < 1e-4, "{got}");
        assert_eq!(row_lse(&[]), f32::NEG_INFINITY);
    }

    #[test]
    fn block_terms_combine_like_one_normaliser() {
        // Tail of 4 equal logits represented by 1 sample with weight 4, plus an extra term.
        let got = log_sum_exp(&[row_lse(&[1.0, 2.0]), row_lse(&[0.5]) + 4f32.ln(), 3.0]) as f64;
        let want = reference_lse(&[1.0, 2.0, 0.5, 0.5, 0.5, 0.5, 3.0]);
        assert!((got - want).abs() < 1e-5, "{got} vs {want}");
    }

    #[test]
    fn shortlist_head_matches_exact_on_shortlisted_targets() {
        // 64 rows × 32 columns of Q8_0; a shortlist holding every row is exact.
        let weights: Vec<f32> = (0..64 * 32)
            .map(|i| ((i * 7919 % 211) as f32 - 105.0) / 50.0)
            .collect();
        let dense = Tensor::from_vec(weights, (64, 32), &Device::Cpu).unwrap();
        let output =
            Arc::new(QTensor::quantize(&dense, candle_core::quantized::GgmlDType::Q8_0).unwrap());
        let hidden = Tensor::from_vec(
            (0..2 * 32)
                .map(|i| (i as f32 / 20.0).sin())
                .collect::<Vec<_>>(),
            (2, 32),
            &Device::Cpu,
        )
        .unwrap();
        let targets = [5u32, 63];
        let rows = output
            .dequantize(&Device::Cpu)
            .unwrap()
            .index_select(&Tensor::new(&targets, &Device::Cpu).unwrap(), 0)
            .unwrap();
        let exact = OutputHead::exact(&output, &Device::Cpu)
            .unwrap()
            .surprisal(&hidden, &targets, &rows)
            .unwrap();
        // The same rows dequantised in blocks of 16 give the same surprisal.
        let blocked = OutputHead {
            blocks: blocks(output.clone(), 0, 0.0, &Device::Cpu, 16).unwrap(),
            candidates: 64,
            column: None,
        };
        assert_eq!(blocked.blocks.len(), 4);
        let in_blocks = blocked.surprisal(&hidden, &targets, &rows).unwrap();
        for (a, b) in exact.iter().zip(&in_blocks) {
            assert!((a - b).abs() < 1e-5, "{exact:?} vs {in_blocks:?}");
        }
        let all: Vec<u32> = (0..64).collect();
        let full_list = OutputHead::shortlist(&output, &all, &Device::Cpu, Precision::F32).unwrap();
        assert_eq!(full_list.candidates(), 64);
        let listed = full_list.surprisal(&hidden, &targets, &rows).unwrap();
        for (a, b) in exact.iter().zip(&listed) {
            assert!((a - b).abs() < 1e-5, "{exact:?} vs {listed:?}");
        }
        // A shortlist of 40 rows: the other 24 are all sampled (weight 1), so still exact.
        let first_40: Vec<u32> = (0..40).collect();
        let partial =
            OutputHead::shortlist(&output, &first_40, &Device::Cpu, Precision::F32).unwrap();
        assert_eq!(partial.candidates(), 40);
        let approx = partial.surprisal(&hidden, &targets, &rows).unwrap();
        for (a, b) in exact.iter().zip(&approx) {
            assert!((a - b).abs() < 1e-4, "{exact:?} vs {approx:?}");
        }
        // The same with 8-bit rows and 16-bit hidden states: close, not equal.
        let packed = OutputHead::shortlist(
            &output,
            &first_40,
            &Device::Cpu,
            Precision::Quantised(Kernel::best()),
        )
        .unwrap();
        assert!(packed
            .blocks
            .iter()
            .all(|b| matches!(b.rows, Rows::Packed(_))));
        let approx = packed.surprisal(&hidden, &targets, &rows).unwrap();
        for (a, b) in exact.iter().zip(&approx) {
            assert!((a - b).abs() < 0.02, "{exact:?} vs {approx:?}");
        }
    }
}
