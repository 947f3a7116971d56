//! Elementwise maths written so the compiler vectorises it on baseline x86-64 (SSE2),
//! where `f32::round`, `trunc` and `exp` are libm calls that do not vectorise.

/// `v` rounded to the nearest integer (ties to even), for |v| < 2²²: adding and removing
/// 1.5 · 2²³ leaves no fraction bits.
#[inline(always)]
pub fn round(v: f32) -> f32 {
    const SHIFT: f32 = 12_582_912.0;
    (v + SHIFT) - SHIFT
}

/// e^x for x ≤ ~88, relative error below 2e-7; 0 below −87 (where the true value is
/// under 1.7e-38 and irrelevant next to the maximum term, which is 1).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let x = x.clamp(-87.0, 88.0);
    let n = round(x * LOG2E);
    let r = x - n * LN2_HI - n * LN2_LO;
    // Cephes expf polynomial on [-ln2/2, ln2/2].
    let p = 1.987_569_1e-4_f32;
    let p = p * r + 1.398_199_9e-3;
    let p = p * r + 8.333_452e-3;
    let p = p * r + 4.166_579_6e-2;
    let p = p * r + 1.666_666_5e-1;
    let p = p * r + 5e-1;
    let e = p * r * r + r + 1.0;
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    let value = e * scale;
    if x <= -87.0 {
        0.0
    } else {
        value
    }
}

/// GELU, tanh form (Gemma's `gelu_pytorch_tanh`), as `x · σ(2u)`, which equals
/// `0.5 · x · (1 + tanh u)` with `u = √(2/π) · (x + 0.044715 x³)`.
#[inline(always)]
pub fn gelu_tanh(x: f32) -> f32 {
    const SQRT_2_OVER_PI: f32 = 0.797_884_6;
    let u = SQRT_2_OVER_PI * (x + 0.044_715 * x * x * x);
    x / (1.0 + exp(-2.0 * u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_matches_std_on_non_ties() {
        for i in -100_000..100_000 {
            let v = i as f32 * 0.0137;
            if (v.fract().abs() - 0.5).abs() > 1e-3 {
                assert_eq!(round(v), v.round(), "{v}");
            }
        }
        assert_eq!(round(2.5), 2.0);
        assert_eq!(round(-32_767.4), -32_767.0);
    }

    #[test]
    fn exp_matches_std() {
        for i in -869..=880 {
            let x = i as f32 / 10.0;
            let rel = (exp(x) - x.exp()).abs() / x.exp();
            assert!(rel < 1e-6, "x={x}: {} vs {}", exp(x), x.exp());
        }
        assert_eq!(exp(-200.0), 0.0);
    }

    #[test]
    fn gelu_matches_the_tanh_formula() {
        for i in -2000..=2000 {
            let x = i as f64 / 200.0;
            let u = (2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x * x * x);
            let want = 0.5 * x * (1.0 + u.tanh());
            let got = gelu_tanh(x as f32) as f64;
            assert!(
                (got - want).abs() < 1e-6 * want.abs().max(1.0),
                "x={x}: {got} vs {want}"
            );
        }
    }
}
