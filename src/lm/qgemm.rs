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
//!
//! [`Kernel`] names the instruction sets that compute the sums, chosen once per process
//! from what the CPU has (fastest first): AVX-512 VNNI, whose `vpdpwssd` multiplies 32
//! pairs and accumulates in one instruction where AVX2 needs `vpmaddwd` and `vpaddd` for
//! 16; AVX-VNNI (the same instruction on 256-bit vectors); AVX2; and a scalar loop. The
//! integer sums are exact and every kernel applies the scales in the same order with the
//! same fused multiply-adds, so the SIMD kernels give bit-identical results.

use super::fastmath::round;
use rayon::prelude::*;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

/// Columns per quantisation block.
pub const BLOCK: usize = 32;
/// Weight rows per tile: one 16-byte load holds two columns of eight rows.
const TILE_ROWS: usize = 16;
/// Tokens a kernel call serves at once (each weight load is used this many times).
const KERNEL_TOKENS: usize = 4;
/// Fewest tokens per parallel task.
const MIN_TASK_TOKENS: usize = 8;
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

/// The instruction set that computes the integer products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// AVX-512 VNNI (`vpdpwssd` on 512-bit vectors; Intel since Cascade Lake, AMD Zen 4).
    Avx512Vnni,
    /// AVX-VNNI (`vpdpwssd` on 256-bit vectors; Intel since Alder Lake, AMD Zen 5).
    AvxVnni,
    /// AVX2 and FMA (`vpmaddwd` + `vpaddd`).
    Avx2,
    /// Portable Rust, for CPUs without AVX2 and as the tests' reference.
    Scalar,
}

/// Why a `--cpu-kernel` value cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
    /// The name is not a kernel's (nor `auto`).
    #[error("unknown CPU kernel {0:?} (expected auto, avx512-vnni, avx-vnni, avx2 or scalar)")]
    Unknown(String),
    /// The kernel needs instructions this CPU lacks.
    #[error("this CPU lacks the instructions of the {0} kernel")]
    Unavailable(Kernel),
}

impl Kernel {
    /// Every kernel, fastest first.
    pub const ALL: [Kernel; 4] = [
        Kernel::Avx512Vnni,
        Kernel::AvxVnni,
        Kernel::Avx2,
        Kernel::Scalar,
    ];

    /// The fastest kernel this CPU runs (detected once).
    pub fn best() -> Kernel {
        static BEST: OnceLock<Kernel> = OnceLock::new();
        *BEST.get_or_init(|| {
            Kernel::ALL
                .into_iter()
                .find(|kernel| kernel.is_available())
                .unwrap_or(Kernel::Scalar)
        })
    }

    /// Whether this CPU has the kernel's instructions.
    pub fn is_available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
            match self {
                Kernel::Avx512Vnni => {
                    avx2 && is_x86_feature_detected!("avx512f")
                        && is_x86_feature_detected!("avx512bw")
                        && is_x86_feature_detected!("avx512vnni")
                }
                Kernel::AvxVnni => avx2 && is_x86_feature_detected!("avxvnni"),
                Kernel::Avx2 => avx2,
                Kernel::Scalar => true,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == Kernel::Scalar
        }
    }

    /// The kernel named `name` (`auto` for [`Kernel::best`]) if this CPU runs it.
    pub fn parse_available(name: &str) -> Result<Kernel, KernelError> {
        let kernel: Kernel = name.parse()?;
        if kernel.is_available() {
            Ok(kernel)
        } else {
            Err(KernelError::Unavailable(kernel))
        }
    }

    /// The kernel's name, as `--cpu-kernel` takes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kernel::Avx512Vnni => "avx512-vnni",
            Kernel::AvxVnni => "avx-vnni",
            Kernel::Avx2 => "avx2",
            Kernel::Scalar => "scalar",
        }
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kernel {
    type Err = KernelError;

    /// A kernel's name, or `auto` for [`Kernel::best`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        if lower == "auto" {
            return Ok(Kernel::best());
        }
        Kernel::ALL
            .into_iter()
            .find(|kernel| kernel.name() == lower)
            .ok_or_else(|| KernelError::Unknown(s.to_string()))
    }
}

/// A weight matrix `[rows, cols]` in the 8-bit tiled format.
pub struct PackedMatrix {
    rows: usize,
    cols: usize,
    /// Multiplies this matrix; available on this CPU (checked when set).
    kernel: Kernel,
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

/// Why a matrix cannot be packed or activations quantised.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// The column count is not a multiple of the 32-column block; the count is given.
    #[error("quantised matmul needs a column count divisible by {BLOCK}, got {0}")]
    Shape(usize),
    /// A block of a weight row is not exactly a scale times 8-bit codes plus an offset, so
    /// packing it would change the products.
    #[error("row {row}, columns {first_column}.. are not on an 8-bit grid")]
    OffGrid {
        /// The row.
        row: usize,
        /// The block's first column.
        first_column: usize,
    },
}

impl PackedMatrix {
    /// Packs the row-major `values` (`rows × cols`) exactly, or fails; multiplied by
    /// [`Kernel::best`] until [`with_kernel`](Self::with_kernel) says otherwise.
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
        Ok(PackedMatrix {
            rows,
            cols,
            kernel: Kernel::best(),
            tiles,
        })
    }

    /// A matrix of no rows, to [`append`](Self::append) to.
    pub(crate) fn empty(cols: usize) -> PackedMatrix {
        PackedMatrix {
            rows: 0,
            cols,
            kernel: Kernel::best(),
            tiles: Vec::new(),
        }
    }

    /// The same matrix multiplied by `kernel`.
    ///
    /// # Panics
    /// If this CPU lacks the kernel's instructions (see [`Kernel::is_available`]).
    pub fn with_kernel(self, kernel: Kernel) -> PackedMatrix {
        assert!(
            kernel.is_available(),
            "this CPU cannot run the {kernel} kernel"
        );
        PackedMatrix { kernel, ..self }
    }

    /// Appends the rows of `more`; the rows so far must fill whole tiles (a multiple of 16).
    /// Keeps this matrix's kernel.
    pub(crate) fn append(&mut self, more: PackedMatrix) {
        assert_eq!(self.rows % TILE_ROWS, 0, "append after a partial tile");
        assert_eq!(self.cols, more.cols, "appended width");
        self.rows += more.rows;
        self.tiles.extend(more.tiles);
    }

    pub(crate) fn rows(&self) -> usize {
        self.rows
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
        // One task per thread: each task streams every weight tile from memory once and
        // serves all its tokens from the tile while it sits in L1 (the tokens' activations,
        // read again for every tile, stay in L2).
        let per_task = x
            .tokens
            .div_ceil(rayon::current_num_threads())
            .next_multiple_of(KERNEL_TOKENS)
            .max(MIN_TASK_TOKENS);
        out.par_chunks_mut(per_task * width)
            .enumerate()
            .for_each(|(task, out)| {
                let first_token = task * per_task;
                let tokens = out.len() / width;
                for (tile_row, tiles) in self.tiles.chunks_exact(blocks).enumerate() {
                    let column = tile_row * TILE_ROWS;
                    let valid = (width - column).min(TILE_ROWS);
                    let mut t = 0;
                    while t < tokens {
                        let group = (tokens - t).min(KERNEL_TOKENS);
                        let sums = x.tile_products(self.kernel, tiles, first_token + t, group);
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
    let (lo, hi) = block
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if hi <= lo {
        return Some((lo, 0.0));
    }
    // Codes −127..=127 centred on the grid: the offset is the level nearest the middle.
    let centred = |step: f32| (lo + step * ((hi - lo) / step / 2.0).round(), step);
    // Relative tolerance: the GGUF's dequantised values carry f32 rounding.
    let tolerance = 1e-4 * (hi - lo);
    // Every value lies a whole number of steps above the lowest, so the step divides the
    // distance to the nearest level above it (found without sorting: packing the model
    // visits four million blocks).
    let nearest = block
        .iter()
        .map(|&v| v - lo)
        .filter(|&distance| distance > tolerance)
        .fold(f32::INFINITY, f32::min);
    // At most 254 steps span the block (the slack absorbs f32 rounding of the ratio; the
    // count of steps on a grid is a whole number, so it cannot pass 254).
    let most = (2.0 * Q_MAX * nearest / (hi - lo) + 1e-3).floor() as usize;
    for divisor in 1..=most {
        let step = nearest / divisor as f32;
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

/// Quantises one token's activations `x` block by block into `codes`, with each block's
/// scale and scaled code sum.
fn quantise_token(x: &[f32], codes: &mut [i16], scale: &mut [f32], scaled_sum: &mut [f32]) {
    let blocks = x.chunks_exact(BLOCK).zip(codes.chunks_exact_mut(BLOCK));
    for ((chunk, codes), (scale, scaled_sum)) in blocks.zip(scale.iter_mut().zip(scaled_sum)) {
        let max = chunk.iter().fold(0f32, |m, v| m.max(v.abs()));
        let d = max / A_MAX;
        let inverse = if d > 0.0 { 1.0 / d } else { 0.0 };
        let mut sum = 0i32;
        for (code, &v) in codes.iter_mut().zip(chunk) {
            *code = round(v * inverse) as i16;
            sum += *code as i32;
        }
        *scale = d;
        *scaled_sum = d * sum as f32;
    }
}

impl QuantisedActivations {
    /// Quantises the row-major `x` (`tokens × cols`, `cols` divisible by [`BLOCK`]).
    pub fn quantise(x: &[f32], cols: usize) -> Result<QuantisedActivations, PackError> {
        if cols == 0 || !cols.is_multiple_of(BLOCK) || !x.len().is_multiple_of(cols) {
            return Err(PackError::Shape(cols));
        }
        let blocks = x.len() / BLOCK;
        let mut codes = vec![0i16; x.len()];
        let mut scale = vec![0f32; blocks];
        let mut scaled_sum = vec![0f32; blocks];
        // Tokens in parallel: between two matrix products this is the only work, and one
        // core doing it would leave the others waiting.
        let per_token = cols / BLOCK;
        x.par_chunks(cols)
            .zip(codes.par_chunks_mut(cols))
            .zip(scale.par_chunks_mut(per_token))
            .zip(scaled_sum.par_chunks_mut(per_token))
            .with_min_len(MIN_TASK_TOKENS)
            .for_each(|(((x, codes), scale), scaled_sum)| {
                quantise_token(x, codes, scale, scaled_sum)
            });
        Ok(QuantisedActivations {
            tokens: x.len() / cols,
            cols,
            codes,
            scale,
            scaled_sum,
        })
    }

    /// Quantises the f32 matrix `x` (`[tokens, cols]`, any device).
    pub(crate) fn of_tensor(x: &candle_core::Tensor) -> candle_core::Result<QuantisedActivations> {
        let cols = x.dim(1)?;
        let values: Vec<f32> = x.flatten_all()?.to_vec1()?;
        Self::quantise(&values, cols).map_err(candle_core::Error::wrap)
    }

    pub(crate) fn tokens(&self) -> usize {
        self.tokens
    }

    /// Dot products of tokens `first..first + count` (count ≤ 4) with the 16 rows of one
    /// tile row (`tiles`: its blocks in order), computed by `kernel`, which this CPU runs.
    fn tile_products(
        &self,
        kernel: Kernel,
        tiles: &[Tile],
        first: usize,
        count: usize,
    ) -> [[f32; TILE_ROWS]; KERNEL_TOKENS] {
        /// Calls the kernel `module::tile_products` for `count` tokens.
        #[cfg(target_arch = "x86_64")]
        macro_rules! simd {
            ($module:ident) => {
                // SAFETY: `kernel` is available (checked when the matrix was given it) and
                // `token_group` slices the token range.
                unsafe {
                    match count {
                        4 => $module::tile_products::<4>(tiles, self.token_group(first)),
                        3 => $module::tile_products::<3>(tiles, self.token_group(first)),
                        2 => $module::tile_products::<2>(tiles, self.token_group(first)),
                        _ => $module::tile_products::<1>(tiles, self.token_group(first)),
                    }
                }
            };
        }
        match kernel {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512Vnni => simd!(avx512_vnni),
            #[cfg(target_arch = "x86_64")]
            Kernel::AvxVnni => simd!(avx_vnni),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => simd!(avx2),
            _ => {
                let mut out = [[0f32; TILE_ROWS]; KERNEL_TOKENS];
                for (m, out) in out.iter_mut().enumerate().take(count) {
                    *out = scalar_tile_products(tiles, self.token(first + m));
                }
                out
            }
        }
    }

    fn token(&self, index: usize) -> TokenCodes<'_> {
        let blocks = self.cols / BLOCK;
        TokenCodes {
            codes: &self.codes[index * self.cols..(index + 1) * self.cols],
            scale: &self.scale[index * blocks..(index + 1) * blocks],
            scaled_sum: &self.scaled_sum[index * blocks..(index + 1) * blocks],
        }
    }

    #[cfg(target_arch = "x86_64")]
    fn token_group<const M: usize>(&self, first: usize) -> [TokenCodes<'_>; M] {
        std::array::from_fn(|m| self.token(first + m))
    }
}

/// One token's quantised activations.
#[derive(Clone, Copy)]
struct TokenCodes<'a> {
    codes: &'a [i16],
    scale: &'a [f32],
    scaled_sum: &'a [f32],
}

impl TokenCodes<'_> {
    fn blocks(&self) -> usize {
        self.scale.len()
    }

    /// Codes of columns `2 · group` and `2 · group + 1` of `block`, as one 32-bit lane.
    ///
    /// # Safety
    /// `block < self.blocks()` and `group < BLOCK / 2`: the kernels' loops, unchecked there.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn code_pair(&self, block: usize, group: usize) -> i32 {
        // SAFETY: in bounds by the contract; i16 pairs are read unaligned.
        unsafe {
            (self.codes.as_ptr().add(block * BLOCK + group * 2) as *const i32).read_unaligned()
        }
    }
}

fn scalar_tile_products(tiles: &[Tile], token: TokenCodes<'_>) -> [f32; TILE_ROWS] {
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

// The SIMD kernels share one contract; each states it as:
//
// # Safety
// The CPU must have the kernel's instructions ([`Kernel::is_available`]), and every token's
// `codes` must hold at least `tiles.len() * BLOCK` values and its `scale` and `scaled_sum`
// at least `tiles.len()` (as [`QuantisedActivations::token`] slices them).

/// The loop of the two 256-bit kernels, which differ only in the instructions that multiply
/// and add a column pair: [`PairProducts`].
#[cfg(target_arch = "x86_64")]
mod avx256 {
    use super::{Tile, TokenCodes, BLOCK, KERNEL_TOKENS, TILE_ROWS};
    use std::arch::x86_64::*;

    /// Accumulates the products of one token's codes for two columns with the same two
    /// columns of a tile's rows.
    pub trait PairProducts {
        /// `sums` plus the pairwise products of `w_low` (rows 0–7) and `w_high` (rows 8–15)
        /// with `a` (the token's two codes in every 32-bit lane), each pair summed into its
        /// 32-bit lane.
        ///
        /// # Safety
        /// The CPU must have the instructions of the kernel that implements it.
        unsafe fn accumulate(
            sums: [__m256i; 2],
            w_low: __m256i,
            w_high: __m256i,
            a: __m256i,
        ) -> [__m256i; 2];
    }

    /// [`super::scalar_tile_products`] for `M` tokens at once, the integer products by `P`.
    ///
    /// # Safety
    /// The kernels' contract, for AVX2, FMA and `P`'s instructions; inlined into a kernel
    /// function that enables them.
    #[inline(always)]
    pub unsafe fn tile_products<const M: usize, P: PairProducts>(
        tiles: &[Tile],
        tokens: [TokenCodes<'_>; M],
    ) -> [[f32; TILE_ROWS]; KERNEL_TOKENS] {
        debug_assert!(tokens.iter().all(|t| t.blocks() >= tiles.len()));
        // SAFETY: register arithmetic with instructions the CPU has (contract), as in
        // every block below that touches no memory.
        let mut acc = unsafe { [[_mm256_setzero_ps(); 2]; M] };
        for (block, tile) in tiles.iter().enumerate() {
            // SAFETY: register arithmetic, as above.
            let mut sums = unsafe { [[_mm256_setzero_si256(); 2]; M] };
            for group in 0..BLOCK / 2 {
                // SAFETY: Tile is 32-byte aligned and `q` (512 bytes) is its first field, so
                // both 16-byte loads are aligned and inside it; the token's codes hold this
                // block, and the CPU has `P`'s instructions (contract).
                unsafe {
                    let q = tile.q.as_ptr().add(group * 32) as *const __m128i;
                    // Two columns of rows 0–7 and of rows 8–15, widened to 16 bits.
                    let w_low = _mm256_cvtepi8_epi16(_mm_load_si128(q));
                    let w_high = _mm256_cvtepi8_epi16(_mm_load_si128(q.add(1)));
                    for m in 0..M {
                        let a = _mm256_set1_epi32(tokens[m].code_pair(block, group));
                        sums[m] = P::accumulate(sums[m], w_low, w_high, a);
                    }
                }
            }
            for half in 0..2 {
                // SAFETY: 8 of the tile's 16 scales and offsets, from `half * 8`.
                let (scale, offset) = unsafe {
                    (
                        _mm256_loadu_ps(tile.scale.as_ptr().add(half * 8)),
                        _mm256_loadu_ps(tile.offset.as_ptr().add(half * 8)),
                    )
                };
                for m in 0..M {
                    // SAFETY: register arithmetic, as above.
                    unsafe {
                        let d = _mm256_set1_ps(tokens[m].scale[block]);
                        let d_sum = _mm256_set1_ps(tokens[m].scaled_sum[block]);
                        let products = _mm256_cvtepi32_ps(sums[m][half]);
                        let scaled = _mm256_mul_ps(scale, d);
                        acc[m][half] = _mm256_fmadd_ps(products, scaled, acc[m][half]);
                        acc[m][half] = _mm256_fmadd_ps(offset, d_sum, acc[m][half]);
                    }
                }
            }
        }
        let mut out = [[0f32; TILE_ROWS]; KERNEL_TOKENS];
        for m in 0..M {
            // SAFETY: each output row holds 16 floats.
            unsafe {
                _mm256_storeu_ps(out[m].as_mut_ptr(), acc[m][0]);
                _mm256_storeu_ps(out[m].as_mut_ptr().add(8), acc[m][1]);
            }
        }
        out
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::avx256::{self, PairProducts};
    use super::{Tile, TokenCodes, KERNEL_TOKENS, TILE_ROWS};
    use std::arch::x86_64::*;

    /// `vpmaddwd` + `vpaddd`.
    struct MaddAdd;

    impl PairProducts for MaddAdd {
        #[inline(always)]
        unsafe fn accumulate(
            [low, high]: [__m256i; 2],
            w_low: __m256i,
            w_high: __m256i,
            a: __m256i,
        ) -> [__m256i; 2] {
            // SAFETY: register arithmetic; the caller's CPU has AVX2 (the trait's contract).
            unsafe {
                [
                    _mm256_add_epi32(low, _mm256_madd_epi16(w_low, a)),
                    _mm256_add_epi32(high, _mm256_madd_epi16(w_high, a)),
                ]
            }
        }
    }

    /// [`super::scalar_tile_products`] for `M` tokens at once.
    ///
    /// # Safety
    /// The CPU must support AVX2 and FMA; each token holds `tiles.len()` blocks.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn tile_products<const M: usize>(
        tiles: &[Tile],
        tokens: [TokenCodes<'_>; M],
    ) -> [[f32; TILE_ROWS]; KERNEL_TOKENS] {
        // SAFETY: this function's contract, with AVX2 and FMA enabled here.
        unsafe { avx256::tile_products::<M, MaddAdd>(tiles, tokens) }
    }
}

/// AVX2's loop with `vpdpwssd` in place of `vpmaddwd` + `vpaddd`.
#[cfg(target_arch = "x86_64")]
mod avx_vnni {
    use super::avx256::{self, PairProducts};
    use super::{Tile, TokenCodes, KERNEL_TOKENS, TILE_ROWS};
    use std::arch::asm;
    use std::arch::x86_64::*;

    /// `vpdpwssd` on 256-bit vectors.
    struct DotProduct;

    impl PairProducts for DotProduct {
        #[inline]
        #[target_feature(enable = "avxvnni,avx2,fma")]
        unsafe fn accumulate(
            [mut low, mut high]: [__m256i; 2],
            w_low: __m256i,
            w_high: __m256i,
            a: __m256i,
        ) -> [__m256i; 2] {
            // `_mm256_dpwssd_avx_epi32` is split back into `vpmaddwd` + `vpaddd` by LLVM
            // unless it tunes for a CPU known to run it fast.
            // SAFETY: register-only instructions, which the CPU has (contract).
            unsafe {
                asm!(
                    "{{vex}} vpdpwssd {low}, {w_low}, {a}",
                    "{{vex}} vpdpwssd {high}, {w_high}, {a}",
                    low = inout(ymm_reg) low,
                    high = inout(ymm_reg) high,
                    w_low = in(ymm_reg) w_low,
                    w_high = in(ymm_reg) w_high,
                    a = in(ymm_reg) a,
                    options(pure, nomem, nostack),
                );
            }
            [low, high]
        }
    }

    /// [`super::scalar_tile_products`] for `M` tokens at once.
    ///
    /// # Safety
    /// The CPU must support AVX-VNNI, AVX2 and FMA; each token holds `tiles.len()` blocks.
    #[target_feature(enable = "avxvnni,avx2,fma")]
    pub unsafe fn tile_products<const M: usize>(
        tiles: &[Tile],
        tokens: [TokenCodes<'_>; M],
    ) -> [[f32; TILE_ROWS]; KERNEL_TOKENS] {
        // SAFETY: this function's contract, with AVX-VNNI, AVX2 and FMA enabled here.
        unsafe { avx256::tile_products::<M, DotProduct>(tiles, tokens) }
    }
}

/// One 512-bit register holds two columns of all 16 rows of a tile: one widening load and
/// one `vpdpwssd` per token replace AVX2's two loads, two `vpmaddwd` and two `vpaddd`.
#[cfg(target_arch = "x86_64")]
mod avx512_vnni {
    use super::{Tile, TokenCodes, BLOCK, KERNEL_TOKENS, TILE_ROWS};
    use std::arch::asm;
    use std::arch::x86_64::*;

    /// [`super::scalar_tile_products`] for `M` tokens at once.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F, BW and VNNI; each token holds `tiles.len()` blocks.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni,avx2,fma")]
    pub unsafe fn tile_products<const M: usize>(
        tiles: &[Tile],
        tokens: [TokenCodes<'_>; M],
    ) -> [[f32; TILE_ROWS]; KERNEL_TOKENS] {
        debug_assert!(tokens.iter().all(|t| t.blocks() >= tiles.len()));
        let mut acc = [_mm512_setzero_ps(); M];
        for (block, tile) in tiles.iter().enumerate() {
            // Two accumulators per token (even and odd column pairs): twice the independent
            // chains hide `vpdpwssd`'s latency.
            let mut sums = [[_mm512_setzero_si512(); 2]; M];
            for group in (0..BLOCK / 2).step_by(2) {
                // SAFETY: Tile is 32-byte aligned and `q` (512 bytes) its first field, so
                // the 32-byte loads are aligned and inside it; the token's codes hold this
                // block (contract).
                unsafe {
                    let q = tile.q.as_ptr().add(group * 32) as *const __m256i;
                    // Lane r: row r's two columns, widened to 16 bits.
                    let w0 = _mm512_cvtepi8_epi16(_mm256_load_si256(q));
                    let w1 = _mm512_cvtepi8_epi16(_mm256_load_si256(q.add(1)));
                    for m in 0..M {
                        let a0 = _mm512_set1_epi32(tokens[m].code_pair(block, group));
                        let a1 = _mm512_set1_epi32(tokens[m].code_pair(block, group + 1));
                        // `_mm512_dpwssd_epi32` is split back into `vpmaddwd` + `vpaddd` by
                        // LLVM unless it tunes for a CPU known to run it fast.
                        asm!(
                            "vpdpwssd {s0}, {w0}, {a0}",
                            "vpdpwssd {s1}, {w1}, {a1}",
                            s0 = inout(zmm_reg) sums[m][0],
                            s1 = inout(zmm_reg) sums[m][1],
                            w0 = in(zmm_reg) w0,
                            w1 = in(zmm_reg) w1,
                            a0 = in(zmm_reg) a0,
                            a1 = in(zmm_reg) a1,
                            options(pure, nomem, nostack),
                        );
                    }
                }
            }
            let sums = sums.map(|[even, odd]| _mm512_add_epi32(even, odd));
            // SAFETY: the tile's 16 scales and 16 offsets.
            let (scale, offset) = unsafe {
                (
                    _mm512_loadu_ps(tile.scale.as_ptr()),
                    _mm512_loadu_ps(tile.offset.as_ptr()),
                )
            };
            for m in 0..M {
                // The AVX2 kernel's operations in its order: bit-identical results.
                let d = _mm512_set1_ps(tokens[m].scale[block]);
                let d_sum = _mm512_set1_ps(tokens[m].scaled_sum[block]);
                let products = _mm512_cvtepi32_ps(sums[m]);
                acc[m] = _mm512_fmadd_ps(products, _mm512_mul_ps(scale, d), acc[m]);
                acc[m] = _mm512_fmadd_ps(offset, d_sum, acc[m]);
            }
        }
        let mut out = [[0f32; TILE_ROWS]; KERNEL_TOKENS];
        for m in 0..M {
            // SAFETY: each output row holds 16 floats.
            unsafe { _mm512_storeu_ps(out[m].as_mut_ptr(), acc[m]) };
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

    /// The kernels this CPU runs; says which it skips.
    fn available_kernels() -> Vec<Kernel> {
        Kernel::ALL
            .into_iter()
            .filter(|kernel| {
                let available = kernel.is_available();
                if !available {
                    eprintln!("skipping the {kernel} kernel: this CPU lacks its instructions");
                }
                available
            })
            .collect()
    }

    #[test]
    fn every_kernel_matches_the_scalar_reference() {
        // 20 blocks (Gemma's width) and codes near the extremes of both ranges.
        let (tokens, rows, cols) = (4, 16, 640);
        let x = QuantisedActivations::quantise(&values(tokens * cols, 4), cols).unwrap();
        let w = PackedMatrix::pack(&gridded(rows * cols, 5), rows, cols).unwrap();
        for kernel in available_kernels() {
            for count in 1..=KERNEL_TOKENS {
                let fast = x.tile_products(kernel, &w.tiles, 0, count);
                for (m, fast) in fast.iter().enumerate().take(count) {
                    let slow = scalar_tile_products(&w.tiles, x.token(m));
                    for (a, b) in fast.iter().zip(&slow) {
                        assert!(
                            (a - b).abs() <= 1e-4 * b.abs().max(1.0),
                            "{kernel}, {count} tokens: {a} vs {b}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn simd_kernels_give_bit_identical_products() {
        let (tokens, rows, cols) = (11, 37, 640);
        let x = QuantisedActivations::quantise(&values(tokens * cols, 6), cols).unwrap();
        let w = gridded(rows * cols, 7);
        let simd: Vec<Kernel> = available_kernels()
            .into_iter()
            .filter(|&kernel| kernel != Kernel::Scalar)
            .collect();
        let Some((&first, rest)) = simd.split_first() else {
            eprintln!("skipping: this CPU has no SIMD kernel");
            return;
        };
        let want = PackedMatrix::pack(&w, rows, cols)
            .unwrap()
            .with_kernel(first)
            .matmul(&x);
        for &kernel in rest {
            let got = PackedMatrix::pack(&w, rows, cols)
                .unwrap()
                .with_kernel(kernel)
                .matmul(&x);
            assert!(got == want, "{kernel} differs from {first}");
        }
    }

    #[test]
    fn kernels_parse_by_name_and_auto_is_the_best() {
        for kernel in Kernel::ALL {
            assert_eq!(kernel.name().parse::<Kernel>().unwrap(), kernel);
        }
        assert_eq!("auto".parse::<Kernel>().unwrap(), Kernel::best());
        assert!(Kernel::best().is_available());
        assert_eq!(Kernel::parse_available("scalar").unwrap(), Kernel::Scalar);
        assert!(matches!(
            "sse9".parse::<Kernel>(),
            Err(KernelError::Unknown(_))
        ));
        if let Some(missing) = Kernel::ALL.into_iter().find(|k| !k.is_available()) {
            let err = Kernel::parse_available(missing.name()).unwrap_err();
            assert!(err.to_string().contains(missing.name()), "{err}");
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
