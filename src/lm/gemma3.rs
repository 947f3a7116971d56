//! Gemma 3 forward pass over a quantised GGUF, returning the final hidden states of every
//! position (the LM head lives in [`super::head`]).
//!
//! Written for the 270M model after `candle_transformers::models::quantized_gemma3`, with
//! what that module gets wrong fixed: GELU-tanh (not SiLU) in the feed-forward, a sliding
//! window of exactly 512 positions (a token sees itself and the 511 before it), RoPE tables
//! for the positions of the current chunk only, and the embedding kept quantised.
//!
//! Layout facts the GGUF does not store, taken from the Gemma 3 defaults (as llama.cpp
//! does): every sixth layer (5, 11, 17) attends globally with RoPE base 1e6, the others
//! use the 512-token window with RoPE base 1e4. The norm weights in the GGUF already
//! include Gemma's "+1". Attention is scaled by 1/sqrt(head_dim) (query_pre_attn_scalar
//! = 256), the embedding by sqrt(hidden).
//!
//! Speed: candle's quantised CPU matmul has no fast kernel for Q5_0 (most of this file's
//! matrices) nor for 640-wide rows (its repacked kernels need multiples of 256). The
//! layers' matrices are therefore converted at load, by [`Precision`]: to dense f32
//! (about 400 MB for the 100M layer parameters) multiplied with candle's blocked GEMM, for
//! exact scoring and accelerators; or to the 8-bit tiles of [`super::qgemm`], multiplied
//! with 16-bit activations, for default scoring on the CPU (about 160 MB: the Q6_K
//! matrices, which do not pack exactly, stay f32). The 262,144-row
//! embedding stays Q8_0 (it is 170M parameters); Q/K/V and gate/up are fused into one
//! matrix each so a block reads its input once.

use super::fastmath;
use super::qgemm::{Kernel, PackedMatrix, QuantisedActivations};
use candle_core::quantized::{gguf_file, GgmlDType, QMatMul, QStorage, QTensor};
use candle_core::{DType, Device, Module, Tensor};
use std::io::{Read, Seek};
use std::sync::Arc;

/// Every `GLOBAL_LAYER_PERIOD`-th layer attends globally (Gemma 3's 5:1 local:global pattern).
pub const GLOBAL_LAYER_PERIOD: usize = 6;
/// RoPE base of the global layers when the GGUF does not say otherwise.
pub const GLOBAL_ROPE_BASE: f32 = 1_000_000.0;
/// RoPE base of the local (sliding-window) layers; not stored in the GGUF.
pub const LOCAL_ROPE_BASE: f32 = 10_000.0;

/// Positions a global layer keeps in its KV cache. Gemma 3 270M was trained on 32k
/// contexts; news articles are far shorter, and the cap bounds memory (36 KB per position
/// over all layers) for pathological inputs: beyond it global layers see the last
/// `MAX_GLOBAL_CONTEXT` positions only.
pub const MAX_GLOBAL_CONTEXT: usize = 8192;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub ffn: usize,
    pub rms_eps: f32,
    pub sliding_window: usize,
    pub global_rope_base: f32,
    pub local_rope_base: f32,
}

/// How one layer attends: which positions it sees and how it rotates them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Attention {
    /// A query sees keys at distance `0..window` (itself included).
    pub window: usize,
    pub rope_base: f32,
}

impl Config {
    pub fn from_gguf(content: &gguf_file::Content) -> candle_core::Result<Config> {
        let md = |key: &str| {
            content
                .metadata
                .get(&format!("gemma3.{key}"))
                .ok_or_else(|| candle_core::Error::Msg(format!("GGUF metadata lacks gemma3.{key}")))
        };
        let arch = content
            .metadata
            .get("general.architecture")
            .and_then(|v| v.to_string().ok().cloned())
            .unwrap_or_default();
        if arch != "gemma3" {
            candle_core::bail!("expected a gemma3 GGUF, found architecture {arch:?}");
        }
        Ok(Config {
            hidden: md("embedding_length")?.to_u32()? as usize,
            layers: md("block_count")?.to_u32()? as usize,
            heads: md("attention.head_count")?.to_u32()? as usize,
            kv_heads: md("attention.head_count_kv")?.to_u32()? as usize,
            head_dim: md("attention.key_length")?.to_u32()? as usize,
            ffn: md("feed_forward_length")?.to_u32()? as usize,
            rms_eps: md("attention.layer_norm_rms_epsilon")?.to_f32()?,
            sliding_window: md("attention.sliding_window")?.to_u32()? as usize,
            global_rope_base: md("rope.freq_base")
                .and_then(|v| v.to_f32())
                .unwrap_or(GLOBAL_ROPE_BASE),
            local_rope_base: LOCAL_ROPE_BASE,
        })
    }

    /// The attention of layer `layer` (0-based): layers 5, 11, 17, … are global.
    pub fn attention(&self, layer: usize) -> Attention {
        if (layer + 1).is_multiple_of(GLOBAL_LAYER_PERIOD) {
            Attention {
                window: MAX_GLOBAL_CONTEXT,
                rope_base: self.global_rope_base,
            }
        } else {
            Attention {
                window: self.sliding_window,
                rope_base: self.local_rope_base,
            }
        }
    }

    /// 1/sqrt(head_dim): Gemma 3 270M's query_pre_attn_scalar equals its head dimension.
    pub fn attention_scale(&self) -> f64 {
        1.0 / (self.head_dim as f64).sqrt()
    }

    /// Factor applied to the token embeddings before the first layer.
    pub fn embedding_scale(&self) -> f64 {
        (self.hidden as f64).sqrt()
    }
}

/// Additive attention mask `[queries, keys]` (0 = visible, −∞ = hidden) for queries at
/// absolute positions `first_query..first_query + queries` over keys at
/// `first_key..first_key + keys`: causal, and limited to distances below `window`.
pub fn attention_mask(
    first_query: usize,
    queries: usize,
    first_key: usize,
    keys: usize,
    window: usize,
) -> Vec<f32> {
    let mut mask = Vec::with_capacity(queries * keys);
    for q in first_query..first_query + queries {
        mask.extend((first_key..first_key + keys).map(|k| {
            if k <= q && q - k < window {
                0.0
            } else {
                f32::NEG_INFINITY
            }
        }));
    }
    mask
}

/// Additive attention mask `[queries, keys]` for independent continuations of a cached
/// sequence, laid out one branch after another: branch `b` has `branches[b].1` tokens
/// and continues the cached positions before `branches[b].0`. A query sees those cached
/// keys within `window` and the earlier tokens of its own branch; keys are the cached
/// positions `first_key..cached_end`, then the branches' tokens.
pub fn branch_attention_mask(
    branches: &[(usize, usize)],
    first_key: usize,
    cached_end: usize,
    window: usize,
) -> Vec<f32> {
    let queries: usize = branches.iter().map(|b| b.1).sum();
    let keys = cached_end - first_key + queries;
    let mut mask = Vec::with_capacity(queries * keys);
    let mut branch_start = 0;
    for &(start, len) in branches {
        for offset in 0..len {
            let q = start + offset;
            mask.extend((first_key..cached_end).map(|k| {
                if k < start && q - k < window {
                    0.0
                } else {
                    f32::NEG_INFINITY
                }
            }));
            let own = branch_start..branch_start + offset + 1;
            mask.extend((0..queries).map(|j| {
                if own.contains(&j) {
                    0.0
                } else {
                    f32::NEG_INFINITY
                }
            }));
        }
        branch_start += len;
    }
    mask
}

/// RoPE angles `[positions, head_dim / 2]` (cos, sin) for the given absolute positions,
/// with inverse frequencies `base^(-2i/head_dim)` (the half-split "NeoX" layout Gemma uses).
pub fn rope_tables(positions: &[usize], head_dim: usize, base: f32) -> (Vec<f32>, Vec<f32>) {
    let half = head_dim / 2;
    let mut cos = Vec::with_capacity(positions.len() * half);
    let mut sin = Vec::with_capacity(positions.len() * half);
    for &p in positions {
        for i in 0..half {
            // f64 angle: positions in the thousands times frequencies near 1 lose digits in f32.
            let inv_freq = (base as f64).powf(-((2 * i) as f64) / head_dim as f64);
            let angle = p as f64 * inv_freq;
            cos.push(angle.cos() as f32);
            sin.push(angle.sin() as f32);
        }
    }
    (cos, sin)
}

/// How the new tokens of one forward pass relate to each other.
#[derive(Debug, Clone, Copy)]
enum Layout<'a> {
    /// One sequence continuing the cache.
    Continuation,
    /// Independent continuations of the cached sequence, one after another: (position the
    /// branch starts at, its length).
    Branches(&'a [(usize, usize)]),
}

impl Layout<'_> {
    /// Absolute positions of the `seq` new tokens after `first`.
    fn positions(&self, first: usize, seq: usize) -> Vec<usize> {
        match self {
            Layout::Continuation => (first..first + seq).collect(),
            Layout::Branches(branches) => branches
                .iter()
                .flat_map(|&(start, len)| start..start + len)
                .collect(),
        }
    }

    fn mask(
        &self,
        first: usize,
        seq: usize,
        first_key: usize,
        keys: usize,
        window: usize,
    ) -> Vec<f32> {
        match self {
            Layout::Continuation => attention_mask(first, seq, first_key, keys, window),
            Layout::Branches(branches) => branch_attention_mask(branches, first_key, first, window),
        }
    }
}

/// How the layers' matrices are stored and multiplied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Dequantised to f32: the GGUF's weights exactly, f32 activations.
    F32,
    /// 8-bit weights and 16-bit activations ([`super::qgemm`]) multiplied by the given
    /// kernel, for every matrix that packs exactly (the Q6_K ones stay f32); CPU only.
    Quantised(Kernel),
}

/// A weight matrix `[out, in]` applied to activations `[tokens, in]`.
enum Linear {
    F32(QMatMul),
    Quantised(PackedMatrix),
}

impl Linear {
    /// The given matrices stacked by rows, converted for `precision` on `device`.
    fn new(
        parts: &[QTensor],
        precision: Precision,
        device: &Device,
    ) -> candle_core::Result<Linear> {
        let parts = parts
            .iter()
            .map(|part| part.dequantize(&Device::Cpu))
            .collect::<candle_core::Result<Vec<_>>>()?;
        let stacked = Tensor::cat(&parts, 0)?;
        if let Precision::Quantised(kernel) = precision {
            let (rows, cols) = stacked.dims2()?;
            let values: Vec<f32> = stacked.flatten_all()?.to_vec1()?;
            if let Ok(packed) = PackedMatrix::pack(&values, rows, cols) {
                return Ok(Linear::Quantised(packed.with_kernel(kernel)));
            }
        }
        Ok(Linear::F32(QMatMul::Tensor(stacked.to_device(device)?)))
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Linear::F32(matrix) => matrix.forward(x),
            Linear::Quantised(matrix) => {
                let x = QuantisedActivations::of_tensor(x)?;
                Tensor::from_vec(matrix.matmul(&x), (x.tokens(), matrix.rows()), &Device::Cpu)
            }
        }
    }
}

/// `gelu(gate) · up` from the stacked gate/up output `[tokens, 2 ffn]`. On the CPU in one
/// vectorised pass (candle's GELU calls libm's `tanhf` per element: 8% of scoring time).
fn gated(gate_up: &Tensor, ffn: usize) -> candle_core::Result<Tensor> {
    if !gate_up.device().is_cpu() {
        let gate = gate_up.narrow(1, 0, ffn)?.gelu()?;
        return gate * gate_up.narrow(1, ffn, ffn)?;
    }
    let tokens = gate_up.dim(0)?;
    let values: Vec<f32> = gate_up.flatten_all()?.to_vec1()?;
    let mut out = Vec::with_capacity(tokens * ffn);
    for row in values.chunks_exact(2 * ffn) {
        let (gate, up) = row.split_at(ffn);
        out.extend(
            gate.iter()
                .zip(up)
                .map(|(&g, &u)| fastmath::gelu_tanh(g) * u),
        );
    }
    Tensor::from_vec(out, (tokens, ffn), &Device::Cpu)
}

struct Layer {
    attention: Attention,
    attn_norm: Tensor,
    /// Q, K and V stacked: `[(heads + 2 kv_heads) head_dim, hidden]`.
    qkv: Linear,
    q_norm: Tensor,
    k_norm: Tensor,
    attn_output: Linear,
    post_attn_norm: Tensor,
    ffn_norm: Tensor,
    /// Gate and up stacked: `[2 ffn, hidden]`.
    gate_up: Linear,
    down: Linear,
    post_ffn_norm: Tensor,
}

/// Keys and values seen so far, per layer, trimmed to what the layer's window can still see.
/// Cloning is cheap (the tensors are shared) and lets several continuations branch off one
/// prefix.
#[derive(Clone)]
pub struct KvCache {
    layers: Vec<Option<(Tensor, Tensor)>>,
    /// Absolute position of the first cached key, per layer.
    first_position: Vec<usize>,
    /// Absolute position of the next token to be fed.
    next_position: usize,
}

pub(crate) struct Gemma3 {
    config: Config,
    device: Device,
    /// Token embedding, also the (tied) output head: Q8_0 `[vocab, hidden]`.
    embedding: Arc<QTensor>,
    layers: Vec<Layer>,
    final_norm: Tensor,
}

/// Reads a tensor from the GGUF onto the CPU.
fn read<R: Read + Seek>(
    content: &gguf_file::Content,
    reader: &mut R,
    name: &str,
) -> candle_core::Result<QTensor> {
    content.tensor(reader, name, &Device::Cpu)
}

fn read_f32<R: Read + Seek>(
    content: &gguf_file::Content,
    reader: &mut R,
    name: &str,
    device: &Device,
) -> candle_core::Result<Tensor> {
    read(content, reader, name)?.dequantize(device)
}

/// `tensor` as Q8_0: the embedding's rows are gathered and multiplied quantised, and Q8_0
/// is the type with a SIMD dot product that keeps 640-wide rows (K-quants need 256 | width).
fn as_q8_0(tensor: QTensor) -> candle_core::Result<QTensor> {
    if tensor.dtype() == GgmlDType::Q8_0 {
        return Ok(tensor);
    }
    QTensor::quantize(&tensor.dequantize(&Device::Cpu)?, GgmlDType::Q8_0)
}

/// Moves a quantised tensor to `device` unchanged.
fn onto(tensor: QTensor, device: &Device) -> candle_core::Result<QTensor> {
    if device.is_cpu() {
        return Ok(tensor);
    }
    let storage = QStorage::from_data(tensor.data()?, device, tensor.dtype())?;
    QTensor::new(storage, tensor.shape().clone())
}

impl Gemma3 {
    /// Loads the model; [`Precision::Quantised`] needs `device` to be the CPU.
    pub fn load<R: Read + Seek>(
        content: &gguf_file::Content,
        reader: &mut R,
        device: &Device,
        precision: Precision,
    ) -> candle_core::Result<Gemma3> {
        if matches!(precision, Precision::Quantised(_)) && !device.is_cpu() {
            candle_core::bail!("quantised layers run on the CPU only");
        }
        let config = Config::from_gguf(content)?;
        let embedding = onto(
            as_q8_0(read(content, reader, "token_embd.weight")?)?,
            device,
        )?;
        let mut layers = Vec::with_capacity(config.layers);
        for index in 0..config.layers {
            let name = |suffix: &str| format!("blk.{index}.{suffix}.weight");
            let mut tensor = |suffix: &str| read(content, reader, &name(suffix));
            let qkv = [tensor("attn_q")?, tensor("attn_k")?, tensor("attn_v")?];
            let gate_up = [tensor("ffn_gate")?, tensor("ffn_up")?];
            let attn_output = tensor("attn_output")?;
            let down = tensor("ffn_down")?;
            let mut norm = |suffix: &str| read_f32(content, reader, &name(suffix), device);
            layers.push(Layer {
                attention: config.attention(index),
                attn_norm: norm("attn_norm")?,
                qkv: Linear::new(&qkv, precision, device)?,
                q_norm: norm("attn_q_norm")?,
                k_norm: norm("attn_k_norm")?,
                attn_output: Linear::new(&[attn_output], precision, device)?,
                post_attn_norm: norm("post_attention_norm")?,
                ffn_norm: norm("ffn_norm")?,
                gate_up: Linear::new(&gate_up, precision, device)?,
                down: Linear::new(&[down], precision, device)?,
                post_ffn_norm: norm("post_ffw_norm")?,
            });
        }
        let final_norm = read_f32(content, reader, "output_norm.weight", device)?;
        Ok(Gemma3 {
            config,
            device: device.clone(),
            embedding: Arc::new(embedding),
            layers,
            final_norm,
        })
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The tied embedding / output matrix (Q8_0, `[vocab, hidden]`).
    pub fn output_matrix(&self) -> &Arc<QTensor> {
        &self.embedding
    }

    pub fn new_cache(&self) -> KvCache {
        KvCache {
            layers: (0..self.config.layers).map(|_| None).collect(),
            first_position: vec![0; self.config.layers],
            next_position: 0,
        }
    }

    /// Dequantised embedding rows `[ids, hidden]` (unscaled).
    pub fn embedding_rows(&self, ids: &[u32]) -> candle_core::Result<Tensor> {
        let ids = Tensor::new(ids, &self.device)?;
        self.embedding.embedding(&ids)
    }

    /// Feeds `ids` (the positions after the cache's) through the model and returns the
    /// final-normed hidden states `[ids, hidden]`.
    pub fn forward(&self, ids: &[u32], cache: &mut KvCache) -> candle_core::Result<Tensor> {
        self.forward_laid_out(ids, Layout::Continuation, cache)
    }

    /// Feeds several independent continuations of the cached sequence through the model in
    /// one pass and returns the final-normed hidden states `[total tokens, hidden]`, branch
    /// after branch. Each branch is (position it starts at, its tokens): it sees the cached
    /// positions before its start and its own earlier tokens, not the other branches. The
    /// cache is left as it was.
    pub fn forward_branches(
        &self,
        branches: &[(usize, &[u32])],
        cache: &KvCache,
    ) -> candle_core::Result<Tensor> {
        let layout: Vec<(usize, usize)> = branches.iter().map(|b| (b.0, b.1.len())).collect();
        let ids: Vec<u32> = branches.iter().flat_map(|b| b.1.iter().copied()).collect();
        self.forward_laid_out(&ids, Layout::Branches(&layout), &mut cache.clone())
    }

    fn forward_laid_out(
        &self,
        ids: &[u32],
        layout: Layout<'_>,
        cache: &mut KvCache,
    ) -> candle_core::Result<Tensor> {
        let cfg = &self.config;
        let mut pass = Pass::new(layout, cache.next_position, ids.len());
        let mut x = (self.embedding_rows(ids)? * cfg.embedding_scale())?;
        for (index, layer) in self.layers.iter().enumerate() {
            x = self.attention_block(index, layer, &x, &mut pass, cache)?;
            x = self.feed_forward_block(layer, &x)?;
        }
        cache.next_position += match layout {
            Layout::Continuation => pass.seq,
            // Branches do not extend the prefix; the cache they leave is a scratch copy.
            Layout::Branches(_) => 0,
        };
        let x = candle_nn::ops::rms_norm(&x, &self.final_norm, cfg.rms_eps)?;
        x.to_dtype(DType::F32)
    }

    /// Layer `index`'s attention block on `x`, residual added; the layer's keys and values
    /// join the cache.
    fn attention_block(
        &self,
        index: usize,
        layer: &Layer,
        x: &Tensor,
        pass: &mut Pass<'_>,
        cache: &mut KvCache,
    ) -> candle_core::Result<Tensor> {
        let cfg = &self.config;
        let window = layer.attention.window;
        let h = candle_nn::ops::rms_norm(x, &layer.attn_norm, cfg.rms_eps)?;
        let (q, k, v) = self.queries_keys_values(layer, &h, pass)?;
        let (k, v) = cache.after_cached(index, k, v)?;
        let keys = k.dim(1)?;
        let mask = pass.mask(cache.first_position[index], keys, window, &self.device)?;
        let out = self.grouped_query_attention(&q, &k, &v, mask)?;
        let out = layer.attn_output.forward(&out)?;
        let out = candle_nn::ops::rms_norm(&out, &layer.post_attn_norm, cfg.rms_eps)?;
        cache.store(index, k, v, window)?;
        out + x
    }

    /// Queries `[heads, seq, head_dim]`, keys and values `[kv_heads, seq, head_dim]` of the
    /// normed input `h`; queries and keys normed and rotated to their positions.
    fn queries_keys_values(
        &self,
        layer: &Layer,
        h: &Tensor,
        pass: &mut Pass<'_>,
    ) -> candle_core::Result<(Tensor, Tensor, Tensor)> {
        let cfg = &self.config;
        let qkv = layer.qkv.forward(h)?;
        let q_width = cfg.heads * cfg.head_dim;
        let kv_width = cfg.kv_heads * cfg.head_dim;
        let split_heads = |start: usize, width: usize, heads: usize| {
            qkv.narrow(1, start, width)?
                .reshape((pass.seq, heads, cfg.head_dim))?
                .transpose(0, 1)?
                .contiguous()
        };
        let q = split_heads(0, q_width, cfg.heads)?;
        let k = split_heads(q_width, kv_width, cfg.kv_heads)?;
        let v = split_heads(q_width + kv_width, kv_width, cfg.kv_heads)?;
        let q = candle_nn::ops::rms_norm(&q, &layer.q_norm, cfg.rms_eps)?;
        let k = candle_nn::ops::rms_norm(&k, &layer.k_norm, cfg.rms_eps)?;
        let (cos, sin) = pass.rope(layer.attention.rope_base, cfg.head_dim, &self.device)?;
        let q = candle_nn::rotary_emb::rope(&q.unsqueeze(0)?, cos, sin)?.squeeze(0)?;
        let k = candle_nn::rotary_emb::rope(&k.unsqueeze(0)?, cos, sin)?.squeeze(0)?;
        Ok((q, k, v))
    }

    /// Attention of queries `q` over keys `k` and values `v` (cached ones first) under
    /// `mask`: `[seq, heads · head_dim]`.
    fn grouped_query_attention(
        &self,
        q: &Tensor,
        k: &Tensor,
        v: &Tensor,
        mask: &Tensor,
    ) -> candle_core::Result<Tensor> {
        let cfg = &self.config;
        let seq = q.dim(1)?;
        let keys = k.dim(1)?;
        // Grouped-query attention: the query heads sharing one KV head are stacked along
        // the query axis, so one matmul per KV head serves them all.
        let group = cfg.heads / cfg.kv_heads;
        let q = q.reshape((cfg.kv_heads, group * seq, cfg.head_dim))?;
        let scores = (q.matmul(&k.t()?)? * cfg.attention_scale())?;
        let scores = scores
            .reshape((cfg.heads, seq, keys))?
            .broadcast_add(mask)?;
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let out = probs
            .reshape((cfg.kv_heads, group * seq, keys))?
            .matmul(v)?;
        out.reshape((cfg.heads, seq, cfg.head_dim))?
            .transpose(0, 1)?
            .reshape((seq, cfg.heads * cfg.head_dim))
    }

    /// `layer`'s feed-forward block on `x`, residual added.
    fn feed_forward_block(&self, layer: &Layer, x: &Tensor) -> candle_core::Result<Tensor> {
        let cfg = &self.config;
        let h = candle_nn::ops::rms_norm(x, &layer.ffn_norm, cfg.rms_eps)?;
        let gate_up = layer.gate_up.forward(&h)?;
        let out = layer.down.forward(&gated(&gate_up, cfg.ffn)?)?;
        let out = candle_nn::ops::rms_norm(&out, &layer.post_ffn_norm, cfg.rms_eps)?;
        out + x
    }
}

impl KvCache {
    /// Layer `index`'s cached keys and values followed by the new ones, `k` and `v`.
    fn after_cached(
        &self,
        index: usize,
        k: Tensor,
        v: Tensor,
    ) -> candle_core::Result<(Tensor, Tensor)> {
        Ok(match &self.layers[index] {
            Some((k_cache, v_cache)) => (
                Tensor::cat(&[k_cache, &k], 1)?,
                Tensor::cat(&[v_cache, &v], 1)?,
            ),
            None => (k, v),
        })
    }

    /// Makes `k` and `v`, every key and value layer `index` has seen, its cache: only those
    /// a later query can still see within `window`.
    fn store(
        &mut self,
        index: usize,
        k: Tensor,
        v: Tensor,
        window: usize,
    ) -> candle_core::Result<()> {
        let keys = k.dim(1)?;
        let keep = keys.min(window.saturating_sub(1));
        let (k, v) = if keep < keys {
            (
                k.narrow(1, keys - keep, keep)?.contiguous()?,
                v.narrow(1, keys - keep, keep)?.contiguous()?,
            )
        } else {
            (k, v)
        };
        self.first_position[index] += keys - keep;
        self.layers[index] = Some((k, v));
        Ok(())
    }
}

/// One forward pass: where its tokens stand, and the RoPE tables and masks built for it so
/// far. Masks and RoPE tables depend only on the layer's attention kind and cache start,
/// so layers share them.
struct Pass<'a> {
    layout: Layout<'a>,
    /// Absolute position of the first token fed (the cache's next position).
    first: usize,
    /// Tokens fed.
    seq: usize,
    positions: Vec<usize>,
    /// (cos, sin) `[seq, head_dim / 2]` by the bits of their RoPE base.
    ropes: Vec<(u32, (Tensor, Tensor))>,
    /// `[seq, keys]` by (first key's position, window).
    masks: Vec<((usize, usize), Tensor)>,
}

impl<'a> Pass<'a> {
    fn new(layout: Layout<'a>, first: usize, seq: usize) -> Self {
        Pass {
            layout,
            first,
            seq,
            positions: layout.positions(first, seq),
            ropes: Vec::new(),
            masks: Vec::new(),
        }
    }

    /// The RoPE tables (cos, sin) of the tokens' positions for `base`.
    fn rope(
        &mut self,
        base: f32,
        head_dim: usize,
        device: &Device,
    ) -> candle_core::Result<&(Tensor, Tensor)> {
        let rope_key = base.to_bits();
        if !self.ropes.iter().any(|(key, _)| *key == rope_key) {
            let (cos, sin) = rope_tables(&self.positions, head_dim, base);
            let half = head_dim / 2;
            let tables = (
                Tensor::from_vec(cos, (self.seq, half), device)?,
                Tensor::from_vec(sin, (self.seq, half), device)?,
            );
            self.ropes.push((rope_key, tables));
        }
        Ok(&self
            .ropes
            .iter()
            .find(|(key, _)| *key == rope_key)
            .expect("rope table built above")
            .1)
    }

    /// The mask of the tokens over `keys` keys from position `first_key`, seen within
    /// `window`.
    fn mask(
        &mut self,
        first_key: usize,
        keys: usize,
        window: usize,
        device: &Device,
    ) -> candle_core::Result<&Tensor> {
        let mask_key = (first_key, window);
        if !self.masks.iter().any(|(key, _)| *key == mask_key) {
            let mask = self
                .layout
                .mask(self.first, self.seq, first_key, keys, window);
            self.masks
                .push((mask_key, Tensor::from_vec(mask, (self.seq, keys), device)?));
        }
        Ok(&self
            .masks
            .iter()
            .find(|(key, _)| *key == mask_key)
            .expect("mask built above")
            .1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config {
            hidden: 640,
            layers: 18,
            heads: 4,
            kv_heads: 1,
            head_dim: 256,
            ffn: 2048,
            rms_eps: 1e-6,
            sliding_window: 512,
            global_rope_base: GLOBAL_ROPE_BASE,
            local_rope_base: LOCAL_ROPE_BASE,
        }
    }

    #[test]
    fn layers_5_11_17_are_global_with_base_1e6() {
        let cfg = config();
        let global: Vec<usize> = (0..cfg.layers)
            .filter(|&l| cfg.attention(l).rope_base == 1e6)
            .collect();
        assert_eq!(global, [5, 11, 17]);
        for l in 0..cfg.layers {
            let att = cfg.attention(l);
            if global.contains(&l) {
                assert_eq!(att.window, MAX_GLOBAL_CONTEXT);
            } else {
                assert_eq!(
                    att,
                    Attention {
                        window: 512,
                        rope_base: 1e4
                    }
                );
            }
        }
    }

    #[test]
    fn scales_match_gemma3_270m() {
        let cfg = config();
        assert_eq!(cfg.attention_scale(), 1.0 / 16.0);
        assert!((cfg.embedding_scale() - 25.298_221).abs() < 1e-5);
    }

    /// Which keys of a mask are visible (0, not −∞).
    fn visible_keys(mask: &[f32]) -> Vec<bool> {
        mask.iter().map(|v| *v == 0.0).collect()
    }

    #[test]
    fn causal_mask_shape_and_values() {
        let visible = visible_keys(&attention_mask(0, 3, 0, 3, 512));
        #[rustfmt::skip]
        assert_eq!(visible, [
            true, false, false,
            true, true, false,
            true, true, true,
        ]);
    }

    #[test]
    fn sliding_window_sees_exactly_512_positions() {
        // Query at position 600 over keys 0..=600: it sees 89..=600, i.e. 512 keys.
        let mask = attention_mask(600, 1, 0, 601, 512);
        let visible: Vec<usize> = (0..601).filter(|&k| mask[k] == 0.0).collect();
        assert_eq!(visible.len(), 512);
        assert_eq!(visible[0], 89);
        assert_eq!(*visible.last().unwrap(), 600);
    }

    #[test]
    fn mask_with_cached_keys_is_offset() {
        // Chunk of 2 queries at positions 10, 11 over cached keys 8..=9 plus themselves.
        let visible = visible_keys(&attention_mask(10, 2, 8, 4, 3));
        #[rustfmt::skip]
        assert_eq!(visible, [
            true, true, true, false,  // 10 sees 8, 9, 10
            false, true, true, true,  // 11 sees 9, 10, 11 (window 3)
        ]);
    }

    #[test]
    fn branches_see_their_prefix_and_only_their_own_tokens() {
        // Cached positions 0..=2; a branch of 2 tokens from position 2 (it sees 0, 1) and
        // one of 1 token from position 3 (it sees 0, 1, 2).
        let visible = visible_keys(&branch_attention_mask(&[(2, 2), (3, 1)], 0, 3, 512));
        #[rustfmt::skip]
        assert_eq!(visible, [
            true, true, false, true, false, false,  // branch 0, position 2
            true, true, false, true, true, false,   // branch 0, position 3
            true, true, true, false, false, true,   // branch 1, position 3
        ]);
        // The window still applies to the cached keys: position 2 with window 2 sees 1, 2.
        let narrow = branch_attention_mask(&[(2, 1)], 0, 2, 2);
        assert_eq!(visible_keys(&narrow), [false, true, true]);
    }

    #[test]
    fn rope_tables_use_the_given_base() {
        let (cos, sin) = rope_tables(&[3], 4, 10_000.0);
        // Frequencies 1 and 1e4^(-1/2) = 0.01 at position 3.
        assert!((cos[0] - 3f32.cos()).abs() < 1e-6);
        assert!((sin[1] - 0.03f32.sin()).abs() < 1e-6);
        let (_, sin_global) = rope_tables(&[3], 4, 1_000_000.0);
        assert!((sin_global[1] - 0.003f32.sin()).abs() < 1e-6);
    }

    fn max_abs_diff(a: &Tensor, b: &Tensor) -> f32 {
        (a - b)
            .and_then(|d| d.abs())
            .and_then(|d| d.max_all())
            .and_then(|d| d.to_scalar())
            .unwrap()
    }

    #[test]
    fn linear_stacks_the_dequantised_rows_in_order() {
        let values: Vec<f32> = (0..3 * 64)
            .map(|i| ((i * 37 % 29) as f32 - 14.0) / 7.0)
            .collect();
        let first = Tensor::from_slice(&values[..64], (1, 64), &Device::Cpu).unwrap();
        let first = QTensor::quantize(&first, GgmlDType::Q5_0).unwrap();
        let rest = Tensor::from_slice(&values[64..], (2, 64), &Device::Cpu).unwrap();
        let rest = QTensor::quantize(&rest, GgmlDType::Q8_0).unwrap();
        let expected = Tensor::cat(
            &[
                first.dequantize(&Device::Cpu).unwrap(),
                rest.dequantize(&Device::Cpu).unwrap(),
            ],
            0,
        )
        .unwrap();
        let x: Vec<f32> = (0..2 * 64).map(|i| (i as f32 * 0.7).sin()).collect();
        let x = Tensor::from_vec(x, (2, 64), &Device::Cpu).unwrap();
        let want = x.matmul(&expected.t().unwrap()).unwrap();
        let parts = [first, rest];
        let dense = Linear::new(&parts, Precision::F32, &Device::Cpu).unwrap();
        let diff = max_abs_diff(&dense.forward(&x).unwrap(), &want);
        assert!(diff < 1e-4, "{diff}");
        // Q5_0 and Q8_0 pack exactly; only the 16-bit activations differ from f32.
        let quantised =
            Linear::new(&parts, Precision::Quantised(Kernel::best()), &Device::Cpu).unwrap();
        assert!(matches!(quantised, Linear::Quantised(_)));
        let scale = want
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        let diff = max_abs_diff(&quantised.forward(&x).unwrap(), &want);
        assert!(diff < 1e-3 * scale, "{diff} (scale {scale})");
    }

    #[test]
    fn q6_k_matrices_stay_f32() {
        // Q6_K's two scales per 32 values put a block off any single 8-bit grid.
        let values: Vec<f32> = (0..2 * 256).map(|i| (i as f32 * 0.37).sin()).collect();
        let matrix = Tensor::from_vec(values, (2, 256), &Device::Cpu).unwrap();
        let q6 = QTensor::quantize(&matrix, GgmlDType::Q6K).unwrap();
        let linear =
            Linear::new(&[q6], Precision::Quantised(Kernel::best()), &Device::Cpu).unwrap();
        assert!(matches!(linear, Linear::F32(_)));
    }

    #[test]
    fn embedding_is_requantised_to_q8_0() {
        let values: Vec<f32> = (0..2 * 64).map(|i| (i % 13) as f32 / 13.0 - 0.5).collect();
        let matrix = Tensor::from_vec(values, (2, 64), &Device::Cpu).unwrap();
        let q5 = QTensor::quantize(&matrix, GgmlDType::Q5_0).unwrap();
        let q8 = as_q8_0(q5).unwrap();
        assert_eq!(q8.dtype(), GgmlDType::Q8_0);
        let diff = max_abs_diff(&q8.dequantize(&Device::Cpu).unwrap(), &matrix);
        // Q5_0 then Q8_0: within a Q5_0 step plus half a Q8_0 step.
        assert!(diff < 0.05, "{diff}");
    }

    #[test]
    fn gated_is_gelu_of_gate_times_up() {
        let values: Vec<f32> = (0..2 * 8).map(|i| (i as f32 - 7.0) * 0.6).collect();
        let gate_up = Tensor::from_vec(values, (2, 8), &Device::Cpu).unwrap();
        let gate = gate_up.narrow(1, 0, 4).unwrap().gelu().unwrap();
        let want = (gate * gate_up.narrow(1, 4, 4).unwrap()).unwrap();
        let diff = max_abs_diff(&gated(&gate_up, 4).unwrap(), &want);
        assert!(diff < 1e-5, "{diff}");
    }

    #[test]
    fn candle_gelu_is_the_tanh_approximation() {
        let x = Tensor::new(&[1.0f32, -2.0], &Device::Cpu).unwrap();
        let got: Vec<f32> = x.gelu().unwrap().to_vec1().unwrap();
        let tanh_gelu = |v: f32| {
            0.5 * v
                * (1.0 + ((2.0 / std::f32::consts::PI).sqrt() * (v + 0.044715 * v * v * v)).tanh())
        };
        assert!((got[0] - tanh_gelu(1.0)).abs() < 1e-6, "{got:?}");
        assert!((got[1] - tanh_gelu(-2.0)).abs() < 1e-6, "{got:?}");
        // The erf form differs in the 4th decimal at x = -2 (-0.04550 vs -0.04540).
        assert!((got[1] - (-0.045_500_26)).abs() > 5e-5);
    }
}
