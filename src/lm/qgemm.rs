//! Quantised matrix products for the CPU: 8-bit weights times 16-bit activations with
//! integer accumulation, used by the default (non-exact) scoring mode.
//!
//! Why: on two AVX2 cores candle's f32 GEMM peaks near 75 GFLOP/s while scoring needs
//! about 0.3 GFLOP per token (layers, attention and a shortlisted head), which caps f32
//! scoring near 200 tokens/s. `vpmaddwd` multiplies 16 pairs of 16-bit integers and adds
//! them into 32-bit lanes in one instruction (an f32 FMA does 8 products), and the weights
//! take 1.25 bytes each instead of 4, which is also what keeps the default mode's memory
//! low. 8-bit activations (llama.cpp's Q8 activations, `vpmaddubsw`) would be no faster
//! per instruction on AVX2 and moved surprisal by 0.07 nats per token on the samples;
//! 16-bit ones lose nothing measurable.
//!
//! Weights are stored per row in blocks of [`BLOCK`] columns as `w = offset + scale · q`,
//! `q ∈ −127..=127`, which holds every Q8_0, Q5_0 and Q4_K block of the GGUF exactly (each
//! lies on an evenly spaced grid of at most 255 levels). Packing refuses a matrix with a
//! block off such a grid (Q6_K has two 16-value scales per block; rounding those to one
//! grid moved surprisal by 0.01 nats per token), so the caller keeps it in f32: the
//! weights are always the GGUF's own, only activations are rounded.
//!
//! Activations are quantised per token and block as `x ≈ d · a`, `a ∈ −32,767..=32,767`. Then
//!
//! ```text
//! Σ x·w  ≈  d · scale · Σ a·q  +  offset · (d · Σ a)
//! ```
//!
//! A block's sum is at most 32 · 127 · 32,767 < 2³¹, so the 32-bit lanes never overflow.
//! Where AVX2 is missing a scalar loop computes the same sums.

use super::fastmath::round;
use rayon::prelude::*;

/// Columns per quantisation block.
pub const BLOCK: usize = 32;
/// Weight rows per tile: one 16-byte load holds two columns of eight rows.
const TILE_ROWS: usize = 16;
/// Tokens a kernel call serves at once (each weight load is used this many times).
const KERNEL_TOKENS: usize = 4;
/// Tokens per parallel task: their quantised activations stay in L1 while the task walks
/// every weight tile.
const TASK_TOKENS: usize = 8;
/// Largest weight code magnitude.
const Q_MAX: f32 = 127.0;
/// Largest activation code magnitude.
const A_MAX: f32 = 32_767.0;

/// One block of [`BLOCK`] columns of [`TILE_ROWS`] weight rows.
#[derive(Clone)]
#[repr(C, align(32))]
struct Tile {
    /// Code of row `r`, column `c` at `(c / 2) * 32 + r * 2 + c % 2`.
    q: [i8; BLOCK * TILE_ROWS],
    scale: [f32; TILE_ROWS],
    offset: [f32; TILE_ROWS],
}

/// A weight matrix `[rows, cols]` in the 8-bit tiled format.
pub struct PackedMatrix {
    rows: usize,
    cols: usize,
    /// `tiles[tile_row * blocks + block]`; rows past `rows` are zero.
    tiles: Vec<Tile>,
}

/// Activations `[tokens, cols]` quantised per token and block.
pub struct QuantisedActivations {
    tokens: usize,
    cols: usize,
    codes: Vec<i16>,
    /// `d` per (token, block).
    scale: Vec<f32>,
    /// `d · Σ a` per (token, block): multiplies the weights' offsets.
    scaled_sum: Vec<f32>,
}

#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("quantised matmul needs a column count divisible by {BLOCK}, got {0}")]
    Shape(usize),
    #[error("row {row}, columns {first_column}.. are not on an 8-bit grid")]
    OffGrid { row: usize, first_column: usize },
}

impl PackedMatrix {
    /// Packs the row-major `values` (`rows × cols`) exactly, or fails.
    pub fn pack(values: &[f32], rows: usize, cols: usize) -> Result<PackedMatrix, PackError> {
        if cols == 0 || !cols.is_multiple_of(BLOCK) || values.len() != rows * cols {
            return Err(PackError::Shape(cols));
        }
        let blocks = cols / BLOCK;
        let empty = Tile {
            q: [0; BLOCK * TILE_ROWS],
            scale: [0.0; TILE_ROWS],
            offset: [0.0; TILE_ROWS],
        };
        let mut tiles = vec![empty; rows.div_ceil(TILE_ROWS) * blocks];
        tiles
            .par_chunks_mut(blocks)
            .enumerate()
            .try_for_each(|(tile_row, tiles)| {
                let first_row = tile_row * TILE_ROWS;
                for row in first_row..rows.min(first_row + TILE_ROWS) {
                    let r = row - first_row;
                    let row_values = &values[row * cols..(row + 1) * cols];
                    for (block, (chunk, tile)) in row_values
                        .chunks_exact(BLOCK)
                        .zip(tiles.iter_mut())
                        .enumerate()
                    {
                        let (offset, scale) = grid(chunk).ok_or(PackError::OffGrid {
                            row,
                            first_column: block * BLOCK,
                        })?;
                        let inverse = if scale > 0.0 { 1.0 / scale } else { 0.0 };
                        for (c, &v) in chunk.iter().enumerate() {
                            let q = round((v - offset) * inverse).clamp(-Q_MAX, Q_MAX);
                            tile.q[(c / 2) * 32 + r * 2 + c % 2] = q as i8;
                        }
                        tile.scale[r] = scale;
                        tile.offset[r] = offset;
                    }
                }
                Ok(())
            })?;
        Ok(PackedMatrix { rows, cols, tiles })
    }

    /// A matrix of no rows, to [`append`](Self::append) to.
    pub fn empty(cols: usize) -> PackedMatrix {
        PackedMatrix {
            rows: 0,
            cols,
            tiles: Vec::new(),
        }
    }

    /// Appends the rows of `more`; the rows so far must fill whole tiles (a multiple of 16).
    pub fn append(&mut self, more: PackedMatrix) {
        assert_eq!(self.rows % TILE_ROWS, 0, "append after a partial tile");
        assert_eq!(self.cols, more.cols, "appended width");
        self.rows += more.rows;
        self.tiles.extend(more.tiles);
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Bytes held by the packed weights.
    pub fn size_bytes(&self) -> usize {
        self.tiles.len() * std::mem::size_of::<Tile>()
    }

    /// `x · Wᵀ`: `[tokens, rows]`, row-major.
    pub fn matmul(&self, x: &QuantisedActivations) -> Vec<f32> {
        assert_eq!(x.cols, self.cols, "activation width");
        let width = self.rows;
        let mut out = vec![0f32; x.tokens * width];
        if width == 0 {
            return out;
        }
        let blocks = self.cols / BLOCK;
        out.par_chunks_mut(TASK_TOKENS * width)
            .enumerate()
            .for_each(|(task, out)| {
                let first_token = task * TASK_TOKENS;
                let tokens = out.len() / width;
                for (tile_row, tiles) in self.tiles.chunks_exact(blocks).enumerate() {
                    let column = tile_row * TILE_ROWS;
                    let valid = (width - column).min(TILE_ROWS);
                    let mut t = 0;
                    while t < tokens {
                        let group = (tokens - t).min(KERNEL_TOKENS);
                        let sums = x.tile_products(tiles, first_token + t, group);
                        for (m, sums) in sums[..group].iter().enumerate() {
                            let dst = &mut out[(t + m) * width + column..][..valid];
                            dst.copy_from_slice(&sums[..valid]);
                        }
                        t += group;
                    }
                }
            });
        out
    }
}

/// `(offset, step)` with every value of the block equal to `offset + step · q` for an
/// integer `|q| ≤ 127`, if there is such a grid.
fn grid(block: &[f32]) -> Option<(f32, f32)> {
    let mut sorted = [0f32; BLOCK];
    sorted.copy_from_slice(block);
    sorted.sort_unstable_by(f32::total_cmp);
    let (lo, hi) = (sorted[0], sorted[BLOCK - 1]);
    if hi <= lo {
        return Some((lo, 0.0));
    }
    // Codes −127..=127 centred on the grid: the offset is the level nearest the middle.
    let centred = |step: f32| (lo + step * ((hi - lo) / step / 2.0).round(), step);
    // Relative tolerance: the GGUF's dequantised values carry f32 rounding.
    let tolerance = 1e-4 * (hi - lo);
    let smallest_gap = sorted
        .windows(2)
        .map(|pair| pair[1] - pair[0])
        .filter(|&gap| gap > tolerance)
        .fold(f32::INFINITY, f32::min);
    // The step divides the smallest gap; at most 254 steps span the block.
    let most = (2.0 * Q_MAX * smallest_gap / (hi - lo)).floor() as usize;
    for divisor in 1..=most {
        let step = smallest_gap / divisor as f32;
        let (inverse, tolerance) = (1.0 / step, tolerance / step);
        let on_grid = block.iter().all(|&v| {
            let k = (v - lo) * inverse;
            (k - round(k)).abs() <= tolerance
        });
        if on_grid {
            return Some(centred(step));
        }
    }
    None
}

impl QuantisedActivations {
    /// Quantises the row-major `x` (`tokens × cols`, `cols` divisible by [`BLOCK`]).
    pub fn quantise(x: &[f32], cols: usize) -> Result<QuantisedActivations, PackError> {
        if cols == 0 || !cols.is_multiple_of(BLOCK) || !x.len().is_multiple_of(cols) {
            return Err(PackError::Shape(cols));
        }
        let blocks = x.len() / BLOCK;
        let mut codes = vec![0i16; x.len()];
        let mut scale = Vec::with_capacity(blocks);
        let mut scaled_sum = Vec::with_capacity(blocks);
        for (chunk, codes) in x.chunks_exact(BLOCK).zip(codes.chunks_exact_mut(BLOCK)) {
            let max = chunk.iter().fold(0f32, |m, v| m.max(v.abs()));
            let d = max / A_MAX;
            let inverse = if d > 0.0 { 1.0 / d } else { 0.0 };
            let mut sum = 0i32;
            for (code, &v) in codes.iter_mut().zip(chunk) {
                *code = round(v * inverse) as i16;
                sum += *code as i32;
            }
            scale.push(d);
            scaled_sum.push(d * sum as f32);
        }
        Ok(QuantisedActivations {
            tokens: x.len() / cols,
            cols,
            codes,
            scale,
            scaled_sum,
        })
    }

    /// Quantises the f32 matrix `x` (`[tokens, cols]`, any device).
    pub fn of_tensor(x: &candle_core::Tensor) -> candle_core::Result<QuantisedActivations> {
        let cols = x.dim(1)?;
        let values: Vec<f32> = x.flatten_all()?.to_vec1()?;
        Self::quantise(&values, cols).map_err(candle_core::Error::wrap)
    }

    pub fn tokens(&self) -> usize {
        self.tokens
    }

    /// Dot products of tokens `first..first + count` (count ≤ 4) with the 16 rows of one
    /// tile row (`tiles`: its blocks in order).
    fn tile_products(
        &self,
        tiles: &[Tile],
        first: usize,
        count: usize,
    ) -> [[f32; TILE_ROWS]; KERNEL_TOKENS] {
        #[cfg(target_arch = "x86_64")]
        if avx2::available() {
            // SAFETY: AVX2 and FMA are present; the token range is checked by the slicing
            // in `token`.
            return unsafe {
                match count {
                    4 => avx2::tile_products::<4>(tiles, self.token_group(first)),
                    3 => avx2::tile_products::<3>(tiles, self.token_group(first)),
                    2 => avx2::tile_products::<2>(tiles, self.token_group(first)),
                    _ => avx2::tile_products::<1>(tiles, self.token_group(first)),
                }
            };
        }
        let mut out = [[0f32; TILE_ROWS]; KERNEL_TOKENS];
        for (m, out) in out.iter_mut().enumerate().take(count) {
            *out = scalar_tile_products(tiles, self.token(first + m));
        }
        out
    }

    fn token(&self, index: usize) -> Token<'_> {
        let blocks = self.cols / BLOCK;
        Token {
            codes: &self.codes[index * self.cols..(index + 1) * self.cols],
            scale: &self.scale[index * blocks..(index + 1) * blocks],
            scaled_sum: &self.scaled_sum[index * blocks..(index + 1) * blocks],
        }
    }

    #[cfg(target_arch = "x86_64")]
    fn token_group<const M: usize>(&self, first: usize) -> [Token<'_>; M] {
        std::array::from_fn(|m| self.token(first + m))
    }
}

/// One token's quantised activations.
#[derive(Clone, Copy)]
struct Token<'a> {
    codes: &'a [i16],
    scale: &'a [f32],
    scaled_sum: &'a [f32],
}

fn scalar_tile_products(tiles: &[Tile], token: Token<'_>) -> [f32; TILE_ROWS] {
    let mut out = [0f32; TILE_ROWS];
    for (block, tile) in tiles.iter().enumerate() {
        let codes = &token.codes[block * BLOCK..(block + 1) * BLOCK];
        for (r, out) in out.iter_mut().enumerate() {
            let sum: i32 = (0..BLOCK)
                .map(|c| tile.q[(c / 2) * 32 + r * 2 + c % 2] as i32 * codes[c] as i32)
                .sum();
            *out += tile.scale[r] * token.scale[block] * sum as f32
                + tile.offset[r] * token.scaled_sum[block];
        }
    }
    out
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Tile, Token, BLOCK, KERNEL_TOKENS, TILE_ROWS};
    use std::arch::x86_64::*;

    pub fn available() -> bool {
        static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *AVAILABLE
            .get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
    }

    /// [`super::scalar_tile_products`] for `M` tokens at once.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn tile_products<const M: usize>(
        tiles: &[Tile],
        tokens: [Token<'_>; M],
    ) -> [[f32; TILE_ROWS]; KERNEL_TOKENS] {
        let mut acc = [[_mm256_setzero_ps(); 2]; M];
        for (block, tile) in tiles.iter().enumerate() {
            let mut sums = [[_mm256_setzero_si256(); 2]; M];
            for group in 0..BLOCK / 2 {
                // Tile is 32-byte aligned and `q` is its first field: 16-byte loads align.
                let q = tile.q.as_ptr().add(group * 32) as *const __m128i;
                // Two columns of rows 0–7 and of rows 8–15, widened to 16 bits.
                let w_low = _mm256_cvtepi8_epi16(_mm_load_si128(q));
                let w_high = _mm256_cvtepi8_epi16(_mm_load_si128(q.add(1)));
                for m in 0..M {
                    let codes = tokens[m].codes.as_ptr().add(block * BLOCK + group * 2);
                    let a = _mm256_set1_epi32((codes as *const i32).read_unaligned());
                    let low = _mm256_madd_epi16(w_low, a);
                    let high = _mm256_madd_epi16(w_high, a);
                    sums[m][0] = _mm256_add_epi32(sums[m][0], low);
                    sums[m][1] = _mm256_add_epi32(sums[m][1], high);
                }
            }
            for half in 0..2 {
                let scale = _mm256_loadu_ps(tile.scale.as_ptr().add(half * 8));
                let offset = _mm256_loadu_ps(tile.offset.as_ptr().add(half * 8));
                for m in 0..M {
                    let d = _mm256_set1_ps(tokens[m].scale[block]);
                    let d_sum = _mm256_set1_ps(tokens[m].scaled_sum[block]);
                    let products = _mm256_cvtepi32_ps(sums[m][half]);
                    acc[m][half] = _mm256_fmadd_ps(products, _mm256_mul_ps(scale, d), acc[m][half]);
                    acc[m][half] = _mm256_fmadd_ps(offset, d_sum, acc[m][half]);
                }
            }
        }
        let mut out = [[0f32; TILE_ROWS]; KERNEL_TOKENS];
        for m in 0..M {
            _mm256_storeu_ps(out[m].as_mut_ptr(), acc[m][0]);
            _mm256_storeu_ps(out[m].as_mut_ptr().add(8), acc[m][1]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic values in [-1, 1) with some larger outliers.
    fn values(n: usize, seed: u64) -> Vec<f32> {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let v = ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0;
                if i % 97 == 0 {
                    v * 8.0
                } else {
                    v
                }
            })
            .collect()
    }

    /// Q5_0-like weights: per block of 32, a step times integers −16..=15.
    fn gridded(n: usize, seed: u64) -> Vec<f32> {
        values(n, seed)
            .chunks(BLOCK)
            .flat_map(|block| {
                let step = block.iter().fold(0f32, |m, v| m.max(v.abs())) / 16.0;
                block
                    .iter()
                    .map(move |v| step * (v / step).round().clamp(-16.0, 15.0))
            })
            .collect()
    }

    fn reference(x: &[f32], w: &[f32], cols: usize) -> Vec<f32> {
        x.chunks(cols)
            .flat_map(|x| {
                w.chunks(cols)
                    .map(move |w| x.iter().zip(w).map(|(a, b)| a * b).sum::<f32>())
            })
            .collect()
    }

    #[test]
    fn gridded_weights_pack_exactly() {
        let (rows, cols) = (3, 64);
        let w = gridded(rows * cols, 1);
        let packed = PackedMatrix::pack(&w, rows, cols).unwrap();
        for row in 0..rows {
            for col in 0..cols {
                let tile = &packed.tiles[(row / TILE_ROWS) * 2 + col / BLOCK];
                let (r, c) = (row % TILE_ROWS, col % BLOCK);
                let q = tile.q[(c / 2) * 32 + r * 2 + c % 2];
                assert_ne!(q, i8::MIN);
                let back = tile.offset[r] + tile.scale[r] * q as f32;
                let v = w[row * cols + col];
                assert!((back - v).abs() <= 1e-5 * v.abs().max(1.0), "{back} vs {v}");
            }
        }
    }

    #[test]
    fn blocks_on_a_grid_are_stored_exactly() {
        // A Q5_0-like block: step 0.0371 times integers -16..=15, with some levels missing.
        let step = 0.0371f32;
        let block: Vec<f32> = (0..32)
            .map(|i| step * ((i * 7 % 29) as f32 - 16.0))
            .collect();
        let (_, found) = grid(&block).unwrap();
        assert!((found - step).abs() < 1e-6, "{found}");
        let packed = PackedMatrix::pack(&block, 1, 32).unwrap();
        let tile = &packed.tiles[0];
        for (c, &v) in block.iter().enumerate() {
            let back = tile.offset[0] + tile.scale[0] * tile.q[(c / 2) * 32 + c % 2] as f32;
            assert!((back - v).abs() < 1e-5, "{back} vs {v}");
        }
        // Even levels only: the step found is twice the nominal one, still exact.
        let even: Vec<f32> = (0..32).map(|i| step * (2 * (i % 8)) as f32).collect();
        assert!((grid(&even).unwrap().1 - 2.0 * step).abs() < 1e-6);
        // A Q8_0-like block (255 levels, symmetric) is exact too, with offset 0.
        let mut q8: Vec<f32> = (0..32).map(|i| step * ((i * 8) as f32 - 127.0)).collect();
        q8[1] = step * -126.0;
        q8[31] = step * 127.0;
        let (offset, found) = grid(&q8).unwrap();
        assert!(
            offset.abs() < 1e-4 && (found - step).abs() < 1e-6,
            "{offset} {found}"
        );
        // Values off any 255-level grid are refused, naming the block.
        let off = [gridded(32, 9), values(32, 9)].concat();
        assert!(grid(&off[32..]).is_none());
        let err = PackedMatrix::pack(&off, 1, 64).err().unwrap();
        assert!(
            matches!(
                err,
                PackError::OffGrid {
                    row: 0,
                    first_column: 32
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn products_match_f32_within_activation_rounding() {
        // 37 rows (not a multiple of 16) and 11 tokens (not a multiple of 4 or 8).
        let (tokens, rows, cols) = (11, 37, 640);
        let x = values(tokens * cols, 2);
        let w = gridded(rows * cols, 3);
        let want = reference(&x, &w, cols);
        let got = PackedMatrix::pack(&w, rows, cols)
            .unwrap()
            .matmul(&QuantisedActivations::quantise(&x, cols).unwrap());
        assert_eq!(got.len(), want.len());
        let scale = want.iter().fold(0f32, |m, v| m.max(v.abs()));
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-4 * scale, "{g} vs {w} (scale {scale})");
        }
    }

    #[test]
    fn simd_and_scalar_kernels_agree() {
        let (tokens, rows, cols) = (4, 16, 96);
        let x = QuantisedActivations::quantise(&values(tokens * cols, 4), cols).unwrap();
        let w = PackedMatrix::pack(&gridded(rows * cols, 5), rows, cols).unwrap();
        for count in 1..=4 {
            let fast = x.tile_products(&w.tiles, 0, count);
            for (m, fast) in fast.iter().enumerate().take(count) {
                let slow = scalar_tile_products(&w.tiles, x.token(m));
                for (a, b) in fast.iter().zip(&slow) {
                    assert!((a - b).abs() <= 1e-4 * b.abs().max(1.0), "{a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn appended_rows_multiply_like_one_matrix() {
        let (tokens, cols) = (3, 64);
        let x = QuantisedActivations::quantise(&values(tokens * cols, 10), cols).unwrap();
        let w = gridded(40 * cols, 11);
        let whole = PackedMatrix::pack(&w, 40, cols).unwrap();
        let mut parts = PackedMatrix::empty(cols);
        parts.append(PackedMatrix::pack(&w[..32 * cols], 32, cols).unwrap());
        parts.append(PackedMatrix::pack(&w[32 * cols..], 8, cols).unwrap());
        assert_eq!(parts.rows(), 40);
        assert_eq!(parts.matmul(&x), whole.matmul(&x));
    }

    #[test]
    fn zero_blocks_and_bad_widths() {
        let x = QuantisedActivations::quantise(&[0.0; 32], 32).unwrap();
        let w = PackedMatrix::pack(&[0.5; 32], 1, 32).unwrap();
        assert_eq!(w.matmul(&x), [0.0]);
        assert!(PackedMatrix::pack(&[0.0; 30], 1, 30).is_err());
        assert!(PackedMatrix::pack(&[], 0, 0).is_err());
        assert!(QuantisedActivations::quantise(&[0.0; 30], 30).is_err());
    }
}
